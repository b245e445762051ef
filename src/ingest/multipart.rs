//! `multipart/form-data` bodies (RFC 7578), read from memory: the body has
//! already been read under MAX_BODY_BYTES (and decompressed) like any other,
//! so a part is a slice of it, never a copy. Only what a form of named
//! fields needs is read: each part's name (from `Content-Disposition`), its
//! media type (from `Content-Type`, if any) and its bytes.
//!
//! Parsing is linear in the body (each byte is scanned a bounded number of
//! times), stops at [`MAX_PARTS`] parts, and checks the request's deadline
//! between parts.

use memchr::memmem;

use super::{ARROW_STREAM, Format, IngestError, PARQUET};
use crate::analysis::budget;

/// The most parts a form may have. The forms this service reads have two
/// (`basis` and `scores`); a few more still get a precise answer (an
/// unknown or repeated part), but thousands of empty parts are only work.
pub const MAX_PARTS: usize = 16;

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    /// The essence of the part's `Content-Type` (`text/csv`), lowercase,
    /// without parameters; `None` when the part has no such header.
    pub content_type: Option<String>,
    /// The `filename` of its `Content-Disposition`, if any (a file's name,
    /// as a browser or `curl -F f=@path` sends it).
    pub filename: Option<String>,
    pub body: &'a [u8],
}

fn malformed(detail: impl Into<String>) -> IngestError {
    IngestError::InvalidMultipart(detail.into())
}

/// A form's boundary, the `boundary` parameter of its Content-Type (none
/// when the parameter is missing): 1 to 70 characters, as RFC 2046 says.
pub fn boundary(param: Option<&str>) -> Result<String, IngestError> {
    match param {
        Some(boundary) if !boundary.is_empty() && boundary.len() <= 70 => Ok(boundary.to_owned()),
        _ => Err(malformed(
            "multipart/form-data needs a boundary parameter of 1 to 70 characters",
        )),
    }
}

/// The parts of `body`, in order, at most [`MAX_PARTS`]. Line breaks may be
/// CRLF (as RFC 7578 says) or bare LF (as some hand-written clients send).
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, IngestError> {
    parse_at_most(body, boundary, MAX_PARTS, "it takes 'basis' and 'scores'")
}

/// The parts of `body`, in order, at most `max_parts` (beyond: an
/// `invalid_multipart` that says what the form takes, `takes`).
pub fn parse_at_most<'a>(
    body: &'a [u8],
    boundary: &str,
    max_parts: usize,
    takes: &str,
) -> Result<Vec<Part<'a>>, IngestError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    // The first delimiter starts the body or a line (a preamble may precede it).
    let mut at = if body.starts_with(delimiter) {
        0
    } else {
        let line = [b"\n".as_slice(), delimiter].concat();
        memmem::find(body, &line)
            .map(|i| i + 1)
            .ok_or_else(|| malformed("the body has no part: its boundary never appears"))?
    };
    let closing = [b"\n".as_slice(), delimiter].concat();
    let mut parts = Vec::new();
    loop {
        budget::check()?;
        let rest = &body[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line break ending the delimiter line.
        let line_end = memchr::memchr(b'\n', rest)
            .ok_or_else(|| malformed("the body ends inside a boundary line"))?;
        if !rest[..line_end]
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
        {
            return Err(malformed("a boundary line is followed by other text"));
        }
        let start = at + delimiter.len() + line_end + 1;
        let part = &body[start..];
        let (headers, content_start) = split_headers(part)?;
        let (name, filename) = field_name(headers)?;
        let content_type = content_type(headers);
        let end = memmem::find(&part[content_start..], &closing).ok_or_else(|| {
            malformed(format!(
                "part '{name}' has no closing boundary (the body may be cut short)"
            ))
        })?;
        let mut content = &part[content_start..content_start + end];
        if content.last() == Some(&b'\r') {
            content = &content[..content.len() - 1];
        }
        if parts.len() == max_parts {
            return Err(malformed(format!(
                "the form has more than {max_parts} parts; {takes}"
            )));
        }
        parts.push(Part {
            name,
            content_type,
            filename,
            body: content,
        });
        at = start + content_start + end + 1;
    }
}

