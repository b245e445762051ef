//! The skills law's definition and a fitted law apart from its leaderboard:
//! the covariates a model is read by, the links, the range of sizes a law
//! was fitted on, and what predicts a model from its parameters, tokens and
//! family with nothing refitted. The fit ([`super::model`]) builds on these
//! and predicts its own models through this same forward pass
//! ([`SkillsBasis::skills_of`], [`SkillsBasis::eta`], [`SkillsBasis::score`]),
//! so a basis sent back predicts a model bit for bit as the fit did.

use ndarray::Array2;

use super::data::SkillsModel;
use super::isotonic::Isotonic;
use super::link::LinkKind;
use crate::analysis::AnalysisError;

/// Covariates per model: ln S, ln T, ln S ln T.
pub(super) const P: usize = 3;

/// A model's covariates, x = [ln S, ln T, ln S ln T].
pub(super) fn covariates(params: f64, tokens: f64) -> [f64; P] {
    let (s, t) = (params.ln(), tokens.ln());
    [s, t, s * t]
}

/// The `Monotone` link's weight on the isotonic part (cross-validated on
/// the v2 training families: 0.5 was best for every number of skills).
pub const ISOTONIC_BLEND: f64 = 0.5;

/// How the skills reach the scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// g = sigmoid(eta): the paper's simple link, one stage, no isotonic part.
    Sigmoid,
    /// The monotone `asym` link sigmoid(psi_j) sigmoid(eta)^exp(kappa_j)
    /// (a ceiling and an asymmetric bend per benchmark), averaged half and
    /// half with an isotonic regression of the benchmark on eta.
    #[default]
    Monotone,
}

/// A model's size that a law reads: its parameters or its training tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Params,
    Tokens,
}

/// The parameters (billions) and training tokens (trillions) of the models a
/// law was fitted on, smallest and largest: where its skills are
/// interpolated rather than extrapolated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FittedRange {
    pub params: (f64, f64),
    pub tokens: (f64, f64),
}

/// A size of a predicted model outside the fitted range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutsideRange {
    pub size: Size,
    /// The model's value.
    pub value: f64,
    /// The fitted models' smallest and largest values.
    pub range: (f64, f64),
}

impl FittedRange {
    /// The range of the given models' sizes (at least one).
    pub fn of<'m>(models: impl IntoIterator<Item = &'m SkillsModel>) -> Self {
        let widen = |(lo, hi): (f64, f64), v: f64| (lo.min(v), hi.max(v));
        let empty = (f64::INFINITY, f64::NEG_INFINITY);
        let (params, tokens) = models.into_iter().fold((empty, empty), |(p, t), m| {
            (widen(p, m.params), widen(t, m.tokens))
        });
        FittedRange { params, tokens }
    }

    /// The sizes of a model with `params` and `tokens` that lie outside,
    /// params first; empty inside.
    pub fn outside(&self, params: f64, tokens: f64) -> Vec<OutsideRange> {
        [
            (Size::Params, params, self.params),
            (Size::Tokens, tokens, self.tokens),
        ]
        .into_iter()
        .filter(|&(_, value, (lo, hi))| !(lo..=hi).contains(&value))
        .map(|(size, value, range)| OutsideRange { size, value, range })
        .collect()
    }
}

/// A fitted skills law: the skills of a model of family f with S billion
/// parameters and T trillion tokens are z = E_f + A (x - mean) / sd, x =
/// [ln S, ln T, ln S ln T]; benchmark j reads eta_j = W_j . z + b_j and
/// scores c_j + (1 - c_j) g_j(eta_j).
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsBasis {
    pub(super) benchmarks: Vec<String>,
    pub(super) floors: Vec<f64>,
    pub(super) link: Link,
    /// A (d x 3).
    pub(super) skill_weights: Array2<f64>,
    pub(super) covariate_means: [f64; P],
    pub(super) covariate_sds: [f64; P],
    /// The fitted models' sizes; `None` for a basis made before bases
    /// carried them (`obscaling.skills-basis/v1`).
    pub(super) fitted_range: Option<FittedRange>,
    pub(super) families: Vec<String>,
    /// E (F x d).
    pub(super) efficiencies: Array2<f64>,
    /// W (J x d).
    pub(super) loadings: Array2<f64>,
    pub(super) intercepts: Vec<f64>,
    /// [psi, kappa] per benchmark (J x 2) for `Monotone`; J x 0 for `Sigmoid`.
    pub(super) link_params: Array2<f64>,
    /// The isotonic half of the `Monotone` link per benchmark; `None` for
    /// `Sigmoid` (and while the fit has not made it yet).
    pub(super) isotonic: Vec<Option<Isotonic>>,
}

