//! Leaderboards sent as tables (CSV) on the scaling endpoints: a table and
//! its query answer exactly what the equivalent JSON request answers, on the
//! paper's own files. The JSON requests here are built independently, by
//! reading the same files with the csv crate.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const BENCHMARKS: [&str; 8] = [
    "MMLU",
    "ARC-C",
    "HellaSwag",
    "Winograd",
    "TruthfulQA",
    "GSM8K",
    "XWinograd",
    "HumanEval",
];
const PAPER_SET: &str = "data/paper_set_77.csv";
const EMERGENT: &str = "data/base_llm_emergent_capability_eval_c10551f.csv";
const POST_TRAINING: &str = "data/base_llm_post_training_eval_c10551f.csv";
const WORD_UNSCRAMBLING: &str = "word_unscrambling_2_exact_match";
const GSM8K_FEW_SHOT: &str = "gsm8k_5_exact_match,flexible-extract";
const GSM8K_COT: &str = "gsm8k_cot_8_exact_match,flexible-extract";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A CSV file: its header and its rows as maps from header to cell.
fn read_csv(path: &str) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let bytes = fixture(path);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

/// The paper set with the given columns of other files joined on `Model`
/// (an empty cell where a file has no row for the model), as CSV text.
fn joined(columns: &[(&str, &str)]) -> (Vec<HashMap<String, String>>, Vec<u8>) {
    let (mut header, mut rows) = read_csv(PAPER_SET);
    for (file, column) in columns {
        let (_, others) = read_csv(file);
        let by_model: HashMap<&str, &str> = others
            .iter()
            .map(|r| (r["Model"].as_str(), r[*column].as_str()))
            .collect();
        for row in &mut rows {
            let cell = by_model
                .get(row["Model"].as_str())
                .unwrap_or(&"")
                .to_string();
            row.insert(column.to_string(), cell);
        }
        header.push(column.to_string());
    }
    let mut writer = csv::Writer::from_writer(vec![]);
    writer.write_record(&header).unwrap();
    for row in &rows {
        writer
            .write_record(header.iter().map(|h| row[h].as_str()))
            .unwrap();
    }
    (rows, writer.into_inner().unwrap())
}

fn number(cell: &str) -> Value {
    cell.parse::<f64>().map_or(Value::Null, |v| json!(v))
}

fn column(rows: &[HashMap<String, String>], name: &str) -> Vec<Value> {
    rows.iter().map(|r| number(&r[name])).collect()
}

