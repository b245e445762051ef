//! The paper's two reference methods, fitted on the same scored models as
//! the skills law (models without scores are only predicted):
//!
//! - [`pca_flops`]: the first two principal components of the centred
//!   scores, each regressed by least squares on [ln FLOPs, family one-hot],
//!   mapped back to scores (the research code's `pca_ols`, dd=2);
//! - [`flops_sigmoid`]: per benchmark, y = c + (1 - c) sigmoid(a ln FLOPs +
//!   u_family) with the floor c fitted, by least squares and then Huber's
//!   loss (beta = 0.01) from there (the research code's `fit_sig`).
//!
//! FLOPs = 6 S T (S in billions, T in trillions: units of 1e21 FLOPs, the
//! leaderboard's `FLOPs (1E21)` column).

use faer::Mat;
use faer::linalg::solvers::SolveLstsq;
use ndarray::{Array2, ArrayView2};

use super::SkillsData;
use super::link::{expit, logit};
use super::residuals::{Blocks, RowSink, SparseResiduals, lm_huber};
use crate::analysis::AnalysisError;
use crate::analysis::numerics::linalg::right_svd;

/// Principal components kept by the PCA baseline (the paper's d = 2).
pub const PCA_COMPONENTS: usize = 2;
/// Huber threshold of the sigmoid baseline's second pass (the paper's
/// SmoothL1 beta).
pub const HUBER_BETA: f64 = 0.01;

/// ln(FLOPs / 1e21) = ln(6 S T).
pub fn ln_flops(params: f64, tokens: f64) -> f64 {
    (6.0 * params * tokens).ln()
}

/// Least squares solution of x b = y (x tall, full column rank) by QR.
fn lstsq(x: &Mat<f64>, y: &Mat<f64>) -> Mat<f64> {
    x.qr().solve_lstsq(y)
}

/// Family one-hot columns: each model's column among the families that
/// have a training row (`None` = no training row, effect 0).
fn family_columns(data: &SkillsData, train: &[usize]) -> (usize, Vec<Option<usize>>) {
    let (names, fam) = data.family_index();
    let mut col = vec![None; names.len()];
    let mut k = 0;
    for &i in train {
        if col[fam[i]].is_none() {
            col[fam[i]] = Some(k);
            k += 1;
        }
    }
    (k, fam.iter().map(|&f| col[f]).collect())
}

/// PCA (2 components) + OLS on [ln FLOPs, family one-hot], trained on the
/// models with every score observed; predictions (n x J) for every model.
pub fn pca_flops(data: &SkillsData) -> Result<Array2<f64>, AnalysisError> {
    let models = data.models();
    let nj = data.benchmarks().len();
    let train: Vec<usize> = (0..models.len())
        .filter(|&i| models[i].scores.iter().all(Option::is_some))
        .collect();
    let (nf, col) = family_columns(data, &train);
    let n = train.len();
    let q = PCA_COMPONENTS.min(nj);
    if n < 2 + nf {
        return Err(AnalysisError::InvalidSkills(format!(
            "the PCA baseline needs more fully scored models ({n}) than families plus one ({})",
            nf + 1
        )));
    }
    let y = Array2::from_shape_fn((n, nj), |(r, j)| {
        models[train[r]].scores[j].expect("complete")
    });
    let mu: Vec<f64> = (0..nj).map(|j| y.column(j).sum() / n as f64).collect();
    let centred = Array2::from_shape_fn((n, nj), |(r, j)| y[(r, j)] - mu[j]);
    let svd = right_svd(ArrayView2::from(&centred))?;
    let design = |i: usize, c: usize| -> f64 {
        if c == 0 {
            ln_flops(models[i].params, models[i].tokens)
        } else if col[i] == Some(c - 1) {
            1.0
        } else {
            0.0
        }
    };
    let x = Mat::<f64>::from_fn(n, 1 + nf, |r, c| design(train[r], c));
    let z = Mat::<f64>::from_fn(n, q, |r, k| {
        (0..nj).map(|j| centred[(r, j)] * svd.vt[(k, j)]).sum()
    });
    let b = lstsq(&x, &z);
    Ok(Array2::from_shape_fn((models.len(), nj), |(i, j)| {
        let proj = |k: usize| -> f64 { (0..=nf).map(|c| design(i, c) * b[(c, k)]).sum() };
        mu[j] + (0..q).map(|k| proj(k) * svd.vt[(k, j)]).sum::<f64>()
    }))
}

/// One benchmark's sigmoid in ln FLOPs with family intercepts and a fitted
/// floor: theta = [a, u_1..u_F, logit c].
struct SigmoidProblem<'a> {
    lnf: &'a [f64],
    fam: &'a [usize],
    y: &'a [f64],
    n_fam: usize,
}

