//! Predictor 1: Bayesian bias + rank-r matrix factorisation by Gibbs sampling.
//!
//! z_ij = a_i + b_j + u_i . v_j + e_ij, e_ij ~ N(0, 1/tau_j);
//! [a_i, u_i] ~ N(0, diag(alpha)^-1), [b_j, v_j] ~ N(0, diag(beta)^-1);
//! alpha_k, beta_k ~ Gamma(shape, rate); tau_j ~ Gamma(k0/2 + n_j/2,
//! k0 s2/2 + SSE_j/2) with s2 the pooled residual variance of the sweep.
//! Every draw comes from its entity's own stream (the row's, the column's,
//! or the fit's for alpha and beta), so the rows of a half-sweep are
//! independent and the chain does not depend on the order of the request.

use super::cells::Train;
use super::params::Settings;
use super::random::{gamma_wh, normals};
use crate::analysis::{AnalysisError, budget};

/// The fit's stream for alpha and beta: its salt XOR this constant.
const HYPER_KEY: u64 = 0x5DEE_CE66D;
/// The counter of a column's noise-precision normal at sweep t is this + t.
const TAU_COUNTER: u64 = 1_000_000;

/// What the probe search keeps of a sample: the column side and the precisions.
#[derive(Debug, Clone)]
pub struct ProbeSample<const K: usize> {
    pub cols: Vec<[f64; K]>,
    pub tau: Vec<f64>,
    pub alpha: [f64; K],
}

/// The kept samples of one chain, by entity: `rows[i * keep + t]`.
#[derive(Debug, Clone)]
pub struct Samples<const K: usize> {
    pub keep: usize,
    rows: Vec<[f64; K]>,
    cols: Vec<[f64; K]>,
    pub probe: Vec<ProbeSample<K>>,
}

/// x = [1, v_1..v_r] of an entity's parameters [b, v_1..v_r].
fn design<const K: usize>(params: &[f64; K]) -> [f64; K] {
    let mut x = *params;
    x[0] = 1.0;
    x
}

/// The prediction of one sample at a cell: a_i + b_j + u_i . v_j.
#[inline]
pub fn cell<const K: usize>(r: &[f64; K], c: &[f64; K]) -> f64 {
    let mut dot = 0.0;
    for k in 1..K {
        dot += r[k] * c[k];
    }
    (r[0] + c[0]) + dot
}

/// Lower Cholesky factor of a symmetric positive-definite K x K matrix.
// Indexed as the textbook (and LAPACK's potrf) writes it: the reference's
// order of operations, kept for bit-equal factors.
#[allow(clippy::needless_range_loop)]
fn cholesky<const K: usize>(a: &[[f64; K]; K]) -> Result<[[f64; K]; K], AnalysisError> {
    let mut l = [[0.0; K]; K];
    for j in 0..K {
        let mut d = a[j][j];
        for k in 0..j {
            d -= l[j][k] * l[j][k];
        }
        if !(d > 0.0 && d.is_finite()) {
            // Lam = diag(alpha) + a positive semi-definite sum cannot lose
            // definiteness unless the numbers overflowed.
            return Err(AnalysisError::NumericOverflow);
        }
        let d = d.sqrt();
        l[j][j] = d;
        for i in j + 1..K {
            let mut s = a[i][j];
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            l[i][j] = s / d;
        }
    }
    Ok(l)
}

/// Solves L y = b (forward).
fn forward<const K: usize>(l: &[[f64; K]; K], b: &[f64; K]) -> [f64; K] {
    let mut y = [0.0; K];
    for i in 0..K {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i][k] * y[k];
        }
        y[i] = s / l[i][i];
    }
    y
}

/// Solves L^T x = b (backward).
fn backward<const K: usize>(l: &[[f64; K]; K], b: &[f64; K]) -> [f64; K] {
    let mut x = [0.0; K];
    for i in (0..K).rev() {
        let mut s = b[i];
        for k in i + 1..K {
            s -= l[k][i] * x[k];
        }
        x[i] = s / l[i][i];
    }
    x
}

