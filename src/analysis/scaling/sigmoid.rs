//! The paper's sigmoid scaling law, y = (1 - b) * sigmoid(w . s + c) + b,
//! with ceiling 1 and floor b in [0, floor_max], fitted to capability scores
//! s by bounded nonlinear least squares (or Huber loss), as the paper does
//! with `scipy.optimize.curve_fit(method="trf", bounds=...)` from
//! w = 0.03, c = 0, b = 0 (w per power-of-two unit of each column of s;
//! see [`fit`]).
//!
//! The fit is the core's Levenberg-Marquardt iteration
//! ([`crate::analysis::numerics::lm`]) with the floor projected onto its
//! bounds; Huber loss enters as iteratively re-weighted least squares with
//! scipy's weights (rho'(z) = 1 inside f_scale, 1/sqrt(z) outside).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::analysis::AnalysisError;
use crate::analysis::numerics::lm::{
    self, Ceiling, DampedProblem, End, Linearised, Schedule, Singular, Stop,
};
use crate::analysis::numerics::{linalg, moments};

/// The loss the law is fitted with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    LeastSquares,
    /// scipy's `loss="huber"` with `f_scale = delta`.
    Huber {
        delta: f64,
    },
}

/// A fitted law.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmoidLaw {
    pub weights: Array1<f64>,
    pub intercept: f64,
    pub floor: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// Numerically stable logistic function.
pub fn sigmoid(u: f64) -> f64 {
    if u >= 0.0 {
        1.0 / (1.0 + (-u).exp())
    } else {
        let e = u.exp();
        e / (1.0 + e)
    }
}

impl SigmoidLaw {
    /// w . s + c: the model's capability on the law's axis.
    pub fn capability(&self, s: ArrayView1<'_, f64>) -> f64 {
        self.weights.dot(&s) + self.intercept
    }

    pub fn predict(&self, s: ArrayView1<'_, f64>) -> f64 {
        self.at_capability(self.capability(s))
    }

    /// The (normalised) target the law gives at a capability: the whole
    /// curve, also where no model lies (charts draw it over their range).
    pub fn at_capability(&self, capability: f64) -> f64 {
        (1.0 - self.floor) * sigmoid(capability) + self.floor
    }
}

/// The damping schedule of the law's fit (see [`fit`]): at most 2000
/// iterations and 60 trial steps each, a singular system retried with ten
/// times the damping, and a fit that stops when the cost falls by less than
/// 1e-15 of itself or the step is below 1e-12 of the point.
const SCHEDULE: Schedule = Schedule {
    max_iterations: 2000,
    mu0: 1e-3,
    grow: 4.0,
    shrink: 3.0,
    mu_min: 1e-12,
    ceiling: Ceiling::Above(1e16),
    singular: Singular::Grow(10.0),
    max_trials: 60,
    stop: Stop::DecreaseOrStep {
        decrease: 1e-15,
        step: 1e-12,
    },
    finite_cost_only: true,
};

/// The fit has converged when the residuals are this close to orthogonal
/// to every column of the Jacobian (MINPACK's `gtol`: the cosine of the
/// angle between them, in the loss's weights). A cosine is free of the
/// units of the scores, the targets and the loss, where an absolute bound
/// on the gradient is not: Huber's loss with delta 1e-300 has a gradient
/// of about 1e-300 at every point, and such a bound would call the
/// starting point a minimum.
const GRADIENT_COSINE: f64 = 1e-12;

/// Where no step lowers the cost, the point is a (bounded) minimum only if
/// the gradient is nearly orthogonal to the residuals at this looser
/// bound; otherwise the method stalled (the cost cannot tell better points
/// apart in f64), which is no convergence.
const STALLED_COSINE: f64 = 1e-6;

