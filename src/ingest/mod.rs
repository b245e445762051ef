//! Reading leaderboards: every body format the service takes becomes one
//! neutral [`Leaderboard`] (models, benchmarks, scores, and the per-model
//! columns an analysis reads by role: family, group, compute, targets),
//! whatever arrived on the wire.
//!
//! - A table (CSV, Parquet, an Arrow IPC stream; wide or long) is read by
//!   [`dispatch::read`] as a [`ReadSpec`] ([`spec`]) says: the format's
//!   reader ([`table`]) keeps the columns the spec can use, the spec's
//!   selection picks the models, benchmarks and scores, then each per-model
//!   column is read for the picked models. Selection, read and pick are
//!   written once, in [`dispatch`].
//! - A JSON body is read by [`json::parse`] into the request type the edge
//!   defines (its fast path reads the scores straight into one buffer,
//!   [`scores`]); the edge moves its fields into the same [`Leaderboard`].
//! - A form (`multipart/form-data`, [`multipart`]) is read into its parts,
//!   and a part that holds a table is read by [`dispatch::read`] as a body is.
//! - lm-evaluation-harness results files (a document, an array, JSON Lines,
//!   or a form of files with a `models` part) are read by [`lm_eval`] into
//!   the same [`Leaderboard`], with where each column and model came from.
//! - [`inspect`] describes a table's columns before it is analysed.
//!
//! This file only names the modules: the types live in leaf modules
//! ([`spec`], [`leaderboard`], [`error`]) that import nothing above them, so
//! that the readers and the dispatch that calls them form no circle.
//!
//! The room knows no HTTP and no request type: it takes bytes, a plain spec
//! and plain limits, and answers a [`Leaderboard`] or an [`IngestError`],
//! which the edge maps to its codes.

pub mod dispatch;
pub mod error;
pub mod inspect;
pub mod json;
pub mod leaderboard;
pub mod lm_eval;
pub mod multipart;
pub mod scores;
pub mod spec;
pub mod table;

pub use dispatch::{read, read_table};
pub use error::IngestError;
pub use leaderboard::{Leaderboard, PerModel, PerModelValues, TargetValues};
pub use spec::{
    ARROW_STREAM, Benchmarks, Format, LongSpec, PARQUET, PerModelColumns, ReadLimits, ReadSpec,
};
pub use table::{Duplicates, Layout, NearNumber};
