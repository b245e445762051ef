//! Parquet bodies (`application/vnd.apache.parquet`), read through the
//! parquet crate's Arrow reader into an [`ArrowTable`].
//!
//! A Parquet file is compressed and declares the sizes its reader
//! allocates, so its size says little about what it decodes to. What the
//! crate would trust is checked first, and what it would allocate is
//! claimed from the table readers' [`Guard`] (see docs/tables.md, Limits):
//! - before the footer is decoded: the magic at both ends (`PAR1`; an
//!   encrypted file is refused), and the footer's schema elements and
//!   column chunks ([`check_footer`]);
//! - before a page is decompressed: from every page header of the columns
//!   read, the codec (snappy, zstd, none: decompressors that stop at the
//!   declared size), the declared sizes, dictionary and data page value
//!   counts against the row group's rows, and rows times columns against
//!   MAX_CELLS ([`check_pages`]);
//! - before a decompressed page is decoded: its level runs and the counts
//!   its encodings declare inside it ([`check_page`]).
//!
//! Only the columns the request selects are decoded, never nested ones, and
//! text columns are decoded as dictionaries, so that a repeated long value
//! is held once rather than once per row.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, RowGroups,
};
use parquet::arrow::{ProjectionMask, parquet_to_arrow_field_levels};
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{Page, PageIterator, PageMetadata, PageReader};
use parquet::errors::ParquetError;
use parquet::file::metadata::RowGroupMetaData;
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};
use parquet::file::serialized_reader::SerializedPageReader;
use parquet::schema::types::ColumnDescriptor;

use super::arrow::{ArrowTable, wanted_columns};
use super::frame::Wanted;
use super::guard::Guard;
use crate::ingest::IngestError;

/// Rows per decoded batch.
const BATCH_ROWS: usize = 8192;

fn invalid_parquet(detail: impl std::fmt::Display) -> IngestError {
    IngestError::InvalidParquet(format!(
        "the body cannot be read as a Parquet file: {detail}"
    ))
}

/// Reads a Parquet file, decoding the columns `wanted(index, name, numeric)`
/// asks for.
pub fn read(body: &[u8], wanted: Wanted<'_>, mut guard: Guard) -> Result<ArrowTable, IngestError> {
    check_footer(body, &mut guard)?;
    let bytes = Bytes::copy_from_slice(body);
    let options = || ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Skip);
    let metadata = ArrowReaderMetadata::load(&bytes, options()).map_err(invalid_parquet)?;
    let schema = metadata.schema().clone();
    let read = wanted_columns(&schema, wanted);
    let parquet_schema = metadata.parquet_schema();
    let leaves: Vec<usize> = (0..parquet_schema.num_columns())
        .filter(|&leaf| read[parquet_schema.get_column_root_idx(leaf)])
        .collect();
    check_pages(metadata.metadata(), &schema, &leaves, body, &mut guard)?;

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
    let levels = parquet_to_arrow_field_levels(
        metadata.parquet_schema(),
        mask,
        Some(metadata.schema().fields()),
    )
    .map_err(invalid_parquet)?;
    let groups = CheckedGroups {
        data: Arc::new(bytes),
        metadata: metadata.metadata().clone(),
    };
    let reader =
        ParquetRecordBatchReader::try_new_with_row_groups(&levels, &groups, BATCH_ROWS, None)
            .map_err(invalid_parquet)?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid_parquet)?;
    ArrowTable::new(&schema, &read, &batches, "row")
}

/// What the decoded footer costs per schema element and per column chunk
/// (the parquet crate's metadata structures, the Arrow schema built from
/// them and this reader's copy of it), claimed before the footer is
/// decoded: a footer of 650 000 columns in one row group (28 MB,
/// bench/bombs/parquet.py) took the reader to 1.5 GB, about 2.3 KB a
/// column.
const FOOTER_BYTES_PER_ELEMENT: u64 = 1024;
const FOOTER_BYTES_PER_CHUNK: u64 = 1024;

