//! The paper's analyses on top of the PCA, one endpoint per file:
//! `compute-fit` (capabilities against compute per family), `law` (sigmoid
//! scaling laws with a holdout) and `select-families` (which models to
//! evaluate next). What they share on the wire lives here.

pub mod compute_fit;
pub mod law;
pub mod select_families;

use super::error::{ApiError, ErrorCode};
use crate::analysis::metadata::Compute;

/// Which compute a request gives: `flops`, or `params` and `tokens`
/// (FLOPs = 6 N D), or none.
fn compute(
    flops: Option<Vec<Option<f64>>>,
    params: Option<Vec<Option<f64>>>,
    tokens: Option<Vec<Option<f64>>>,
) -> Result<Option<Compute>, ApiError> {
    let invalid = |msg: &str| Err(ApiError::new(ErrorCode::InvalidCompute, msg));
    match (flops, params, tokens) {
        (None, None, None) => Ok(None),
        (Some(flops), None, None) => Ok(Some(Compute::Flops(flops))),
        (None, Some(params), Some(tokens)) => Ok(Some(Compute::ParamsTokens { params, tokens })),
        (Some(_), _, _) => invalid("give flops, or params and tokens, not both"),
        _ => invalid("params and tokens go together"),
    }
}
