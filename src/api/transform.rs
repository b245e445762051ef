//! `POST /v1/pca/transform`: new models placed on a basis that `/v1/pca`
//! made (`return_basis`), with nothing refitted: scikit-learn's `transform`
//! after `fit`. Also the body that `/v1/scaling/predict` shares: a basis and
//! new models, as one JSON object or as a `multipart/form-data` form of a
//! JSON basis and a CSV table.

use actix_web::{HttpRequest, HttpResponse, post, web};
use ndarray::Array2;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::ToSchema;

use super::basis::{self, Basis};
use super::body::{ARROW_STREAM, BodyFormat, Limits, PARQUET, answer, body_format, parse_json};
use super::error::{ApiError, ErrorCode, Problem};
use super::multipart;
use super::pca::{ImputedCellOut, SupplementaryOut, rows};
use super::query::{self, TableQuery, table_query};
use super::schemas;
use super::scores::{ScoresField, TopLevelScores};
use super::table::{self, Selection};
use crate::analysis::matrix::ScoreRows;
use crate::analysis::pca::basis::Basis as FittedBasis;

table_query! {
    /// Query parameters: the table ones apply to the `scores` part of a
    /// multipart/form-data body (CSV, Parquet or Arrow by the part's
    /// Content-Type; wide or `layout=long`). In a wide table without
    /// `benchmarks` or `benchmark_prefix`, the columns named as the basis's
    /// benchmarks are read and every other column is ignored.
    pub struct PlacementQuery {}
}

/// A basis and the models to place on it.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!(transform_example()))]
pub struct TransformRequest {
    /// A basis exactly as /v1/pca answered it with `return_basis`.
    #[schema(value_type = Basis)]
    pub basis: Value,
    #[schema(schema_with = schemas::placed_models)]
    #[serde(deserialize_with = "crate::api::request::label_list")]
    pub models: Vec<String>,
    /// The benchmarks of the columns of `scores`, matched to the basis's by
    /// name in any order; columns the basis does not know are ignored.
    #[schema(schema_with = schemas::benchmarks)]
    #[serde(deserialize_with = "crate::api::request::label_list")]
    pub benchmarks: Vec<String>,
    #[schema(schema_with = schemas::scores)]
    pub scores: ScoresField,
}

/// The multipart/form-data form of a request that places models on a basis.
#[derive(ToSchema)]
#[allow(dead_code)] // Documents the form; the body is read by `multipart`.
pub struct PlacementForm {
    /// The basis, as JSON.
    #[schema(value_type = Object)]
    basis: Value,
    /// The models, as a table read with the query's table parameters: CSV
    /// (the default), or Parquet or an Arrow IPC stream when the part's
    /// Content-Type is `application/vnd.apache.parquet` or
    /// `application/vnd.apache.arrow.stream`.
    #[schema(value_type = String, format = Binary)]
    scores: String,
}

/// The models placed on the basis.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransformResponse {
    /// The basis used (its `fingerprint`).
    pub fingerprint: String,
    /// The models placed, in request order (the rows of `projections`).
    pub models: Vec<String>,
    /// One row of k scores per model in `models`: exactly what a
    /// `supplementary` model got at fit time.
    #[serde(serialize_with = "rows")]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub projections: Array2<f64>,
    /// Cells filled in by the basis's missing-score model (`mean`,
    /// `iterative_pca`), including every basis benchmark the rows lacked.
    pub imputed: Vec<ImputedCellOut>,
    /// Models left out for missing cells (a `drop_models` basis).
    pub dropped_models: Vec<String>,
    /// Columns sent that the basis does not know, ignored.
    pub ignored_benchmarks: Vec<String>,
}

/// The parts of a JSON request that places models on a basis.
pub(crate) trait PlacementRequest: DeserializeOwned + TopLevelScores {
    fn into_parts(self) -> (Value, NewModels);
}

impl TopLevelScores for TransformRequest {
    fn scores_mut(&mut self) -> &mut ScoresField {
        &mut self.scores
    }
}

impl PlacementRequest for TransformRequest {
    fn into_parts(self) -> (Value, NewModels) {
        let new = NewModels {
            models: self.models,
            benchmarks: self.benchmarks,
            scores: self.scores.0,
            unread: vec![],
        };
        (self.basis, new)
    }
}

/// New models as sent, before they are matched to the basis.
#[derive(Debug)]
pub(crate) struct NewModels {
    pub models: Vec<String>,
    pub benchmarks: Vec<String>,
    pub scores: ScoreRows,
    /// Table columns left unread (neither the model column nor a benchmark of the basis).
    pub unread: Vec<String>,
}