/// The checks made on the footer before it is decoded: the magic at both
/// ends, its length, and what decoding it will cost: its schema elements and
/// column chunks, claimed from `guard`. A schema element's child count must
/// be one the schema can hold (the parquet crate reserves room for it).
fn check_footer(body: &[u8], guard: &mut Guard) -> Result<(), IngestError> {
    let head = body.get(..4).unwrap_or(body);
    if head == b"PARE" || body.ends_with(b"PARE") {
        return Err(invalid_parquet(
            "it is an encrypted Parquet file (magic PARE); encrypted Parquet is not supported",
        ));
    }
    if head != b"PAR1" {
        return Err(invalid_parquet(format!(
            "it starts with {:?}, not the magic PAR1 of a Parquet file (encrypted Parquet, \
             which starts with PARE, is not supported)",
            String::from_utf8_lossy(head)
        )));
    }
    let Some(tail) = body.len().checked_sub(8).filter(|&at| at >= 4) else {
        return Err(invalid_parquet("it is too short to hold a footer"));
    };
    if &body[tail + 4..] != b"PAR1" {
        return Err(invalid_parquet(
            "it does not end with the magic PAR1 (a truncated file?)",
        ));
    }
    let length = u32::from_le_bytes(body[tail..tail + 4].try_into().expect("4 bytes")) as usize;
    let Some(start) = tail.checked_sub(length).filter(|&start| start >= 4) else {
        return Err(invalid_parquet(format!(
            "its footer length {length} does not fit in the file"
        )));
    };
    let shape = footer_shape(&body[start..tail])
        .ok_or_else(|| invalid_parquet("its footer cannot be read"))?;
    if shape.max_children >= shape.elements {
        return Err(invalid_parquet(format!(
            "a schema element declares {} children, but the schema has {} elements",
            shape.max_children, shape.elements
        )));
    }
    guard.claim(
        (shape.elements as u64)
            .saturating_mul(FOOTER_BYTES_PER_ELEMENT)
            .saturating_add((shape.chunks as u64).saturating_mul(FOOTER_BYTES_PER_CHUNK)),
        || {
            format!(
                "its footer of {} schema elements and {} column chunks",
                shape.elements, shape.chunks
            )
        },
    )
}

/// How large a footer is: its schema elements, its column chunks (columns
/// times row groups), and the most children a schema element declares.
#[derive(Debug, Default, PartialEq, Eq)]
struct FooterShape {
    elements: usize,
    chunks: usize,
    max_children: usize,
}

/// Reads the shape of a FileMetaData struct (field 2: the schema, a list of
/// SchemaElement whose field 5 is the child count; field 4: the row groups,
/// each a struct whose field 1 lists its column chunks) without decoding it.
fn footer_shape(footer: &[u8]) -> Option<FooterShape> {
    let mut reader = Thrift {
        bytes: footer,
        at: 0,
    };
    let mut shape = FooterShape::default();
    reader.fields(0, |reader, id, kind| match (id, kind) {
        (2, 9) => {
            let (size, element) = reader.list_header()?;
            if element != 12 {
                return None;
            }
            shape.elements = size;
            for _ in 0..size {
                reader.fields(1, |reader, id, kind| match (id, kind) {
                    (5, 5) => {
                        let children = usize::try_from(reader.zigzag()?).ok()?;
                        shape.max_children = shape.max_children.max(children);
                        Some(true)
                    }
                    _ => Some(false),
                })?;
            }
            Some(true)
        }
        (4, 9) => {
            let (size, element) = reader.list_header()?;
            if element != 12 {
                return None;
            }
            for _ in 0..size {
                reader.fields(1, |reader, id, kind| match (id, kind) {
                    (1, 9) => {
                        let (columns, element) = reader.list_header()?;
                        shape.chunks = shape.chunks.saturating_add(columns);
                        for _ in 0..columns {
                            reader.skip(element, true, 2)?;
                        }
                        Some(true)
                    }
                    _ => Some(false),
                })?;
            }
            Some(true)
        }
        _ => Some(false),
    })?;
    Some(shape)
}

