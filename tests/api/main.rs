//! Integration tests: the real server on port 0, spoken to over HTTP.
//! One test binary keeps link time down. The core's in-process tests are
//! the `core` binary (tests/core/).

mod basis;
mod charts;
mod cli;
mod complete;
mod constant;
mod errors;
mod formats;
mod fuzz_corpus;
mod health;
mod helpers;
mod labels;
mod linfa_deviations;
mod lm_eval;
mod openapi;
mod operations;
mod paper;
mod reference;
mod reliability;
mod scaling;
mod skills_endpoint;
#[path = "../../benches/common/sloth.rs"]
mod sloth;
mod tables;
mod uncertainty;
