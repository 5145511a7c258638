//! The field at fault in a JSON body that does not read, where serde cannot say: inside a tagged
//! enum (a case action's arguments) or a flattened struct (the filing), its error has no path.
//! Each field is left out in turn: the one whose absence changes the refusal is it (fields are
//! read in order and the first bad one stops the reading), and the search goes on inside it. A
//! missing field is only noticed after all were read and names itself: it is found where giving
//! it is taken (`missing_at`).

use serde_json::{Map, Value};

/// Reads of the body a search may make.
const TRIALS: usize = 200;

/// The path of the field at fault (`remedy.amount`, `evidence[0]`, empty if none is found) of
/// `fields`, refused with `refused`; `read` reads a body and says its refusal, if any.
pub fn field_at_fault(
    fields: &Map<String, Value>,
    refused: &str,
    read: impl Fn(Map<String, Value>) -> Option<String>,
) -> String {
    // Each trial reads the whole body again: a body of many fields or elements (up to the 1 MiB
    // a request may send) gets this many trials, then is told without its path.
    let budget = std::cell::Cell::new(TRIALS);
    let read = |fields| {
        budget.set(budget.get().checked_sub(1)?);
        Some(read(fields))
    };
    let missing = refused.starts_with("missing field").then(|| refused.split('`').nth(1).unwrap_or("").to_owned());
    let root = Value::Object(fields.clone());
    let mut path: Vec<Step> = match &missing {
        Some(field) => missing_at(&read, &root, refused, field, Vec::new()).unwrap_or_default(),
        None => Vec::new(),
    };
    while missing.is_none() {
        let here = path.iter().fold(&root, |v, step| step.get(v));
        let culprit = Step::inside(here).into_iter().find(|step| {
            let mut without = root.clone();
            let parent = path.iter().fold(&mut without, |v, step| step.get_mut(v));
            step.remove(parent);
            let Value::Object(without) = without else { return false };
            read(without).is_some_and(|outcome| outcome.is_none_or(|other| other != refused))
        });
        match culprit {
            Some(step) => path.push(step),
            None => break,
        }
    }
    let mut name = String::new();
    for step in &path {
        match step {
            Step::Key(k) if name.is_empty() => name.push_str(k),
            Step::Key(k) => {
                name.push('.');
                name.push_str(k)
            }
            Step::Index(i) => name.push_str(&format!("[{i}]")),
        }
    }
    name
}

/// Where a missing `field` belongs under `at`: the object under `at` if giving it the field
/// changes the refusal to anything but that field being unknown there, else the first place
/// inside it that does (trial finding: an offer without `note` was told as `remedy.note`).
fn missing_at(
    read: &impl Fn(Map<String, Value>) -> Option<Option<String>>,
    root: &Value,
    refused: &str,
    field: &str,
    at: Vec<Step>,
) -> Option<Vec<Step>> {
    let here = at.iter().fold(root, |v, step| step.get(v));
    let mut filled = root.clone();
    if let Value::Object(m) = at.iter().fold(&mut filled, |v, step| step.get_mut(v)) {
        m.insert(field.to_owned(), Value::Null);
        let Value::Object(filled) = filled else { return None };
        let unknown_here = format!("unknown field `{field}`");
        match read(filled)? {
            None => return Some(at),
            Some(other) if other != refused && !other.starts_with(&unknown_here) => return Some(at),
            Some(_) => {}
        }
    }
    Step::inside(here).into_iter().find_map(|step| {
        let mut deeper = at.clone();
        deeper.push(step);
        missing_at(read, root, refused, field, deeper)
    })
}

/// One step into a JSON value: a field of an object or an element of an array.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    /// The steps into `value`'s fields or elements.
    fn inside(value: &Value) -> Vec<Step> {
        match value {
            Value::Object(m) => m.keys().cloned().map(Step::Key).collect(),
            Value::Array(a) => (0..a.len()).map(Step::Index).collect(),
            _ => Vec::new(),
        }
    }

    fn get<'v>(&self, value: &'v Value) -> &'v Value {
        match self {
            Step::Key(k) => &value[k.as_str()],
            Step::Index(i) => &value[*i],
        }
    }

    fn get_mut<'v>(&self, value: &'v mut Value) -> &'v mut Value {
        match self {
            Step::Key(k) => &mut value[k.as_str()],
            Step::Index(i) => &mut value[*i],
        }
    }

    fn remove(&self, value: &mut Value) {
        match (self, value) {
            (Step::Key(k), Value::Object(m)) => {
                m.remove(k);
            }
            (Step::Index(i), Value::Array(a)) => {
                a.remove(*i);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body of many elements is searched a bounded number of times (each trial reads the whole
    /// body again), and the search still finds what it can within them.
    #[test]
    fn the_search_reads_a_large_body_a_bounded_number_of_times() {
        let reads = std::cell::Cell::new(0);
        let mut elements = vec![Value::from(1); 10_000];
        elements[9_999] = Value::from("x");
        let fields = Map::from_iter([("evidence".to_owned(), Value::from(elements))]);
        let read = |fields: Map<String, Value>| {
            reads.set(reads.get() + 1);
            let bad = fields.get("evidence").and_then(Value::as_array).is_some_and(|a| a.iter().any(Value::is_string));
            bad.then(|| "invalid type".to_owned())
        };
        assert_eq!(field_at_fault(&fields, "invalid type", read), "evidence");
        assert!(reads.get() <= TRIALS, "{} reads", reads.get());
    }
}
