//! The skills fit itself, a port of `Sloth.fit` of the research code
//! (tests/fixtures/reference/sloth_reference.py): SVD start, then two
//! Levenberg-Marquardt stages on the law's definition ([`super::basis`]).

use ndarray::{Array2, ArrayView2};

use super::basis::{FittedRange, Link, P, SkillsBasis, covariates};
use super::data::SkillsData;
use super::hyperparams::SkillsSpec;
use super::isotonic::Isotonic;
use super::link::{LinkKind, logit};
use super::residuals::{Blocks, LM_MAX_ITER, LM_REL_TOL, RowSink, SparseResiduals, lm_solve};
use crate::analysis::numerics::linalg::{right_svd, solve_lu};
use crate::analysis::numerics::moments;
use crate::analysis::{AnalysisError, budget};

/// A fitted skills law, with every model's skills and predicted scores.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsFit {
    pub benchmarks: Vec<String>,
    pub floors: Vec<f64>,
    pub link: Link,
    /// d, the number of skills.
    pub skills: usize,
    /// W (J x d): benchmark j reads W_j . z + b_j.
    pub loadings: Array2<f64>,
    /// b (J).
    pub intercepts: Vec<f64>,
    /// The asym link's [psi, kappa] per benchmark (J x 2); J x 0 for `Sigmoid`.
    pub link_params: Array2<f64>,
    /// A (d x 3): skills per standardised [ln S, ln T, ln S ln T].
    pub skill_weights: Array2<f64>,
    /// Mean and population standard deviation of [ln S, ln T, ln S ln T]
    /// over the fitted models (a zero deviation is replaced by 1).
    pub covariate_means: [f64; 3],
    pub covariate_sds: [f64; 3],
    /// The fitted models' sizes: outside them the law extrapolates.
    pub fitted_range: FittedRange,
    /// Family names, in order of first appearance in the input.
    pub families: Vec<String>,
    /// E (F x d): each family's skill offsets ("efficiencies").
    pub efficiencies: Array2<f64>,
    /// Per model (input order): fitted (at least one score) or only predicted.
    pub fitted: Vec<bool>,
    /// z (n x d) for every model, in input order.
    pub model_skills: Array2<f64>,
    /// eta (n x J) for every model.
    pub linear_predictors: Array2<f64>,
    /// Predicted scores (n x J) for every model.
    pub predictions: Array2<f64>,
    /// The isotonic part of the `Monotone` link per benchmark (`None` for
    /// `Sigmoid`): knots in eta and score.
    pub isotonic: Vec<Option<Isotonic>>,
    /// Mean |prediction - score| over the observed cells (a fraction).
    pub train_mae: f64,
    /// The same per benchmark, over its observed cells.
    pub train_mae_per_benchmark: Vec<f64>,
    /// Levenberg-Marquardt iterations of the sigmoid stage and of the
    /// monotone stage (0 for `Sigmoid`).
    pub iterations: [usize; 2],
}

/// Ridge on the family efficiencies through the logits they move,
/// lam_e sum_{f,j} (W_j . E_f)^2: small enough to let a family with one
/// model shift all of its skills, large enough to keep E identifiable
/// (cross-validated on the v2 training families: 0.003 and 0.03 were worse).
const LAM_E: f64 = 0.01;
/// Row weight (family size)^-FAMW: every family counts once, so large
/// families do not dictate the link (cross-validated as LAM_E).
const FAMW: f64 = 1.0;
/// Tiny ridges that only make A, W and the link parameters well-posed.
const LAM_A: f64 = 1e-4;
const LAM_W: f64 = 1e-4;
const LAM_PHI: f64 = 1e-4;
/// A plain ridge on E, for the directions W leaves unpenalised.
const LAM_E_RIDGE: f64 = 1e-6;
/// Effectively freezes the link parameters at their prior in stage 1.
const FROZEN: f64 = 1e8;
/// The logit start clips normalised scores into [EPS, 1 - EPS].
const EPS: f64 = 0.02;

