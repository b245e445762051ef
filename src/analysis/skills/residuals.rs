//! The skills law's least squares as problems of the core's one
//! Levenberg-Marquardt iteration ([`crate::analysis::numerics::lm`]): the
//! research code's `lm_solve` (the skills fit: squares plus a ridge towards
//! a prior) and `lm` (the FLOPs-sigmoid baseline: squares or Huber's loss
//! plus a ridge), each with that code's damping schedule.
//!
//! The residuals' Jacobian rows are sparse: the normal equations J^T J are
//! accumulated row by row from each residual's few non-zero derivatives (a
//! skills residual touches about 25 of the ~200 parameters), never from a
//! dense J; the damped system is solved densely with faer's
//! partial-pivoting LU (numpy's `np.linalg.solve`), or with the family
//! blocks eliminated by a Schur complement. Everything runs sequentially in
//! a fixed order, so a fit is bit-for-bit reproducible.

use faer::Mat;

use crate::analysis::numerics::linalg::solve_lu;
use crate::analysis::numerics::lm::{
    self, Ceiling, DampedProblem, Linearised, Outcome, Schedule, Singular, Stop,
};
use crate::analysis::{AnalysisError, budget};

/// Receives one residual row: (index, r_i, (parameter, d r_i / d theta) pairs).
pub type RowSink<'a> = dyn FnMut(usize, f64, &[(usize, f64)]) + 'a;

/// A residual vector whose Jacobian rows are sparse.
pub trait SparseResiduals {
    fn n_params(&self) -> usize;
    fn n_residuals(&self) -> usize;
    /// The residuals at `theta`, written into `r` (length `n_residuals()`).
    fn residuals(&self, theta: &[f64], r: &mut [f64]);
    /// Calls `row(i, r_i, entries)` for every residual with a non-zero
    /// derivative, `entries` = (parameter index, d r_i / d theta) pairs.
    fn jacobian_rows(&self, theta: &[f64], row: &mut RowSink<'_>);
    /// A run of parameters whose block of J^T J is block diagonal (no
    /// residual touches two of its blocks): the damped step then eliminates
    /// it by a Schur complement instead of one dense solve.
    fn diagonal_blocks(&self) -> Option<Blocks> {
        None
    }
}

/// Parameters `start .. start + count * size`, in `count` blocks of `size`
/// with no cross terms in J^T J between blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocks {
    pub start: usize,
    pub count: usize,
    pub size: usize,
}

/// Stopping of [`lm_solve`], the research code's defaults.
pub const LM_MAX_ITER: usize = 300;
pub const LM_REL_TOL: f64 = 1e-10;

/// H = sum_i w_i J_i^T J_i (+ diag(pen)) and g = sum_i w_i J_i r_i, from
/// the sparse rows, into `h` (p x p) and `g` (p); `weight` maps a residual
/// to its weight. The solvers keep `h` from one iteration to the next: a
/// fresh zeroed buffer of this size comes from the allocator as untouched
/// pages, and in the server (many threads) each first write to one is a
/// page fault that flushes every core's TLB, which took a third of an
/// evaluation's time.
fn normal_equations<P: SparseResiduals + ?Sized>(
    problem: &P,
    theta: &[f64],
    weight: &dyn Fn(f64) -> f64,
    h: &mut [f64],
    g: &mut [f64],
) {
    let p = problem.n_params();
    // H is p x p: with thousands of families, hundreds of megabytes to clear
    // and fold. Past the deadline both stop (the caller's check answers).
    for rows in h.chunks_mut(p.max(1) << 6) {
        if budget::check().is_err() {
            return;
        }
        rows.fill(0.0);
    }
    g.fill(0.0);
    problem.jacobian_rows(theta, &mut |_, r, entries| {
        let w = weight(r);
        for (a, &(ia, va)) in entries.iter().enumerate() {
            let wa = w * va;
            g[ia] += wa * r;
            let row = &mut h[ia * p..(ia + 1) * p];
            for &(ib, vb) in &entries[a..] {
                row[ib] += wa * vb;
            }
        }
    });
    // Only the upper triangle (in entry order) was accumulated: a pair
    // (a, b) with a <= b in a row's entry order may land below the diagonal
    // when the entries are not sorted, so fold both triangles together.
    for i in 0..p {
        if budget::check().is_err() {
            return;
        }
        for j in (i + 1)..p {
            let s = h[i * p + j] + h[j * p + i];
            h[i * p + j] = s;
            h[j * p + i] = s;
        }
    }
}

