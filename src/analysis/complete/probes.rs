//! Probes: which k benchmarks a new model should run first, chosen greedily
//! by a fold-in proxy of the probe protocol on the whole leaderboard.
//!
//! The score of a set S: every model in turn keeps only its cells in S,
//! every other model its whole row, and the column side of every predictor
//! stays at the final fit (the fold-in approximation of refitting without
//! the row's other cells); the score is the median absolute error over all
//! observed cells, the probe cells counting as zero.

use rayon::prelude::*;

use super::Board;
use super::blend;
use super::bmf::{self, ProbeSample};
use super::fit::{Fit, with_samples};
use super::params::Settings;
use super::reg::{self, RegAcc, RegLine};
use super::scale::median;
use crate::analysis::{AnalysisError, budget};

/// What the final fit chose, which the proxy reuses.
#[derive(Debug, Clone, Copy)]
pub struct Chosen {
    pub knn_h: f64,
    pub reg_q: f64,
    pub rknn_h: f64,
    pub weights: [f64; 4],
}

/// The chosen benchmarks (canonical columns) and the proxy's score after each.
pub struct ProbeResult {
    pub benchmarks: Vec<usize>,
    pub expected_error: Vec<f64>,
}

/// Candidates of a step are scored in parallel above this many cells.
const PARALLEL_MIN_CELLS: usize = 500;

pub fn choose(
    board: &Board,
    fit: &Fit,
    s: &Settings,
    chosen: Chosen,
    k: usize,
) -> Result<ProbeResult, AnalysisError> {
    with_samples!(&fit.bmf, samples => search(board, fit, &samples.probe, s, chosen, k))
}

struct Proxy<'a, const K: usize> {
    board: &'a Board,
    fit: &'a Fit,
    samples: &'a [ProbeSample<K>],
    s: &'a Settings,
    chosen: Chosen,
    /// The score at each observed cell (row order), in internal units as the
    /// transform round-trips it.
    truth: Vec<f64>,
}

fn search<const K: usize>(
    board: &Board,
    fit: &Fit,
    samples: &[ProbeSample<K>],
    s: &Settings,
    chosen: Chosen,
    k: usize,
) -> Result<ProbeResult, AnalysisError> {
    let train = &fit.train;
    let sc = &board.scale;
    let mut truth = Vec::with_capacity(train.nnz());
    for i in 0..train.n {
        let (cols, zs) = train.row(i);
        for (&j, &z) in cols.iter().zip(zs) {
            let j = j as usize;
            truth.push(sc.inv(j, z * sc.sd[j] + sc.mean[j]));
        }
    }
    let proxy = Proxy {
        board,
        fit,
        samples,
        s,
        chosen,
        truth,
    };
    let mut picked: Vec<usize> = Vec::new();
    let mut curve = Vec::new();
    let deadline = budget::current();
    for _ in 0..k {
        // Candidates in label order (the canonical column order).
        let candidates: Vec<usize> = (0..train.p)
            .filter(|j| !picked.contains(j) && train.col_count(*j) >= s.min_col_obs)
            .collect();
        let score = |&j: &usize| -> Result<f64, AnalysisError> {
            budget::with_deadline(deadline, || {
                budget::check()?;
                let mut set = picked.clone();
                set.push(j);
                proxy.error(&set)
            })
        };
        let scores: Vec<f64> = if train.nnz() >= PARALLEL_MIN_CELLS {
            candidates.par_iter().map(score).collect::<Result<_, _>>()?
        } else {
            candidates.iter().map(score).collect::<Result<_, _>>()?
        };
        let mut best: Option<(usize, f64)> = None;
        for (&j, &e) in candidates.iter().zip(&scores) {
            // A later candidate must do strictly better.
            if best.is_none_or(|(_, b)| e < b - 1e-12) {
                best = Some((j, e));
            }
        }
        let (j, e) = best.expect("probes are checked against the benchmarks that can be probed");
        picked.push(j);
        curve.push(e);
    }
    Ok(ProbeResult {
        benchmarks: picked,
        expected_error: curve,
    })
}

