//! How a table body is to be read: its format, the columns that play each
//! role ([`ReadSpec`]), and what reading it may cost ([`ReadLimits`]). Plain
//! data, set by the edge from a query and read by [`super::dispatch`].

use super::table::selection::Duplicates;

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
    /// in [`super::Leaderboard::unread`]. A long table gives every benchmark value.
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
