//! The paper's sigmoid scaling law, y = (1 - b) * sigmoid(w . s + c) + b,
//! with ceiling 1 and floor b in [0, floor_max], fitted to capability scores
//! s by bounded nonlinear least squares (or Huber loss), as the paper does
//! with `scipy.optimize.curve_fit(method="trf", bounds=...)` from
//! w = 0.03, c = 0, b = 0 (w per power-of-two unit of each column of s;
//! see [`fit`]).
//!
//! The fit is a Levenberg-Marquardt iteration with the floor projected onto
//! its bounds; Huber loss enters as iteratively re-weighted least squares with
//! scipy's weights (rho'(z) = 1 inside f_scale, 1/sqrt(z) outside).

use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::analysis::AnalysisError;

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

const MAX_ITERATIONS: usize = 2000;

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
    let m = k + 2;
    let units: Vec<f64> = (0..k)
        .map(|j| {
            crate::analysis::numerics::moments::unit(
                s.column(j).iter().fold(0.0, |a: f64, v| a.max(v.abs())),
            )
        })
        .collect();
    let s = ndarray::Array2::from_shape_fn((n, k), |(i, j)| s[[i, j]] / units[j]);
    // theta = (w_1..w_k, c, b), the weights in the columns' units, from
    // the paper's start w = 0.03 there: for scores of a few tenths to a few
    // units (PCs of accuracies) about the paper's own, and for scores of
    // any other magnitude a start where the sigmoid is not flat.
    let mut theta = vec![0.03; k];
    theta.extend([0.0, 0.0]);

    let residuals = |theta: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| {
                let u: f64 = (0..k).map(|j| theta[j] * s[[i, j]]).sum::<f64>() + theta[k];
                (1.0 - theta[k + 1]) * sigmoid(u) + theta[k + 1] - y[i]
            })
            .collect()
    };
    let weights = |r: &[f64]| -> Vec<f64> {
        match loss {
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
    };
    let cost = |r: &[f64]| -> f64 {
        match loss {
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
        }
    };

    let mut r = residuals(&theta);
    let mut current = cost(&r);
    let mut lambda = 1e-3;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS && current.is_finite() {
        crate::analysis::budget::check()?;
        iterations += 1;
        // Jacobian of the model, weighted normal equations.
        let wts = weights(&r);
        let mut jtj = vec![vec![0.0; m]; m];
        let mut jtr = vec![0.0; m];
        for i in 0..n {
            let u: f64 = (0..k).map(|j| theta[j] * s[[i, j]]).sum::<f64>() + theta[k];
            let sg = sigmoid(u);
            let ds = (1.0 - theta[k + 1]) * sg * (1.0 - sg);
            let mut row = Vec::with_capacity(m);
            row.extend((0..k).map(|j| ds * s[[i, j]]));
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
        let floor_held =
            (floor <= 0.0 && jtr[k + 1] > 0.0) || (floor >= floor_max && jtr[k + 1] < 0.0);
        let cosine = gradient_cosine(&jtj, &jtr, &wts, &r, floor_held.then_some(k + 1));
        // Where the sigmoid is flat at every model (the intercept moves
        // nothing), every gradient vanishes without a minimum.
        let flat = jtj[k][k] == 0.0;
        if cosine <= GRADIENT_COSINE && !flat {
            converged = true;
            break;
        }
        let largest_curvature = (0..m).map(|d| jtj[d][d]).fold(0.0, f64::max);
        // Try damped steps until the cost falls (or damping makes the step vanish).
        let mut improved = false;
        for _ in 0..60 {
            let mut a = jtj.clone();
            for (d, row) in a.iter_mut().enumerate() {
                row[d] += lambda * jtj[d][d].max(1e-12 * largest_curvature);
            }
            let mut rhs: Vec<f64> = jtr.iter().map(|g| -g).collect();
            if floor_held {
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
            let Some(step) = solve(a, rhs) else {
                lambda *= 10.0;
                continue;
            };
            let mut trial: Vec<f64> = theta.iter().zip(&step).map(|(t, d)| t + d).collect();
            trial[k + 1] = trial[k + 1].clamp(0.0, floor_max);
            let trial_r = residuals(&trial);
            let trial_cost = cost(&trial_r);
            if trial_cost.is_finite() && trial_cost <= current {
                let step_norm: f64 = theta
                    .iter()
                    .zip(&trial)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                let theta_norm: f64 = theta.iter().map(|v| v.abs()).fold(0.0, f64::max);
                let decrease = current - trial_cost;
                theta = trial;
                r = trial_r;
                let previous = current;
                current = trial_cost;
                lambda = (lambda / 3.0).max(1e-12);
                improved = true;
                if decrease <= 1e-15 * previous.max(f64::MIN_POSITIVE)
                    || step_norm <= 1e-12 * (theta_norm + 1e-12)
                {
                    converged = true;
                }
                break;
            }
            lambda *= 4.0;
            if lambda > 1e16 {
                break;
            }
        }
        if !improved {
            // No step lowers the cost: a (bounded) minimum if the residuals
            // are nearly orthogonal to the Jacobian, else a stall.
            converged = cosine <= STALLED_COSINE && !flat;
            break;
        }
        if converged {
            break;
        }
    }
    Ok(SigmoidLaw {
        weights: Array1::from_iter((0..k).map(|j| theta[j] / units[j])),
        intercept: theta[k],
        floor: theta[k + 1],
        iterations,
        converged,
    })
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

/// Gaussian elimination with partial pivoting on a small dense system.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let m = b.len();
    for col in 0..m {
        let pivot = (col..m).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (offset, row) in lower.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0.0; m];
    for row in (0..m).rev() {
        let tail: f64 = (row + 1..m).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
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

    #[test]
    fn solves_small_systems() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]).is_none());
        let _ = array![1.0];
    }
}
