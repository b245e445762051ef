//! `POST /v1/pca`: a leaderboard in, its principal components out.

use actix_web::{HttpRequest, HttpResponse, post, web};
use linfa::DatasetBase;
use linfa::traits::Fit;
use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use super::body::{BodyFormat, BodyLimit, body_format, read_limited};
use super::error::{ApiError, ErrorCode, Problem};
use super::schemas;
use super::scores::ScoresField;
use crate::analysis::{BenchmarkMatrix, NComponents, PcaParams, SignConvention};

/// Bodies larger than this are parsed and decomposed on the blocking pool,
/// so that one large leaderboard never stalls the HTTP workers; smaller ones
/// are cheaper to answer in place than to hand over.
const OFFLOAD_MIN_BYTES: usize = 64 * 1024;

/// A leaderboard (models x benchmarks) and the PCA options.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "models": ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-hf", "Qwen/Qwen1.5-14B",
               "mistralai/Mistral-7B-v0.1", "EleutherAI/pythia-1b-deduped"],
    "benchmarks": ["MMLU", "ARC-C", "HellaSwag", "GSM8K"],
    "scores": [[0.438, 0.5307, 0.7774, 0.1448],
               [0.6983, 0.6732, 0.8733, 0.5406],
               [0.6936, 0.5657, 0.8108, 0.6763],
               [0.6416, 0.5998, 0.8331, 0.3707],
               [0.2427, 0.291, 0.4965, 0.0114]],
    "n_components": 2
}))]
pub struct PcaRequest {
    /// Row labels: one unique, non-empty name per model, in the order of `scores`.
    #[schema(schema_with = schemas::models)]
    pub models: Vec<String>,
    /// Column labels: one unique, non-empty name per benchmark, in the order of each score row.
    #[schema(schema_with = schemas::benchmarks)]
    pub benchmarks: Vec<String>,
    /// One row per model, one value per benchmark; `null` marks a missing cell
    /// (rejected with `missing_scores`: there is no imputation on this endpoint yet).
    #[schema(schema_with = schemas::scores)]
    pub scores: ScoresField,
    /// An integer k in 1..=min(n_models, n_benchmarks), or a fraction in (0, 1):
    /// the smallest k whose cumulative explained-variance ratio exceeds it
    /// (scikit-learn's rule). Default: min(n_models, n_benchmarks).
    #[serde(default)]
    #[schema(schema_with = schemas::n_components)]
    pub n_components: Option<NComponentsField>,
    /// false (default): centre each benchmark; true: also divide it by its
    /// population standard deviation (correlation PCA; a constant benchmark
    /// keeps scale 1, as scikit-learn's `StandardScaler`).
    #[serde(default)]
    pub standardize: Option<bool>,
    /// How each component's sign is fixed. Default `positive_sum`.
    #[serde(default)]
    pub sign: Option<Sign>,
}

/// How each component's arbitrary sign is fixed.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// The sum of the loadings is positive ("higher PC1 = more capable");
    /// a sum within 1e-12 of zero falls back to `max_abs_positive`.
    #[default]
    PositiveSum,
    /// The largest-magnitude loading is positive (scikit-learn >= 1.5).
    MaxAbsPositive,
}

impl From<Sign> for SignConvention {
    fn from(sign: Sign) -> Self {
        match sign {
            Sign::PositiveSum => SignConvention::PositiveSum,
            Sign::MaxAbsPositive => SignConvention::MaxAbsPositive,
        }
    }
}

/// `n_components` as sent: JSON does not tell 3 from 3.0, so any whole
/// number counts components and anything else is a variance fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NComponentsField {
    Count(i128),
    Fraction(f64),
}

impl<'de> Deserialize<'de> for NComponentsField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = NComponentsField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of components or a fraction of variance")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(NComponentsField::Count(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(NComponentsField::Count(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                if v.fract() == 0.0 && v.abs() < 1e30 {
                    Ok(NComponentsField::Count(v as i128))
                } else {
                    Ok(NComponentsField::Fraction(v))
                }
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

impl NComponentsField {
    fn to_domain(self) -> Result<NComponents, ApiError> {
        match self {
            NComponentsField::Count(k) if k >= 1 => {
                Ok(NComponents::Count(usize::try_from(k).unwrap_or(usize::MAX)))
            }
            NComponentsField::Count(k) => Err(ApiError::new(
                ErrorCode::InvalidNComponents,
                format!("n_components must be at least 1, got {k}"),
            )),
            NComponentsField::Fraction(f) => Ok(NComponents::VarianceFraction(f)),
        }
    }
}

