//! The plumbing: configuration from the environment and server start-up.

pub mod compute;
pub mod config;
pub mod healthcheck;
pub mod metrics;
pub mod startup;
pub mod telemetry;
