//! Errors of the analysis core, worded in the user's terms (models,
//! benchmarks, cells), so the HTTP edge can pass the message on verbatim.

/// One cell of the leaderboard, by its labels: what an error names (and
/// [`super::BenchmarkMatrix`] answers), defined here so that the errors
/// depend on nothing of the matrix that raises them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub model: String,
    pub benchmark: String,
}

/// Everything that can make a leaderboard unanswerable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("{what} has {got} {unit}, but {expected_from} gives {expected}")]
    ShapeMismatch {
        what: String,
        got: usize,
        unit: &'static str,
        expected: usize,
        expected_from: &'static str,
    },
    #[error("the model label at position {index} is empty")]
    EmptyModelLabel { index: usize },
    #[error("the benchmark label at position {index} is empty")]
    EmptyBenchmarkLabel { index: usize },
    #[error("the name of the target at position {index} is empty")]
    EmptyTargetLabel { index: usize },
    #[error("model '{label}' appears more than once (positions {first} and {second})")]
    DuplicateModel {
        label: String,
        first: usize,
        second: usize,
    },
    #[error("benchmark '{label}' appears more than once (positions {first} and {second})")]
    DuplicateBenchmark {
        label: String,
        first: usize,
        second: usize,
    },
    #[error("the leaderboard has no benchmarks")]
    NoBenchmarks,
    #[error("the score of model '{model}' on benchmark '{benchmark}' is not a finite number")]
    NonFiniteScore { model: String, benchmark: String },
    #[error(
        "{count} score cell(s) are missing, first: model '{}' on benchmark '{}'; \
         fill them in or choose a missing-cell policy",
        .cells[0].model, .cells[0].benchmark
    )]
    MissingScores { count: usize, cells: Vec<Cell> },
    #[error("benchmark '{benchmark}' has no observed value")]
    UnobservedBenchmark { benchmark: String },
    #[error("model '{model}' has no observed score")]
    UnobservedModel { model: String },
    #[error("{0}")]
    InvalidImputation(String),
    #[error("{0}")]
    InvalidBootstrap(String),
    #[error(
        "{optional} optional families would take 2^{optional} subsets to search exhaustively; \
         the limit is {limit} (name some families as required, or merge small ones)"
    )]
    TooManyFamilies { optional: usize, limit: usize },
    #[error("supplementary model '{model}' is also one of the fitted models")]
    SupplementaryClash { model: String },
    #[error("{0}")]
    InvalidCompute(String),
    #[error("{0}")]
    InvalidTarget(String),
    #[error("{0}")]
    InvalidLaw(String),
    #[error("{0}")]
    InvalidDesign(String),
    #[error("{0}")]
    InvalidSplit(String),
    /// An error of one target's law among several.
    #[error("target '{target}': {error}")]
    ForTarget {
        target: String,
        error: Box<AnalysisError>,
    },
    #[error("{0}")]
    InvalidReferenceFamily(String),
    /// A basis sent back by a client that is not one this service could
    /// have made (wrong lengths, non-finite numbers, components that are
    /// not orthonormal, ...).
    #[error("invalid basis: {0}")]
    InvalidBasis(String),
    #[error(
        "the law needs at least {needed} training models (its parameters: one weight per \
         component, an intercept and a floor), got {n_train}"
    )]
    TooFewTrainingModels { n_train: usize, needed: usize },
    #[error("PCA needs at least 2 models, got {n_models}")]
    TooFewModels { n_models: usize },
    #[error("{0}")]
    InvalidNComponents(String),
    #[error("every benchmark is constant across models: there is no variance to decompose")]
    ZeroVariance,
    #[error(
        "the scores are too large in magnitude to compute their variance in 64-bit floating point"
    )]
    NumericOverflow,
    /// A model placed on a fit (supplementary, transformed, predicted)
    /// whose finite scores give a non-finite completion or projection.
    #[error(
        "model '{model}' lies too far from the fitted models to be placed on their components \
         in 64-bit floating point: its centred, scaled scores or its projection overflow"
    )]
    PlacementOverflow { model: String },
    /// A benchmark whose spread is below the smallest normal f64, where a
    /// fit that divides by it or decomposes at its scale would work with
    /// fewer digits than it promises (see `moments::SMALLEST_SPREAD`).
    #[error(
        "{} varies by {std:e} (its population standard deviation), less than \
         2.2250738585072014e-308, the smallest normal 64-bit float, below which a number keeps \
         fewer than 53 significant bits: {consequence}; multiply every score by one power of ten \
         (which changes no explained-variance ratio or component)",
        benchmark_label(*.column, .benchmark.as_deref())
    )]
    NumericUnderflow {
        /// Its column in the fitted scores.
        column: usize,
        /// Its name, once a caller that knows the labels has added it.
        benchmark: Option<String>,
        std: f64,
        /// What cannot be computed at that spread.
        consequence: &'static str,
    },
    #[error("the singular value decomposition did not converge")]
    NoConvergence,
    #[error("the computation did not finish within the deadline (COMPUTE_DEADLINE_MS)")]
    DeadlineExceeded,
    #[error("invalid parameter: {0}")]
    Parameter(String),
    /// A skills-law input or option that cannot be fitted.
    #[error("{0}")]
    InvalidSkills(String),
    #[error("family '{family}' has no scored model: the skills law cannot estimate its efficiency")]
    FamilyWithoutScores { family: String },
    /// A completion input or option that cannot be answered.
    #[error("{0}")]
    InvalidCompletion(String),
    #[error(
        "the completion needs at least {needed} models (a benchmark is predicted from at least \
         {needed} observed scores), got {n_models}"
    )]
    TooFewModelsToComplete { n_models: usize, needed: usize },
}

fn benchmark_label(column: usize, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("benchmark '{name}'"),
        None => format!("the benchmark in column {}", column + 1),
    }
}

impl AnalysisError {
    /// The error with the benchmark it is about named by `benchmarks` (the
    /// labels of the fitted columns), for errors raised by a fit that sees
    /// only numbers.
    pub fn naming_benchmarks(self, benchmarks: &[String]) -> Self {
        match self {
            AnalysisError::NumericUnderflow {
                column,
                benchmark: None,
                std,
                consequence,
            } => AnalysisError::NumericUnderflow {
                column,
                benchmark: benchmarks.get(column).cloned(),
                std,
                consequence,
            },
            other => other,
        }
    }
}

/// linfa's `Fit` requires the error to absorb linfa's own error type; linfa
/// only produces parameter and shape complaints, which we report as such.
impl From<linfa::Error> for AnalysisError {
    fn from(err: linfa::Error) -> Self {
        AnalysisError::Parameter(err.to_string())
    }
}