/// The PCA of a leaderboard, with scikit-learn's names and meanings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PcaResponse {
    /// The models, in request order (the rows of `projections`).
    pub models: Vec<String>,
    /// The benchmarks, in request order (the columns of `components`).
    pub benchmarks: Vec<String>,
    /// k, the number of components kept.
    pub n_components: usize,
    /// k rows of unit-length loadings, one value per benchmark.
    #[serde(serialize_with = "rows")]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub components: Array2<f64>,
    /// Variance along each component: s^2 / (n_models - 1).
    pub explained_variance: Vec<f64>,
    /// Each component's share of the total variance of all benchmarks
    /// (not of the kept components), as scikit-learn.
    pub explained_variance_ratio: Vec<f64>,
    /// Running sum of `explained_variance_ratio`.
    pub cumulative_explained_variance_ratio: Vec<f64>,
    /// The singular values s of the centred (or standardised) score matrix.
    pub singular_values: Vec<f64>,
    /// The mean score of each benchmark.
    pub mean: Vec<f64>,
    /// The population standard deviation each benchmark was divided by, or
    /// null when not standardising.
    pub scale: Option<Vec<f64>>,
    /// The sum of the variances (ddof = 1) of all centred (or standardised) benchmarks.
    pub total_variance: f64,
    /// n rows of k scores: the centred (or standardised) scores times the
    /// components, row i for `models[i]`.
    #[serde(serialize_with = "rows")]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub projections: Array2<f64>,
}

fn rows<S: Serializer>(matrix: &Array2<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    struct Row<'a>(ArrayView1<'a, f64>);
    impl Serialize for Row<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.iter())
        }
    }
    let mut seq = serializer.serialize_seq(Some(matrix.nrows()))?;
    for row in matrix.rows() {
        seq.serialize_element(&Row(row))?;
    }
    seq.end()
}

fn to_vec(view: ArrayView1<'_, f64>) -> Vec<f64> {
    view.to_vec()
}

/// Parse, validate, decompose: the whole request, independent of actix.
pub fn answer(body: &[u8]) -> Result<PcaResponse, ApiError> {
    // serde would also accept a struct spelled as a JSON array of its fields;
    // the contract is an object, so anything else is refused up front.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "the request body must be a JSON object",
        ));
    }
    let request: PcaRequest =
        serde_json::from_slice(body).map_err(|err| ApiError::from_json(&err))?;
    let mut params = PcaParams::new()
        .standardize(request.standardize.unwrap_or(false))
        .sign(request.sign.unwrap_or_default().into());
    if let Some(n) = request.n_components {
        params = params.n_components(n.to_domain()?);
    }
    let matrix = BenchmarkMatrix::new(request.models, request.benchmarks, request.scores.0)?;
    let scores = matrix.complete_scores()?;
    let pca = params.fit(&DatasetBase::new(scores, ()))?;
    let projections = pca.transform(scores);
    Ok(respond(&matrix, &pca, projections))
}

fn respond(
    matrix: &BenchmarkMatrix,
    pca: &crate::analysis::Pca,
    projections: Array2<f64>,
) -> PcaResponse {
    let view: ArrayView2<'_, f64> = pca.components();
    PcaResponse {
        models: matrix.models().to_vec(),
        benchmarks: matrix.benchmarks().to_vec(),
        n_components: pca.n_components(),
        components: view.to_owned(),
        explained_variance: to_vec(pca.explained_variance()),
        explained_variance_ratio: to_vec(pca.explained_variance_ratio()),
        cumulative_explained_variance_ratio: pca.cumulative_explained_variance_ratio().to_vec(),
        singular_values: to_vec(pca.singular_values()),
        mean: to_vec(pca.mean()),
        scale: pca.scale().map(to_vec),
        total_variance: pca.total_variance(),
        projections,
    }
}

fn answer_bytes(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let response = answer(body)?;
    serde_json::to_vec(&response)
        .map_err(|err| ApiError::new(ErrorCode::InternalError, err.to_string()))
}

/// Principal components of a leaderboard.
///
/// Centres (and optionally standardises) each benchmark and returns the PCA
/// exactly as scikit-learn's `PCA(svd_solver="full")` computes it: loadings,
/// explained variance and its ratio to the total variance of all benchmarks,
/// singular values and the projection of every model.
#[utoipa::path(
    tag = "pca",
    request_body(content = PcaRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The PCA of the leaderboard", body = PcaResponse),
        (status = 400, description = "`malformed_json`: the body is not JSON",
            body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body exceeds MAX_BODY_BYTES",
            body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: the body is not application/json",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Well-formed but unanswerable. `invalid_request`, `unknown_field`, \
            `number_out_of_range`, `shape_mismatch` (a score row per model, a value per benchmark), \
            `empty_label`, `duplicate_model`, `duplicate_benchmark`, `no_benchmarks`, \
            `non_finite_score`, `missing_scores` (lists the cells), `too_few_models`, \
            `invalid_n_components` (more than min(n_models, n_benchmarks)), `zero_variance`, \
            `numeric_overflow`",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal_error`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/pca")]
pub async fn post_pca(
    req: HttpRequest,
    payload: web::Payload,
    limit: web::Data<BodyLimit>,
) -> Result<HttpResponse, ApiError> {
    let BodyFormat::Json = body_format(&req)?;
    let body = read_limited(&req, payload, limit.0).await?;
    let json = if body.len() >= OFFLOAD_MIN_BYTES {
        web::block(move || answer_bytes(&body))
            .await
            .map_err(|err| ApiError::new(ErrorCode::InternalError, err.to_string()))??
    } else {
        answer_bytes(&body)?
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(json))
}
