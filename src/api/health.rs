//! Probes: liveness (the process serves HTTP) and readiness (it can take
//! analysis requests; it needs no external dependency, so the two agree).

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` (liveness) or `ready` (readiness).
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness probe.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The service is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness probe.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The service takes requests", body = Health)))]
#[get("/readyz")]
pub async fn readyz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ready" })
}
