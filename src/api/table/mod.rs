//! Leaderboards sent as tables (a CSV export today) rather than as a JSON
//! request: the body is read once into a [`Table`] of named columns, then
//! the query's column rules pick the models, the benchmarks, their scores,
//! and the per-model columns an analysis asks for (family, compute, target).
//! Every format goes through the same selection, so a table answers exactly
//! what the equivalent JSON request answers.

pub mod csv;

use std::borrow::Cow;

use super::error::{ApiError, ErrorCode};
use super::options::AnalysisOptions;
use super::request::LeaderboardFields;
use crate::analysis::matrix::ScoreRows;

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

    /// Whether the column holds a number in at least one row: the default
    /// rule for which columns are benchmarks.
    fn holds_numbers(&self, column: usize) -> bool {
        (0..self.n_rows()).any(|row| match self.cell(row, column) {
            Cell::Int(_) | Cell::Float(_) => true,
            Cell::Text(text) => {
                let text = text.trim();
                !is_missing_token(text) && text.parse::<f64>().is_ok()
            }
            Cell::Missing | Cell::Other(_) => false,
        })
    }

    /// The column's position, or `unknown_column` naming it.
    fn find(&self, name: &str) -> Result<usize, ApiError> {
        self.columns()
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::UnknownColumn,
                    format!("there is no column '{name}' in the header"),
                )
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

/// A cell read as a label: text as written, an integer as its decimal text.
fn label(cell: Cell<'_>) -> Option<Cow<'_, str>> {
    match cell {
        Cell::Text(text) => Some(Cow::Borrowed(text)),
        Cell::Int(value) => Some(Cow::Owned(value.to_string())),
        Cell::Float(value) => Some(Cow::Owned(value.to_string())),
        Cell::Missing | Cell::Other(_) => None,
    }
}

/// A cell read as a number: `None` when missing; otherwise the error's code
/// and what was wrong with the value.
fn number(cell: Cell<'_>) -> Result<Option<f64>, (ErrorCode, String)> {
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
                        ErrorCode::NonFiniteScore,
                        format!("'{text}' is not a finite number"),
                    ));
                }
                Err(_) => {
                    return Err((ErrorCode::InvalidScore, format!("'{text}' is not a number")));
                }
            }
        }
        Cell::Other(type_name) => {
            return Err((
                ErrorCode::InvalidScore,
                format!("a value of type {type_name} is not a number"),
            ));
        }
    };
    if value.is_finite() {
        Ok(Some(value))
    } else {
        Err((
            ErrorCode::NonFiniteScore,
            format!("{value} is not a finite number"),
        ))
    }
}

/// How the query picks the leaderboard out of a table.
#[derive(Debug, Clone, Default)]
pub struct Selection<'q> {
    /// The column of model names; default the first column.
    pub model_column: Option<&'q str>,
    /// Benchmarks: every column whose name starts with this, in table order.
    pub benchmark_prefix: Option<&'q str>,
    /// Benchmarks by name, in this order.
    pub benchmarks: Option<Vec<String>>,
    /// Columns an analysis reads per model (family, compute, targets): never
    /// benchmarks, also under the default "every numeric column" rule.
    pub reserved: Vec<String>,
}

/// The leaderboard picked out of a table, and where each model came from.
#[derive(Debug)]
pub struct Picked {
    pub models: Vec<String>,
    pub benchmarks: Vec<String>,
    pub scores: ScoreRows,
    /// The table row of each model.
    rows: Vec<usize>,
}

/// Picks models, benchmarks and scores as `selection` says.
pub fn pick(table: &dyn Table, selection: &Selection<'_>) -> Result<Picked, ApiError> {
    let model_column = match selection.model_column {
        Some(name) => table.find(name)?,
        None => 0,
    };
    let reserved: Vec<usize> = selection
        .reserved
        .iter()
        .map(|name| table.find(name))
        .collect::<Result<_, _>>()?;
    let candidate = |c: &usize| *c != model_column && !reserved.contains(c);
    let columns = table.columns();
    let score_columns: Vec<usize> = if let Some(prefix) = selection.benchmark_prefix {
        let picked: Vec<usize> = (0..columns.len())
            .filter(candidate)
            .filter(|&c| columns[c].starts_with(prefix))
            .collect();
        if picked.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NoMatchingColumns,
                format!("no column header starts with '{prefix}'"),
            ));
        }
        picked
    } else if let Some(names) = &selection.benchmarks {
        let picked: Vec<usize> = names
            .iter()
            .map(|name| table.find(name))
            .collect::<Result<_, _>>()?;
        if let Some(&c) = picked.iter().find(|&&c| !candidate(&c)) {
            return Err(ApiError::new(
                ErrorCode::InvalidQuery,
                format!(
                    "column '{}' is named as a benchmark and as the model column or a per-model \
                     column (family, compute or target)",
                    columns[c]
                ),
            ));
        }
        picked
    } else {
        let picked: Vec<usize> = (0..columns.len())
            .filter(candidate)
            .filter(|&c| table.holds_numbers(c))
            .collect();
        if picked.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NoMatchingColumns,
                "no column other than the model column holds a number",
            ));
        }
        picked
    };

    let n = table.n_rows();
    let mut scores = ScoreRows {
        values: Vec::with_capacity(n * score_columns.len()),
        row_lengths: Vec::with_capacity(n),
    };
    let mut models = Vec::with_capacity(n);
    for row in 0..n {
        // A model label is taken as written; an empty one is refused later,
        // with the other label rules.
        let model = label(table.cell(row, model_column)).map_or_else(String::new, Cow::into_owned);
        for &c in &score_columns {
            let value = number(table.cell(row, c)).map_err(|(code, what)| {
                ApiError::new(
                    code,
                    format!(
                        "{}, column '{}' (model '{model}'): {what}",
                        table.row_name(row),
                        columns[c]
                    ),
                )
            })?;
            scores.values.push(value.unwrap_or(f64::NAN));
        }
        scores.row_lengths.push(score_columns.len());
        models.push(model);
    }
    Ok(Picked {
        models,
        benchmarks: score_columns.iter().map(|&c| columns[c].clone()).collect(),
        scores,
        rows: (0..n).collect(),
    })
}