/// The parts of a form that takes exactly the parts `fields` (each a name
/// and what it holds, for the error naming it when it is missing), once
/// each, in that order.
pub fn fields<'a, const N: usize>(
    body: &'a [u8],
    boundary: &str,
    fields: [(&str, &str); N],
) -> Result<[Part<'a>; N], IngestError> {
    let mut slots: [Option<Part<'a>>; N] = std::array::from_fn(|_| None);
    for part in parse(body, boundary)? {
        let Some(slot) = fields.iter().position(|(name, _)| *name == part.name) else {
            return Err(IngestError::UnknownField(format!(
                "the form has a part '{}'; it takes {}",
                part.name,
                names(&fields)
            )));
        };
        let name = part.name.clone();
        if slots[slot].replace(part).is_some() {
            return Err(IngestError::InvalidRequest(format!(
                "the form has two '{name}' parts"
            )));
        }
    }
    for (slot, (name, what)) in slots.iter().zip(fields) {
        if slot.is_none() {
            return Err(IngestError::InvalidRequest(format!(
                "the form has no '{name}' part ({what})"
            )));
        }
    }
    Ok(slots.map(|slot| slot.expect("every slot was checked")))
}

/// `'a' and 'b'`, `'a', 'b' and 'c'`.
fn names(fields: &[(&str, &str)]) -> String {
    let quoted: Vec<String> = fields.iter().map(|(name, _)| format!("'{name}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

impl Part<'_> {
    /// The format of a part that holds a table, by its media type as a
    /// body's is: CSV when the part names none (or names the generic
    /// `application/octet-stream` or `text/plain` that form clients write
    /// for a file of unknown type).
    pub fn table_format(&self) -> Result<Format, IngestError> {
        match self.content_type.as_deref() {
            None | Some("text/csv" | "text/plain" | "application/octet-stream") => Ok(Format::Csv),
            Some(PARQUET) => Ok(Format::Parquet),
            Some(ARROW_STREAM) => Ok(Format::Arrow),
            Some(other) => Err(IngestError::UnsupportedFormat(format!(
                "the {} part is {other}; it takes text/csv, {PARQUET} or {ARROW_STREAM}",
                self.name
            ))),
        }
    }
}

/// The header block of a part and where its content starts.
fn split_headers(part: &[u8]) -> Result<(&str, usize), IngestError> {
    if part.starts_with(b"\r\n") || part.starts_with(b"\n") {
        return Err(malformed("a part has no Content-Disposition header"));
    }
    // The first blank line, CRLF or bare LF, in one pass over the header
    // block's line breaks: searching the rest of the body for each kind of
    // blank line in turn scanned all of it for the kind a body does not use,
    // once per part.
    let (end, skip) = memchr::memchr_iter(b'\n', part)
        .find_map(|lf| match part.get(lf + 1) {
            Some(b'\n') => Some((lf, 2)),
            Some(b'\r') if lf > 0 && part[lf - 1] == b'\r' && part.get(lf + 2) == Some(&b'\n') => {
                Some((lf - 1, 4))
            }
            _ => None,
        })
        .ok_or_else(|| malformed("a part's headers have no end (a blank line)"))?;
    let headers = std::str::from_utf8(&part[..end])
        .map_err(|_| malformed("a part's headers are not UTF-8"))?;
    Ok((headers, end + skip))
}

/// The media type of a part's `Content-Type` header, without its parameters.
fn content_type(headers: &str) -> Option<String> {
    headers
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| {
            let essence = value.split(';').next().unwrap_or_default();
            essence.trim().to_ascii_lowercase()
        })
}

/// The `name` (and `filename`, if any) of a part's `Content-Disposition:
/// form-data`.
fn field_name(headers: &str) -> Result<(String, Option<String>), IngestError> {
    let disposition = headers
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("content-disposition"))
        .map(|(_, value)| value.trim())
        .ok_or_else(|| malformed("a part has no Content-Disposition header"))?;
    let mut params = Params(disposition);
    let kind = params.next_token().unwrap_or_default();
    if !kind.eq_ignore_ascii_case("form-data") {
        return Err(malformed(format!(
            "a part's Content-Disposition is {kind:?}, not form-data"
        )));
    }
    let (mut name, mut filename) = (None, None);
    while let Some((key, value)) = params.next_param()? {
        if key.eq_ignore_ascii_case("name") {
            name.get_or_insert(value);
        } else if key.eq_ignore_ascii_case("filename") {
            filename.get_or_insert(value);
        }
    }
    match name {
        Some(name) => Ok((name, filename)),
        None => Err(malformed("a part's Content-Disposition has no name")),
    }
}

/// `type; key=value; key="quoted; value"`, read left to right.
struct Params<'a>(&'a str);