/// Parameter vector layout: A (d x 3), E (F x d), W (J x d), b (J), phi (J x L).
#[derive(Debug, Clone, Copy)]
struct Layout {
    d: usize,
    f: usize,
    j: usize,
    l: usize,
}

impl Layout {
    fn a(&self, k: usize, p: usize) -> usize {
        k * P + p
    }
    fn e(&self, f: usize, k: usize) -> usize {
        self.d * P + f * self.d + k
    }
    fn w(&self, j: usize, k: usize) -> usize {
        self.d * P + self.f * self.d + j * self.d + k
    }
    fn b(&self, j: usize) -> usize {
        self.d * P + (self.f + self.j) * self.d + j
    }
    fn phi(&self, j: usize, l: usize) -> usize {
        self.b(self.j) + j * self.l + l
    }
    fn len(&self) -> usize {
        self.phi(self.j, 0)
    }
}

/// The fitted rows, standardised, with their masks and weights.
struct Problem<'a> {
    lay: Layout,
    kind: LinkKind,
    xs: &'a [[f64; P]],
    fam: &'a [usize],
    /// n x J scores (0 where missing) and mask.
    y: &'a [f64],
    observed: &'a [bool],
    /// sqrt of the row weights.
    sw: &'a [f64],
    floors: &'a [f64],
    sq_lam_e: f64,
}

impl Problem<'_> {
    fn skills(&self, theta: &[f64], i: usize, z: &mut [f64]) {
        let lay = &self.lay;
        for (k, zk) in z.iter_mut().enumerate() {
            let mut v = theta[lay.e(self.fam[i], k)];
            for p in 0..P {
                v += theta[lay.a(k, p)] * self.xs[i][p];
            }
            *zk = v;
        }
    }

    fn eta(&self, theta: &[f64], z: &[f64], j: usize) -> f64 {
        let lay = &self.lay;
        let mut v = theta[lay.b(j)];
        for (k, zk) in z.iter().enumerate() {
            v += theta[lay.w(j, k)] * zk;
        }
        v
    }

    fn phi<'t>(&self, theta: &'t [f64], j: usize) -> &'t [f64] {
        let start = self.lay.phi(j, 0);
        &theta[start..start + self.lay.l]
    }

    fn penalty_residual(&self, theta: &[f64], f: usize, j: usize) -> f64 {
        let lay = &self.lay;
        let dot: f64 = (0..lay.d)
            .map(|k| theta[lay.e(f, k)] * theta[lay.w(j, k)])
            .sum();
        self.sq_lam_e * dot
    }
}

