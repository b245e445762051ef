//! Parquet bodies (`application/vnd.apache.parquet`), read through the
//! parquet crate's Arrow reader into an [`ArrowTable`].
//!
//! A Parquet file is compressed, so its size says little about what it
//! decodes to. Before a page is decompressed the reader checks, from the
//! footer and from every page header of the columns it will decode:
//! - the codec is one whose decompressor stops at the page's declared size
//!   (snappy, zstd, none: what pyarrow, Polars and DuckDB write by default);
//! - the declared sizes add up to at most MAX_BODY_BYTES (413
//!   `payload_too_large`), so a small file cannot expand past the limit a
//!   plain body has;
//! - the row count times the columns decoded is at most MAX_CELLS (413
//!   `too_many_cells`).
//!
//! Only the columns the request selects are decoded, never nested ones, and
//! text columns are decoded as dictionaries, so that a repeated long value
//! is held once rather than once per row.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::basic::Compression;
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};

use super::arrow::{ArrowTable, check_read_cells, wanted_columns};
use crate::api::body::Limits;
use crate::api::error::{ApiError, ErrorCode};

/// Rows per decoded batch.
const BATCH_ROWS: usize = 8192;

fn invalid_parquet(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidParquet,
        format!("the body cannot be read as a Parquet file: {detail}"),
    )
}

/// Reads a Parquet file, decoding the columns `wanted(index, name, numeric)`
/// asks for.
pub fn read(
    body: &[u8],
    wanted: &dyn Fn(usize, &str, bool) -> bool,
    limits: &Limits,
) -> Result<ArrowTable, ApiError> {
    let bytes = bytes::Bytes::copy_from_slice(body);
    let options = || ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Skip);
    let metadata = ArrowReaderMetadata::load(&bytes, options()).map_err(invalid_parquet)?;
    let schema = metadata.schema().clone();
    let read = wanted_columns(&schema, wanted);
    let parquet_schema = metadata.parquet_schema();
    let leaves: Vec<usize> = (0..parquet_schema.num_columns())
        .filter(|&leaf| read[parquet_schema.get_column_root_idx(leaf)])
        .collect();
    check_sizes(metadata.metadata(), &schema, &leaves, body, limits)?;

    // Text as dictionaries: a value repeated on every row is decoded once.
    let hinted = Schema::new_with_metadata(
        schema
            .fields()
            .iter()
            .zip(&read)
            .map(|(field, &read)| match field.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View if read => Arc::new(
                    Field::new(
                        field.name(),
                        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                        field.is_nullable(),
                    )
                    .with_metadata(field.metadata().clone()),
                ),
                _ => field.clone(),
            })
            .collect::<Vec<_>>(),
        schema.metadata().clone(),
    );
    let metadata = ArrowReaderMetadata::try_new(
        metadata.metadata().clone(),
        options().with_schema(Arc::new(hinted)),
    )
    .map_err(invalid_parquet)?;
    let roots: Vec<usize> = (0..read.len()).filter(|&c| read[c]).collect();
    let mask = ProjectionMask::roots(metadata.parquet_schema(), roots);
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(bytes, metadata)
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(invalid_parquet)?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid_parquet)?;
    ArrowTable::new(&schema, &read, &batches, "row")
}

