//! Criterion benchmarks of the skills law (src/analysis/skills/) on the
//! paper's v2 leaderboard and protocol (tests/fixtures/sloth/): one default
//! fit of the 102 models, and the whole evaluation with one training model
//! per family (12 group fits of the default law and both baselines, the
//! groups in parallel on the rayon pool). Run: `cargo bench --bench skills`.
//!
//! Each sample is one fit or one evaluation (seconds), so the samples are
//! few and flat.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use obscaling::analysis::skills::{SkillsSpec, evaluate, fit_skills};

#[path = "common/sloth.rs"]
mod sloth;

fn skills(c: &mut Criterion) {
    let (data, _, groups) = sloth::protocol_data(1);
    let spec = SkillsSpec::default();
    let mut group = c.benchmark_group("skills_v2");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("fit_default_102_models", |b| {
        b.iter(|| fit_skills(black_box(&data), &spec).expect("fit"))
    });
    group.measurement_time(Duration::from_secs(40));
    group.bench_function("evaluate_default_12_groups_with_baselines", |b| {
        b.iter(|| evaluate(black_box(&data), &spec, &groups, 1).expect("evaluation"))
    });
    group.finish();
}

criterion_group!(benches, skills);
criterion_main!(benches);