impl SparseResiduals for Problem<'_> {
    fn n_params(&self) -> usize {
        self.lay.len()
    }

    fn n_residuals(&self) -> usize {
        (self.xs.len() + self.lay.f) * self.lay.j
    }

    /// Every residual touches one family's efficiencies only.
    fn diagonal_blocks(&self) -> Option<Blocks> {
        Some(Blocks {
            start: self.lay.e(0, 0),
            count: self.lay.f,
            size: self.lay.d,
        })
    }

    fn residuals(&self, theta: &[f64], r: &mut [f64]) {
        let (nj, d) = (self.lay.j, self.lay.d);
        let mut z = vec![0.0; d];
        let mut dphi = [0.0; 2];
        for i in 0..self.xs.len() {
            self.skills(theta, i, &mut z);
            for j in 0..nj {
                let cell = i * nj + j;
                r[cell] = if self.observed[cell] {
                    let eta = self.eta(theta, &z, j);
                    let (g, _) = self.kind.eval(eta, self.phi(theta, j), &mut dphi);
                    let c = self.floors[j];
                    (c + (1.0 - c) * g - self.y[cell]) * self.sw[i]
                } else {
                    0.0
                };
            }
        }
        let base = self.xs.len() * nj;
        for f in 0..self.lay.f {
            for j in 0..nj {
                r[base + f * nj + j] = self.penalty_residual(theta, f, j);
            }
        }
    }

    fn jacobian_rows(&self, theta: &[f64], row: &mut RowSink<'_>) {
        let lay = self.lay;
        let (nj, d) = (lay.j, lay.d);
        let mut z = vec![0.0; d];
        let mut dphi = [0.0; 2];
        let mut entries: Vec<(usize, f64)> = Vec::with_capacity(d * P + 2 * d + 1 + lay.l);
        for i in 0..self.xs.len() {
            self.skills(theta, i, &mut z);
            let f = self.fam[i];
            for j in 0..nj {
                let cell = i * nj + j;
                if !self.observed[cell] {
                    continue;
                }
                let eta = self.eta(theta, &z, j);
                let (g, dg) = self.kind.eval(eta, self.phi(theta, j), &mut dphi);
                let c = self.floors[j];
                let sw = self.sw[i];
                let r = (c + (1.0 - c) * g - self.y[cell]) * sw;
                let gd = (1.0 - c) * dg * sw;
                entries.clear();
                for k in 0..d {
                    let wjk = theta[lay.w(j, k)];
                    for p in 0..P {
                        entries.push((lay.a(k, p), gd * wjk * self.xs[i][p]));
                    }
                }
                for k in 0..d {
                    entries.push((lay.e(f, k), gd * theta[lay.w(j, k)]));
                }
                for (k, zk) in z.iter().enumerate() {
                    entries.push((lay.w(j, k), gd * zk));
                }
                entries.push((lay.b(j), gd));
                // The link's own parameters move only when this stage's
                // link has them (stage 1 freezes the asym ones).
                for (l, dl) in dphi
                    .iter()
                    .enumerate()
                    .take(self.kind.n_params().min(lay.l))
                {
                    entries.push((lay.phi(j, l), (1.0 - c) * dl * sw));
                }
                row(cell, r, &entries);
            }
        }
        let base = self.xs.len() * nj;
        for f in 0..lay.f {
            for j in 0..nj {
                entries.clear();
                for k in 0..d {
                    entries.push((lay.e(f, k), self.sq_lam_e * theta[lay.w(j, k)]));
                }
                for k in 0..d {
                    entries.push((lay.w(j, k), self.sq_lam_e * theta[lay.e(f, k)]));
                }
                row(
                    base + f * nj + j,
                    self.penalty_residual(theta, f, j),
                    &entries,
                );
            }
        }
    }
}

/// Fits the skills law to the scored models and predicts every model.
///
/// Models without any score take no part in the fit (nor in the
/// standardisation or the family weights); they are predicted from their
/// parameters, tokens and family. Partially scored models are fitted on
/// their observed cells.
pub fn fit_skills(data: &SkillsData, spec: &SkillsSpec) -> Result<SkillsFit, AnalysisError> {
    let fitted = prepare(data, spec)?;
    let solved = solve(&fitted, data.floors(), spec.link)?;
    Ok(finish(data, spec.link, fitted, solved))
}

// Here rather than in `basis`, so that the law's definition does not depend
// on the fit that builds on it.
impl SkillsBasis {
    /// The law a fit found, with its families' efficiencies.
    pub fn of_fit(fit: &SkillsFit) -> Self {
        SkillsBasis {
            benchmarks: fit.benchmarks.clone(),
            floors: fit.floors.clone(),
            link: fit.link,
            skill_weights: fit.skill_weights.clone(),
            covariate_means: fit.covariate_means,
            covariate_sds: fit.covariate_sds,
            fitted_range: Some(fit.fitted_range),
            families: fit.families.clone(),
            efficiencies: fit.efficiencies.clone(),
            loadings: fit.loadings.clone(),
            intercepts: fit.intercepts.clone(),
            link_params: fit.link_params.clone(),
            isotonic: fit.isotonic.clone(),
        }
    }
}

