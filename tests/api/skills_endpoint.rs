//! `POST /v1/scaling/skills` over HTTP: the paper's protocol on the Sloth
//! leaderboard (tests/fixtures/sloth/), the evaluation against a client's
//! own split, every table format against JSON, determinism and the 422s.
//! The small leaderboard is the 27 models of
//! tests/fixtures/reference/skills_cases.json (from the same fixture), with
//! two models of the fixture that have no scores.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};
use crate::sloth::{PROTOCOL, protocol_data};

const PATH: &str = "/v1/scaling/skills";
const CASES: &str = include_str!("../fixtures/reference/skills_cases.json");

/// Models of tests/fixtures/sloth/leaderboard_v2.csv without any score:
/// (name, family, params, tokens).
const UNSCORED: [(&str, &str, f64, f64); 2] = [
    ("pythia-1b", "pythia", 1.0, 0.3),
    ("pythia-1.4b", "pythia", 1.4, 0.3),
];

/// One model of the small leaderboard.
struct Row {
    name: String,
    family: String,
    params: f64,
    tokens: f64,
    scores: Vec<Option<f64>>,
}

/// The small leaderboard: benchmarks, floors, models (the unscored ones last).
fn small() -> (Vec<String>, Vec<f64>, Vec<Row>) {
    let cases: Value = serde_json::from_str(CASES).unwrap();
    let benchmarks: Vec<String> = serde_json::from_value(cases["benchmarks"].clone()).unwrap();
    let floors: Vec<f64> = serde_json::from_value(cases["floors"].clone()).unwrap();
    let mut rows: Vec<Row> = cases["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| Row {
            name: m["name"].as_str().unwrap().into(),
            family: m["family"].as_str().unwrap().into(),
            params: m["params"].as_f64().unwrap(),
            tokens: m["tokens"].as_f64().unwrap(),
            scores: m["scores"]
                .as_array()
                .unwrap()
                .iter()
                .map(Value::as_f64)
                .collect(),
        })
        .collect();
    rows.extend(UNSCORED.iter().map(|&(name, family, params, tokens)| Row {
        name: name.into(),
        family: family.into(),
        params,
        tokens,
        scores: vec![None; benchmarks.len()],
    }));
    (benchmarks, floors, rows)
}

fn body(benchmarks: &[String], floors: &[f64], rows: &[Row]) -> Value {
    json!({
        "models": rows.iter().map(|r| &r.name).collect::<Vec<_>>(),
        "benchmarks": benchmarks,
        "scores": rows.iter().map(|r| &r.scores).collect::<Vec<_>>(),
        "params": rows.iter().map(|r| r.params).collect::<Vec<_>>(),
        "tokens": rows.iter().map(|r| r.tokens).collect::<Vec<_>>(),
        "families": rows.iter().map(|r| &r.family).collect::<Vec<_>>(),
        "floors": floors,
    })
}

fn small_body() -> Value {
    let (benchmarks, floors, rows) = small();
    body(&benchmarks, &floors, &rows)
}

/// The service with a deadline far beyond any fit here: unoptimised, on a
/// busy machine, a fit of the small leaderboard can take tens of seconds.
async fn app() -> TestApp {
    spawn_app_with(|c| c.compute_deadline = std::time::Duration::from_secs(3600)).await
}

async fn post_ok(app: &TestApp, request: &Value) -> Value {
    let (status, _, answer) = app.post_json(PATH, request).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn bits(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap().to_bits())
        .collect()
}

fn pp(value: &Value) -> f64 {
    value["mae_pp"].as_f64().unwrap()
}

/// The research code's protocol data (benches/common/sloth.rs) as a request,
/// with the protocol's test groups for one training model per family.
fn protocol_request() -> Value {
    let (data, _, groups) = protocol_data(1);
    let rows: Vec<Row> = data
        .models()
        .iter()
        .map(|m| Row {
            name: m.name.clone(),
            family: m.family.clone(),
            params: m.params,
            tokens: m.tokens,
            scores: m.scores.clone(),
        })
        .collect();
    let mut request = body(data.benchmarks(), data.floors(), &rows);
    request["evaluate"] = json!({"groups": groups, "n_train_models": 1});
    request
}

/// The paper's stored figure for a method (tests/fixtures/sloth/protocol.json).
fn reported(method: &str) -> f64 {
    let protocol: Value = serde_json::from_str(PROTOCOL).unwrap();
    protocol["reported_mae_pp"]["n_train_models_1"][method]
        .as_f64()
        .unwrap()
}