/// The checks made before anything is decompressed (see the module
/// documentation), over the column chunks of `leaves`.
fn check_sizes(
    metadata: &ParquetMetaData,
    schema: &Schema,
    leaves: &[usize],
    body: &[u8],
    limits: &Limits,
) -> Result<(), ApiError> {
    let rows: i64 = metadata
        .row_groups()
        .iter()
        .map(|group| group.num_rows().max(0))
        .fold(0i64, i64::saturating_add);
    check_read_cells(
        usize::try_from(rows).unwrap_or(usize::MAX),
        leaves.len(),
        limits,
    )?;
    let too_large = |declared: u64| {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "the Parquet file decompresses to at least {declared} bytes, more than the limit \
                 of {} bytes (MAX_BODY_BYTES)",
                limits.max_body_bytes
            ),
        )
    };
    let parquet_schema = metadata.file_metadata().schema_descr();
    let limit = limits.max_body_bytes as u64;
    // The footer's sizes first (cheap), then every page header's.
    let mut declared = 0u64;
    for group in metadata.row_groups() {
        for &leaf in leaves {
            let size = group.column(leaf).uncompressed_size().max(0) as u64;
            declared = declared.saturating_add(size);
        }
    }
    if declared > limit {
        return Err(too_large(declared));
    }
    let mut declared = 0u64;
    for group in metadata.row_groups() {
        for &leaf in leaves {
            let chunk = group.column(leaf);
            let column = &schema.fields()[parquet_schema.get_column_root_idx(leaf)];
            match chunk.compression() {
                Compression::UNCOMPRESSED | Compression::SNAPPY | Compression::ZSTD(_) => {}
                other => {
                    return Err(invalid_parquet(format!(
                        "column '{}' is compressed with {other}; this service reads snappy, \
                         zstd or uncompressed files (the defaults of pyarrow, Polars and DuckDB)",
                        column.name()
                    )));
                }
            }
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            let (Ok(start), Ok(len)) = (
                usize::try_from(start),
                usize::try_from(chunk.compressed_size()),
            ) else {
                return Err(invalid_parquet(format!(
                    "column '{}' has a negative offset or size",
                    column.name()
                )));
            };
            let Some(pages) = start.checked_add(len).and_then(|end| body.get(start..end)) else {
                return Err(invalid_parquet(format!(
                    "column '{}' lies outside the file",
                    column.name()
                )));
            };
            let mut at = 0usize;
            while at < pages.len() {
                let header = page_header(&pages[at..]).ok_or_else(|| {
                    invalid_parquet(format!(
                        "a page header of column '{}' cannot be read",
                        column.name()
                    ))
                })?;
                declared = declared.saturating_add(header.uncompressed as u64);
                if declared > limit {
                    return Err(too_large(declared));
                }
                at = at
                    .saturating_add(header.length)
                    .saturating_add(header.compressed);
            }
            if at != pages.len() {
                return Err(invalid_parquet(format!(
                    "the pages of column '{}' overrun their column chunk",
                    column.name()
                )));
            }
        }
    }
    Ok(())
}

/// What a page header declares.
#[derive(Debug, PartialEq, Eq)]
struct PageHeader {
    /// Bytes of the header itself.
    length: usize,
    uncompressed: usize,
    compressed: usize,
}

/// Reads a Parquet page header (a Thrift compact-protocol struct whose
/// fields 2 and 3 are the page's uncompressed and compressed sizes) at the
/// start of `bytes`; `None` if it is malformed, truncated or declares a
/// negative size. The parquet crate reads the same headers, but only while
/// decoding, after it has allocated what they declare.
fn page_header(bytes: &[u8]) -> Option<PageHeader> {
    let mut reader = Thrift { bytes, at: 0 };
    let (mut uncompressed, mut compressed) = (None, None);
    let mut id = 0i64;
    loop {
        let byte = reader.byte()?;
        if byte == 0 {
            break;
        }
        let (delta, kind) = (byte >> 4, byte & 0x0f);
        id = if delta == 0 {
            reader.zigzag()?
        } else {
            id.wrapping_add(i64::from(delta))
        };
        match (id, kind) {
            (2, 5) => uncompressed = Some(usize::try_from(reader.zigzag()?).ok()?),
            (3, 5) => compressed = Some(usize::try_from(reader.zigzag()?).ok()?),
            _ => reader.skip(kind, false, 0)?,
        }
    }
    Some(PageHeader {
        length: reader.at,
        uncompressed: uncompressed?,
        compressed: compressed?,
    })
}

