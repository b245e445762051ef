//! Reading leaderboards: every body format the service takes becomes one
//! neutral [`Leaderboard`] (models, benchmarks, scores, and the per-model
//! columns an analysis reads by role: family, group, compute, targets),
//! whatever arrived on the wire.
//!
//! - A table (CSV, Parquet, an Arrow IPC stream; wide or long) is read by
//!   [`read`] as a [`ReadSpec`] says: the format's reader ([`table`]) keeps
//!   the columns the spec can use, the spec's selection picks the models,
//!   benchmarks and scores, then each per-model column is read for the
//!   picked models. Selection, read and pick are written once, here.
//! - A JSON body is read by [`json::parse`] into the request type the edge
//!   defines (its fast path reads the scores straight into one buffer,
//!   [`scores`]); the edge moves its fields into the same [`Leaderboard`].
//! - A form (`multipart/form-data`, [`multipart`]) is read into its parts,
//!   and a part that holds a table is read by [`read`] as a body is.
//! - lm-evaluation-harness results files (a document, an array, JSON Lines,
//!   or a form of files with a `models` part) are read by [`lm_eval`] into
//!   the same [`Leaderboard`], with where each column and model came from.
//! - [`inspect`] describes a table's columns before it is analysed.
//!
//! The room knows no HTTP and no request type: it takes bytes, a plain spec
//! and plain limits, and answers a [`Leaderboard`] or an [`IngestError`],
//! which the edge maps to its codes.

pub mod error;
pub mod inspect;
pub mod json;
pub mod lm_eval;
pub mod multipart;
pub mod scores;
pub mod table;

pub use error::IngestError;
pub use table::{Duplicates, Layout, NearNumber};

use crate::analysis::matrix::ScoreRows;
use crate::analysis::{AnalysisError, BenchmarkMatrix};
use table::csv::CsvTable;
use table::guard::Guard;
use table::{LongColumns, Selection, Table, arrow, parquet};

/// The media type of a Parquet body.
pub const PARQUET: &str = "application/vnd.apache.parquet";
/// The media type of an Arrow IPC stream body.
pub const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";

/// The table formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `text/csv`, with [`ReadSpec::delimiter`].
    Csv,
    /// `application/vnd.apache.parquet`.
    Parquet,
    /// `application/vnd.apache.arrow.stream` (an Arrow IPC stream or file).
    Arrow,
}

/// What reading a body may cost: it is held to the limits of a plain body
/// as it is decoded. The request's deadline is checked through
/// `analysis::budget`.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// The most bytes a body may expand to once decoded (MAX_BODY_BYTES).
    pub max_body_bytes: usize,
    /// The most score cells a leaderboard may have (MAX_CELLS).
    pub max_cells: usize,
}

/// Which columns (wide) or benchmark values (long) are the benchmarks.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Benchmarks {
    /// In a wide table, every column but the model column and the
    /// per-model ones that holds at least one number; in a long table,
    /// every benchmark value, in order of first appearance.
    #[default]
    Numeric,
    /// Those that start with this, in table order.
    Prefix(String),
    /// These, in this order (none: a table of per-model columns only).
    Named(Vec<String>),
    /// In a wide table, the columns named as one of these (a basis's
    /// benchmarks), in table order; the others are left unread and listed
    /// in [`Leaderboard::unread`]. A long table gives every benchmark value.
    Known(Vec<String>),
}

/// The columns of a long table: a row per model, benchmark and score.
#[derive(Debug, Clone, PartialEq)]
pub struct LongSpec {
    pub benchmark_column: String,
    pub score_column: String,
    /// What a (model, benchmark) pair with two scores gives.
    pub duplicates: Duplicates,
}

/// The columns read per model, by the role they play in an analysis. None
/// of them is ever a benchmark. In a long table, a target that is no column
/// is a benchmark value: the model's score on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerModelColumns {
    pub family: Option<String>,
    pub group: Option<String>,
    pub flops: Option<String>,
    pub params: Option<String>,
    pub tokens: Option<String>,
    pub targets: Vec<String>,
}

impl PerModelColumns {
    /// The columns' names, in the order they are read.
    pub fn names(&self) -> Vec<String> {
        [
            &self.family,
            &self.group,
            &self.flops,
            &self.params,
            &self.tokens,
        ]
        .into_iter()
        .flatten()
        .chain(&self.targets)
        .cloned()
        .collect()
    }
}

/// How a table body is read as a leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadSpec {
    /// The field delimiter of a CSV body.
    pub delimiter: u8,
    /// The column of model names; default the first column (wide) or
    /// `model` (long).
    pub model_column: Option<String>,
    pub benchmarks: Benchmarks,
    /// `Some` for a long table.
    pub long: Option<LongSpec>,
    pub per_model: PerModelColumns,
}

impl Default for ReadSpec {
    fn default() -> Self {
        Self {
            delimiter: b',',
            model_column: None,
            benchmarks: Benchmarks::default(),
            long: None,
            per_model: PerModelColumns::default(),
        }
    }
}

/// One value per model, of a column that is no benchmark.
pub type PerModelValues<T> = Option<Vec<Option<T>>>;

