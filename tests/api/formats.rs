//! Leaderboards as data platforms keep them: long tables, Parquet and Arrow
//! streams answer exactly what the same table sent as wide CSV answers, on
//! every endpoint that takes a table. The files are written by
//! tests/fixtures/tables/make_tables.py (pyarrow, Polars, DuckDB; see
//! tests/fixtures/SOURCE.md); the wide CSV answers are themselves checked
//! against JSON requests in tables.rs.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, NullArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const PARQUET: &str = "application/vnd.apache.parquet";
const ARROW: &str = "application/vnd.apache.arrow.stream";
const PAPER_BENCHMARKS: &str = "MMLU,ARC-C,HellaSwag,Winograd,TruthfulQA,GSM8K,XWinograd,HumanEval";
const TARGET: &str = "word_unscrambling_2_exact_match";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/tables/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|err| panic!("{name}: {err}"))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("csv") => "text/csv",
        Some("parquet") => PARQUET,
        Some("arrows") => ARROW,
        _ => panic!("no content type for {name}"),
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b',' | b'=' | b'&' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn post(app: &TestApp, path: &str, query: &str, kind: &str, body: Vec<u8>) -> (u16, Value) {
    let (status, _, answer) = app
        .post_raw(&format!("{path}?{}", encode(query)), Some(kind), body)
        .await;
    (status, answer)
}

async fn post_file(app: &TestApp, path: &str, query: &str, name: &str) -> (u16, Value) {
    post(app, path, query, content_type(name), fixture(name)).await
}

/// One endpoint and its query: the wide CSV's answer, then every other
/// file's, wide ones with the same query and long ones with `layout=long`
/// and `long_extra`.
async fn same_answers(
    app: &TestApp,
    path: &str,
    query: &str,
    wide_csv: &str,
    wide: &[&str],
    long: &[&str],
    long_extra: &str,
) {
    let (status, expected) = post_file(app, path, query, wide_csv).await;
    assert_eq!(status, 200, "{path}?{query} on {wide_csv}: {expected}");
    for name in wide {
        let (status, answer) = post_file(app, path, query, name).await;
        assert_eq!(status, 200, "{path}?{query} on {name}: {answer}");
        assert_eq!(
            answer, expected,
            "{path}?{query}: {name} differs from {wide_csv}"
        );
    }
    let long_query = format!("{query}&layout=long{long_extra}");
    for name in long {
        let (status, answer) = post_file(app, path, &long_query, name).await;
        assert_eq!(status, 200, "{path}?{long_query} on {name}: {answer}");
        assert_eq!(
            answer, expected,
            "{path}?{long_query}: {name} differs from {wide_csv}"
        );
    }
}

const PAPER_WIDE: [&str; 6] = [
    "paper.pyarrow-snappy.parquet",
    "paper.pyarrow-zstd.parquet",
    "paper.polars.parquet",
    "paper.duckdb.parquet",
    "paper.pyarrow.arrows",
    "paper.polars.arrows",
];
const PAPER_LONG: [&str; 2] = ["paper_long.csv", "paper_long.polars.parquet"];

fn paper_options() -> String {
    format!(
        "n_components=3&missing=iterative_pca&imputation_bounds=0,1&benchmarks={PAPER_BENCHMARKS}"
    )
}

#[tokio::test]
async fn paper_pca_and_compute_fit_are_the_same_from_every_format() {
    let app = spawn_app().await;
    let options = paper_options();
    same_answers(
        &app,
        "/v1/pca",
        &options,
        "paper.csv",
        &PAPER_WIDE,
        &PAPER_LONG,
        "",
    )
    .await;
    let query = format!("{options}&family_column=Model Family&flops_column=FLOPs (1E21)");
    same_answers(
        &app,
        "/v1/scaling/compute-fit",
        &query,
        "paper.csv",
        &PAPER_WIDE,
        &PAPER_LONG,
        "",
    )
    .await;
}

