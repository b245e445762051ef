//! What can go wrong in reading a body, worded in the user's terms (the
//! line, the column, the model), so that the edge passes the message on
//! verbatim under the code it maps each kind to (`api::error`).

use crate::analysis::AnalysisError;

/// Every way a body can fail to be a leaderboard.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A CSV body that cannot be read (no header, a ragged line, bad UTF-8).
    #[error("{0}")]
    InvalidCsv(String),
    /// A Parquet body that cannot be read.
    #[error("{0}")]
    InvalidParquet(String),
    /// An Arrow IPC body that cannot be read.
    #[error("{0}")]
    InvalidArrow(String),
    /// An upload that cannot be read as lm-evaluation-harness results (a
    /// document of another shape, `results` that is no object, nothing).
    #[error("{0}")]
    InvalidLmEval(String),
    /// A `multipart/form-data` body whose framing cannot be read.
    #[error("{0}")]
    InvalidMultipart(String),
    /// A form whose parts are not the ones asked for (a part twice, one
    /// missing), or a JSON body that is no object.
    #[error("{0}")]
    InvalidRequest(String),
    /// A form part of a name the form does not take.
    #[error("{0}")]
    UnknownField(String),
    /// A body, or a form part, of a media type no reader takes.
    #[error("{0}")]
    UnsupportedFormat(String),
    /// A column the read spec names that the table does not have.
    #[error("{0}")]
    UnknownColumn(String),
    /// A benchmark selection that selects nothing.
    #[error("{0}")]
    NoMatchingColumns(String),
    /// A read spec that contradicts itself on this table (a column named
    /// as a benchmark and as the model column).
    #[error("{0}")]
    InvalidSelection(String),
    /// A cell, or a column's declared type, that is no number where a
    /// number is read.
    #[error("{0}")]
    InvalidScore(String),
    /// A number that is not finite.
    #[error("{0}")]
    NonFiniteScore(String),
    /// A long table's row without a model or a benchmark.
    #[error("{0}")]
    EmptyLabel(String),
    /// A long table's (model, benchmark) pair with two scores, refused.
    #[error("{0}")]
    DuplicateScore(String),
    /// A model whose rows disagree on a per-model column.
    #[error("{0}")]
    ConflictingMetadata(String),
    /// More score cells than the read limits allow.
    #[error("{0}")]
    TooManyCells(String),
    /// A body that expands past the read limits once decoded.
    #[error("{0}")]
    TooLarge(String),
    /// A JSON body, or JSON part, that serde_json refuses.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// The request's deadline, checked while a body is read.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// A reader's own inconsistency: a bug, never the body's fault.
    #[error("{0}")]
    Internal(String),
}
