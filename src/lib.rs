//! obscaling: the capability measures of *Observational Scaling Laws*
//! (Ruan, Maddison, Hashimoto 2024) as an HTTP JSON service.
//!
//! Rooms, and data flows one way through them:
//! - [`api`], the HTTP edge: routes, request/response types, the problem+json
//!   error; it parses the query and validates, and has
//! - [`ingest`] read the body (JSON, CSV, Parquet, Arrow, forms) into one
//!   neutral leaderboard, which it hands as plain data to
//! - [`analysis`], the pure core: leaderboard matrix, PCA and the analyses on
//!   it; no actix, no JSON;
//! - [`charts`]: Vega-Lite specifications built from the core's results;
//! - [`plumbing`]: configuration, server start-up and telemetry;
//! - [`runtime`]: the metrics registry and the compute pool, std only, which
//!   the edge and the plumbing share.

pub mod analysis;
pub mod api;
pub mod charts;
pub mod ingest;
pub mod plumbing;
pub mod runtime;
