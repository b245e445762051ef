//! `POST /v1/pca?<query>` and `POST /v1/inspect` with an
//! `application/vnd.apache.arrow.stream` body. Input: optional first line
//! `?<query string>`, then the stream (see `obscaling_fuzz::split_csv_input`), or one of the
//! fixtures with byte edits (`obscaling_fuzz::table_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use obscaling::api::body::BodyFormat;

/// The fixtures an input with edits starts from (`obscaling_fuzz::table_input`).
const FIXTURES: &[&[u8]] = &[
    include_bytes!("../../tests/fixtures/tables/gaps.polars.arrows"),
    include_bytes!("../../tests/fixtures/tables/gaps.pyarrow.arrows"),
    include_bytes!("../../tests/fixtures/tables/paper.polars.arrows"),
    include_bytes!("../../tests/fixtures/tables/paper.pyarrow.arrows"),
];

fuzz_target!(|data: &[u8]| {
    let (query, body) = obscaling_fuzz::table_input(FIXTURES, data);
    obscaling_fuzz::run(BodyFormat::Arrow, &query, &body);
    obscaling_fuzz::run_inspect(BodyFormat::Arrow, &body);
});
