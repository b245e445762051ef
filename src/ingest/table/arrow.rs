//! Tables that arrive as Arrow record batches: an Arrow IPC stream or file
//! (`application/vnd.apache.arrow.stream`) here, and Parquet, which
//! [`super::parquet`] decodes into the same batches. Cells keep their type:
//! integers, floats and decimals are numbers (a decimal as the nearest
//! double of its decimal text), strings (plain, large, view or
//! dictionary-encoded) are text, null is missing, and so is a float NaN (as
//! `NaN` is in a CSV). Other types (dates, lists, bytes) are read only as
//! what they are not: a label or a number.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type, DecimalType, Float16Type,
    Float32Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, Float64Array, LargeStringArray,
    PrimitiveArray, RecordBatch, StringArray, StringViewArray,
};
use std::collections::{HashMap, VecDeque};

use arrow_buffer::Buffer;
use arrow_ipc as ipc;
use arrow_ipc::convert::try_fb_to_schema;
use arrow_ipc::reader::{read_dictionary, read_record_batch};
use arrow_schema::{DataType, Schema, SchemaRef};

use super::frame::{Cell, Table, Wanted};
use super::guard::Guard;
use crate::ingest::IngestError;

/// One record batch's slice of a column, by its type.
#[derive(Debug)]
enum Chunk {
    Null(usize),
    Bool(BooleanArray),
    I8(PrimitiveArray<Int8Type>),
    I16(PrimitiveArray<Int16Type>),
    I32(PrimitiveArray<Int32Type>),
    I64(PrimitiveArray<Int64Type>),
    U8(PrimitiveArray<UInt8Type>),
    U16(PrimitiveArray<UInt16Type>),
    U32(PrimitiveArray<UInt32Type>),
    U64(PrimitiveArray<UInt64Type>),
    F32(PrimitiveArray<Float32Type>),
    /// Doubles, and the types converted to them when read (half floats,
    /// decimals).
    F64(Float64Array),
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
    /// Integer keys into the values.
    Dictionary(Box<Chunk>, Box<Chunk>),
    /// Any other type, by its name; only its nulls are read.
    Other(String, ArrayRef),
}

impl Chunk {
    fn new(array: &ArrayRef) -> Self {
        use DataType as T;
        match array.data_type() {
            T::Null => Chunk::Null(array.len()),
            T::Boolean => Chunk::Bool(array.as_boolean().clone()),
            T::Int8 => Chunk::I8(array.as_primitive().clone()),
            T::Int16 => Chunk::I16(array.as_primitive().clone()),
            T::Int32 => Chunk::I32(array.as_primitive().clone()),
            T::Int64 => Chunk::I64(array.as_primitive().clone()),
            T::UInt8 => Chunk::U8(array.as_primitive().clone()),
            T::UInt16 => Chunk::U16(array.as_primitive().clone()),
            T::UInt32 => Chunk::U32(array.as_primitive().clone()),
            T::UInt64 => Chunk::U64(array.as_primitive().clone()),
            T::Float16 => Chunk::F64(
                array
                    .as_primitive::<Float16Type>()
                    .iter()
                    .map(|v| v.map(|v| v.to_f64()))
                    .collect(),
            ),
            T::Float32 => Chunk::F32(array.as_primitive().clone()),
            T::Float64 => Chunk::F64(array.as_primitive().clone()),
            T::Decimal32(..) => Chunk::F64(decimals::<Decimal32Type>(array)),
            T::Decimal64(..) => Chunk::F64(decimals::<Decimal64Type>(array)),
            T::Decimal128(..) => Chunk::F64(decimals::<Decimal128Type>(array)),
            T::Decimal256(..) => Chunk::F64(decimals::<Decimal256Type>(array)),
            T::Utf8 => Chunk::Utf8(array.as_string::<i32>().clone()),
            T::LargeUtf8 => Chunk::LargeUtf8(array.as_string::<i64>().clone()),
            T::Utf8View => Chunk::Utf8View(array.as_string_view().clone()),
            T::Dictionary(key, _) => {
                let (keys, values): (ArrayRef, &ArrayRef) = match key.as_ref() {
                    T::Int8 => dictionary::<Int8Type>(array),
                    T::Int16 => dictionary::<Int16Type>(array),
                    T::Int32 => dictionary::<Int32Type>(array),
                    T::Int64 => dictionary::<Int64Type>(array),
                    T::UInt8 => dictionary::<UInt8Type>(array),
                    T::UInt16 => dictionary::<UInt16Type>(array),
                    T::UInt32 => dictionary::<UInt32Type>(array),
                    T::UInt64 => dictionary::<UInt64Type>(array),
                    _ => return Chunk::Other(array.data_type().to_string(), array.clone()),
                };
                Chunk::Dictionary(Box::new(Chunk::new(&keys)), Box::new(Chunk::new(values)))
            }
            other => Chunk::Other(other.to_string(), array.clone()),
        }
    }