/// The fitted rows of a leaderboard as the law reads them: the scored
/// models' standardised covariates, families, scores with their mask, and
/// row weights.
struct FittedRows {
    /// Skills, d.
    d: usize,
    families: Vec<String>,
    /// Every model's family (an index into `families`).
    fam_all: Vec<usize>,
    /// The scored models (indices into the leaderboard), the fitted rows.
    rows: Vec<usize>,
    /// Mean and population deviation of the covariates over the rows.
    mx: [f64; P],
    sx: [f64; P],
    /// Per row: standardised covariates, family, and sqrt of its weight.
    xs: Vec<[f64; P]>,
    fam: Vec<usize>,
    sw: Vec<f64>,
    /// rows x J scores (0 where missing) and mask.
    y: Vec<f64>,
    observed: Vec<bool>,
}

/// Checks that the leaderboard can be fitted with `spec` and prepares its
/// rows.
fn prepare(data: &SkillsData, spec: &SkillsSpec) -> Result<FittedRows, AnalysisError> {
    let nj = data.benchmarks().len();
    let d = spec.skills_for(nj);
    if d > nj {
        return Err(AnalysisError::InvalidSkills(format!(
            "skills must be at most the number of benchmarks ({nj}), got {d}"
        )));
    }
    let (families, fam_all) = data.family_index();
    let nf = families.len();
    let models = data.models();
    let rows: Vec<usize> = (0..models.len()).filter(|&i| data.is_scored(i)).collect();
    let n = rows.len();
    let mut count = vec![0usize; nf];
    for &i in &rows {
        count[fam_all[i]] += 1;
    }
    if let Some(f) = (0..nf).find(|&f| count[f] == 0) {
        return Err(AnalysisError::FamilyWithoutScores {
            family: families[f].clone(),
        });
    }
    if d > n {
        return Err(AnalysisError::InvalidSkills(format!(
            "{d} skills need at least {d} scored models, got {n}"
        )));
    }

    // Standardised covariates over the fitted rows (population sd, as numpy).
    let x: Vec<[f64; P]> = rows
        .iter()
        .map(|&i| covariates(models[i].params, models[i].tokens))
        .collect();
    let mut mx = [0.0; P];
    let mut sx = [0.0; P];
    let mut column = Vec::with_capacity(n);
    let mut constant = [false; P];
    for p in 0..P {
        mx[p] = x.iter().map(|v| v[p]).sum::<f64>() / n as f64;
        // A covariate that is the same for every fitted model up to
        // rounding (equal sizes give a variance of a few ulps, not 0) is
        // decided by the project's constant-value rule, as a benchmark is:
        // standardising by its rounding noise would turn a new size into a
        // z-score of ~1e14. It is left out (scale 1, every standardised
        // value 0, so the fit gives it no weight); the parameters cannot
        // be, since the law predicts how skills grow with size.
        column.clear();
        column.extend(x.iter().map(|v| v[p]));
        constant[p] = moments::of_values(&column).1.constant;
        if constant[p] && p == 0 {
            return Err(AnalysisError::InvalidSkills(format!(
                "every one of the {n} scored models has the same params (constant up to \
                 rounding): the skills law learns how skills grow with size, so the fitted \
                 models' sizes must vary"
            )));
        }
        let var = x.iter().map(|v| (v[p] - mx[p]).powi(2)).sum::<f64>() / n as f64;
        sx[p] = if constant[p] { 1.0 } else { var.sqrt() };
    }
    let xs: Vec<[f64; P]> = x
        .iter()
        .map(|v| {
            std::array::from_fn(|p| {
                if constant[p] {
                    0.0
                } else {
                    (v[p] - mx[p]) / sx[p]
                }
            })
        })
        .collect();
    let fam: Vec<usize> = rows.iter().map(|&i| fam_all[i]).collect();
    let mut y = vec![0.0; n * nj];
    let mut observed = vec![false; n * nj];
    for (r, &i) in rows.iter().enumerate() {
        for j in 0..nj {
            if let Some(v) = models[i].scores[j] {
                y[r * nj + j] = v;
                observed[r * nj + j] = true;
            }
        }
    }
    for j in 0..nj {
        if !(0..n).any(|r| observed[r * nj + j]) {
            return Err(AnalysisError::UnobservedBenchmark {
                benchmark: data.benchmarks()[j].clone(),
            });
        }
    }
    // Row weights (family size)^-FAMW, normalised to mean 1.
    let w: Vec<f64> = fam.iter().map(|&f| (count[f] as f64).powf(-FAMW)).collect();
    let w_mean = w.iter().sum::<f64>() / n as f64;
    let sw: Vec<f64> = w.iter().map(|v| (v / w_mean).sqrt()).collect();
    Ok(FittedRows {
        d,
        families,
        fam_all,
        rows,
        mx,
        sx,
        xs,
        fam,
        sw,
        y,
        observed,
    })
}