impl Params<'_> {
    fn next_token(&mut self) -> Option<String> {
        let end = self.0.find(';').unwrap_or(self.0.len());
        let token = self.0[..end].trim().to_owned();
        self.0 = &self.0[end..];
        (!token.is_empty()).then_some(token)
    }

    fn next_param(&mut self) -> Result<Option<(String, String)>, IngestError> {
        let rest = self.0.trim_start_matches([';', ' ', '\t']);
        if rest.is_empty() {
            return Ok(None);
        }
        let (key, after) = rest
            .split_once('=')
            .ok_or_else(|| malformed("a Content-Disposition parameter has no value"))?;
        let after = after.trim_start();
        let (value, rest) = if let Some(quoted) = after.strip_prefix('"') {
            // Browsers and HTTP clients write a name's quote, CR and LF as
            // %22, %0D and %0A (the WHATWG encoding of form data), so a
            // backslash is a character of the name, not an escape.
            let end = quoted
                .find('"')
                .ok_or_else(|| malformed("a quoted Content-Disposition parameter is not closed"))?;
            (quoted[..end].to_owned(), &quoted[end + 1..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        self.0 = rest;
        Ok(Some((key.trim().to_owned(), value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalysisError;

    fn names_and_bodies(parts: &[Part<'_>]) -> Vec<(String, String)> {
        parts
            .iter()
            .map(|p| (p.name.clone(), String::from_utf8_lossy(p.body).into_owned()))
            .collect()
    }

    #[test]
    fn reads_the_parts_of_a_crlf_form_with_a_preamble() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"basis\"\r\nContent-Type: application/json\r\n\r\n{\"a\": 1}\r\n--XyZ\r\nContent-Disposition: form-data; filename=\"new.csv\"; name=scores\r\n\r\nModel,MMLU\r\na,0.5\r\n\r\n--XyZ--\r\nepilogue";
        let parts = parse(body, "XyZ").unwrap();
        assert_eq!(
            names_and_bodies(&parts),
            [
                ("basis".into(), "{\"a\": 1}".into()),
                ("scores".into(), "Model,MMLU\r\na,0.5\r\n".into())
            ]
        );
        assert_eq!(parts[0].content_type.as_deref(), Some("application/json"));
        assert_eq!(parts[1].content_type, None);
    }

    #[test]
    fn reads_bare_lf_and_quoted_names() {
        let body = b"--b\nContent-Disposition: form-data; name=\"we\\ird; name\"\n\nx\n--b--\n";
        let parts = parse(body, "b").unwrap();
        assert_eq!(
            names_and_bodies(&parts),
            [("we\\ird; name".into(), "x".into())]
        );
    }

    #[test]
    fn headers_end_at_the_first_blank_line_of_either_kind() {
        for (body, expected) in [
            (
                &b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\nA\n\nB\r\n--b--"[..],
                "A\n\nB",
            ),
            (
                b"--b\nContent-Disposition: form-data; name=x\n\nA\r\n\r\nB\n--b--",
                "A\r\n\r\nB",
            ),
        ] {
            let parts = parse(body, "b").unwrap();
            assert_eq!(names_and_bodies(&parts), [("x".into(), expected.into())]);
        }
    }

    #[test]
    fn parts_past_the_bound_are_refused_and_parsing_stays_linear() {
        let form = |n: usize| {
            let mut body = Vec::new();
            for i in 0..n {
                body.extend_from_slice(
                    format!("--b\r\nContent-Disposition: form-data; name=p{i}\r\n\r\nx\r\n")
                        .as_bytes(),
                );
            }
            body.extend_from_slice(b"--b--\r\n");
            body
        };
        assert_eq!(parse(&form(MAX_PARTS), "b").unwrap().len(), MAX_PARTS);
        let err = parse(&form(MAX_PARTS + 1), "b").unwrap_err();
        assert!(matches!(err, IngestError::InvalidMultipart(_)), "{err}");
        assert!(err.to_string().contains("more than 16 parts"), "{err}");
        // One part followed by 200k bytes of body: the header search stops
        // at the part's own blank line (a search per kind of blank line read
        // to the end of the body, for every part).
        let mut one = b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\n".to_vec();
        one.extend(std::iter::repeat_n(b'y', 200_000));
        one.extend_from_slice(b"\r\n--b--");
        assert_eq!(parse(&one, "b").unwrap()[0].body.len(), 200_000);
    }

    #[test]
    fn parsing_stops_at_the_deadline() {
        let body = b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\nx\r\n--b--";
        let past = std::time::Instant::now() - std::time::Duration::from_millis(1);
        let err = budget::with_deadline(Some(past), || parse(body, "b")).unwrap_err();
        assert!(
            matches!(err, IngestError::Analysis(AnalysisError::DeadlineExceeded)),
            "{err}"
        );
    }

    #[test]
    fn broken_forms_are_refused() {
        for (body, needle) in [
            (&b"no boundary here"[..], "never appears"),
            (
                b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ncut short",
                "no closing boundary",
            ),
            (
                b"--b\r\nContent-Type: text/csv\r\n\r\nx\r\n--b--",
                "no Content-Disposition",
            ),
            (
                b"--b\r\nContent-Disposition: attachment; name=x\r\n\r\nx\r\n--b--",
                "not form-data",
            ),
            (
                b"--b\r\nContent-Disposition: form-data; filename=x\r\n\r\nx\r\n--b--",
                "has no name",
            ),
            (b"--b\r\nContent-Disposition: form-data; name=x", "no end"),
            (b"--b", "inside a boundary line"),
        ] {
            let err = parse(body, "b").unwrap_err();
            assert!(matches!(err, IngestError::InvalidMultipart(_)), "{err}");
            assert!(err.to_string().contains(needle), "{err} lacks {needle}");
        }
    }
}