    fn cell(&self, i: usize) -> Cell<'_> {
        fn int<T>(a: &PrimitiveArray<T>, i: usize) -> Cell<'_>
        where
            T: ArrowPrimitiveType,
            T::Native: Into<i64>,
        {
            if a.is_null(i) {
                Cell::Missing
            } else {
                Cell::Int(a.value(i).into())
            }
        }
        fn float(value: f64) -> Cell<'static> {
            // NaN is missing, as the `NaN` token is in a CSV.
            if value.is_nan() {
                Cell::Missing
            } else {
                Cell::Float(value)
            }
        }
        match self {
            Chunk::Null(_) => Cell::Missing,
            Chunk::Bool(a) if a.is_null(i) => Cell::Missing,
            Chunk::Bool(a) => Cell::Text(if a.value(i) { "true" } else { "false" }),
            Chunk::I8(a) => int(a, i),
            Chunk::I16(a) => int(a, i),
            Chunk::I32(a) => int(a, i),
            Chunk::I64(a) => int(a, i),
            Chunk::U8(a) => int(a, i),
            Chunk::U16(a) => int(a, i),
            Chunk::U32(a) => int(a, i),
            Chunk::U64(a) if a.is_null(i) => Cell::Missing,
            Chunk::U64(a) => match i64::try_from(a.value(i)) {
                Ok(value) => Cell::Int(value),
                Err(_) => Cell::Float(a.value(i) as f64),
            },
            Chunk::F32(a) if a.is_null(i) => Cell::Missing,
            Chunk::F32(a) => float(f64::from(a.value(i))),
            Chunk::F64(a) if a.is_null(i) => Cell::Missing,
            Chunk::F64(a) => float(a.value(i)),
            Chunk::Utf8(a) if a.is_null(i) => Cell::Missing,
            Chunk::Utf8(a) => Cell::Text(a.value(i)),
            Chunk::LargeUtf8(a) if a.is_null(i) => Cell::Missing,
            Chunk::LargeUtf8(a) => Cell::Text(a.value(i)),
            Chunk::Utf8View(a) if a.is_null(i) => Cell::Missing,
            Chunk::Utf8View(a) => Cell::Text(a.value(i)),
            Chunk::Dictionary(keys, values) => match keys.cell(i) {
                Cell::Int(key) => match usize::try_from(key) {
                    Ok(key) if key < values.len() => values.cell(key),
                    _ => Cell::Missing,
                },
                _ => Cell::Missing,
            },
            Chunk::Other(_, a) if a.is_null(i) => Cell::Missing,
            Chunk::Other(name, _) => Cell::Other(name),
        }
    }

    fn len(&self) -> usize {
        match self {
            Chunk::Null(len) => *len,
            Chunk::Bool(a) => a.len(),
            Chunk::I8(a) => a.len(),
            Chunk::I16(a) => a.len(),
            Chunk::I32(a) => a.len(),
            Chunk::I64(a) => a.len(),
            Chunk::U8(a) => a.len(),
            Chunk::U16(a) => a.len(),
            Chunk::U32(a) => a.len(),
            Chunk::U64(a) => a.len(),
            Chunk::F32(a) => a.len(),
            Chunk::F64(a) => a.len(),
            Chunk::Utf8(a) => a.len(),
            Chunk::LargeUtf8(a) => a.len(),
            Chunk::Utf8View(a) => a.len(),
            Chunk::Dictionary(keys, _) => keys.len(),
            Chunk::Other(_, a) => a.len(),
        }
    }
}

