//! Leaderboards sent as tables (CSV, Parquet, an Arrow IPC stream) rather
//! than as a JSON request: the body is read once into a [`Table`] of named
//! columns, then the query's column rules pick the models, the benchmarks,
//! their scores, and the per-model columns an analysis asks for (family,
//! compute, target). A table is wide (a row per model, a column per
//! benchmark) or long (a row per model, benchmark and score; [`long`]).
//! Every format and layout goes through the same selection, so a table
//! answers exactly what the equivalent JSON request answers.
//!
//! - [`frame`]: the [`Table`] a reader gives, and how its cells read;
//! - [`csv`], [`parquet`], [`arrow`]: the readers, held to [`guard`]'s limits;
//! - [`selection`]: what the query picks; [`pick`]: the picking, wide here and
//!   long in [`long`].

pub mod arrow;
pub mod csv;
pub mod frame;
pub mod guard;
mod long;
pub mod parquet;
pub mod pick;
pub mod selection;

pub use frame::{Cell, NearNumber, Table, Wanted, is_missing_token, near_number, near_numbers};
pub(crate) use frame::{label, number};
pub use pick::{Picked, pick};
pub use selection::{Duplicates, LONG_MODEL_COLUMN, Layout, LongColumns, MeanSum, Selection};