/// The JSON body a client would build from the rows: the eight benchmarks,
/// the paper's imputation, 3 components.
fn leaderboard(rows: &[HashMap<String, String>]) -> Value {
    json!({
        "models": rows.iter().map(|r| r["Model"].clone()).collect::<Vec<_>>(),
        "benchmarks": BENCHMARKS,
        "scores": rows.iter().map(|r| BENCHMARKS.iter().map(|b| number(&r[*b])).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "n_components": 3,
        "missing": "iterative_pca",
        "imputation": {"rank": 1, "bounds": [0, 1]},
    })
}

fn families(rows: &[HashMap<String, String>]) -> Value {
    json!(
        rows.iter()
            .map(|r| r["Model Family"].clone())
            .collect::<Vec<_>>()
    )
}

/// The query of the same options, with the benchmarks named or picked by
/// the default rule (every numeric column not named otherwise).
fn options_query(named_benchmarks: bool) -> String {
    let benchmarks = if named_benchmarks {
        format!("&benchmarks={}", BENCHMARKS.join(","))
    } else {
        String::new()
    };
    format!("n_components=3&missing=iterative_pca&imputation_bounds=0,1{benchmarks}")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn post_csv(app: &TestApp, path: &str, query: &str, csv: Vec<u8>) -> (u16, Value) {
    let (status, _, body) = app
        .post_raw(&format!("{path}?{query}"), Some("text/csv"), csv)
        .await;
    (status, body)
}

async fn post_json(app: &TestApp, path: &str, body: &Value) -> Value {
    let (status, _, answer) = app.post_json(path, body).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

#[tokio::test]
async fn compute_fit_from_csv_equals_json_on_the_paper_set() {
    let app = spawn_app().await;
    let (rows, csv) = joined(&[]);
    let mut request = leaderboard(&rows);
    request["families"] = families(&rows);
    request["flops"] = json!(column(&rows, "FLOPs (1E21)"));
    let expected = post_json(&app, "/v1/scaling/compute-fit", &request).await;
    assert_eq!(expected["families"].as_array().unwrap().len(), 14);

    let query = format!(
        "{}&family_column={}&flops_column={}",
        options_query(true),
        encode("Model Family"),
        encode("FLOPs (1E21)")
    );
    let (status, answer) = post_csv(&app, "/v1/scaling/compute-fit", &query, csv.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);

    // Compute as 6 N D from the params and tokens columns.
    request.as_object_mut().unwrap().remove("flops");
    request["params"] = json!(column(&rows, "Model Size (B)"));
    request["tokens"] = json!(column(&rows, "Pretraining Data Size (T)"));
    let expected = post_json(&app, "/v1/scaling/compute-fit", &request).await;
    let query = format!(
        "{}&family_column={}&params_column={}&tokens_column={}",
        options_query(true),
        encode("Model Family"),
        encode("Model Size (B)"),
        encode("Pretraining Data Size (T)")
    );
    let (status, answer) = post_csv(&app, "/v1/scaling/compute-fit", &query, csv).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["pca"]["benchmarks"], json!(BENCHMARKS));
    assert_eq!(answer, expected);
}

#[tokio::test]
async fn law_from_csv_equals_json_on_the_emergent_task_file() {
    let app = spawn_app().await;
    let (rows, csv) = joined(&[(EMERGENT, WORD_UNSCRAMBLING), (POST_TRAINING, GSM8K_COT)]);
    let mut request = leaderboard(&rows);
    request["flops"] = json!(column(&rows, "FLOPs (1E21)"));
    request["families"] = families(&rows);
    request["split"] = json!({"by": "flops", "max_train_flops": 84.0});
    request["reference_family"] = json!("Llama-2");
    request["target_range"] = json!([0, 1]);
    let single = |name: &str| {
        let mut r = request.clone();
        r["target"] = json!({"name": name, "values": column(&rows, name)});
        r
    };
    let expected = post_json(&app, "/v1/scaling/law", &single(WORD_UNSCRAMBLING)).await;
    assert_eq!(expected["metrics"]["n_train"], 44);
    assert_eq!(expected["metrics"]["n_test"], 21);

    let query = format!(
        "{}&target_columns={WORD_UNSCRAMBLING}&family_column={}&flops_column={}\
         &max_train_flops=84&reference_family=Llama-2&target_range=0,1",
        options_query(true),
        encode("Model Family"),
        encode("FLOPs (1E21)")
    );
    let (status, answer) = post_csv(&app, "/v1/scaling/law", &query, csv.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);

    // Two targets: one result each, each what the target alone answers.
    let query = query.replace(
        &format!("target_columns={WORD_UNSCRAMBLING}"),
        &format!(
            "target_columns={WORD_UNSCRAMBLING},{}&split_by=flops",
            encode(&format!("\"{GSM8K_COT}\""))
        ),
    );
    let (status, answer) = post_csv(&app, "/v1/scaling/law", &query, csv).await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0], expected);
    let cot = post_json(&app, "/v1/scaling/law", &single(GSM8K_COT)).await;
    assert_eq!(results[1], cot);
    assert_ne!(
        results[0]["metrics"]["n_train"], results[1]["metrics"]["n_train"],
        "the targets are labelled on different models, so each trains on its own"
    );
    let mut several = request.clone();
    several["targets"] = json!([
        {"name": WORD_UNSCRAMBLING, "values": column(&rows, WORD_UNSCRAMBLING)},
        {"name": GSM8K_COT, "values": column(&rows, GSM8K_COT)},
    ]);
    assert_eq!(post_json(&app, "/v1/scaling/law", &several).await, answer);
}