/// The law's parameters as the two stages left them.
struct Solved {
    lay: Layout,
    theta: Vec<f64>,
    /// Iterations of the sigmoid stage and of the monotone stage.
    iterations: [usize; 2],
}

/// The research code's start, then penalised least squares with the
/// sigmoid link (the asym link's parameters frozen at their prior), then,
/// for the `Monotone` link, with the asym link from there.
fn solve(fitted: &FittedRows, floors: &[f64], link: Link) -> Result<Solved, AnalysisError> {
    let FittedRows {
        d,
        ref families,
        ref xs,
        ref fam,
        ref sw,
        ref y,
        ref observed,
        ..
    } = *fitted;
    let (nf, nj) = (families.len(), floors.len());
    let final_kind = match link {
        Link::Sigmoid => LinkKind::Sigmoid,
        Link::Monotone => LinkKind::Asym,
    };
    let lay = Layout {
        d,
        f: nf,
        j: nj,
        l: final_kind.n_params(),
    };
    let mut theta = start(&lay, xs, fam, y, observed, floors, final_kind)?;

    let mut pen = vec![0.0; lay.len()];
    let mut prior = vec![0.0; lay.len()];
    for k in 0..d {
        for p in 0..P {
            pen[lay.a(k, p)] = LAM_A;
        }
        for f in 0..nf {
            pen[lay.e(f, k)] = LAM_E_RIDGE;
        }
        for j in 0..nj {
            pen[lay.w(j, k)] = LAM_W;
        }
    }
    for j in 0..nj {
        for (l, &v) in final_kind.phi0().iter().enumerate() {
            prior[lay.phi(j, l)] = v;
            pen[lay.phi(j, l)] = FROZEN;
        }
    }
    let mut problem = Problem {
        lay,
        kind: LinkKind::Sigmoid,
        xs,
        fam,
        y,
        observed,
        sw,
        floors,
        sq_lam_e: LAM_E.sqrt(),
    };
    let stage1 = lm_solve(&problem, &theta, &pen, &prior, LM_MAX_ITER, LM_REL_TOL)?;
    theta = stage1.theta;
    let mut iterations = [stage1.iterations, 0];
    if final_kind == LinkKind::Asym {
        for j in 0..nj {
            for l in 0..lay.l {
                pen[lay.phi(j, l)] = LAM_PHI;
            }
        }
        problem.kind = LinkKind::Asym;
        let stage2 = lm_solve(&problem, &theta, &pen, &prior, LM_MAX_ITER, LM_REL_TOL)?;
        theta = stage2.theta;
        iterations[1] = stage2.iterations;
    }
    Ok(Solved {
        lay,
        theta,
        iterations,
    })
}

