//! Request bodies sent with a `Content-Encoding`: one decoder for gzip
//! (`x-gzip` too, every member of a multi-member file), deflate (zlib), br
//! and zstd, bounded by what the body may hold.
//!
//! The decoded bytes go into one buffer, a step at a time, and decoding
//! stops one byte past `MAX_BODY_BYTES` (413): a small compressed body can
//! never expand into more than the limit, whatever its stream declares.
//! Nothing is sized by the stream either: zstd's window is capped at the
//! body limit (a frame that asks for more, `zstd --long=31` for one, is
//! refused before anything is allocated for it) and brotli's is at most
//! 16 MiB by its format (the large-window extension is refused). Bytes after
//! the end of the stream, a stream cut short, and a corrupt one are 400
//! `invalid_content_encoding`, never a JSON or CSV error. The deadline is
//! checked between steps.

use std::io::Read;

use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_ENCODING;
use brotli_decompressor::{BrotliDecompressStream, BrotliResult, BrotliState, StandardAlloc};

use super::error::{ApiError, ErrorCode};
use crate::analysis::budget;

/// How much is decoded between two deadline checks.
const STEP: usize = 1 << 20;

/// The `Content-Encoding` of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    /// `gzip` or `x-gzip` (RFC 1952), any number of members.
    Gzip,
    /// `deflate`: the zlib format (RFC 1950), as HTTP defines it.
    Deflate,
    /// `br` (RFC 7932).
    Brotli,
    /// `zstd` (RFC 8878), any number of frames.
    Zstd,
}

impl Encoding {
    /// The request's encoding; 415 for one this service does not decode,
    /// and for more than one (`gzip, br`: a chain nobody sends).
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        let mut values = req.headers().get_all(CONTENT_ENCODING);
        let Some(value) = values.next() else {
            return Ok(Self::Identity);
        };
        let unsupported = |what: &str| {
            ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "Content-Encoding {what} is not supported: send one of gzip, x-gzip, \
                     deflate, br, zstd or identity"
                ),
            )
        };
        let text = value.to_str().map_err(|_| unsupported("(not ASCII)"))?;
        if values.next().is_some() || text.contains(',') {
            return Err(unsupported("with more than one coding"));
        }
        match text.trim().to_ascii_lowercase().as_str() {
            "identity" | "" => Ok(Self::Identity),
            "gzip" | "x-gzip" => Ok(Self::Gzip),
            "deflate" => Ok(Self::Deflate),
            "br" => Ok(Self::Brotli),
            "zstd" => Ok(Self::Zstd),
            other => Err(unsupported(&format!("{other:?}"))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Gzip => "gzip",
            Self::Deflate => "deflate",
            Self::Brotli => "br",
            Self::Zstd => "zstd",
        }
    }
}

/// The largest zstd window (as a power of two) a body of `limit` bytes is
/// allowed: a window never needs to reach past the whole content, but at
/// least 2^23, the window of zstd's highest standard level (19), so that
/// any stream of levels 1 to 19 decodes under a small limit too. zstd's own
/// default cap (2^27) would let a frame make a 32 MiB service allocate
/// 128 MiB, and `--long=31` asks for 2 GiB. (The window's pages are only
/// touched as content passes through it, and the content stops at the
/// limit; the cap keeps the allocation itself in proportion.)
pub fn zstd_window_log_max(limit: usize) -> u32 {
    let needed = usize::BITS - limit.saturating_sub(1).leading_zeros();
    needed.clamp(23, 31)
}

/// `input` decoded, at most `limit` bytes of it: 413 `payload_too_large`
/// past that, 400 `invalid_content_encoding` for a stream that is not one,
/// 503 at the deadline.
pub fn decode(encoding: Encoding, input: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let name = encoding.name();
    match encoding {
        Encoding::Identity => Ok(input.to_vec()),
        Encoding::Gzip => drain(flate2::bufread::MultiGzDecoder::new(input), limit, name),
        Encoding::Deflate => {
            let mut decoder = flate2::bufread::ZlibDecoder::new(input);
            let out = drain(&mut decoder, limit, name)?;
            trailing(decoder.get_ref().len(), name)?;
            Ok(out)
        }
        Encoding::Zstd => {
            if zstd_declared_size(input).is_some_and(|size| size > limit as u64) {
                return Err(too_large(limit));
            }
            let window_log = zstd_window_log_max(limit);
            let mut decoder = zstd::stream::read::Decoder::with_buffer(input)
                .map_err(|err| invalid(name, &err))?;
            decoder
                .window_log_max(window_log)
                .map_err(|err| invalid(name, &err))?;
            drain(decoder, limit, name).map_err(|err| {
                // zstd's words for a frame whose window is over the cap.
                if err.detail.contains("too much memory") {
                    ApiError::new(
                        ErrorCode::InvalidContentEncoding,
                        format!(
                            "a zstd frame needs a window of more than 2^{window_log} bytes, more \
                             than a body within MAX_BODY_BYTES ({limit}) can need; compress \
                             without --long, or with a window of at most 2^{window_log}"
                        ),
                    )
                } else {
                    err
                }
            })
        }
        Encoding::Brotli => brotli(input, limit),
    }
}