#[tokio::test]
async fn paper_law_and_select_families_are_the_same_from_every_format() {
    let app = spawn_app().await;
    let options = paper_options();
    // The target is a column of the wide files and a benchmark value of the
    // long ones.
    let query = format!(
        "{options}&target_columns={TARGET}&family_column=Model Family&flops_column=FLOPs (1E21)\
         &max_train_flops=84&reference_family=Llama-2&target_range=0,1"
    );
    same_answers(
        &app,
        "/v1/scaling/law",
        &query,
        "paper.csv",
        &PAPER_WIDE,
        &PAPER_LONG,
        "",
    )
    .await;
    let (_, answer) = post_file(&app, "/v1/scaling/law", &query, "paper.csv").await;
    assert_eq!(answer["metrics"]["n_train"], 44, "{answer}");

    // Fourteen of the 21 families required: a small exhaustive search.
    let text = String::from_utf8(fixture("paper.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut families: Vec<String> = Vec::new();
    for record in reader.records() {
        let family = record.unwrap()[1].to_owned();
        if !families.contains(&family) {
            families.push(family);
        }
    }
    assert_eq!(families.len(), 21);
    let required: Vec<String> = families[..14].iter().map(|f| format!("\"{f}\"")).collect();
    let query = format!(
        "{options}&family_column=Model Family&max_models=60&required_families={}&top=2\
         &baseline_samples=50&seed=3",
        required.join(",")
    );
    same_answers(
        &app,
        "/v1/scaling/select-families",
        &query,
        "paper.csv",
        &PAPER_WIDE,
        &PAPER_LONG,
        "",
    )
    .await;
}

const GAPS_WIDE: [&str; 4] = [
    "gaps.pyarrow-zstd.parquet",
    "gaps.polars.parquet",
    "gaps.pyarrow.arrows",
    "gaps.polars.arrows",
];
const GAPS_LONG: [&str; 2] = ["gaps_long.csv", "gaps_long.pyarrow-snappy.parquet"];
const GAPS_OPTIONS: &str =
    "model_column=model&benchmark_prefix=bench_&missing=iterative_pca&n_components=2";

#[tokio::test]
async fn generated_tables_with_gaps_are_the_same_from_every_format() {
    let app = spawn_app().await;
    same_answers(
        &app,
        "/v1/pca",
        GAPS_OPTIONS,
        "gaps.csv",
        &GAPS_WIDE,
        &GAPS_LONG,
        "",
    )
    .await;
    let query = format!("{GAPS_OPTIONS}&family_column=family&flops_column=flops");
    same_answers(
        &app,
        "/v1/scaling/compute-fit",
        &query,
        "gaps.csv",
        &GAPS_WIDE,
        &GAPS_LONG,
        "",
    )
    .await;
    let query = format!(
        "{GAPS_OPTIONS}&target_columns=target&family_column=family&flops_column=flops&test_fraction=0.25"
    );
    same_answers(
        &app,
        "/v1/scaling/law",
        &query,
        "gaps.csv",
        &GAPS_WIDE,
        &GAPS_LONG,
        "",
    )
    .await;
    let query = format!(
        "{GAPS_OPTIONS}&family_column=family&max_models=12&top=2&baseline_samples=50&seed=1"
    );
    same_answers(
        &app,
        "/v1/scaling/select-families",
        &query,
        "gaps.csv",
        &GAPS_WIDE,
        &GAPS_LONG,
        "",
    )
    .await;
    // The default rule (every column of numbers but the model column) and
    // integer model labels, read as their decimal text: the timestamp, list
    // and struct columns of the typed files are no benchmarks, and the
    // float32, decimal and int32 columns read as the CSV's numbers.
    let (status, expected) =
        post_file(&app, "/v1/pca", "model_column=id&missing=mean", "gaps.csv").await;
    assert_eq!(status, 200, "{expected}");
    assert_eq!(expected["models"][0], "1000");
    assert_eq!(expected["benchmarks"].as_array().unwrap().len(), 12); // flops, 10 benchmarks, target
    for name in GAPS_WIDE {
        let (status, answer) =
            post_file(&app, "/v1/pca", "model_column=id&missing=mean", name).await;
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(answer, expected, "{name}");
    }
}

/// A long CSV as rows of (model, benchmark, score).
fn long_csv(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut text = String::from("model,benchmark,score\n");
    for (m, b, s) in rows {
        text.push_str(&format!("{m},{b},{s}\n"));
    }
    text.into_bytes()
}

const WIDE: &str = "model,A,B,C\nm1,0.5,0.25,0.125\nm2,0.75,0.5,0.625\nm3,0.25,0.875,0.5\n";

fn long_rows() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("m1", "A", "0.5"),
        ("m2", "A", "0.75"),
        ("m1", "B", "0.25"),
        ("m3", "C", "0.5"),
        ("m2", "B", "0.5"),
        ("m1", "C", "0.125"),
        ("m3", "A", "0.25"),
        ("m2", "C", "0.625"),
        ("m3", "B", "0.875"),
    ]
}