// Both baselines over HTTP, with the cheapest skills law beside them (one
// skill, sigmoid link: the baselines do not depend on it), so that the
// unoptimised test build runs it too.
#[tokio::test]
async fn skills_protocol_baselines_over_http_match_the_papers_figures() {
    // Expected: the paper's stored figures in protocol.json (PCA + FLOPs
    // 5.41, FLOPs sigmoid 3.79); the PCA baseline is a closed form whose
    // research-code value is 5.4136, so it must round to the stored 5.41
    // (0.005); the FLOPs sigmoid within 0.3 pp as issue 21 asks (the
    // research code gives 3.821).
    let app = app().await;
    let mut request = protocol_request();
    request["skills"] = json!(1);
    request["link"] = json!("sigmoid");
    let answer = post_ok(&app, &request).await;
    let eval = &answer["evaluation"];
    let tested: Vec<usize> = eval["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["test_models"].as_array().unwrap().len())
        .collect();
    assert_eq!(tested, [3, 6, 2, 2, 1, 3, 1, 1, 7, 2, 4, 5]);
    let pca = pp(&eval["pca_flops"]);
    let paper_pca = reported("PCA (d=2) + OLS on [log FLOPs, family one-hot]");
    assert!((pca - paper_pca).abs() <= 0.005, "PCA + FLOPs: {pca}");
    let sig = pp(&eval["flops_sigmoid"]);
    let paper_sig = reported("per-benchmark sigmoid in log FLOPs with family intercepts");
    assert!((sig - paper_sig).abs() < 0.3, "FLOPs sigmoid: {sig}");
}

/// An optimised server for the default law's protocol run, whose 24
/// Levenberg-Marquardt stages take many minutes unoptimised: in a release
/// test build, the crate's own server; in a debug one, the release binary
/// named by `OBSCALING_OPTIMISED_BIN` (CI passes the container's), started
/// on a free port, and stopped when the guard drops (a failed assertion
/// included).
async fn optimised_app() -> (TestApp, KillOnDrop) {
    if !cfg!(debug_assertions) {
        return (app().await, KillOnDrop(None));
    }
    let bin = std::env::var("OBSCALING_OPTIMISED_BIN").expect(
        "an unoptimised build runs this test against OBSCALING_OPTIMISED_BIN (a release \
         binary of this tree), or run it with `cargo test --release`",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = KillOnDrop(Some(
        std::process::Command::new(&bin)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("COMPUTE_DEADLINE_MS", "3600000")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{bin}: {e}")),
    ));
    let app = TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
    };
    for _ in 0..200 {
        if app
            .client
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .is_ok()
        {
            return (app, server);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{bin} did not start");
}

struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// About 10 s optimised. `cargo test --release --test api skills_protocol`,
// or in the debug build with OBSCALING_OPTIMISED_BIN set and `--ignored`
// (.ci/run does this with the container's binary).
#[tokio::test]
#[cfg_attr(
    debug_assertions,
    ignore = "needs an optimised server: see optimised_app"
)]
async fn skills_protocol_over_http_reaches_the_papers_best_figure() {
    // The default configuration (no skills, no link) against the paper's
    // best figure, 2.86 pp (protocol.json: its learned link with d = 2
    // chosen with hindsight); the baselines as in the test above.
    let (app, _server) = optimised_app().await;
    let answer = post_ok(&app, &protocol_request()).await;
    assert_eq!(answer["skills"], 4);
    assert_eq!(answer["skills_default"], true);
    assert_eq!(answer["link"], "monotone");
    let eval = &answer["evaluation"];
    let best = reported("Sloth, trained monotone link, family efficiencies, d=2");
    let skills = pp(&eval["skills"]);
    assert!(skills <= best, "default skills law: {skills} pp > {best}");
    let pca = pp(&eval["pca_flops"]);
    assert!((pca - 5.41).abs() <= 0.005, "PCA + FLOPs: {pca}");
    let sig = pp(&eval["flops_sigmoid"]);
    assert!((sig - 3.79).abs() < 0.3, "FLOPs sigmoid: {sig}");
}

#[tokio::test]
async fn skills_evaluation_equals_a_clients_own_split() {
    // Held out: Qwen2's three larger models (its 0.5B trains) and Yi-1.5's
    // two larger ones. A client sending the same table with those models'
    // scores null gets, bit for bit, the predictions the evaluation reports.
    let app = app().await;
    let mut request = small_body();
    request["evaluate"] = json!({"groups": [["qwen2", "yi-1.5"]]});
    let answer = post_ok(&app, &request).await;
    let group = &answer["evaluation"]["groups"][0];
    assert_eq!(group["train_models"], json!(["qwen2-0.5b", "yi-1.5-6b"]));
    let test = group["test_models"].as_array().unwrap().clone();
    assert_eq!(
        test,
        json!([
            "qwen2-1.5b",
            "qwen2-7b",
            "qwen2-72b",
            "yi-1.5-9b",
            "yi-1.5-34b"
        ])
        .as_array()
        .unwrap()
        .clone()
    );
    let mut split = small_body();
    let models = split["models"].as_array().unwrap().clone();
    for (i, model) in models.iter().enumerate() {
        if test.contains(model) {
            split["scores"][i] = json!(vec![Value::Null; 6]);
        }
    }
    let own = post_ok(&app, &split).await;
    let skills = &group["skills"];
    for (t, model) in test.iter().enumerate() {
        let i = models.iter().position(|m| m == model).unwrap();
        let mine = &own["predictions"][i];
        assert_eq!(mine["model"], *model);
        assert_eq!(mine["fitted"], false);
        assert_eq!(
            bits(&mine["predicted"]),
            bits(&skills["predicted"][t]),
            "{model}"
        );
        // The reported errors are those predictions against the scores.
        for (j, e) in skills["abs_errors"][t]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let observed = request["scores"][i][j].as_f64().unwrap();
            let predicted = mine["predicted"][j].as_f64().unwrap();
            assert_eq!(e.as_f64().unwrap(), (predicted - observed).abs());
        }
    }
    // With every score, the same models are fitted and predicted otherwise.
    assert_ne!(
        bits(&answer["predictions"][models.len() - 3]["predicted"]),
        bits(&own["predictions"][models.len() - 3]["predicted"])
    );
}

