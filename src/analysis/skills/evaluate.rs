//! The paper's leave-family-group-out protocol: for each group of families,
//! fit on every other family plus each group family's `n_train_models`
//! smallest scored models, and predict the group's other scored models.
//!
//! Each group's fit is, by construction, the plain [`fit_skills`] of the
//! same leaderboard with the test models' scores removed: what a client
//! gets by sending that table. The two baselines run on the same masked
//! leaderboard.

use ndarray::Array2;
use rayon::prelude::*;

use super::baselines::{flops_sigmoid, pca_flops};
use super::{FittedRange, SkillsData, SkillsSpec, fit_skills};
use crate::analysis::{AnalysisError, budget};

/// Predictions and absolute errors of one method on one group's test models.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineScores {
    /// The method's prediction per test model (rows, in `test_models`
    /// order) and benchmark.
    pub predictions: Vec<Vec<f64>>,
    /// |prediction - score| per test model (rows, in `test_models` order)
    /// and benchmark; `None` where the test model has no score.
    pub abs_errors: Vec<Vec<Option<f64>>>,
    /// Per benchmark, the mean error over the group's test models (pp);
    /// `None` when no test model has a score there.
    pub per_benchmark_pp: Vec<Option<f64>>,
}

/// One group's split and errors.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    /// The group's families found in the leaderboard.
    pub families: Vec<String>,
    /// The group's names that are no family of the leaderboard (ignored).
    pub unknown_families: Vec<String>,
    /// Indices (input order) of the group families' training models.
    pub train_models: Vec<usize>,
    /// Indices (input order) of the predicted models.
    pub test_models: Vec<usize>,
    /// No test model: the group takes no part in the aggregate.
    pub skipped: bool,
    /// `None` when skipped.
    pub skills: Option<BaselineScores>,
    /// The sizes the group's skills law was fitted on (`None` when skipped):
    /// a test model outside them is extrapolated.
    pub skills_fitted_range: Option<FittedRange>,
    pub pca_flops: Option<BaselineScores>,
    pub flops_sigmoid: Option<BaselineScores>,
}

/// A method's error aggregated as the paper does: the mean over a group's
/// test models, then over groups (equal weight), then over benchmarks, in
/// percentage points. A benchmark on which no group's test model has a
/// score has no figure (`None`) and takes no part in `mae_pp`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolScores {
    pub mae_pp: f64,
    pub per_benchmark_pp: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SkillsEvaluation {
    pub n_train_models: usize,
    pub groups: Vec<GroupResult>,
    pub skills: ProtocolScores,
    pub pca_flops: ProtocolScores,
    pub flops_sigmoid: ProtocolScores,
}

