//! What a table body holds, before it is analysed: its row count, the
//! layout it looks like, and per column its type, whether it is numeric,
//! how many cells are missing and a few distinct values. A table is read
//! exactly as [`super::read`] reads it.

use std::collections::HashSet;

use super::table::csv::sniff_delimiter;
use super::table::guard::check_read_cells;
use super::table::{
    Cell, LONG_MODEL_COLUMN, Layout, NearNumber, Table, is_missing_token, near_numbers, number,
};
use super::{Format, IngestError, ReadLimits, read_table};

/// How a CSV body's fields are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// This byte.
    Byte(u8),
    /// Whichever of `,`, `;` and a tab the header line holds most of
    /// outside quotes (a comma on a tie).
    Sniffed,
}

/// What to describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InspectSpec {
    pub delimiter: Delimiter,
    /// The layout to report instead of the guessed one.
    pub layout: Option<Layout>,
    /// Distinct values to list per column.
    pub max_examples: usize,
}

/// A distinct value of a column, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Example {
    Int(i64),
    Float(f64),
    /// Trimmed.
    Text(String),
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// A typed format's column type (its Arrow type); for CSV `number`,
    /// `text` or `empty`.
    pub column_type: String,
    /// Numbers only (a number type), and at least one.
    pub numeric: bool,
    /// Missing cells; `None` for a nested column, which is never read.
    pub missing: Option<usize>,
    /// Distinct values (missing cells aside, text trimmed); `None` for a
    /// nested column.
    pub distinct: Option<usize>,
    /// The first distinct values, in order of first appearance.
    pub examples: Vec<Example>,
    /// What a column of no numbers looks like, when its values are numbers
    /// written another way.
    pub looks_like: Option<NearNumber>,
}

/// What a table body holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// Data rows (a CSV's header not counted).
    pub rows: usize,
    /// As guessed, or as the spec gave it.
    pub layout: Layout,
    pub columns: Vec<Column>,
    /// A CSV body's delimiter, as given or as sniffed; `None` for a typed
    /// format.
    pub delimiter: Option<u8>,
}

/// Reads a table body as the analyses would (every column), and describes it.
pub fn inspect(
    format: Format,
    body: &[u8],
    spec: &InspectSpec,
    limits: &ReadLimits,
) -> Result<Description, IngestError> {
    let delimiter = match (format, spec.delimiter) {
        (Format::Csv, Delimiter::Byte(byte)) => Some(byte),
        (Format::Csv, Delimiter::Sniffed) => Some(sniff_delimiter(body).as_bytes()[0]),
        _ => None,
    };
    let table = read_table(format, body, delimiter.unwrap_or(b','), None, limits)?;
    let read = (0..table.columns().len())
        .filter(|&c| table.is_read(c))
        .count();
    check_read_cells(table.n_rows(), read, limits.max_cells)?;
    let columns: Vec<Column> = (0..table.columns().len())
        .map(|c| describe(table.as_ref(), c, spec.max_examples))
        .collect();
    let layout = spec
        .layout
        .unwrap_or_else(|| guess(table.as_ref(), &columns));
    Ok(Description {
        rows: table.n_rows(),
        layout,
        columns,
        delimiter,
    })
}

