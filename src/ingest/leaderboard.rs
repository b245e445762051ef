//! The neutral leaderboard every body format is read into: labels and
//! scores as sent, and the per-model columns by role.

use crate::analysis::matrix::ScoreRows;
use crate::analysis::{AnalysisError, BenchmarkMatrix};

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
    /// Columns of a wide table left unread ([`super::Benchmarks::Known`]).
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