/// The paper's post-training comparison in one request: GSM8K few-shot
/// against chain-of-thought, each on the Llama-2-equivalent compute axis.
#[tokio::test]
async fn post_training_comparison_is_one_request() {
    let app = spawn_app().await;
    let (rows, csv) = joined(&[(POST_TRAINING, GSM8K_FEW_SHOT), (POST_TRAINING, GSM8K_COT)]);
    let query = format!(
        "{}&target_columns={}&family_column={}&flops_column={}&reference_family=Llama-2\
         &max_train_flops=84",
        options_query(true),
        encode(&format!("\"{GSM8K_FEW_SHOT}\",\"{GSM8K_COT}\"")),
        encode("Model Family"),
        encode("FLOPs (1E21)")
    );
    let (status, answer) = post_csv(&app, "/v1/scaling/law", &query, csv).await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["target"], GSM8K_FEW_SHOT);
    assert_eq!(results[1]["target"], GSM8K_COT);
    for result in results {
        assert_eq!(result["reference"]["family"], "Llama-2");
        let predictions = result["predictions"].as_array().unwrap();
        assert_eq!(predictions.len(), rows.len());
        assert!(
            predictions
                .iter()
                .all(|p| p["equivalent_log10_flops"].is_f64())
        );
    }
    // Chain-of-thought helps the stronger models: above the cutoff, its
    // observed scores beat few-shot's on average (the paper's Figure 6).
    let mean_test = |result: &Value| {
        let test: Vec<f64> = result["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["split"] == "test")
            .map(|p| p["observed"].as_f64().unwrap())
            .collect();
        test.iter().sum::<f64>() / test.len() as f64
    };
    assert!(mean_test(&results[1]) > mean_test(&results[0]));
    // The JSON twin answers the same.
    let mut request = leaderboard(&rows);
    request["flops"] = json!(column(&rows, "FLOPs (1E21)"));
    request["families"] = families(&rows);
    request["split"] = json!({"by": "flops", "max_train_flops": 84});
    request["reference_family"] = json!("Llama-2");
    request["targets"] = json!([
        {"name": GSM8K_FEW_SHOT, "values": column(&rows, GSM8K_FEW_SHOT)},
        {"name": GSM8K_COT, "values": column(&rows, GSM8K_COT)},
    ]);
    assert_eq!(post_json(&app, "/v1/scaling/law", &request).await, answer);
}

#[tokio::test]
async fn select_families_from_csv_equals_json_on_the_paper_set() {
    let app = spawn_app().await;
    let (rows, csv) = joined(&[]);
    // Seven families required, so that the exhaustive search over the other
    // fourteen stays small for a debug build.
    let mut required: Vec<String> = Vec::new();
    for r in &rows {
        if !required.contains(&r["Model Family"]) && required.len() < 7 {
            required.push(r["Model Family"].clone());
        }
    }
    let mut request = leaderboard(&rows);
    request["families"] = families(&rows);
    request["max_models"] = json!([25, 40]);
    request["required_families"] = json!(required);
    request["top"] = json!(3);
    request["baseline_samples"] = json!(200);
    request["seed"] = json!(7);
    let expected = post_json(&app, "/v1/scaling/select-families", &request).await;
    assert_eq!(expected["budgets"].as_array().unwrap().len(), 2);
    let query = format!(
        "{}&family_column={}&max_models=25,40&required_families={}&top=3\
         &baseline_samples=200&seed=7",
        options_query(true),
        encode("Model Family"),
        encode(&required.join(",")),
    );
    let (status, answer) = post_csv(&app, "/v1/scaling/select-families", &query, csv.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);

    // One budget: the same as a single number in JSON.
    request["max_models"] = json!(25);
    let expected = post_json(&app, "/v1/scaling/select-families", &request).await;
    let query = query.replace("max_models=25,40", "max_models=25");
    let (status, answer) = post_csv(&app, "/v1/scaling/select-families", &query, csv).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);
}