#[tokio::test]
async fn duplicate_pairs_follow_the_duplicates_rule() {
    let app = spawn_app().await;
    let (status, expected) = post(&app, "/v1/pca", "", "text/csv", WIDE.into()).await;
    assert_eq!(status, 200, "{expected}");
    let (status, answer) = post(
        &app,
        "/v1/pca",
        "layout=long",
        "text/csv",
        long_csv(&long_rows()),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);

    // m2 on B twice: 0.25 then 0.75 (mean 0.5, last 0.75); a null score is no duplicate.
    let mut rows = long_rows();
    rows[4] = ("m2", "B", "0.25");
    rows.push(("m2", "B", ""));
    rows.push(("m2", "B", "0.75"));
    rows.push(("m1", "A", "NA"));
    let (status, problem) = post(&app, "/v1/pca", "layout=long", "text/csv", long_csv(&rows)).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "duplicate_score");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("'m2'")
            && detail.contains("'B'")
            && detail.contains("line 6")
            && detail.contains("line 12"),
        "{detail}"
    );
    let (status, mean) = post(
        &app,
        "/v1/pca",
        "layout=long&duplicates=mean",
        "text/csv",
        long_csv(&rows),
    )
    .await;
    assert_eq!(status, 200, "{mean}");
    assert_eq!(
        mean, expected,
        "the mean of 0.25 and 0.75 is the wide table's 0.5"
    );
    let (status, last) = post(
        &app,
        "/v1/pca",
        "layout=long&duplicates=last",
        "text/csv",
        long_csv(&rows),
    )
    .await;
    assert_eq!(status, 200, "{last}");
    let wide_last = WIDE.replace("m2,0.75,0.5,", "m2,0.75,0.75,");
    let (_, expected_last) = post(&app, "/v1/pca", "", "text/csv", wide_last.into()).await;
    assert_eq!(last, expected_last);
}