/// Decimals as the doubles nearest their decimal text, exactly as the same
/// number written in a CSV is read.
fn decimals<T: DecimalType>(array: &ArrayRef) -> Float64Array {
    let array = array.as_primitive::<T>();
    (0..array.len())
        .map(|i| {
            (!array.is_null(i)).then(|| array.value_as_string(i).parse::<f64>().unwrap_or(f64::NAN))
        })
        .collect()
}

fn dictionary<K: arrow_array::types::ArrowDictionaryKeyType>(
    array: &ArrayRef,
) -> (ArrayRef, &ArrayRef) {
    let dictionary = array.as_dictionary::<K>();
    (Arc::new(dictionary.keys().clone()), dictionary.values())
}

/// Whether values of this type are numbers: integers, floats, decimals (and
/// null, a column with no value at all).
pub fn is_numeric(data_type: &DataType) -> bool {
    use DataType as T;
    match data_type {
        T::Null
        | T::Int8
        | T::Int16
        | T::Int32
        | T::Int64
        | T::UInt8
        | T::UInt16
        | T::UInt32
        | T::UInt64
        | T::Float16
        | T::Float32
        | T::Float64
        | T::Decimal32(..)
        | T::Decimal64(..)
        | T::Decimal128(..)
        | T::Decimal256(..) => true,
        T::Dictionary(_, values) => is_numeric(values),
        _ => false,
    }
}

/// Whether the type nests other columns (a struct, a list, a map, a union).
pub fn is_nested(data_type: &DataType) -> bool {
    use DataType as T;
    match data_type {
        T::Struct(_)
        | T::List(_)
        | T::LargeList(_)
        | T::ListView(_)
        | T::LargeListView(_)
        | T::FixedSizeList(..)
        | T::Map(..)
        | T::Union(..)
        | T::RunEndEncoded(..) => true,
        T::Dictionary(_, values) => is_nested(values),
        _ => false,
    }
}

/// A table of record batches: every column of the schema by name and type,
/// the cells of those that were read.
#[derive(Debug)]
pub struct ArrowTable {
    columns: Vec<String>,
    types: Vec<DataType>,
    /// Per column, one chunk per batch; `None` for a column not read.
    data: Vec<Option<Vec<Chunk>>>,
    /// The first row of each batch.
    starts: Vec<usize>,
    n_rows: usize,
    /// "row 3" (Arrow) or "row 3 of row group 1" (Parquet)? Rows are
    /// counted from 1 across the whole table either way.
    what: &'static str,
}

impl ArrowTable {
    /// The table of `batches`, whose columns are the schema's columns for
    /// which `read` holds, in schema order.
    pub fn new(
        schema: &Schema,
        read: &[bool],
        batches: &[RecordBatch],
        what: &'static str,
    ) -> Result<Self, IngestError> {
        let mut data: Vec<Option<Vec<Chunk>>> = read
            .iter()
            .map(|&r| r.then(|| Vec::with_capacity(batches.len())))
            .collect();
        let read_columns: Vec<usize> = (0..read.len()).filter(|&c| read[c]).collect();
        let mut starts = Vec::with_capacity(batches.len());
        let mut n_rows = 0usize;
        for batch in batches {
            if batch.num_columns() != read_columns.len() {
                return Err(IngestError::Internal(
                    "a record batch does not have the columns asked for".into(),
                ));
            }
            starts.push(n_rows);
            n_rows += batch.num_rows();
            for (&c, array) in read_columns.iter().zip(batch.columns()) {
                if let Some(chunks) = &mut data[c] {
                    chunks.push(Chunk::new(array));
                }
            }
        }
        Ok(Self {
            columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
            types: schema
                .fields()
                .iter()
                .map(|f| f.data_type().clone())
                .collect(),
            data,
            starts,
            n_rows,
            what,
        })
    }
}