#[tokio::test]
async fn a_model_with_an_empty_family_cell_has_no_family() {
    let app = spawn_app().await;
    let csv = "Model,Family,FLOPs,A,B\n\
               a1,a,1,0.10,0.20\na2,a,10,0.30,0.35\na3,a,100,0.50,0.55\n\
               b1,b,1,0.15,0.10\nb2,b,10,0.35,0.30\nb3,b,100,0.52,0.60\n\
               x,,1000,0.90,0.80\n";
    let query = "family_column=Family&flops_column=FLOPs&n_components=1";
    let (status, answer) = post_csv(
        &app,
        "/v1/scaling/compute-fit",
        query,
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let fitted: Vec<&str> = answer["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["family"].as_str().unwrap())
        .collect();
    assert_eq!(fitted, ["a", "b"]);
    // The model without a family is still analysed, and FLOPs is no benchmark.
    assert_eq!(answer["pca"]["models"].as_array().unwrap().len(), 7);
    assert_eq!(answer["pca"]["benchmarks"], json!(["A", "B"]));
    // JSON says the same with null (or "") for the family.
    let request = json!({
        "models": ["a1", "a2", "a3", "b1", "b2", "b3", "x"],
        "benchmarks": ["A", "B"],
        "scores": [[0.10, 0.20], [0.30, 0.35], [0.50, 0.55], [0.15, 0.10], [0.35, 0.30], [0.52, 0.60], [0.90, 0.80]],
        "families": ["a", "a", "a", "b", "b", "b", null],
        "flops": [1, 10, 100, 1, 10, 100, 1000],
        "n_components": 1,
    });
    assert_eq!(
        post_json(&app, "/v1/scaling/compute-fit", &request).await,
        answer
    );
    let mut empty = request.clone();
    empty["families"][6] = json!("");
    assert_eq!(
        post_json(&app, "/v1/scaling/compute-fit", &empty).await,
        answer
    );
    // No design includes it, and every design of whole families fits.
    let query = "family_column=Family&n_components=1&max_models=7&benchmarks=A,B";
    let (status, design) = post_csv(
        &app,
        "/v1/scaling/select-families",
        query,
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{design}");
    let best = &design["budgets"][0]["best"][0];
    assert_eq!(best["families"], json!(["a", "b"]));
    assert_eq!(best["n_models"], 6);
}

#[tokio::test]
async fn bad_table_queries_are_422s_naming_what_is_wrong() {
    let app = spawn_app().await;
    let csv = "Model,Family,FLOPs,A,B,T\n\
               a1,a,1,0.10,0.20,0.1\na2,a,ten,0.30,0.35,0.2\na3,a,100,0.50,0.55,0.3\n\
               b1,b,1,0.15,0.10,0.1\n";
    let cases = [
        (
            "/v1/scaling/compute-fit",
            "flops_column=FLOPs",
            "invalid_query",
            "family_column",
        ),
        (
            "/v1/scaling/compute-fit",
            "family_column=Fam&flops_column=FLOPs",
            "unknown_column",
            "'Fam'",
        ),
        (
            "/v1/scaling/compute-fit",
            "family_column=Family&flops_column=FLOPs",
            "invalid_score",
            "line 3, column 'FLOPs' (model 'a2')",
        ),
        (
            "/v1/scaling/compute-fit",
            "family_column=Family&flops_column=FLOPs&benchmarks=A,FLOPs",
            "invalid_query",
            "'FLOPs'",
        ),
        (
            "/v1/scaling/compute-fit",
            "family_column=Family&min_family_size=x",
            "invalid_query",
            "min_family_size",
        ),
        (
            "/v1/scaling/law",
            "family_column=Family",
            "invalid_query",
            "target_columns",
        ),
        (
            "/v1/scaling/law",
            "target_columns=U",
            "unknown_column",
            "'U'",
        ),
        (
            "/v1/scaling/law",
            "target_columns=T&max_train_flops=10&test_fraction=0.5",
            "invalid_query",
            "not both",
        ),
        (
            "/v1/scaling/law",
            "target_columns=T&split_by=flops&test_fraction=0.5",
            "invalid_query",
            "max_train_flops",
        ),
        (
            "/v1/scaling/law",
            "target_columns=T&target_range=1",
            "invalid_query",
            "target_range",
        ),
        (
            "/v1/scaling/law",
            "target_columns=T&split_by=size",
            "invalid_query",
            "split_by",
        ),
        (
            "/v1/scaling/select-families",
            "family_column=Family",
            "invalid_query",
            "max_models",
        ),
        (
            "/v1/scaling/select-families",
            "family_column=Family&max_models=a",
            "invalid_query",
            "max_models",
        ),
        (
            "/v1/scaling/select-families",
            "max_models=3&colour=red",
            "unknown_field",
            "colour",
        ),
    ];
    for (path, query, code, needle) in cases {
        let (status, body) = post_csv(&app, path, query, csv.as_bytes().to_vec()).await;
        assert_eq!(status, 422, "{path}?{query}: {body}");
        assert_eq!(body["code"], code, "{path}?{query}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(needle), "{path}?{query}: {detail}");
    }
}

#[tokio::test]
async fn pca_groups_from_csv_equal_json_and_colour_the_scatter() {
    let app = spawn_app().await;
    let (rows, csv) = joined(&[]);
    let mut request = leaderboard(&rows);
    request["groups"] = families(&rows);
    // Named as the table's column names them (the legend's title).
    request["group_column"] = json!("Model Family");
    request["charts"] = json!(true);
    let expected = post_json(&app, "/v1/pca", &request).await;
    assert_eq!(expected["groups"], families(&rows));
    let scatter = &expected["charts"]["scatter"];
    assert_eq!(scatter["encoding"]["color"]["field"], "group");
    assert_eq!(scatter["encoding"]["color"]["title"], "Model Family");
    for (record, row) in scatter["data"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&rows)
    {
        assert_eq!(record["model"], row["Model"].as_str());
        assert_eq!(record["group"], row["Model Family"].as_str());
    }

    // The group column is never a benchmark, under the default rule too.
    for named in [true, false] {
        let query = format!(
            "{}&charts=true&group_column={}&benchmarks={}",
            options_query(false),
            encode("Model Family"),
            encode(&BENCHMARKS.join(","))
        );
        let query = if named {
            query
        } else {
            // Every numeric column but compute: the benchmarks, in file order.
            query.replace(
                &format!("&benchmarks={}", encode(&BENCHMARKS.join(","))),
                "",
            )
        };
        let (status, answer) = post_csv(&app, "/v1/pca", &query, csv.clone()).await;
        assert_eq!(status, 200, "{answer}");
        if named {
            assert_eq!(answer, expected);
        } else {
            assert_eq!(answer["groups"], expected["groups"]);
        }
    }

    // Without groups there is no colour; a model dropped for missing cells
    // takes its label with it.
    let mut plain = request.clone();
    plain.as_object_mut().unwrap().remove("groups");
    let answer = post_json(&app, "/v1/pca", &plain).await;
    assert!(answer.get("groups").is_none());
    assert!(
        answer["charts"]["scatter"]["encoding"]
            .get("color")
            .is_none()
    );
    let small = json!({
        "models": ["a", "b", "c", "d"], "benchmarks": ["x", "y"],
        "scores": [[0.1, 0.2], [0.4, null], [0.5, 0.9], [0.8, 0.7]],
        "missing": "drop_models", "groups": ["A", "B", null, "A"], "charts": true,
    });
    let answer = post_json(&app, "/v1/pca", &small).await;
    assert_eq!(answer["models"], json!(["a", "c", "d"]));
    assert_eq!(answer["groups"], json!(["A", null, "A"]));
    let groups: Vec<&Value> = answer["charts"]["scatter"]["data"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["group"])
        .collect();
    assert_eq!(groups, [&json!("A"), &json!("(none)"), &json!("A")]);
    // Groups without a name: the legend's default title.
    assert_eq!(
        answer["charts"]["scatter"]["encoding"]["color"]["title"],
        "Group"
    );

    let mut short = small.clone();
    short["groups"] = json!(["A"]);
    let (status, _, problem) = app.post_json("/v1/pca", &short).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "shape_mismatch");

    // A long table: the group comes from the model's rows, which must agree.
    let long = "model,benchmark,score,org\na,x,0.1,A\na,y,0.2,A\nb,x,0.4,\nb,y,0.3,B\n\
                c,x,0.5,\nc,y,0.9,\nd,x,0.8,A\nd,y,0.7,A\n";
    let (status, answer) =
        post_csv(&app, "/v1/pca", "layout=long&group_column=org", long.into()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["groups"], json!(["A", "B", null, "A"]));
    let conflicting = long.replace("d,y,0.7,A", "d,y,0.7,C");
    let (status, problem) = post_csv(
        &app,
        "/v1/pca",
        "layout=long&group_column=org",
        conflicting.into(),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "conflicting_metadata");
    let (status, problem) = post_csv(
        &app,
        "/v1/pca",
        "layout=long&group_column=nope",
        long.into(),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "unknown_column");
}

/// A typed table body (Parquet, Arrow) posted to /v1/pca.
async fn post_typed(app: &TestApp, kind: &str, body: Vec<u8>) -> (u16, Value) {
    let (status, _, answer) = app.post_raw("/v1/pca?missing=mean", Some(kind), body).await;
    (status, answer)
}

const PARQUET: &str = "application/vnd.apache.parquet";
const ARROW: &str = "application/vnd.apache.arrow.stream";

/// The Parquet bombs of bench/bombs/parquet.py (written into
/// tests/fixtures/tables/bombs with `--columns 5000`): each declares far
/// more than it holds, and is refused with its code from what it declares,
/// before the declared sizes are allocated. The server keeps serving.
#[tokio::test]
async fn parquet_bombs_are_refused_from_what_they_declare() {
    // A body limit of 1 MiB, so that 5000 columns' footer is past it.
    let app = crate::helpers::spawn_app_with(|c| c.max_body_bytes = 1 << 20).await;
    for (bomb, status, code, needle) in [
        ("dict_2e31", 422, "invalid_parquet", "dictionary page"),
        ("dict_2e29_one", 422, "invalid_parquet", "536870912 values"),
        (
            "columns_5000",
            413,
            "payload_too_large",
            "5001 schema elements",
        ),
        ("rows_2e62", 413, "too_many_cells", "MAX_CELLS"),
        (
            "uncompressed_2e31",
            413,
            "payload_too_large",
            "MAX_BODY_BYTES",
        ),
        (
            "data_values_2e31",
            422,
            "invalid_parquet",
            "2147483647 values",
        ),
        (
            "delta_length_2e31",
            422,
            "invalid_parquet",
            "2147483647 lengths",
        ),
        ("schema_children", 422, "invalid_parquet", "children"),
    ] {
        let body = fixture(&format!("tables/bombs/{bomb}.parquet"));
        let (got, problem) = post_typed(&app, PARQUET, body).await;
        assert_eq!(got, status, "{bomb}: {problem}");
        assert_eq!(problem["code"], code, "{bomb}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(needle), "{bomb}: {detail}");
    }
    let (status, _) = post_typed(&app, PARQUET, fixture("tables/paper.pyarrow-zstd.parquet")).await;
    assert_eq!(status, 200);
}

/// One leaderboard as an Arrow record batch: three models, two benchmarks.
fn batch() -> arrow_array::RecordBatch {
    use arrow_array::{ArrayRef, Float64Array, StringArray};
    use std::sync::Arc;
    arrow_array::RecordBatch::try_from_iter([
        (
            "model",
            Arc::new(StringArray::from(vec!["m1", "m2", "m3"])) as ArrayRef,
        ),
        ("A", Arc::new(Float64Array::from(vec![0.5, 0.75, 0.25]))),
        ("B", Arc::new(Float64Array::from(vec![0.25, 0.5, 0.875]))),
    ])
    .unwrap()
}

fn stream(options: arrow_ipc::writer::IpcWriteOptions) -> Vec<u8> {
    let batch = batch();
    let mut out = Vec::new();
    let mut writer =
        arrow_ipc::writer::StreamWriter::try_new_with_options(&mut out, &batch.schema(), options)
            .unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    out
}

/// An Arrow IPC file (ARROW1 ... footer ... ARROW1) answers what the same
/// batch as a stream answers; so does a zstd-compressed stream. A file cut
/// short, and a zstd buffer that declares more than the body limit, are
/// refused by name.
#[tokio::test]
async fn arrow_files_and_zstd_streams_are_read_as_streams_are() {
    let app = spawn_app().await;
    let plain = stream(Default::default());
    let (status, expected) = post_typed(&app, ARROW, plain).await;
    assert_eq!(status, 200, "{expected}");

    let batch = batch();
    let mut file = Vec::new();
    let mut writer = arrow_ipc::writer::FileWriter::try_new(&mut file, &batch.schema()).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    assert!(file.starts_with(b"ARROW1"));
    let (status, answer) = post_typed(&app, ARROW, file.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);
    let (status, problem) = post_typed(&app, ARROW, file[..file.len() - 3].to_vec()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "invalid_arrow");
    assert!(
        problem["detail"].as_str().unwrap().contains("ARROW1"),
        "{problem}"
    );

    let zstd = stream(
        arrow_ipc::writer::IpcWriteOptions::default()
            .try_with_compression(Some(arrow_ipc::CompressionType::ZSTD))
            .unwrap(),
    );
    assert_ne!(zstd, stream(Default::default()));
    let (status, answer) = post_typed(&app, ARROW, zstd).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, expected);

    // Every compressed buffer starts with its decompressed length: one
    // that declares 2^40 bytes is refused before anything is allocated.
    let column: Vec<f64> = (0..4096).map(f64::from).collect();
    let big = arrow_array::RecordBatch::try_from_iter([
        (
            "model",
            std::sync::Arc::new(arrow_array::StringArray::from(
                (0..4096).map(|i| format!("m{i}")).collect::<Vec<_>>(),
            )) as arrow_array::ArrayRef,
        ),
        (
            "A",
            std::sync::Arc::new(arrow_array::Float64Array::from(column)),
        ),
    ])
    .unwrap();
    let mut bomb = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new_with_options(
        &mut bomb,
        &big.schema(),
        arrow_ipc::writer::IpcWriteOptions::default()
            .try_with_compression(Some(arrow_ipc::CompressionType::ZSTD))
            .unwrap(),
    )
    .unwrap();
    writer.write(&big).unwrap();
    writer.finish().unwrap();
    drop(writer);
    let declared = (4096u64 * 8).to_le_bytes();
    let at = bomb
        .windows(8)
        .position(|w| w == declared)
        .expect("the score buffer's length prefix");
    bomb[at..at + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let (status, problem) = post_typed(&app, ARROW, bomb).await;
    assert_eq!(status, 413, "{problem}");
    assert_eq!(problem["code"], "payload_too_large");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("compressed buffer"),
        "{problem}"
    );
}

/// A Parquet body must start with the magic PAR1: an encrypted file (PARE)
/// and any other leading magic (PAR2) are refused, naming what was found.
#[tokio::test]
async fn parquet_bodies_must_start_with_par1() {
    let app = spawn_app().await;
    let good = fixture("tables/paper.pyarrow-snappy.parquet");
    for (magic, needle) in [(b"PAR2", "PAR2"), (b"PARE", "encrypted")] {
        let mut body = good.clone();
        body[..4].copy_from_slice(magic);
        let (status, problem) = post_typed(&app, PARQUET, body).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["code"], "invalid_parquet");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains(needle) && detail.contains("encrypted"),
            "{detail}"
        );
    }
}

/// Labels are trimmed in every format: a padded model in a table and in
/// JSON is the same model, and two that differ only in padding are one
/// model twice.
#[tokio::test]
async fn labels_are_trimmed_in_json_and_tables_alike() {
    let app = spawn_app().await;
    let json = json!({
        "models": [" m1 ", "m2\t", "m3"],
        "benchmarks": [" A", "B "],
        "scores": [[0.5, 0.25], [0.75, 0.5], [0.25, 0.875]],
    });
    let answer = post_json(&app, "/v1/pca", &json).await;
    assert_eq!(answer["models"], json!(["m1", "m2", "m3"]), "{answer}");
    assert_eq!(answer["benchmarks"], json!(["A", "B"]), "{answer}");
    let (status, table) = post_csv(
        &app,
        "/v1/pca",
        "",
        b"model, A ,B\n m1 ,0.5,0.25\nm2,0.75,0.5\nm3 ,0.25,0.875\n".to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{table}");
    assert_eq!(table["models"], answer["models"]);
    assert_eq!(table["benchmarks"], answer["benchmarks"]);
    assert_eq!(
        table["explained_variance_ratio"],
        answer["explained_variance_ratio"]
    );
    let (status, problem) = post_csv(
        &app,
        "/v1/pca",
        "benchmarks=A",
        b"model,A\nm1,0.5\n m1 ,0.75\nm3,0.25\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "duplicate_model");
}

/// Cells that are numbers written another way are named wherever a
/// column is read or described: named as a benchmark, picked
/// automatically, and in /v1/inspect.
#[tokio::test]
async fn near_number_cells_are_named_not_dropped() {
    let app = spawn_app().await;
    let comma = b"model,MMLU,ARC\nm1,0.5,\"0,25\"\nm2,0.75,\"0,5\"\nm3,0.25,\"0,875\"\n".to_vec();
    let percent = b"model,MMLU,ARC\nm1,0.5,25%\nm2,0.75,50%\nm3,0.25,87.5%\n".to_vec();
    let semicolons = b"model;MMLU;ARC\nm1;0.5;0.25\nm2;0.75;0.5\nm3;0.25;0.875\n".to_vec();
    for (name, query, body, code, needle) in [
        (
            "comma named",
            "benchmarks=ARC",
            &comma,
            "invalid_score",
            "decimal comma",
        ),
        ("comma picked", "", &comma, "invalid_score", "column 'ARC'"),
        (
            "percent picked",
            "",
            &percent,
            "invalid_score",
            "percentage",
        ),
        (
            "semicolons picked",
            "",
            &semicolons,
            "no_matching_columns",
            "delimiter=;",
        ),
        (
            "semicolons named",
            "benchmarks=ARC",
            &semicolons,
            "unknown_column",
            "delimiter=;",
        ),
    ] {
        let (status, problem) = post_csv(&app, "/v1/pca", query, body.clone()).await;
        assert_eq!(status, 422, "{name}: {problem}");
        assert_eq!(problem["code"], code, "{name}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(needle), "{name}: {detail}");
    }
    // The same files read as they were written answer.
    let (status, answer) = post_csv(&app, "/v1/pca", "delimiter=;", semicolons.clone()).await;
    assert_eq!(status, 200, "{answer}");
    for (body, column, looks_like) in [
        (&comma, 2, "decimal_comma"),
        (&percent, 2, "percent"),
        (&semicolons, 0, "semicolon_separated"),
    ] {
        let (status, inspect) = post_csv(&app, "/v1/inspect", "", body.clone()).await;
        assert_eq!(status, 200, "{inspect}");
        assert_eq!(
            inspect["columns"][column]["looks_like"], looks_like,
            "{inspect}"
        );
        assert_eq!(inspect["columns"][column]["numeric"], false, "{inspect}");
        if column != 0 {
            assert_eq!(
                inspect["columns"][1]["looks_like"],
                Value::Null,
                "{inspect}"
            );
        }
    }
}