/// The checks made before anything is decompressed (see the module
/// documentation), over the column chunks of `leaves`: what every page
/// header declares is held to what the file and the row group can hold,
/// and what decoding it allocates is claimed from `guard`.
fn check_pages(
    metadata: &ParquetMetaData,
    schema: &Schema,
    leaves: &[usize],
    body: &[u8],
    guard: &mut Guard,
) -> Result<(), IngestError> {
    let rows: i64 = metadata
        .row_groups()
        .iter()
        .map(|group| group.num_rows().max(0))
        .fold(0i64, i64::saturating_add);
    guard.cells(usize::try_from(rows).unwrap_or(usize::MAX), leaves.len())?;
    let parquet_schema = metadata.file_metadata().schema_descr();
    // The footer's sizes first (cheap), then every page header's.
    let mut declared = 0u64;
    for group in metadata.row_groups() {
        for &leaf in leaves {
            let size = group.column(leaf).uncompressed_size().max(0) as u64;
            declared = declared.saturating_add(size);
        }
    }
    if declared > guard.free() {
        guard.claim(declared, || "its footer's column sizes".into())?;
    }
    for group in metadata.row_groups() {
        let group_rows = u64::try_from(group.num_rows()).map_err(|_| {
            invalid_parquet(format!("a row group declares {} rows", group.num_rows()))
        })?;
        for &leaf in leaves {
            let chunk = group.column(leaf);
            let descriptor = parquet_schema.column(leaf);
            let column = schema.fields()[parquet_schema.get_column_root_idx(leaf)].name();
            match chunk.compression() {
                Compression::UNCOMPRESSED | Compression::SNAPPY | Compression::ZSTD(_) => {}
                other => {
                    return Err(invalid_parquet(format!(
                        "column '{column}' is compressed with {other}; this service reads snappy, \
                         zstd or uncompressed files (the defaults of pyarrow, Polars and DuckDB)"
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
                    "column '{column}' has a negative offset or size"
                )));
            };
            let Some(pages) = start.checked_add(len).and_then(|end| body.get(start..end)) else {
                return Err(invalid_parquet(format!(
                    "column '{column}' lies outside the file"
                )));
            };
            let mut values = 0u64;
            let mut at = 0usize;
            while at < pages.len() {
                let header = page_header(&pages[at..]).ok_or_else(|| {
                    invalid_parquet(format!("a page header of column '{column}' cannot be read"))
                })?;
                guard.claim(header.uncompressed as u64, || {
                    format!("a page of column '{column}'")
                })?;
                match header.kind {
                    PageKind::Dictionary { num_values } => {
                        let bytes = dictionary_bytes(&descriptor, num_values).ok_or_else(|| {
                            invalid_parquet(format!(
                                "the dictionary of column '{column}' declares {num_values} values"
                            ))
                        })?;
                        // A dictionary holds a row's value at most once.
                        if num_values > group_rows || bytes.held > header.uncompressed as u64 {
                            return Err(invalid_parquet(format!(
                                "the dictionary page of column '{column}' declares {num_values} \
                                 values, more than its {} bytes or the row group's {group_rows} \
                                 rows can hold",
                                header.uncompressed
                            )));
                        }
                        guard.claim(bytes.decoded, || {
                            format!("the dictionary of column '{column}'")
                        })?;
                    }
                    PageKind::Data { num_values } => {
                        // A flat column has one value (or null) per row.
                        values = values.saturating_add(num_values);
                        if values > group_rows {
                            return Err(invalid_parquet(format!(
                                "the data pages of column '{column}' declare {values} values, \
                                 more than the row group's {group_rows} rows"
                            )));
                        }
                    }
                    PageKind::Other => {}
                }
                at = at
                    .saturating_add(header.length)
                    .saturating_add(header.compressed);
            }
            if at != pages.len() {
                return Err(invalid_parquet(format!(
                    "the pages of column '{column}' overrun their column chunk"
                )));
            }
        }
    }
    Ok(())
}

/// What a dictionary of `num_values` values of a column takes: at least
/// `held` bytes of its page (PLAIN: each value as stored; a string at least
/// its 4-byte length), and `decoded` bytes once the parquet crate decodes it
/// (a value in its native width; a string's offset, its bytes counted with
/// the page).
struct DictionaryBytes {
    held: u64,
    decoded: u64,
}

fn dictionary_bytes(column: &ColumnDescriptor, num_values: u64) -> Option<DictionaryBytes> {
    use parquet::basic::Type as Physical;
    let (held, decoded): (u64, u64) = match column.physical_type() {
        Physical::BOOLEAN => {
            return Some(DictionaryBytes {
                held: num_values.div_ceil(8),
                decoded: num_values,
            });
        }
        Physical::INT32 | Physical::FLOAT => (4, 4),
        Physical::INT64 | Physical::DOUBLE => (8, 8),
        Physical::INT96 => (12, 12),
        Physical::BYTE_ARRAY => (4, 8),
        // Kept as the page's bytes.
        Physical::FIXED_LEN_BYTE_ARRAY => (u64::try_from(column.type_length()).ok()?, 0),
    };
    Some(DictionaryBytes {
        held: num_values.checked_mul(held)?,
        decoded: num_values.checked_mul(decoded)?,
    })
}

/// What a page header declares.
#[derive(Debug, PartialEq, Eq)]
struct PageHeader {
    /// Bytes of the header itself.
    length: usize,
    uncompressed: usize,
    compressed: usize,
    kind: PageKind,
}

#[derive(Debug, PartialEq, Eq)]
enum PageKind {
    /// A dictionary page (type 2), with its value count.
    Dictionary { num_values: u64 },
    /// A data page of version 1 or 2 (types 0 and 3), with its value count
    /// (nulls included).
    Data { num_values: u64 },
    /// An index page, or a type this reader does not know.
    Other,
}

/// Reads a Parquet page header (a Thrift compact-protocol struct: field 1
/// the page type, 2 and 3 the uncompressed and compressed sizes, 5, 7 and 8
/// the data, dictionary and version-2 data page headers, whose field 1 is
/// the value count) at the start of `bytes`; `None` if it is malformed,
/// truncated, declares a negative size or count, or lacks the header its
/// type needs. The parquet crate reads the same headers, but only while
/// decoding, after it has allocated what they declare.
fn page_header(bytes: &[u8]) -> Option<PageHeader> {
    let mut reader = Thrift { bytes, at: 0 };
    let (mut kind, mut uncompressed, mut compressed) = (None, None, None);
    let mut counts: [Option<u64>; 3] = [None; 3];
    reader.fields(0, |reader, id, field_kind| match (id, field_kind) {
        (1, 5) => {
            kind = Some(reader.zigzag()?);
            Some(true)
        }
        (2, 5) => {
            uncompressed = Some(usize::try_from(reader.zigzag()?).ok()?);
            Some(true)
        }
        (3, 5) => {
            compressed = Some(usize::try_from(reader.zigzag()?).ok()?);
            Some(true)
        }
        (5 | 7 | 8, 12) => {
            let slot = match id {
                5 => 0,
                7 => 1,
                _ => 2,
            };
            reader.fields(1, |reader, id, kind| match (id, kind) {
                (1, 5) => {
                    counts[slot] = Some(u64::try_from(reader.zigzag()?).ok()?);
                    Some(true)
                }
                _ => Some(false),
            })?;
            Some(true)
        }
        _ => Some(false),
    })?;
    let kind = match kind? {
        0 => PageKind::Data {
            num_values: counts[0]?,
        },
        2 => PageKind::Dictionary {
            num_values: counts[1]?,
        },
        3 => PageKind::Data {
            num_values: counts[2]?,
        },
        _ => PageKind::Other,
    };
    Some(PageHeader {
        length: reader.at,
        uncompressed: uncompressed?,
        compressed: compressed?,
        kind,
    })
}

/// The row groups of a file, as the Arrow reader reads them, but each page
/// checked once it is decompressed and before it is decoded: the parquet
/// crate's decoders trust the run lengths of a page's definition levels and
/// the value counts its encodings declare inside the page, which no header
/// shows ([`check_page`]).
struct CheckedGroups {
    data: Arc<Bytes>,
    metadata: Arc<ParquetMetaData>,
}

impl RowGroups for CheckedGroups {
    fn num_rows(&self) -> usize {
        self.metadata
            .row_groups()
            .iter()
            .map(|group| usize::try_from(group.num_rows()).unwrap_or(0))
            .sum()
    }

    fn column_chunks(&self, leaf: usize) -> parquet::errors::Result<Box<dyn PageIterator>> {
        let column = self.metadata.file_metadata().schema_descr().column(leaf);
        let readers = self
            .metadata
            .row_groups()
            .iter()
            .map(|group| {
                let rows = usize::try_from(group.num_rows()).unwrap_or(0);
                let pages =
                    SerializedPageReader::new(self.data.clone(), group.column(leaf), rows, None)?;
                Ok(Box::new(CheckedPages {
                    pages,
                    column: column.clone(),
                }) as Box<dyn PageReader>)
            })
            .collect::<Vec<_>>();
        Ok(Box::new(Readers(readers.into_iter())))
    }

    fn row_groups(&self) -> Box<dyn Iterator<Item = &RowGroupMetaData> + '_> {
        Box::new(self.metadata.row_groups().iter())
    }

    fn metadata(&self) -> &ParquetMetaData {
        &self.metadata
    }
}