impl Table for ArrowTable {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn n_rows(&self) -> usize {
        self.n_rows
    }

    fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        let Some(chunks) = &self.data[column] else {
            return Cell::Missing;
        };
        let batch = self.starts.partition_point(|&start| start <= row) - 1;
        let i = row - self.starts[batch];
        match chunks.get(batch) {
            Some(chunk) if i < chunk.len() => chunk.cell(i),
            _ => Cell::Missing,
        }
    }

    fn row_name(&self, row: usize) -> String {
        format!("{} {}", self.what, row + 1)
    }

    fn column_type(&self, column: usize) -> Option<String> {
        Some(self.types[column].to_string())
    }

    fn numeric_type(&self, column: usize) -> Option<bool> {
        Some(is_numeric(&self.types[column]))
    }

    fn is_read(&self, column: usize) -> bool {
        self.data[column].is_some()
    }
}

fn invalid_arrow(detail: impl std::fmt::Display) -> IngestError {
    IngestError::InvalidArrow(format!(
        "the body cannot be read as an Arrow IPC stream or file: {detail}"
    ))
}

/// The magic an Arrow IPC file starts and ends with (a stream has none).
const FILE_MAGIC: &[u8; 6] = b"ARROW1";

/// The stream of messages in an Arrow IPC body, and whether it is a file's:
/// the body itself, or the stream an IPC file embeds after its leading magic
/// and padding, which ends with an end-of-stream marker before the footer. The footer repeats the stream's schema and indexes its batches
/// for random access, which a body read whole does not need.
fn ipc_stream(body: &[u8]) -> Result<(&[u8], bool), IngestError> {
    if !body.starts_with(FILE_MAGIC) {
        return Ok((body, false));
    }
    let not_a_file = |what: &str| {
        invalid_arrow(format!(
            "it starts with the magic of an Arrow IPC file (ARROW1), but {what}"
        ))
    };
    let Some(head) = body.len().checked_sub(10).filter(|&at| at >= 8) else {
        return Err(not_a_file("it is too short to hold a file's footer"));
    };
    if !body.ends_with(FILE_MAGIC) {
        return Err(not_a_file("it does not end with it (a truncated file?)"));
    }
    let footer = i32::from_le_bytes(body[head..head + 4].try_into().expect("4 bytes"));
    if usize::try_from(footer)
        .ok()
        .and_then(|footer| head.checked_sub(footer))
        .is_none_or(|end| end < 8)
    {
        return Err(not_a_file(&format!(
            "its footer length {footer} does not fit in it"
        )));
    }
    // The magic is padded with zeros to the writer's alignment (8 bytes for
    // pyarrow, 64 for arrow-rs); the messages run from there to the
    // end-of-stream marker, and the footer follows it.
    let mut start = 8;
    while body[start..head].starts_with(&[0; 8]) {
        start += 8;
    }
    Ok((&body[start..head], true))
}

