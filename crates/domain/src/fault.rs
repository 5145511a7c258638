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
    // The refusal names what is at fault: an unknown field its key, a value that does not fit
    // the value (`invalid value: integer `-1``). It is where that key or value is and leaving
    // it out (a value: putting null instead) changes the refusal to anything but that field
    // missing. Leaving fields out one by one would stop at a required field before it in a
    // flattened struct, which is checked for missing fields before the flattened part is read.
    if let Some((named, token)) = named_in(refused) {
        // First where the change is not a null refused as another type (`null_of_another_type`),
        // then anywhere: a null in an enum's field is refused as another type as well.
        let changes = |path: &Vec<Step>, strict: bool| -> bool {
            let mut changed = root.clone();
            let (last, parent) = path.split_last().expect("a path into the body");
            let parent = parent.iter().fold(&mut changed, |v, step| step.get_mut(v));
            match named {
                Named::Key => last.remove(parent),
                Named::Value => *last.get_mut(parent) = Value::Null,
            }
            let Value::Object(changed) = changed else { return false };
            let missed = match last {
                Step::Key(k) => format!("missing field `{k}`"),
                Step::Index(_) => String::new(),
            };
            read(changed).is_some_and(|outcome| {
                outcome.is_none_or(|other| {
                    other != refused
                        && (missed.is_empty() || !other.starts_with(&missed))
                        && !(strict && named == Named::Value && null_of_another_type(&other, refused))
                })
            })
        };
        let found = paths_where(&root, |step, value| match named {
            Named::Key => matches!(step, Step::Key(k) if *k == token),
            Named::Value => reads_as(value, token),
        });
        let strictly = found.iter().find(|path| changes(path, true));
        if let Some(path) = strictly.or_else(|| found.iter().find(|path| changes(path, false))) {
            return path_name(path);
        }
    }
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
    path_name(&path)
}

/// A path as a client reads it: `items[0].sku`.
/// Whether `other` refuses a null where `refused` refused a value of another type: the null
/// was put in another field with the same value (`{"amount": -1, "items": [{"quantity": -1}]}`
/// refused for the quantity), read before the one at fault, not in it.
fn null_of_another_type(other: &str, refused: &str) -> bool {
    let expected = |message: &str| {
        let expected = message.rsplit_once(", expected ").map_or("", |(_, e)| e);
        expected.split(" at line ").next().unwrap_or(expected).to_owned()
    };
    if !other.starts_with("invalid type: null") {
        return false;
    }
    let null_in = expected(other);
    if refused.starts_with("unknown variant") {
        // An enum refuses a null as one of these, not by its names.
        return !(null_in == "string or map" || null_in == "variant identifier" || null_in.starts_with("enum "));
    }
    null_in != expected(refused)
}