/// Everything a skills basis holds, as plain values (what travels).
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsBasisParts {
    pub benchmarks: Vec<String>,
    pub floors: Vec<f64>,
    pub link: Link,
    /// d rows of 3.
    pub skill_weights: Vec<Vec<f64>>,
    pub covariate_means: [f64; P],
    pub covariate_sds: [f64; P],
    /// The fitted models' sizes (`None`: not known).
    pub fitted_range: Option<FittedRange>,
    /// (family, efficiency: d values).
    pub families: Vec<(String, Vec<f64>)>,
    /// J rows of d.
    pub loadings: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    /// J pairs [psi, kappa] for `Monotone`; empty for `Sigmoid`.
    pub link_params: Vec<[f64; 2]>,
    /// J (knots, values) for `Monotone`; empty for `Sigmoid`.
    pub isotonic: Vec<(Vec<f64>, Vec<f64>)>,
    /// The isotonic half's weight; [`ISOTONIC_BLEND`] for `Monotone`.
    pub isotonic_weight: Option<f64>,
}

/// A model to predict with a basis.
#[derive(Debug, Clone, PartialEq)]
pub struct NewModel {
    pub name: String,
    /// Parameters, in billions.
    pub params: f64,
    /// Training tokens, in trillions.
    pub tokens: f64,
    pub family: String,
}

/// What a basis says about a model.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsPlacement {
    /// z (d).
    pub skills: Vec<f64>,
    /// One score per benchmark.
    pub predicted: Vec<f64>,
    /// Its sizes outside the fitted range (empty inside); `None` when the
    /// basis does not know the range.
    pub outside_fitted_range: Option<Vec<OutsideRange>>,
}

fn invalid(detail: String) -> AnalysisError {
    AnalysisError::InvalidBasis(detail)
}

fn finite(name: &str, values: &[f64]) -> Result<(), AnalysisError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(invalid(format!("{name}[{i}] is not a finite number"))),
        None => Ok(()),
    }
}

/// `rows` as an r x c matrix of finite numbers called `name`.
fn matrix(name: &str, rows: &[Vec<f64>], r: usize, c: usize) -> Result<Array2<f64>, AnalysisError> {
    if rows.len() != r {
        return Err(invalid(format!(
            "{name} has {} rows, expected {r}",
            rows.len()
        )));
    }
    for (i, row) in rows.iter().enumerate() {
        if row.len() != c {
            return Err(invalid(format!(
                "{name}[{i}] has {} values, expected {c}",
                row.len()
            )));
        }
        finite(&format!("{name}[{i}]"), row)?;
    }
    Ok(Array2::from_shape_fn((r, c), |(a, b)| rows[a][b]))
}