/// Reads an Arrow IPC stream or file (told apart by the file's `ARROW1`
/// magic), keeping the columns `wanted(index, name, numeric)` asks for.
///
/// The decoder of the arrow-ipc crate slices buffers at the offsets a
/// message declares, and sizes what it allocates by the lengths it declares;
/// so before a message is decoded, everything it declares is checked
/// against its body ([`Batch::check`]), and what decoding it would allocate
/// is claimed from the allocation [`Guard`]: its rows times the columns read
/// (MAX_CELLS), and the decompressed size of every compressed buffer it
/// holds (MAX_BODY_BYTES). Only the columns read are decoded (and the
/// dictionaries they use); each decoded column is then validated whole
/// (offsets, UTF-8, dictionary keys) before its cells are read.
pub fn read(body: &[u8], wanted: Wanted<'_>, mut guard: Guard) -> Result<ArrowTable, IngestError> {
    let (stream, file) = ipc_stream(body)?;
    let data = Buffer::from(stream.to_vec());
    let mut at = 0usize;
    let mut schema: Option<(SchemaRef, Vec<bool>, Vec<usize>)> = None;
    let mut dictionaries: HashMap<i64, ArrayRef> = HashMap::new();
    let mut batches = Vec::new();
    let mut rows = 0usize;
    while let Some((message, body)) = next_message(&data, &mut at, file)? {
        let version = message.version();
        match message.header_type() {
            ipc::MessageHeader::Schema => {
                if schema.is_some() {
                    return Err(invalid_arrow("the stream has a second schema message"));
                }
                let fields = message
                    .header_as_schema()
                    .ok_or_else(|| invalid_arrow("a schema message holds no schema"))?;
                let parsed = Arc::new(try_fb_to_schema(fields).map_err(invalid_arrow)?);
                let read = wanted_columns(&parsed, wanted);
                let projection = (0..read.len()).filter(|&c| read[c]).collect();
                schema = Some((parsed, read, projection));
            }
            ipc::MessageHeader::DictionaryBatch => {
                let (schema, read, _) = schema
                    .as_ref()
                    .ok_or_else(|| invalid_arrow("a dictionary comes before the schema"))?;
                let batch = message
                    .header_as_dictionary_batch()
                    .ok_or_else(|| invalid_arrow("a dictionary message holds no dictionary"))?;
                let id = batch.id();
                // Only the dictionaries of the columns read are decoded.
                #[allow(deprecated)] // dictionary ids are still how IPC links them
                let used = schema
                    .fields()
                    .iter()
                    .zip(read)
                    .any(|(field, &read)| read && field.dict_id() == Some(id));
                if !used {
                    continue;
                }
                #[allow(deprecated)]
                let values = match schema
                    .fields_with_dict_id(id)
                    .first()
                    .map(|f| f.data_type())
                {
                    Some(DataType::Dictionary(_, values)) if !is_nested(values) => values.clone(),
                    _ => {
                        return Err(invalid_arrow(format!(
                            "dictionary {id} is not one of flat values"
                        )));
                    }
                };
                let data = batch
                    .data()
                    .ok_or_else(|| invalid_arrow(format!("dictionary {id} has no data")))?;
                let what = format!("dictionary {id}");
                Batch::check(data, version, &[(&values, true, &what)], &body, &mut guard)?;
                if batch.isDelta() {
                    // A delta is appended to a copy of the values so far.
                    let before = dictionaries
                        .get(&id)
                        .map_or(0, |values| values.get_array_memory_size());
                    guard.claim((before + body.len()) as u64, || {
                        format!("the delta of dictionary {id}")
                    })?;
                }
                read_dictionary(&body, batch, schema, &mut dictionaries, &version)
                    .map_err(invalid_arrow)?;
                if let Some(values) = dictionaries.get(&id) {
                    values.to_data().validate_full().map_err(invalid_arrow)?;
                }
            }
            ipc::MessageHeader::RecordBatch => {
                let (schema, read, projection) = schema
                    .as_ref()
                    .ok_or_else(|| invalid_arrow("a record batch comes before the schema"))?;
                let batch = message
                    .header_as_record_batch()
                    .ok_or_else(|| invalid_arrow("a record batch message holds no batch"))?;
                let length = usize::try_from(batch.length())
                    .map_err(|_| invalid_arrow("a record batch has a negative length"))?;
                rows = rows.saturating_add(length);
                guard.cells(rows, projection.len().max(1))?;
                let names: Vec<String> = schema
                    .fields()
                    .iter()
                    .map(|f| format!("column '{}'", f.name()))
                    .collect();
                let fields: Vec<(&DataType, bool, &str)> = schema
                    .fields()
                    .iter()
                    .zip(read)
                    .zip(&names)
                    .map(|((field, &read), name)| (field.data_type(), read, name.as_str()))
                    .collect();
                Batch::check(batch, version, &fields, &body, &mut guard)?;
                let decoded = read_record_batch(
                    &body,
                    batch,
                    schema.clone(),
                    &dictionaries,
                    Some(projection),
                    &version,
                )
                .map_err(invalid_arrow)?;
                for column in decoded.columns() {
                    column.to_data().validate_full().map_err(invalid_arrow)?;
                }
                batches.push(decoded);
            }
            ipc::MessageHeader::NONE => {}
            other => {
                return Err(invalid_arrow(format!(
                    "a message of type {other:?} is no part of a table"
                )));
            }
        }
    }
    let (schema, read, _) =
        schema.ok_or_else(|| invalid_arrow("the stream has no schema message"))?;
    ArrowTable::new(&schema, &read, &batches, "row")
}