/// Lam^-1 h, the posterior mean of a Gaussian with precision Lam.
pub fn solve<const K: usize>(lam: &[[f64; K]; K], h: &[f64; K]) -> Result<[f64; K], AnalysisError> {
    let l = cholesky(lam)?;
    Ok(backward(&l, &forward(&l, h)))
}

/// A draw of N(Lam^-1 h, Lam^-1): the mean plus L^-T eps.
fn draw<const K: usize>(
    lam: &[[f64; K]; K],
    h: &[f64; K],
    eps: &[f64; K],
) -> Result<[f64; K], AnalysisError> {
    let l = cholesky(lam)?;
    let mean = backward(&l, &forward(&l, h));
    let dev = backward(&l, eps);
    let mut out = [0.0; K];
    for k in 0..K {
        out[k] = mean[k] + dev[k];
    }
    Ok(out)
}

/// The lower triangle of w x x^T, (w x_a) x_b for a >= b: the entries
/// LAPACK's Cholesky reads in the reference.
#[inline]
fn add_outer<const K: usize>(lam: &mut [[f64; K]; K], w: f64, x: &[f64; K]) {
    for a in 0..K {
        let wa = w * x[a];
        for b in 0..=a {
            lam[a][b] += wa * x[b];
        }
    }
}

#[inline]
fn add_lower<const K: usize>(lam: &mut [[f64; K]; K], g: &[[f64; K]; K]) {
    for a in 0..K {
        for b in 0..=a {
            lam[a][b] += g[a][b];
        }
    }
}

/// h += t x.
#[inline]
fn add_target<const K: usize>(h: &mut [f64; K], t: f64, x: &[f64; K]) {
    for a in 0..K {
        h[a] += t * x[a];
    }
}

/// Copies the lower triangle to the upper one and adds the prior's
/// precisions to the diagonal.
#[allow(clippy::needless_range_loop)]
pub(super) fn symmetrise<const K: usize>(lam: &mut [[f64; K]; K], prior: &[f64; K]) {
    for a in 0..K {
        for b in 0..a {
            lam[b][a] = lam[a][b];
        }
        lam[a][a] += prior[a];
    }
}

fn init<const K: usize>(keys: &[u64], salt: u64) -> Vec<[f64; K]> {
    keys.iter()
        .map(|&key| {
            let mut e = [0.0; K];
            normals(key ^ salt, 0, &mut e);
            let mut x = [0.0; K];
            for k in 1..K {
                x[k] = 0.3 * e[k];
            }
            x
        })
        .collect()
}

