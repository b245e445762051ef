//! A table as a format's reader gives it: named columns and rows of cells
//! ([`Table`], [`Cell`]), and how a cell reads as a label or a number. The
//! readers ([`super::csv`], [`super::arrow`], [`super::parquet`]) build one;
//! the pick ([`super::pick`]) reads it. Nothing here knows a selection.

use std::borrow::Cow;

use crate::ingest::IngestError;

/// Which columns a typed format decodes: `wanted(index, name, numeric)`.
pub type Wanted<'a> = &'a dyn Fn(usize, &str, bool) -> bool;

/// One cell as a format stores it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Null.
    Missing,
    /// Text as written; every cell of a text format is one. Read as a
    /// number, empty text and the tokens of [`is_missing_token`] are missing.
    Text(&'a str),
    Int(i64),
    Float(f64),
    /// A value that is neither text nor a number (a list, a struct, bytes),
    /// by the name of its type.
    Other(&'a str),
}

/// A table read from a request body: named columns, rows of cells.
pub trait Table {
    fn columns(&self) -> &[String];
    fn n_rows(&self) -> usize;
    fn cell(&self, row: usize, column: usize) -> Cell<'_>;
    /// How an error names a row, e.g. "line 3" (CSV counts the header).
    fn row_name(&self, row: usize) -> String;

    /// The column's type, for formats that declare one (Parquet, Arrow);
    /// `None` for text formats, whose cells are read one by one.
    fn column_type(&self, _column: usize) -> Option<String> {
        None
    }

    /// Whether the column's declared type holds numbers (an integer, float
    /// or decimal type); `None` for text formats.
    fn numeric_type(&self, _column: usize) -> Option<bool> {
        None
    }

    /// Whether the column's cells were read: a Parquet body decodes only
    /// the columns a request selects, and never nested ones.
    fn is_read(&self, _column: usize) -> bool {
        true
    }

    /// Whether the column holds a number in at least one row: the default
    /// rule for which columns are benchmarks.
    fn holds_numbers(&self, column: usize) -> bool {
        if self.numeric_type(column) == Some(false) {
            return false;
        }
        (0..self.n_rows()).any(|row| match self.cell(row, column) {
            Cell::Int(_) | Cell::Float(_) => true,
            Cell::Text(text) => {
                let text = text.trim();
                !is_missing_token(text) && text.parse::<f64>().is_ok()
            }
            Cell::Missing | Cell::Other(_) => false,
        })
    }

    /// What the table's shape suggests went wrong in reading it, for the
    /// errors that find no column: a CSV whose header line is separated by
    /// another delimiter than the one it was read with.
    fn hint(&self) -> Option<String> {
        None
    }

    /// The column's position, or `unknown_column` naming it. Names are
    /// labels: compared without their leading and trailing white space.
    fn find(&self, name: &str) -> Result<usize, IngestError> {
        let name = name.trim();
        self.columns()
            .iter()
            .position(|c| c.trim() == name)
            .ok_or_else(|| {
                IngestError::UnknownColumn(format!(
                    "there is no column '{name}' in the table{}",
                    self.hint()
                        .map_or(String::new(), |hint| format!("; {hint}"))
                ))
            })
    }
}

/// Text that means "no value" where a number is expected: empty, `null`,
/// `NA`, `N/A`, `NaN` (any case).
pub fn is_missing_token(text: &str) -> bool {
    text.is_empty()
        || ["null", "na", "nan", "n/a"]
            .iter()
            .any(|t| text.eq_ignore_ascii_case(t))
}

/// Text that is no number as this service reads one (a decimal point, an
/// optional exponent), but that a spreadsheet or a locale writes for one:
/// the cells a column of scores holds when it was exported another way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NearNumber {
    /// `0,1`: a decimal comma.
    DecimalComma,
    /// `10%`, `0,5 %`: a number with a percent sign.
    Percent,
    /// `m1;0.5;0.7`: fields joined by `;`, as a `;`-separated file read with
    /// `delimiter=,` gives.
    SemicolonSeparated,
}

impl NearNumber {
    /// What the cells look like, for an error or a note.
    pub fn describe(self) -> &'static str {
        match self {
            NearNumber::DecimalComma => {
                "a number written with a decimal comma; scores are read with a decimal point                  (0.1, not 0,1)"
            }
            NearNumber::Percent => {
                "a percentage; scores are read as plain numbers (10 or 0.1, not 10%)"
            }
            NearNumber::SemicolonSeparated => {
                "several fields separated by ';': the file looks ';'-separated, so send                  delimiter=; (POST /v1/inspect?delimiter=auto finds it)"
            }
        }
    }
}

