//! Times the skills law on the Sloth leaderboard (tests/fixtures/sloth/) and
//! prints the paper's protocol figures: one default fit, the whole 12-group
//! evaluation for one training model per family (default skills law and
//! both baselines), then the figures for two training models and for the
//! sigmoid link with 2 skills.
//!
//!     cargo run --release --example skills_eval

use std::time::Instant;

use obscaling::analysis::skills::{Link, SkillsSpec, evaluate, fit_skills};

#[path = "../benches/common/sloth.rs"]
mod sloth;

fn main() {
    let spec = SkillsSpec::default();
    let (data, _, groups) = sloth::protocol_data(1);
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
            let (data, _, groups) = sloth::protocol_data(n);
            (data, groups)
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
