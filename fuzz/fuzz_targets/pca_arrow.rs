//! `POST /v1/pca?<query>` and `POST /v1/inspect` with an
//! `application/vnd.apache.arrow.stream` body. Input: optional first line
//! `?<query string>`, then the stream (see `obscaling_fuzz::split_csv_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use obscaling::api::body::BodyFormat;

fuzz_target!(|data: &[u8]| {
    let (query, body) = obscaling_fuzz::split_csv_input(data);
    obscaling_fuzz::run(BodyFormat::Arrow, &query, body);
    obscaling_fuzz::run_inspect(BodyFormat::Arrow, body);
});
