//! The Sloth leaderboard (tests/fixtures/sloth/) prepared as the research
//! code's protocol prepares it. Shared by the tests (tests/core/skills.rs,
//! tests/api/skills_endpoint.rs), the skills benchmark and the skills
//! example, which include this file by `#[path]`.

use obscaling::analysis::skills::{SkillsData, SkillsModel};
use serde_json::Value;

const LEADERBOARD: &str = include_str!("../../tests/fixtures/sloth/leaderboard_v2.csv");
pub const PROTOCOL: &str = include_str!("../../tests/fixtures/sloth/protocol.json");

/// The leaderboard as the research code's `common.load` prepares it: rows
/// with S, T, FLOPs and every benchmark; families (Family2) with at least
/// n + 1 rows; sorted (stably) by (family, params). Also returns the CSV's
/// FLOPs column of those rows.
pub fn protocol_data(n_train: usize) -> (SkillsData, Vec<f64>, Vec<Vec<String>>) {
    let protocol: Value = serde_json::from_str(PROTOCOL).unwrap();
    let benchmarks: Vec<String> = protocol["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap().to_string())
        .collect();
    let floors: Vec<f64> = benchmarks
        .iter()
        .map(|b| protocol["floors"][b].as_f64().unwrap())
        .collect();
    let mut reader = csv::Reader::from_reader(LEADERBOARD.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let num = |s: &str| -> Option<f64> { s.parse().ok() };
    let mut rows: Vec<(SkillsModel, f64)> = Vec::new();
    for record in reader.records() {
        let r = record.unwrap();
        let (s, t, fl) = (
            num(&r[col("#Params (B)")]),
            num(&r[col("Pretraining Data Size (T)")]),
            num(&r[col("FLOPs (1E21)")]),
        );
        let scores: Vec<Option<f64>> = benchmarks.iter().map(|b| num(&r[col(b)])).collect();
        if let (Some(s), Some(t), Some(fl)) = (s, t, fl)
            && scores.iter().all(Option::is_some)
        {
            let model = SkillsModel {
                name: r[col("Model")].to_string(),
                params: s,
                tokens: t,
                family: r[col("Family2")].to_string(),
                scores,
            };
            rows.push((model, fl));
        }
    }
    let count = |f: &str| rows.iter().filter(|(m, _)| m.family == f).count();
    let keep: Vec<bool> = rows
        .iter()
        .map(|(m, _)| count(&m.family) > n_train)
        .collect();
    let mut rows: Vec<(SkillsModel, f64)> = rows
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect();
    rows.sort_by(|(a, _), (b, _)| a.family.cmp(&b.family).then(a.params.total_cmp(&b.params)));
    let flops = rows.iter().map(|(_, f)| *f).collect();
    let models = rows.into_iter().map(|(m, _)| m).collect();
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
    (
        SkillsData::new(benchmarks, floors, models).unwrap(),
        flops,
        groups,
    )
}
