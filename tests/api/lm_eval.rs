//! lm-evaluation-harness results files as a leaderboard (`format=lm_eval`):
//! the paper's 77 models written as one results file per model (and a
//! second file per model for one task), by
//! `tests/fixtures/lm_eval/make_results.py`, read as a form, a JSON array
//! and JSON Lines, answer exactly what the wide CSV of the same scores
//! answers.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// The CSV's benchmarks, in its order, and the tasks the files name them by.
const TASKS: [(&str, &str); 8] = [
    ("MMLU", "mmlu"),
    ("ARC-C", "arc_challenge"),
    ("HellaSwag", "hellaswag"),
    ("Winograd", "winogrande"),
    ("TruthfulQA", "truthfulqa_mc2"),
    ("GSM8K", "gsm8k"),
    ("XWinograd", "xwinograd"),
    ("HumanEval", "humaneval"),
];

const OPTIONS: &str = "missing=iterative_pca&imputation_bounds=0,1&n_components=3";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The paper's models, in the CSV's order.
fn models() -> Vec<String> {
    let text = std::fs::read_to_string(fixtures().join("data/paper_set_77.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect()
}

/// Every results file, model by model in the CSV's order (a model's runs
/// by name, which is by date): (path, bytes).
fn results_files() -> Vec<(PathBuf, Vec<u8>)> {
    let root = fixtures().join("lm_eval/paper_77");
    let mut files = Vec::new();
    for model in models() {
        let folder = root.join(model.replace('/', "__"));
        let mut runs: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .map(|e| e.unwrap().path())
            .collect();
        runs.sort();
        for run in runs {
            let bytes = std::fs::read(&run).unwrap();
            files.push((run, bytes));
        }
    }
    assert_eq!(files.len(), 154, "77 models, two runs each");
    files
}

const BOUNDARY: &str = "----obscaling-lm-eval-31";

/// A form of the results files (part `f`, as `curl -F f=@...` sends them),
/// and the parts `extra` ((name, content type, bytes)) after them.
fn form(files: &[(PathBuf, Vec<u8>)], extra: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    let mut part = |name: &str, filename: &str, content_type: &str, bytes: &[u8]| {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    };
    for (path, bytes) in files {
        let name = path.strip_prefix(fixtures().join("lm_eval")).unwrap();
        part("f", &name.display().to_string(), "application/json", bytes);
    }
    for (name, content_type, bytes) in extra {
        part(name, name, content_type, bytes);
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// The files as one JSON array.
fn array(files: &[(PathBuf, Vec<u8>)]) -> Vec<u8> {
    let mut body = b"[".to_vec();
    for (i, (_, bytes)) in files.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(bytes);
    }
    body.push(b']');
    body
}

/// The files as JSON Lines: each document on one line, as written (its
/// bare NaN tokens kept).
fn lines(files: &[(PathBuf, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (_, bytes) in files {
        let one_line: Vec<u8> = bytes
            .iter()
            .copied()
            .filter(|&b| b != b'\n' && b != b'\r')
            .collect();
        body.extend_from_slice(&one_line);
        body.push(b'\n');
    }
    body
}

/// An lm-eval answer as the CSV's answer would read: `lm_eval` dropped and
/// every task name replaced by its CSV column's.
fn as_csv(mut answer: Value) -> Value {
    fn rename(value: &mut Value) {
        match value {
            Value::String(text) => {
                if let Some((csv, _)) = TASKS.iter().find(|(_, task)| task == text) {
                    *text = (*csv).to_owned();
                }
            }
            Value::Array(items) => items.iter_mut().for_each(rename),
            Value::Object(members) => members.values_mut().for_each(rename),
            _ => {}
        }
    }
    answer.as_object_mut().unwrap().remove("lm_eval");
    rename(&mut answer);
    answer
}

async fn by_csv(app: &TestApp, path: &str, query: &str) -> Value {
    let benchmarks: Vec<&str> = TASKS.iter().map(|(csv, _)| *csv).collect();
    let (status, _, answer) = app
        .post_raw(
            &format!("{path}?benchmarks={}&{query}", benchmarks.join(",")),
            Some("text/csv"),
            std::fs::read(fixtures().join("data/paper_set_77.csv")).unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn check_sources(answer: &Value) {
    let columns = answer["lm_eval"]["columns"]
        .as_array()
        .expect("lm_eval.columns");
    let read: Vec<(String, String, String)> = columns
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_owned();
            (s("task"), s("metric"), s("filter"))
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("mmlu", "acc", "none"),
        ("arc_challenge", "acc_norm", "none"),
        ("hellaswag", "acc_norm", "none"),
        ("winogrande", "acc", "none"),
        ("truthfulqa_mc2", "acc", "none"),
        ("gsm8k", "exact_match", "strict-match"),
        ("xwinograd", "acc", "none"),
        ("humaneval", "pass@1", "create_test"),
    ]
    .iter()
    .map(|(t, m, f)| ((*t).into(), (*m).into(), (*f).into()))
    .collect();
    assert_eq!(read, expected);
    let left_out = answer["lm_eval"]["subtasks_left_out"].to_string();
    for subtask in ["mmlu_abstract_algebra", "mmlu_stem", "xwinograd_en"] {
        assert!(
            left_out.contains(subtask),
            "{subtask} not left out: {left_out}"
        );
    }
    assert_eq!(answer["lm_eval"]["models"].as_array().unwrap().len(), 77);
}

#[tokio::test]
async fn the_pca_of_results_files_is_the_pca_of_the_wide_csv_bit_for_bit() {
    let app = spawn_app().await;
    let csv = by_csv(&app, "/v1/pca", OPTIONS).await;
    let files = results_files();
    let (form_type, form_body) = form(&files, &[]);
    for (what, content_type, body) in [
        ("a form of files", form_type.as_str(), form_body),
        ("a JSON array", "application/json", array(&files)),
        ("JSON Lines", "application/jsonl", lines(&files)),
        ("JSON Lines sent as JSON", "application/json", lines(&files)),
    ] {
        let (status, _, answer) = app
            .post_raw(
                &format!("/v1/pca?format=lm_eval&{OPTIONS}"),
                Some(content_type),
                body,
            )
            .await;
        assert_eq!(status, 200, "{what}: {answer}");
        check_sources(&answer);
        assert_eq!(as_csv(answer), csv, "{what}");
    }
}

#[tokio::test]
async fn another_metric_gives_another_pca() {
    // The comparison above can fail: gsm8k's other filter holds other numbers.
    let app = spawn_app().await;
    let csv = by_csv(&app, "/v1/pca", OPTIONS).await;
    let (content_type, body) = form(&results_files(), &[]);
    let (status, _, answer) = app
        .post_raw(
            &format!("/v1/pca?format=lm_eval&metrics=gsm8k:exact_match,flexible-extract&{OPTIONS}"),
            Some(&content_type),
            body,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let gsm8k = &answer["lm_eval"]["columns"][5];
    assert_eq!(gsm8k["filter"], "flexible-extract");
    assert_eq!(gsm8k["rule"], "metrics");
    assert_ne!(as_csv(answer)["components"], csv["components"]);
}

#[tokio::test]
async fn compute_fit_reads_family_and_flops_from_the_models_part() {
    let app = spawn_app().await;
    let columns = "family_column=Model%20Family&flops_column=FLOPs%20(1E21)";
    let csv = by_csv(
        &app,
        "/v1/scaling/compute-fit",
        &format!("{OPTIONS}&{columns}"),
    )
    .await;
    let models_part = std::fs::read(fixtures().join("lm_eval/paper_77_models.csv")).unwrap();
    let (content_type, body) = form(&results_files(), &[("models", "text/csv", models_part)]);
    let (status, _, answer) = app
        .post_raw(
            &format!(
                "/v1/scaling/compute-fit?format=lm_eval&model_column=Model&{OPTIONS}&{columns}"
            ),
            Some(&content_type),
            body,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    check_sources(&answer);
    assert_eq!(
        answer["lm_eval"]["models_without_row"],
        serde_json::json!([])
    );
    assert!(answer["families"].as_array().unwrap().len() > 1, "{answer}");
    assert_eq!(as_csv(answer), csv);
}

#[tokio::test]
async fn a_models_part_without_a_model_leaves_it_without_family() {
    let app = spawn_app().await;
    let text = std::fs::read_to_string(fixtures().join("lm_eval/paper_77_models.csv")).unwrap();
    // Llama-2-7b's row removed, a model without results added.
    let edited: String = text
        .lines()
        .filter(|l| !l.starts_with("meta-llama/Llama-2-7b-hf,"))
        .chain(["org/not-evaluated,Nobody,1.0"])
        .map(|l| format!("{l}\n"))
        .collect();
    let (content_type, body) = form(
        &results_files(),
        &[("models", "text/csv", edited.into_bytes())],
    );
    let (status, _, answer) = app
        .post_raw(
            &format!(
                "/v1/scaling/compute-fit?format=lm_eval&{OPTIONS}&family_column=Model%20Family&flops_column=FLOPs%20(1E21)"
            ),
            Some(&content_type),
            body,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["lm_eval"]["models_without_row"],
        serde_json::json!(["meta-llama/Llama-2-7b-hf"])
    );
    assert_eq!(
        answer["lm_eval"]["models_without_results"],
        serde_json::json!(["org/not-evaluated"])
    );
    // Llama-2 has two models with a family left: too few to fit.
    let llama2 = answer["excluded_families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "Llama-2")
        .unwrap_or_else(|| panic!("Llama-2 not excluded: {}", answer["families"]));
    assert_eq!(llama2["n_models"], 2, "{llama2}");
}

#[tokio::test]
async fn tasks_and_task_prefix_pick_columns_subtasks_included() {
    let app = spawn_app().await;
    let (content_type, body) = form(&results_files(), &[]);
    for (query, expected) in [
        (
            "tasks=mmlu_abstract_algebra,arc_challenge",
            vec!["mmlu_abstract_algebra", "arc_challenge"],
        ),
        (
            "task_prefix=xwinograd",
            vec![
                "xwinograd",
                "xwinograd_en",
                "xwinograd_fr",
                "xwinograd_jp",
                "xwinograd_pt",
                "xwinograd_ru",
                "xwinograd_zh",
            ],
        ),
    ] {
        let (status, _, answer) = app
            .post_raw(
                &format!("/v1/pca?format=lm_eval&missing=iterative_pca&n_components=1&{query}"),
                Some(&content_type),
                body.clone(),
            )
            .await;
        assert_eq!(status, 200, "{query}: {answer}");
        assert_eq!(answer["benchmarks"], serde_json::json!(expected), "{query}");
    }
}

#[tokio::test]
async fn inspect_lists_the_models_tasks_metrics_and_groups() {
    let app = spawn_app().await;
    let (content_type, body) = form(&results_files(), &[]);
    let (status, _, answer) = app
        .post_raw("/v1/inspect?format=lm_eval", Some(&content_type), body)
        .await;
    assert_eq!(status, 200, "{answer}");
    let lm = &answer["lm_eval"];
    assert_eq!(lm["documents"], 154);
    assert_eq!(lm["models"].as_array().unwrap().len(), 77);
    assert_eq!(answer["rows"], 77);
    let task = |name: &str| {
        lm["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["task"] == name)
            .unwrap_or_else(|| panic!("{name} not listed"))
            .clone()
    };
    let gsm8k = task("gsm8k");
    assert_eq!(
        gsm8k["metrics"],
        serde_json::json!(["exact_match,strict-match", "exact_match,flexible-extract"])
    );
    assert_eq!(
        (gsm8k["metric"].as_str(), gsm8k["filter"].as_str()),
        (Some("exact_match"), Some("strict-match"))
    );
    assert_eq!(task("mmlu")["is_group"], true);
    assert_eq!(task("mmlu")["column"], true);
    assert_eq!(task("mmlu_stem")["group"], "mmlu");
    assert_eq!(task("mmlu_abstract_algebra")["group"], "mmlu_stem");
    assert_eq!(task("mmlu_abstract_algebra")["column"], false);
    assert_eq!(task("xwinograd_en")["group"], "xwinograd");
    assert_eq!(
        task("hellaswag")["metrics"],
        serde_json::json!(["acc,none", "acc_norm,none"])
    );
    assert_eq!(task("hellaswag")["metric"], "acc_norm");
    // HumanEval is missing for the four Falcon models, two as absent tasks
    // or NaN: 77 models have the task or not, its column counts the values.
    let humaneval = answer["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "humaneval")
        .unwrap()
        .clone();
    assert_eq!(humaneval["missing"], 4, "{humaneval}");
    assert!(
        lm["default_rule"]
            .as_str()
            .unwrap()
            .contains("acc_norm, then acc")
    );
}

#[test]
fn the_fixture_generator_is_checked_in_with_its_output() {
    // The script writes what is checked in: its constants name the tasks
    // the tests expect.
    let script = std::fs::read_to_string(fixtures().join("lm_eval/make_results.py")).unwrap();
    for (csv, task) in TASKS {
        assert!(
            script.contains(&format!("(\"{csv}\", \"{task}\"")),
            "{csv} -> {task}"
        );
    }
    assert!(Path::new(&fixtures().join("lm_eval/SOURCE.md")).exists());
}

#[tokio::test]
async fn the_limits_apply_to_the_whole_upload() {
    let files = results_files();
    let (content_type, body) = form(&files, &[]);
    // Each file is far under the limit; the upload is not.
    let largest = files.iter().map(|(_, b)| b.len()).max().unwrap();
    let limit = body.len() / 2;
    assert!(largest < limit);
    let app = crate::helpers::spawn_app_with(|c| c.max_body_bytes = limit).await;
    let (status, _, answer) = app
        .post_raw(
            &format!("/v1/pca?format=lm_eval&{OPTIONS}"),
            Some(&content_type),
            body.clone(),
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (413, Some("payload_too_large")),
        "{answer}"
    );
    // 77 models x 8 tasks = 616 cells.
    let app = crate::helpers::spawn_app_with(|c| c.max_cells = 615).await;
    let (status, _, answer) = app
        .post_raw(
            &format!("/v1/pca?format=lm_eval&{OPTIONS}"),
            Some(&content_type),
            body,
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (413, Some("too_many_cells")),
        "{answer}"
    );
    assert!(
        answer["detail"]
            .as_str()
            .unwrap()
            .contains("77 models x 8 tasks"),
        "{answer}"
    );
}

// The Open LLM Leaderboard's own table (`open-llm-leaderboard/contents`),
// read as it is: tests/fixtures/open_llm/contents.parquet, written by
// make_contents.py with its column set and types.

/// `value` percent-encoded for a query string (`,` kept: lists).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const RAW: [&str; 6] = [
    "IFEval Raw",
    "BBH Raw",
    "MATH Lvl 5 Raw",
    "GPQA Raw",
    "MUSR Raw",
    "MMLU-PRO Raw",
];
const NORMALISED: [&str; 6] = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"];

/// The fixture's rows as make_contents.py takes them from the Sloth table:
/// (fullname, the six raw scores).
fn contents_rows() -> Vec<(String, Vec<f64>)> {
    let script = std::fs::read_to_string(fixtures().join("open_llm/make_contents.py")).unwrap();
    let sloth = std::fs::read_to_string(fixtures().join("sloth/leaderboard_v2.csv")).unwrap();
    let start = script.find("ROWS = [").unwrap();
    let end = start + script[start..].find("]\n").unwrap();
    script[start..end]
        .split('(')
        .skip(1)
        .map(|item| {
            let fields: Vec<&str> = item.split('"').collect();
            let (name, org) = (fields[1], fields[3]);
            let row = sloth
                .lines()
                .find(|l| l.split(',').next() == Some(name))
                .unwrap();
            let cells: Vec<&str> = row.split(',').collect();
            let scores = cells[7..13].iter().map(|c| c.parse().unwrap()).collect();
            (format!("{org}/{name}"), scores)
        })
        .collect()
}

async fn contents_pca(app: &TestApp, query: &str) -> Value {
    let (status, _, answer) = app
        .post_raw(
            &format!("/v1/pca?{query}"),
            Some("application/vnd.apache.parquet"),
            std::fs::read(fixtures().join("open_llm/contents.parquet")).unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{query}: {answer}");
    answer
}

#[tokio::test]
async fn the_open_llm_leaderboard_contents_table_reads_as_it_is() {
    let app = spawn_app().await;
    let rows = contents_rows();
    assert_eq!(rows.len(), 14);
    // The Raw family: exactly the PCA of the same numbers sent as JSON.
    let raw = contents_pca(
        &app,
        &format!(
            "model_column=fullname&benchmarks={}",
            encode(&RAW.join(","))
        ),
    )
    .await;
    let json = serde_json::json!({
        "models": rows.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>(),
        "benchmarks": RAW,
        "scores": rows.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>(),
    });
    let (status, _, by_json) = app.post_json("/v1/pca", &json).await;
    assert_eq!(status, 200, "{by_json}");
    assert_eq!(raw, by_json);
    assert_eq!(raw["models"][0], "bigscience/bloom-560m");
    // The normalised family: 0-100, the random-guess bound subtracted.
    let normalised = contents_pca(
        &app,
        &format!(
            "model_column=fullname&benchmarks={}",
            encode(&NORMALISED.join(","))
        ),
    )
    .await;
    assert_eq!(normalised["benchmarks"], serde_json::json!(NORMALISED));
    let ifeval_mean: f64 = rows.iter().map(|(_, s)| s[0] * 100.0).sum::<f64>() / rows.len() as f64;
    assert!(
        (normalised["mean"][0].as_f64().unwrap() - ifeval_mean).abs() < 1e-9,
        "{}",
        normalised["mean"]
    );
    // Headers with emoji and spaces, named as written.
    let emoji = contents_pca(
        &app,
        &format!(
            "model_column=fullname&benchmarks={}",
            encode("Average ⬆️,Hub ❤️,CO₂ cost (kg)")
        ),
    )
    .await;
    assert_eq!(
        emoji["benchmarks"],
        serde_json::json!(["Average ⬆️", "Hub ❤️", "CO₂ cost (kg)"])
    );
    // Without a pick, every number column is a benchmark, the average, the
    // likes and the size among them: why a request names one family.
    let every = contents_pca(&app, "model_column=fullname").await;
    let benchmarks = every["benchmarks"].to_string();
    for column in [
        "Average ⬆️",
        "Hub ❤️",
        "#Params (B)",
        "IFEval Raw",
        "IFEval",
    ] {
        assert!(benchmarks.contains(column), "{column} not in {benchmarks}");
    }
    let prefix = contents_pca(
        &app,
        &format!(
            "model_column=fullname&benchmark_prefix={}",
            encode("MMLU-PRO")
        ),
    )
    .await;
    assert_eq!(
        prefix["benchmarks"],
        serde_json::json!(["MMLU-PRO Raw", "MMLU-PRO"])
    );
}

#[tokio::test]
async fn inspect_names_the_contents_columns_as_written() {
    let app = spawn_app().await;
    let (status, _, answer) = app
        .post_raw(
            "/v1/inspect",
            Some("application/vnd.apache.parquet"),
            std::fs::read(fixtures().join("open_llm/contents.parquet")).unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let column = |name: &str| {
        answer["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone()
    };
    assert_eq!(answer["columns"].as_array().unwrap().len(), 36);
    assert_eq!(column("Average ⬆️")["type"], "Float64");
    assert_eq!(column("Hub ❤️")["type"], "Int64");
    assert_eq!(column("Chat Template")["numeric"], false);
    assert_eq!(column("fullname")["examples"][0], "bigscience/bloom-560m");
}

#[tokio::test]
async fn a_target_that_is_no_column_of_the_models_part_is_a_task() {
    let app = spawn_app().await;
    let law = "target_columns=HumanEval&family_column=Model%20Family&flops_column=FLOPs%20(1E21)&max_train_flops=84";
    let benchmarks = TASKS[..7]
        .iter()
        .map(|(csv, _)| *csv)
        .collect::<Vec<_>>()
        .join(",");
    let (status, _, csv) = app
        .post_raw(
            &format!("/v1/scaling/law?benchmarks={benchmarks}&{OPTIONS}&{law}"),
            Some("text/csv"),
            std::fs::read(fixtures().join("data/paper_set_77.csv")).unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    let models_part = std::fs::read(fixtures().join("lm_eval/paper_77_models.csv")).unwrap();
    let (content_type, body) = form(&results_files(), &[("models", "text/csv", models_part)]);
    let (status, _, answer) = app
        .post_raw(
            &format!(
                "/v1/scaling/law?format=lm_eval&{OPTIONS}&{}",
                law.replace("HumanEval", "humaneval")
            ),
            Some(&content_type),
            body,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let columns: Vec<&str> = answer["lm_eval"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["task"].as_str().unwrap())
        .collect();
    assert!(
        !columns.contains(&"humaneval"),
        "the target is no benchmark: {columns:?}"
    );
    assert_eq!(as_csv(answer), csv);
}

#[tokio::test]
async fn inspect_lists_the_models_part_columns_after_the_tasks() {
    let app = spawn_app().await;
    let models_part = std::fs::read(fixtures().join("lm_eval/paper_77_models.csv")).unwrap();
    let (content_type, body) = form(&results_files(), &[("models", "text/csv", models_part)]);
    let (status, _, answer) = app
        .post_raw(
            "/v1/inspect?format=lm_eval&max_examples=100",
            Some(&content_type),
            body,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let names: Vec<&str> = answer["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names[0], "Model",
        "the model column is named as the models part's"
    );
    assert_eq!(names[names.len() - 2..], ["Model Family", "FLOPs (1E21)"]);
    assert_eq!(
        answer["lm_eval"]["models_part_columns"],
        serde_json::json!(["Model", "Model Family", "FLOPs (1E21)"])
    );
    let family = &answer["columns"][names.len() - 2];
    assert_eq!(family["numeric"], false);
    assert!(
        family["examples"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("Llama-2"))
    );
}
