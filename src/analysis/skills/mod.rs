//! The skills scaling law of *Sloth* (Maia Polo et al., ICML 2025): a few
//! latent skills per model, linear in log parameters and log training
//! tokens plus a per-family efficiency, read by every benchmark through a
//! monotone link. It predicts a new family's larger models from its smallest
//! one.
//!
//! z_i = A x_i + E[family_i], x_i = [ln S, ln T, ln S ln T] (S = parameters
//! in billions, T = training tokens in trillions; each column standardised
//! over the fitted models); benchmark j reads eta_ij = W_j . z_i + b_j and
//! scores y_ij = c_j + (1 - c_j) g_j(eta_ij), with c_j a fixed chance floor.
//!
//! The fit is penalised least squares by Levenberg-Marquardt, in two stages
//! (a sigmoid link first, then the monotone `asym` link from there), and the
//! default `Monotone` link blends that parametric link half and half with an
//! isotonic regression of each benchmark on the fitted eta of the training
//! models. [`evaluate`] runs the paper's leave-family-group-out protocol and
//! [`baselines`] the paper's two reference methods on the same splits.
//!
//! The files, each depending only on those above it: the checked
//! leaderboard ([`data`]), the links ([`link`]) and [`isotonic`] regression,
//! the law's definition and a fitted law ([`basis`]), the options
//! ([`hyperparams`]), the least-squares problems (`residuals`), the fit
//! (`model`), then [`baselines`] and [`evaluate`]. This file only declares
//! and re-exports them.

pub mod baselines;
pub mod basis;
pub mod data;
pub mod evaluate;
pub mod hyperparams;
pub mod isotonic;
mod leaderboard;
pub mod link;
mod model;
mod residuals;

pub use basis::{
    FittedRange, Link, NewModel, OutsideRange, Size, SkillsBasis, SkillsBasisParts, SkillsPlacement,
};
pub use data::{SkillsData, SkillsModel};
pub use evaluate::{BaselineScores, GroupResult, ProtocolScores, SkillsEvaluation, evaluate};
pub use hyperparams::{DEFAULT_SKILLS, SkillsParams, SkillsSpec};
pub use isotonic::Isotonic;
pub use link::LinkKind;
pub use model::{SkillsFit, fit_skills};
