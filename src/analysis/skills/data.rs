//! The skills law's leaderboard, checked once: models with their sizes,
//! families and scores as fractions, and each benchmark's chance floor.

use crate::analysis::AnalysisError;

/// One model of the leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsModel {
    pub name: String,
    /// Parameters, in billions (> 0).
    pub params: f64,
    /// Training tokens, in trillions (> 0).
    pub tokens: f64,
    pub family: String,
    /// One score per benchmark, as a fraction; `None` = not evaluated.
    pub scores: Vec<Option<f64>>,
}

/// A checked leaderboard for the skills law: positive finite parameters and
/// tokens, one finite score or `None` per benchmark, floors in [0, 1).
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsData {
    benchmarks: Vec<String>,
    floors: Vec<f64>,
    models: Vec<SkillsModel>,
}

fn invalid(message: String) -> AnalysisError {
    AnalysisError::InvalidSkills(message)
}

impl SkillsData {
    pub fn new(
        benchmarks: Vec<String>,
        floors: Vec<f64>,
        models: Vec<SkillsModel>,
    ) -> Result<SkillsData, AnalysisError> {
        if benchmarks.is_empty() {
            return Err(AnalysisError::NoBenchmarks);
        }
        if floors.len() != benchmarks.len() {
            return Err(AnalysisError::ShapeMismatch {
                what: "floors".into(),
                got: floors.len(),
                unit: "values",
                expected: benchmarks.len(),
                expected_from: "benchmarks",
            });
        }
        for (b, &c) in benchmarks.iter().zip(&floors) {
            if !(0.0..1.0).contains(&c) {
                return Err(invalid(format!(
                    "the floor of benchmark '{b}' must be in [0, 1), got {c}"
                )));
            }
        }
        if models.is_empty() {
            return Err(invalid("the leaderboard has no models".into()));
        }
        for m in &models {
            for (what, v) in [("params", m.params), ("tokens", m.tokens)] {
                if !(v > 0.0 && v.is_finite()) {
                    return Err(invalid(format!(
                        "model '{}' has {what} {v}; it must be a positive number",
                        m.name
                    )));
                }
            }
            if m.scores.len() != benchmarks.len() {
                return Err(AnalysisError::ShapeMismatch {
                    what: format!("the scores of model '{}'", m.name),
                    got: m.scores.len(),
                    unit: "values",
                    expected: benchmarks.len(),
                    expected_from: "benchmarks",
                });
            }
            for (b, s) in benchmarks.iter().zip(&m.scores) {
                if let Some(v) = s
                    && !v.is_finite()
                {
                    return Err(AnalysisError::NonFiniteScore {
                        model: m.name.clone(),
                        benchmark: b.clone(),
                    });
                }
                // The law reads a score as a fraction of the benchmark
                // (y = c + (1 - c) g in [0, 1]); a percentage would be
                // fitted as nonsense rather than refused.
                if let Some(v) = s
                    && !(0.0..=1.0).contains(v)
                {
                    return Err(invalid(format!(
                        "model '{}' scores {v} on benchmark '{b}'; the skills law reads \
                         scores as fractions in [0, 1]",
                        m.name
                    )));
                }
            }
        }
        // y = c + (1 - c) g with g in (0, 1): a floor at or above every
        // score of its benchmark puts every prediction above every score,
        // and the fit would answer the floor's neighbourhood for every model.
        for (j, (b, &c)) in benchmarks.iter().zip(&floors).enumerate() {
            let highest = models
                .iter()
                .filter_map(|m| m.scores[j])
                .fold(None, |top: Option<f64>, v| {
                    Some(top.map_or(v, |t| t.max(v)))
                });
            if let Some(highest) = highest
                && c >= highest
            {
                return Err(invalid(format!(
                    "the floor of benchmark '{b}' is {c}, at or above its highest score, \
                     {highest}: the law reads a score as floor + (1 - floor) g with g in (0, 1), \
                     so a benchmark's floor (its chance level) must lie below its scores"
                )));
            }
        }
        Ok(SkillsData {
            benchmarks,
            floors,
            models,
        })
    }

    pub fn benchmarks(&self) -> &[String] {
        &self.benchmarks
    }

    pub fn floors(&self) -> &[f64] {
        &self.floors
    }

    pub fn models(&self) -> &[SkillsModel] {
        &self.models
    }

    /// The same leaderboard with every score of the marked models removed
    /// (they are then predicted, not fitted).
    pub fn without_scores(&self, hide: &[bool]) -> SkillsData {
        let mut out = self.clone();
        for (m, &h) in out.models.iter_mut().zip(hide) {
            if h {
                m.scores.iter_mut().for_each(|s| *s = None);
            }
        }
        out
    }

    /// Whether a model has at least one score (and so is fitted).
    pub fn is_scored(&self, i: usize) -> bool {
        self.models[i].scores.iter().any(Option::is_some)
    }

    /// The family names in order of first appearance in the input, and each
    /// model's index into them (so no fit depends on hashing or sorting).
    pub fn family_index(&self) -> (Vec<String>, Vec<usize>) {
        let mut names: Vec<String> = Vec::new();
        let index = self
            .models
            .iter()
            .map(|m| match names.iter().position(|f| *f == m.family) {
                Some(k) => k,
                None => {
                    names.push(m.family.clone());
                    names.len() - 1
                }
            })
            .collect();
        (names, index)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A model of family "f" (also the basis's tests' models).
    pub(in crate::analysis::skills) fn model(
        name: &str,
        params: f64,
        tokens: f64,
        scores: Vec<Option<f64>>,
    ) -> SkillsModel {
        SkillsModel {
            name: name.into(),
            params,
            tokens,
            family: "f".into(),
            scores,
        }
    }

    #[test]
    fn a_floor_at_or_above_every_score_of_its_benchmark_is_refused() {
        let data = |floor: f64| {
            SkillsData::new(
                vec!["x".into(), "y".into()],
                vec![floor, 0.0],
                vec![
                    model("a", 1.0, 1.0, vec![Some(0.2), Some(0.1)]),
                    model("b", 2.0, 1.0, vec![Some(0.3), None]),
                    model("c", 3.0, 1.0, vec![None, Some(0.5)]),
                ],
            )
        };
        assert!(data(0.25).is_ok());
        for floor in [0.3, 0.99] {
            let err = data(floor).unwrap_err().to_string();
            assert!(
                err.contains("benchmark 'x' is") && err.contains("highest score, 0.3"),
                "{err}"
            );
        }
    }
}