/// Solves (H + diag(damping)) x = -g; `None` when the solution is not
/// finite (a singular system), which the caller treats as a rejected step.
fn damped_step(h: &[f64], g: &[f64], damping: &[f64], blocks: Option<Blocks>) -> Option<Vec<f64>> {
    match blocks {
        Some(b) if b.count > 0 && b.size > 0 => schur_step(h, g, damping, b),
        _ => dense_step(h, g, damping),
    }
}

fn dense_step(h: &[f64], g: &[f64], damping: &[f64]) -> Option<Vec<f64>> {
    let p = g.len();
    let a = Mat::<f64>::from_fn(p, p, |i, j| {
        h[i * p + j] + if i == j { damping[i] } else { 0.0 }
    });
    let rhs = Mat::<f64>::from_fn(p, 1, |i, _| -g[i]);
    let x = solve_lu(&a, &rhs);
    let step: Vec<f64> = (0..p).map(|i| x[(i, 0)]).collect();
    step.iter().all(|v| v.is_finite()).then_some(step)
}

/// Inverse of a small dense matrix (row-major, n x n) by Gauss-Jordan
/// elimination with partial pivoting; `None` when singular.
fn small_inverse(a: &mut [f64], n: usize) -> Option<Vec<f64>> {
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&x, &y| a[x * n + col].abs().total_cmp(&a[y * n + col].abs()))?;
        if a[pivot * n + col] == 0.0 {
            return None;
        }
        for k in 0..n {
            a.swap(col * n + k, pivot * n + k);
            inv.swap(col * n + k, pivot * n + k);
        }
        let d = a[col * n + col];
        for k in 0..n {
            a[col * n + k] /= d;
            inv[col * n + k] /= d;
        }
        for row in 0..n {
            if row != col {
                let f = a[row * n + col];
                if f != 0.0 {
                    for k in 0..n {
                        a[row * n + k] -= f * a[col * n + k];
                        inv[row * n + k] -= f * inv[col * n + k];
                    }
                }
            }
        }
    }
    Some(inv)
}

