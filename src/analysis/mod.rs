//! The analysis core: pure functions over `ndarray`, no HTTP and no JSON.
//!
//! Data enters through [`BenchmarkMatrix`], the only way to build a leaderboard
//! (it checks shape, labels and values once), and the per-model facts of
//! [`metadata`]; options arrive as checked parameters. Each analysis is one
//! function over those types ([`fit::analyse`], [`compute_fit::compute_fit`],
//! [`law::fit_law`], [`design::select_families`]) and returns plain structs
//! that the HTTP edge serialises. Nothing here re-validates what a
//! constructor has already checked.

pub mod basis;
pub mod budget;
pub mod compute_fit;
pub mod design;
pub mod eigen;
pub mod error;
pub mod fit;
pub mod impute;
pub mod law;
pub mod linalg;
pub mod matrix;
pub mod metadata;
pub mod moments;
pub mod pca;
pub mod regression;
pub mod sigmoid;
pub mod skills;
pub mod uncertainty;

pub use error::AnalysisError;
pub use impute::{
    CompletedScores, ImputedCell, IterationReport, IterativePcaParams, MissingPolicy,
};
pub use matrix::{BenchmarkMatrix, Cell};
pub use pca::{NComponents, Pca, PcaParams, PcaValidParams, SignConvention};

pub use linfa::ParamGuard;
