//! The paper's analyses on top of the PCA, one endpoint per file:
//! `compute-fit` (capabilities against compute per family), `law` (sigmoid
//! scaling laws with a holdout), `select-families` (which models to
//! evaluate next) and `skills` (the skills law of Sloth, on size, tokens
//! and family rather than the PCA). What they share on the wire lives here.

pub mod compute_fit;
pub mod law;
pub mod predict;
pub mod select_families;
pub mod skills;

use super::body::{BodyFormat, Limits};
use super::error::{ApiError, ErrorCode};
use super::query::TableQuery;
use super::table::{self, Picked, Table};
use crate::analysis::scaling::metadata::Compute;

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

/// The per-model columns a table query names, read for each picked model.
#[derive(Debug, Clone, Copy, Default)]
struct ModelColumns<'q> {
    family: Option<&'q str>,
    flops: Option<&'q str>,
    params: Option<&'q str>,
    tokens: Option<&'q str>,
}

/// What a table gives per model, as a JSON body would give it.
#[derive(Debug, Default)]
struct ModelValues {
    families: Option<Vec<Option<String>>>,
    flops: Option<Vec<Option<f64>>>,
    params: Option<Vec<Option<f64>>>,
    tokens: Option<Vec<Option<f64>>>,
}

impl ModelColumns<'_> {
    /// The columns' names, which are never benchmarks.
    fn names(&self) -> Vec<String> {
        [self.family, self.flops, self.params, self.tokens]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .collect()
    }

    fn read(&self, table: &dyn Table, picked: &Picked) -> Result<ModelValues, ApiError> {
        let numbers =
            |column: Option<&str>| column.map(|name| picked.numbers(table, name)).transpose();
        Ok(ModelValues {
            families: self
                .family
                .map(|name| picked.labels(table, name))
                .transpose()?,
            flops: numbers(self.flops)?,
            params: numbers(self.params)?,
            tokens: numbers(self.tokens)?,
        })
    }
}

/// A table body, read, and its leaderboard picked as the query says (never
/// from the `reserved` per-model columns).
fn read_table<Q: TableQuery>(
    format: BodyFormat,
    body: &[u8],
    query: &Q,
    reserved: Vec<String>,
    limits: &Limits,
) -> Result<(Box<dyn Table>, Picked), ApiError> {
    let params = query.table();
    let selection = params.selection(reserved, limits)?;
    let table = params.read(format, body, Some(&selection), limits)?;
    let picked = table::pick(table.as_ref(), &selection)?;
    Ok((table, picked))
}

/// A named parameter that a table body needs.
fn required<'q>(value: Option<&'q str>, name: &str) -> Result<&'q str, ApiError> {
    value.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidQuery,
            format!("a table body needs the query parameter {name}"),
        )
    })
}
