//! The validated leaderboard: models x benchmarks with possibly missing cells.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use ndarray::{ArcArray2, Array2, ArrayView2};

use super::AnalysisError;
use super::error::Cell;

/// How many missing cells an error names individually; the count is always exact.
pub const MAX_CELLS_NAMED: usize = 50;

/// Scores as they arrive from a parser: row-major values with the length of
/// every row, so that ragged input can be reported by row rather than lost in
/// a parse error. `f64::NAN` marks a missing cell (JSON `null`, an empty CSV
/// cell); parsers never produce NaN from a literal.
#[derive(Debug, Default, Clone)]
pub struct ScoreRows {
    pub values: Vec<f64>,
    pub row_lengths: Vec<usize>,
}

impl ScoreRows {
    pub fn n_rows(&self) -> usize {
        self.row_lengths.len()
    }
}

/// A leaderboard whose labels are non-empty and unique, whose score matrix
/// has one row per model and one column per benchmark, and whose observed
/// cells are finite. Missing cells (NaN) are allowed here; each analysis
/// decides what to do with them.
#[derive(Debug, Clone)]
pub struct BenchmarkMatrix {
    models: Vec<String>,
    benchmarks: Vec<String>,
    /// Shared, so that an analysis that needs the scores unchanged takes
    /// them without copying the leaderboard.
    scores: ArcArray2<f64>,
    n_missing: usize,
}

impl BenchmarkMatrix {
    /// The one way in: checks everything the analyses rely on.
    pub fn new(
        models: Vec<String>,
        benchmarks: Vec<String>,
        rows: ScoreRows,
    ) -> Result<Self, AnalysisError> {
        check_labels(&models, true)?;
        check_labels(&benchmarks, false)?;
        if benchmarks.is_empty() {
            return Err(AnalysisError::NoBenchmarks);
        }
        let (n, p) = (models.len(), benchmarks.len());
        if rows.n_rows() != n {
            return Err(AnalysisError::ShapeMismatch {
                what: "scores".into(),
                got: rows.n_rows(),
                unit: "rows",
                expected: n,
                expected_from: "models",
            });
        }
        if let Some((i, &len)) = rows.row_lengths.iter().enumerate().find(|&(_, &l)| l != p) {
            return Err(AnalysisError::ShapeMismatch {
                what: format!("the score row of model '{}'", models[i]),
                got: len,
                unit: "values",
                expected: p,
                expected_from: "benchmarks",
            });
        }
        // Counting (rather than stopping at the first) lets the compiler
        // check several cells per instruction; the usual answer is 0.
        let non_finite = rows.values.iter().filter(|v| !v.is_finite()).count();
        let mut n_missing = 0;
        if non_finite > 0 {
            for (k, &v) in rows.values.iter().enumerate() {
                if v.is_nan() {
                    n_missing += 1;
                } else if !v.is_finite() {
                    return Err(AnalysisError::NonFiniteScore {
                        model: models[k / p].clone(),
                        benchmark: benchmarks[k % p].clone(),
                    });
                }
            }
        }
        let scores = Array2::from_shape_vec((n, p), rows.values)
            .expect("row lengths were checked to multiply out to n x p")
            .into_shared();
        Ok(Self {
            models,
            benchmarks,
            scores,
            n_missing,
        })
    }

    pub fn models(&self) -> &[String] {
        &self.models
    }

    pub fn benchmarks(&self) -> &[String] {
        &self.benchmarks
    }

    /// The model and benchmark labels, for a caller done with the scores.
    pub fn into_labels(self) -> (Vec<String>, Vec<String>) {
        (self.models, self.benchmarks)
    }

    pub fn n_models(&self) -> usize {
        self.models.len()
    }

    pub fn n_benchmarks(&self) -> usize {
        self.benchmarks.len()
    }

    /// The scores with NaN in missing cells.
    pub fn scores(&self) -> ArrayView2<'_, f64> {
        self.scores.view()
    }

    pub fn n_missing(&self) -> usize {
        self.n_missing
    }

    /// The leaderboard restricted to the given models (in that order): still
    /// valid, as every subset of a valid leaderboard is.
    pub fn select_rows(&self, rows: &[usize]) -> BenchmarkMatrix {
        let scores = self.scores.select(ndarray::Axis(0), rows).into_shared();
        BenchmarkMatrix {
            models: rows.iter().map(|&i| self.models[i].clone()).collect(),
            benchmarks: self.benchmarks.clone(),
            n_missing: scores.iter().filter(|v| v.is_nan()).count(),
            scores,
        }
    }

    /// Up to `limit` missing cells, in row-major order.
    pub fn missing_cells(&self, limit: usize) -> Vec<Cell> {
        self.scores
            .indexed_iter()
            .filter(|(_, v)| v.is_nan())
            .take(limit)
            .map(|((i, j), _)| Cell {
                model: self.models[i].clone(),
                benchmark: self.benchmarks[j].clone(),
            })
            .collect()
    }

    /// The score matrix (shared, not copied) if no cell is missing;
    /// otherwise an error naming the cells.
    pub fn complete_scores(&self) -> Result<ArcArray2<f64>, AnalysisError> {
        if self.n_missing == 0 {
            Ok(self.scores.clone())
        } else {
            Err(AnalysisError::MissingScores {
                count: self.n_missing,
                cells: self.missing_cells(MAX_CELLS_NAMED),
            })
        }
    }
}

