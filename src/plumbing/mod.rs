//! The plumbing: configuration from the environment, server start-up and
//! telemetry.

pub mod config;
pub mod healthcheck;
pub mod startup;
pub mod telemetry;
