//! Labels in every field that holds them (families, groups, targets,
//! scales, evaluation groups, required families) follow
//! one rule, the one model and benchmark labels follow: read without their
//! leading and trailing white space, in JSON and in tables alike
//! (docs/tables.md). Each test sends the same data padded and unpadded, as
//! JSON and as CSV, and wants one answer.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::charts::{post_csv, post_json as post};
use crate::helpers::spawn_app;
use crate::scaling::{BENCHMARKS, csv_rows, number};

/// Every other label padded, the way a hand-edited export pads some cells.
fn pad(i: usize, label: &str) -> String {
    match i % 3 {
        0 => format!("{label} "),
        1 => format!("\t{label}\u{a0}"),
        _ => label.to_owned(),
    }
}

/// A wide CSV: the model column, the `extra` per-model columns, then the
/// benchmarks (a JSON null an empty cell).
fn csv_of(body: &Value, extra: &[(&str, Vec<String>)]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let benchmarks: Vec<&str> = body["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .collect();
    let mut header = vec!["Model"];
    header.extend(extra.iter().map(|(name, _)| *name));
    header.extend(&benchmarks);
    writer.write_record(&header).unwrap();
    for (i, model) in body["models"].as_array().unwrap().iter().enumerate() {
        let mut record = vec![model.as_str().unwrap().to_owned()];
        record.extend(extra.iter().map(|(_, cells)| cells[i].clone()));
        record.extend(
            body["scores"][i]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| match v {
                    Value::Null => String::new(),
                    v => v.to_string(),
                }),
        );
        writer.write_record(&record).unwrap();
    }
    writer.into_inner().unwrap()
}