/// The next message of the stream at `at` and its body, `None` at its end
/// (the end-of-stream marker, or the end of the bytes between messages).
/// Both the message's length and its body's must fit in what is left. In a
/// stream nothing may follow the end-of-stream marker; in a file, its footer
/// does.
fn next_message<'a>(
    data: &'a Buffer,
    at: &mut usize,
    file: bool,
) -> Result<Option<(ipc::Message<'a>, Buffer)>, IngestError> {
    let bytes = data.as_slice();
    if *at == bytes.len() {
        return Ok(None);
    }
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|w| u32::from_le_bytes(w.try_into().expect("4 bytes")))
            .ok_or_else(|| invalid_arrow("the stream ends inside a message's length"))
    };
    let mut len = word(*at)?;
    *at += 4;
    // Since format 0.15 a length follows a continuation marker.
    if len == u32::MAX {
        len = word(*at)?;
        *at += 4;
    }
    if len == 0 {
        if *at != bytes.len() && !file {
            return Err(invalid_arrow(format!(
                "{} bytes follow the end-of-stream marker",
                bytes.len() - *at
            )));
        }
        return Ok(None);
    }
    let end = usize::try_from(len)
        .ok()
        .filter(|&len| len <= i32::MAX as usize)
        .and_then(|len| at.checked_add(len))
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| {
            invalid_arrow(format!(
                "a message declares {len} bytes, more than the {} left",
                bytes.len() - *at
            ))
        })?;
    let message = ipc::root_as_message(&bytes[*at..end])
        .map_err(|err| invalid_arrow(format!("a message cannot be read ({err})")))?;
    *at = end;
    let body_len = usize::try_from(message.bodyLength())
        .ok()
        .filter(|&len| len <= bytes.len() - end)
        .ok_or_else(|| {
            invalid_arrow(format!(
                "a message's body declares {} bytes, but {} are left",
                message.bodyLength(),
                bytes.len() - end
            ))
        })?;
    let body = data.slice_with_length(end, body_len);
    *at = end + body_len;
    Ok(Some((message, body)))
}

/// A batch message (a record batch, or a dictionary's values) checked
/// against its body before the decoder reads it: the decoder slices each
/// buffer at the offset and length the message declares, views a fixed-width
/// buffer whole as values of its width, and allocates a compressed buffer's
/// declared decompressed length.
struct Batch {
    nodes: Vec<ipc::FieldNode>,
    buffers: Vec<ipc::Buffer>,
    variadic: VecDeque<i64>,
    node: usize,
    buffer: usize,
    compressed: bool,
    /// Before version 5 a union has a validity buffer.
    union_validity: bool,
}