#[tokio::test]
async fn absent_pairs_and_null_scores_are_missing_cells_and_rowless_models_are_dropped() {
    let app = spawn_app().await;
    // m1 has no C row, m2 a null C; x only has a benchmark the query leaves out.
    let mut rows = long_rows();
    rows.retain(|r| *r != ("m1", "C", "0.125"));
    rows[6] = ("m2", "C", "");
    rows.push(("x", "D", "0.5"));
    let (status, problem) = post(
        &app,
        "/v1/pca",
        "layout=long&benchmarks=A,B,C",
        "text/csv",
        long_csv(&rows),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "missing_scores");
    assert_eq!(
        problem["cells"],
        json!([{"model": "m1", "benchmark": "C"}, {"model": "m2", "benchmark": "C"}])
    );
    let wide = "model,A,B,C\nm1,0.5,0.25,\nm2,0.75,0.5,\nm3,0.25,0.875,0.5\n";
    let (_, mut expected) = post(&app, "/v1/pca", "missing=mean", "text/csv", wide.into()).await;
    let (status, answer) = post(
        &app,
        "/v1/pca",
        "layout=long&benchmarks=A,B,C&missing=mean",
        "text/csv",
        long_csv(&rows),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["dropped_models"], json!(["x"]));
    expected["dropped_models"] = json!(["x"]);
    assert_eq!(answer, expected);
    // The same through a prefix, and in the scaling endpoints' PCA.
    let (_, by_prefix) = post(
        &app,
        "/v1/pca",
        "layout=long&benchmark_prefix=A&missing=mean",
        "text/csv",
        long_csv(&rows),
    )
    .await;
    assert_eq!(by_prefix["dropped_models"], json!(["x"]));
    assert_eq!(by_prefix["benchmarks"], json!(["A"]));
}