/// A row's pair sums against the other rows over its probe cells.
struct PairSums {
    cnt: Vec<u32>,
    si: Vec<f64>,
    sk: Vec<f64>,
    q: Vec<f64>,
    touched: Vec<u32>,
}

impl PairSums {
    fn new(n: usize) -> Self {
        Self {
            cnt: vec![0; n],
            si: vec![0.0; n],
            sk: vec![0.0; n],
            q: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for &k in &self.touched {
            let k = k as usize;
            self.cnt[k] = 0;
            self.si[k] = 0.0;
            self.sk[k] = 0.0;
            self.q[k] = 0.0;
        }
        self.touched.clear();
    }
}

impl<const K: usize> Proxy<'_, K> {
    /// The proxy's pooled median absolute error for the probe set `set`.
    fn error(&self, set: &[usize]) -> Result<f64, AnalysisError> {
        let train = &self.fit.train;
        let (n, p) = (train.n, train.p);
        let s = self.s;
        let sc = &self.board.scale;
        let in_set = {
            let mut v = vec![usize::MAX; p];
            for (k, &j) in set.iter().enumerate() {
                v[j] = k;
            }
            v
        };
        let mut acc = RegAcc::new(p);
        let lines: Vec<RegLine> = set
            .iter()
            .map(|&l| reg::from_source(train, l, s, &mut acc))
            .collect();
        let reg_w: Vec<Vec<[f64; 3]>> = lines
            .iter()
            .map(|line| reg::weights(line, self.chosen.reg_q))
            .collect();
        let mut errors: Vec<f64> = Vec::with_capacity(train.nnz());
        let mut zeros = 0usize;
        let mut sums = PairSums::new(n);
        let mut wk = vec![0.0; n];
        let mut mk = vec![0.0; n];
        let mut wr = vec![0.0; n];
        let mut probe: Vec<(usize, f64, usize)> = Vec::new();
        let mut bm: Vec<f64> = Vec::new();
        for i in 0..n {
            let range = train.row_range(i);
            let (cols, zs) = train.row(i);
            // The row's probe cells, in the order of the set.
            probe.clear();
            for (e, (&j, &z)) in cols.iter().zip(zs).enumerate() {
                if in_set[j as usize] != usize::MAX {
                    probe.push((j as usize, z, e));
                }
            }
            probe.sort_by_key(|&(j, _, _)| in_set[j]);
            zeros += probe.len();
            // Factorisation: the row's posterior mean given its probe cells,
            // averaged over the kept samples, at every observed cell of the row.
            bm.clear();
            bm.resize(cols.len(), 0.0);
            for smp in self.samples {
                let mut lam = [[0.0; K]; K];
                let mut h = [0.0; K];
                for &(j, z, _) in &probe {
                    let c = &smp.cols[j];
                    let mut x = *c;
                    x[0] = 1.0;
                    let w = smp.tau[j];
                    for a in 0..K {
                        let wa = w * x[a];
                        for b in 0..=a {
                            lam[a][b] += wa * x[b];
                        }
                    }
                    let t = w * (z - c[0]);
                    for a in 0..K {
                        h[a] += t * x[a];
                    }
                }
                bmf::symmetrise(&mut lam, &smp.alpha);
                let th = bmf::solve(&lam, &h)?;
                for (e, &j) in cols.iter().enumerate() {
                    let c = &smp.cols[j as usize];
                    let mut dot = th[0];
                    for k in 1..K {
                        dot += th[k] * c[k];
                    }
                    bm[e] += c[0] + dot;
                }
            }
            let ns = self.samples.len() as f64;
            for v in bm.iter_mut() {
                *v /= ns;
            }
            // Neighbours over the probe cells: knn on the scores, rknn on the
            // factorisation's residuals (the others' from the final fit).
            let has_knn = self.weights_row(i, &probe, &bm, true, &mut sums, &mut wk, &mut mk);
            let has_rknn = self.weights_row(i, &probe, &bm, false, &mut sums, &mut wr, &mut mk);
            for (e, (&j, _)) in cols.iter().zip(zs).enumerate() {
                let j = j as usize;
                if in_set[j] != usize::MAX {
                    continue;
                }
                let b = bm[e];
                let (rows_j, zs_j) = train.col(j);
                let rs_j = &self.fit.resid.by_col[train.col_range(j)];
                let kn = if has_knn {
                    let (mut a, mut o, mut den) = (0.0, 0.0, 0.0);
                    for (&k, &z) in rows_j.iter().zip(zs_j) {
                        let w = wk[k as usize];
                        a += w * z;
                        o += w * mk[k as usize];
                        den += w;
                    }
                    if den > 1e-300 { (a + o) / den } else { b }
                } else {
                    b
                };
                let rk = if has_rknn {
                    let (mut a, mut den) = (0.0, 0.0);
                    for (&k, &r) in rows_j.iter().zip(rs_j) {
                        let w = wr[k as usize];
                        a += w * r;
                        den += w;
                    }
                    b + if den > 1e-300 { a / den } else { 0.0 }
                } else {
                    b
                };
                let rg = {
                    let (mut a, mut bb, mut den) = (0.0, 0.0, 0.0);
                    // Sources in set order.
                    for &(l, z, _) in &probe {
                        let w = &reg_w[in_set[l]][j];
                        a += w[1];
                        bb += z * w[2];
                        den += w[0];
                    }
                    if den > 0.0 { (a + bb) / den } else { b }
                };
                let zf = blend::dot(&[b, kn, rg, rk], &self.chosen.weights);
                let truth = self.truth[range.start + e];
                errors.push((sc.z_to_internal(j, zf) - truth).abs() * sc.err_unit[j]);
            }
            // Both calls touch the same rows (those sharing a probe cell).
            for &k in &sums.touched {
                wk[k as usize] = 0.0;
                mk[k as usize] = 0.0;
                wr[k as usize] = 0.0;
            }
            sums.clear();
        }
        errors.extend(std::iter::repeat_n(0.0, zeros));
        Ok(median(&mut errors))
    }

