//! `POST /v1/pca` with a JSON body: arbitrary bytes as the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use obscaling::api::body::BodyFormat;

fuzz_target!(|data: &[u8]| {
    obscaling_fuzz::run(BodyFormat::Json, "", data);
});