#[tokio::test]
async fn per_model_columns_must_agree_and_targets_are_columns_before_benchmark_values() {
    let app = spawn_app().await;
    let body = "model,benchmark,score,family,flops,T\n\
                a1,A,0.10,a,1,0.1\na1,B,0.20,,1,\na2,A,0.30,a,10,0.2\na2,B,0.35,a,,0.2\n\
                a3,A,0.50,a,100,0.3\na3,B,0.55,a,100,0.3\nb1,A,0.15,b,1,0.1\nb1,B,0.10,b,1,0.1\n\
                b2,A,0.35,b,10,0.2\nb2,B,0.30,b,10,0.2\nb3,A,0.52,b,100,0.4\nb3,B,0.60,b,100,0.4\n\
                a1,T,0.9,a,1,0.1\n";
    let wide = "model,family,flops,A,B,T\na1,a,1,0.10,0.20,0.1\na2,a,10,0.30,0.35,0.2\na3,a,100,0.50,0.55,0.3\n\
                b1,b,1,0.15,0.10,0.1\nb2,b,10,0.35,0.30,0.2\nb3,b,100,0.52,0.60,0.4\n";
    let query = "family_column=family&flops_column=flops&n_components=1&benchmarks=A,B";
    let (status, expected) = post(
        &app,
        "/v1/scaling/compute-fit",
        query,
        "text/csv",
        wide.into(),
    )
    .await;
    assert_eq!(status, 200, "{expected}");
    let long_query = format!("{query}&layout=long");
    let (status, answer) = post(
        &app,
        "/v1/scaling/compute-fit",
        &long_query,
        "text/csv",
        body.into(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);

    // `T` is a column (agreeing across each model's rows), so the benchmark
    // value T of a1's last row is not the target.
    let law = "target_columns=T&n_components=1&benchmarks=A,B";
    let (_, expected) = post(&app, "/v1/scaling/law", law, "text/csv", wide.into()).await;
    let (status, answer) = post(
        &app,
        "/v1/scaling/law",
        &format!("{law}&layout=long"),
        "text/csv",
        body.into(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);

    let cases = [
        (
            body.replace("a2,B,0.35,a,,0.2", "a2,B,0.35,c,,0.2"),
            "family",
            "'a2'",
        ),
        (
            body.replace("b3,B,0.60,b,100,0.4", "b3,B,0.60,b,1000,0.4"),
            "flops",
            "'b3'",
        ),
    ];
    for (table, column, model) in cases {
        let (status, problem) = post(
            &app,
            "/v1/scaling/compute-fit",
            &long_query,
            "text/csv",
            table.into(),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["code"], "conflicting_metadata", "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains(model) && detail.contains(&format!("'{column}'")),
            "{detail}"
        );
    }
    // A target read from benchmark values refuses a duplicated pair too.
    let doubled = format!("{body}a1,U,0.5,a,1,\na1,U,0.6,a,1,\na2,U,0.7,a,10,\n");
    let (status, problem) = post(
        &app,
        "/v1/scaling/law",
        "target_columns=U&n_components=1&layout=long&benchmarks=A,B",
        "text/csv",
        doubled.into(),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "duplicate_score");
}

/// A Parquet file of `columns`, written by the parquet crate with `codec`
/// and plain encoding (no dictionary), so that a page's declared size is
/// the size of its values.
fn parquet(columns: Vec<(&str, ArrayRef)>, codec: parquet::basic::Compression) -> Vec<u8> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(codec)
        .set_dictionary_enabled(false)
        .build();
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, schema, Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    out
}

fn arrow_stream(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    out
}

fn small() -> Vec<(&'static str, ArrayRef)> {
    vec![
        (
            "model",
            Arc::new(StringArray::from(vec!["m1", "m2", "m3"])) as ArrayRef,
        ),
        ("A", Arc::new(Float64Array::from(vec![0.5, 0.75, 0.25]))),
        ("B", Arc::new(Float64Array::from(vec![0.25, 0.5, 0.875]))),
    ]
}

#[tokio::test]
async fn unreadable_and_oversized_tables_get_their_coded_problems() {
    let app = spawn_app().await;
    let good = parquet(small(), parquet::basic::Compression::SNAPPY);
    let (status, answer) = post(&app, "/v1/pca", "", PARQUET, good.clone()).await;
    assert_eq!(status, 200, "{answer}");
    // pyarrow's gzip (make_tables.py): a codec whose decompressor is not
    // bounded by the page's declared size.
    let gzip = fixture("small.pyarrow-gzip.parquet");
    // A column of 5 million zeros: a few kilobytes of zstd, 40 MB of values
    // (the limit is 32 MiB), refused before it is decompressed.
    let zeros: ArrayRef = Arc::new(Float64Array::from(vec![0.0; 5_000_000]));
    let bomb = parquet(
        vec![("model", zeros.clone()), ("A", zeros)],
        parquet::basic::Compression::ZSTD(Default::default()),
    );
    assert!(bomb.len() < 100_000, "{}", bomb.len());
    let batch = RecordBatch::try_from_iter(small()).unwrap();
    let stream = arrow_stream(&batch);
    let text_scores = parquet(
        vec![
            (
                "model",
                Arc::new(StringArray::from(vec!["m1", "m2"])) as ArrayRef,
            ),
            ("A", Arc::new(StringArray::from(vec!["0.5", "0.7"]))),
        ],
        parquet::basic::Compression::SNAPPY,
    );
    struct Case(
        &'static str,
        &'static str,
        &'static str,
        Vec<u8>,
        u16,
        &'static str,
        &'static str,
    );
    let cases = vec![
        Case(
            "garbage parquet",
            "",
            PARQUET,
            b"not a parquet file".to_vec(),
            422,
            "invalid_parquet",
            "Parquet",
        ),
        Case(
            "truncated parquet",
            "",
            PARQUET,
            good[..good.len() / 2].to_vec(),
            422,
            "invalid_parquet",
            "Parquet",
        ),
        Case(
            "gzip parquet",
            "",
            PARQUET,
            gzip,
            422,
            "invalid_parquet",
            "GZIP",
        ),
        Case(
            "decompression bomb",
            "",
            PARQUET,
            bomb,
            413,
            "payload_too_large",
            "MAX_BODY_BYTES",
        ),
        Case(
            "garbage arrow",
            "",
            ARROW,
            b"not an arrow stream".to_vec(),
            422,
            "invalid_arrow",
            "Arrow",
        ),
        Case(
            "truncated arrow",
            "",
            ARROW,
            stream[..stream.len() - 40].to_vec(),
            422,
            "invalid_arrow",
            "Arrow",
        ),
        Case(
            "parquet sent as arrow",
            "",
            ARROW,
            good.clone(),
            422,
            "invalid_arrow",
            "Arrow",
        ),
        Case(
            "text scores",
            "benchmarks=A",
            PARQUET,
            text_scores.clone(),
            422,
            "invalid_score",
            "column 'A'",
        ),
        Case(
            "text score column",
            "layout=long&model_column=model&benchmark_column=model&score_column=A",
            PARQUET,
            text_scores,
            422,
            "invalid_query",
            "three different",
        ),
        Case(
            "unknown layout",
            "layout=tall",
            PARQUET,
            good.clone(),
            422,
            "invalid_query",
            "layout",
        ),
        Case(
            "long option on a wide table",
            "score_column=x",
            PARQUET,
            good.clone(),
            422,
            "invalid_query",
            "layout=long",
        ),
        Case(
            "unknown duplicates rule",
            "layout=long&duplicates=first",
            "text/csv",
            long_csv(&long_rows()),
            422,
            "invalid_query",
            "duplicates",
        ),
        Case(
            "long table without a benchmark column",
            "layout=long&benchmark_column=bench",
            "text/csv",
            long_csv(&long_rows()),
            422,
            "unknown_column",
            "'bench'",
        ),
        Case(
            "long table: a row without a model",
            "layout=long",
            "text/csv",
            long_csv(&[("m1", "A", "0.5"), ("", "A", "0.6")]),
            422,
            "empty_label",
            "line 3",
        ),
        Case(
            "long table: an unknown benchmark",
            "layout=long&benchmarks=A,Z",
            "text/csv",
            long_csv(&long_rows()),
            422,
            "no_matching_columns",
            "'Z'",
        ),
        Case(
            "long table: a bad score",
            "layout=long",
            "text/csv",
            long_csv(&[("m1", "A", "high")]),
            422,
            "invalid_score",
            "line 2",
        ),
        Case(
            "a table sent as json",
            "",
            "application/json",
            stream.clone(),
            400,
            "malformed_json",
            "line 1",
        ),
        Case(
            "an unknown media type",
            "",
            "application/x-parquet",
            good,
            415,
            "unsupported_media_type",
            ARROW,
        ),
    ];
    for Case(name, query, kind, body, status, code, needle) in cases {
        let (got, problem) = post(&app, "/v1/pca", query, kind, body).await;
        assert_eq!(got, status, "{name}: {problem}");
        assert_eq!(problem["code"], code, "{name}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(needle), "{name}: {detail}");
    }
    // The Arrow stream itself is fine.
    let (status, answer) = post(&app, "/v1/pca", "", ARROW, stream).await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn typed_tables_are_held_to_max_cells_before_they_are_decoded() {
    let app = spawn_app_with(|c| c.max_cells = 1000).await;
    // 2^40 rows of nulls cost no buffer in an Arrow stream; their count is
    // refused before any row is read.
    let nulls: ArrayRef = Arc::new(NullArray::new(1 << 40));
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("model", DataType::Null, true),
            Field::new("A", DataType::Null, true),
        ])),
        vec![nulls.clone(), nulls],
    )
    .unwrap();
    let (status, problem) = post(&app, "/v1/pca", "", ARROW, arrow_stream(&batch)).await;
    assert_eq!(status, 413, "{problem}");
    assert_eq!(problem["code"], "too_many_cells");
    // 600 rows x 2 columns of Parquet, from the footer alone.
    let models: ArrayRef = Arc::new(StringArray::from(
        (0..600).map(|i| format!("m{i}")).collect::<Vec<_>>(),
    ));
    let scores: ArrayRef = Arc::new(Float64Array::from(
        (0..600).map(f64::from).collect::<Vec<_>>(),
    ));
    let file = parquet(
        vec![("model", models), ("A", scores)],
        parquet::basic::Compression::SNAPPY,
    );
    let (status, problem) = post(&app, "/v1/pca", "", PARQUET, file).await;
    assert_eq!(status, 413, "{problem}");
    assert_eq!(problem["code"], "too_many_cells");
    // A long table whose pivot would be 40 x 40 cells.
    let rows: Vec<(String, String)> = (0..40)
        .map(|i| (format!("m{i}"), format!("b{i}")))
        .collect();
    let mut text = String::from("model,benchmark,score\n");
    for (m, b) in &rows {
        text.push_str(&format!("{m},{b},0.5\n"));
    }
    let (status, problem) = post(&app, "/v1/pca", "layout=long", "text/csv", text.into()).await;
    assert_eq!(status, 413, "{problem}");
    assert_eq!(problem["code"], "too_many_cells");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("40 models x 40 benchmarks")
    );
}