/// One value per model: `got` values of `what` against `n_models`, or a
/// `ShapeMismatch` naming `what`.
pub fn check_per_model(what: &str, got: usize, n_models: usize) -> Result<(), AnalysisError> {
    if got == n_models {
        Ok(())
    } else {
        Err(AnalysisError::ShapeMismatch {
            what: what.into(),
            got,
            unit: "values",
            expected: n_models,
            expected_from: "models",
        })
    }
}

/// Model labels as a leaderboard's must be: non-empty and unique.
pub fn check_model_labels(labels: &[String]) -> Result<(), AnalysisError> {
    check_labels(labels, true)
}

fn check_labels(labels: &[String], models: bool) -> Result<(), AnalysisError> {
    // foldhash rather than SipHash: every label of every request is hashed.
    // Its random per-map seed keeps collisions hard to craft from outside
    // (not cryptographically, which a duplicate check does not need).
    let mut seen: HashMap<&str, usize, foldhash::quality::RandomState> =
        HashMap::with_capacity_and_hasher(labels.len(), Default::default());
    for (index, label) in labels.iter().enumerate() {
        if label.is_empty() {
            return Err(if models {
                AnalysisError::EmptyModelLabel { index }
            } else {
                AnalysisError::EmptyBenchmarkLabel { index }
            });
        }
        let slot = match seen.entry(label) {
            Entry::Vacant(slot) => slot,
            Entry::Occupied(taken) => {
                let (label, first, second) = (label.clone(), *taken.get(), index);
                return Err(if models {
                    AnalysisError::DuplicateModel {
                        label,
                        first,
                        second,
                    }
                } else {
                    AnalysisError::DuplicateBenchmark {
                        label,
                        first,
                        second,
                    }
                });
            }
        };
        slot.insert(index);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn rows(values: &[&[f64]]) -> ScoreRows {
        ScoreRows {
            values: values.iter().flat_map(|r| r.iter().copied()).collect(),
            row_lengths: values.iter().map(|r| r.len()).collect(),
        }
    }

    #[test]
    fn accepts_a_well_formed_leaderboard_and_counts_missing_cells() {
        let m = BenchmarkMatrix::new(
            labels("m", 2),
            labels("b", 2),
            rows(&[&[0.1, f64::NAN], &[0.3, 0.4]]),
        )
        .unwrap();
        assert_eq!(m.n_missing(), 1);
        assert_eq!(
            m.missing_cells(10),
            vec![Cell {
                model: "m0".into(),
                benchmark: "b1".into()
            }]
        );
        assert!(matches!(
            m.complete_scores(),
            Err(AnalysisError::MissingScores { count: 1, .. })
        ));
    }

    #[test]
    fn names_the_ragged_row() {
        let err =
            BenchmarkMatrix::new(labels("m", 2), labels("b", 2), rows(&[&[0.1, 0.2], &[0.3]]))
                .unwrap_err();
        assert!(err.to_string().contains("'m1'"), "{err}");
    }

    #[test]
    fn rejects_duplicate_and_empty_labels_and_infinities() {
        let dup = BenchmarkMatrix::new(
            vec!["a".into(), "a".into()],
            labels("b", 1),
            rows(&[&[0.1], &[0.2]]),
        );
        assert!(matches!(
            dup,
            Err(AnalysisError::DuplicateModel { second: 1, .. })
        ));
        let empty = BenchmarkMatrix::new(labels("m", 1), vec!["".into()], rows(&[&[0.1]]));
        assert!(matches!(
            empty,
            Err(AnalysisError::EmptyBenchmarkLabel { index: 0 })
        ));
        let inf = BenchmarkMatrix::new(labels("m", 1), labels("b", 1), rows(&[&[f64::INFINITY]]));
        assert!(matches!(inf, Err(AnalysisError::NonFiniteScore { .. })));
    }
}
