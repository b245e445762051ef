//! `POST /v1/pca/transform`: new models placed on a basis that `/v1/pca`
//! made (`return_basis`), with nothing refitted: scikit-learn's `transform`
//! after `fit`. Also the body that `/v1/scaling/predict` shares: a basis and
//! new models, as one JSON object or as a `multipart/form-data` form of a
//! JSON basis and a CSV table.

use actix_web::post;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::basis::{self, Basis};
use super::body::{BodyFormat, Limits};
use super::endpoint::{Body, Endpoint, handler};
use super::error::ApiError;
use super::pca::placed_models;
use super::query::{TableQuery, table_query};
use crate::analysis::pca::basis::Basis as FittedBasis;
use crate::ingest::multipart::{self, Part};
use crate::ingest::scores::TopLevelScores;
use crate::ingest::{self, Benchmarks, Leaderboard, PerModelColumns, json};

table_query! {
    /// Query parameters: the table ones apply to the `scores` part of a
    /// multipart/form-data body (CSV, Parquet or Arrow by the part's
    /// Content-Type; wide or `layout=long`). In a wide table without
    /// `benchmarks` or `benchmark_prefix`, the columns named as the basis's
    /// benchmarks are read and every other column is ignored.
    pub struct PlacementQuery {}
}

/// Defines the JSON request of an endpoint that places models on a basis:
/// `basis` (with the attributes given: its documentation and schema), then
/// the models with their scores; the type is a [`PlacementRequest`].
macro_rules! placement_request {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(#[$basis:meta])* basis
        }
    ) => {
        $crate::api::request::leaderboard_request! {
            @fields $name [$(#[$attr])*] [$(#[$basis])* pub basis: serde_json::Value,] placed_models [
                /// The benchmarks of the columns of `scores`, matched to the basis's by
                /// name in any order; columns the basis does not know are ignored.
            ] {}
        }

        impl $crate::api::transform::PlacementRequest for $name {
            fn into_parts(mut self) -> (serde_json::Value, $crate::ingest::Leaderboard) {
                let new = self.take_scores();
                (self.basis, new)
            }
        }
    };
}

pub(crate) use placement_request;

placement_request! {
    /// A basis and the models to place on it.
    #[schema(example = json!(transform_example()))]
    pub struct TransformRequest {
        /// A basis exactly as /v1/pca answered it with `return_basis`.
        #[schema(value_type = Basis)]
        basis
    }
}

placed_models! {
    /// The models placed on the basis.
    pub struct TransformResponse {
        [
            /// The basis used (its `fingerprint`).
            pub fingerprint: String,
        ]
        /// The models placed, in request order (the rows of `projections`).
        models,
        /// One row of k scores per model in `models`: exactly what a
        /// `supplementary` model got at fit time.
        projections,
        /// Cells filled in by the basis's missing-score model (`mean`,
        /// `iterative_pca`), including every basis benchmark the rows lacked.
        imputed,
        /// Models left out for missing cells (a `drop_models` basis).
        dropped_models,
        [
            /// Columns sent that the basis does not know, ignored.
            pub ignored_benchmarks: Vec<String>,
        ]
    }
}

/// The parts of a JSON request that places models on a basis: the basis,
/// and the new models as a leaderboard.
pub(crate) trait PlacementRequest: DeserializeOwned + TopLevelScores {
    fn into_parts(self) -> (Value, Leaderboard);
}

/// The parts of a form that places models on a basis.
pub(crate) const FORM: [(&str, &str); 2] = [
    ("basis", "the basis, as JSON"),
    ("scores", "the models, as a table"),
];

/// The basis (checked by `check`, whose benchmarks `benchmarks_of` gives)
/// and the new models, from a JSON body or a form.
pub(crate) fn read_placement<R: PlacementRequest, B>(
    body: Body<'_>,
    query: &impl TableQuery,
    limits: &Limits,
    check: impl FnOnce(&Value) -> Result<B, ApiError>,
    benchmarks_of: fn(&B) -> &[String],
) -> Result<(B, Leaderboard), ApiError> {
    let (basis, new) = match (body.format, body.boundary) {
        (BodyFormat::Multipart, Some(boundary)) => {
            let [basis_part, scores_part] = multipart::fields(body.bytes, boundary, FORM)?;
            let basis = check(&form_basis(basis_part.body)?)?;
            let new = read_models(&scores_part, query, benchmarks_of(&basis), limits)?;
            (basis, new)
        }
        _ => {
            let (value, new) = json::parse::<R>(body.bytes)?.into_parts();
            (check(&value)?, new)
        }
    };
    limits.check_cells(new.cells())?;
    Ok((basis, new))
}

/// A form's basis part, as JSON.
pub(crate) fn form_basis(part: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(part).map_err(|err| {
        let err = ApiError::from_json(&err);
        ApiError::new(err.code, format!("the basis part: {}", err.detail))
    })
}

