//! A fast path for the top-level `scores` of a JSON request body.
//!
//! The scores are nearly all of a request's bytes, and serde_json reads them
//! one visitor call per cell on one thread. This module reads the same text
//! straight into a [`ScoreRows`]: a JSON number grammar check per cell, then a
//! correctly rounded conversion (Clinger's exact fast path for the usual
//! short decimals, otherwise `fast-float2`: Eisel-Lemire with an exact
//! fallback); on large bodies it cuts the rows into chunks that threads read
//! at once.
//!
//! It only ever answers for input serde_json accepts, with the same values:
//! anything it does not fully understand (a string, `true`, a number too
//! large for an f64, a key spelled with an escape, a trailing comma) makes it
//! give up, and the caller parses the whole body the ordinary way, which also
//! words the error. The rest of the body (every other field, and everything
//! after the scores) is still parsed by serde_json, with `[]` in the scores'
//! place; see `scores::parse_fast`.

use rayon::prelude::*;

use crate::analysis::matrix::ScoreRows;

/// Below this many bytes after the start of `scores`, one thread reads them:
/// a chunk must be worth more than handing it to another thread.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Each thread's chunk is at least this large.
const MIN_CHUNK_BYTES: usize = 256 << 10;

/// The top-level scores of `body`, and the byte range of their value, when
/// the body is a JSON object whose `scores` member this module can read.
pub fn top_level_scores(body: &[u8]) -> Option<(ScoreRows, std::ops::Range<usize>)> {
    let start = scores_value_start(body)?;
    let threads = rayon::current_num_threads();
    let chunks = ((body.len() - start) / MIN_CHUNK_BYTES).min(threads);
    let (rows, end) = if body.len() - start >= PARALLEL_MIN_BYTES && chunks > 1 {
        read_in_chunks(body, start, chunks)?
    } else {
        read_all(body, start)?
    };
    Some((rows, start..end))
}

/// The offset of the value of the object's first top-level `scores` key.
/// Members before it are skipped, not checked: serde_json checks them when it
/// parses the rest of the body. A later duplicate `scores` is left to it too.
fn scores_value_start(body: &[u8]) -> Option<usize> {
    let mut i = skip_ws(body, 0);
    if at(body, i) != b'{' {
        return None;
    }
    i = skip_ws(body, i + 1);
    loop {
        if at(body, i) != b'"' {
            return None;
        }
        let key_end = i + 1 + memchr::memchr2(b'"', b'\\', &body[i + 1..])?;
        // A key with an escape might still spell `scores`; serde_json decides.
        if body[key_end] != b'"' {
            return None;
        }
        let key = &body[i + 1..key_end];
        i = skip_ws(body, key_end + 1);
        if at(body, i) != b':' {
            return None;
        }
        i = skip_ws(body, i + 1);
        if key == b"scores" {
            return Some(i);
        }
        i = skip_ws(body, skip_value(body, i)?);
        if at(body, i) != b',' {
            return None;
        }
        i = skip_ws(body, i + 1);
    }
}

