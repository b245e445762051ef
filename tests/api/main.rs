//! Integration tests: the real server on port 0, spoken to over HTTP.
//! One test binary keeps link time down.

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
mod linfa_deviations;
mod openapi;
mod operations;
mod paper;
mod properties;
mod reference;
mod reliability;
mod scaling;
mod skills;
mod skills_endpoint;
mod tables;
mod uncertainty;
