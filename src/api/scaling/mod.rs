//! The paper's analyses on top of the PCA, one endpoint per file:
//! `compute-fit` (capabilities against compute per family), `law` (sigmoid
//! scaling laws with a holdout), `select-families` (which models to
//! evaluate next), `skills` (the skills law of Sloth, on size, tokens and
//! family rather than the PCA) and `predict` (new models on a fitted law).
//! What they share on the wire lives here.

pub mod compute_fit;
pub mod law;
pub mod predict;
pub mod select_families;
pub mod skills;

use super::error::{ApiError, ErrorCode};

/// A named parameter that a table body needs.
fn required<'q>(value: Option<&'q str>, name: &str) -> Result<&'q str, ApiError> {
    value.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidQuery,
            format!("a table body needs the query parameter {name}"),
        )
    })
}