impl Batch {
    /// Checks `batch`, whose columns are `fields` (type, whether it is read,
    /// its name in messages) in order, against `body`.
    fn check(
        batch: ipc::RecordBatch<'_>,
        version: ipc::MetadataVersion,
        fields: &[(&DataType, bool, &str)],
        body: &[u8],
        guard: &mut Guard,
    ) -> Result<(), IngestError> {
        let compressed = match batch.compression() {
            None => false,
            Some(compression) => match compression.codec() {
                ipc::CompressionType::ZSTD => true,
                ipc::CompressionType::LZ4_FRAME => {
                    return Err(invalid_arrow(
                        "its buffers are compressed with LZ4; this service reads uncompressed or \
                         zstd-compressed IPC (pyarrow: ipc.IpcWriteOptions(compression='zstd'))",
                    ));
                }
                other => return Err(invalid_arrow(format!("unknown compression {other:?}"))),
            },
        };
        let (Some(nodes), Some(buffers)) = (batch.nodes(), batch.buffers()) else {
            return Err(invalid_arrow("a batch lists no field nodes or no buffers"));
        };
        // Every buffer, read or not, lies within the body.
        for (i, buffer) in buffers.iter().enumerate() {
            let fits = usize::try_from(buffer.offset())
                .ok()
                .zip(usize::try_from(buffer.length()).ok())
                .and_then(|(offset, length)| offset.checked_add(length))
                .is_some_and(|end| end <= body.len());
            if !fits {
                return Err(invalid_arrow(format!(
                    "buffer {i} of a batch ({} bytes at offset {}) lies outside its {}-byte body",
                    buffer.length(),
                    buffer.offset(),
                    body.len()
                )));
            }
        }
        let mut walk = Batch {
            nodes: nodes.iter().copied().collect(),
            buffers: buffers.iter().copied().collect(),
            union_validity: version < ipc::MetadataVersion::V5,
            variadic: batch.variadicBufferCounts().into_iter().flatten().collect(),
            node: 0,
            buffer: 0,
            compressed,
        };
        for &(data_type, read, name) in fields {
            if read {
                walk.read(data_type, name, body, guard)?;
            } else {
                walk.skip(data_type, name)?;
            }
        }
        Ok(())
    }

    fn next_node(&mut self, name: &str) -> Result<ipc::FieldNode, IngestError> {
        let node = (self.node < self.nodes.len())
            .then(|| self.nodes[self.node])
            .ok_or_else(|| invalid_arrow(format!("the batch has no field node for {name}")))?;
        self.node += 1;
        Ok(node)
    }

    fn next_buffer(&mut self, name: &str) -> Result<ipc::Buffer, IngestError> {
        let buffer = (self.buffer < self.buffers.len())
            .then(|| self.buffers[self.buffer])
            .ok_or_else(|| invalid_arrow(format!("the batch has too few buffers for {name}")))?;
        self.buffer += 1;
        Ok(buffer)
    }

    fn variadic_count(&mut self, name: &str) -> Result<usize, IngestError> {
        self.variadic
            .pop_front()
            .and_then(|count| usize::try_from(count).ok())
            .filter(|&count| count <= self.buffers.len() - self.buffer)
            .ok_or_else(|| invalid_arrow(format!("{name} has no valid variadic buffer count")))
    }

    /// Steps over a column that is not read, as the decoder does (it only
    /// counts its nodes and buffers).
    fn skip(&mut self, data_type: &DataType, name: &str) -> Result<(), IngestError> {
        use DataType as T;
        self.next_node(name)?;
        let buffers = match data_type {
            T::Null => 0,
            T::Utf8 | T::LargeUtf8 | T::Binary | T::LargeBinary => 3,
            T::Utf8View | T::BinaryView => 2 + self.variadic_count(name)?,
            T::List(child) | T::LargeList(child) | T::Map(child, _) => {
                self.skip_buffers(2, name)?;
                return self.skip(child.data_type(), name);
            }
            T::ListView(child) | T::LargeListView(child) => {
                self.skip_buffers(3, name)?;
                return self.skip(child.data_type(), name);
            }
            T::FixedSizeList(child, _) => {
                self.skip_buffers(1, name)?;
                return self.skip(child.data_type(), name);
            }
            T::Struct(children) => {
                self.skip_buffers(1, name)?;
                for child in children {
                    self.skip(child.data_type(), name)?;
                }
                return Ok(());
            }
            T::RunEndEncoded(ends, values) => {
                self.skip(ends.data_type(), name)?;
                return self.skip(values.data_type(), name);
            }
            T::Union(children, mode) => {
                let dense = matches!(mode, arrow_schema::UnionMode::Dense);
                let n = 1 + usize::from(dense) + usize::from(self.union_validity);
                self.skip_buffers(n, name)?;
                for (_, child) in children.iter() {
                    self.skip(child.data_type(), name)?;
                }
                return Ok(());
            }
            _ => 2,
        };
        self.skip_buffers(buffers, name)
    }