/// The small leaderboard as a wide CSV: model, family, params and tokens
/// columns, then the benchmarks (an empty cell where a score is missing).
fn small_csv() -> Vec<u8> {
    let (benchmarks, _, rows) = small();
    let mut writer = csv::Writer::from_writer(vec![]);
    let mut header = vec!["Model", "Family", "Params (B)", "Tokens (T)"];
    header.extend(benchmarks.iter().map(String::as_str));
    writer.write_record(&header).unwrap();
    for r in &rows {
        let mut record = vec![
            r.name.clone(),
            r.family.clone(),
            r.params.to_string(),
            r.tokens.to_string(),
        ];
        record.extend(
            r.scores
                .iter()
                .map(|s| s.map_or(String::new(), |v| v.to_string())),
        );
        writer.write_record(&record).unwrap();
    }
    writer.into_inner().unwrap()
}

/// The same as a long CSV: a row per model and benchmark (an empty score
/// where it is missing), the per-model columns repeated.
fn small_long_csv() -> Vec<u8> {
    let (benchmarks, _, rows) = small();
    let mut writer = csv::Writer::from_writer(vec![]);
    writer
        .write_record([
            "model",
            "benchmark",
            "score",
            "Family",
            "Params (B)",
            "Tokens (T)",
        ])
        .unwrap();
    for r in &rows {
        for (b, s) in benchmarks.iter().zip(&r.scores) {
            writer
                .write_record([
                    r.name.clone(),
                    b.clone(),
                    s.map_or(String::new(), |v| v.to_string()),
                    r.family.clone(),
                    r.params.to_string(),
                    r.tokens.to_string(),
                ])
                .unwrap();
        }
    }
    writer.into_inner().unwrap()
}

