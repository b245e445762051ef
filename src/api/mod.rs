//! The HTTP edge: routes, request/response types, body extraction and the
//! problem+json error. Every handler runs one scaffold ([`endpoint`]): the
//! query parsed and checked, the body read ([`body`]) and turned into a
//! leaderboard by [`crate::ingest`], the analysis core called, the answer
//! serialised; handlers hold no numerics and no table reading of their own.

pub mod basis;
pub mod body;
pub mod complete;
pub mod dashboard;
pub mod encoding;
pub mod endpoint;
pub mod error;
pub mod health;
pub mod inspect;
pub mod metrics;
pub mod options;
pub mod pca;
pub mod query;
pub mod request;
pub mod responses;
pub mod scaling;
pub mod schemas;
pub mod transform;
pub mod warnings;

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
        (name = "complete", description = "Completion of a sparse leaderboard: predicted scores with intervals, and which benchmarks to run next"),
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
        .service(inspect::post_inspect)
        .service(complete::post_complete);
}

/// The OpenAPI 3.1 document of the service.
pub fn openapi() -> utoipa::openapi::OpenApi {
    actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts()
        .1
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
