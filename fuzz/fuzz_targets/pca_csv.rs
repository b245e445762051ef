//! `POST /v1/pca?<query>` with a `text/csv` body. Input: optional first line
//! `?<query string>` (delimiter, benchmark selection, analysis options), then
//! the CSV (see `obscaling_fuzz::split_csv_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use obscaling::api::body::BodyFormat;

fuzz_target!(|data: &[u8]| {
    let (query, body) = obscaling_fuzz::split_csv_input(data);
    obscaling_fuzz::run(BodyFormat::Csv, &query, body);
});
