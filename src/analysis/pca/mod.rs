//! Principal component analysis of a complete score matrix, with
//! scikit-learn's semantics (`PCA(svd_solver="full")`, optionally after
//! `StandardScaler`), in linfa's idiom: unchecked [`PcaParams`] ->
//! checked [`PcaValidParams`] -> `Fit` -> fitted [`Pca`].

mod algorithm;
mod hyperparams;

pub use algorithm::{Pca, project};
pub use hyperparams::{NComponents, PcaParams, PcaValidParams, SignConvention};