impl SkillsBasis {
    /// A basis from its parts, checked whole: consistent sizes, finite
    /// numbers, floors in [0, 1), positive deviations, unique families,
    /// increasing isotonic knots with non-decreasing values.
    pub fn from_parts(parts: SkillsBasisParts) -> Result<Self, AnalysisError> {
        let SkillsBasisParts {
            benchmarks,
            floors,
            link,
            skill_weights,
            covariate_means,
            covariate_sds,
            fitted_range,
            families,
            loadings,
            intercepts,
            link_params,
            isotonic,
            isotonic_weight,
        } = parts;
        let nj = benchmarks.len();
        if nj == 0 {
            return Err(invalid("benchmarks is empty".into()));
        }
        if let Some(i) = benchmarks.iter().position(String::is_empty) {
            return Err(invalid(format!("benchmarks[{i}] is empty")));
        }
        if let Some(i) = (1..nj).find(|&i| benchmarks[..i].contains(&benchmarks[i])) {
            return Err(invalid(format!(
                "benchmark '{}' appears twice",
                benchmarks[i]
            )));
        }
        let d = skill_weights.len();
        if d == 0 {
            return Err(invalid(
                "skill_weights has no row: a law has at least one skill".into(),
            ));
        }
        let skill_weights = matrix("skill_weights", &skill_weights, d, P)?;
        if floors.len() != nj {
            return Err(invalid(format!(
                "floors has {} values, but there are {nj} benchmarks",
                floors.len()
            )));
        }
        if let Some(i) = floors.iter().position(|c| !(0.0..1.0).contains(c)) {
            return Err(invalid(format!(
                "floors[{i}] must lie in [0, 1), got {}",
                floors[i]
            )));
        }
        finite("covariates.mean", &covariate_means)?;
        if let Some(i) = covariate_sds
            .iter()
            .position(|s| !(*s > 0.0 && s.is_finite()))
        {
            return Err(invalid(format!(
                "covariates.scale[{i}] must be a positive number, got {}",
                covariate_sds[i]
            )));
        }
        if let Some(range) = fitted_range {
            for (name, (lo, hi)) in [("params", range.params), ("tokens", range.tokens)] {
                if !(lo > 0.0 && lo <= hi && hi.is_finite()) {
                    return Err(invalid(format!(
                        "fitted_range.{name} must be [lo, hi] with 0 < lo <= hi, finite, got \
                         [{lo}, {hi}]"
                    )));
                }
            }
            // A fit refuses a board whose models all have one size (their
            // covariate scale would be rounding noise); a basis that says it
            // was fitted on one size cannot predict any other.
            let (lo, hi) = range.params;
            if lo == hi {
                return Err(invalid(format!(
                    "fitted_range.params is [{lo}, {hi}]: a law fitted on models of one size \
                     cannot say how skills grow with size"
                )));
            }
        }
        if families.is_empty() {
            return Err(invalid("families is empty".into()));
        }
        for (i, (name, _)) in families.iter().enumerate() {
            if name.is_empty() {
                return Err(invalid(format!("families[{i}].family is empty")));
            }
            if families[..i].iter().any(|(other, _)| other == name) {
                return Err(invalid(format!("family '{name}' appears twice")));
            }
        }
        let efficiency_rows: Vec<Vec<f64>> = families.iter().map(|(_, e)| e.clone()).collect();
        let efficiencies = matrix("efficiency", &efficiency_rows, families.len(), d)?;
        let loadings = matrix("loadings", &loadings, nj, d)?;
        if intercepts.len() != nj {
            return Err(invalid(format!(
                "intercepts has {} values, but there are {nj} benchmarks",
                intercepts.len()
            )));
        }
        finite("intercepts", &intercepts)?;
        let (link_params, isotonic) = match link {
            Link::Sigmoid => {
                if !link_params.is_empty() || !isotonic.is_empty() || isotonic_weight.is_some() {
                    return Err(invalid(
                        "a sigmoid link has no link_params, isotonic or isotonic_weight".into(),
                    ));
                }
                (Array2::zeros((nj, 0)), vec![None; nj])
            }
            Link::Monotone => {
                let rows: Vec<Vec<f64>> = link_params.iter().map(|p| p.to_vec()).collect();
                let params = matrix("link_params", &rows, nj, 2)?;
                if isotonic_weight != Some(ISOTONIC_BLEND) {
                    return Err(invalid(format!(
                        "isotonic_weight of a monotone link is {ISOTONIC_BLEND}, got {isotonic_weight:?}"
                    )));
                }
                if isotonic.len() != nj {
                    return Err(invalid(format!(
                        "isotonic has {} parts, but there are {nj} benchmarks",
                        isotonic.len()
                    )));
                }
                let parts = isotonic
                    .into_iter()
                    .enumerate()
                    .map(|(j, (x, y))| {
                        let name = format!("isotonic[{j}]");
                        if x.is_empty() || x.len() != y.len() {
                            return Err(invalid(format!(
                                "{name} needs as many values as knots, at least one (got {} and {})",
                                x.len(),
                                y.len()
                            )));
                        }
                        finite(&format!("{name}.x"), &x)?;
                        finite(&format!("{name}.y"), &y)?;
                        if x.windows(2).any(|w| w[0] >= w[1]) {
                            return Err(invalid(format!("{name}.x must increase")));
                        }
                        if y.windows(2).any(|w| w[0] > w[1]) {
                            return Err(invalid(format!("{name}.y must not decrease")));
                        }
                        Ok(Some(Isotonic { x, y }))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                (params, parts)
            }
        };
        Ok(SkillsBasis {
            benchmarks,
            floors,
            link,
            skill_weights,
            covariate_means,
            covariate_sds,
            fitted_range,
            families: families.into_iter().map(|(name, _)| name).collect(),
            efficiencies,
            loadings,
            intercepts,
            link_params,
            isotonic,
        })
    }

    /// The basis as plain values.
    pub fn parts(&self) -> SkillsBasisParts {
        let rows = |a: &Array2<f64>| -> Vec<Vec<f64>> {
            a.rows().into_iter().map(|r| r.to_vec()).collect()
        };
        let monotone = self.link == Link::Monotone;
        SkillsBasisParts {
            benchmarks: self.benchmarks.clone(),
            floors: self.floors.clone(),
            link: self.link,
            skill_weights: rows(&self.skill_weights),
            covariate_means: self.covariate_means,
            covariate_sds: self.covariate_sds,
            fitted_range: self.fitted_range,
            families: self
                .families
                .iter()
                .cloned()
                .zip(rows(&self.efficiencies))
                .collect(),
            loadings: rows(&self.loadings),
            intercepts: self.intercepts.clone(),
            link_params: if monotone {
                self.link_params
                    .rows()
                    .into_iter()
                    .map(|r| [r[0], r[1]])
                    .collect()
            } else {
                vec![]
            },
            isotonic: self
                .isotonic
                .iter()
                .flatten()
                .map(|iso| (iso.x.clone(), iso.y.clone()))
                .collect(),
            isotonic_weight: monotone.then_some(ISOTONIC_BLEND),
        }
    }

    pub fn benchmarks(&self) -> &[String] {
        &self.benchmarks
    }

    pub fn families(&self) -> &[String] {
        &self.families
    }

    pub fn link(&self) -> Link {
        self.link
    }

    /// d.
    pub fn n_skills(&self) -> usize {
        self.skill_weights.nrows()
    }

    fn kind(&self) -> LinkKind {
        match self.link {
            Link::Sigmoid => LinkKind::Sigmoid,
            Link::Monotone => LinkKind::Asym,
        }
    }

    /// The skills of a model of family `f` (an index into the families).
    pub(super) fn skills_of(&self, params: f64, tokens: f64, f: usize) -> Vec<f64> {
        let x = covariates(params, tokens);
        let (mx, sx) = (&self.covariate_means, &self.covariate_sds);
        (0..self.n_skills())
            .map(|k| {
                let mut v = self.efficiencies[(f, k)];
                for p in 0..P {
                    v += self.skill_weights[(k, p)] * (x[p] - mx[p]) / sx[p];
                }
                v
            })
            .collect()
    }

    /// eta of benchmark `j` for skills `z`.
    pub(super) fn eta(&self, z: &[f64], j: usize) -> f64 {
        let mut eta = self.intercepts[j];
        for (k, zk) in z.iter().enumerate() {
            eta += self.loadings[(j, k)] * zk;
        }
        eta
    }

    /// The score of benchmark `j` at `eta`: the parametric link above the
    /// floor, averaged with the isotonic part where there is one.
    pub(super) fn score(&self, j: usize, eta: f64) -> f64 {
        let phi = self.link_params.row(j);
        let phi = phi.as_slice().expect("a row of a standard-layout matrix");
        let c = self.floors[j];
        let parametric = c + (1.0 - c) * self.kind().value(eta, phi);
        match &self.isotonic[j] {
            Some(iso) => (1.0 - ISOTONIC_BLEND) * parametric + ISOTONIC_BLEND * iso.predict(eta),
            None => parametric,
        }
    }

    /// Predicts models from their parameters (billions), training tokens
    /// (trillions) and families, each of which must be in the basis.
    pub fn predict(&self, models: &[NewModel]) -> Result<Vec<SkillsPlacement>, AnalysisError> {
        models
            .iter()
            .map(|m| {
                let f = self
                    .families
                    .iter()
                    .position(|g| *g == m.family)
                    .ok_or_else(|| {
                        AnalysisError::InvalidSkills(format!(
                            "model '{}' is of family '{}', which is not in the basis (its \
                             families: {})",
                            m.name,
                            m.family,
                            self.families.join(", ")
                        ))
                    })?;
                for (what, v) in [("params", m.params), ("tokens", m.tokens)] {
                    if !(v > 0.0 && v.is_finite()) {
                        return Err(AnalysisError::InvalidCompute(format!(
                            "model '{}' has {what} {v}; it must be a positive number",
                            m.name
                        )));
                    }
                }
                let skills = self.skills_of(m.params, m.tokens, f);
                let predicted = (0..self.benchmarks.len())
                    .map(|j| self.score(j, self.eta(&skills, j)))
                    .collect();
                Ok(SkillsPlacement {
                    skills,
                    predicted,
                    outside_fitted_range: self
                        .fitted_range
                        .map(|range| range.outside(m.params, m.tokens)),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::skills::data::tests::model;

    #[test]
    fn sizes_outside_the_fitted_ones_are_named_with_the_range() {
        let fitted = [model("a", 1.0, 2.0, vec![]), model("b", 7.0, 0.5, vec![])];
        let range = FittedRange::of(&fitted);
        assert_eq!(range.params, (1.0, 7.0));
        assert_eq!(range.tokens, (0.5, 2.0));
        assert_eq!(range.outside(1.0, 2.0), vec![]);
        assert_eq!(
            range.outside(0.001, 3.0),
            vec![
                OutsideRange {
                    size: Size::Params,
                    value: 0.001,
                    range: (1.0, 7.0)
                },
                OutsideRange {
                    size: Size::Tokens,
                    value: 3.0,
                    range: (0.5, 2.0)
                },
            ]
        );
        assert_eq!(range.outside(3.0, 0.1).len(), 1);
    }
}
