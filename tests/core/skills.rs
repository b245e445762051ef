//! The skills law (src/analysis/skills/) against its references: the
//! paper's protocol on the Sloth leaderboard (tests/fixtures/sloth/), the
//! research code's fit and scikit-learn's isotonic regression
//! (tests/fixtures/reference/skills_cases.json, written by
//! make_skills_reference.py), and its invariants.

use obscaling::analysis::AnalysisError;
use obscaling::analysis::skills::baselines::{ln_flops, pca_flops};
use obscaling::analysis::skills::{
    Isotonic, Link, SkillsData, SkillsModel, SkillsSpec, evaluate, fit_skills,
};
use serde_json::Value;

use crate::sloth::protocol_data;
const CASES: &str = include_str!("../fixtures/reference/skills_cases.json");

// About 400 s unoptimised on a loaded 2-core machine, 13 s with this crate
// optimised: `cargo test --config 'profile.dev.package.obscaling.opt-level=3'
// --test core skills_protocol -- --ignored` (as .ci/run runs it; the
// dependencies are optimised in every build), or `--release`.
#[test]
#[ignore = "slow unoptimised; run optimised with --ignored (see above)"]
fn skills_protocol_matches_the_research_code_and_the_paper() {
    // Expected figures: the research code (Python) on the same data and
    // protocol: `python final_iso.py test 0.5 4` -> 2.803 (Sloth, d=4, asym
    // link + isotonic 0.5), `python base_pca.py` -> 5.4136 (the paper's
    // stored 5.41), base_sig with beta=0.01 and a fitted floor -> 3.821
    // (the paper's 3.79). Tolerances: the PCA baseline is a closed form
    // (0.005 pp); the Sloth fit stops after at most 300 iterations on a flat
    // objective, where rounding differences between numpy and faer move the
    // end point slightly (0.05 pp); the sigmoid baseline is compared with the
    // paper's 3.79 within 0.3 pp, as the brief of the port asks.
    let (data, _, groups) = protocol_data(1);
    assert_eq!(
        data.models().len(),
        102,
        "the research code keeps 102 models for n=1"
    );
    let eval = evaluate(&data, &SkillsSpec::default(), &groups, 1).unwrap();
    let tested: Vec<usize> = eval.groups.iter().map(|g| g.test_models.len()).collect();
    assert_eq!(tested, [3, 6, 2, 2, 1, 3, 1, 1, 7, 2, 4, 5]);
    let pca = eval.pca_flops.mae_pp;
    assert!((pca - 5.4136).abs() < 0.005, "PCA + FLOPs: {pca}");
    let sig = eval.flops_sigmoid.mae_pp;
    assert!((sig - 3.79).abs() < 0.3, "FLOPs sigmoid: {sig}");
    let sloth = eval.skills.mae_pp;
    assert!(
        sloth <= 2.86,
        "Sloth default: {sloth} (the paper's best is 2.86)"
    );
    assert!(
        (sloth - 2.803).abs() < 0.05,
        "Sloth default: {sloth}, research code 2.803"
    );
}

#[test]
fn skills_pca_baseline_reproduces_the_papers_protocol_figure() {
    // The closed-form baseline alone (fast unoptimised): the data filter,
    // the splits (each group family's smallest model trains) and the
    // paper's aggregation give the paper's stored 5.41 pp (research code
    // base_pca.py: 5.4136), within 0.005 pp.
    let (data, _, groups) = protocol_data(1);
    let nj = data.benchmarks().len();
    let models = data.models();
    let mut per_group: Vec<Vec<f64>> = Vec::new();
    for group in &groups {
        let mut hide = vec![false; models.len()];
        for family in group {
            // Sorted by (family, params): all but the first model of the family.
            let members: Vec<usize> = (0..models.len())
                .filter(|&i| models[i].family == *family)
                .collect();
            members.iter().skip(1).for_each(|&i| hide[i] = true);
        }
        let test: Vec<usize> = (0..models.len()).filter(|&i| hide[i]).collect();
        let pred = pca_flops(&data.without_scores(&hide)).unwrap();
        per_group.push(
            (0..nj)
                .map(|j| {
                    test.iter()
                        .map(|&i| (pred[(i, j)] - models[i].scores[j].unwrap()).abs())
                        .sum::<f64>()
                        / test.len() as f64
                })
                .collect(),
        );
    }
    let mae = 100.0
        * (0..nj)
            .map(|j| per_group.iter().map(|g| g[j]).sum::<f64>() / per_group.len() as f64)
            .sum::<f64>()
        / nj as f64;
    assert!((mae - 5.4136).abs() < 0.005, "PCA + FLOPs: {mae}");
}