impl Picked {
    /// The leaderboard, as a request's fields with `options`.
    pub fn into_fields(self, options: AnalysisOptions) -> LeaderboardFields {
        LeaderboardFields {
            models: self.models,
            benchmarks: self.benchmarks,
            scores: self.scores,
            options,
        }
    }

    /// Each model's label in `column` (e.g. its family); `None` where the
    /// cell is missing or empty.
    pub fn labels(&self, table: &dyn Table, column: &str) -> Result<Vec<Option<String>>, ApiError> {
        let c = table.find(column)?;
        Ok(self
            .rows
            .iter()
            .map(|&row| {
                label(table.cell(row, c))
                    .map(|text| text.trim().to_owned())
                    .filter(|text| !text.is_empty())
            })
            .collect())
    }

    /// Each model's number in `column` (e.g. its compute); `None` where missing.
    pub fn numbers(&self, table: &dyn Table, column: &str) -> Result<Vec<Option<f64>>, ApiError> {
        let c = table.find(column)?;
        self.rows
            .iter()
            .zip(&self.models)
            .map(|(&row, model)| {
                number(table.cell(row, c)).map_err(|(code, what)| {
                    ApiError::new(
                        code,
                        format!(
                            "{}, column '{column}' (model '{model}'): {what}",
                            table.row_name(row)
                        ),
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table given as text rows, "" for a missing cell.
    struct Rows {
        columns: Vec<String>,
        rows: Vec<Vec<&'static str>>,
    }

    impl Table for Rows {
        fn columns(&self) -> &[String] {
            &self.columns
        }
        fn n_rows(&self) -> usize {
            self.rows.len()
        }
        fn cell(&self, row: usize, column: usize) -> Cell<'_> {
            match self.rows[row][column] {
                "" => Cell::Missing,
                text => Cell::Text(text),
            }
        }
        fn row_name(&self, row: usize) -> String {
            format!("row {row}")
        }
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn table() -> Rows {
        Rows {
            columns: ["Model", "Family", "FLOPs", "MMLU", "GSM8K", "Target"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: vec![
                vec!["a", "x", "1.5", "0.5", "0.1", "0.2"],
                vec!["b", "", "", "0.6", "", "0.3"],
            ],
        }
    }

    #[test]
    fn reserved_columns_are_never_benchmarks() {
        let t = table();
        let all = pick(&t, &Selection::default()).unwrap();
        assert_eq!(all.benchmarks, ["FLOPs", "MMLU", "GSM8K", "Target"]);
        let selection = Selection {
            reserved: strings(&["FLOPs", "Target"]),
            ..Default::default()
        };
        let picked = pick(&t, &selection).unwrap();
        assert_eq!(picked.benchmarks, ["MMLU", "GSM8K"]);
        assert!(picked.scores.values[3].is_nan());
        assert_eq!(
            picked.labels(&t, "Family").unwrap(),
            [Some("x".into()), None]
        );
        assert_eq!(picked.numbers(&t, "FLOPs").unwrap(), [Some(1.5), None]);
        let named = Selection {
            benchmarks: Some(strings(&["MMLU", "Target"])),
            reserved: strings(&["Target"]),
            ..Default::default()
        };
        assert_eq!(pick(&t, &named).unwrap_err().code, ErrorCode::InvalidQuery);
        let unknown = Selection {
            reserved: strings(&["Params"]),
            ..Default::default()
        };
        assert_eq!(
            pick(&t, &unknown).unwrap_err().code,
            ErrorCode::UnknownColumn
        );
    }

    #[test]
    fn bad_per_model_values_name_row_column_and_model() {
        let t = table();
        let picked = pick(&t, &Selection::default()).unwrap();
        let err = picked.numbers(&t, "Family").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidScore);
        assert!(
            err.detail.contains("row 0, column 'Family' (model 'a')"),
            "{}",
            err.detail
        );
    }
}