fn path_name(path: &[Step]) -> String {
    let mut name = String::new();
    for step in path {
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

/// What a refusal names: an unknown field's key, or the value that does not fit.
#[derive(Clone, Copy, PartialEq)]
enum Named {
    Key,
    Value,
}

/// What `refused` names, and the name or value as serde wrote it.
fn named_in(refused: &str) -> Option<(Named, &str)> {
    let token = || refused.split('`').nth(1);
    if refused.starts_with("unknown field `") {
        return Some((Named::Key, token()?));
    }
    let of_a_value = ["invalid value:", "invalid type:", "unknown variant `"];
    of_a_value.iter().any(|p| refused.starts_with(p)).then(|| token().map(|t| (Named::Value, t))).flatten()
}

/// Is `value` (a string, number or boolean) what serde wrote as `token`?
fn reads_as(value: &Value, token: &str) -> bool {
    match value {
        Value::String(s) => s == token,
        Value::Number(n) => token.parse::<f64>().is_ok_and(|t| n.as_f64() == Some(t)),
        Value::Bool(b) => token == if *b { "true" } else { "false" },
        _ => false,
    }
}

/// The paths in `root` whose last step and value satisfy `wanted`, shallowest first.
fn paths_where(root: &Value, wanted: impl Fn(&Step, &Value) -> bool) -> Vec<Vec<Step>> {
    let mut found = Vec::new();
    let mut level = vec![Vec::new()];
    while !level.is_empty() {
        let mut next = Vec::new();
        for path in level {
            let here = path.iter().fold(root, |v: &Value, step: &Step| step.get(v));
            for step in Step::inside(here) {
                let mut deeper = path.clone();
                deeper.push(step.clone());
                if wanted(&step, step.get(here)) {
                    found.push(deeper.clone());
                }
                next.push(deeper);
            }
        }
        level = next;
    }
    found
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

    /// An unknown field is found where a key of its name is and leaving it out changes the
    /// refusal, not at a required field before it, nor at a known field of the same name elsewhere.
    #[test]
    fn an_unknown_field_is_found_by_its_name() {
        let body = serde_json::json!({ "order_id": "o", "items": [{ "sku": "a" }, { "sku": "b", "order_id": 1 }] });
        let Value::Object(fields) = body else { unreachable!() };
        let read = |fields: Map<String, Value>| {
            let Some(order) = fields.get("order_id") else { return Some("missing field `order_id`".to_owned()) };
            let items = fields.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
            let stray = items.iter().any(|item| item.get("order_id").is_some());
            (stray && order.is_string()).then(|| "unknown field `order_id`, expected `sku`".to_owned())
        };
        assert_eq!(field_at_fault(&fields, "unknown field `order_id`, expected `sku`", read), "items[1].order_id");
    }

    /// A value that does not fit is found where it is, not at a required field checked before it.
    #[test]
    fn a_value_that_does_not_fit_is_found_by_its_value() {
        let body = serde_json::json!({ "order_id": "o", "items": [{ "sku": "a", "quantity": -1 }] });
        let Value::Object(fields) = body else { unreachable!() };
        let refused = "invalid value: integer `-1`, expected u32";
        let read = |fields: Map<String, Value>| {
            fields.get("order_id")?;
            let bad = fields["items"][0]["quantity"].as_i64().is_some_and(|q| q < 0);
            bad.then(|| refused.to_owned())
        };
        let read = |fields: Map<String, Value>| {
            if !fields.contains_key("order_id") {
                return Some("missing field `order_id`".to_owned());
            }
            read(fields)
        };
        assert_eq!(field_at_fault(&fields, refused, read), "items[0].quantity");
    }

    /// Review of session 24: a field read before the one at fault, holding the same value,
    /// was named (putting null there changed the refusal to that field's own), for a number
    /// and for a name.
    #[test]
    fn the_same_value_in_a_field_of_another_type_is_not_taken_for_it() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)] // Only read, to make serde's errors.
        struct Item {
            quantity: u32,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Filing {
            amount: i64,
            items: Vec<Item>,
        }
        let body = serde_json::json!({ "amount": -1, "items": [{ "quantity": -1 }] });
        let Value::Object(fields) = body else { unreachable!() };
        let read = |fields: Map<String, Value>| {
            serde_json::from_value::<Filing>(Value::Object(fields)).err().map(|e| e.to_string())
        };
        let refused = read(fields.clone()).expect("refused");
        assert_eq!(field_at_fault(&fields, &refused, read), "items[0].quantity");

        #[derive(serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[allow(dead_code)]
        enum Kind {
            RefundOnly,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Request {
            description: String,
            kind: Kind,
        }
        let body = serde_json::json!({ "description": "refund", "kind": "refund" });
        let Value::Object(fields) = body else { unreachable!() };
        let read = |fields: Map<String, Value>| {
            serde_json::from_value::<Request>(Value::Object(fields)).err().map(|e| e.to_string())
        };
        let refused = read(fields.clone()).expect("refused");
        assert_eq!(field_at_fault(&fields, &refused, read), "kind");
    }

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
