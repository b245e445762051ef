//! Leaderboards sent as tables (CSV, Parquet, an Arrow IPC stream) rather
//! than as a JSON request: the body is read once into a [`Table`] of named
//! columns, then the query's column rules pick the models, the benchmarks,
//! their scores, and the per-model columns an analysis asks for (family,
//! compute, target). A table is wide (a row per model, a column per
//! benchmark) or long (a row per model, benchmark and score; [`long`]).
//! Every format and layout goes through the same selection, so a table
//! answers exactly what the equivalent JSON request answers.

pub mod arrow;
pub mod csv;
pub mod guard;
mod long;
pub mod parquet;

use std::borrow::Cow;

use super::{IngestError, PerModel, PerModelColumns, TargetValues};
use crate::analysis::matrix::ScoreRows;

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
fn numeric_column(table: &dyn Table, column: usize) -> Result<(), IngestError> {
    if table.numeric_type(column) == Some(false) {
        let name = &table.columns()[column];
        let kind = table.column_type(column).unwrap_or_default();
        return Err(IngestError::InvalidScore(format!(
            "column '{name}' is of type {kind}, not a number type"
        )));
    }
    Ok(())
}

/// How a table lays out its leaderboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// A row per model, a column per benchmark.
    #[default]
    Wide,
    /// A row per (model, benchmark, score), as evaluation harnesses write results.
    Long,
}

/// What a long table does with a (model, benchmark) pair that has two scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Duplicates {
    /// 422 `duplicate_score` naming the pair.
    #[default]
    Reject,
    /// Their mean.
    Mean,
    /// The one in the last row.
    Last,
}

/// The columns of a long table.
#[derive(Debug, Clone, Copy)]
pub struct LongColumns<'q> {
    pub benchmark_column: &'q str,
    pub score_column: &'q str,
    pub duplicates: Duplicates,
}

/// The model column of a long table when the query names none.
pub const LONG_MODEL_COLUMN: &str = "model";

/// How the query picks the leaderboard out of a table.
#[derive(Debug, Clone)]
pub struct Selection<'q> {
    /// The column of model names; default the first column (wide) or
    /// `model` (long).
    pub model_column: Option<&'q str>,
    /// Benchmarks: every column (wide) or benchmark value (long) that starts
    /// with this, in table order.
    pub benchmark_prefix: Option<&'q str>,
    /// Benchmarks by name, in this order.
    pub benchmarks: Option<Vec<String>>,
    /// Columns an analysis reads per model (family, compute, targets): never
    /// benchmarks, also under the default "every numeric column" rule. In a
    /// long table a name that is no column is a benchmark value (a target
    /// evaluated as a benchmark), read per model and left out of the
    /// benchmarks.
    pub reserved: Vec<String>,
    /// `Some` for a long table.
    pub long: Option<LongColumns<'q>>,
    /// The most score cells a leaderboard may have (MAX_CELLS): a long table
    /// is refused before its pivot is allocated.
    pub max_cells: usize,
}

impl Default for Selection<'_> {
    fn default() -> Self {
        Self {
            model_column: None,
            benchmark_prefix: None,
            benchmarks: None,
            reserved: Vec::new(),
            long: None,
            max_cells: usize::MAX,
        }
    }
}

impl Selection<'_> {
    /// Whether the column at `index`, named `name`, of a number type or not,
    /// can be part of the answer: the columns a typed format decodes.
    pub fn wants(&self, index: usize, name: &str, numeric: bool) -> bool {
        // Column names are labels, compared trimmed (as `Table::find` does).
        let name = name.trim();
        if self.reserved.iter().any(|r| r.trim() == name) {
            return true;
        }
        match &self.long {
            Some(long) => {
                name == self.model_column.unwrap_or(LONG_MODEL_COLUMN).trim()
                    || name == long.benchmark_column.trim()
                    || name == long.score_column.trim()
            }
            None => {
                let model = match self.model_column {
                    Some(column) => name == column.trim(),
                    None => index == 0,
                };
                model
                    || match (&self.benchmarks, self.benchmark_prefix) {
                        (Some(names), _) => names.iter().any(|n| n.trim() == name),
                        (None, Some(prefix)) => name.starts_with(prefix),
                        (None, None) => numeric,
                    }
            }
        }
    }
}

/// The leaderboard picked out of a table, and where each model came from.
#[derive(Debug)]
pub struct Picked {
    pub models: Vec<String>,
    pub benchmarks: Vec<String>,
    pub scores: ScoreRows,
    /// Models of a long table left with no row once the benchmarks were
    /// filtered, in order of first appearance.
    pub dropped: Vec<String>,
    /// Every table row of each model (one in a wide table), in table order:
    /// per-model lookups must agree across them.
    rows: Vec<Vec<usize>>,
    /// A long table's benchmark and score columns and duplicate rule, for
    /// per-model values that are benchmark values.
    long: Option<long::Pivot>,
}

