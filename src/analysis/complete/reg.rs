//! Predictor 3: benchmark-to-benchmark regressions. For a target benchmark
//! j, every source l shared by at least `reg_min_shared` models gives a
//! univariate regression of z_j on z_l; a model's prediction averages the
//! regressions from its own benchmarks with weights (residual variance)^-q.
//!
//! The statistics of a benchmark pair are computed for one benchmark
//! against all others at a time (over the models observing both, in row
//! order), so memory stays linear in the benchmarks.

use super::cells::Train;
use super::params::Settings;

/// One benchmark's sums against every other benchmark: per other
/// benchmark, the count and the sums of x, y, x^2, y^2 and xy, in one
/// record so that an update touches one place.
pub struct RegAcc {
    sums: Vec<[f64; 6]>,
}

impl RegAcc {
    pub fn new(p: usize) -> Self {
        Self {
            sums: vec![[0.0; 6]; p],
        }
    }

    fn clear(&mut self) {
        self.sums.fill([0.0; 6]);
    }

    #[inline]
    fn add(&mut self, other: usize, x: f64, y: f64) {
        let s = &mut self.sums[other];
        s[0] += 1.0;
        s[1] += x;
        s[2] += y;
        s[3] += x * x;
        s[4] += y * y;
        s[5] += x * y;
    }
}

/// The regressions of one benchmark pair side: for each other benchmark,
/// whether the pair is usable, and alpha, beta, the residual variance s2.
#[derive(Debug, Clone)]
pub struct RegLine {
    pub ok: Vec<bool>,
    pub alpha: Vec<f64>,
    pub beta: Vec<f64>,
    pub s2: Vec<f64>,
}

fn lines(acc: &RegAcc, this: usize, s: &Settings) -> RegLine {
    let p = acc.sums.len();
    let mut out = RegLine {
        ok: vec![false; p],
        alpha: vec![0.0; p],
        beta: vec![0.0; p],
        s2: vec![f64::INFINITY; p],
    };
    for (l, &[n, sx, sy, sxx, syy, sxy]) in acc.sums.iter().enumerate() {
        // The count, summed as 1.0s, is exact.
        if l == this || n < s.reg_min_shared as f64 {
            continue;
        }
        let nn = n.max(1.0);
        let mx = sx / nn;
        let my = sy / nn;
        let cxy = sxy / nn - mx * my;
        let vx = (sxx / nn - mx * mx).max(0.0);
        let vy = (syy / nn - my * my).max(0.0);
        let beta = cxy / (vx + 1e-3);
        let alpha = my - beta * mx;
        let res = (vy - beta * cxy).max(0.0) * nn;
        out.ok[l] = true;
        out.alpha[l] = alpha;
        out.beta[l] = beta;
        out.s2[l] = (res + s.reg_kappa * 1.0) / ((n - 2.0).max(0.0) + s.reg_kappa);
    }
    out
}

/// The regressions of target j on every source l (indexed by l).
pub fn into_target(train: &Train, j: usize, s: &Settings, acc: &mut RegAcc) -> RegLine {
    acc.clear();
    let (rows, ys) = train.col(j);
    for (&i, &y) in rows.iter().zip(ys) {
        let (cols, xs) = train.row(i as usize);
        for (&l, &x) in cols.iter().zip(xs) {
            acc.add(l as usize, x, y);
        }
    }
    lines(acc, j, s)
}

/// The regressions from source l onto every target j (indexed by j): the
/// same sums as [`into_target`] for each pair, in the same order.
pub fn from_source(train: &Train, l: usize, s: &Settings, acc: &mut RegAcc) -> RegLine {
    acc.clear();
    let (rows, xs) = train.col(l);
    for (&i, &x) in rows.iter().zip(xs) {
        let (cols, ys) = train.row(i as usize);
        for (&j, &y) in cols.iter().zip(ys) {
            acc.add(j as usize, x, y);
        }
    }
    lines(acc, l, s)
}

/// The weights (w, w alpha, w beta) of each source for exponent q; 0 where
/// the pair is not usable.
pub fn weights(line: &RegLine, q: f64) -> Vec<[f64; 3]> {
    (0..line.ok.len())
        .map(|l| {
            if line.ok[l] {
                let w = line.s2[l].powf(-q);
                [w, w * line.alpha[l], w * line.beta[l]]
            } else {
                [0.0; 3]
            }
        })
        .collect()
}

/// The prediction of a model from its training cells (cols, zs) with the
/// weights of one target; None without a usable source.
pub fn predict(weights: &[[f64; 3]], cols: &[u32], zs: &[f64]) -> Option<f64> {
    let (mut a, mut b, mut den) = (0.0, 0.0, 0.0);
    for (&l, &z) in cols.iter().zip(zs) {
        let w = &weights[l as usize];
        a += w[1];
        b += z * w[2];
        den += w[0];
    }
    (den > 0.0).then(|| (a + b) / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_line_is_recovered_and_both_sides_agree() {
        // z_1 = 2 z_0 + 1 on six models, z_2 noise.
        let mut cells = Vec::new();
        for i in 0..6u32 {
            let x = f64::from(i) - 2.5;
            cells.push((i, 0, x));
            cells.push((i, 1, 2.0 * x + 1.0));
            cells.push((i, 2, (f64::from(i) * 1.7).sin()));
        }
        let train = Train::new(6, 3, cells.into_iter());
        let s = Settings::default();
        let mut acc = RegAcc::new(3);
        let t = into_target(&train, 1, &s, &mut acc);
        assert!(t.ok[0] && !t.ok[1]);
        // beta = cov / (var + 1e-3), so a hair below 2.
        assert!((t.beta[0] - 2.0).abs() < 1e-3, "{}", t.beta[0]);
        let src = from_source(&train, 0, &s, &mut acc);
        assert_eq!(src.beta[1], t.beta[0]);
        assert_eq!(src.s2[1], t.s2[0]);
        let w = weights(&t, 2.0);
        let pred = predict(&w, &[0, 2], &[0.5, 0.1]).unwrap();
        assert!((pred - 2.0).abs() < 0.5, "{pred}");
        assert_eq!(predict(&w, &[2], &[0.3]).map(|_| ()), Some(()));
        assert_eq!(predict(&weights(&t, 1.0), &[], &[]), None);
    }
}
