//! `redress import orders FILE`: orders from a merchant's own system, in CSV or JSON Lines. Each
//! order is checked as `POST /api/v1/orders` checks one; good ones are imported even when others
//! are refused, in transactions of `MAX_BATCH`; a re-run imports nothing twice (the natural key
//! is shop + number). Refused orders are reported by line and field on standard output, then a
//! summary; progress goes to standard error.

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use redress_app::App;
use redress_app::orders::{Imported, MAX_BATCH, NewOrder, OrderRefusal};
use serde_json::{Map, Value};
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum Import {
    /// Import orders (idempotent: an order whose shop already has its number is not imported
    /// again). Exit 0 when every order is imported or already present, 2 when any was refused.
    Orders {
        /// A .csv file (one line item per row) or a .jsonl file (one order per line).
        file: PathBuf,
        /// The file's format, when its extension does not say.
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

/// The exit code of an import whose file was read but some orders were refused.
pub const SOME_REFUSED: i32 = 2;

/// One order as read from the file: where it starts, the line of each of its items, and the
/// order or why it could not be read.
struct Record {
    lines: Vec<u64>,
    /// Read from CSV: a field at fault is named as its column.
    csv: bool,
    order: Result<NewOrder, Refused>,
}

/// A refusal found while reading, on a line that may not be the order's first.
struct Refused {
    line: Option<u64>,
    refusal: OrderRefusal,
}

impl From<OrderRefusal> for Refused {
    fn from(refusal: OrderRefusal) -> Refused {
        Refused { line: None, refusal }
    }
}

#[derive(Default)]
struct Tally {
    imported: u64,
    present: u64,
    refused: u64,
}

pub async fn run(app: &App, what: Import) -> anyhow::Result<i32> {
    let Import::Orders { file, format } = what;
    let format = match format {
        Some(format) => format,
        None => match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Format::Csv,
            Some("jsonl" | "ndjson") => Format::Jsonl,
            _ => anyhow::bail!("{}: say --format csv or --format jsonl", file.display()),
        },
    };
    let size = std::fs::metadata(&file).with_context(|| format!("read {}", file.display()))?.len();
    let progress = Progress::new(size);
    let mut tally = Tally::default();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    match format {
        Format::Jsonl => {
            let reader = std::io::BufReader::new(open(&file)?);
            let mut read = 0;
            for (index, line) in reader.lines().enumerate() {
                let line = line.with_context(|| format!("read {}", file.display()))?;
                read += line.len() as u64 + 1;
                if line.trim().is_empty() {
                    continue;
                }
                batch.push(json_line(index as u64 + 1, &line));
                if batch.len() == MAX_BATCH {
                    send(app, &mut batch, &mut tally, &progress, read).await?;
                }
            }
        }
        Format::Csv => {
            let mut csv = CsvOrders::open(&file)?;
            while let Some(record) = csv.next_order() {
                batch.push(record);
                if batch.len() == MAX_BATCH {
                    send(app, &mut batch, &mut tally, &progress, csv.position()).await?;
                }
            }
        }
    }
    send(app, &mut batch, &mut tally, &progress, size).await?;
    progress.finish();
    println!(
        "{}: {} imported, {} already present, {} refused",
        file.display(),
        tally.imported,
        tally.present,
        tally.refused
    );
    Ok(if tally.refused == 0 { 0 } else { SOME_REFUSED })
}

fn open(file: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::File::open(file).with_context(|| format!("open {}", file.display()))
}

async fn send(
    app: &App,
    batch: &mut Vec<Record>,
    tally: &mut Tally,
    progress: &Progress,
    read: u64,
) -> anyhow::Result<()> {
    import(app, std::mem::take(batch), tally).await?;
    progress.advance(read, tally);
    Ok(())
}

/// Imports one batch (one transaction) and reports each refused order by line and field.
async fn import(app: &App, batch: Vec<Record>, tally: &mut Tally) -> anyhow::Result<()> {
    let mut places = Vec::with_capacity(batch.len());
    let mut orders = Vec::with_capacity(batch.len());
    for record in batch {
        match record.order {
            Ok(order) => {
                places.push((record.lines, record.csv, None));
                orders.push(Ok(order));
            }
            Err(Refused { line, refusal }) => {
                places.push((record.lines, record.csv, line));
                orders.push(Err(refusal));
            }
        }
    }
    let outcomes = app.import_orders(None, orders).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for ((lines, csv, line), outcome) in places.into_iter().zip(outcomes) {
        match outcome {
            Imported::Created(_) => tally.imported += 1,
            Imported::AlreadyPresent(_) => tally.present += 1,
            Imported::Refused(refusal) => {
                tally.refused += 1;
                println!("{}", report(&lines, csv, line, &refusal));
            }
        }
    }
    Ok(())
}

/// `line 7, field items[0].quantity: reason` (JSON Lines) or `line 8, column quantity: reason`
/// (CSV, where each item is a row). The line is that of the item at fault when the field names
/// one, else the order's first.
fn report(lines: &[u64], csv: bool, line: Option<u64>, refusal: &OrderRefusal) -> String {
    let item = refusal.field.as_deref().and_then(|f| {
        let (index, rest) = f.strip_prefix("items[")?.split_once(']')?;
        Some((index.parse::<usize>().ok()?, rest.trim_start_matches('.')))
    });
    let item_line = item.and_then(|(index, _)| lines.get(index).copied());
    let line = line.or(item_line).or(lines.first().copied()).unwrap_or(0);
    // The operator's report is in English, from the catalogue like every other word.
    let detail = match refusal.error.detail() {
        Some(detail) => redress_text::told(redress_text::Lang::En, &detail),
        None => refusal.error.to_string(),
    };
    let Some(field) = &refusal.field else { return format!("line {line}: {detail}") };
    let reason = detail.strip_prefix(&format!("{field}: ")).unwrap_or(&detail);
    match item {
        Some((_, "")) if csv => format!("line {line}: {reason}"),
        Some((_, column)) if csv => format!("line {line}, column {column}: {reason}"),
        _ if csv => format!("line {line}, column {field}: {reason}"),
        _ => format!("line {line}, field {field}: {reason}"),
    }
}

fn json_line(line: u64, text: &str) -> Record {
    let order = serde_json::from_str::<Value>(text)
        .map_err(|_| OrderRefusal::from(redress_app::AppError::Invalid(redress_domain::Detail::NotJsonObject)))
        .and_then(NewOrder::from_json)
        .map_err(Refused::from);
    Record { lines: vec![line], csv: false, order }
}

/// Columns of an order, taken from the first row of its items.
const ORDER_COLUMNS: &[&str] = &[
    "number",
    "merchant_id",
    "buyer_id",
    "channel",
    "amount_paid",
    "freight",
    "payment_transaction_id",
    "paid_at",
    "shipped_at",
    "signed_at",
];
/// Columns of a line item, one per row.
const ITEM_COLUMNS: &[&str] = &["sku", "title", "quantity", "unit_price"];
/// Columns read as integers (fen, quantities).
const NUMBER_COLUMNS: &[&str] = &["amount_paid", "freight", "quantity", "unit_price"];
const REQUIRED_COLUMNS: &[&str] =
    &["number", "merchant_id", "buyer_id", "channel", "amount_paid", "sku", "title", "quantity", "unit_price"];

/// A CSV file read an order at a time: consecutive rows with the same shop and number are the
/// line items of one order.
struct CsvOrders {
    reader: csv::Reader<std::fs::File>,
    headers: Vec<String>,
    /// A row read ahead: the first of the next order, or one that is not CSV.
    pending: Option<Result<(u64, csv::StringRecord), Record>>,
}

impl CsvOrders {
    fn open(file: &Path) -> anyhow::Result<CsvOrders> {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(open(file)?);
        let headers: Vec<String> = reader
            .headers()
            .with_context(|| format!("{}: read the header row", file.display()))?
            .iter()
            .map(str::to_owned)
            .collect();
        if let Some(unknown) =
            headers.iter().find(|h| !ORDER_COLUMNS.contains(&h.as_str()) && !ITEM_COLUMNS.contains(&h.as_str()))
        {
            anyhow::bail!("{}: unknown column `{unknown}` (columns: {})", file.display(), all_columns());
        }
        if let Some(missing) = REQUIRED_COLUMNS.iter().find(|c| !headers.iter().any(|h| h == *c)) {
            anyhow::bail!(
                "{}: the header row lacks the column `{missing}` (columns: {})",
                file.display(),
                all_columns()
            );
        }
        Ok(CsvOrders { reader, headers, pending: None })
    }

    fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        let index = self.headers.iter().position(|h| h == column)?;
        row.get(index).filter(|v| !v.is_empty())
    }

    /// The next row, or a record refusing a row that is not CSV (a wrong number of fields).
    fn next_row(&mut self) -> Option<Result<(u64, csv::StringRecord), Record>> {
        if let Some(pending) = self.pending.take() {
            return Some(pending);
        }
        let mut row = csv::StringRecord::new();
        match self.reader.read_record(&mut row) {
            Ok(false) => None,
            Ok(true) => Some(Ok((row.position().map_or(0, |p| p.line()), row))),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let refusal = OrderRefusal::from(redress_app::AppError::Invalid(redress_domain::Detail::NotCsvRow));
                Some(Err(Record { lines: vec![line], csv: true, order: Err(refusal.into()) }))
            }
        }
    }

    fn next_order(&mut self) -> Option<Record> {
        let (first_line, first) = match self.next_row()? {
            Ok(row) => row,
            Err(unreadable) => return Some(unreadable),
        };
        let key = |csv: &CsvOrders, row: &csv::StringRecord| {
            (csv.get(row, "merchant_id").map(str::to_owned), csv.get(row, "number").map(str::to_owned))
        };
        let first_key = key(self, &first);
        let mut rows = vec![(first_line, first)];
        loop {
            match self.next_row() {
                Some(Ok((line, row))) if key(self, &row) == first_key => rows.push((line, row)),
                next => {
                    self.pending = next;
                    break;
                }
            }
        }
        Some(self.order(rows))
    }

    /// An order of the JSON shape the API takes, from its rows; the order's columns are read
    /// from its first row, and its other rows must leave them empty or say the same.
    fn order(&self, rows: Vec<(u64, csv::StringRecord)>) -> Record {
        let lines: Vec<u64> = rows.iter().map(|(line, _)| *line).collect();
        let (first_line, first) = &rows[0];
        for (line, row) in &rows[1..] {
            for &column in ORDER_COLUMNS {
                if self.get(row, column).is_some_and(|v| Some(v) != self.get(first, column)) {
                    let why = redress_domain::Detail::DiffersFromFirstRow { line: *first_line };
                    let refused = Refused { line: Some(*line), refusal: OrderRefusal::invalid(column, why) };
                    return Record { lines, csv: true, order: Err(refused) };
                }
            }
        }
        let value = |row: &csv::StringRecord, column: &str| {
            self.get(row, column).map(|v| match v.parse::<i64>() {
                Ok(n) if NUMBER_COLUMNS.contains(&column) => Value::from(n),
                // A number that is not an integer stays text, for the check to name.
                _ => Value::from(v),
            })
        };
        let fields = |row: &csv::StringRecord, columns: &[&str]| -> Map<String, Value> {
            columns.iter().filter_map(|&c| Some((c.to_owned(), value(row, c)?))).collect()
        };
        let mut order = fields(first, ORDER_COLUMNS);
        let items = rows.iter().map(|(_, row)| Value::Object(fields(row, ITEM_COLUMNS))).collect();
        order.insert("items".into(), Value::Array(items));
        Record { lines, csv: true, order: NewOrder::from_json(Value::Object(order)).map_err(Refused::from) }
    }
}

/// Progress on standard error: a bar on a terminal, else a plain line at every tenth.
struct Progress {
    bar: ProgressBar,
    plain: bool,
    total: u64,
    tenths_said: std::cell::Cell<u64>,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let plain = !std::io::stderr().is_terminal();
        let bar = if plain {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
        } else {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template("{elapsed_precise} [{wide_bar}] {percent:>3}% {msg}")
                .expect("a valid template")
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        };
        Progress { bar, plain, total: total.max(1), tenths_said: Default::default() }
    }

    fn advance(&self, read: u64, tally: &Tally) {
        let said = format!("{} imported, {} already present, {} refused", tally.imported, tally.present, tally.refused);
        self.bar.set_position(read);
        self.bar.set_message(said.clone());
        let tenths = read.min(self.total) * 10 / self.total;
        if self.plain && tenths > self.tenths_said.get() {
            self.tenths_said.set(tenths);
            eprintln!("import: {}% read; {said}", tenths * 10);
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn all_columns() -> String {
    ORDER_COLUMNS.iter().chain(ITEM_COLUMNS).copied().collect::<Vec<_>>().join(", ")
}