struct Readers(std::vec::IntoIter<parquet::errors::Result<Box<dyn PageReader>>>);

impl Iterator for Readers {
    type Item = parquet::errors::Result<Box<dyn PageReader>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
}

impl PageIterator for Readers {}

/// A column chunk's pages, each checked by [`check_page`].
struct CheckedPages {
    pages: SerializedPageReader<Bytes>,
    column: Arc<ColumnDescriptor>,
}

impl Iterator for CheckedPages {
    type Item = parquet::errors::Result<Page>;

    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl PageReader for CheckedPages {
    fn get_next_page(&mut self) -> parquet::errors::Result<Option<Page>> {
        let page = self.pages.get_next_page()?;
        if let Some(page) = &page {
            check_page(page, &self.column).map_err(|what| {
                ParquetError::General(format!("column '{}': {what}", self.column.name()))
            })?;
        }
        Ok(page)
    }

    fn peek_next_page(&mut self) -> parquet::errors::Result<Option<PageMetadata>> {
        self.pages.peek_next_page()
    }

    fn skip_next_page(&mut self) -> parquet::errors::Result<()> {
        self.pages.skip_next_page()
    }

    fn at_record_boundary(&mut self) -> parquet::errors::Result<bool> {
        self.pages.at_record_boundary()
    }
}

/// Checks a decompressed page of a flat column before it is decoded:
/// - a dictionary holds the values it declares (PLAIN: each value's bytes);
/// - the definition levels' bit-packed runs lie within their bytes (the
///   parquet crate slices them as declared);
/// - a DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY page declares no more
///   lengths than the page has values (the crate allocates them all first).
fn check_page(page: &Page, column: &ColumnDescriptor) -> Result<(), String> {
    let width = 16 - (column.max_def_level().max(0) as u16).leading_zeros() as usize;
    match page {
        Page::DictionaryPage {
            buf, num_values, ..
        } => {
            let held = dictionary_bytes(column, u64::from(*num_values)).map_or(0, |b| b.held);
            if held > buf.len() as u64 {
                return Err(format!(
                    "its dictionary declares {num_values} values, more than its {} bytes hold",
                    buf.len()
                ));
            }
            Ok(())
        }
        Page::DataPage {
            buf,
            num_values,
            encoding,
            def_level_encoding,
            ..
        } => {
            let mut at = 0usize;
            if column.max_rep_level() > 0 {
                // Nested columns are never read.
                return Ok(());
            }
            if width > 0 {
                match def_level_encoding {
                    Encoding::RLE => {
                        let len = buf
                            .get(..4)
                            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                            .ok_or("its definition levels are cut short")?;
                        let levels = buf
                            .get(4..4 + len)
                            .ok_or("its definition levels overrun the page")?;
                        check_levels(levels, width, u64::from(*num_values))?;
                        at = 4 + len;
                    }
                    _ => return Err(format!("its levels are encoded as {def_level_encoding}")),
                }
            }
            check_values(&buf[at..], *encoding, u64::from(*num_values))
        }
        Page::DataPageV2 {
            buf,
            num_values,
            encoding,
            def_levels_byte_len,
            rep_levels_byte_len,
            ..
        } => {
            if column.max_rep_level() > 0 {
                return Ok(());
            }
            let start = *rep_levels_byte_len as usize;
            let end = start.saturating_add(*def_levels_byte_len as usize);
            let levels = buf
                .get(start..end)
                .ok_or("its definition levels overrun the page")?;
            if width > 0 {
                check_levels(levels, width, u64::from(*num_values))?;
            }
            check_values(&buf[end..], *encoding, u64::from(*num_values))
        }
    }
}

/// Definition levels in the RLE / bit-packing hybrid encoding: every
/// bit-packed run lies within `levels` (groups of eight values of `width`
/// bits, `width` bytes a group).
fn check_levels(levels: &[u8], width: usize, num_values: u64) -> Result<(), String> {
    let mut reader = Thrift {
        bytes: levels,
        at: 0,
    };
    let mut seen = 0u64;
    while reader.at < levels.len() && seen < num_values {
        let header = reader
            .varint()
            .ok_or("a run of its definition levels is cut short")?;
        let (count, bytes) = if header & 1 == 1 {
            let groups = header >> 1;
            (
                groups.saturating_mul(8),
                groups.saturating_mul(width as u64),
            )
        } else {
            (header >> 1, width.div_ceil(8) as u64)
        };
        let fits = usize::try_from(bytes).is_ok_and(|bytes| reader.advance(bytes).is_some());
        if !fits {
            return Err(format!(
                "a run of {count} definition levels declares {bytes} bytes, past the {} left",
                levels.len() - reader.at
            ));
        }
        seen = seen.saturating_add(count);
    }
    Ok(())
}

/// The value count that a DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY
/// page's first DELTA_BINARY_PACKED header declares (block size, miniblocks
/// per block, total count) is at most the page's values.
fn check_values(values: &[u8], encoding: Encoding, num_values: u64) -> Result<(), String> {
    if !matches!(
        encoding,
        Encoding::DELTA_LENGTH_BYTE_ARRAY | Encoding::DELTA_BYTE_ARRAY
    ) {
        return Ok(());
    }
    let mut reader = Thrift {
        bytes: values,
        at: 0,
    };
    let declared = reader
        .varint()
        .and_then(|_| reader.varint())
        .and_then(|_| reader.varint())
        .ok_or("its delta header is cut short")?;
    if declared > num_values {
        return Err(format!(
            "its {encoding} values declare {declared} lengths, more than its {num_values} values"
        ));
    }
    Ok(())
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

    /// Reads a struct's fields up to its end, calling `field(reader, id,
    /// type)` for each: it reads the value and answers `Some(true)`, or
    /// answers `Some(false)` to have the value skipped.
    fn fields(
        &mut self,
        depth: u32,
        mut field: impl FnMut(&mut Self, i64, u8) -> Option<bool>,
    ) -> Option<()> {
        if depth > 32 {
            return None;
        }
        let mut id = 0i64;
        loop {
            let byte = self.byte()?;
            if byte == 0 {
                return Some(());
            }
            let (delta, kind) = (byte >> 4, byte & 0x0f);
            id = if delta == 0 {
                self.zigzag()?
            } else {
                id.wrapping_add(i64::from(delta))
            };
            if !field(self, id, kind)? {
                self.skip(kind, false, depth + 1)?;
            }
        }
    }

    /// A list's size and element type. Every element takes at least a byte,
    /// so a size past the end of the bytes is refused here.
    fn list_header(&mut self) -> Option<(usize, u8)> {
        let header = self.byte()?;
        let size = match header >> 4 {
            15 => usize::try_from(self.varint()?).ok()?,
            size => usize::from(size),
        };
        (size <= self.bytes.len() - self.at).then_some((size, header & 0x0f))
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
                compressed: 20,
                kind: PageKind::Data { num_values: 4 },
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
