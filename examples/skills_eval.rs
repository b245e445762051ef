//! Times the skills law on the Sloth leaderboard (tests/fixtures/sloth/) and
//! prints the paper's protocol figures: one default fit, the whole 12-group
//! evaluation for one training model per family (default skills law and
//! both baselines), then the figures for two training models and for the
//! sigmoid link with 2 skills.
//!
//!     cargo run --release --example skills_eval

use std::time::Instant;

use obscaling::analysis::skills::{
    Link, SkillsData, SkillsModel, SkillsSpec, evaluate, fit_skills,
};
use serde_json::Value;

const LEADERBOARD: &str = include_str!("../tests/fixtures/sloth/leaderboard_v2.csv");
const PROTOCOL: &str = include_str!("../tests/fixtures/sloth/protocol.json");

/// The research code's `common.load`: complete rows, families with at
/// least n + 1 of them, sorted by (family, params).
fn protocol_data(n_train: usize) -> (SkillsData, Vec<Vec<String>>) {
    let protocol: Value = serde_json::from_str(PROTOCOL).unwrap();
    let benchmarks: Vec<String> = protocol["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap().to_string())
        .collect();
    let floors = benchmarks
        .iter()
        .map(|b| protocol["floors"][b].as_f64().unwrap())
        .collect();
    let mut reader = csv::Reader::from_reader(LEADERBOARD.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut models: Vec<SkillsModel> = Vec::new();
    for record in reader.records() {
        let r = record.unwrap();
        let num = |name: &str| -> Option<f64> { r[col(name)].parse().ok() };
        let scores: Vec<Option<f64>> = benchmarks.iter().map(|b| num(b)).collect();
        if let (Some(s), Some(t), Some(_)) = (
            num("#Params (B)"),
            num("Pretraining Data Size (T)"),
            num("FLOPs (1E21)"),
        ) && scores.iter().all(Option::is_some)
        {
            models.push(SkillsModel {
                name: r[col("Model")].to_string(),
                params: s,
                tokens: t,
                family: r[col("Family2")].to_string(),
                scores,
            });
        }
    }
    let count = |f: &str| models.iter().filter(|m| m.family == f).count();
    let keep: Vec<bool> = models.iter().map(|m| count(&m.family) > n_train).collect();
    let mut models: Vec<SkillsModel> = models
        .into_iter()
        .zip(keep)
        .filter_map(|(m, k)| k.then_some(m))
        .collect();
    models.sort_by(|a, b| a.family.cmp(&b.family).then(a.params.total_cmp(&b.params)));
    let groups = protocol["test_groups"][format!("n_train_models_{n_train}")]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g.as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    (SkillsData::new(benchmarks, floors, models).unwrap(), groups)
}

fn main() {
    let spec = SkillsSpec::default();
    let (data, groups) = protocol_data(1);
    let t = Instant::now();
    let fit = fit_skills(&data, &spec).unwrap();
    println!(
        "one default fit ({} models, {} families, d={}): {:.1} ms, iterations {:?}",
        data.models().len(),
        fit.families.len(),
        fit.skills,
        t.elapsed().as_secs_f64() * 1e3,
        fit.iterations
    );
    let rounds = [
        ("default (monotone, d=4)", spec.clone()),
        (
            "sigmoid, d=2",
            SkillsSpec {
                skills: Some(2),
                link: Link::Sigmoid,
            },
        ),
    ];
    for n in [1, 2] {
        let (data, groups) = if n == 1 {
            (data.clone(), groups.clone())
        } else {
            protocol_data(n)
        };
        for (name, spec) in &rounds {
            let t = Instant::now();
            let eval = evaluate(&data, spec, &groups, n).unwrap();
            let secs = t.elapsed().as_secs_f64();
            let tested = eval.groups.iter().filter(|g| !g.skipped).count();
            println!(
                "n_train_models={n} {name}: {:.3} pp {:?} | PCA+FLOPs {:.4} pp | FLOPs sigmoid {:.3} pp \
                 | {tested} groups, {} models, {:.2} s (all three methods)",
                eval.skills.mae_pp,
                eval.skills
                    .per_benchmark_pp
                    .iter()
                    .map(|v| v.map(|v| (v * 100.0).round() / 100.0))
                    .collect::<Vec<_>>(),
                eval.pca_flops.mae_pp,
                eval.flops_sigmoid.mae_pp,
                data.models().len(),
                secs
            );
        }
    }
}