/// The damped step with the block-diagonal run E eliminated: with R the
/// other parameters, (H_RR - H_RE H_EE^-1 H_ER) x_R = -g_R + H_RE H_EE^-1 g_E
/// (a small dense solve), then x_E = H_EE^-1 (-g_E - H_ER x_R) block by
/// block. Same solution as the dense solve up to rounding, at a fraction of
/// its cost when E holds most parameters (the skills fit's family
/// efficiencies: 148 of 202 parameters on the v2 leaderboard).
fn schur_step(h: &[f64], g: &[f64], damping: &[f64], b: Blocks) -> Option<Vec<f64>> {
    let p = g.len();
    let e_end = b.start + b.count * b.size;
    let rest: Vec<usize> = (0..b.start).chain(e_end..p).collect();
    let nr = rest.len();
    // S row by row (the updates below run along its rows), and H_Ek,R
    // gathered into contiguous rows per block: the same sums in the same
    // order as on H itself, without its strided, indirect reads.
    let mut s = vec![0.0; nr * nr];
    for (x, &i) in rest.iter().enumerate() {
        for (y, &j) in rest.iter().enumerate() {
            s[x * nr + y] = h[i * p + j] + if i == j { damping[i] } else { 0.0 };
        }
    }
    let mut rhs: Vec<f64> = rest.iter().map(|&i| -g[i]).collect();
    let bs = b.size;
    let mut inverses = Vec::with_capacity(b.count);
    let mut t = vec![0.0; nr * bs];
    let mut h_er = vec![0.0; bs * nr];
    let mut acc = vec![0.0; nr];
    for k in 0..b.count {
        // A step cut short by the deadline is no step; the solver's check
        // after the search answers.
        if budget::check().is_err() {
            return None;
        }
        let e0 = b.start + k * bs;
        let mut block: Vec<f64> = (0..bs * bs)
            .map(|ab| {
                let (a, c) = (ab / bs, ab % bs);
                h[(e0 + a) * p + e0 + c] + if a == c { damping[e0 + a] } else { 0.0 }
            })
            .collect();
        let inv = small_inverse(&mut block, bs)?;
        // T = H_R,Ek inv (nr x bs).
        for (x, &i) in rest.iter().enumerate() {
            let h_re = &h[i * p + e0..i * p + e0 + bs];
            for c in 0..bs {
                t[x * bs + c] = (0..bs).map(|a| h_re[a] * inv[a * bs + c]).sum();
            }
        }
        for c in 0..bs {
            let row = &h[(e0 + c) * p..(e0 + c + 1) * p];
            for (y, &j) in rest.iter().enumerate() {
                h_er[c * nr + y] = row[j];
            }
        }
        for x in 0..nr {
            let tx = &t[x * bs..(x + 1) * bs];
            rhs[x] += (0..bs).map(|c| tx[c] * g[e0 + c]).sum::<f64>();
            // S_x,y -= sum_c T_x,c H_c,y for all y at once: each sum is
            // taken as `Iterator::sum` takes it (from -0.0, in c order),
            // so the bits are those of the sum, and the y lanes vectorise.
            acc.fill(-0.0);
            for (c, &tc) in tx.iter().enumerate() {
                for (a, &hv) in acc.iter_mut().zip(&h_er[c * nr..(c + 1) * nr]) {
                    *a += tc * hv;
                }
            }
            for (s_xy, a) in s[x * nr..(x + 1) * nr].iter_mut().zip(&acc) {
                *s_xy -= a;
            }
        }
        inverses.push(inv);
    }
    let xr: Vec<f64> = if nr > 0 {
        let s = Mat::<f64>::from_fn(nr, nr, |x, y| s[x * nr + y]);
        let rhs = Mat::<f64>::from_fn(nr, 1, |x, _| rhs[x]);
        let xr = solve_lu(&s, &rhs);
        (0..nr).map(|x| xr[(x, 0)]).collect()
    } else {
        rhs
    };
    let mut step = vec![0.0; p];
    for (x, &i) in rest.iter().enumerate() {
        step[i] = xr[x];
    }
    for (k, inv) in inverses.iter().enumerate() {
        let e0 = b.start + k * bs;
        let u: Vec<f64> = (0..bs)
            .map(|a| {
                -g[e0 + a]
                    - rest
                        .iter()
                        .enumerate()
                        .map(|(x, &j)| h[(e0 + a) * p + j] * xr[x])
                        .sum::<f64>()
            })
            .collect();
        for a in 0..bs {
            step[e0 + a] = (0..bs).map(|c| inv[a * bs + c] * u[c]).sum();
        }
    }
    step.iter().all(|v| v.is_finite()).then_some(step)
}

fn sum_sq(r: &[f64]) -> f64 {
    r.iter().map(|v| v * v).sum()
}

/// The two objectives, as the research code writes them.
enum Objective<'a> {
    /// 0.5 |r|^2 + 0.5 sum pen (theta - prior)^2 (`lm_solve`).
    Prior { prior: &'a [f64] },
    /// sum rho(r_i) + 0.5 sum pen theta^2 (`lm`), rho = r^2 / 2 or Huber's
    /// loss with threshold beta.
    Huber { beta: Option<f64> },
}

/// A [`SparseResiduals`] with its ridge and objective, linearised into the
/// normal equations (H, g) and the damping's diagonal.
struct Sparse<'a, P: SparseResiduals + ?Sized> {
    residuals: &'a P,
    pen: &'a [f64],
    objective: Objective<'a>,
    blocks: Option<Blocks>,
    r: Vec<f64>,
    h: Vec<f64>,
    g: Vec<f64>,
    dg: Vec<f64>,
}

impl<'a, P: SparseResiduals + ?Sized> Sparse<'a, P> {
    fn new(residuals: &'a P, pen: &'a [f64], objective: Objective<'a>) -> Self {
        let p = residuals.n_params();
        Sparse {
            residuals,
            pen,
            objective,
            blocks: residuals.diagonal_blocks(),
            r: vec![0.0; residuals.n_residuals()],
            // Kept from one iteration to the next (see `normal_equations`).
            h: vec![0.0; p * p],
            g: vec![0.0; p],
            dg: vec![0.0; p],
        }
    }
}

