//! `POST /v1/pca?<query>` and `POST /v1/inspect` with an
//! `application/vnd.apache.parquet` body. Input: optional first line
//! `?<query string>` (benchmark selection, `layout=long`, options), then the
//! file (see `obscaling_fuzz::split_csv_input`). Besides the invariants of
//! every answer, the decoder must stay within the body and cell limits
//! (the run's -rss_limit_mb catches a decompression that does not).
#![no_main]

use libfuzzer_sys::fuzz_target;
use obscaling::api::body::BodyFormat;

fuzz_target!(|data: &[u8]| {
    let (query, body) = obscaling_fuzz::split_csv_input(data);
    obscaling_fuzz::run(BodyFormat::Parquet, &query, body);
    obscaling_fuzz::run_inspect(BodyFormat::Parquet, body);
});