/// The content size all of `input`'s zstd frames declare, when every one
/// declares it (read from the frame headers, nothing decoded): a body that
/// says it is over the limit is a 413 at once, whatever its window.
fn zstd_declared_size(mut input: &[u8]) -> Option<u64> {
    use zstd::zstd_safe;
    let mut total = 0u64;
    while !input.is_empty() {
        let size = zstd_safe::get_frame_content_size(input).ok()??;
        let frame = zstd_safe::find_frame_compressed_size(input).ok()?;
        total = total.saturating_add(size);
        input = input.get(frame..)?;
    }
    Some(total)
}

/// Reads `reader` to its end, a step at a time, into one buffer of at most
/// `limit` bytes (one byte more tells that the body is over it).
fn drain(mut reader: impl Read, limit: usize, name: &str) -> Result<Vec<u8>, ApiError> {
    let mut out = output(limit);
    loop {
        budget::check()?;
        let room = limit.saturating_add(1) - out.len();
        let step = STEP.min(room);
        let read = (&mut reader)
            .take(step as u64)
            .read_to_end(&mut out)
            .map_err(|err| invalid(name, &err))?;
        if out.len() > limit {
            return Err(too_large(limit));
        }
        if read < step {
            return Ok(fitted(out));
        }
    }
}

/// The buffer decoded bytes go into: room for the limit and one byte more,
/// reserved once. Its pages are only touched as bytes are written, and it
/// never moves: a buffer grown by doubling copies itself each time, holding
/// the old and the new copy at once, and leaves the smaller blocks behind
/// (eight bombs decoded one after another rose 94 MiB that way, against
/// about one limit's worth now).
fn output(limit: usize) -> Vec<u8> {
    Vec::with_capacity(limit.saturating_add(1))
}

/// A small decoded body moved into a buffer of its size, so that the limit's
/// worth of address space is not held while the body is parsed.
fn fitted(mut out: Vec<u8>) -> Vec<u8> {
    if out.len() < STEP {
        out.shrink_to_fit();
    }
    out
}

/// brotli through its streaming call on the whole input, so that bytes left
/// after the stream's end are seen (its `Read` adaptor buffers the input
/// and can miss them).
fn brotli(input: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut state = BrotliState::new(
        StandardAlloc::default(),
        StandardAlloc::default(),
        StandardAlloc::default(),
    );
    let (mut available_in, mut input_offset) = (input.len(), 0usize);
    let mut out = output(limit);
    let mut total_out = 0usize;
    loop {
        budget::check()?;
        let room = limit.saturating_add(1) - out.len();
        if room == 0 {
            return Err(too_large(limit));
        }
        let start = out.len();
        let step = STEP.min(room);
        out.resize(start + step, 0);
        let (mut available_out, mut output_offset) = (step, start);
        let result = BrotliDecompressStream(
            &mut available_in,
            &mut input_offset,
            input,
            &mut available_out,
            &mut output_offset,
            &mut out,
            &mut total_out,
            &mut state,
        );
        out.truncate(output_offset);
        match result {
            BrotliResult::NeedsMoreOutput => {}
            BrotliResult::ResultSuccess => {
                trailing(available_in, "br")?;
                return if out.len() > limit {
                    Err(too_large(limit))
                } else {
                    Ok(fitted(out))
                };
            }
            BrotliResult::NeedsMoreInput => {
                return Err(ApiError::new(
                    ErrorCode::InvalidContentEncoding,
                    "the br body ends before its stream does (cut short?)",
                ));
            }
            BrotliResult::ResultFailure => {
                return Err(ApiError::new(
                    ErrorCode::InvalidContentEncoding,
                    format!(
                        "the br body is not a valid brotli stream ({:?})",
                        state.error_code
                    ),
                ));
            }
        }
    }
}

fn trailing(left: usize, name: &str) -> Result<(), ApiError> {
    if left == 0 {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidContentEncoding,
            format!("the {name} body has {left} byte(s) after the end of its compressed stream"),
        ))
    }
}