/// The end of the JSON value at `i`, found by its strings and brackets only.
/// Exact on valid JSON; on invalid JSON serde_json fails on the same bytes.
fn skip_value(body: &[u8], mut i: usize) -> Option<usize> {
    match at(body, i) {
        b'"' => skip_string(body, i),
        b'[' | b'{' => {
            let mut depth = 0usize;
            loop {
                match *body.get(i)? {
                    b'"' => {
                        i = skip_string(body, i)?;
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        // A number or a literal: up to the next delimiter.
        _ => {
            while !matches!(
                at(body, i),
                b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | 0
            ) {
                i += 1;
            }
            Some(i)
        }
    }
}

/// The offset after the string that starts at `i`.
fn skip_string(body: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', body.get(i..)?)?;
        if body[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// One thread: the whole array starting at `start`.
fn read_all(body: &[u8], start: usize) -> Option<(ScoreRows, usize)> {
    let mut rows = ScoreRows::default();
    // About one value per 8 bytes of a typical leaderboard, and rows of a
    // few values each; only hints, which spare the first reallocations.
    rows.values.reserve((body.len() - start) / 8);
    rows.row_lengths.reserve((body.len() - start) / 64);
    match read_rows(body, start, true, usize::MAX, &mut rows)? {
        Stop::Closed(end) => Some((rows, end)),
        Stop::Reached => None,
    }
}

/// Several threads, each from a row start near an equal share of the bytes.
/// A chunk's rows count only if the chunk before it ended exactly on that
/// chunk's first row, which proves the cut fell between two rows; the array
/// is valid only if every chunk up to the one that closes it read cleanly.
fn read_in_chunks(body: &[u8], start: usize, chunks: usize) -> Option<(ScoreRows, usize)> {
    let share = (body.len() - start) / chunks;
    let mut cuts = vec![start];
    for c in 1..chunks {
        let from = (start + c * share).max(cuts[c - 1] + 1);
        match memchr::memchr(b'[', body.get(from..)?) {
            Some(offset) => cuts.push(from + offset),
            None => break,
        }
    }
    // Each chunk's buffer is reserved here, one after another, and not in
    // the threads: the order of these large allocations then does not
    // depend on which thread starts first. In a racy order the allocator's
    // freed blocks are cut differently from one request to the next, and
    // now and then a body-sized buffer needs a fresh block, which stays
    // resident until the decay returns it.
    let mut parts: Vec<(ScoreRows, Option<Stop>)> = cuts
        .iter()
        .enumerate()
        .map(|(c, &from)| {
            // The first chunk's buffer takes the others' values in the end:
            // sized for all of them, it is not reallocated then.
            let end = match cuts.get(c + 1) {
                Some(&until) if c > 0 => until.min(body.len()),
                _ => body.len(),
            };
            let mut rows = ScoreRows::default();
            rows.values.reserve((end - from) / 8);
            (rows, None)
        })
        .collect();
    parts
        .par_iter_mut()
        .enumerate()
        .for_each(|(c, (rows, stop))| {
            let until = cuts.get(c + 1).copied().unwrap_or(usize::MAX);
            *stop = read_rows(body, cuts[c], c == 0, until, rows);
        });
    let mut parts = parts
        .into_iter()
        .map(|(rows, stop)| stop.map(|stop| (rows, stop)));
    let (mut rows, mut stop) = parts.next()??;
    loop {
        match stop {
            Stop::Closed(end) => return Some((rows, end)),
            Stop::Reached => {
                let (more, next) = parts.next()??;
                rows.values.extend_from_slice(&more.values);
                rows.row_lengths.extend_from_slice(&more.row_lengths);
                stop = next;
            }
        }
    }
}

/// How a run of rows ended.
#[derive(Debug, PartialEq)]
enum Stop {
    /// The array closed; the offset after its `]`.
    Closed(usize),
    /// The next row would start exactly at `until`.
    Reached,
}

/// Reads rows from `i` (the array's `[` when `opening`, else a row's `[`)
/// until the array closes or the next row starts at `until`. A row start
/// past `until` means the cut was not between rows; the reading then goes on
/// to the end, and the caller finds `Reached` missing.
fn read_rows(
    body: &[u8],
    mut i: usize,
    opening: bool,
    until: usize,
    rows: &mut ScoreRows,
) -> Option<Stop> {
    if opening {
        if at(body, i) != b'[' {
            return None;
        }
        i = skip_ws(body, i + 1);
        if at(body, i) == b']' {
            return Some(Stop::Closed(i + 1));
        }
    }
    loop {
        if i == until {
            return Some(Stop::Reached);
        }
        i = read_row(body, i, rows)?;
        i = skip_ws(body, i);
        match at(body, i) {
            b',' => i = skip_ws(body, i + 1),
            b']' => return Some(Stop::Closed(i + 1)),
            _ => return None,
        }
    }
}

/// One row `[cell, ...]` at `i`; the offset after its `]`.
fn read_row(body: &[u8], mut i: usize, rows: &mut ScoreRows) -> Option<usize> {
    if at(body, i) != b'[' {
        return None;
    }
    let before = rows.values.len();
    i = skip_ws(body, i + 1);
    if at(body, i) != b']' {
        loop {
            let (value, next) = read_cell(body, i)?;
            rows.values.push(value);
            // The usual separator, a bare comma, without the whitespace loops.
            if at(body, next) == b',' && !is_ws(at(body, next + 1)) {
                i = next + 1;
                continue;
            }
            i = skip_ws(body, next);
            match at(body, i) {
                b',' => i = skip_ws(body, i + 1),
                b']' => break,
                _ => return None,
            }
        }
    }
    rows.row_lengths.push(rows.values.len() - before);
    Some(i + 1)
}

/// One cell at `i`: `null` (missing, NaN) or a finite number, and the offset
/// after it. serde_json's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn read_cell(body: &[u8], i: usize) -> Option<(f64, usize)> {
    if let Some(short) = short_decimal(body, i) {
        return Some(short);
    }
    number_or_null(body, i)
}

/// The spelling of nearly every leaderboard score, `[-]I.F` with one to
/// three integer digits and one to seven fraction digits and no exponent
/// (`0.6543`, `65.43`), read with one eight-byte digit run instead of two:
/// the same value [`number_or_null`] gives it (Clinger's exact path, as
/// there). `None` for anything else, including a number within 16 bytes of
/// the end of the body; [`number_or_null`] reads those.
#[inline]
fn short_decimal(body: &[u8], i: usize) -> Option<(f64, usize)> {
    let bytes: &[u8; 16] = body.get(i..i + 16)?.try_into().ok()?;
    let negative = bytes[0] == b'-';
    let mut j = usize::from(negative);
    let first = bytes[j].wrapping_sub(b'0');
    if first > 9 {
        return None;
    }
    let mut integer = u64::from(first);
    j += 1;
    // A leading zero stands alone; otherwise up to two more digits.
    if first != 0 {
        for _ in 0..2 {
            let d = bytes[j].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            integer = integer * 10 + u64::from(d);
            j += 1;
        }
    }
    if bytes[j] != b'.' {
        return None;
    }
    let chunk = u64::from_le_bytes(bytes[j + 1..j + 9].try_into().expect("8 bytes"));
    let (fraction, count) = eight_digits(chunk);
    // Eight digits may go on; an exponent scales the value: both go the long way.
    if count == 0 || count == 8 || matches!(bytes[j + 1 + count], b'e' | b'E') {
        return None;
    }
    // At most ten digits: exact as an integer and as an f64.
    let mantissa = integer * POWERS_OF_TEN_U64[count] + fraction;
    let v = mantissa as f64 / POWERS_OF_TEN[count];
    Some((if negative { -v } else { v }, i + j + 1 + count))
}

/// [`read_cell`] for any spelling.
fn number_or_null(body: &[u8], i: usize) -> Option<(f64, usize)> {
    let negative = at(body, i) == b'-';
    let mut j = i + usize::from(negative);
    // The digits as one integer while it is exact; `digits` counts them all.
    let (mut mantissa, mut digits) = digit_run(body, &mut j, 0);
    match digits {
        0 if !negative && body.get(i..i + 4) == Some(b"null") => return Some((f64::NAN, i + 4)),
        0 => return None,
        // A leading zero stands alone.
        1 => {}
        _ if at(body, j - digits) == b'0' => return None,
        _ => {}
    }
    let mut scale = 0i64;
    if at(body, j) == b'.' {
        j += 1;
        let fraction;
        (mantissa, fraction) = digit_run(body, &mut j, mantissa);
        if fraction == 0 {
            return None;
        }
        digits += fraction;
        scale = -(fraction as i64);
    }
    if matches!(at(body, j), b'e' | b'E') {
        j += 1;
        let sign = match at(body, j) {
            b'-' => -1,
            b'+' => 1,
            _ => 0,
        };
        j += usize::from(sign != 0);
        let from = j;
        let mut exponent = 0i64;
        while let d @ b'0'..=b'9' = at(body, j) {
            exponent = exponent
                .saturating_mul(10)
                .saturating_add(i64::from(d - b'0'));
            j += 1;
        }
        if j == from {
            return None;
        }
        scale = scale.saturating_add(if sign < 0 { -exponent } else { exponent });
    }
    // Clinger's fast path: an integer below 2^53 and a power of ten up to
    // 1e22 are both exact f64s, so one multiplication or division is
    // correctly rounded (and finite). Nothing waits on its result, so the
    // divisions of successive cells overlap. Everything else goes to the
    // full algorithm.
    if digits <= 19 && mantissa <= 1 << 53 && (-22..=22).contains(&scale) {
        let m = mantissa as f64;
        let v = if scale < 0 {
            m / POWERS_OF_TEN[scale.unsigned_abs() as usize]
        } else {
            m * POWERS_OF_TEN[scale as usize]
        };
        return Some((if negative { -v } else { v }, j));
    }
    let value: f64 = fast_float2::parse(&body[i..j]).ok()?;
    // 1e999 overflows to infinity: serde_json refuses it, and so must we
    // (its error names the cell).
    value.is_finite().then_some((value, j))
}

/// Reads the run of ASCII digits at `*j` (advancing it past them) onto
/// `mantissa` (wrapping: only exact while at most 19 digits were read in
/// all), eight at a time; answers the new mantissa and the run's length.
#[inline]
fn digit_run(body: &[u8], j: &mut usize, mut mantissa: u64) -> (u64, usize) {
    let start = *j;
    loop {
        let (value, count) = match body.get(*j..*j + 8) {
            Some(bytes) => eight_digits(u64::from_le_bytes(bytes.try_into().expect("8 bytes"))),
            // Fewer than eight bytes left: one at a time.
            None => {
                let (mut value, mut count) = (0u64, 0usize);
                while let Some(d @ b'0'..=b'9') = body.get(*j + count).copied() {
                    value = value * 10 + u64::from(d - b'0');
                    count += 1;
                }
                (value, count)
            }
        };
        mantissa = mantissa
            .wrapping_mul(POWERS_OF_TEN_U64[count])
            .wrapping_add(value);
        *j += count;
        if count < 8 {
            return (mantissa, *j - start);
        }
    }
}

/// The leading ASCII digits of eight bytes (the first in the lowest byte):
/// their value and how many there are (SWAR, after simdjson's
/// `parse_eight_digits_unrolled`).
#[inline]
fn eight_digits(chunk: u64) -> (u64, usize) {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    // A byte is a digit when its high nibble is 3, before and after adding
    // 6 (0x3A..=0x3F carry into 4). A carry out of a byte reaches only
    // bytes after it, which count only if it was a digit (and so did not
    // carry).
    let before = (chunk & HIGH) ^ THREES;
    let after = (chunk.wrapping_add(0x0606_0606_0606_0606) & HIGH) ^ THREES;
    let count = ((before | after).trailing_zeros() / 8) as usize;
    if count == 0 {
        return (0, 0);
    }
    // Keep the digits, moved up so that the missing ones are leading zeros.
    let mut v = (chunk & 0x0F0F_0F0F_0F0F_0F0F) << (8 * (8 - count));
    v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    v = v.wrapping_mul(10_000) + (v >> 32);
    (v & 0xFFFF_FFFF, count)
}

const POWERS_OF_TEN_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// JSON whitespace is exactly these four bytes.
#[inline]
fn is_ws(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\r' | b'\t')
}

fn skip_ws(body: &[u8], mut i: usize) -> usize {
    while is_ws(at(body, i)) {
        i += 1;
    }
    i
}

/// The byte at `i`, or 0 past the end (0 is never valid JSON outside strings).
#[inline]
fn at(body: &[u8], i: usize) -> u8 {
    body.get(i).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_text(rows: &[&[&str]]) -> String {
        let rows: Vec<String> = rows.iter().map(|r| format!("[{}]", r.join(","))).collect();
        format!("[{}]", rows.join(", "))
    }

    fn same(a: &ScoreRows, b: &ScoreRows) -> bool {
        a.row_lengths == b.row_lengths
            && a.values.len() == b.values.len()
            && a.values
                .iter()
                .zip(&b.values)
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn finds_the_top_level_scores_after_other_members() {
        let body = br#" { "models" : ["a\"]}", "b"], "opts": {"scores": [[9]]}, "k": -1.5e3,
                          "flag": true, "scores" : [[1, null], [2.5, -0]] , "z": null } "#;
        let (rows, range) = top_level_scores(body).unwrap();
        assert_eq!(&body[range], b"[[1, null], [2.5, -0]]");
        assert_eq!(rows.row_lengths, [2, 2]);
        assert_eq!(rows.values[0], 1.0);
        assert!(rows.values[1].is_nan());
        assert_eq!(rows.values[3].to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn gives_up_on_what_serde_json_must_judge() {
        for body in [
            &br#"{"scores": [["1"]]}"#[..],
            br#"{"scores": [[true]]}"#,
            br#"{"scores": [[1e999]]}"#,
            br#"{"scores": [[-1e999]]}"#,
            br#"{"scores": [[1,]]}"#,
            br#"{"scores": [[1],]}"#,
            br#"{"scores": [[[1]]]}"#,
            br#"{"scores": [1]}"#,
            br#"{"scores": [[01]]}"#,
            br#"{"scores": [[1.]]}"#,
            br#"{"scores": [[.5]]}"#,
            br#"{"scores": [[1e]]}"#,
            br#"{"scores": [[+1]]}"#,
            br#"{"scores": [[NaN]]}"#,
            br#"{"scores": [[nul]]}"#,
            br#"{"scores": [[1 2]]}"#,
            br#"{"scores": [[1]"#,
            br#"{"sc\u006fres": [[1]]}"#,
            br#"{"models": ["a"]}"#,
            br#"["scores", [[1]]]"#,
            br#"{"scores": [[1]] "#,
            b"{\"scores\": [[1,\x0c2]]}",
        ] {
            let got = scores_value_start(body).and_then(|start| read_all(body, start));
            // Truncated bodies may still read the scores; the rest is serde_json's.
            if body.ends_with(b"]] ") {
                assert!(got.is_some());
            } else {
                assert!(got.is_none(), "{}", String::from_utf8_lossy(body));
            }
        }
    }

    #[test]
    fn chunks_agree_with_one_pass_wherever_the_cuts_fall() {
        // Strings with brackets after the scores, so some cuts land in them.
        let rows: Vec<Vec<String>> = (0..500)
            .map(|i| {
                (0..(i % 7))
                    .map(|j| format!("{}.{j}e-{}", i * 7 + j, i % 3))
                    .collect()
            })
            .collect();
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let scores = rows_text(&rows);
        let tail: String = (0..300).map(|i| format!("\"[{i}], [\",")).collect();
        for body in [
            format!(r#"{{"scores": {scores}}}"#),
            format!(r#"{{"scores": {scores}, "models": [{tail} "x"]}}"#),
            format!(r#"{{"models": [{tail} "x"], "scores": {scores}}}"#),
        ] {
            let body = body.as_bytes();
            let start = scores_value_start(body).unwrap();
            let (want, end) = read_all(body, start).unwrap();
            assert_eq!(&body[start..end], scores.as_bytes());
            for chunks in 2..9 {
                let (got, got_end) = read_in_chunks(body, start, chunks).unwrap();
                assert_eq!(got_end, end);
                assert!(same(&got, &want), "{chunks} chunks");
            }
        }
    }

    #[test]
    fn a_bad_row_anywhere_fails_the_chunked_read() {
        let good: Vec<String> = (0..400).map(|i| format!("[{i}, {i}.5]")).collect();
        for bad_at in [0, 133, 266, 399] {
            let mut rows = good.clone();
            rows[bad_at] = "[1, \"x\"]".into();
            let body = format!(r#"{{"scores": [{}]}}"#, rows.join(","));
            let start = scores_value_start(body.as_bytes()).unwrap();
            for chunks in 2..6 {
                assert!(read_in_chunks(body.as_bytes(), start, chunks).is_none());
            }
        }
    }

    proptest::proptest! {
        /// The SWAR reading of eight bytes against a byte-by-byte one, on
        /// bytes biased towards digits and the bytes around them.
        #[test]
        fn eight_digits_reads_what_a_byte_loop_reads(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![b'0'..=b'9', b'0'..=b'9', b'/'..=b':', proptest::num::u8::ANY],
                8,
            ),
        ) {
            let chunk = u64::from_le_bytes(bytes.as_slice().try_into().unwrap());
            let count = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            let value = bytes[..count].iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
            proptest::prop_assert_eq!(eight_digits(chunk), (value, count), "{:?}", bytes);
        }
    }

    #[test]
    fn numbers_at_the_very_end_of_the_body_are_read() {
        // Fewer than eight bytes after each number's start, so the byte loop reads them.
        for (text, want) in [
            ("7", 7.0),
            ("12.5", 12.5),
            ("-0.25", -0.25),
            ("1e3", 1000.0),
        ] {
            let body = format!("[[{text}");
            let (value, end) = read_cell(body.as_bytes(), 2).unwrap();
            assert_eq!((value, end), (want, body.len()), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn chunked_reads_equal_one_pass(
            lengths in proptest::collection::vec(0usize..9, 1..120),
            chunks in 2usize..7,
            spaced in proptest::bool::ANY,
        ) {
            let sep = if spaced { " ,\n\t" } else { "," };
            let rows: Vec<String> = lengths.iter().enumerate().map(|(i, &n)| {
                let cells: Vec<String> = (0..n).map(|j| match (i + j) % 4 {
                    0 => "null".to_string(),
                    1 => format!("{}", (i * 31 + j) as f64 / 7.0),
                    2 => format!("-{}e{}", i + j, j % 5),
                    _ => format!("{}", i * j),
                }).collect();
                format!("[{}]", cells.join(sep))
            }).collect();
            let body = format!("{{\"scores\":[{}]}}", rows.join(sep));
            let body = body.as_bytes();
            let start = scores_value_start(body).unwrap();
            let (want, end) = read_all(body, start).unwrap();
            let (got, got_end) = read_in_chunks(body, start, chunks).unwrap();
            proptest::prop_assert_eq!(got_end, end);
            proptest::prop_assert!(same(&got, &want));
        }
    }
}
