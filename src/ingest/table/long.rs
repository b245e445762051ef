//! Long tables: one row per (model, benchmark, score), the way evaluation
//! harnesses and result tables store results. Picking one pivots it into the
//! leaderboard a wide table gives directly.
//!
//! - Models keep their order of first appearance; benchmarks too, unless
//!   the query lists them.
//! - A pair that never appears is a missing cell, and so is a null score (it
//!   is no duplicate); a pair with two scores follows [`Duplicates`].
//! - `benchmark_prefix` and `benchmarks` filter the benchmark values; a
//!   model left with no row is dropped (and reported).
//! - A per-model column must agree across the model's rows
//!   ([`super::pick::Picked::labels`]); a per-model name that is no column is a benchmark
//!   value, read per model and never a benchmark.

use std::collections::{HashMap, HashSet};

use super::frame::{Table, label, number, numeric_column};
use super::selection::{Duplicates, LONG_MODEL_COLUMN, LongColumns, MeanSum, Selection};
use crate::analysis::matrix::ScoreRows;
use crate::ingest::IngestError;

/// Where a long table's scores are, for per-model lookups by benchmark value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pivot {
    benchmark_column: usize,
    score_column: usize,
    duplicates: Duplicates,
}

/// A long table pivoted: what [`super::pick::Picked`] holds of it.
pub(super) struct Pivoted {
    pub models: Vec<String>,
    pub benchmarks: Vec<String>,
    pub scores: ScoreRows,
    /// Models left with no row once the benchmarks were filtered.
    pub dropped: Vec<String>,
    /// Every row of each kept model, in table order.
    pub rows: Vec<Vec<usize>>,
    pub pivot: Pivot,
}

/// A kept row: its model, its benchmark (indices into the picked lists) and
/// its score.
struct Entry {
    row: usize,
    model: usize,
    benchmark: usize,
    score: Option<f64>,
}

pub(super) fn pick(
    table: &dyn Table,
    selection: &Selection<'_>,
    long: &LongColumns<'_>,
) -> Result<Pivoted, IngestError> {
    let model_name = selection.model_column.unwrap_or(LONG_MODEL_COLUMN);
    let model_column = table.find(model_name)?;
    let benchmark_column = table.find(long.benchmark_column)?;
    let score_column = table.find(long.score_column)?;
    if model_column == benchmark_column
        || model_column == score_column
        || benchmark_column == score_column
    {
        return Err(IngestError::InvalidSelection(
            "model_column, benchmark_column and score_column must name three different columns"
                .into(),
        ));
    }
    numeric_column(table, score_column)?;
    // Per-model names that are no column are benchmark values (targets).
    let reserved_values: Vec<&str> = selection
        .reserved
        .iter()
        .filter(|name| table.find(name).is_err())
        .map(String::as_str)
        .collect();
    let keep = |benchmark: &str| {
        !reserved_values.contains(&benchmark)
            && match (&selection.benchmarks, selection.benchmark_prefix) {
                (Some(names), _) => names.iter().any(|n| n == benchmark),
                (None, Some(prefix)) => benchmark.starts_with(prefix),
                (None, None) => true,
            }
    };
    let filtered = selection.benchmarks.is_some() || selection.benchmark_prefix.is_some();

    let mut models: Vec<String> = Vec::new();
    let mut model_index: HashMap<String, usize> = HashMap::new();
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut benchmarks: Vec<String> = selection.benchmarks.clone().unwrap_or_default();
    let mut benchmark_index: HashMap<String, usize> = benchmarks
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), i))
        .collect();
    let mut entries: Vec<Entry> = Vec::new();
    for row in 0..table.n_rows() {
        let model = label(table.cell(row, model_column)).filter(|m| !m.is_empty());
        let benchmark = label(table.cell(row, benchmark_column)).filter(|b| !b.is_empty());
        let kept = benchmark.as_deref().is_some_and(keep);
        let Some(model) = model else {
            if kept || (benchmark.is_none() && !filtered) {
                return Err(no_label(table, row, model_name));
            }
            continue;
        };
        let m = match model_index.get(model.as_ref()) {
            Some(&m) => m,
            None => {
                let m = models.len();
                model_index.insert(model.clone().into_owned(), m);
                models.push(model.into_owned());
                rows.push(Vec::new());
                m
            }
        };
        rows[m].push(row);
        let benchmark = match benchmark {
            Some(benchmark) if kept => benchmark,
            Some(_) => continue,
            // No filter can match a row without a benchmark; without one,
            // the row is an error rather than silently ignored.
            None if filtered => continue,
            None => return Err(no_label(table, row, long.benchmark_column)),
        };
        let b = match benchmark_index.get(benchmark.as_ref()) {
            Some(&b) => b,
            None => {
                let b = benchmarks.len();
                benchmark_index.insert(benchmark.clone().into_owned(), b);
                benchmarks.push(benchmark.into_owned());
                b
            }
        };
        let score = score(table, row, score_column, &models[m])?;
        entries.push(Entry {
            row,
            model: m,
            benchmark: b,
            score,
        });
    }
    if let Some(prefix) = selection.benchmark_prefix
        && benchmarks.is_empty()
    {
        return Err(IngestError::NoMatchingColumns(format!(
            "no value of column '{}' starts with '{prefix}'",
            long.benchmark_column
        )));
    }
    if let Some(names) = &selection.benchmarks {
        let mut seen = vec![false; benchmarks.len()];
        for entry in &entries {
            seen[entry.benchmark] = true;
        }
        if let Some(b) = seen.iter().position(|s| !s) {
            return Err(IngestError::NoMatchingColumns(format!(
                "benchmark '{}' is named in benchmarks but no row of column '{}' has it",
                names[b], long.benchmark_column
            )));
        }
    }

    // Models without a kept row are dropped; the others keep their order.
    let mut has_rows = vec![false; models.len()];
    for entry in &entries {
        has_rows[entry.model] = true;
    }
    let mut new_index = vec![usize::MAX; models.len()];
    let (mut kept_models, mut kept_rows, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
    for (m, (model, model_rows)) in models.into_iter().zip(rows).enumerate() {
        if has_rows[m] {
            new_index[m] = kept_models.len();
            kept_models.push(model);
            kept_rows.push(model_rows);
        } else {
            dropped.push(model);
        }
    }

    let (n, p) = (kept_models.len(), benchmarks.len());
    let cells = n.saturating_mul(p);
    if cells > selection.max_cells {
        return Err(IngestError::TooManyCells(format!(
            "the long table pivots to {n} models x {p} benchmarks = {cells} score cells, \
                 more than the limit of {} (MAX_CELLS)",
            selection.max_cells
        )));
    }
    let pivot = Pivot {
        benchmark_column,
        score_column,
        duplicates: long.duplicates,
    };
    let mut values = vec![f64::NAN; cells];
    let mut counts = vec![0u32; cells];
    // The cells whose sum of duplicates would overflow, carried scaled
    // (see `MeanSum`); rare, so a set rather than a flag per cell.
    let mut scaled = HashSet::new();
    for entry in &entries {
        let Some(score) = entry.score else { continue };
        let cell = new_index[entry.model] * p + entry.benchmark;
        if counts[cell] > 0 && long.duplicates == Duplicates::Reject {
            let first = entries
                .iter()
                .find(|e| {
                    e.model == entry.model && e.benchmark == entry.benchmark && e.score.is_some()
                })
                .map_or(entry.row, |e| e.row);
            return Err(duplicate(
                table,
                &kept_models[new_index[entry.model]],
                &benchmarks[entry.benchmark],
                first,
                entry.row,
            ));
        }
        values[cell] = match (counts[cell], long.duplicates) {
            (0, _) | (_, Duplicates::Last) | (_, Duplicates::Reject) => score,
            (_, Duplicates::Mean) => {
                let mut sum = MeanSum {
                    sum: values[cell],
                    scaled: scaled.contains(&cell),
                };
                sum.add(score);
                if sum.scaled {
                    scaled.insert(cell);
                }
                sum.sum
            }
        };
        counts[cell] = counts[cell].saturating_add(1);
    }
    if long.duplicates == Duplicates::Mean {
        for (cell, (value, &count)) in values.iter_mut().zip(&counts).enumerate() {
            if count > 1 {
                let sum = MeanSum {
                    sum: *value,
                    scaled: scaled.contains(&cell),
                };
                *value = sum.mean(count);
            }
        }
    }
    Ok(Pivoted {
        models: kept_models,
        benchmarks,
        scores: ScoreRows {
            values,
            row_lengths: vec![p; n],
        },
        dropped,
        rows: kept_rows,
        pivot,
    })
}