fn huber_rho(beta: Option<f64>, v: f64) -> f64 {
    match beta {
        None => 0.5 * v * v,
        Some(beta) => {
            let a = v.abs();
            if a < beta {
                0.5 * v * v
            } else {
                beta * a - 0.5 * beta * beta
            }
        }
    }
}

/// The re-weighted least squares of Huber's loss: weight 1 inside beta,
/// beta/|r| outside.
fn huber_weight(beta: Option<f64>, v: f64) -> f64 {
    match beta {
        None => 1.0,
        Some(beta) => {
            if v.abs() < beta {
                1.0
            } else {
                beta / v.abs().max(1e-300)
            }
        }
    }
}

impl<P: SparseResiduals + ?Sized> DampedProblem for Sparse<'_, P> {
    fn linearise(&mut self, theta: &[f64]) -> Linearised {
        let p = theta.len();
        let (h, g, pen) = (&mut self.h, &mut self.g, self.pen);
        match self.objective {
            Objective::Prior { prior } => {
                normal_equations(self.residuals, theta, &|_| 1.0, h, g);
                for k in 0..p {
                    h[k * p + k] += pen[k];
                    g[k] += pen[k] * (theta[k] - prior[k]);
                }
                for (k, d) in self.dg.iter_mut().enumerate() {
                    *d = h[k * p + k] + 1e-9;
                }
            }
            Objective::Huber { beta } => {
                normal_equations(self.residuals, theta, &|v| huber_weight(beta, v), h, g);
                for k in 0..p {
                    h[k * p + k] += pen[k];
                    g[k] += pen[k] * theta[k];
                }
                let max_dg = (0..p)
                    .map(|k| h[k * p + k])
                    .fold(f64::NEG_INFINITY, f64::max);
                for (k, d) in self.dg.iter_mut().enumerate() {
                    *d = h[k * p + k] + 1e-12 * max_dg + 1e-15;
                }
            }
        }
        Linearised::Step
    }

    fn step(&mut self, mu: f64) -> Option<Vec<f64>> {
        let damping: Vec<f64> = self.dg.iter().map(|v| mu * v).collect();
        damped_step(&self.h, &self.g, &damping, self.blocks)
    }

    fn cost(&mut self, theta: &[f64]) -> f64 {
        let (r, pen) = (&mut self.r, self.pen);
        self.residuals.residuals(theta, r);
        match self.objective {
            Objective::Prior { prior } => {
                let penalty: f64 = (0..theta.len())
                    .map(|k| pen[k] * (theta[k] - prior[k]).powi(2))
                    .sum();
                0.5 * sum_sq(r) + 0.5 * penalty
            }
            Objective::Huber { beta } => {
                let loss: f64 = r.iter().map(|&v| huber_rho(beta, v)).sum();
                let penalty: f64 = (0..theta.len()).map(|k| pen[k] * theta[k] * theta[k]).sum();
                loss + 0.5 * penalty
            }
        }
    }
}

/// Minimises 0.5|r(theta)|^2 + 0.5 sum pen (theta - prior)^2 as `lm_solve`:
/// damping mu diag(diag(H) + 1e-9), mu x4 on a rejected step (giving up at
/// mu >= 1e10), mu / 3 (at least 1e-9) on an accepted one, stopping when the
/// relative decrease falls below `tol` or after `maxit` iterations.
pub fn lm_solve<P: SparseResiduals + ?Sized>(
    problem: &P,
    theta0: &[f64],
    pen: &[f64],
    prior: &[f64],
    maxit: usize,
    tol: f64,
) -> Result<Outcome, AnalysisError> {
    let schedule = Schedule {
        mu_min: 1e-9,
        ceiling: Ceiling::AtLeast(1e10),
        ..research_schedule(maxit, tol)
    };
    let mut sparse = Sparse::new(problem, pen, Objective::Prior { prior });
    lm::minimise(&mut sparse, theta0, &schedule)
}

