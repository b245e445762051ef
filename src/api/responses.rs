//! The error responses that endpoints share, written once: those of reading
//! a body, by the kind of body an endpoint takes (a leaderboard, a basis
//! with models, a table to inspect), and those of computing an answer. Each
//! `utoipa::path` lists its 200, its own 422 codes, and these. They only
//! document: every error is an `ApiError` answered as problem+json.
#![allow(dead_code)]

use utoipa::IntoResponses;

use super::error::Problem;

/// How any body may fail to arrive or decode, after the codes of its kind.
macro_rules! decoding {
    () => {
        "`invalid_content_encoding`: a body sent with a Content-Encoding that does not decode as \
         one (corrupt, cut short, bytes after the end of the stream, a zstd frame whose window is \
         larger than MAX_BODY_BYTES); `malformed_body`: the chunked framing of the body is broken"
    };
}

const TIMEOUT: &str =
    "`body_timeout`: the body did not arrive within BODY_TIMEOUT_MS; the connection is closed";

/// The errors of reading a body of one kind: every kind fails the same
/// four ways (400, 408, 413, 415), each described in the kind's own terms.
macro_rules! body_errors {
    (
        $(#[$doc:meta])*
        $name:ident {
            malformed: $malformed:expr,
            too_large: $too_large:expr,
            unsupported: $unsupported:expr $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(IntoResponses)]
        pub enum $name {
            #[response(status = 400, description = $malformed,
                content_type = "application/problem+json")]
            Malformed(Problem),
            #[response(status = 408, description = TIMEOUT,
                content_type = "application/problem+json")]
            Timeout(Problem),
            #[response(status = 413, description = $too_large,
                content_type = "application/problem+json")]
            TooLarge(Problem),
            #[response(status = 415, description = $unsupported,
                content_type = "application/problem+json")]
            Unsupported(Problem),
        }
    };
}

body_errors! {
    /// The errors of a leaderboard body: JSON, or a table (CSV, Parquet, Arrow).
    LeaderboardBodyErrors {
        malformed: concat!("`malformed_json`; ", decoding!()),
        too_large: "`payload_too_large` (body, or a Parquet file's \
            decompressed pages, over MAX_BODY_BYTES), `too_many_cells` (over MAX_CELLS)",
        unsupported: "`unsupported_media_type`: not application/json, \
            text/csv, application/vnd.apache.parquet or application/vnd.apache.arrow.stream, or \
            an unsupported Content-Encoding",
    }
}

body_errors! {
    /// The errors of a body that places models on a basis: JSON, or a form of
    /// a basis part and a scores part.
    PlacementBodyErrors {
        malformed: concat!("`malformed_json` (the body, or the basis \
            part, is not JSON), `invalid_multipart` (a form body that cannot be read: no \
            boundary, a part without a name, cut short); ", decoding!()),
        too_large: "`payload_too_large` (body, or a Parquet part's \
            decompressed pages, over MAX_BODY_BYTES), `too_many_cells` (over MAX_CELLS)",
        unsupported: "`unsupported_media_type`: neither application/json \
            nor multipart/form-data, an unsupported Content-Encoding, or a scores part that is \
            not text/csv, application/vnd.apache.parquet or application/vnd.apache.arrow.stream",
    }
}

body_errors! {
    /// The errors of a table body (CSV, Parquet, Arrow), which is no JSON.
    TableBodyErrors {
        malformed: decoding!(),
        too_large: "`payload_too_large` (body, or a Parquet file's \
            decompressed pages, over MAX_BODY_BYTES), `too_many_cells` (rows x columns over \
            MAX_CELLS)",
        unsupported: "`unsupported_media_type`: not text/csv, \
            application/vnd.apache.parquet or application/vnd.apache.arrow.stream (a JSON body \
            included), or an unsupported Content-Encoding",
    }
}

/// The errors of computing an answer, whatever the endpoint.
#[derive(IntoResponses)]
pub enum ComputeErrors {
    #[response(
        status = 503,
        description = "`deadline_exceeded`: the computation ran past \
        COMPUTE_DEADLINE_MS",
        content_type = "application/problem+json"
    )]
    Deadline(Problem),
    #[response(
        status = 500,
        description = "`internal_error`",
        content_type = "application/problem+json"
    )]
    Internal(Problem),
}