/// The boundary of a form body (`None` for JSON); 415 for anything else,
/// before the body is read.
pub(crate) fn form_boundary(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    match body_format(req)? {
        BodyFormat::Json => Ok(None),
        BodyFormat::Multipart => multipart::boundary(req).map(Some),
        BodyFormat::Csv | BodyFormat::Parquet | BodyFormat::Arrow => Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the basis with the models: application/json, or multipart/form-data with a \
             basis part (JSON) and a scores part (a table: CSV, Parquet or Arrow)",
        )),
    }
}

/// The basis (checked by `check`, whose benchmarks `benchmarks_of` gives)
/// and the new models, from a JSON body or a form.
pub(crate) fn read_placement<R: PlacementRequest, B, Q: TableQuery>(
    format: BodyFormat,
    body: &[u8],
    boundary: Option<&str>,
    query: &Q,
    limits: &Limits,
    check: impl FnOnce(&Value) -> Result<B, ApiError>,
    benchmarks_of: fn(&B) -> &[String],
) -> Result<(B, NewModels), ApiError> {
    let (basis, new) = match (format, boundary) {
        (BodyFormat::Multipart, Some(boundary)) => {
            let (basis_part, scores_part) = form_parts(body, boundary)?;
            let basis = check(&form_basis(basis_part)?)?;
            let new = read_table(scores_part, query, benchmarks_of(&basis), limits)?;
            (basis, new)
        }
        _ => {
            let (value, new) = parse_json::<R>(body)?.into_parts();
            (check(&value)?, new)
        }
    };
    limits.check_cells(new.scores.values.len())?;
    Ok((basis, new))
}

/// A form's basis part, as JSON.
pub(crate) fn form_basis(part: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(part).map_err(|err| {
        let err = ApiError::from_json(&err);
        ApiError::new(err.code, format!("the basis part: {}", err.detail))
    })
}

/// The `basis` and `scores` parts of a form.
pub(crate) fn form_parts<'a>(
    body: &'a [u8],
    boundary: &str,
) -> Result<(&'a [u8], multipart::Part<'a>), ApiError> {
    let (mut basis, mut scores) = (None, None);
    for part in multipart::parse(body, boundary)? {
        let slot = match part.name.as_str() {
            "basis" => &mut basis,
            "scores" => &mut scores,
            other => {
                return Err(ApiError::new(
                    ErrorCode::UnknownField,
                    format!("the form has a part '{other}'; it takes 'basis' and 'scores'"),
                ));
            }
        };
        let name = part.name.clone();
        if slot.replace(part).is_some() {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                format!("the form has two '{name}' parts"),
            ));
        }
    }
    fn needed<'a>(
        part: Option<multipart::Part<'a>>,
        name: &str,
        what: &str,
    ) -> Result<multipart::Part<'a>, ApiError> {
        part.ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!("the form has no '{name}' part ({what})"),
            )
        })
    }
    Ok((
        needed(basis, "basis", "the basis, as JSON")?.body,
        needed(scores, "scores", "the models, as a table")?,
    ))
}

/// The reader of a `scores` part, chosen by its media type as the other
/// endpoints choose theirs by the body's: CSV when the part names none (or
/// names the generic `application/octet-stream` or `text/plain` that form
/// clients write for a file of unknown type).
pub(crate) fn part_format(part: &multipart::Part<'_>) -> Result<BodyFormat, ApiError> {
    match part.content_type.as_deref() {
        None | Some("text/csv" | "text/plain" | "application/octet-stream") => Ok(BodyFormat::Csv),
        Some(PARQUET) => Ok(BodyFormat::Parquet),
        Some(ARROW_STREAM) => Ok(BodyFormat::Arrow),
        Some(other) => Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("the scores part is {other}; it takes text/csv, {PARQUET} or {ARROW_STREAM}"),
        )),
    }
}

