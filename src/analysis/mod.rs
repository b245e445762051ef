//! The analysis core: pure functions over `ndarray`, no HTTP and no JSON.
//!
//! Data enters through [`BenchmarkMatrix`], the only way to build a leaderboard
//! (it checks shape, labels and values once), and leaves as plain structs that
//! the HTTP edge serialises. Nothing here re-validates what a constructor has
//! already checked.

pub mod budget;
pub mod design;
pub mod eigen;
pub mod error;
pub mod impute;
pub mod linalg;
pub mod matrix;
pub mod moments;
pub mod pca;
pub mod regression;
pub mod scaling;
pub mod sigmoid;
pub mod uncertainty;

pub use error::AnalysisError;
pub use impute::{
    CompletedScores, ImputedCell, IterationReport, IterativePcaParams, MissingPolicy,
};
pub use matrix::{BenchmarkMatrix, Cell};
pub use pca::{NComponents, Pca, PcaParams, PcaValidParams, SignConvention};

pub use linfa::ParamGuard;