/// The expected description of a CSV column, computed here from the file
/// with the csv crate: missing = empty cells, and every distinct value in
/// order of first appearance (numbers compared as numbers).
fn expected_columns(csv_name: &str) -> (usize, Vec<(String, usize, Vec<String>)>) {
    let bytes = fixture(csv_name);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let columns = header
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let mut examples: Vec<String> = Vec::new();
            let mut missing = 0;
            let same = |a: &str, b: &str| match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x == y,
                _ => a == b,
            };
            for record in &records {
                let cell = &record[c];
                if cell.is_empty() {
                    missing += 1;
                } else if !examples.iter().any(|e| same(e, cell)) {
                    examples.push(cell.to_owned());
                }
            }
            (name.clone(), missing, examples)
        })
        .collect();
    (records.len(), columns)
}

fn example_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("an example that is neither text nor a number: {other}"),
    }
}

#[tokio::test]
async fn inspect_describes_every_column() {
    let app = spawn_app().await;
    let (rows, columns) = expected_columns("gaps.csv");
    // The types pyarrow was asked to write (make_tables.py).
    let types: HashMap<&str, &str> = [
        ("id", "Int64"),
        ("model", "LargeUtf8"),
        ("family", "Dictionary(Int32, Utf8)"),
        ("flops", "Float64"),
        ("bench_00", "Float32"),
        ("bench_01", "Decimal128(9, 4)"),
        ("bench_02", "Int32"),
        ("target", "Float64"),
    ]
    .into_iter()
    .collect();
    for (name, query) in [
        "gaps.csv",
        "gaps.pyarrow-zstd.parquet",
        "gaps.pyarrow.arrows",
    ]
    .into_iter()
    .flat_map(|name| {
        [
            (name, ""),
            (name, "max_examples=1000"),
            (name, "max_examples=0"),
        ]
    }) {
        let listed = match query {
            "" => 5,
            "max_examples=0" => 0,
            _ => usize::MAX,
        };
        let (status, answer) = post_file(&app, "/v1/inspect", query, name).await;
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(answer["rows"], rows, "{name}");
        assert_eq!(answer["layout"], "wide", "{name}");
        let csv = name.ends_with(".csv");
        assert_eq!(
            answer["delimiter"],
            if csv { json!(",") } else { Value::Null }
        );
        let got = answer["columns"].as_array().unwrap();
        let typed = !name.ends_with(".csv");
        assert_eq!(
            got.len(),
            columns.len() + if typed { 3 } else { 0 },
            "{name}"
        );
        for ((column, missing, distinct), got) in columns.iter().zip(got) {
            let what = format!("{name} ?{query}, column {column}");
            assert_eq!(got["name"], *column, "{what}");
            let text_column = ["model", "family"].contains(&column.as_str());
            assert_eq!(got["numeric"], !text_column, "{what}");
            assert_eq!(got["missing"], *missing, "{what}");
            assert_eq!(got["distinct"], distinct.len(), "{what}");
            let examples = &distinct[..distinct.len().min(listed)];
            let got_examples: Vec<String> = got["examples"]
                .as_array()
                .unwrap()
                .iter()
                .map(example_text)
                .collect();
            // Numbers compare as numbers (a CSV's `0.5079` is the decimal
            // 0.5079; `1000` is the integer 1000).
            let as_numbers =
                |list: &[String]| -> Vec<f64> { list.iter().map(|e| e.parse().unwrap()).collect() };
            if text_column {
                assert_eq!(got_examples, examples, "{what}");
            } else {
                assert_eq!(as_numbers(&got_examples), as_numbers(examples), "{what}");
            }
            let expected_type = match (typed, text_column) {
                (true, _) => types.get(column.as_str()).copied().unwrap_or("Float64"),
                (false, true) => "text",
                (false, false) => "number",
            };
            assert_eq!(got["type"], expected_type, "{what}");
        }
        if typed {
            // The columns no request selects: a timestamp (read: its nulls
            // counted, no examples) and nested ones (not read).
            let extra = &got[columns.len()..];
            assert_eq!(extra[0]["name"], "evaluated_at");
            assert_eq!(extra[0]["numeric"], false);
            assert_eq!(extra[0]["missing"], 0);
            assert_eq!(extra[0]["examples"], json!([]));
            for (column, name) in extra[1..].iter().zip(["tags", "config"]) {
                assert_eq!(column["name"], name);
                assert_eq!(column["missing"], Value::Null, "{name} is nested");
                assert_eq!(column["numeric"], false);
            }
        }
    }
    // Layouts: long tables are guessed long, the paper's files wide.
    for (name, layout) in [
        ("paper.csv", "wide"),
        ("paper.duckdb.parquet", "wide"),
        ("paper_long.csv", "long"),
        ("paper_long.polars.parquet", "long"),
        ("gaps_long.pyarrow-snappy.parquet", "long"),
    ] {
        let (status, answer) = post_file(&app, "/v1/inspect", "", name).await;
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(answer["layout"], layout, "{name}");
    }
    let renamed = "name,task,acc\nm1,A,0.5\nm1,B,0.6\nm2,A,0.7\n";
    let (_, answer) = post(&app, "/v1/inspect", "", "text/csv", renamed.into()).await;
    assert_eq!(answer["layout"], "long", "the first column repeats");
    let (_, answer) = post(
        &app,
        "/v1/inspect",
        "max_examples=0",
        "text/csv",
        renamed.into(),
    )
    .await;
    assert_eq!(answer["layout"], "long", "whatever the examples listed");
    assert_eq!(answer["columns"][0]["distinct"], 2);
    assert_eq!(answer["delimiter"], ",");
    // `auto` reads the delimiter off the header line, and says which.
    for (delimiter, query) in [(";", ";"), ("\t", "tab"), (",", ",")] {
        let text = renamed.replace(',', delimiter);
        let (status, answer) = post(
            &app,
            "/v1/inspect",
            "delimiter=auto",
            "text/csv",
            text.clone().into(),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["delimiter"], delimiter);
        let (_, given) = post(
            &app,
            "/v1/inspect",
            &format!("delimiter={query}"),
            "text/csv",
            text.into(),
        )
        .await;
        assert_eq!(answer, given, "auto reads what the named delimiter reads");
        assert_eq!(answer["columns"].as_array().unwrap().len(), 3);
    }
    for bad in ["max_examples=1001", "max_examples=-1", "max_examples=x"] {
        let (status, problem) = post(&app, "/v1/inspect", bad, "text/csv", renamed.into()).await;
        assert_eq!(status, 422, "{bad}: {problem}");
        assert_eq!(problem["code"], "invalid_query", "{bad}");
    }
    let (_, answer) = post(
        &app,
        "/v1/inspect",
        "layout=wide",
        "text/csv",
        renamed.into(),
    )
    .await;
    assert_eq!(answer["layout"], "wide", "as the query says");
    let (status, _, problem) = app.post_json("/v1/inspect", &json!({"models": []})).await;
    assert_eq!(status, 415, "{problem}");
    assert_eq!(problem["code"], "unsupported_media_type");
    let (status, problem) = post(
        &app,
        "/v1/inspect",
        "model_column=x",
        "text/csv",
        renamed.into(),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "unknown_field");
}