/// Picks models, benchmarks and scores as `selection` says.
pub fn pick(table: &dyn Table, selection: &Selection<'_>) -> Result<Picked, IngestError> {
    match &selection.long {
        Some(columns) => long::pick(table, selection, columns),
        None => pick_wide(table, selection),
    }
}

fn pick_wide(table: &dyn Table, selection: &Selection<'_>) -> Result<Picked, IngestError> {
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
            .filter(|&c| columns[c].trim_start().starts_with(prefix))
            .collect();
        if picked.is_empty() {
            return Err(IngestError::NoMatchingColumns(format!(
                "no column header starts with '{prefix}'"
            )));
        }
        picked
    } else if let Some(names) = &selection.benchmarks {
        let picked: Vec<usize> = names
            .iter()
            .map(|name| table.find(name))
            .collect::<Result<_, _>>()?;
        if let Some(&c) = picked.iter().find(|&&c| !candidate(&c)) {
            return Err(IngestError::InvalidSelection(format!(
                "column '{}' is named as a benchmark and as the model column or a per-model \
                     column (family, compute or target)",
                columns[c]
            )));
        }
        picked
    } else {
        let picked: Vec<usize> = (0..columns.len())
            .filter(candidate)
            .filter(|&c| table.holds_numbers(c))
            .collect();
        // A column of numbers written another way (decimal commas, percent
        // signs) is a benchmark this service cannot read: leaving it out
        // would drop the benchmark without a word.
        let near = (0..columns.len())
            .filter(candidate)
            .filter(|&c| !picked.contains(&c))
            .find_map(|c| near_numbers(table, c).map(|near| (c, near)));
        if let Some((c, (kind, count, first))) = near
            && kind != NearNumber::SemicolonSeparated
        {
            return Err(IngestError::InvalidScore(format!(
                "column '{}' holds no number, but its {count} values look like numbers                      written another way: '{first}' looks like {}. Fix them, or pick the                      benchmarks with benchmarks= or benchmark_prefix=",
                columns[c],
                kind.describe()
            )));
        }
        if picked.is_empty() {
            let hint = table.hint().or_else(|| {
                (0..columns.len())
                    .find_map(|c| near_numbers(table, c))
                    .map(|(kind, _, first)| format!("'{first}' looks like {}", kind.describe()))
            });
            return Err(IngestError::NoMatchingColumns(format!(
                "no column other than the model column holds a number{}",
                hint.map_or(String::new(), |hint| format!("; {hint}"))
            )));
        }
        picked
    };
    for &c in &score_columns {
        numeric_column(table, c)?;
    }

    let n = table.n_rows();
    let mut scores = ScoreRows {
        values: Vec::with_capacity(n * score_columns.len()),
        row_lengths: Vec::with_capacity(n),
    };
    let mut models = Vec::with_capacity(n);
    for row in 0..n {
        // A model label is trimmed; an empty one is refused later, with the
        // other label rules.
        let model = label(table.cell(row, model_column)).map_or_else(String::new, Cow::into_owned);
        for &c in &score_columns {
            let value = number(table.cell(row, c)).map_err(|(error, what)| {
                error(format!(
                    "{}, column '{}' (model '{model}'): {what}",
                    table.row_name(row),
                    columns[c]
                ))
            })?;
            scores.values.push(value.unwrap_or(f64::NAN));
        }
        scores.row_lengths.push(score_columns.len());
        models.push(model);
    }
    Ok(Picked {
        models,
        benchmarks: score_columns
            .iter()
            .map(|&c| columns[c].trim().to_owned())
            .collect(),
        scores,
        dropped: Vec::new(),
        rows: (0..n).map(|row| vec![row]).collect(),
        long: None,
    })
}

impl Picked {
    /// The rows of a table of per-model columns (an lm-eval upload's
    /// `models` part) that belong to each of `models`, matched by the label
    /// in `model_column` (default the first column): a model with no row has
    /// no value in any column, and a model's several rows must agree, as a
    /// long table's do. The scores are none: the models come from elsewhere.
    pub fn keyed(
        table: &dyn Table,
        model_column: Option<&str>,
        models: &[String],
    ) -> Result<Picked, IngestError> {
        let column = match model_column {
            Some(name) => table.find(name)?,
            None => 0,
        };
        let index: std::collections::HashMap<&str, usize> = models
            .iter()
            .enumerate()
            .map(|(i, model)| (model.as_str(), i))
            .collect();
        let mut rows = vec![Vec::new(); models.len()];
        for row in 0..table.n_rows() {
            if let Some(&i) = label(table.cell(row, column)).and_then(|l| index.get(l.as_ref())) {
                rows[i].push(row);
            }
        }
        Ok(Picked {
            models: models.to_vec(),
            benchmarks: Vec::new(),
            scores: ScoreRows::default(),
            dropped: Vec::new(),
            rows,
            long: None,
        })
    }

