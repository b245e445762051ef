//! Principal component analysis of a leaderboard, with scikit-learn's
//! semantics (`PCA(svd_solver="full")`, optionally after `StandardScaler`),
//! in linfa's idiom: unchecked [`PcaParams`] -> checked [`PcaValidParams`]
//! -> `Fit` -> fitted [`Pca`]. Around the decomposition: the missing-score
//! policies ([`impute`]), the whole fit of a request ([`fit::analyse`]), how
//! sure it is ([`uncertainty`]) and the basis a client keeps ([`basis`]).

mod algorithm;
pub mod basis;
pub mod fit;
mod hyperparams;
pub mod impute;
pub mod uncertainty;

pub use algorithm::{Pca, project};
pub use hyperparams::{NComponents, PcaParams, PcaValidParams, SignConvention};