/// Fits the law to rows of scores `s` (n x k) and targets `y` (n).
///
/// Every criterion is relative, so that the fit is the same whatever the
/// units: each column of `s` is fitted divided by a power of two near its
/// largest magnitude (which changes no digit; the weights are divided back),
/// Huber's weights are scaled so that the largest is 1 and its cost is
/// summed in units of min(delta, 1) (neither moves the minimum), the
/// damping's floor is relative to the largest curvature, and convergence is
/// judged by the cosine above, the relative decrease of the cost or the
/// relative size of the step.
pub fn fit(
    s: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    floor_max: f64,
    loss: Loss,
) -> Result<SigmoidLaw, AnalysisError> {
    let (n, k) = s.dim();
    let units: Vec<f64> = (0..k)
        .map(|j| moments::unit(s.column(j).iter().fold(0.0, |a: f64, v| a.max(v.abs()))))
        .collect();
    let s = Array2::from_shape_fn((n, k), |(i, j)| s[[i, j]] / units[j]);
    // theta = (w_1..w_k, c, b), the weights in the columns' units, from
    // the paper's start w = 0.03 there: for scores of a few tenths to a few
    // units (PCs of accuracies) about the paper's own, and for scores of
    // any other magnitude a start where the sigmoid is not flat.
    let mut theta0 = vec![0.03; k];
    theta0.extend([0.0, 0.0]);
    let mut problem = LawProblem::new(s, y, floor_max, loss);
    let out = lm::minimise(&mut problem, &theta0, &SCHEDULE)?;
    let converged = match out.end {
        End::Minimum | End::Stopped => true,
        // No step lowers the cost: a (bounded) minimum if the residuals
        // are nearly orthogonal to the Jacobian, else a stall.
        End::NoDecrease => problem.cosine <= STALLED_COSINE && !problem.flat,
        End::NotFinite | End::MaxIterations => false,
    };
    let theta = out.theta;
    Ok(SigmoidLaw {
        weights: Array1::from_iter((0..k).map(|j| theta[j] / units[j])),
        intercept: theta[k],
        floor: theta[k + 1],
        iterations: out.iterations,
        converged,
    })
}

/// The law's least squares for [`lm::minimise`]: weighted normal equations
/// of the m = k + 2 parameters, built densely (n is a leaderboard's models).
struct LawProblem<'a> {
    /// Scores in their columns' units (n x k), and targets.
    s: Array2<f64>,
    y: ArrayView1<'a, f64>,
    floor_max: f64,
    loss: Loss,
    /// The residuals at the current point, and at the last trial.
    r: Vec<f64>,
    trial_r: Vec<f64>,
    /// The linearisation at the current point: J^T W J, J^T W r, whether the
    /// floor is held at its bound, the gradient's cosine and whether the
    /// sigmoid is flat at every model.
    jtj: Vec<Vec<f64>>,
    jtr: Vec<f64>,
    floor_held: bool,
    cosine: f64,
    flat: bool,
    largest_curvature: f64,
}

impl<'a> LawProblem<'a> {
    fn new(s: Array2<f64>, y: ArrayView1<'a, f64>, floor_max: f64, loss: Loss) -> Self {
        let (n, k) = s.dim();
        let m = k + 2;
        LawProblem {
            s,
            y,
            floor_max,
            loss,
            r: vec![0.0; n],
            trial_r: vec![0.0; n],
            jtj: vec![vec![0.0; m]; m],
            jtr: vec![0.0; m],
            floor_held: false,
            cosine: f64::INFINITY,
            flat: false,
            largest_curvature: 0.0,
        }
    }

    fn residuals(&self, theta: &[f64], r: &mut [f64]) {
        let (n, k) = self.s.dim();
        for (i, ri) in r.iter_mut().enumerate().take(n) {
            let u: f64 = (0..k).map(|j| theta[j] * self.s[[i, j]]).sum::<f64>() + theta[k];
            *ri = (1.0 - theta[k + 1]) * sigmoid(u) + theta[k + 1] - self.y[i];
        }
    }

    fn weights(&self, r: &[f64]) -> Vec<f64> {
        match self.loss {
            Loss::LeastSquares => vec![1.0; r.len()],
            // scipy's min(1, delta / |r|), divided by the largest: a step
            // does not depend on the weights' common factor, and delta
            // 1e-300 would make every weight of order 1e-300.
            Loss::Huber { delta } => {
                let clipped: Vec<f64> = r.iter().map(|ri| ri.abs().max(delta)).collect();
                let smallest = clipped.iter().fold(f64::INFINITY, |a, &c| a.min(c));
                clipped.iter().map(|c| smallest / c).collect()
            }
        }
    }
}

