//! A leaderboard as the skills law takes it, from the per-model lists a
//! request sends (params, tokens, families, one value or null per model),
//! the groups of families its protocol holds out, and the models a basis
//! predicts.

use super::{NewModel, SkillsData, SkillsModel};
use crate::analysis::AnalysisError;
use crate::analysis::matrix::{BenchmarkMatrix, check_model_labels, check_per_model};

impl SkillsData {
    /// Every model of `matrix` with its positive params and tokens, its
    /// family and its scores (missing cells as `None`); and the models left
    /// out, in order, for want of params, tokens or a family (null or
    /// empty), as compute-fit leaves out a model without compute or family:
    /// a real leaderboard lacks some, and they cannot be placed. A value
    /// that is there but not a positive number is an error. `floors`
    /// defaults to 0 for every benchmark.
    pub fn of_leaderboard(
        matrix: &BenchmarkMatrix,
        params: Vec<Option<f64>>,
        tokens: Vec<Option<f64>>,
        families: Vec<Option<String>>,
        floors: Option<Vec<f64>>,
    ) -> Result<(SkillsData, Vec<String>), AnalysisError> {
        let n = matrix.n_models();
        check_per_model("params", params.len(), n)?;
        check_per_model("tokens", tokens.len(), n)?;
        check_per_model("families", families.len(), n)?;
        let scores = matrix.scores();
        let mut models = Vec::with_capacity(n);
        let mut left_out = Vec::new();
        for (i, ((name, (s, t)), family)) in matrix
            .models()
            .iter()
            .zip(params.into_iter().zip(tokens))
            .zip(families)
            .enumerate()
        {
            for (what, value) in [("params", s), ("tokens", t)] {
                if let Some(v) = value
                    && !(v > 0.0 && v.is_finite())
                {
                    return Err(AnalysisError::InvalidCompute(format!(
                        "model '{name}' has {what} {v}; it must be a positive number"
                    )));
                }
            }
            let family = family
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty());
            let (Some(params), Some(tokens), Some(family)) = (s, t, family) else {
                left_out.push(name.clone());
                continue;
            };
            models.push(SkillsModel {
                name: name.clone(),
                params,
                tokens,
                family,
                scores: scores
                    .row(i)
                    .iter()
                    .map(|&v| (!v.is_nan()).then_some(v))
                    .collect(),
            });
        }
        if models.is_empty() && !left_out.is_empty() {
            return Err(AnalysisError::InvalidSkills(format!(
                "no model has params, tokens and a family ({} left out)",
                left_out.len()
            )));
        }
        let floors = floors.unwrap_or_else(|| vec![0.0; matrix.n_benchmarks()]);
        let data = SkillsData::new(matrix.benchmarks().to_vec(), floors, models)?;
        Ok((data, left_out))
    }

    /// Groups of families to hold out ([`super::evaluate`]): at least one,
    /// each naming at least one family, and only families a model has.
    pub fn check_groups(&self, groups: &[Vec<String>]) -> Result<(), AnalysisError> {
        let invalid = |detail: String| Err(AnalysisError::InvalidSkills(detail));
        if groups.is_empty() {
            return invalid("evaluate.groups names no group".into());
        }
        let (known, _) = self.family_index();
        for (g, group) in groups.iter().enumerate() {
            if group.is_empty() {
                return invalid(format!("evaluate group {} names no family", g + 1));
            }
            if let Some(unknown) = group.iter().find(|f| !known.contains(f)) {
                return invalid(format!(
                    "evaluate group {} names family '{unknown}', which no model has",
                    g + 1
                ));
            }
        }
        Ok(())
    }
}

impl NewModel {
    /// Models to predict from their per-model lists: one value of each per
    /// model, labels non-empty and unique, and every model with its params,
    /// its tokens and a family.
    pub fn list(
        models: Vec<String>,
        params: Vec<Option<f64>>,
        tokens: Vec<Option<f64>>,
        families: Vec<Option<String>>,
    ) -> Result<Vec<NewModel>, AnalysisError> {
        for (what, got) in [
            ("params", params.len()),
            ("tokens", tokens.len()),
            ("families", families.len()),
        ] {
            check_per_model(what, got, models.len())?;
        }
        check_model_labels(&models)?;
        models
            .into_iter()
            .zip(params)
            .zip(tokens)
            .zip(families)
            .map(|(((name, params), tokens), family)| {
                let missing = |what: &str| {
                    AnalysisError::InvalidCompute(format!("model '{name}' has no {what} (null)"))
                };
                let params = params.ok_or_else(|| missing("params"))?;
                let tokens = tokens.ok_or_else(|| missing("tokens"))?;
                let Some(family) = family.filter(|f| !f.is_empty()) else {
                    return Err(AnalysisError::InvalidSkills(format!(
                        "model '{name}' has no family (null or empty)"
                    )));
                };
                Ok(NewModel {
                    name,
                    params,
                    tokens,
                    family,
                })
            })
            .collect()
    }
}