/// Just enough of Thrift's compact protocol to step over fields.
struct Thrift<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Thrift<'_> {
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn advance(&mut self, n: usize) -> Option<()> {
        let end = self.at.checked_add(n)?;
        (end <= self.bytes.len()).then(|| self.at = end)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn zigzag(&mut self) -> Option<i64> {
        let value = self.varint()?;
        Some((value >> 1) as i64 ^ -((value & 1) as i64))
    }

    /// Steps over a value of type `kind`. A boolean is held in its field
    /// header, but takes a byte as an element of a list, set or map.
    fn skip(&mut self, kind: u8, element: bool, depth: u32) -> Option<()> {
        if depth > 32 {
            return None;
        }
        match kind {
            1 | 2 if element => self.advance(1),
            1 | 2 => Some(()),
            3 => self.advance(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.advance(8),
            8 => {
                let len = usize::try_from(self.varint()?).ok()?;
                self.advance(len)
            }
            9 | 10 => {
                let header = self.byte()?;
                let size = match header >> 4 {
                    15 => self.varint()?,
                    size => u64::from(size),
                };
                // Every element takes at least a byte, so a size past the
                // end fails there, after as many steps as there are bytes.
                for _ in 0..size {
                    self.skip(header & 0x0f, true, depth + 1)?;
                }
                Some(())
            }
            11 => {
                let size = self.varint()?;
                if size > 0 {
                    let kinds = self.byte()?;
                    for _ in 0..size {
                        self.skip(kinds >> 4, true, depth + 1)?;
                        self.skip(kinds & 0x0f, true, depth + 1)?;
                    }
                }
                Some(())
            }
            12 => loop {
                let byte = self.byte()?;
                if byte == 0 {
                    return Some(());
                }
                if byte >> 4 == 0 {
                    self.zigzag()?;
                }
                self.skip(byte & 0x0f, false, depth + 1)?;
            },
            13 => self.advance(16),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page header as the parquet crate's writers lay it out: type (i32),
    /// uncompressed and compressed sizes (i32), then a data page header
    /// struct (num_values, encodings, a nested statistics struct with
    /// binary min/max and a boolean).
    fn header(uncompressed: u8, compressed: u8) -> Vec<u8> {
        let zigzag = |v: u8| v << 1; // small non-negative values fit a byte
        vec![
            0x15,
            0x00, // field 1, i32: DATA_PAGE (0)
            0x15,
            zigzag(uncompressed), // field 2, i32
            0x15,
            zigzag(compressed), // field 3, i32
            0x2c,               // field 5, struct: data page header
            0x15,
            0x08, // num_values 4
            0x15,
            0x00,
            0x15,
            0x00, // encoding, definition level encoding
            0x15,
            0x06, // repetition level encoding
            0x1c, // field 5: statistics
            0x18,
            0x02,
            b'a',
            b'b', // max: binary "ab"
            0x18,
            0x01,
            b'a', // min
            0x11, // field 6: bool true
            0x00, // end of statistics
            0x00, // end of data page header
            0x00, // end of page header
        ]
    }

    #[test]
    fn page_headers_give_their_sizes_and_length() {
        let bytes = header(40, 20);
        let parsed = page_header(&bytes).unwrap();
        assert_eq!(
            parsed,
            PageHeader {
                length: bytes.len(),
                uncompressed: 40,
                compressed: 20
            }
        );
        // Truncated anywhere: no header.
        for end in 0..bytes.len() {
            assert_eq!(page_header(&bytes[..end]), None, "truncated at {end}");
        }
        // A negative size (zigzag 1 = -1) is refused.
        let mut negative = bytes.clone();
        negative[3] = 0x01;
        assert_eq!(page_header(&negative), None);
    }

    #[test]
    fn a_huge_list_size_fails_without_looping_over_it() {
        // Field 5 a list of 2^62 i32 elements, with three bytes of them.
        let bytes = [
            0x59, 0xf5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f, 1, 2, 3,
        ];
        assert_eq!(page_header(&bytes), None);
    }
}
