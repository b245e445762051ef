//! Tables that arrive as Arrow record batches: an Arrow IPC stream
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
use arrow_buffer::Buffer;
use arrow_ipc::reader::StreamDecoder;
use arrow_schema::{DataType, Schema};

use super::{Cell, Table};
use crate::api::body::Limits;
use crate::api::error::{ApiError, ErrorCode};

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
    ) -> Result<Self, ApiError> {
        let mut data: Vec<Option<Vec<Chunk>>> = read
            .iter()
            .map(|&r| r.then(|| Vec::with_capacity(batches.len())))
            .collect();
        let read_columns: Vec<usize> = (0..read.len()).filter(|&c| read[c]).collect();
        let mut starts = Vec::with_capacity(batches.len());
        let mut n_rows = 0usize;
        for batch in batches {
            if batch.num_columns() != read_columns.len() {
                return Err(ApiError::new(
                    ErrorCode::InternalError,
                    "a record batch does not have the columns asked for",
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

fn invalid_arrow(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidArrow,
        format!("the body cannot be read as an Arrow IPC stream: {detail}"),
    )
}

/// 413 `too_many_cells` once a table of `rows` rows has more read cells than
/// the limit allows.
pub(crate) fn check_read_cells(
    rows: usize,
    columns: usize,
    limits: &Limits,
) -> Result<(), ApiError> {
    let cells = rows.saturating_mul(columns);
    if cells > limits.max_cells {
        return Err(ApiError::new(
            ErrorCode::TooManyCells,
            format!(
                "the table has {rows} rows of {columns} columns to read, {cells} cells, more than \
                 the limit of {} (MAX_CELLS)",
                limits.max_cells
            ),
        ));
    }
    Ok(())
}

/// Reads an Arrow IPC stream, keeping the columns `wanted(index, name,
/// numeric)` asks for. The stream's buffers are slices of the body (it is
/// not copied again), so the body limit bounds them; the row count is held
/// to MAX_CELLS as batches arrive. Compressed streams are refused (no tool
/// writes them by default, and a compressed buffer declares its own size).
pub fn read_stream(
    body: &[u8],
    wanted: &dyn Fn(usize, &str, bool) -> bool,
    limits: &Limits,
) -> Result<ArrowTable, ApiError> {
    let mut decoder = StreamDecoder::new();
    let mut buffer = Buffer::from(body.to_vec());
    let mut batches = Vec::new();
    let mut read: Option<Vec<bool>> = None;
    let mut rows = 0usize;
    while !buffer.is_empty() {
        let Some(batch) = decoder.decode(&mut buffer).map_err(invalid_arrow)? else {
            continue;
        };
        let read = read.get_or_insert_with(|| wanted_columns(batch.schema_ref(), wanted));
        rows = rows.saturating_add(batch.num_rows());
        check_read_cells(rows, read.iter().filter(|&&r| r).count().max(1), limits)?;
        let kept: Vec<ArrayRef> = batch
            .columns()
            .iter()
            .zip(read.iter())
            .filter(|(_, r)| **r)
            .map(|(a, _)| a.clone())
            .collect();
        batches.push((batch.num_rows(), kept));
    }
    decoder.finish().map_err(invalid_arrow)?;
    let schema = decoder
        .schema()
        .ok_or_else(|| invalid_arrow("the stream has no schema message"))?;
    let read = read.unwrap_or_else(|| wanted_columns(&schema, wanted));
    let kept_schema = Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .zip(&read)
            .filter(|(_, r)| **r)
            .map(|(f, _)| f.clone())
            .collect::<Vec<_>>(),
    ));
    let batches = batches
        .into_iter()
        .map(|(rows, columns)| {
            RecordBatch::try_new_with_options(
                kept_schema.clone(),
                columns,
                &arrow_array::RecordBatchOptions::new().with_row_count(Some(rows)),
            )
            .map_err(invalid_arrow)
        })
        .collect::<Result<Vec<_>, _>>()?;
    ArrowTable::new(&schema, &read, &batches, "row")
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