    fn skip_buffers(&mut self, n: usize, name: &str) -> Result<(), IngestError> {
        for _ in 0..n {
            self.next_buffer(name)?;
        }
        Ok(())
    }

    /// Checks a column that is read (a flat type: nested ones never are).
    fn read(
        &mut self,
        data_type: &DataType,
        name: &str,
        body: &[u8],
        guard: &mut Guard,
    ) -> Result<(), IngestError> {
        let node = self.next_node(name)?;
        let (length, nulls) = (node.length(), node.null_count());
        if length < 0 || nulls < 0 || nulls > length {
            return Err(invalid_arrow(format!(
                "{name} declares {length} values of which {nulls} null"
            )));
        }
        if matches!(data_type, DataType::Null) {
            return Ok(());
        }
        if is_nested(data_type) {
            return Err(IngestError::Internal(format!(
                "{name} is nested and was to be read"
            )));
        }
        let validity = self.next_buffer(name)?;
        self.buffer_len(&validity, name, body, guard)?;
        let specs = arrow_data::layout(data_type).buffers;
        let variadic = match data_type {
            DataType::Utf8View | DataType::BinaryView => self.variadic_count(name)?,
            _ => 0,
        };
        for spec in specs.iter().chain(std::iter::repeat_n(
            &arrow_data::BufferSpec::VariableWidth,
            variadic,
        )) {
            let buffer = self.next_buffer(name)?;
            let len = self.buffer_len(&buffer, name, body, guard)?;
            if let arrow_data::BufferSpec::FixedWidth { byte_width, .. } = spec
                && *byte_width > 0
                && len % *byte_width as u64 != 0
            {
                return Err(invalid_arrow(format!(
                    "a buffer of {name} holds {len} bytes, not a whole number of \
                     {byte_width}-byte values"
                )));
            }
        }
        Ok(())
    }

    /// The length of a buffer once decoded: as declared, or for a
    /// compressed one its declared decompressed length, which is claimed
    /// from the guard (the decoder allocates it before decompressing).
    fn buffer_len(
        &self,
        buffer: &ipc::Buffer,
        name: &str,
        body: &[u8],
        guard: &mut Guard,
    ) -> Result<u64, IngestError> {
        // Within the body: checked for every buffer first.
        let (offset, length) = (buffer.offset() as usize, buffer.length() as usize);
        if !self.compressed || length == 0 {
            return Ok(length as u64);
        }
        let Some(prefix) = body.get(offset..offset + length).and_then(|b| b.get(..8)) else {
            return Err(invalid_arrow(format!(
                "a compressed buffer of {name} is too short for its length prefix"
            )));
        };
        match i64::from_le_bytes(prefix.try_into().expect("8 bytes")) {
            // Stored as is, after the prefix.
            -1 => Ok(length as u64 - 8),
            declared @ 0.. => {
                guard.claim(declared as u64, || format!("a compressed buffer of {name}"))?;
                Ok(declared as u64)
            }
            declared => Err(invalid_arrow(format!(
                "a compressed buffer of {name} declares {declared} bytes"
            ))),
        }
    }
}

/// Which of the schema's columns to read: those `wanted` asks for, never
/// nested ones.
pub(super) fn wanted_columns(
    schema: &Schema,
    wanted: &dyn Fn(usize, &str, bool) -> bool,
) -> Vec<bool> {
    schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| !is_nested(f.data_type()) && wanted(i, f.name(), is_numeric(f.data_type())))
        .collect()
}