    /// Row i's kernel weights against every other row over its probe cells
    /// (`offset`: knn on the scores, with the mean difference; else rknn on
    /// the residuals). Returns whether any neighbour is eligible.
    #[allow(clippy::too_many_arguments)]
    fn weights_row(
        &self,
        i: usize,
        probe: &[(usize, f64, usize)],
        bm: &[f64],
        offset: bool,
        sums: &mut PairSums,
        w: &mut [f64],
        mk: &mut [f64],
    ) -> bool {
        let s = self.s;
        if probe.len() < s.knn_min_shared {
            return false;
        }
        let train = &self.fit.train;
        sums.clear();
        for &(j, z, e) in probe {
            let own = if offset { z } else { z - bm[e] };
            let (rows_j, zs_j) = train.col(j);
            let rs_j = &self.fit.resid.by_col[train.col_range(j)];
            for (t, &k) in rows_j.iter().enumerate() {
                if k as usize == i {
                    continue;
                }
                let other = if offset { zs_j[t] } else { rs_j[t] };
                let ku = k as usize;
                if sums.cnt[ku] == 0 {
                    sums.touched.push(k);
                }
                sums.cnt[ku] += 1;
                sums.si[ku] += own;
                sums.sk[ku] += other;
                sums.q[ku] += (own - other) * (own - other);
            }
        }
        let (d0, h) = if offset {
            (self.fit.d0.knn, self.chosen.knn_h)
        } else {
            (self.fit.d0.rknn, self.chosen.rknn_h)
        };
        let mut any = false;
        for &k in &sums.touched {
            let ku = k as usize;
            let cnt = sums.cnt[ku];
            if (cnt as usize) < s.knn_min_shared {
                continue;
            }
            let nn = f64::from(cnt);
            let diff = (sums.si[ku] - sums.sk[ku]) / nn;
            let v = (sums.q[ku] / nn - diff * diff).max(0.0);
            let d2 = if offset {
                v + s.knn_offset_pen * diff * diff
            } else {
                v
            };
            let big = (nn * d2 + s.knn_kappa * d0) / (nn + s.knn_kappa);
            w[ku] = (-big / (2.0 * h * h * d0)).exp() * (nn / (nn + s.knn_count_c));
            if offset {
                mk[ku] = diff;
            }
            any = true;
        }
        any
    }
}