fn invalid(name: &str, err: &std::io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidContentEncoding,
        format!("the body cannot be decoded as {name}: {err}"),
    )
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!(
            "the request body exceeds the limit of {limit} bytes (MAX_BODY_BYTES) once decoded"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TEXT: &[u8] = b"Model,MMLU\na,0.5\nb,0.25\n";

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn brotli_of(data: &[u8], window: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, window);
            w.write_all(data).unwrap();
        }
        out
    }

    fn code(result: Result<Vec<u8>, ApiError>) -> ErrorCode {
        result.expect_err("an error").code
    }

    #[test]
    fn every_encoding_round_trips() {
        let zstd = zstd::encode_all(TEXT, 3).unwrap();
        for (encoding, body) in [
            (Encoding::Identity, TEXT.to_vec()),
            (Encoding::Gzip, gzip(TEXT)),
            (Encoding::Deflate, zlib(TEXT)),
            (Encoding::Brotli, brotli_of(TEXT, 22)),
            (Encoding::Zstd, zstd),
        ] {
            assert_eq!(decode(encoding, &body, 1000).unwrap(), TEXT, "{encoding:?}");
        }
    }

    #[test]
    fn every_member_and_frame_is_decoded() {
        let mut gz = gzip(b"Model,MMLU\n");
        gz.extend(gzip(b"a,0.5\n"));
        assert_eq!(
            decode(Encoding::Gzip, &gz, 1000).unwrap(),
            b"Model,MMLU\na,0.5\n"
        );
        let mut zs = zstd::encode_all(&b"Model,MMLU\n"[..], 1).unwrap();
        zs.extend(zstd::encode_all(&b"a,0.5\n"[..], 1).unwrap());
        assert_eq!(
            decode(Encoding::Zstd, &zs, 1000).unwrap(),
            b"Model,MMLU\na,0.5\n"
        );
    }

    #[test]
    fn trailing_bytes_and_broken_streams_are_invalid_encodings() {
        let zstd = zstd::encode_all(TEXT, 3).unwrap();
        for (encoding, mut body) in [
            (Encoding::Gzip, gzip(TEXT)),
            (Encoding::Deflate, zlib(TEXT)),
            (Encoding::Brotli, brotli_of(TEXT, 22)),
            (Encoding::Zstd, zstd),
        ] {
            let whole = body.clone();
            body.extend_from_slice(b"garbage");
            assert_eq!(
                code(decode(encoding, &body, 1000)),
                ErrorCode::InvalidContentEncoding,
                "{encoding:?} with trailing bytes"
            );
            let cut = &whole[..whole.len() - 3];
            assert_eq!(
                code(decode(encoding, cut, 1000)),
                ErrorCode::InvalidContentEncoding,
                "{encoding:?} cut short"
            );
            assert_eq!(
                code(decode(encoding, b"{\"models\": []}", 1000)),
                ErrorCode::InvalidContentEncoding,
                "{encoding:?} not compressed at all"
            );
        }
    }

    #[test]
    fn output_past_the_limit_is_a_413_whatever_the_ratio() {
        let zeros = vec![0u8; 4 << 20];
        let zstd = zstd::encode_all(&zeros[..], 19).unwrap();
        for (encoding, body) in [
            (Encoding::Gzip, gzip(&zeros)),
            (Encoding::Deflate, zlib(&zeros)),
            (Encoding::Brotli, brotli_of(&zeros, 22)),
            (Encoding::Zstd, zstd),
        ] {
            assert!(body.len() < 64 << 10, "{encoding:?}: {}", body.len());
            assert_eq!(
                code(decode(encoding, &body, (1 << 20) + 7)),
                ErrorCode::PayloadTooLarge,
                "{encoding:?}"
            );
            // Exactly at the limit is accepted.
            assert_eq!(decode(encoding, &body, 4 << 20).unwrap().len(), 4 << 20);
        }
        // A zstd frame that declares its size over the limit is refused
        // before any of it is decoded, as one that does not declare it is
        // past the limit.
        let declared = zstd::bulk::compress(&zeros, 3).unwrap();
        assert_eq!(zstd_declared_size(&declared), Some(4 << 20));
        let mut undeclared = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        undeclared.include_contentsize(false).unwrap();
        undeclared.write_all(&zeros).unwrap();
        let undeclared = undeclared.finish().unwrap();
        assert_eq!(zstd_declared_size(&undeclared), None);
        for body in [declared, undeclared] {
            assert_eq!(
                code(decode(Encoding::Zstd, &body, (1 << 20) + 7)),
                ErrorCode::PayloadTooLarge
            );
            assert_eq!(
                decode(Encoding::Zstd, &body, 4 << 20).unwrap().len(),
                4 << 20
            );
        }
    }

    #[test]
    fn a_zstd_window_beyond_the_body_limit_is_refused() {
        assert_eq!(zstd_window_log_max(32 << 20), 25);
        assert_eq!(zstd_window_log_max((32 << 20) + 1), 26);
        assert_eq!(zstd_window_log_max(1), 23);
        // A frame written with a 2^27 window and no content size, as a
        // streaming compressor at a high level or with --long writes it.
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        encoder.window_log(27).unwrap();
        encoder.include_contentsize(false).unwrap();
        encoder.long_distance_matching(true).unwrap();
        encoder.write_all(TEXT).unwrap();
        let frame = encoder.finish().unwrap();
        let err = decode(Encoding::Zstd, &frame, 32 << 20).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidContentEncoding);
        assert!(err.detail.contains("2^25"), "{}", err.detail);
        // Under a limit that allows such a window, the same frame decodes.
        assert_eq!(decode(Encoding::Zstd, &frame, 128 << 20).unwrap(), TEXT);
    }

    #[test]
    fn decoding_stops_at_the_deadline() {
        let zeros = vec![0u8; 4 << 20];
        let body = gzip(&zeros);
        let past = std::time::Instant::now() - std::time::Duration::from_millis(1);
        let err = budget::with_deadline(Some(past), || decode(Encoding::Gzip, &body, 8 << 20))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::DeadlineExceeded);
    }
}
