//! `POST /v1/pca?format=lm_eval&<query>` and `POST /v1/inspect?format=lm_eval`
//! with lm-evaluation-harness results. Input: optional first line
//! `?<query string>`, then the body: a form with the boundary `b` when it
//! starts with `--b`, JSON otherwise (a document, an array, JSON Lines).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    obscaling_fuzz::run_lm_eval(data);
});
