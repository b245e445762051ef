//! `POST /v1/pca?<query>` and `POST /v1/inspect` with an
//! `application/vnd.apache.parquet` body. Input: optional first line
//! `?<query string>` (benchmark selection, `layout=long`, options), then the
//! file (see `obscaling_fuzz::split_csv_input`), or one of the fixtures
//! with byte edits (`obscaling_fuzz::table_input`). Besides the invariants of
//! every answer, the decoder must stay within the body and cell limits
//! (the run's -rss_limit_mb catches a decompression that does not).
#![no_main]

use libfuzzer_sys::fuzz_target;
use obscaling::api::body::BodyFormat;

/// The fixtures an input with edits starts from (`obscaling_fuzz::table_input`).
const FIXTURES: &[&[u8]] = &[
    include_bytes!("../../tests/fixtures/tables/gaps.polars.parquet"),
    include_bytes!("../../tests/fixtures/tables/gaps.pyarrow-zstd.parquet"),
    include_bytes!("../../tests/fixtures/tables/gaps_long.pyarrow-snappy.parquet"),
    include_bytes!("../../tests/fixtures/tables/paper.duckdb.parquet"),
    include_bytes!("../../tests/fixtures/tables/paper.polars.parquet"),
    include_bytes!("../../tests/fixtures/tables/paper.pyarrow-snappy.parquet"),
    include_bytes!("../../tests/fixtures/tables/paper.pyarrow-zstd.parquet"),
    include_bytes!("../../tests/fixtures/tables/paper_long.polars.parquet"),
    include_bytes!("../../tests/fixtures/tables/small.pyarrow-gzip.parquet"),
];

fuzz_target!(|data: &[u8]| {
    let (query, body) = obscaling_fuzz::table_input(FIXTURES, data);
    obscaling_fuzz::run(BodyFormat::Parquet, &query, &body);
    obscaling_fuzz::run_inspect(BodyFormat::Parquet, &body);
});