impl Pivot {
    /// Each model's score on the benchmark value `name` (a target evaluated
    /// as a benchmark); `unknown_column` when no row has it.
    pub(super) fn numbers(
        &self,
        table: &dyn Table,
        rows: &[Vec<usize>],
        models: &[String],
        name: &str,
    ) -> Result<Vec<Option<f64>>, IngestError> {
        let mut any = false;
        let values = rows
            .iter()
            .zip(models)
            .map(|(rows, model)| {
                let (mut value, mut count, mut first) = (None::<MeanSum>, 0u32, 0);
                for &row in rows {
                    if label(table.cell(row, self.benchmark_column)).as_deref() != Some(name) {
                        continue;
                    }
                    any = true;
                    let Some(score) = score(table, row, self.score_column, model)? else {
                        continue;
                    };
                    value = Some(match (value, self.duplicates) {
                        (None, _) => {
                            first = row;
                            MeanSum::of(score)
                        }
                        (Some(_), Duplicates::Reject) => {
                            return Err(duplicate(table, model, name, first, row));
                        }
                        (Some(_), Duplicates::Last) => MeanSum::of(score),
                        (Some(mut sum), Duplicates::Mean) => {
                            sum.add(score);
                            sum
                        }
                    });
                    count += 1;
                }
                Ok(value.map(|v| match self.duplicates {
                    Duplicates::Mean if count > 1 => v.mean(count),
                    _ => v.sum,
                }))
            })
            .collect::<Result<Vec<_>, IngestError>>()?;
        if !any {
            return Err(IngestError::UnknownColumn(format!(
                "there is no column '{name}' in the table, and no row of the kept models \
                     has it as its benchmark"
            )));
        }
        Ok(values)
    }
}

fn score(
    table: &dyn Table,
    row: usize,
    column: usize,
    model: &str,
) -> Result<Option<f64>, IngestError> {
    number(table.cell(row, column)).map_err(|(error, what)| {
        error(format!(
            "{}, column '{}' (model '{model}'): {what}",
            table.row_name(row),
            table.columns()[column]
        ))
    })
}

fn no_label(table: &dyn Table, row: usize, column: &str) -> IngestError {
    IngestError::EmptyLabel(format!(
        "{}: column '{column}' is empty",
        table.row_name(row)
    ))
}

fn duplicate(
    table: &dyn Table,
    model: &str,
    benchmark: &str,
    first: usize,
    row: usize,
) -> IngestError {
    IngestError::DuplicateScore(format!(
        "model '{model}' has two scores on benchmark '{benchmark}' ({} and {}); \
             send duplicates=mean or duplicates=last to combine them",
        table.row_name(first),
        table.row_name(row)
    ))
}