/// The models of the `scores` part, read by the same table readers as every
/// other endpoint's body (CSV, Parquet, Arrow; wide or long, as the query
/// says). In a wide table without `benchmarks` or `benchmark_prefix`, the
/// columns named as the basis's benchmarks are read and the others are
/// ignored; a long table gives every benchmark it names, and those the
/// basis does not know are ignored when the models are matched to it.
fn read_table<Q: TableQuery>(
    part: multipart::Part<'_>,
    query: &Q,
    basis_benchmarks: &[String],
    limits: &Limits,
) -> Result<NewModels, ApiError> {
    let format = part_format(&part)?;
    let params = query.table();
    let mut selection: Selection<'_> = params.selection(vec![], limits)?;
    let by_basis = selection.long.is_none()
        && selection.benchmark_prefix.is_none()
        && selection.benchmarks.is_none();
    if by_basis {
        // A typed format decodes the model column and the basis's columns only.
        selection.benchmarks = Some(basis_benchmarks.to_vec());
    }
    let table = params.read(format, part.body, Some(&selection), limits)?;
    let mut unread = vec![];
    if by_basis {
        let columns = table.columns();
        let model_column = match selection.model_column {
            Some(name) => table.find(name)?,
            None => 0,
        };
        let (known, other): (Vec<usize>, Vec<usize>) = (0..columns.len())
            .filter(|&c| c != model_column)
            .partition(|&c| basis_benchmarks.contains(&columns[c]));
        if known.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NoMatchingColumns,
                "no column of the table is named as a benchmark of the basis",
            ));
        }
        selection.benchmarks = Some(known.iter().map(|&c| columns[c].clone()).collect());
        unread = other.iter().map(|&c| columns[c].clone()).collect();
    }
    let picked = table::pick(table.as_ref(), &selection)?;
    Ok(NewModels {
        models: picked.models,
        benchmarks: picked.benchmarks,
        scores: picked.scores,
        unread,
    })
}

fn pca_benchmarks(basis: &(FittedBasis, String)) -> &[String] {
    basis.0.benchmarks()
}

/// Parse, check the basis, match, place: the whole request, independent of actix.
pub fn transform_answer(
    format: BodyFormat,
    body: &[u8],
    boundary: Option<&str>,
    query: &PlacementQuery,
    limits: &Limits,
) -> Result<TransformResponse, ApiError> {
    let ((basis, fingerprint), new) = read_placement::<TransformRequest, _, _>(
        format,
        body,
        boundary,
        query,
        limits,
        |value| basis::read_basis(value, limits.max_iterations),
        pca_benchmarks,
    )?;
    let aligned = basis.align(new.models, new.benchmarks, new.scores)?;
    let placed = basis.place(&aligned.matrix)?;
    let out = SupplementaryOut::new(&aligned.matrix, &placed);
    let mut ignored_benchmarks = new.unread;
    ignored_benchmarks.extend(aligned.ignored);
    Ok(TransformResponse {
        fingerprint,
        models: out.models,
        projections: out.projections,
        imputed: out.imputed,
        dropped_models: out.dropped_models,
        ignored_benchmarks,
    })
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

/// Places new models on a fitted basis.
///
/// scikit-learn's `transform` after `fit`: the basis that /v1/pca answered
/// with `return_basis` (kept by the client; the service stores nothing)
/// places each new model exactly as `supplementary` placed it at fit time.
/// Benchmarks are matched by name; a basis benchmark the rows lack is a
/// missing cell, filled by the basis's missing-score model (row by row, so
/// a model's scores never depend on the others sent with it).
#[utoipa::path(
    tag = "pca",
    params(PlacementQuery),
    request_body(content(
        (TransformRequest = "application/json"),
        (PlacementForm = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "The models on the basis's components", body = TransformResponse),
        (status = 400, description = "`malformed_json` (the body, or the basis part, is not JSON), \
            `invalid_multipart` (a form body that cannot be read: no boundary, a part without a name, \
            cut short)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large` (body, or a Parquet part's decompressed pages, over MAX_BODY_BYTES), `too_many_cells` (over MAX_CELLS)",
            body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: neither application/json nor \
            multipart/form-data, an unsupported Content-Encoding, or a scores part that is not \
            text/csv, application/vnd.apache.parquet or application/vnd.apache.arrow.stream",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_basis` (an unknown `format`, a member missing or of \
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
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`deadline_exceeded`: the computation ran past COMPUTE_DEADLINE_MS",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal_error`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/pca/transform")]
pub async fn post_transform(
    req: HttpRequest,
    payload: web::Payload,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let query: PlacementQuery = query::parse(req.query_string())?;
    let boundary = form_boundary(&req)?;
    let limits = **limits;
    // The body's parts are read as the answer needs them, so parsing and
    // answering are one step and the compute step passes the answer on.
    answer(
        &req,
        payload,
        limits,
        move |format, body| transform_answer(format, body, boundary.as_deref(), &query, &limits),
        Ok,
    )
    .await
}