impl DampedProblem for LawProblem<'_> {
    fn linearise(&mut self, theta: &[f64]) -> Linearised {
        let (n, k) = self.s.dim();
        let m = k + 2;
        // Jacobian of the model, weighted normal equations.
        let wts = self.weights(&self.r);
        let (jtj, jtr, r) = (&mut self.jtj, &mut self.jtr, &self.r);
        jtj.iter_mut().for_each(|row| row.fill(0.0));
        jtr.fill(0.0);
        for i in 0..n {
            let u: f64 = (0..k).map(|j| theta[j] * self.s[[i, j]]).sum::<f64>() + theta[k];
            let sg = sigmoid(u);
            let ds = (1.0 - theta[k + 1]) * sg * (1.0 - sg);
            let mut row = Vec::with_capacity(m);
            row.extend((0..k).map(|j| ds * self.s[[i, j]]));
            row.push(ds);
            row.push(1.0 - sg);
            for a in 0..m {
                jtr[a] += wts[i] * row[a] * r[i];
                for b in 0..m {
                    jtj[a][b] += wts[i] * row[a] * row[b];
                }
            }
        }
        // The floor held at a bound by a gradient that pushes past it is
        // where the bounded minimum is: its column takes no part.
        let floor = theta[k + 1];
        self.floor_held =
            (floor <= 0.0 && jtr[k + 1] > 0.0) || (floor >= self.floor_max && jtr[k + 1] < 0.0);
        self.cosine = gradient_cosine(jtj, jtr, &wts, r, self.floor_held.then_some(k + 1));
        // Where the sigmoid is flat at every model (the intercept moves
        // nothing), every gradient vanishes without a minimum.
        self.flat = jtj[k][k] == 0.0;
        if self.cosine <= GRADIENT_COSINE && !self.flat {
            return Linearised::Converged;
        }
        self.largest_curvature = (0..m).map(|d| jtj[d][d]).fold(0.0, f64::max);
        Linearised::Step
    }

    fn step(&mut self, lambda: f64) -> Option<Vec<f64>> {
        let k = self.s.ncols();
        let jtj = &self.jtj;
        let mut a = jtj.clone();
        for (d, row) in a.iter_mut().enumerate() {
            row[d] += lambda * jtj[d][d].max(1e-12 * self.largest_curvature);
        }
        let mut rhs: Vec<f64> = self.jtr.iter().map(|g| -g).collect();
        if self.floor_held {
            // The step of the other parameters with the floor fixed at
            // its bound: a step that moved it would be cut back to the
            // bound, and the others would not take their own best step.
            for (d, row) in a.iter_mut().enumerate() {
                row[k + 1] = if d == k + 1 { 1.0 } else { 0.0 };
            }
            a[k + 1].iter_mut().for_each(|v| *v = 0.0);
            a[k + 1][k + 1] = 1.0;
            rhs[k + 1] = 0.0;
        }
        linalg::solve_small(a, rhs)
    }

    fn project(&self, trial: &mut [f64]) {
        let k = self.s.ncols();
        trial[k + 1] = trial[k + 1].clamp(0.0, self.floor_max);
    }

    fn cost(&mut self, theta: &[f64]) -> f64 {
        let mut r = std::mem::take(&mut self.trial_r);
        self.residuals(theta, &mut r);
        let cost = match self.loss {
            Loss::LeastSquares => 0.5 * r.iter().map(|v| v * v).sum::<f64>(),
            // scipy: 0.5 * f_scale^2 * sum(rho((r / f_scale)^2)), rho(z) = z or 2 sqrt(z) - 1,
            // here divided by min(delta, 1).
            Loss::Huber { delta } => {
                let unit = delta.min(1.0);
                0.5 * r
                    .iter()
                    .map(|ri| {
                        let a = ri.abs();
                        if a <= delta {
                            a * (a / unit)
                        } else {
                            (2.0 * a - delta) * (delta / unit)
                        }
                    })
                    .sum::<f64>()
            }
        };
        self.trial_r = r;
        cost
    }

    fn accept(&mut self) {
        std::mem::swap(&mut self.r, &mut self.trial_r);
    }
}