impl SigmoidProblem<'_> {
    fn parts(&self, theta: &[f64], r: usize) -> (f64, f64) {
        let s = expit(self.lnf[r] * theta[0] + theta[1 + self.fam[r]]);
        (s, expit(theta[1 + self.n_fam]))
    }
}

impl SparseResiduals for SigmoidProblem<'_> {
    fn n_params(&self) -> usize {
        self.n_fam + 2
    }
    fn n_residuals(&self) -> usize {
        self.y.len()
    }
    /// Each model has one family intercept.
    fn diagonal_blocks(&self) -> Option<Blocks> {
        Some(Blocks {
            start: 1,
            count: self.n_fam,
            size: 1,
        })
    }
    fn residuals(&self, theta: &[f64], r: &mut [f64]) {
        for (k, rk) in r.iter_mut().enumerate() {
            let (s, c) = self.parts(theta, k);
            *rk = c + (1.0 - c) * s - self.y[k];
        }
    }
    fn jacobian_rows(&self, theta: &[f64], row: &mut RowSink<'_>) {
        for k in 0..self.y.len() {
            let (s, c) = self.parts(theta, k);
            let ds = (1.0 - c) * s * (1.0 - s);
            row(
                k,
                c + (1.0 - c) * s - self.y[k],
                &[
                    (0, self.lnf[k] * ds),
                    (1 + self.fam[k], ds),
                    (1 + self.n_fam, (1.0 - s) * c * (1.0 - c)),
                ],
            );
        }
    }
}

/// Per benchmark, the sigmoid in ln FLOPs with family intercepts and a
/// fitted floor (least squares, then Huber from there), trained on the
/// models observed on that benchmark; predictions (n x J) for every model.
pub fn flops_sigmoid(data: &SkillsData) -> Result<Array2<f64>, AnalysisError> {
    let models = data.models();
    let nj = data.benchmarks().len();
    let lnf_all: Vec<f64> = models
        .iter()
        .map(|m| ln_flops(m.params, m.tokens))
        .collect();
    let mut out = Array2::zeros((models.len(), nj));
    for j in 0..nj {
        let train: Vec<usize> = (0..models.len())
            .filter(|&i| models[i].scores[j].is_some())
            .collect();
        let (nf, col) = family_columns(data, &train);
        if train.len() < nf + 2 {
            return Err(AnalysisError::InvalidSkills(format!(
                "the FLOPs sigmoid baseline needs more models scored on '{}' ({}) than families plus one ({})",
                data.benchmarks()[j],
                train.len(),
                nf + 1
            )));
        }
        let lnf: Vec<f64> = train.iter().map(|&i| lnf_all[i]).collect();
        let fam: Vec<usize> = train
            .iter()
            .map(|&i| col[i].expect("a training family"))
            .collect();
        let y: Vec<f64> = train
            .iter()
            .map(|&i| models[i].scores[j].expect("observed"))
            .collect();
        let c0 = data.floors()[j];
        // Start: OLS of the logit of the normalised score (clipped to
        // [0.01, 0.99]) on [ln FLOPs, one-hot]; the floor at its fixed value.
        let x = Mat::<f64>::from_fn(train.len(), 1 + nf, |r, c| {
            if c == 0 {
                lnf[r]
            } else if fam[r] == c - 1 {
                1.0
            } else {
                0.0
            }
        });
        let q = Mat::<f64>::from_fn(train.len(), 1, |r, _| {
            logit(((y[r] - c0) / (1.0 - c0)).clamp(0.01, 0.99))
        });
        let b = lstsq(&x, &q);
        let mut theta0: Vec<f64> = (0..=nf).map(|c| b[(c, 0)]).collect();
        theta0.push(logit(c0.clamp(1e-5, 1.0 - 1e-5)));
        let problem = SigmoidProblem {
            lnf: &lnf,
            fam: &fam,
            y: &y,
            n_fam: nf,
        };
        let pen = vec![1e-8; theta0.len()];
        let ls = lm_huber(&problem, &theta0, &pen, None, 500, 1e-10)?;
        let th = lm_huber(&problem, &ls.theta, &pen, Some(HUBER_BETA), 2000, 1e-10)?.theta;
        let c = expit(th[1 + nf]);
        for i in 0..models.len() {
            let u = col[i].map_or(0.0, |k| th[1 + k]);
            out[(i, j)] = c + (1.0 - c) * expit(lnf_all[i] * th[0] + u);
        }
    }
    Ok(out)
}
