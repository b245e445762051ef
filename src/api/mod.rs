//! The HTTP edge: routes, request/response types, body extraction and the
//! problem+json error. Handlers parse and validate, call the analysis core,
//! and serialise; they hold no numerics of their own.

pub mod basis;
pub mod body;
pub mod dashboard;
pub mod encoding;
pub mod error;
pub mod health;
pub mod inspect;
pub mod metrics;
pub mod multipart;
pub mod options;
pub mod pca;
pub mod query;
pub mod request;
pub mod scaling;
pub mod schemas;
pub mod scores;
pub mod table;
pub mod transform;

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

use error::{ApiError, ErrorCode};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "obscaling",
        description = "The capability measures of Observational Scaling Laws (Ruan, Maddison, \
            Hashimoto, NeurIPS 2024) over HTTP: PCA of a models x benchmarks leaderboard, \
            exact to scikit-learn. Every error is application/problem+json with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(error::Problem, error::ErrorCode, error::CellRef)),
    tags(
        (name = "pca", description = "Principal components of a leaderboard"),
        (name = "scaling", description = "Observational scaling laws on the principal components"),
        (name = "tables", description = "What a table body (CSV, Parquet, Arrow) holds"),
        (name = "operations", description = "Probes"),
    )
)]
struct ApiDoc;

/// Every documented route. The server and the OpenAPI document are built from
/// this one list, so the spec cannot name a route the server lacks.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::get_metrics)
        .service(pca::post_pca)
        .service(transform::post_transform)
        .service(scaling::compute_fit::post_compute_fit)
        .service(scaling::law::post_law)
        .service(scaling::predict::post_predict)
        .service(scaling::select_families::post_select_families)
        .service(scaling::skills::post_skills)
        .service(inspect::post_inspect);
}

/// The OpenAPI 3.1 document of the service.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts()
        .1;
    document_body_errors(&mut doc);
    doc
}

/// The errors of reading a request body, which every endpoint with a body
/// can answer whatever it does with it (`body::answer` reads them all):
/// written once here rather than in each endpoint's list.
fn document_body_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::response::Response;

    const ENCODING: &str = "`invalid_content_encoding`: a body sent with a Content-Encoding \
        that does not decode as one (corrupt, cut short, bytes after the end of the stream, a zstd \
        frame whose window is larger than MAX_BODY_BYTES)";
    const TIMEOUT: &str = "`body_timeout`: the body did not arrive within BODY_TIMEOUT_MS; \
        the connection is closed";
    const FRAMING: &str = "`malformed_body`: the chunked framing of the body is broken";
    for item in doc.paths.paths.values_mut() {
        let Some(operation) = item.post.as_mut() else {
            continue;
        };
        let responses = &mut operation.responses.responses;
        // The problem+json content every error response of the operation has.
        let problem = responses.get("413").and_then(|r| match r {
            RefOr::T(response) => Some(response.content.clone()),
            RefOr::Ref(_) => None,
        });
        let Some(problem) = problem else {
            continue;
        };
        let with = |description: String| {
            let mut response = Response::new(description);
            response.content = problem.clone();
            RefOr::T(response)
        };
        match responses.get_mut("400") {
            Some(RefOr::T(response)) => {
                response.description = format!("{}; {ENCODING}; {FRAMING}", response.description);
            }
            _ => {
                responses.insert("400".into(), with(format!("{ENCODING}; {FRAMING}")));
            }
        }
        responses.insert("408".into(), with(TIMEOUT.into()));
    }
}

/// The OpenAPI document as checked in at `openapi/openapi.json`
/// (`cargo run -- --openapi > openapi/openapi.json`).
pub fn openapi_json() -> String {
    openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

/// Which methods each documented path answers, for telling 405 from 404.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(BTreeMap<String, Vec<&'static str>>);

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let table = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (path.clone(), methods)
            })
            .collect();
        Self(table)
    }
}

/// Unknown paths and wrong methods, answered as problem+json like every other error.
pub async fn fallback(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    match table.0.get(req.path()) {
        Some(methods) => {
            let err = ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!(
                    "{} does not answer {}; use {}",
                    req.path(),
                    req.method(),
                    methods.join(", ")
                ),
            );
            let mut response = err.error_response();
            if let Ok(value) = methods.join(", ").parse() {
                response
                    .headers_mut()
                    .insert(actix_web::http::header::ALLOW, value);
            }
            response
        }
        None => ApiError::new(
            ErrorCode::NotFound,
            format!("no resource at {}", req.path()),
        )
        .error_response(),
    }
}