/// The training models of the group's families and the test models:
/// per family, its scored models by increasing parameters (ties by input
/// order); the first `n_train_models` train, the rest are tested.
fn split(
    data: &SkillsData,
    families: &[String],
    n_train_models: usize,
) -> (Vec<usize>, Vec<usize>) {
    let models = data.models();
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for family in families {
        let mut members: Vec<usize> = (0..models.len())
            .filter(|&i| models[i].family == *family && data.is_scored(i))
            .collect();
        members.sort_by(|&a, &b| models[a].params.total_cmp(&models[b].params));
        let cut = n_train_models.min(members.len());
        train.extend_from_slice(&members[..cut]);
        test.extend_from_slice(&members[cut..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

fn score(data: &SkillsData, test: &[usize], predictions: &Array2<f64>) -> BaselineScores {
    let nj = data.benchmarks().len();
    let abs_errors: Vec<Vec<Option<f64>>> = test
        .iter()
        .map(|&i| {
            (0..nj)
                .map(|j| data.models()[i].scores[j].map(|y| (predictions[(i, j)] - y).abs()))
                .collect()
        })
        .collect();
    let per_benchmark_pp = (0..nj)
        .map(|j| {
            let seen: Vec<f64> = abs_errors.iter().filter_map(|row| row[j]).collect();
            (!seen.is_empty()).then(|| 100.0 * seen.iter().sum::<f64>() / seen.len() as f64)
        })
        .collect();
    BaselineScores {
        predictions: test.iter().map(|&i| predictions.row(i).to_vec()).collect(),
        abs_errors,
        per_benchmark_pp,
    }
}

fn aggregate(groups: &[&BaselineScores], nj: usize) -> ProtocolScores {
    let per_benchmark_pp: Vec<Option<f64>> = (0..nj)
        .map(|j| {
            let seen: Vec<f64> = groups
                .iter()
                .filter_map(|g| g.per_benchmark_pp[j])
                .collect();
            (!seen.is_empty()).then(|| seen.iter().sum::<f64>() / seen.len() as f64)
        })
        .collect();
    // At least one group has a test model, and a test model has a score
    // (it is scored), so at least one benchmark has a figure.
    let seen: Vec<f64> = per_benchmark_pp.iter().flatten().copied().collect();
    let mae_pp = seen.iter().sum::<f64>() / seen.len() as f64;
    ProtocolScores {
        mae_pp,
        per_benchmark_pp,
    }
}

/// Runs the protocol over `groups` (lists of family names) with
/// `n_train_models` (>= 1) training models per group family.
pub fn evaluate(
    data: &SkillsData,
    spec: &SkillsSpec,
    groups: &[Vec<String>],
    n_train_models: usize,
) -> Result<SkillsEvaluation, AnalysisError> {
    if n_train_models == 0 {
        return Err(AnalysisError::InvalidSkills(
            "n_train_models must be at least 1".into(),
        ));
    }
    if groups.is_empty() {
        return Err(AnalysisError::InvalidSkills("no test groups given".into()));
    }
    let (known, _) = data.family_index();
    let deadline = budget::current();
    // Groups are independent fits; `collect` keeps their order, so the
    // result does not depend on scheduling. Each carries the request's
    // deadline onto its worker thread.
    let results: Vec<GroupResult> = groups
        .par_iter()
        .map(|group| {
            budget::with_deadline(deadline, || -> Result<GroupResult, AnalysisError> {
                let (families, unknown_families): (Vec<String>, Vec<String>) =
                    group.iter().cloned().partition(|f| known.contains(f));
                let (train_models, test_models) = split(data, &families, n_train_models);
                let mut result = GroupResult {
                    families,
                    unknown_families,
                    train_models,
                    skipped: test_models.is_empty(),
                    test_models,
                    skills: None,
                    skills_fitted_range: None,
                    pca_flops: None,
                    flops_sigmoid: None,
                };
                if result.skipped {
                    return Ok(result);
                }
                let mut hide = vec![false; data.models().len()];
                result.test_models.iter().for_each(|&i| hide[i] = true);
                let masked = data.without_scores(&hide);
                let fit = fit_skills(&masked, spec)?;
                result.skills = Some(score(data, &result.test_models, &fit.predictions));
                result.skills_fitted_range = Some(fit.fitted_range);
                result.pca_flops = Some(score(data, &result.test_models, &pca_flops(&masked)?));
                result.flops_sigmoid =
                    Some(score(data, &result.test_models, &flops_sigmoid(&masked)?));
                Ok(result)
            })
        })
        .collect::<Result<_, _>>()?;
    let nj = data.benchmarks().len();
    let pick = |f: fn(&GroupResult) -> Option<&BaselineScores>| {
        let scored: Vec<&BaselineScores> = results.iter().filter_map(f).collect();
        aggregate(&scored, nj)
    };
    if results.iter().all(|g| g.skipped) {
        return Err(AnalysisError::InvalidSkills(format!(
            "no group has a model to predict: every group family has at most {n_train_models} scored model(s)"
        )));
    }
    Ok(SkillsEvaluation {
        n_train_models,
        skills: pick(|g| g.skills.as_ref()),
        pca_flops: pick(|g| g.pca_flops.as_ref()),
        flops_sigmoid: pick(|g| g.flops_sigmoid.as_ref()),
        groups: results,
    })
}
