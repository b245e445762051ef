//! The analysis core: pure functions over `ndarray`, no HTTP and no JSON,
//! in a folder per algorithm: [`pca`], [`scaling`] (the paper's analyses on
//! the PCA), [`skills`] (the skills law of Sloth), on the shared
//! [`numerics`].
//!
//! Data enters through [`BenchmarkMatrix`], the only way to build a leaderboard
//! (it checks shape, labels and values once), and the per-model facts of
//! [`scaling::metadata`]; options arrive as checked parameters. Each analysis
//! is one function over those types ([`pca::fit::analyse`],
//! [`scaling::compute_fit::compute_fit`], [`scaling::law::fit_law`],
//! [`scaling::design::select_families`]) and returns plain structs that the
//! HTTP edge serialises. Nothing here re-validates what a constructor has
//! already checked.

pub mod budget;
pub mod complete;
pub mod error;
pub mod matrix;
pub mod numerics;
pub mod pca;
pub mod scaling;
pub mod skills;

pub use error::AnalysisError;
pub use matrix::{BenchmarkMatrix, Cell};
pub use pca::impute::{
    CompletedScores, ImputedCell, IterationReport, IterativePcaParams, MissingPolicy,
};
pub use pca::{NComponents, Pca, PcaParams, PcaValidParams, SignConvention};

pub use linfa::ParamGuard;