/// The fitted law as a basis, every model predicted through it (the
/// `Monotone` link's isotonic part fitted on the rows' eta first), and the
/// training error.
fn finish(data: &SkillsData, link: Link, fitted: FittedRows, solved: Solved) -> SkillsFit {
    let FittedRows {
        d,
        families,
        fam_all,
        rows,
        mx,
        sx,
        y,
        observed,
        ..
    } = fitted;
    let Solved {
        lay,
        theta,
        iterations,
    } = solved;
    let (nf, nj) = (families.len(), lay.j);
    let models = data.models();
    let floors = data.floors();
    // The law, through which every model is predicted (and a basis made
    // of it predicts the same models bit for bit).
    let take = |f: &dyn Fn(usize, usize) -> usize, r: usize, c: usize| {
        Array2::from_shape_fn((r, c), |(a, b)| theta[f(a, b)])
    };
    let mut law = SkillsBasis {
        benchmarks: data.benchmarks().to_vec(),
        floors: floors.to_vec(),
        link,
        skill_weights: take(&|k, p| lay.a(k, p), d, P),
        covariate_means: mx,
        covariate_sds: sx,
        fitted_range: Some(FittedRange::of(rows.iter().map(|&i| &models[i]))),
        families,
        efficiencies: take(&|f, k| lay.e(f, k), nf, d),
        loadings: take(&|j, k| lay.w(j, k), nj, d),
        intercepts: (0..nj).map(|j| theta[lay.b(j)]).collect(),
        link_params: take(&|j, l| lay.phi(j, l), nj, lay.l),
        isotonic: vec![None; nj],
    };
    // Every model's skills and eta.
    let n_all = models.len();
    let mut model_skills = Array2::zeros((n_all, d));
    let mut linear_predictors = Array2::zeros((n_all, nj));
    for i in 0..n_all {
        let z = law.skills_of(models[i].params, models[i].tokens, fam_all[i]);
        for j in 0..nj {
            linear_predictors[(i, j)] = law.eta(&z, j);
        }
        model_skills
            .row_mut(i)
            .assign(&ndarray::ArrayView1::from(&z));
    }
    // The monotone link's isotonic part: each benchmark's scores on the
    // fitted models' eta.
    if link == Link::Monotone {
        law.isotonic = (0..nj)
            .map(|j| {
                let (mut ex, mut ey) = (Vec::new(), Vec::new());
                for (r, &i) in rows.iter().enumerate() {
                    if observed[r * nj + j] {
                        ex.push(linear_predictors[(i, j)]);
                        ey.push(y[r * nj + j]);
                    }
                }
                Isotonic::fit(&ex, &ey)
            })
            .collect();
    }
    let predictions = Array2::from_shape_fn((n_all, nj), |(i, j)| {
        law.score(j, linear_predictors[(i, j)])
    });
    let (train_mae, train_mae_per_benchmark) = train_errors(&rows, &observed, &y, &predictions);

    SkillsFit {
        benchmarks: law.benchmarks,
        floors: law.floors,
        link: law.link,
        skills: d,
        loadings: law.loadings,
        intercepts: law.intercepts,
        link_params: law.link_params,
        skill_weights: law.skill_weights,
        covariate_means: law.covariate_means,
        covariate_sds: law.covariate_sds,
        fitted_range: law.fitted_range.expect("a fit knows its models' range"),
        families: law.families,
        efficiencies: law.efficiencies,
        fitted: (0..n_all).map(|i| data.is_scored(i)).collect(),
        model_skills,
        linear_predictors,
        predictions,
        isotonic: law.isotonic,
        train_mae,
        train_mae_per_benchmark,
        iterations,
    }
}

/// Mean |prediction - score| over the fitted rows' observed cells, and per
/// benchmark.
fn train_errors(
    rows: &[usize],
    observed: &[bool],
    y: &[f64],
    predictions: &Array2<f64>,
) -> (f64, Vec<f64>) {
    let nj = predictions.ncols();
    let (mut abs_sum, mut cells) = (0.0, 0usize);
    let (mut bench_sum, mut bench_cells) = (vec![0.0; nj], vec![0usize; nj]);
    for (r, &i) in rows.iter().enumerate() {
        for j in 0..nj {
            if observed[r * nj + j] {
                let e = (predictions[(i, j)] - y[r * nj + j]).abs();
                abs_sum += e;
                cells += 1;
                bench_sum[j] += e;
                bench_cells[j] += 1;
            }
        }
    }
    // Every benchmark has an observed cell (checked by `prepare`).
    let per_benchmark = bench_sum
        .iter()
        .zip(&bench_cells)
        .map(|(s, &c)| s / c as f64)
        .collect();
    (abs_sum / cells as f64, per_benchmark)
}

