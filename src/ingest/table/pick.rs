//! Picking the leaderboard out of a [`Table`] as a [`Selection`] says:
//! models, benchmarks and scores (a wide table here, a long one through
//! [`super::long`]), then the per-model columns of the picked models.

use std::borrow::Cow;

use super::frame::{NearNumber, Table, label, near_numbers, number, numeric_column};
use super::long;
use super::selection::Selection;
use crate::analysis::matrix::ScoreRows;
use crate::ingest::IngestError;
use crate::ingest::leaderboard::{PerModel, TargetValues};
use crate::ingest::spec::PerModelColumns;

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
        Some(columns) => {
            let pivoted = long::pick(table, selection, columns)?;
            Ok(Picked {
                models: pivoted.models,
                benchmarks: pivoted.benchmarks,
                scores: pivoted.scores,
                dropped: pivoted.dropped,
                rows: pivoted.rows,
                long: Some(pivoted.pivot),
            })
        }
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
    use crate::ingest::table::frame::Cell;

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
