//! In-process tests of the analysis core (src/analysis): its functions called
//! directly, no server. The HTTP tests are the `api` binary (tests/api/).

mod complete;
mod properties;
mod skills;
mod skips;
#[path = "../../benches/common/sloth.rs"]
mod sloth;
mod uncertainty;