/// The largest cosine between the (weighted) residuals and a column of the
/// Jacobian, |J_a^T W r| / (|J_a|_W |r|_W), from the normal equations'
/// gradient `jtr` and diagonal: 0 at a stationary point, whatever the
/// units. A column that does not move the model (zero curvature) takes no
/// part, nor does `held`, a parameter held at its bound; residuals of zero
/// are a perfect fit.
fn gradient_cosine(
    jtj: &[Vec<f64>],
    jtr: &[f64],
    wts: &[f64],
    r: &[f64],
    held: Option<usize>,
) -> f64 {
    let residual_norm = wts
        .iter()
        .zip(r)
        .map(|(w, ri)| w * ri * ri)
        .sum::<f64>()
        .sqrt();
    if residual_norm == 0.0 {
        return 0.0;
    }
    jtr.iter()
        .enumerate()
        .filter(|&(a, _)| jtj[a][a] > 0.0 && Some(a) != held)
        .map(|(a, g)| g.abs() / (jtj[a][a].sqrt() * residual_norm))
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    fn synthetic(w: &[f64], c: f64, b: f64) -> (Array2<f64>, Array1<f64>) {
        let n = 40;
        let s = Array2::from_shape_fn((n, w.len()), |(i, j)| {
            ((i * 7 + j * 3) % 17) as f64 / 4.0 - 2.0 + 0.1 * j as f64
        });
        let y = Array1::from_shape_fn(n, |i| {
            let u: f64 = (0..w.len()).map(|j| w[j] * s[[i, j]]).sum::<f64>() + c;
            (1.0 - b) * sigmoid(u) + b
        });
        (s, y)
    }

    #[test]
    fn recovers_an_exact_law() {
        let (s, y) = synthetic(&[1.5, -0.5], 0.3, 0.1);
        let law = fit(s.view(), y.view(), 0.2, Loss::LeastSquares).unwrap();
        assert!(law.converged);
        assert!((law.weights[0] - 1.5).abs() < 1e-6, "{law:?}");
        assert!((law.weights[1] + 0.5).abs() < 1e-6, "{law:?}");
        assert!((law.intercept - 0.3).abs() < 1e-6 && (law.floor - 0.1).abs() < 1e-6);
    }

    #[test]
    fn the_floor_stays_within_its_bounds() {
        // Data whose best floor would be 0.5, above floor_max.
        let (s, y) = synthetic(&[2.0], 0.0, 0.5);
        let law = fit(s.view(), y.view(), 0.2, Loss::LeastSquares).unwrap();
        assert!((0.0..=0.2).contains(&law.floor), "{}", law.floor);
        assert!(
            (law.floor - 0.2).abs() < 1e-9,
            "the bound is active: {}",
            law.floor
        );
    }

    #[test]
    fn huber_resists_an_outlier_better_than_least_squares() {
        let (s, mut y) = synthetic(&[1.0], 0.0, 0.0);
        y[5] = 1.0; // a wild point
        let ls = fit(s.view(), y.view(), 0.2, Loss::LeastSquares).unwrap();
        let hu = fit(s.view(), y.view(), 0.2, Loss::Huber { delta: 0.1 }).unwrap();
        assert!((hu.weights[0] - 1.0).abs() < (ls.weights[0] - 1.0).abs());
    }

    #[test]
    fn the_fit_does_not_depend_on_units() {
        // Scores times a power of ten give weights divided by it; Huber's
        // delta of 1e-100 and 1e-300 give one law (its least-absolute-
        // deviations limit), which has moved from the start and converged.
        let (s, mut y) = synthetic(&[1.5, -0.5], 0.3, 0.1);
        y[3] = 0.95;
        let reference = fit(s.view(), y.view(), 0.2, Loss::LeastSquares).unwrap();
        for factor in [1e-300, 1e-150, 1e150] {
            let scaled = &s * factor;
            let law = fit(scaled.view(), y.view(), 0.2, Loss::LeastSquares).unwrap();
            assert!(law.converged, "x{factor:e}: {law:?} vs {reference:?}");
            for (w, w0) in law.weights.iter().zip(&reference.weights) {
                assert!(
                    (w * factor - w0).abs() < 1e-6 * w0.abs(),
                    "x{factor}: {w} vs {w0}"
                );
            }
            assert!((law.intercept - reference.intercept).abs() < 1e-6);
        }
        let l1 = |delta| fit(s.view(), y.view(), 0.2, Loss::Huber { delta }).unwrap();
        let (a, b) = (l1(1e-100), l1(1e-300));
        assert!(a.converged && b.converged && b.iterations > 1);
        assert!(b.weights.iter().all(|w| (w - 0.03).abs() > 1e-3), "{b:?}");
        for (x, y) in a.weights.iter().zip(&b.weights) {
            assert!((x - y).abs() < 1e-6, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn a_fit_that_cannot_lower_its_cost_is_not_converged() {
        // A cost that is not a number from the start (here a NaN score,
        // which no PCA gives) is no minimum: the fit reports it unconverged.
        let s = array![[f64::NAN], [1.0], [2.0]];
        let y = array![0.1, 0.5, 0.9];
        let law = fit(s.view(), y.view(), 0.2, Loss::LeastSquares).unwrap();
        assert!(!law.converged, "{law:?}");
    }
}
