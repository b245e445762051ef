//! The paper's analyses on top of the PCA: capabilities against compute per
//! family ([`compute_fit`]), sigmoid scaling laws fitted on weaker models
//! and tested on stronger ones ([`law`], [`sigmoid`], with the law's
//! [`basis`]), which families to evaluate next ([`design`]), and the
//! per-model facts they read ([`metadata`]).

pub mod basis;
pub mod compute_fit;
pub mod design;
pub mod law;
pub mod metadata;
pub mod sigmoid;
