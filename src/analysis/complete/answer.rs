//! What a completion answers: plain structs indexed by the request's rows
//! and columns, for the HTTP edge to serialise.

use ndarray::Array2;

use super::params::Settings;
use super::scale::ColumnScale;
use crate::analysis::AnalysisError;
use crate::analysis::matrix::BenchmarkMatrix;
use crate::analysis::pca::impute::{CompletedScores, ImputedCell};

/// A missing cell's predicted score and its interval, in the benchmark's
/// own units (`row`, `col` index the request's models and benchmarks).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub row: usize,
    pub col: usize,
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Why a missing cell has no prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPredictedReason {
    /// The model has no score at all.
    ModelWithoutScore,
    /// The benchmark is observed for fewer models than the method needs.
    BenchmarkTooSparse { observed: usize, needed: usize },
}

impl NotPredictedReason {
    /// A stable name for the reason.
    pub fn code(self) -> &'static str {
        match self {
            NotPredictedReason::ModelWithoutScore => "model_without_score",
            NotPredictedReason::BenchmarkTooSparse { .. } => "benchmark_too_sparse",
        }
    }

    /// The reason in words.
    pub fn describe(self) -> String {
        match self {
            NotPredictedReason::ModelWithoutScore => "the model has no score".into(),
            NotPredictedReason::BenchmarkTooSparse { observed, needed } => format!(
                "the benchmark is observed for {observed} model(s); at least {needed} are needed"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotPredicted {
    pub row: usize,
    pub col: usize,
    pub reason: NotPredictedReason,
}

/// Errors and intervals of the cross-validated cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorSummary {
    pub n: usize,
    pub median_abs_error: f64,
    pub mean_abs_error: f64,
    /// Share of the cells inside their interval.
    pub coverage: f64,
    pub median_width: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchmarkCv {
    pub col: usize,
    /// In the benchmark's own units.
    pub summary: ErrorSummary,
}

/// The method's own estimate of its error, from the observed cells alone.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidation {
    /// In points: fractions x 100, percentages as they are, an unbounded
    /// benchmark's errors in percent-equivalent units (its spread scaled to
    /// the median spread of the bounded benchmarks).
    pub overall: ErrorSummary,
    /// The benchmarks with cross-validated cells, in request order.
    pub per_benchmark: Vec<BenchmarkCv>,
    /// Inner folds that held cells (of `settings.inner_folds`).
    pub folds_used: usize,
}

/// One variant's inner-CV loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VariantLoss {
    /// The bandwidth (knn, rknn) or exponent (reg); 0 for bmf.
    pub value: f64,
    pub loss: f64,
}

/// What the inner cross-validation chose for each predictor.
#[derive(Debug, Clone, PartialEq)]
pub struct Choices {
    /// knn's bandwidth, a multiple of the median pair distance.
    pub knn_bandwidth: f64,
    /// reg's precision-weight exponent q.
    pub reg_exponent: f64,
    pub rknn_bandwidth: f64,
    /// Every variant's loss, per predictor in blend order (bmf, knn, reg, rknn).
    pub losses: [Vec<VariantLoss>; 4],
}

/// The blend's weights, in predictor order (bmf, knn, reg, rknn).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlendWeights(pub [f64; 4]);

/// The interval model.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalModel {
    pub level: f64,
    /// Coefficients of the log risk on the features of [`super::interval::FEATURES`].
    pub coefficients: [f64; 7],
    /// The conformal quantile of |error| / risk.
    pub conformal_quantile: f64,
    /// The cells it was calibrated on.
    pub n_calibration: usize,
}

/// What was used and what was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodReport {
    /// Each benchmark's scale and how it was decided, in request order.
    pub scales: Vec<ColumnScale>,
    pub choices: Choices,
    pub weights: BlendWeights,
    pub interval: IntervalModel,
    pub settings: Settings,
}

/// Benchmarks for a new model to run, chosen greedily.
#[derive(Debug, Clone, PartialEq)]
pub struct Probes {
    /// Column indices, in the order chosen.
    pub benchmarks: Vec<usize>,
    /// The search's estimate of the median absolute error (points) after each.
    pub expected_error: Vec<f64>,
}

/// The answer of [`super::complete`].
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// One per missing cell that can be predicted, request row-major order.
    pub predictions: Vec<Prediction>,
    /// The missing cells that cannot be, request row-major order.
    pub not_predicted: Vec<NotPredicted>,
    pub cross_validation: CrossValidation,
    pub method: MethodReport,
    pub probes: Option<Probes>,
}

impl Completion {
    /// The leaderboard this completion was computed from, with every
    /// predicted cell filled in; observed cells are kept, and the
    /// `not_predicted` cells stay missing (NaN).
    pub fn filled(&self, matrix: &BenchmarkMatrix) -> Array2<f64> {
        let mut scores = matrix.scores().to_owned();
        for p in &self.predictions {
            scores[(p.row, p.col)] = p.value;
        }
        scores
    }

    /// The filled leaderboard as a missing-cell policy hands it to the PCA:
    /// models without any score are dropped (and listed); a benchmark too
    /// sparse to predict is an error that names it, since the PCA needs
    /// every cell.
    pub fn completed_scores(
        &self,
        matrix: &BenchmarkMatrix,
    ) -> Result<CompletedScores, AnalysisError> {
        let mut dropped: Vec<usize> = Vec::new();
        for c in &self.not_predicted {
            match c.reason {
                NotPredictedReason::ModelWithoutScore => {
                    if dropped.last() != Some(&c.row) {
                        dropped.push(c.row);
                    }
                }
                NotPredictedReason::BenchmarkTooSparse { observed, needed } => {
                    return Err(AnalysisError::InvalidCompletion(format!(
                        "benchmark '{}' is observed for {observed} model(s); the completion \
                         needs at least {needed} to fill its gaps: leave it out of the request",
                        matrix.benchmarks()[c.col]
                    )));
                }
            }
        }
        let filled = self.filled(matrix);
        let rows: Vec<usize> = (0..matrix.n_models())
            .filter(|i| dropped.binary_search(i).is_err())
            .collect();
        let scores = filled.select(ndarray::Axis(0), &rows).into_shared();
        // A model without a score has no prediction: every cell listed here
        // is on a kept row, by its position in the leaderboard.
        let imputed = self
            .predictions
            .iter()
            .map(|p| ImputedCell {
                row: p.row,
                col: p.col,
                value: p.value,
            })
            .collect();
        Ok(CompletedScores {
            scores,
            rows,
            dropped,
            imputed,
            report: None,
        })
    }
}