/// Minimises sum rho(r_i) + 0.5 sum pen theta^2 as the research code's `lm`
/// (used by the FLOPs-sigmoid baseline): rho = r^2 / 2 (`huber = None`) or
/// Huber's loss with threshold beta, by re-weighted steps (weight 1 inside
/// beta, beta/|r| outside); damping mu diag(diag(H) + 1e-12 max diag(H) +
/// 1e-15), mu x4 on rejection (giving up past 1e12), mu / 3 (at least
/// 1e-12) on acceptance.
pub fn lm_huber<P: SparseResiduals + ?Sized>(
    problem: &P,
    theta0: &[f64],
    pen: &[f64],
    huber: Option<f64>,
    maxit: usize,
    tol: f64,
) -> Result<Outcome, AnalysisError> {
    let schedule = Schedule {
        mu_min: 1e-12,
        ceiling: Ceiling::Above(1e12),
        ..research_schedule(maxit, tol)
    };
    let mut sparse = Sparse::new(problem, pen, Objective::Huber { beta: huber });
    lm::minimise(&mut sparse, theta0, &schedule)
}

/// What the research code's two minimisers share: mu from 1e-3, x4 on a
/// rejected trial and / 3 on an accepted one, a singular system rejected,
/// no trial limit but the ceiling, stopping on a relative decrease below
/// `tol`. They differ in the damping's floor and ceiling.
fn research_schedule(maxit: usize, tol: f64) -> Schedule {
    Schedule {
        max_iterations: maxit,
        mu0: 1e-3,
        grow: 4.0,
        shrink: 3.0,
        mu_min: 1e-9,
        ceiling: Ceiling::AtLeast(1e10),
        singular: Singular::Reject,
        max_trials: usize::MAX,
        stop: Stop::RelativeDecrease(tol),
        finite_cost_only: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock as residuals r = (10 (x1 - x0^2), 1 - x0): minimum 0 at (1, 1).
    struct Rosenbrock;
    impl SparseResiduals for Rosenbrock {
        fn n_params(&self) -> usize {
            2
        }
        fn n_residuals(&self) -> usize {
            2
        }
        fn residuals(&self, t: &[f64], r: &mut [f64]) {
            r[0] = 10.0 * (t[1] - t[0] * t[0]);
            r[1] = 1.0 - t[0];
        }
        fn jacobian_rows(&self, t: &[f64], row: &mut RowSink<'_>) {
            row(
                0,
                10.0 * (t[1] - t[0] * t[0]),
                &[(0, -20.0 * t[0]), (1, 10.0)],
            );
            row(1, 1.0 - t[0], &[(0, -1.0)]);
        }
    }

    #[test]
    fn skills_lm_solves_rosenbrock() {
        let out = lm_solve(&Rosenbrock, &[-1.2, 1.0], &[0.0; 2], &[0.0; 2], 300, 1e-16).unwrap();
        assert!(
            (out.theta[0] - 1.0).abs() < 1e-6 && (out.theta[1] - 1.0).abs() < 1e-6,
            "{out:?}"
        );
        let out = lm_huber(
            &Rosenbrock,
            &[-1.2, 1.0],
            &[0.0; 2],
            Some(0.01),
            2000,
            1e-16,
        )
        .unwrap();
        assert!(
            (out.theta[0] - 1.0).abs() < 1e-4 && (out.theta[1] - 1.0).abs() < 1e-4,
            "{out:?}"
        );
    }

    #[test]
    fn skills_lm_ridge_pulls_towards_the_prior() {
        // One residual r = t0 - 1 and a ridge 3 (t0 - 2)^2 / 2: the minimum
        // of (t - 1)^2 + 3 (t - 2)^2 is t = 7/4.
        struct Line;
        impl SparseResiduals for Line {
            fn n_params(&self) -> usize {
                1
            }
            fn n_residuals(&self) -> usize {
                1
            }
            fn residuals(&self, t: &[f64], r: &mut [f64]) {
                r[0] = t[0] - 1.0;
            }
            fn jacobian_rows(&self, t: &[f64], row: &mut RowSink<'_>) {
                row(0, t[0] - 1.0, &[(0, 1.0)]);
            }
        }
        let out = lm_solve(&Line, &[0.0], &[3.0], &[2.0], 300, 1e-16).unwrap();
        assert!((out.theta[0] - 1.75).abs() < 1e-9, "{out:?}");
    }
}
