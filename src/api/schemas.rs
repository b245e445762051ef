//! JSON Schemas that derive macros cannot express: unique, non-empty labels,
//! score rows of numbers or null, and `n_components` as either an integer or
//! a fraction. Stating these in the spec lets clients and fuzzers know every
//! rule the service enforces, instead of discovering them as 422s.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};

fn labels(what: &str, min_items: usize) -> ArrayBuilder {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .description(Some(format!("A {what} label"))),
        )
        .min_items(Some(min_items))
        .unique_items(true)
}

pub fn models() -> impl Into<RefOr<Schema>> {
    labels("model", 2).description(Some(
        "Row labels: one unique, non-empty name per model, in the order of `scores`.",
    ))
}

pub fn benchmarks() -> impl Into<RefOr<Schema>> {
    labels("benchmark", 1).description(Some(
        "Column labels: one unique, non-empty name per benchmark, in the order of each score row.",
    ))
}

pub fn scores() -> impl Into<RefOr<Schema>> {
    let cell = ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Number, Type::Null]))
        .description(Some("A score, or null for a missing cell"));
    ArrayBuilder::new()
        .items(ArrayBuilder::new().items(cell))
        .description(Some(
            "One row per model, one value per benchmark; null marks a missing cell.",
        ))
}

/// `n_components` of /v1/pca: also `"auto"` (parallel analysis).
pub fn n_components() -> impl Into<RefOr<Schema>> {
    let RefOr::T(Schema::OneOf(fixed)) = n_components_fixed().into() else {
        unreachable!("n_components_fixed is a oneOf")
    };
    let mut builder = OneOfBuilder::new().description(Some(
        "An integer k in 1..=min(n_models, n_benchmarks), a fraction in (0, 1), or \"auto\" \
         (the number parallel analysis retains); default min(n_models, n_benchmarks).",
    ));
    for item in fixed.items {
        builder = builder.item(item);
    }
    builder.item(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["auto"]))
            .description(Some("As many components as parallel analysis retains")),
    )
}

/// `n_components` of the scaling endpoints: a count or a fraction.
pub fn n_components_fixed() -> impl Into<RefOr<Schema>> {
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .description(Some("Keep exactly this many components (at most min(n_models, n_benchmarks))")),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .exclusive_minimum(Some(0))
                .exclusive_maximum(Some(1))
                .description(Some(
                    "Keep the fewest components whose cumulative explained-variance ratio exceeds this fraction",
                )),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "An integer k in 1..=min(n_models, n_benchmarks), or a fraction in (0, 1); default min(n_models, n_benchmarks).",
        ))
}

pub fn bounds() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::Number))
        .min_items(Some(2))
        .max_items(Some(2))
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .description(Some(
            "[lo, hi] with lo < hi: imputed values are clipped to it; null for none",
        ))
}

fn nullable_numbers(description: &str) -> ArrayBuilder {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Number, Type::Null])))
        .description(Some(description.to_owned()))
}

pub fn compute() -> impl Into<RefOr<Schema>> {
    nullable_numbers("One positive value per model, or null where unknown")
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
}

/// `params` and `tokens` of the skills law: a positive number per model.
pub fn positive_per_model() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .exclusive_minimum(Some(0)),
        )
        .description(Some("One positive value per model, in request order"))
}

/// `families` of the skills law: a family name per model.
pub fn model_families() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1)),
        )
        .description(Some(
            "One non-empty family name per model, in request order",
        ))
}

/// `floors` of the skills law: a chance floor in [0, 1) per benchmark.
pub fn floors() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .minimum(Some(0))
                .exclusive_maximum(Some(1)),
        )
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .description(Some(
            "One floor in [0, 1) per benchmark, in request order; null for 0 everywhere",
        ))
}

/// `evaluate.groups` of the skills law: non-empty lists of family names.
pub fn family_groups() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .items(
            ArrayBuilder::new()
                .items(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1)),
                )
                .min_items(Some(1)),
        )
        .min_items(Some(1))
        .description(Some(
            "Groups of families held out together, each a non-empty list of values of `families`",
        ))
}

pub fn target_values() -> impl Into<RefOr<Schema>> {
    nullable_numbers("One value per model, or null where unknown")
}

pub fn range() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::Number))
        .min_items(Some(2))
        .max_items(Some(2))
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .description(Some("[lo, hi] with lo < hi"))
}

pub fn supplementary_models() -> impl Into<RefOr<Schema>> {
    labels("model", 1).description(Some(
        "Supplementary model names: unique, non-empty, distinct from `models`.",
    ))
}

pub fn placed_models() -> impl Into<RefOr<Schema>> {
    labels("model", 1).description(Some(
        "The models to place: unique, non-empty names, one per row of `scores`.",
    ))
}

pub fn budgets() -> impl Into<RefOr<Schema>> {
    let budget = || {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
    };
    OneOfBuilder::new()
        .item(budget())
        .item(
            ArrayBuilder::new()
                .items(budget())
                .min_items(Some(1))
                .max_items(Some(100)),
        )
        .description(Some(
            "The most models to evaluate: one budget, or a list of budgets",
        ))
}

/// A Parquet file (`application/vnd.apache.parquet`), wide or long: any
/// number of row groups, compressed with snappy or zstd (the defaults of
/// pyarrow, Polars and DuckDB) or not at all.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ParquetFile(pub Vec<u8>);

/// An Arrow IPC stream (`application/vnd.apache.arrow.stream`, uncompressed),
/// wide or long.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ArrowStream(pub Vec<u8>);

/// The `examples` of an inspected column: numbers or text.
pub fn column_examples() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .items(
            OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::Number))
                .item(ObjectBuilder::new().schema_type(Type::String)),
        )
        .max_items(Some(5))
        .description(Some(
            "Up to five distinct values in order of first appearance: numbers in a numeric \
             column, text otherwise; none for a type that is neither.",
        ))
}

/// A CSV body that may be any text: `/v1/inspect` describes whatever table
/// it is given (a text of one line is a table of one column and no row).
pub struct CsvText;

impl utoipa::PartialSchema for CsvText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::AnyValue)
            .description(Some(
                "A CSV table: UTF-8 text with a header row (any text reads as one).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for CsvText {}

/// The multipart/form-data form of a request that places models on a basis.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the form; the body is read by `multipart`.
pub struct PlacementForm {
    /// The basis, as JSON.
    #[schema(value_type = Object)]
    basis: serde_json::Value,
    /// The models, as a table read with the query's table parameters: CSV
    /// (the default), or Parquet or an Arrow IPC stream when the part's
    /// Content-Type is `application/vnd.apache.parquet` or
    /// `application/vnd.apache.arrow.stream`.
    #[schema(value_type = String, format = Binary)]
    scores: String,
}