#[test]
fn skills_flops_from_params_and_tokens_equal_the_leaderboards_column() {
    // The baselines use ln(6 S T); the leaderboard's 'FLOPs (1E21)' is
    // 6 S T up to the CSV's decimal rounding.
    let (data, flops, _) = protocol_data(1);
    for (m, f) in data.models().iter().zip(&flops) {
        let diff = (ln_flops(m.params, m.tokens) - f.ln()).abs();
        assert!(
            diff < 1e-9,
            "{}: ln 6ST vs ln FLOPs differ by {diff}",
            m.name
        );
    }
}

fn cases() -> Value {
    serde_json::from_str(CASES).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn skills_isotonic_matches_scikit_learn() {
    // scikit-learn 1.9.1 IsotonicRegression(increasing=True,
    // out_of_bounds='clip'): thresholds and predictions, to 1e-12.
    for case in cases()["isotonic"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let iso = Isotonic::fit(&floats(&case["x"]), &floats(&case["y"])).unwrap();
        let (tx, ty) = (floats(&case["x_thresholds"]), floats(&case["y_thresholds"]));
        assert_eq!(iso.x.len(), tx.len(), "{name}: knots {:?} vs {tx:?}", iso.x);
        for (a, b) in iso.x.iter().zip(&tx).chain(iso.y.iter().zip(&ty)) {
            assert!((a - b).abs() < 1e-12, "{name}: {a} vs {b}");
        }
        for (q, want) in floats(&case["query"]).iter().zip(floats(&case["predict"])) {
            let got = iso.predict(*q);
            assert!((got - want).abs() < 1e-12, "{name} at {q}: {got} vs {want}");
        }
    }
}

fn case_data() -> SkillsData {
    let c = cases();
    let benchmarks = c["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap().to_string())
        .collect();
    let models = c["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| SkillsModel {
            name: m["name"].as_str().unwrap().to_string(),
            params: m["params"].as_f64().unwrap(),
            tokens: m["tokens"].as_f64().unwrap(),
            family: m["family"].as_str().unwrap().to_string(),
            scores: m["scores"]
                .as_array()
                .unwrap()
                .iter()
                .map(Value::as_f64)
                .collect(),
        })
        .collect();
    SkillsData::new(benchmarks, floats(&c["floors"]), models).unwrap()
}

#[test]
fn skills_fit_matches_the_research_code() {
    // sloth_reference.py (the research code's fit, numpy 2.4.6) on 27
    // models of 9 families with one missing cell: the same iterations, and
    // predictions equal to 5e-14 here; the tolerance 1e-9 leaves room for
    // another LAPACK's rounding along the 300 iterations of a flat objective.
    let data = case_data();
    for case in cases()["fits"].as_array().unwrap() {
        let d = case["skills"].as_u64().unwrap() as usize;
        let link = match case["link"].as_str().unwrap() {
            "asym" => Link::Monotone,
            _ => Link::Sigmoid,
        };
        let fit = fit_skills(
            &data,
            &SkillsSpec {
                skills: Some(d),
                link,
            },
        )
        .unwrap();
        let want = case[if link == Link::Monotone {
            "monotone"
        } else {
            "parametric"
        }]
        .as_array()
        .unwrap();
        let mut worst: f64 = 0.0;
        for (i, row) in want.iter().enumerate() {
            for (j, v) in floats(row).iter().enumerate() {
                worst = worst.max((fit.predictions[(i, j)] - v).abs());
            }
        }
        eprintln!(
            "{link:?} d={d}: max |difference| {worst:e}, iterations {:?}",
            fit.iterations
        );
        assert!(worst < 1e-9, "{link:?} d={d}: max |difference| {worst}");
    }
}

#[test]
fn skills_fit_is_deterministic() {
    let data = case_data();
    let spec = SkillsSpec::default();
    let (a, b) = (
        fit_skills(&data, &spec).unwrap(),
        fit_skills(&data, &spec).unwrap(),
    );
    let bits = |f: &obscaling::analysis::skills::SkillsFit| -> Vec<u64> {
        f.predictions
            .iter()
            .chain(f.model_skills.iter())
            .map(|v| v.to_bits())
            .collect()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(a, b);
}

#[test]
fn skills_unscored_models_are_predicted_and_do_not_change_the_fit() {
    let data = case_data();
    let spec = SkillsSpec {
        skills: Some(2),
        link: Link::Monotone,
    };
    let base = fit_skills(&data, &spec).unwrap();
    // Add an unscored model of a known family in the middle of the input.
    let mut models = data.models().to_vec();
    let extra = SkillsModel {
        name: "unscored".into(),
        params: 123.0,
        tokens: 4.0,
        family: models[0].family.clone(),
        scores: vec![None; data.benchmarks().len()],
    };
    models.insert(5, extra);
    let more = SkillsData::new(data.benchmarks().to_vec(), data.floors().to_vec(), models).unwrap();
    let fit = fit_skills(&more, &spec).unwrap();
    assert!(!fit.fitted[5]);
    assert_eq!(fit.loadings, base.loadings);
    assert_eq!(fit.efficiencies, base.efficiencies);
    assert_eq!(fit.iterations, base.iterations);
    for i in 0..data.models().len() {
        let k = if i < 5 { i } else { i + 1 };
        assert_eq!(fit.predictions.row(k), base.predictions.row(i));
    }
    // The unscored model is predicted from its size and family, in [0, 1].
    assert!(
        fit.predictions
            .row(5)
            .iter()
            .all(|v| v.is_finite() && (0.0..=1.0).contains(v))
    );
}

#[test]
fn skills_family_without_a_scored_model_is_an_error() {
    let data = case_data();
    let mut models = data.models().to_vec();
    models.push(SkillsModel {
        name: "lonely".into(),
        params: 7.0,
        tokens: 2.0,
        family: "nobody-scored-me".into(),
        scores: vec![None; data.benchmarks().len()],
    });
    let data = SkillsData::new(data.benchmarks().to_vec(), data.floors().to_vec(), models).unwrap();
    let err = fit_skills(&data, &SkillsSpec::default()).unwrap_err();
    assert_eq!(
        err,
        AnalysisError::FamilyWithoutScores {
            family: "nobody-scored-me".into()
        }
    );
    assert!(err.to_string().contains("'nobody-scored-me'"));
}

#[test]
fn skills_evaluation_equals_the_fit_of_the_masked_table() {
    // One group on the small case: the evaluation's predictions for its
    // test models are those of a plain fit with their scores removed.
    let data = case_data();
    let spec = SkillsSpec {
        skills: Some(2),
        link: Link::Monotone,
    };
    let group = vec!["qwen2".to_string(), "not-a-family".to_string()];
    let eval = evaluate(&data, &spec, std::slice::from_ref(&group), 1).unwrap();
    let g = &eval.groups[0];
    assert_eq!(g.unknown_families, ["not-a-family"]);
    assert!(!g.test_models.is_empty());
    let mut hide = vec![false; data.models().len()];
    for &i in &g.test_models {
        assert_eq!(data.models()[i].family, "qwen2");
        hide[i] = true;
    }
    let smallest = data
        .models()
        .iter()
        .filter(|m| m.family == "qwen2")
        .map(|m| m.params)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(data.models()[g.train_models[0]].params, smallest);
    let fit = fit_skills(&data.without_scores(&hide), &spec).unwrap();
    let errors = &g.skills.as_ref().unwrap().abs_errors;
    for (row, &i) in errors.iter().zip(&g.test_models) {
        for (j, e) in row.iter().enumerate() {
            let y = data.models()[i].scores[j].unwrap();
            let want = (fit.predictions[(i, j)] - y).abs();
            assert_eq!(e.unwrap().to_bits(), want.to_bits());
        }
    }
}

#[test]
fn skills_group_without_test_models_is_skipped() {
    let data = case_data();
    let spec = SkillsSpec {
        skills: Some(2),
        link: Link::Sigmoid,
    };
    let groups = vec![vec!["qwen2".to_string()], vec!["qwen2".to_string()]];
    // Every family of the case has at most 5 models: 10 training models
    // leave none to test.
    let err = evaluate(&data, &spec, &groups, 10).unwrap_err();
    assert!(matches!(err, AnalysisError::InvalidSkills(_)), "{err}");
    let eval = evaluate(
        &data,
        &spec,
        &[vec!["qwen2".into()], vec!["nothing".into()]],
        1,
    )
    .unwrap();
    assert!(!eval.groups[0].skipped && eval.groups[1].skipped);
}