/// A target to predict: its name and one value per model (`None` where
/// unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetValues {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// What a leaderboard says per model besides its scores, by role; `None`
/// where the body gives no such column. A JSON body gives these as lists
/// beside its scores, a table as columns; unchecked here (the analyses check
/// each against the models).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerModel {
    pub families: PerModelValues<String>,
    pub groups: PerModelValues<String>,
    pub flops: PerModelValues<f64>,
    pub params: PerModelValues<f64>,
    pub tokens: PerModelValues<f64>,
    pub targets: Vec<TargetValues>,
}

/// A leaderboard as a body gives it, whatever its format: labels and scores
/// as sent (checked when the matrix is built), the per-model columns, and
/// what the read left aside.
#[derive(Debug, Default)]
pub struct Leaderboard {
    pub models: Vec<String>,
    pub benchmarks: Vec<String>,
    pub scores: ScoreRows,
    pub per_model: PerModel,
    /// Models of a long table left with no row once its benchmarks were
    /// selected, in order of first appearance: every answer reports them.
    pub absent_models: Vec<String>,
    /// Columns of a wide table left unread ([`Benchmarks::Known`]).
    pub unread: Vec<String>,
}

impl Leaderboard {
    /// The number of score cells.
    pub fn cells(&self) -> usize {
        self.scores.values.len()
    }

    /// The validated matrix, the per-model columns and the absent models.
    pub fn into_matrix(self) -> Result<(BenchmarkMatrix, PerModel, Vec<String>), AnalysisError> {
        let matrix = BenchmarkMatrix::new(self.models, self.benchmarks, self.scores)?;
        Ok((matrix, self.per_model, self.absent_models))
    }
}

/// Reads a table body as `spec` says: the format's reader decodes only the
/// columns the spec can use, the selection picks the leaderboard, and each
/// per-model column is read for the picked models.
pub fn read(
    format: Format,
    body: &[u8],
    spec: &ReadSpec,
    limits: &ReadLimits,
) -> Result<Leaderboard, IngestError> {
    let mut selection = spec.selection(limits);
    let table = read_table(format, body, spec.delimiter, Some(&selection), limits)?;
    let mut unread = Vec::new();
    if let (Benchmarks::Known(known), None) = (&spec.benchmarks, &spec.long) {
        let (present, others) = known_columns(table.as_ref(), &selection, known)?;
        selection.benchmarks = Some(present);
        unread = others;
    }
    let picked = table::pick(table.as_ref(), &selection)?;
    let per_model = picked.per_model(table.as_ref(), &spec.per_model)?;
    Ok(Leaderboard {
        models: picked.models,
        benchmarks: picked.benchmarks,
        scores: picked.scores,
        per_model,
        absent_models: picked.dropped,
        unread,
    })
}

/// Reads a table body with its format's reader. A typed format (Parquet,
/// Arrow) decodes only the columns `selection` can use (every flat column
/// without one).
pub fn read_table(
    format: Format,
    body: &[u8],
    delimiter: u8,
    selection: Option<&Selection<'_>>,
    limits: &ReadLimits,
) -> Result<Box<dyn Table>, IngestError> {
    let wanted = |index: usize, name: &str, numeric: bool| {
        selection.is_none_or(|s| s.wants(index, name, numeric))
    };
    Ok(match format {
        Format::Csv => Box::new(CsvTable::read(body, delimiter)?),
        Format::Parquet => Box::new(parquet::read(body, &wanted, Guard::new(limits))?),
        Format::Arrow => Box::new(arrow::read(body, &wanted, Guard::new(limits))?),
    })
}

/// The columns of a wide table named as one of `known`, in table order,
/// and the others (the model column aside), which are left unread.
fn known_columns(
    table: &dyn Table,
    selection: &Selection<'_>,
    known: &[String],
) -> Result<(Vec<String>, Vec<String>), IngestError> {
    let columns = table.columns();
    let model_column = match selection.model_column {
        Some(name) => table.find(name)?,
        None => 0,
    };
    let (present, others): (Vec<usize>, Vec<usize>) = (0..columns.len())
        .filter(|&c| c != model_column)
        .partition(|&c| known.contains(&columns[c]));
    if present.is_empty() {
        return Err(IngestError::NoMatchingColumns(
            "no column of the table is named as a benchmark of the basis".into(),
        ));
    }
    let names = |cs: Vec<usize>| cs.into_iter().map(|c| columns[c].clone()).collect();
    Ok((names(present), names(others)))
}

impl ReadSpec {
    /// The selection this spec makes, within `limits`.
    fn selection(&self, limits: &ReadLimits) -> Selection<'_> {
        let (benchmark_prefix, benchmarks) = match &self.benchmarks {
            Benchmarks::Numeric => (None, None),
            Benchmarks::Prefix(prefix) => (Some(prefix.as_str()), None),
            Benchmarks::Named(names) => (None, Some(names.clone())),
            // A typed format decodes the model column and these only; the
            // long layout reads every benchmark value.
            Benchmarks::Known(names) => (None, self.long.is_none().then(|| names.clone())),
        };
        Selection {
            model_column: self.model_column.as_deref(),
            benchmark_prefix,
            benchmarks,
            reserved: self.per_model.names(),
            long: self.long.as_ref().map(|long| LongColumns {
                benchmark_column: &long.benchmark_column,
                score_column: &long.score_column,
                duplicates: long.duplicates,
            }),
            max_cells: limits.max_cells,
        }
    }
}
