//! Process-wide services that every room may use and that use no room: the
//! metrics registry (the edge counts analysed leaderboards, the plumbing's
//! telemetry counts requests) and the compute pool the edge runs requests'
//! work on. Std only, so that no arrow runs from the edge up to the
//! plumbing that starts it.

pub mod compute;
pub mod metrics;