/// The research code's start: per benchmark, logits of the normalised
/// scores (missing cells at the benchmark's mean logit) regressed by ridge on
/// [standardised covariates, family one-hot]; the rank-d SVD of the fitted
/// logits gives W (right vectors, sign fixed so each column's largest entry
/// is positive, scaled by sqrt(s / sqrt(n))) and A, E follow from the
/// regression coefficients.
fn start(
    lay: &Layout,
    xs: &[[f64; P]],
    fam: &[usize],
    y: &[f64],
    observed: &[bool],
    floors: &[f64],
    kind: LinkKind,
) -> Result<Vec<f64>, AnalysisError> {
    let (n, nj, nf, d) = (xs.len(), lay.j, lay.f, lay.d);
    let mut q = vec![0.0; n * nj];
    let mut qm = vec![0.0; nj];
    for j in 0..nj {
        let (mut sum, mut cnt) = (0.0, 0usize);
        for r in 0..n {
            let cell = r * nj + j;
            if observed[cell] {
                let c = floors[j];
                let v = logit(((y[cell] - c) / (1.0 - c)).clamp(EPS, 1.0 - EPS));
                q[cell] = v;
                sum += v;
                cnt += 1;
            }
        }
        qm[j] = sum / cnt as f64;
        for r in 0..n {
            let cell = r * nj + j;
            q[cell] = if observed[cell] { q[cell] - qm[j] } else { 0.0 };
        }
    }
    // Z0 = [xs, onehot]: Z0^T Z0 + diag(1e-6 on xs, 1 on families).
    let m = P + nf;
    let z0 = |r: usize, c: usize| -> f64 {
        if c < P {
            xs[r][c]
        } else if fam[r] == c - P {
            1.0
        } else {
            0.0
        }
    };
    // (m + 1)^2 sums over the models with thousands of families: once the
    // deadline has passed, the fills skip their entries and the check
    // after each answers.
    let gram = faer::Mat::<f64>::from_fn(m, m, |a, b| {
        if budget::check().is_err() {
            return 0.0;
        }
        let mut s: f64 = (0..n).map(|r| z0(r, a) * z0(r, b)).sum();
        if a == b {
            s += if a < P { 1e-6 } else { 1.0 };
        }
        s
    });
    budget::check()?;
    let rhs = faer::Mat::<f64>::from_fn(m, nj, |a, j| {
        if budget::check().is_err() {
            return 0.0;
        }
        (0..n).map(|r| z0(r, a) * q[r * nj + j]).sum()
    });
    budget::check()?;
    let coef = solve_lu(&gram, &rhs);
    budget::check()?;
    let fitted = Array2::from_shape_fn((n, nj), |(r, j)| {
        if budget::check().is_err() {
            return 0.0;
        }
        (0..m).map(|a| z0(r, a) * coef[(a, j)]).sum::<f64>()
    });
    budget::check()?;
    let svd = right_svd(ArrayView2::from(&fitted))?;
    let mut theta = vec![0.0; lay.len()];
    for k in 0..d {
        let s = svd.singular_values.get(k).copied().unwrap_or(0.0);
        let mut v: Vec<f64> = (0..nj).map(|j| svd.vt[(k, j)]).collect();
        // np.argmax: the first entry of largest magnitude.
        let mut top = 0;
        for j in 1..nj {
            if v[j].abs() > v[top].abs() {
                top = j;
            }
        }
        if v[top] < 0.0 {
            v.iter_mut().for_each(|x| *x = -*x);
        }
        let sc = (s / (n as f64).sqrt()).sqrt() + 1e-12;
        for j in 0..nj {
            theta[lay.w(j, k)] = v[j] * sc;
        }
        for a in 0..m {
            let bd: f64 = (0..nj).map(|j| coef[(a, j)] * v[j] / sc).sum();
            if a < P {
                theta[lay.a(k, a)] = bd;
            } else {
                theta[lay.e(a - P, k)] = bd;
            }
        }
    }
    for j in 0..nj {
        theta[lay.b(j)] = qm[j];
        for (l, &v) in kind.phi0().iter().enumerate() {
            theta[lay.phi(j, l)] = v;
        }
    }
    Ok(theta)
}