/// Whether `text` (trimmed, not missing, not a number) is a [`NearNumber`].
pub fn near_number(text: &str) -> Option<NearNumber> {
    let text = text.trim();
    let plain = |t: &str| t.trim().parse::<f64>().is_ok_and(f64::is_finite);
    // One comma between digits, and no point: 0,1 or -12,5e-3.
    let comma = |t: &str| {
        let t = t.trim();
        let bytes = t.as_bytes();
        t.matches(',').count() == 1
            && !t.contains('.')
            && t.find(',').is_some_and(|at| {
                at > 0
                    && bytes[at - 1].is_ascii_digit()
                    && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
            })
            && plain(&t.replace(',', "."))
    };
    if let Some(number) = text.strip_suffix('%')
        && (plain(number) || comma(number))
    {
        return Some(NearNumber::Percent);
    }
    if comma(text) {
        return Some(NearNumber::DecimalComma);
    }
    if text.contains(';') {
        let parts: Vec<&str> = text.split(';').collect();
        if parts.len() >= 2 && parts.iter().any(|p| plain(p) || comma(p)) {
            return Some(NearNumber::SemicolonSeparated);
        }
    }
    None
}

/// A column that holds no number but whose values are [`NearNumber`]s: what
/// they look like (the kind most of them are), how many there are, and the
/// first. Missing cells aside, every cell must be one, and at least one.
pub fn near_numbers(table: &dyn Table, column: usize) -> Option<(NearNumber, usize, &str)> {
    if table.numeric_type(column) == Some(true) {
        return None;
    }
    let mut counts: Vec<(NearNumber, usize)> = Vec::new();
    let mut first: Option<&str> = None;
    for row in 0..table.n_rows() {
        let Cell::Text(text) = table.cell(row, column) else {
            match table.cell(row, column) {
                Cell::Missing => continue,
                _ => return None,
            }
        };
        if is_missing_token(text.trim()) {
            continue;
        }
        let near = near_number(text)?;
        first.get_or_insert(text.trim());
        match counts.iter_mut().find(|(kind, _)| *kind == near) {
            Some((_, n)) => *n += 1,
            None => counts.push((near, 1)),
        }
    }
    let total = counts.iter().map(|(_, n)| n).sum();
    let (kind, _) = counts.into_iter().max_by_key(|&(_, n)| n)?;
    Some((kind, total, first?))
}

/// A cell read as a label: text without its leading and trailing white
/// space (the rule for every label, JSON included: see
/// [`crate::ingest::json::trim_label`]), an integer as its decimal text.
pub(crate) fn label(cell: Cell<'_>) -> Option<Cow<'_, str>> {
    match cell {
        Cell::Text(text) => Some(Cow::Borrowed(text.trim())),
        Cell::Int(value) => Some(Cow::Owned(value.to_string())),
        Cell::Float(value) => Some(Cow::Owned(value.to_string())),
        Cell::Missing | Cell::Other(_) => None,
    }
}

/// The error of a cell that is no number, given where the cell is.
pub(crate) type BadCell = (fn(String) -> IngestError, String);

/// A cell read as a number: `None` when missing; otherwise the error (to
/// be given the cell's place) and what was wrong with the value.
pub(crate) fn number(cell: Cell<'_>) -> Result<Option<f64>, BadCell> {
    let value = match cell {
        Cell::Missing => return Ok(None),
        Cell::Float(value) => value,
        Cell::Int(value) => value as f64,
        Cell::Text(text) => {
            let text = text.trim();
            if is_missing_token(text) {
                return Ok(None);
            }
            match text.parse::<f64>() {
                Ok(value) if value.is_finite() => value,
                Ok(_) => {
                    return Err((
                        IngestError::NonFiniteScore,
                        format!("'{text}' is not a finite number"),
                    ));
                }
                Err(_) => {
                    let hint = near_number(text).map_or(String::new(), |near| {
                        format!(": it looks like {}", near.describe())
                    });
                    return Err((
                        IngestError::InvalidScore,
                        format!("'{text}' is not a number{hint}"),
                    ));
                }
            }
        }
        Cell::Other(type_name) => {
            return Err((
                IngestError::InvalidScore,
                format!("a value of type {type_name} is not a number"),
            ));
        }
    };
    if value.is_finite() {
        Ok(Some(value))
    } else {
        Err((
            IngestError::NonFiniteScore,
            format!("{value} is not a finite number"),
        ))
    }
}

/// A column of a declared non-numeric type (text, dates, lists) cannot be
/// read as scores: `invalid_score` naming it.
pub(super) fn numeric_column(table: &dyn Table, column: usize) -> Result<(), IngestError> {
    if table.numeric_type(column) == Some(false) {
        let name = &table.columns()[column];
        let kind = table.column_type(column).unwrap_or_default();
        return Err(IngestError::InvalidScore(format!(
            "column '{name}' is of type {kind}, not a number type"
        )));
    }
    Ok(())
}