fn describe(table: &dyn Table, c: usize, max_examples: usize) -> Column {
    let name = table.columns()[c].clone();
    if !table.is_read(c) {
        return Column {
            name,
            column_type: table.column_type(c).unwrap_or_default(),
            numeric: false,
            missing: None,
            distinct: None,
            examples: vec![],
            looks_like: None,
        };
    }
    let cells = || (0..table.n_rows()).map(move |row| table.cell(row, c));
    let blank = |cell: &Cell<'_>| match cell {
        Cell::Missing => true,
        Cell::Text(text) => text.trim().is_empty(),
        _ => false,
    };
    // Numbers only, and at least one: text columns read cell by cell, typed
    // ones by their type.
    let numeric = match table.numeric_type(c) {
        Some(numeric) => numeric && cells().any(|cell| !blank(&cell)),
        None => {
            let mut any = false;
            let all = cells().all(|cell| match number(cell) {
                Ok(Some(_)) => {
                    any = true;
                    true
                }
                Ok(None) => true,
                Err(_) => false,
            });
            all && any
        }
    };
    let missing = cells()
        .filter(|cell| {
            blank(cell) || (numeric && matches!(cell, Cell::Text(t) if is_missing_token(t.trim())))
        })
        .count();
    // Distinct values by key: numbers by value (so 1, 1.0 and 1e0 in a CSV
    // are one), text trimmed.
    let mut seen: HashSet<Distinct<'_>> = HashSet::new();
    let mut examples: Vec<Example> = Vec::new();
    for cell in cells() {
        let (key, value) = match cell {
            _ if blank(&cell) => continue,
            Cell::Int(value) => (Distinct::Int(value), Example::Int(value)),
            Cell::Float(value) => (Distinct::number(value), Example::Float(value)),
            Cell::Text(_) if numeric => match number(cell) {
                Ok(Some(value)) => (Distinct::number(value), Example::Float(value)),
                _ => continue,
            },
            Cell::Text(text) => (
                Distinct::Text(text.trim()),
                Example::Text(text.trim().to_owned()),
            ),
            Cell::Missing | Cell::Other(_) => continue,
        };
        if seen.insert(key) && examples.len() < max_examples {
            examples.push(value);
        }
    }
    let column_type = table.column_type(c).unwrap_or_else(|| {
        if numeric {
            "number"
        } else if missing == table.n_rows() {
            "empty"
        } else {
            "text"
        }
        .to_owned()
    });
    Column {
        name,
        column_type,
        numeric,
        missing: Some(missing),
        distinct: Some(seen.len()),
        examples,
        looks_like: if numeric {
            None
        } else {
            near_numbers(table, c).map(|(kind, _, _)| kind)
        },
    }
}

/// A cell's value for counting distinct values.
#[derive(PartialEq, Eq, Hash)]
enum Distinct<'a> {
    Int(i64),
    /// The bits of a float, with -0 read as 0 (NaN is a missing cell).
    Float(u64),
    Text(&'a str),
}

impl Distinct<'_> {
    fn number(value: f64) -> Self {
        Distinct::Float((value + 0.0).to_bits())
    }
}

/// The layout a table looks like: `long` when the columns `model`,
/// `benchmark` and `score` exist, or when the first column is text that
/// repeats a value, another column is text and one is numeric; `wide`
/// otherwise.
fn guess(table: &dyn Table, columns: &[Column]) -> Layout {
    let named = |name: &str| columns.iter().any(|c| c.name == name);
    if named(LONG_MODEL_COLUMN) && named("benchmark") && named("score") {
        return Layout::Long;
    }
    // Text: read, not numeric, and holding a value (whatever `max_examples`).
    let text = |c: &Column| !c.numeric && c.distinct.is_some_and(|n| n > 0);
    if !columns.first().is_some_and(text) {
        return Layout::Wide;
    }
    let mut seen = std::collections::HashSet::new();
    let repeats = (0..table.n_rows()).any(|row| match table.cell(row, 0) {
        Cell::Text(text) if !text.trim().is_empty() => !seen.insert(text),
        _ => false,
    });
    if repeats && columns[1..].iter().any(text) && columns.iter().any(|c| c.numeric) {
        Layout::Long
    } else {
        Layout::Wide
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::table::csv::sniff_delimiter;

    #[test]
    fn the_header_line_names_the_delimiter() {
        assert_eq!(sniff_delimiter(b"model,a,b\nx;y;z;w\n"), ",");
        assert_eq!(sniff_delimiter(b"\xEF\xBB\xBFmodel;a;b\n1,5;2\n"), ";");
        assert_eq!(sniff_delimiter(b"model\ta\tb\r\n"), "\t");
        assert_eq!(
            sniff_delimiter(b"\"a,b,c\";d\n"),
            ";",
            "quoted commas do not count"
        );
        assert_eq!(sniff_delimiter(b"model\n"), ",", "none: a comma");
        assert_eq!(sniff_delimiter(b"a,b;c\n"), ",", "a tie: a comma");
    }
}
