//! `GET /metrics`: the Prometheus scrape endpoint.

use actix_web::{HttpResponse, get};

use crate::runtime::metrics;

/// Prometheus metrics.
///
/// Requests by route, method and status; request latency and analysed
/// matrix sizes as histograms; the build version.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Metrics in the Prometheus text format",
        body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn get_metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics::render())
}