/// The same as a record batch of typed columns.
fn small_batch() -> RecordBatch {
    let (benchmarks, _, rows) = small();
    let text = |f: &dyn Fn(&Row) -> &str| -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    let number = |f: &dyn Fn(&Row) -> Option<f64>| -> ArrayRef {
        Arc::new(Float64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    let mut columns: Vec<(String, ArrayRef)> = vec![
        ("Model".into(), text(&|r| &r.name)),
        ("Family".into(), text(&|r| &r.family)),
        ("Params (B)".into(), number(&|r| Some(r.params))),
        ("Tokens (T)".into(), number(&|r| Some(r.tokens))),
    ];
    for (j, b) in benchmarks.iter().enumerate() {
        columns.push((b.clone(), number(&|r| r.scores[j])));
    }
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, a)| Field::new(name, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    assert_eq!(schema.field(0).data_type(), &DataType::Utf8);
    RecordBatch::try_new(schema, columns.into_iter().map(|(_, a)| a).collect()).unwrap()
}

fn parquet_file(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
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

#[tokio::test]
async fn skills_tables_answer_what_json_answers_bit_for_bit() {
    // Wide CSV, long CSV, Parquet and an Arrow stream with the per-model
    // columns named in the query, options included (floors, link, skills,
    // evaluation over two groups), against the JSON request. The sigmoid
    // link is the faster fit; how a table is read does not depend on it.
    let app = app().await;
    let (benchmarks, floors, _) = small();
    let mut request = small_body();
    request["skills"] = json!(3);
    request["link"] = json!("sigmoid");
    request["seed"] = json!(7);
    request["evaluate"] = json!({"groups": [["qwen2"], ["olmo", "falcon"]], "n_train_models": 1});
    let expected = post_ok(&app, &request).await;
    // Unscored models are predicted, not fitted.
    let last = &expected["predictions"][expected["predictions"].as_array().unwrap().len() - 1];
    assert_eq!(last["model"], "pythia-1.4b");
    assert_eq!(last["fitted"], false);
    assert_eq!(last["predicted"].as_array().unwrap().len(), 6);
    let floors: Vec<String> = floors.iter().map(f64::to_string).collect();
    let query = format!(
        "params_column=Params (B)&tokens_column=Tokens (T)&family_column=Family&benchmarks={}\
         &floors={}&skills=3&link=sigmoid&seed=7&evaluate_groups=qwen2;olmo,falcon&n_train_models=1",
        benchmarks.join(","),
        floors.join(",")
    );
    let batch = small_batch();
    let bodies: [(&str, &str, Vec<u8>); 4] = [
        ("wide CSV", "text/csv", small_csv()),
        ("long CSV", "text/csv", small_long_csv()),
        (
            "Parquet",
            "application/vnd.apache.parquet",
            parquet_file(&batch),
        ),
        (
            "Arrow",
            "application/vnd.apache.arrow.stream",
            arrow_stream(&batch),
        ),
    ];
    for (name, content_type, table) in bodies {
        let query = if name == "long CSV" {
            format!("{query}&layout=long")
        } else {
            query.clone()
        };
        let (status, _, answer) = app
            .post_raw(
                &format!("{PATH}?{}", encode(&query)),
                Some(content_type),
                table,
            )
            .await;
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(answer, expected, "{name} differs from JSON");
    }
}

#[tokio::test]
async fn skills_answers_are_deterministic_to_the_byte() {
    // The same request twice, the second with a seed (which the fit, having
    // no random step, ignores): the same bytes.
    let app = app().await;
    let mut request = small_body();
    request["evaluate"] = json!({"groups": [["qwen2"]]});
    let mut answers = Vec::new();
    for seed in [None, Some(12345)] {
        if let Some(seed) = seed {
            request["seed"] = json!(seed);
        }
        let response = app
            .client
            .post(format!("{}{PATH}", app.base))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&request).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        answers.push(response.bytes().await.unwrap());
    }
    assert_eq!(answers[0], answers[1]);
}

async fn problem(app: &TestApp, request: &Value) -> (String, String) {
    let (status, content_type, answer) = app.post_json(PATH, request).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(content_type, "application/problem+json");
    (
        answer["code"].as_str().unwrap().to_owned(),
        answer["detail"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn skills_bad_requests_are_coded_422s() {
    let app = app().await;
    let good = small_body();
    let n = good["models"].as_array().unwrap().len();
    let with = |field: &str, value: Value| {
        let mut request = good.clone();
        request[field] = value;
        request
    };
    let mut cases: Vec<(Value, &str, &str)> = vec![];
    for field in ["params", "tokens", "families"] {
        let mut short = good[field].as_array().unwrap().clone();
        short.pop();
        cases.push((with(field, json!(short)), "shape_mismatch", field));
    }
    cases.push((
        with("floors", json!([0.1, 0.2])),
        "shape_mismatch",
        "floors",
    ));
    let mut params = good["params"].clone();
    params[3] = json!(0.0);
    cases.push((with("params", params), "invalid_compute", "gemma-2-9b"));
    let mut tokens = good["tokens"].clone();
    tokens[0] = json!(-1.5);
    cases.push((with("tokens", tokens), "invalid_compute", "falcon-7b"));
    for floor in [1.0, -0.1] {
        cases.push((
            with("floors", json!([0.0, 0.0, floor, 0.0, 0.0, 0.0])),
            "invalid_skills",
            "MATH Lvl 5",
        ));
    }
    cases.push((
        with("evaluate", json!({"groups": [["qwen2"], ["qwen3"]]})),
        "invalid_skills",
        "qwen3",
    ));
    // A family whose only model has no score: its efficiency is unknown.
    let mut families = good["families"].clone();
    families[n - 1] = json!("pythia-next");
    cases.push((
        with("families", families),
        "family_without_scores",
        "pythia-next",
    ));
    let mut scores = good["scores"].clone();
    scores[0][0] = json!(45.0);
    cases.push((with("scores", scores), "invalid_skills", "fractions"));
    cases.push((with("skills", json!(7)), "invalid_skills", "skills"));
    for (request, code, named) in cases {
        let (got, detail) = problem(&app, &request).await;
        assert_eq!(got, code, "{detail}");
        assert!(
            detail.contains(named),
            "{code}: '{detail}' does not name {named}"
        );
    }
    // A table without its per-model columns.
    let (status, _, answer) = app
        .post_raw(
            &format!("{PATH}?params_column=P&tokens_column=T"),
            Some("text/csv"),
            small_csv(),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(answer["code"], "invalid_query");
    assert!(answer["detail"].as_str().unwrap().contains("family_column"));
}

#[tokio::test]
async fn skills_models_without_size_or_family_are_left_out() {
    // A model with no params, no tokens or no family (null) is listed in
    // dropped_models, and the answer is otherwise the answer to the request
    // without it, bit for bit; a value that is there must be positive.
    let app = app().await;
    let full = small_body();
    let mut request = full.clone();
    let names: Vec<Value> = full["models"].as_array().unwrap().clone();
    // Three scored models of families that keep other scored models.
    let gaps = [(1, "params"), (4, "tokens"), (7, "families")];
    for (i, field) in gaps {
        request[field][i] = Value::Null;
    }
    let answer = post_ok(&app, &request).await;
    let dropped: Vec<Value> = gaps.iter().map(|&(i, _)| names[i].clone()).collect();
    assert_eq!(answer["dropped_models"], json!(dropped));
    let mut without = full.clone();
    for field in ["models", "scores", "params", "tokens", "families"] {
        let kept: Vec<Value> = full[field]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .filter(|(i, _)| gaps.iter().all(|&(g, _)| g != *i))
            .map(|(_, v)| v.clone())
            .collect();
        without[field] = json!(kept);
    }
    let reference = post_ok(&app, &without).await;
    assert_eq!(answer["predictions"], reference["predictions"]);
    assert_eq!(bits(&answer["intercepts"]), bits(&reference["intercepts"]));
    assert_eq!(reference["dropped_models"], json!([]));
    // Nothing left: a 422 that says why.
    let mut none = full.clone();
    none["families"] = json!(vec![Value::Null; names.len()]);
    let (code, detail) = problem(&app, &none).await;
    assert_eq!(code, "invalid_skills");
    assert!(detail.contains("left out"), "{detail}");
}

/// The predict request for `models` (indices into the small leaderboard)
/// on `basis`.
fn predict_request(basis: &Value, request: &Value, models: &[usize]) -> Value {
    let pick =
        |field: &str| -> Vec<Value> { models.iter().map(|&i| request[field][i].clone()).collect() };
    json!({
        "basis": basis,
        "models": pick("models"),
        "params": pick("params"),
        "tokens": pick("tokens"),
        "families": pick("families"),
    })
}

#[tokio::test]
async fn skills_basis_predicts_what_the_fit_predicted_bit_for_bit() {
    // Both links: the default monotone one (with its isotonic part) and
    // the sigmoid; every model, scored or not, in reverse order.
    let app = app().await;
    for link in ["monotone", "sigmoid"] {
        let mut request = small_body();
        request["link"] = json!(link);
        request["return_basis"] = json!(true);
        let fit = post_ok(&app, &request).await;
        let basis = &fit["basis"];
        assert_eq!(basis["format"], "obscaling.skills-basis/v2");
        assert_eq!(basis["link"], link);
        assert_eq!(basis["isotonic"].is_null(), link == "sigmoid");
        let n = request["models"].as_array().unwrap().len();
        let order: Vec<usize> = (0..n).rev().collect();
        let (status, _, predicted) = app
            .post_json(
                "/v1/scaling/predict",
                &predict_request(basis, &request, &order),
            )
            .await;
        assert_eq!(status, 200, "{predicted}");
        assert_eq!(predicted["fingerprint"], basis["fingerprint"]);
        assert_eq!(predicted["benchmarks"], request["benchmarks"]);
        for (p, &i) in predicted["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&order)
        {
            let own = &fit["predictions"][i];
            assert_eq!(p["model"], own["model"]);
            assert_eq!(
                bits(&p["predicted"]),
                bits(&own["predicted"]),
                "{link}: {}",
                p["model"]
            );
            assert_eq!(
                bits(&p["skills"]),
                bits(&own["skills"]),
                "{link}: {}",
                p["model"]
            );
        }
    }
}

/// The sizes of the scored models of `request`, [min, max] of params and tokens.
fn scored_range(request: &Value) -> (Value, Value) {
    let scored: Vec<usize> = (0..request["models"].as_array().unwrap().len())
        .filter(|&i| {
            request["scores"][i]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| !v.is_null())
        })
        .collect();
    let range = |field: &str| {
        let values: Vec<f64> = scored
            .iter()
            .map(|&i| request[field][i].as_f64().unwrap())
            .collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        json!([lo, hi])
    };
    (range("params"), range("tokens"))
}

#[tokio::test]
async fn predictions_outside_the_fitted_sizes_are_marked_with_the_range() {
    // Unscored models of a fitted family far below, far above and inside
    // the fitted sizes (and one whose tokens alone lie outside): each
    // prediction says which of its sizes lie outside, with the range, in
    // the skills answer and from its basis alike.
    let app = app().await;
    let mut request = small_body();
    request["link"] = json!("sigmoid");
    request["return_basis"] = json!(true);
    let (params, tokens) = scored_range(&request);
    let (p_lo, p_hi) = (params[0].as_f64().unwrap(), params[1].as_f64().unwrap());
    let (t_lo, t_hi) = (tokens[0].as_f64().unwrap(), tokens[1].as_f64().unwrap());
    let extra = [
        ("tiny", p_lo / 1000.0, t_lo / 1000.0),
        ("huge", p_hi * 1000.0, t_hi * 1000.0),
        ("inside", (p_lo * p_hi).sqrt(), (t_lo * t_hi).sqrt()),
        ("long-trained", (p_lo * p_hi).sqrt(), t_hi * 2.0),
    ];
    let n_benchmarks = request["benchmarks"].as_array().unwrap().len();
    for (name, p, t) in extra {
        request["models"].as_array_mut().unwrap().push(json!(name));
        request["params"].as_array_mut().unwrap().push(json!(p));
        request["tokens"].as_array_mut().unwrap().push(json!(t));
        request["families"]
            .as_array_mut()
            .unwrap()
            .push(json!("pythia"));
        request["scores"]
            .as_array_mut()
            .unwrap()
            .push(json!(vec![Value::Null; n_benchmarks]));
    }
    let fit = post_ok(&app, &request).await;
    assert_eq!(
        fit["fitted_range"],
        json!({"params": params, "tokens": tokens})
    );
    let marks = |p: &Value| -> Vec<(String, f64, Value)> {
        p["outside_fitted_range"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["size"].as_str().unwrap().to_owned(),
                    o["value"].as_f64().unwrap(),
                    o["fitted_range"].clone(),
                )
            })
            .collect()
    };
    let expected = |name: &str| -> Vec<(String, f64, Value)> {
        let (_, p, t) = extra.iter().find(|e| e.0 == name).copied().unwrap();
        let mut out = vec![];
        if !(p_lo..=p_hi).contains(&p) {
            out.push(("params".to_owned(), p, params.clone()));
        }
        if !(t_lo..=t_hi).contains(&t) {
            out.push(("tokens".to_owned(), t, tokens.clone()));
        }
        out
    };
    for p in fit["predictions"].as_array().unwrap() {
        let name = p["model"].as_str().unwrap();
        if p["fitted"] == true || !extra.iter().any(|e| e.0 == name) {
            assert_eq!(marks(p), vec![], "{name} lies within the fitted sizes");
            continue;
        }
        assert_eq!(marks(p), expected(name), "{name}");
    }
    assert_eq!(expected("tiny").len(), 2);
    assert_eq!(expected("long-trained").len(), 1);
    assert_eq!(expected("inside").len(), 0);
    // The basis carries the range and marks the same predictions.
    let basis = &fit["basis"];
    assert_eq!(basis["fitted_range"], fit["fitted_range"]);
    let names: Vec<&str> = extra.iter().map(|e| e.0).collect();
    let (status, _, predicted) = app
        .post_json(
            "/v1/scaling/predict",
            &json!({
                "basis": basis,
                "models": names,
                "params": extra.iter().map(|e| e.1).collect::<Vec<_>>(),
                "tokens": extra.iter().map(|e| e.2).collect::<Vec<_>>(),
                "families": ["pythia", "pythia", "pythia", "pythia"],
            }),
        )
        .await;
    assert_eq!(status, 200, "{predicted}");
    for p in predicted["predictions"].as_array().unwrap() {
        assert_eq!(marks(p), expected(p["model"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn a_skills_basis_of_the_first_format_is_still_read() {
    // tests/fixtures/reference/skills_basis_v1.json is the spec's example
    // basis as the service made it before bases carried the fitted sizes
    // (`obscaling.skills-basis/v1`): it is read, and its predictions are
    // not marked (null: the range is unknown), not called inside.
    let app = app().await;
    let old: Value =
        serde_json::from_str(include_str!("../fixtures/reference/skills_basis_v1.json")).unwrap();
    assert_eq!(old["format"], "obscaling.skills-basis/v1");
    let request = json!({
        "basis": old,
        "models": ["qwen2-tiny", "qwen2-7b"],
        "params": [0.001, 7.0],
        "tokens": [0.001, 7.0],
        "families": ["qwen2", "qwen2"],
    });
    let (status, _, predicted) = app.post_json("/v1/scaling/predict", &request).await;
    assert_eq!(status, 200, "{predicted}");
    for p in predicted["predictions"].as_array().unwrap() {
        assert!(p["outside_fitted_range"].is_null(), "{p}");
        assert_eq!(p["predicted"].as_array().unwrap().len(), 6);
    }
    // The formats are not mixed: a v1 basis has no range, a v2 one has one.
    let fingerprinted = |mut basis: Value| {
        let object = basis.as_object().unwrap().clone();
        basis["fingerprint"] = json!(obscaling::api::basis::fingerprint(&object));
        basis
    };
    let mut with_range = old.clone();
    with_range["fitted_range"] = json!({"params": [0.1, 70.0], "tokens": [0.2, 15.0]});
    let mut v2_without = old.clone();
    v2_without["format"] = json!("obscaling.skills-basis/v2");
    for (basis, named) in [
        (fingerprinted(with_range), "fitted_range"),
        (fingerprinted(v2_without), "fitted_range"),
    ] {
        let mut bad = request.clone();
        bad["basis"] = basis;
        let (status, _, problem) = app.post_json("/v1/scaling/predict", &bad).await;
        assert_eq!(
            (status, problem["code"].clone()),
            (422, json!("invalid_basis"))
        );
        assert!(
            problem["detail"].as_str().unwrap().contains(named),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn skills_basis_refuses_what_it_cannot_predict() {
    let app = app().await;
    let mut request = small_body();
    request["link"] = json!("sigmoid");
    request["return_basis"] = json!(true);
    let fit = post_ok(&app, &request).await;
    let basis = fit["basis"].clone();
    let good = predict_request(&basis, &request, &[0, 13]);
    let (status, _, _) = app.post_json("/v1/scaling/predict", &good).await;
    assert_eq!(status, 200);
    let with = |field: &str, value: Value| {
        let mut r = good.clone();
        r[field] = value;
        r
    };
    let mut edited = basis.clone();
    edited["floors"][0] = json!(0.5);
    let mut broken = basis.clone();
    broken["loadings"][2] = json!([1.0]);
    // A basis that says it was fitted on one size (as a fit that standardised
    // equal sizes by their rounding noise once gave), fingerprinted anew.
    let mut one_size = basis.clone();
    one_size["fitted_range"]["params"] = json!([7.0, 7.0]);
    let print = obscaling::api::basis::fingerprint(one_size.as_object().unwrap());
    one_size["fingerprint"] = json!(print);
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            with("families", json!(["falcon", "qwen3"])),
            422,
            "invalid_skills",
            "qwen3",
        ),
        (
            with("params", json!([7.0, 0.0])),
            422,
            "invalid_compute",
            "qwen2-0.5b",
        ),
        (
            with("tokens", json!([1.5])),
            422,
            "shape_mismatch",
            "tokens",
        ),
        (
            with("models", json!(["a", "a"])),
            422,
            "duplicate_model",
            "'a'",
        ),
        (
            with("models", json!(["a", ""])),
            422,
            "empty_label",
            "position 1",
        ),
        (
            with("params", json!([7.0, null])),
            422,
            "invalid_compute",
            "has no params (null)",
        ),
        (
            with("families", json!(["falcon", ""])),
            422,
            "invalid_skills",
            "has no family (null or empty)",
        ),
        (with("basis", edited), 422, "invalid_basis", "fingerprint"),
        (with("basis", broken), 422, "invalid_basis", "loadings[2]"),
        (
            with("basis", one_size),
            422,
            "invalid_basis",
            "fitted_range.params is [7, 7]",
        ),
    ];
    for (body, status, code, named) in cases {
        let (got, _, problem) = app.post_json("/v1/scaling/predict", &body).await;
        assert_eq!(
            (got, problem["code"].as_str().unwrap()),
            (status, code),
            "{problem}"
        );
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains(named),
            "{code}: '{detail}' does not name {named}"
        );
    }
    // A skills basis is no PCA basis, and travels as JSON only.
    let (status, _, problem) = app
        .post_json(
            "/v1/pca/transform",
            &json!({"basis": basis, "models": ["m"], "benchmarks": ["IFEval"], "scores": [[0.5]]}),
        )
        .await;
    assert_eq!(
        (status, problem["code"].clone()),
        (422, json!("invalid_basis"))
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("/v1/scaling/predict")
    );
    // A form needs the per-model columns, one row per model.
    let (status, _, problem) = app
        .post_raw(
            "/v1/scaling/predict?params_column=Params%20(B)&tokens_column=Tokens%20(T)",
            Some(FORM),
            form(&basis, Some("text/csv"), &small_csv()),
        )
        .await;
    assert_eq!(
        (status, problem["code"].clone()),
        (422, json!("invalid_query"))
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("family_column")
    );
    let (status, _, problem) = app
        .post_raw(
            &format!("/v1/scaling/predict?{FORM_COLUMNS}&layout=long"),
            Some(FORM),
            form(&basis, Some("text/csv"), &small_long_csv()),
        )
        .await;
    assert_eq!(
        (status, problem["code"].clone()),
        (422, json!("invalid_query"))
    );
    assert!(problem["detail"].as_str().unwrap().contains("layout=long"));
}

const FORM: &str = "multipart/form-data; boundary=b";
const FORM_COLUMNS: &str =
    "model_column=Model&params_column=Params%20(B)&tokens_column=Tokens%20(T)&family_column=Family";

/// A form of a basis part and a `scores` part of `content_type` (none: no
/// Content-Type header).
fn form(basis: &Value, content_type: Option<&str>, table: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--b\r\nContent-Disposition: form-data; name=\"basis\"\r\n\r\n{basis}\r\n--b\r\n\
         Content-Disposition: form-data; name=\"scores\"\r\n"
    )
    .into_bytes();
    if let Some(content_type) = content_type {
        body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
    }
    body.extend_from_slice(b"\r\n");
    body.extend_from_slice(table);
    body.extend_from_slice(b"\r\n--b--\r\n");
    body
}

#[tokio::test]
async fn skills_basis_forms_answer_what_json_answers_bit_for_bit() {
    // The small leaderboard's own table (its score columns are ignored) as
    // CSV, Parquet and an Arrow stream in the form's scores part, against
    // the JSON body of the same models: the same answer, byte for byte.
    let app = app().await;
    let mut request = small_body();
    request["return_basis"] = json!(true);
    let fit = post_ok(&app, &request).await;
    let basis = &fit["basis"];
    let n = request["models"].as_array().unwrap().len();
    let all: Vec<usize> = (0..n).collect();
    let json_body = serde_json::to_vec(&predict_request(basis, &request, &all)).unwrap();
    let json = app
        .client
        .post(format!("{}/v1/scaling/predict", app.base))
        .header("Content-Type", "application/json")
        .body(json_body)
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 200);
    let json = json.bytes().await.unwrap();
    let batch = small_batch();
    let tables: [(&str, Option<&str>, Vec<u8>); 4] = [
        ("CSV", Some("text/csv"), small_csv()),
        ("CSV, no content type", None, small_csv()),
        (
            "Parquet",
            Some("application/vnd.apache.parquet"),
            parquet_file(&batch),
        ),
        (
            "Arrow",
            Some("application/vnd.apache.arrow.stream"),
            arrow_stream(&batch),
        ),
    ];
    for (name, content_type, table) in tables {
        let answer = app
            .client
            .post(format!("{}/v1/scaling/predict?{FORM_COLUMNS}", app.base))
            .header("Content-Type", FORM)
            .body(form(basis, content_type, &table))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{name}");
        assert_eq!(answer.bytes().await.unwrap(), json, "{name}");
    }
    // The per-model columns go with a skills basis only (the spec's
    // example law basis).
    let law_basis: Value =
        serde_json::from_str(include_str!("../../src/api/examples/law_basis.json")).unwrap();
    assert_eq!(law_basis["format"], "obscaling.law-basis/v1");
    let (status, _, problem) = app
        .post_raw(
            "/v1/scaling/predict?family_column=Family",
            Some(FORM),
            form(
                &law_basis,
                Some("text/csv"),
                b"model,MMLU,ARC-C,HellaSwag,GSM8K\r\ne,0.5,0.5,0.7,0.2\r\n",
            ),
        )
        .await;
    assert_eq!(
        (status, problem["code"].clone()),
        (422, json!("invalid_query")),
        "{problem}"
    );
    assert!(problem["detail"].as_str().unwrap().contains("'Family'"));
}

#[tokio::test]
async fn skills_specs_examples_are_accepted() {
    // The example skills basis was answered by the example skills request
    // (return_basis) on the machine that wrote it; here it must be accepted
    // and predict the example's unscored Qwen2 models as this machine's fit
    // of that request does. Equal to 1e-9: another CPU's vector width can
    // round the 600 Levenberg-Marquardt steps differently.
    let app = app().await;
    let (_, _, spec) = app.get("/openapi.json").await;
    let schemas = &spec["components"]["schemas"];
    let mut request = schemas["SkillsRequest"]["example"].clone();
    request["return_basis"] = json!(true);
    let fit = post_ok(&app, &request).await;
    assert_eq!(
        schemas["SkillsBasis"]["example"]["format"],
        "obscaling.skills-basis/v2"
    );
    let example = &schemas["SkillsPredictRequest"]["example"];
    assert_eq!(example["basis"], schemas["SkillsBasis"]["example"]);
    let (status, _, predicted) = app.post_json("/v1/scaling/predict", example).await;
    assert_eq!(status, 200, "{predicted}");
    let predictions = predicted["predictions"].as_array().unwrap();
    assert_eq!(predictions.len(), 4);
    for p in &predictions[..3] {
        let own = fit["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["model"] == p["model"])
            .unwrap();
        assert_eq!(own["fitted"], false);
        for (a, b) in bits(&p["predicted"]).iter().zip(bits(&own["predicted"])) {
            let (a, b) = (f64::from_bits(*a), f64::from_bits(b));
            assert!((a - b).abs() < 1e-9, "{}: {a} vs {b}", p["model"]);
        }
    }
}

#[tokio::test]
async fn skills_charts_come_with_charts_true_and_mark_the_held_out_models() {
    // The predicted-against-observed chart holds a point per scored cell
    // (the fit's predictions) and one per held-out cell (the evaluation's),
    // with the values the answer reports; the heatmaps a cell per
    // benchmark (family) and skill.
    let app = app().await;
    let mut request = small_body();
    request["link"] = json!("sigmoid");
    request["skills"] = json!(2);
    request["evaluate"] = json!({"groups": [["qwen2"]]});
    let plain = post_ok(&app, &request).await;
    assert!(plain.get("charts").is_none());
    request["charts"] = json!(true);
    let answer = post_ok(&app, &request).await;
    let charts = &answer["charts"];
    for name in ["predicted_vs_observed", "loadings", "efficiencies"] {
        assert_eq!(
            charts[name]["$schema"], "https://vega.github.io/schema/vega-lite/v5.json",
            "{name}"
        );
    }
    let points = charts["predicted_vs_observed"]["data"]["values"]
        .as_array()
        .unwrap();
    let scored = request["scores"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap())
        .filter(|v| !v.is_null())
        .count();
    let group = &answer["evaluation"]["groups"][0];
    let held: Vec<&Value> = points
        .iter()
        .filter(|p| p["series"] == "held out")
        .collect();
    assert_eq!(points.len() - held.len(), scored);
    assert_eq!(held.len(), 3 * 6);
    let p = held
        .iter()
        .find(|p| p["model"] == "qwen2-72b" && p["benchmark"] == "BBH")
        .unwrap();
    assert_eq!(p["predicted"], group["skills"]["predicted"][2][1]);
    let n_families = answer["families"].as_array().unwrap().len();
    let cells = |name: &str| charts[name]["data"]["values"].as_array().unwrap().len();
    assert_eq!(cells("loadings"), 6 * 2);
    assert_eq!(cells("efficiencies"), n_families * 2);
    // Everything else is what the request without charts answers.
    let mut rest = answer.clone();
    rest.as_object_mut().unwrap().remove("charts");
    assert_eq!(rest, plain);
}