/// The paper set with its families, padded or not, and FLOPs.
fn paper(rows: &[HashMap<String, String>], padded: bool) -> Value {
    let families: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let family = &r["Model Family"];
            if padded {
                pad(i, family)
            } else {
                family.clone()
            }
        })
        .collect();
    json!({
        "models": rows.iter().map(|r| r["Model"].clone()).collect::<Vec<_>>(),
        "benchmarks": BENCHMARKS,
        "scores": rows.iter().map(|r| BENCHMARKS.iter().map(|b| number(&r[*b])).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "families": families,
        "flops": rows.iter().map(|r| number(&r["FLOPs (1E21)"])).collect::<Vec<_>>(),
        "missing": "iterative_pca",
    })
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn padded_families_give_one_compute_fit_from_json_and_csv() {
    let app = spawn_app().await;
    let rows = csv_rows("data/paper_set_77.csv");
    let plain = post(&app, "/v1/scaling/compute-fit", &paper(&rows, false)).await;
    let padded = paper(&rows, true);
    let from_json = post(&app, "/v1/scaling/compute-fit", &padded).await;
    let csv = csv_of(
        &padded,
        &[
            ("Model Family", strings(&padded["families"])),
            (
                "FLOPs (1E21)",
                rows.iter().map(|r| r["FLOPs (1E21)"].clone()).collect(),
            ),
        ],
    );
    let query = format!(
        "family_column=Model%20Family&flops_column=FLOPs%20(1E21)\
         &missing=iterative_pca&benchmarks={}",
        BENCHMARKS.join(",")
    );
    let from_csv = post_csv(&app, "/v1/scaling/compute-fit", &query, csv).await;
    // The paper's 14 families, whatever the padding.
    assert_eq!(plain["families"].as_array().unwrap().len(), 14);
    assert_eq!(from_json, plain);
    assert_eq!(from_csv, plain);
}

#[tokio::test]
async fn padded_groups_are_one_group_from_json_and_csv() {
    let app = spawn_app().await;
    let groups = ["A", "A ", " B", "B\t", "\u{3000}A"];
    let mut request = json!({
        "models": ["m1", "m2", "m3", "m4", "m5"],
        "benchmarks": ["X", "Y", "Z"],
        "scores": [[0.1, 0.4, 0.3], [0.3, 0.5, 0.2], [0.5, 0.4, 0.6], [0.7, 0.9, 0.6], [0.8, 0.7, 0.9]],
        "n_components": 2,
        "groups": groups,
    });
    let from_json = post(&app, "/v1/pca", &request).await;
    assert_eq!(from_json["groups"], json!(["A", "A", "B", "B", "A"]));
    let csv = csv_of(
        &request,
        &[("Group", groups.iter().map(|g| g.to_string()).collect())],
    );
    let from_csv = post_csv(
        &app,
        "/v1/pca",
        "group_column=Group&benchmarks=X,Y,Z&n_components=2",
        csv,
    )
    .await;
    assert_eq!(from_csv, from_json);
    request["groups"] = json!(["A", "A", "B", "B", "A"]);
    assert_eq!(post(&app, "/v1/pca", &request).await, from_json);
}

#[tokio::test]
async fn padded_scales_name_their_benchmark() {
    let app = spawn_app().await;
    let mut request = json!({
        "models": ["m1", "m2", "m3", "m4", "m5", "m6"],
        "benchmarks": ["MMLU", "GSM8K", "Elo"],
        "scores": [[45.2, 30.1, 1105], [58.7, null, 1160], [63.0, 51.0, null],
                   [70.4, 72.8, 1220], [77.9, 81.5, 1250], [82.1, 88.0, 1281]],
        "scales": {" MMLU\t": "percent", "Elo ": "unbounded"},
    });
    let padded = post(&app, "/v1/complete", &request).await;
    request["scales"] = json!({"MMLU": "percent", "Elo": "unbounded"});
    assert_eq!(post(&app, "/v1/complete", &request).await, padded);
    let csv = csv_of(&request, &[]);
    let from_csv = post_csv(
        &app,
        "/v1/complete",
        "scales=%20MMLU%20:percent,Elo%20:unbounded",
        csv,
    )
    .await;
    assert_eq!(from_csv, padded);
}

#[tokio::test]
async fn padded_law_labels_are_the_labels() {
    let app = spawn_app().await;
    let (plain, _) = crate::scaling::law_request();
    let mut plain = plain;
    plain["reference_family"] = json!("Llama-2");
    let mut padded = plain.clone();
    let name = plain["target"]["name"].as_str().unwrap().to_owned();
    padded["target"]["name"] = json!(format!(" {name}\n"));
    padded["reference_family"] = json!("Llama-2 ");
    for (i, family) in padded["families"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        *family = json!(pad(i, family.as_str().unwrap()));
    }
    let answer = post(&app, "/v1/scaling/law", &padded).await;
    assert_eq!(answer["target"], json!(name));
    assert_eq!(answer["reference"]["family"], "Llama-2");
    assert_eq!(answer, post(&app, "/v1/scaling/law", &plain).await);
}

#[tokio::test]
async fn padded_skills_families_and_groups_are_the_labels() {
    let app = spawn_app().await;
    let mut plain = obscaling::api::scaling::skills::skills_request_example();
    plain["evaluate"] = json!({"groups": [["qwen2"], ["pythia", "smollm"]]});
    let mut padded = plain.clone();
    padded["evaluate"] = json!({"groups": [[" qwen2"], ["pythia\t", "smollm "]]});
    for (i, family) in padded["families"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        if let Some(name) = family.as_str() {
            *family = json!(pad(i, name));
        }
    }
    let answer = post(&app, "/v1/scaling/skills", &padded).await;
    assert_eq!(answer, post(&app, "/v1/scaling/skills", &plain).await);
}

#[tokio::test]
async fn padded_required_families_are_the_families() {
    let app = spawn_app().await;
    let rows = csv_rows("data/paper_set_77.csv");
    let mut plain = paper(&rows, false);
    plain.as_object_mut().unwrap().remove("flops");
    plain["max_models"] = json!(12);
    plain["required_families"] = json!(["Llama-2", "Qwen1.5"]);
    plain["baseline_samples"] = json!(20);
    let mut padded = paper(&rows, true);
    padded.as_object_mut().unwrap().remove("flops");
    padded["max_models"] = json!(12);
    padded["required_families"] = json!([" Llama-2", "Qwen1.5\t"]);
    padded["baseline_samples"] = json!(20);
    let path = "/v1/scaling/select-families";
    assert_eq!(
        post(&app, path, &padded).await,
        post(&app, path, &plain).await
    );
}
