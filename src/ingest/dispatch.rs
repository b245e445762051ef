//! Reading a table body as a [`ReadSpec`] says: the format's reader, then
//! the selection, the pick and the per-model columns. Selection, read and
//! pick are written once, here, for every endpoint.

use super::error::IngestError;
use super::leaderboard::Leaderboard;
use super::spec::{Benchmarks, Format, ReadLimits, ReadSpec};
use super::table::csv::CsvTable;
use super::table::frame::Table;
use super::table::guard::Guard;
use super::table::selection::{LongColumns, Selection};
use super::table::{arrow, parquet, pick};

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
    let picked = pick::pick(table.as_ref(), &selection)?;
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