/// Runs the chain on `train` and keeps its samples. `salt` names the fit;
/// `probe` keeps every `probe_thin`-th sample of the column side too.
pub fn sample<const K: usize>(
    train: &Train,
    rkeys: &[u64],
    ckeys: &[u64],
    salt: u64,
    s: &Settings,
    probe: bool,
) -> Result<Samples<K>, AnalysisError> {
    let (n, p) = (train.n, train.p);
    let mut rows = init::<K>(rkeys, salt);
    let mut cols = init::<K>(ckeys, salt);
    let mut alpha = [1.0; K];
    let mut beta = [1.0; K];
    let mut tau = vec![1.0; p];
    let nj: Vec<f64> = (0..p).map(|j| train.col_count(j) as f64).collect();
    let n_obs: f64 = nj.iter().sum();
    let hkey = salt ^ HYPER_KEY;
    let (a0, b0, k0) = (s.prior_shape, s.prior_rate, s.noise_pseudo);
    let keep = s.keep;
    let mut kept_rows = vec![[0.0; K]; keep * n];
    let mut kept_cols = vec![[0.0; K]; keep * p];
    let mut probe_samples = Vec::new();
    let mut sse = vec![0.0; p];
    let mut outer = vec![[[0.0; K]; K]; p];
    let mut outer_rows = vec![[[0.0; K]; K]; n];
    let mut eps = [0.0; K];
    let mut zz = vec![0.0; 2 * K];
    let mut ztau = [0.0];
    for t in 0..s.burn + keep {
        budget::check()?;
        let t64 = t as u64;
        // Rows given columns: design x_j = [1, v_j], target z_ij - b_j. A
        // cell's term tau_j x_j x_j^T depends on its column alone: computed
        // once per column, it is the same product the cell would form.
        for (j, g) in outer.iter_mut().enumerate() {
            let x = design(&cols[j]);
            *g = [[0.0; K]; K];
            add_outer(g, tau[j], &x);
        }
        for i in 0..n {
            let mut lam = [[0.0; K]; K];
            let mut h = [0.0; K];
            let (cs, zs) = train.row(i);
            for (&j, &z) in cs.iter().zip(zs) {
                let j = j as usize;
                add_lower(&mut lam, &outer[j]);
                let c = &cols[j];
                add_target(&mut h, tau[j] * (z - c[0]), &design(c));
            }
            symmetrise(&mut lam, &alpha);
            normals(rkeys[i] ^ salt, 1 + 2 * t64, &mut eps);
            rows[i] = draw(&lam, &h, &eps)?;
        }
        // Columns given rows: design x_i = [1, u_i], target z_ij - a_i; the
        // column's tau_j is common to its cells, so it multiplies the sum of
        // the rows' x_i x_i^T.
        for (i, g) in outer_rows.iter_mut().enumerate() {
            *g = [[0.0; K]; K];
            add_outer(g, 1.0, &design(&rows[i]));
        }
        for j in 0..p {
            let mut sum = [[0.0; K]; K];
            let mut h = [0.0; K];
            let (rs, zs) = train.col(j);
            let w = tau[j];
            for (&i, &z) in rs.iter().zip(zs) {
                let i = i as usize;
                add_lower(&mut sum, &outer_rows[i]);
                let r = &rows[i];
                add_target(&mut h, w * (z - r[0]), &design(r));
            }
            let mut lam = [[0.0; K]; K];
            for a in 0..K {
                for b in 0..=a {
                    lam[a][b] = w * sum[a][b];
                }
            }
            symmetrise(&mut lam, &beta);
            normals(ckeys[j] ^ salt, 2 + 2 * t64, &mut eps);
            cols[j] = draw(&lam, &h, &eps)?;
        }
        // Noise and hyper-parameters.
        for j in 0..p {
            let (rs, zs) = train.col(j);
            let c = &cols[j];
            let mut acc = 0.0;
            for (&i, &z) in rs.iter().zip(zs) {
                let d = z - cell(&rows[i as usize], c);
                acc += d * d;
            }
            sse[j] = acc;
        }
        let s2 = sse.iter().sum::<f64>() / n_obs.max(1.0);
        for j in 0..p {
            normals(ckeys[j] ^ salt, TAU_COUNTER + t64, &mut ztau);
            tau[j] = gamma_wh(
                k0 / 2.0 + nj[j] / 2.0,
                k0 * s2 / 2.0 + sse[j] / 2.0,
                ztau[0],
            );
        }
        normals(hkey, 3 + t64, &mut zz);
        let mut sum_r = [0.0; K];
        for r in &rows {
            for k in 0..K {
                sum_r[k] += r[k] * r[k];
            }
        }
        let mut sum_c = [0.0; K];
        for c in &cols {
            for k in 0..K {
                sum_c[k] += c[k] * c[k];
            }
        }
        for k in 0..K {
            alpha[k] = gamma_wh(a0 + n as f64 / 2.0, b0 + sum_r[k] / 2.0, zz[k]);
            beta[k] = gamma_wh(a0 + p as f64 / 2.0, b0 + sum_c[k] / 2.0, zz[K + k]);
        }
        if t >= s.burn {
            let kt = t - s.burn;
            for (i, r) in rows.iter().enumerate() {
                kept_rows[i * keep + kt] = *r;
            }
            for (j, c) in cols.iter().enumerate() {
                kept_cols[j * keep + kt] = *c;
            }
            if probe && kt.is_multiple_of(s.probe_thin) {
                probe_samples.push(ProbeSample {
                    cols: cols.clone(),
                    tau: tau.clone(),
                    alpha,
                });
            }
        }
    }
    Ok(Samples {
        keep,
        rows: kept_rows,
        cols: kept_cols,
        probe: probe_samples,
    })
}