/// The models of the `scores` part, read by the same table readers as every
/// other endpoint's body (CSV, Parquet, Arrow by the part's media type;
/// wide or long, as the query says). In a wide table without `benchmarks`
/// or `benchmark_prefix`, the columns named as the basis's benchmarks are
/// read and the others are ignored; a long table gives every benchmark it
/// names, and those the basis does not know are ignored when the models
/// are matched to it.
fn read_models(
    part: &Part<'_>,
    query: &impl TableQuery,
    basis_benchmarks: &[String],
    limits: &Limits,
) -> Result<Leaderboard, ApiError> {
    let format = part.table_format()?;
    let mut spec = query.table().spec(PerModelColumns::default())?;
    if spec.benchmarks == Benchmarks::Numeric {
        spec.benchmarks = Benchmarks::Known(basis_benchmarks.to_vec());
    }
    Ok(ingest::read(format, part.body, &spec, &limits.read())?)
}

fn pca_benchmarks(basis: &(FittedBasis, String)) -> &[String] {
    basis.0.benchmarks()
}

/// `POST /v1/pca/transform`: the body's parts are read as the answer needs
/// them, so reading the body answers it.
pub struct TransformEndpoint;

impl Endpoint for TransformEndpoint {
    type Query = PlacementQuery;
    type Input = TransformResponse;
    type Answer = TransformResponse;
    const FORMS: bool = true;

    fn read(
        body: Body<'_>,
        query: &PlacementQuery,
        limits: &Limits,
    ) -> Result<TransformResponse, ApiError> {
        transform_answer(body, query, limits)
    }

    fn answer(answer: TransformResponse, _: &Limits) -> Result<TransformResponse, ApiError> {
        Ok(answer)
    }
}

/// Parse, check the basis, match, place: the whole request.
fn transform_answer(
    body: Body<'_>,
    query: &PlacementQuery,
    limits: &Limits,
) -> Result<TransformResponse, ApiError> {
    let ((basis, fingerprint), new) = read_placement::<TransformRequest, _>(
        body,
        query,
        limits,
        |value| basis::read_basis(value, limits.max_iterations),
        pca_benchmarks,
    )?;
    let aligned = basis.align(new.models, new.benchmarks, new.scores)?;
    let placed = basis.place(&aligned.matrix)?;
    let mut ignored_benchmarks = new.unread;
    ignored_benchmarks.extend(aligned.ignored);
    Ok(TransformResponse::new(
        &aligned.matrix,
        &placed,
        fingerprint,
        ignored_benchmarks,
    ))
}

/// The spec's example request: two new models on the example basis, one
/// without GSM8K (filled by the basis's `iterative_pca`), in another column
/// order and with a column the basis does not know.
pub fn transform_example() -> Value {
    serde_json::json!({
        "basis": basis::basis_example(),
        "models": ["meta-llama/Meta-Llama-3-8B", "google/gemma-7b"],
        "benchmarks": ["GSM8K", "MMLU", "HellaSwag", "ARC-C", "TruthfulQA"],
        "scores": [[0.4549, 0.6649, 0.8209, 0.6015, 0.4395], [null, 0.6603, 0.8247, 0.6109, 0.4491]],
    })
}

handler! {
    /// Places new models on a fitted basis.
    ///
    /// scikit-learn's `transform` after `fit`: the basis that /v1/pca answered
    /// with `return_basis` (kept by the client; the service stores nothing)
    /// places each new model exactly as `supplementary` placed it at fit time.
    /// Benchmarks are matched by name; a basis benchmark the rows lack is a
    /// missing cell, filled by the basis's missing-score model (row by row, so
    /// a model's scores never depend on the others sent with it).
    post "/v1/pca/transform" => post_transform(TransformEndpoint), tag "pca",
    placement(PlacementQuery, TransformRequest),
    ok(description = "The models on the basis's components", body = TransformResponse),
    unanswerable "`invalid_basis` (an unknown `format`, a member missing or of \
            the wrong type, inconsistent lengths, a number that is not finite, components not \
            orthonormal to 1e-8, a scale not positive, an imputation rank, tol, max_iter or bounds \
            a fit could not have, or a `fingerprint` that does not match the content: the detail names \
            what is wrong), `number_out_of_range` (a number too large for an f64), `invalid_request`, \
            `unknown_field` (also a form part other than basis and scores), `shape_mismatch`, \
            `empty_label`, `duplicate_model`, `duplicate_benchmark`, `no_benchmarks`, \
            `non_finite_score`, `missing_scores` (a missing cell under a `reject` basis), \
            `unobserved_model` (a model with no score the basis knows, under `mean` or \
            `iterative_pca`), `numeric_overflow`; for the scores part also `invalid_query`, \
            `invalid_csv`, `invalid_parquet`, `invalid_arrow` (the part cannot be read), \
            `unknown_column`, `no_matching_columns`, `invalid_score`, `duplicate_score` (a long \
            table's pair with two scores, duplicates=reject)",
}