    /// The per-model columns `columns` names, read for each picked model
    /// in the order of [`PerModelColumns::names`].
    pub fn per_model(
        &self,
        table: &dyn Table,
        columns: &PerModelColumns,
    ) -> Result<PerModel, IngestError> {
        let labels = |column: &Option<String>| {
            column
                .as_deref()
                .map(|name| self.labels(table, name))
                .transpose()
        };
        let numbers = |column: &Option<String>| {
            column
                .as_deref()
                .map(|name| self.numbers(table, name))
                .transpose()
        };
        Ok(PerModel {
            families: labels(&columns.family)?,
            groups: labels(&columns.group)?,
            flops: numbers(&columns.flops)?,
            params: numbers(&columns.params)?,
            tokens: numbers(&columns.tokens)?,
            targets: columns
                .targets
                .iter()
                .map(|name| {
                    let values = self.numbers(table, name)?;
                    Ok(TargetValues {
                        name: name.clone(),
                        values,
                    })
                })
                .collect::<Result<_, IngestError>>()?,
        })
    }

    /// Each model's label in `column` (e.g. its family); `None` where every
    /// row of the model has it missing or empty. The model's rows must agree
    /// (`conflicting_metadata`).
    pub fn labels(
        &self,
        table: &dyn Table,
        column: &str,
    ) -> Result<Vec<Option<String>>, IngestError> {
        let c = table.find(column)?;
        self.rows
            .iter()
            .zip(&self.models)
            .map(|(rows, model)| {
                let mut found: Option<(usize, String)> = None;
                for &row in rows {
                    let Some(text) = label(table.cell(row, c))
                        .map(|text| text.trim().to_owned())
                        .filter(|text| !text.is_empty())
                    else {
                        continue;
                    };
                    match &found {
                        None => found = Some((row, text)),
                        Some((first, seen)) if *seen != text => {
                            return Err(conflict(table, model, column, *first, seen, row, &text));
                        }
                        Some(_) => {}
                    }
                }
                Ok(found.map(|(_, text)| text))
            })
            .collect()
    }

    /// Each model's number in `column` (e.g. its compute); `None` where
    /// missing. The model's rows must agree (`conflicting_metadata`). In a
    /// long table, a name that is no column is looked up as a benchmark
    /// value: the model's score on it, duplicates as the query says.
    pub fn numbers(
        &self,
        table: &dyn Table,
        column: &str,
    ) -> Result<Vec<Option<f64>>, IngestError> {
        let c = match (table.find(column), &self.long) {
            (Ok(c), _) => c,
            (Err(_), Some(pivot)) => return pivot.numbers(table, &self.rows, &self.models, column),
            (Err(err), None) => return Err(err),
        };
        numeric_column(table, c)?;
        self.rows
            .iter()
            .zip(&self.models)
            .map(|(rows, model)| {
                let mut found: Option<(usize, f64)> = None;
                for &row in rows {
                    let value = number(table.cell(row, c)).map_err(|(error, what)| {
                        error(format!(
                            "{}, column '{column}' (model '{model}'): {what}",
                            table.row_name(row)
                        ))
                    })?;
                    match (value, found) {
                        (None, _) => {}
                        (Some(value), None) => found = Some((row, value)),
                        (Some(value), Some((first, seen))) if value != seen => {
                            return Err(conflict(
                                table,
                                model,
                                column,
                                first,
                                &seen.to_string(),
                                row,
                                &value.to_string(),
                            ));
                        }
                        (Some(_), Some(_)) => {}
                    }
                }
                Ok(found.map(|(_, value)| value))
            })
            .collect()
    }
}

/// `conflicting_metadata`: two rows of one model disagree on a per-model column.
fn conflict(
    table: &dyn Table,
    model: &str,
    column: &str,
    first: usize,
    seen: &str,
    row: usize,
    value: &str,
) -> IngestError {
    IngestError::ConflictingMetadata(format!(
        "model '{model}' has two values in column '{column}': '{seen}' ({}) and '{value}' ({})",
        table.row_name(first),
        table.row_name(row)
    ))
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
        assert!(matches!(
            pick(&t, &named).unwrap_err(),
            IngestError::InvalidSelection(_)
        ));
        let unknown = Selection {
            reserved: strings(&["Params"]),
            ..Default::default()
        };
        assert!(matches!(
            pick(&t, &unknown).unwrap_err(),
            IngestError::UnknownColumn(_)
        ));
    }

    #[test]
    fn bad_per_model_values_name_row_column_and_model() {
        let t = table();
        let picked = pick(&t, &Selection::default()).unwrap();
        let err = picked.numbers(&t, "Family").unwrap_err();
        assert!(matches!(err, IngestError::InvalidScore(_)), "{err}");
        assert!(
            err.to_string()
                .contains("row 0, column 'Family' (model 'a')"),
            "{err}"
        );
    }
}