impl<const K: usize> Samples<K> {
    /// Posterior mean and sd of z at cell (i, j) over the kept samples. The
    /// spread is summed about the first sample: E[P^2] - E[P]^2 about 0
    /// cancels to rounding noise when the spread is small against the mean,
    /// and the square root of that noise would reach the interval model.
    pub fn posterior(&self, i: usize, j: usize) -> (f64, f64) {
        let r = &self.rows[i * self.keep..(i + 1) * self.keep];
        let c = &self.cols[j * self.keep..(j + 1) * self.keep];
        let shift = cell(&r[0], &c[0]);
        let (mut s1, mut d1, mut d2) = (0.0, 0.0, 0.0);
        for (r, c) in r.iter().zip(c) {
            let v = cell(r, c);
            s1 += v;
            let d = v - shift;
            d1 += d;
            d2 += d * d;
        }
        self.finish(s1, d1, d2)
    }

    fn finish(&self, s1: f64, d1: f64, d2: f64) -> (f64, f64) {
        let keep = self.keep as f64;
        let dm = d1 / keep;
        (s1 / keep, (d2 / keep - dm * dm).max(0.0).sqrt())
    }

    /// [`Samples::posterior`] at row i's cells in the columns `cols`, in
    /// order, to `out`. Four cells go through the samples together: each
    /// cell's sums are added in the same order as alone, and the four
    /// chains of additions overlap instead of waiting on each other.
    #[allow(clippy::needless_range_loop)]
    pub fn posterior_row(&self, i: usize, cols: &[u32], mut out: impl FnMut(f64, f64)) {
        const LANES: usize = 4;
        let keep = self.keep;
        let r = &self.rows[i * keep..(i + 1) * keep];
        let mut chunks = cols.chunks_exact(LANES);
        for js in &mut chunks {
            let c: [&[[f64; K]]; LANES] =
                std::array::from_fn(|l| &self.cols[js[l] as usize * keep..][..keep]);
            let shift: [f64; LANES] = std::array::from_fn(|l| cell(&r[0], &c[l][0]));
            let (mut s1, mut d1, mut d2) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
            for (t, rt) in r.iter().enumerate() {
                for l in 0..LANES {
                    let v = cell(rt, &c[l][t]);
                    s1[l] += v;
                    let d = v - shift[l];
                    d1[l] += d;
                    d2[l] += d * d;
                }
            }
            for l in 0..LANES {
                let (m, sd) = self.finish(s1[l], d1[l], d2[l]);
                out(m, sd);
            }
        }
        for &j in chunks.remainder() {
            let (m, sd) = self.posterior(i, j as usize);
            out(m, sd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_and_draws_with_the_posterior_covariance() {
        let lam = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
        let h = [1.0, -2.0, 0.5];
        let x = solve(&lam, &h).unwrap();
        for a in 0..3 {
            let back: f64 = (0..3).map(|b| lam[a][b] * x[b]).sum();
            assert!((back - h[a]).abs() < 1e-12);
        }
        // With eps = 0 the draw is the mean.
        assert_eq!(draw(&lam, &h, &[0.0; 3]).unwrap(), x);
        let bad = [[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        assert!(solve(&bad, &h).is_err());
    }
}
