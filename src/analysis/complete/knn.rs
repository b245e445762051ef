//! Predictors 2 and 4: similar models. `knn` predicts a cell from the
//! neighbours' scores on the benchmark, each offset by the mean difference
//! between the two models over the benchmarks they share; `rknn` corrects
//! the factorisation with the neighbours' residuals.
//!
//! A pair's statistics (shared count N, mean difference m, spread of the
//! differences v) are computed row by row over the shared benchmarks and
//! never stored for all pairs: memory stays linear in the models, and the
//! median pair distance d0, the only statistic over all pairs, is selected
//! exactly (collected when the pairs are few, by radix passes otherwise).

use super::cells::Train;
use super::params::Settings;
use crate::analysis::{AnalysisError, budget};

/// Below this many model pairs, d0's candidates are collected and selected;
/// above, they are selected by radix passes in constant memory.
pub const COLLECT_MAX_PAIRS: usize = 1 << 21;

/// Residuals of the factorisation at the training cells, in both orders.
#[derive(Debug, Clone)]
pub struct Resid {
    pub by_row: Vec<f64>,
    pub by_col: Vec<f64>,
}

/// One row's running sums against another: the shared count, then the
/// sums of the differences and of their squares, of the scores and of the
/// residuals. One record per row, so that an update touches one place.
type Sums = [f64; 5];

/// One row's running sums against every other row.
pub struct Acc {
    sums: Vec<Sums>,
    touched: Vec<u32>,
}

impl Acc {
    pub fn new(n: usize) -> Self {
        Self {
            sums: vec![[0.0; 5]; n],
            touched: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for &k in &self.touched {
            self.sums[k as usize] = [0.0; 5];
        }
        self.touched.clear();
    }

    #[inline]
    fn add(&mut self, k: u32, d: f64, dr: f64) {
        let s = &mut self.sums[k as usize];
        if s[0] == 0.0 {
            self.touched.push(k);
        }
        s[0] += 1.0;
        s[1] += d;
        s[2] += d * d;
        s[3] += dr;
        s[4] += dr * dr;
    }

    fn count(&self, k: usize) -> u32 {
        self.sums[k][0] as u32
    }
}

/// Row i's sums against the rows sharing a training benchmark with it (only
/// rows after i with `above`), summed over benchmarks ascending.
fn accumulate(train: &Train, resid: &Resid, i: usize, above: bool, acc: &mut Acc) {
    acc.clear();
    let range = train.row_range(i);
    let (cols, zs) = train.row(i);
    let rs = &resid.by_row[range];
    for ((&j, &zi), &ri) in cols.iter().zip(zs).zip(rs) {
        let j = j as usize;
        let (rows_j, zs_j) = train.col(j);
        let rs_j = &resid.by_col[train.col_range(j)];
        // Row i's own cell splits the (sorted) column.
        let at = rows_j.partition_point(|&k| (k as usize) < i);
        let after = at + usize::from(rows_j.get(at) == Some(&(i as u32)));
        if !above {
            for t in 0..at {
                acc.add(rows_j[t], zi - zs_j[t], ri - rs_j[t]);
            }
        }
        for t in after..rows_j.len() {
            acc.add(rows_j[t], zi - zs_j[t], ri - rs_j[t]);
        }
    }
}

/// The distances of a pair: (N, m, knn's d2, rknn's d2).
#[inline]
fn pair(acc: &Acc, k: usize, pen: f64) -> (f64, f64, f64, f64) {
    let [n, sz, qz, sr, qr] = acc.sums[k];
    let m = sz / n;
    let v = (qz / n - m * m).max(0.0);
    let mr = sr / n;
    let vr = (qr / n - mr * mr).max(0.0);
    (n, m, v + pen * m * m, vr + 0.0)
}

/// Median pair distances of one fit: knn's and rknn's d0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct D0 {
    pub knn: f64,
    pub rknn: f64,
}

/// Populations of the median: knn and rknn distances, over the pairs
/// sharing at least max(min_shared, 5) benchmarks ("good") and over every
/// eligible pair (the fallback when no pair is good).
const POPS: usize = 4;

fn good_min(s: &Settings) -> u32 {
    s.knn_min_shared.max(5) as u32
}

/// Feeds every eligible pair (i < k) of the fit to `sink` as (population, d2).
fn each_pair(
    train: &Train,
    resid: &Resid,
    s: &Settings,
    sink: &mut dyn FnMut(usize, f64),
) -> Result<(), AnalysisError> {
    let mut acc = Acc::new(train.n);
    let (min, good) = (s.knn_min_shared as u32, good_min(s));
    for i in 0..train.n {
        budget::check()?;
        accumulate(train, resid, i, true, &mut acc);
        for &k in &acc.touched {
            let cnt = acc.count(k as usize);
            if cnt < min {
                continue;
            }
            let (_, _, dk, dr) = pair(&acc, k as usize, s.knn_offset_pen);
            if cnt >= good {
                sink(0, dk);
                sink(2, dr);
            }
            sink(1, dk);
            sink(3, dr);
        }
    }
    Ok(())
}

/// d0 of knn and rknn: the median d2 of the good pairs, else of the
/// eligible ones, else 1; at least 1e-6.
pub fn d0(
    train: &Train,
    resid: &Resid,
    s: &Settings,
    collect_max: usize,
) -> Result<D0, AnalysisError> {
    let pairs = train.n * train.n.saturating_sub(1) / 2;
    let medians = if pairs <= collect_max {
        let mut pops: [Vec<f64>; POPS] = Default::default();
        each_pair(train, resid, s, &mut |pop, v| pops[pop].push(v))?;
        pops.map(|mut v| (!v.is_empty()).then(|| super::scale::median(&mut v)))
    } else {
        radix_medians(|sink| each_pair(train, resid, s, sink))?
    };
    let pick = |good: Option<f64>, elig: Option<f64>| good.or(elig).unwrap_or(1.0).max(1e-6);
    Ok(D0 {
        knn: pick(medians[0], medians[1]),
        rknn: pick(medians[2], medians[3]),
    })
}

/// Digits of the radix selection, and the largest bucket collected outright.
const DIGIT_BITS: u32 = 16;
const COLLECT_BUCKET: u64 = 1 << 20;

struct Target {
    pop: usize,
    rank: u64,
    prefix: u64,
    /// Leading bits of `prefix` that are fixed.
    depth: u32,
    collect: bool,
    hist: Vec<u64>,
    values: Vec<f64>,
    result: Option<f64>,
}

impl Target {
    fn matches(&self, bits: u64) -> bool {
        self.depth == 0 || (bits >> (64 - self.depth)) == (self.prefix >> (64 - self.depth))
    }

    /// Fixes the next digit from the histogram of the pass just made.
    fn descend(&mut self) {
        let mut below = 0;
        for (d, &c) in self.hist.iter().enumerate() {
            if self.rank < below + c {
                self.rank -= below;
                self.depth += DIGIT_BITS;
                self.prefix |= (d as u64) << (64 - self.depth);
                if self.depth == 64 {
                    // Every value left has these exact bits.
                    self.result = Some(f64::from_bits(self.prefix));
                } else if c <= COLLECT_BUCKET {
                    self.collect = true;
                }
                self.hist.iter_mut().for_each(|h| *h = 0);
                return;
            }
            below += c;
        }
        unreachable!("the rank lies within the population");
    }
}

/// The exact median of each population of non-negative values that `pass`
/// feeds (as often as asked), in memory independent of their number: a
/// histogram of the leading 16 bits of the values' bit patterns (monotone
/// for non-negative floats) finds the bucket of each middle rank, and the
/// bucket is collected (or split by the next 16 bits) on the next pass.
fn radix_medians(
    mut pass: impl FnMut(&mut dyn FnMut(usize, f64)) -> Result<(), AnalysisError>,
) -> Result<[Option<f64>; POPS], AnalysisError> {
    let bits = |v: f64| (v + 0.0).to_bits();
    let mut counts = [0u64; POPS];
    let mut hists: Vec<Vec<u64>> = vec![vec![0; 1 << DIGIT_BITS]; POPS];
    pass(&mut |pop, v| {
        counts[pop] += 1;
        hists[pop][(bits(v) >> (64 - DIGIT_BITS)) as usize] += 1;
    })?;
    let mut targets: Vec<Target> = Vec::new();
    for pop in 0..POPS {
        let m = counts[pop];
        if m == 0 {
            continue;
        }
        let ranks = if m % 2 == 1 {
            vec![m / 2]
        } else {
            vec![m / 2 - 1, m / 2]
        };
        for rank in ranks {
            let mut t = Target {
                pop,
                rank,
                prefix: 0,
                depth: 0,
                collect: false,
                hist: hists[pop].clone(),
                values: Vec::new(),
                result: None,
            };
            t.descend();
            targets.push(t);
        }
    }
    drop(hists);
    while targets.iter().any(|t| t.result.is_none()) {
        pass(&mut |pop, v| {
            let b = bits(v);
            for t in targets.iter_mut() {
                if t.pop != pop || t.result.is_some() || !t.matches(b) {
                    continue;
                }
                if t.collect {
                    t.values.push(v);
                } else {
                    let d = (b >> (64 - t.depth - DIGIT_BITS)) & ((1 << DIGIT_BITS) - 1);
                    t.hist[d as usize] += 1;
                }
            }
        })?;
        for t in targets.iter_mut().filter(|t| t.result.is_none()) {
            if t.collect {
                let r = t.rank as usize;
                let (_, v, _) = t.values.select_nth_unstable_by(r, f64::total_cmp);
                t.result = Some(*v);
                t.values = Vec::new();
            } else {
                t.descend();
            }
        }
    }
    let mut out = [None; POPS];
    for (pop, slot) in out.iter_mut().enumerate() {
        let r: Vec<f64> = targets
            .iter()
            .filter(|t| t.pop == pop)
            .map(|t| t.result.expect("resolved"))
            .collect();
        *slot = match r.as_slice() {
            [] => None,
            [v] => Some(*v),
            [lo, hi] => Some((lo + hi) / 2.0),
            _ => unreachable!(),
        };
    }
    Ok(out)
}

/// Which variants a prediction pass computes.
#[derive(Debug, Clone)]
pub struct KnnVariants {
    /// Bandwidths of knn (multipliers of d0).
    pub knn: Vec<f64>,
    /// Whether knn's spread is wanted too.
    pub spread: bool,
    pub rknn: Vec<f64>,
}

/// Per-row scratch of a prediction pass.
pub struct RowScratch {
    acc: Acc,
    /// Weights by bandwidth, then row: `wk[h * n + k]`.
    wk: Vec<f64>,
    mk: Vec<f64>,
    eligible: Vec<bool>,
    wr: Vec<f64>,
}

impl RowScratch {
    pub fn new(n: usize, v: &KnnVariants) -> Self {
        Self {
            acc: Acc::new(n),
            wk: vec![0.0; n * v.knn.len()],
            mk: vec![0.0; n],
            eligible: vec![false; n],
            wr: vec![0.0; n * v.rknn.len()],
        }
    }
}

/// One cell's knn and rknn outputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct CellKnn {
    /// knn's prediction, None when no eligible neighbour observes the benchmark.
    pub knn: Option<f64>,
    pub spread: f64,
}

/// Predicts row i's cells at the columns `cols` with every asked variant:
/// `out[c * H + h]` for knn (H bandwidths) and `rk[c * R + h]` for rknn.
#[allow(clippy::too_many_arguments)]
pub fn predict_row(
    train: &Train,
    resid: &Resid,
    d0: D0,
    s: &Settings,
    v: &KnnVariants,
    i: usize,
    cols: &[u32],
    scratch: &mut RowScratch,
    out: &mut [CellKnn],
    rk: &mut [f64],
) {
    let (hk, hr) = (v.knn.len(), v.rknn.len());
    let n = train.n;
    let acc = &mut scratch.acc;
    accumulate(train, resid, i, false, acc);
    let min = s.knn_min_shared as u32;
    let (kap, c) = (s.knn_kappa, s.knn_count_c);
    for &k in &acc.touched {
        let ku = k as usize;
        if acc.count(ku) < min {
            continue;
        }
        let (nn, m, dk, dr) = pair(acc, ku, s.knn_offset_pen);
        let cw = nn / (nn + c);
        scratch.mk[ku] = m;
        scratch.eligible[ku] = true;
        let big_k = (nn * dk + kap * d0.knn) / (nn + kap);
        for (h, &bw) in v.knn.iter().enumerate() {
            scratch.wk[h * n + ku] = (-big_k / (2.0 * bw * bw * d0.knn)).exp() * cw;
        }
        let big_r = (nn * dr + kap * d0.rknn) / (nn + kap);
        for (h, &bw) in v.rknn.iter().enumerate() {
            scratch.wr[h * n + ku] = (-big_r / (2.0 * bw * bw * d0.rknn)).exp() * cw;
        }
    }
    let mk = &scratch.mk;
    for (ci, &j) in cols.iter().enumerate() {
        let j = j as usize;
        let (rows_j, zs_j) = train.col(j);
        let rs_j = &resid.by_col[train.col_range(j)];
        // The spread is summed about the first neighbour's offset value, so
        // that neighbours that agree (or a single one) give 0, not the root
        // of rounding noise.
        let shift = rows_j
            .iter()
            .zip(zs_j)
            .find(|&(&k, _)| scratch.eligible[k as usize])
            .map_or(0.0, |(&k, &z)| z + mk[k as usize]);
        // One pass over the benchmark's rows per bandwidth, the sums in registers.
        for h in 0..hk {
            let w_h = &scratch.wk[h * n..(h + 1) * n];
            let (mut a, mut o, mut den, mut s1, mut s2) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (&k, &z) in rows_j.iter().zip(zs_j) {
                let ku = k as usize;
                let (w, m) = (w_h[ku], mk[ku]);
                a += w * z;
                o += w * m;
                den += w;
                if v.spread {
                    let y = z + m - shift;
                    s1 += w * y;
                    s2 += w * (y * y);
                }
            }
            out[ci * hk + h] = if den > 1e-300 {
                let dm = s1 / den;
                CellKnn {
                    knn: Some((a + o) / den),
                    spread: (s2 / den - dm * dm).max(0.0).sqrt(),
                }
            } else {
                CellKnn {
                    knn: None,
                    spread: 1.0,
                }
            };
        }
        for h in 0..hr {
            let w_h = &scratch.wr[h * n..(h + 1) * n];
            let (mut a, mut den) = (0.0, 0.0);
            for (&k, &r) in rows_j.iter().zip(rs_j) {
                let w = w_h[k as usize];
                a += w * r;
                den += w;
            }
            rk[ci * hr + h] = if den > 1e-300 { a / den } else { 0.0 };
        }
    }
    // Leave the weights zero for the next row.
    for &k in &acc.touched {
        let ku = k as usize;
        for h in 0..hk {
            scratch.wk[h * n + ku] = 0.0;
        }
        for h in 0..hr {
            scratch.wr[h * n + ku] = 0.0;
        }
        scratch.mk[ku] = 0.0;
        scratch.eligible[ku] = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(n: usize, p: usize, seed: u64) -> (Train, Resid) {
        let mut rng = crate::analysis::numerics::rng::Rng::new(seed, 0);
        let mut cells = Vec::new();
        for i in 0..n {
            for j in 0..p {
                if rng.uniform() < 0.6 {
                    cells.push((i as u32, j as u32, rng.normal()));
                }
            }
        }
        let train = Train::new(n, p, cells.into_iter());
        let by_row: Vec<f64> = (0..train.nnz()).map(|e| (e as f64 * 0.37).sin()).collect();
        let by_col = train.to_col_order(&by_row);
        (train, Resid { by_row, by_col })
    }

    #[test]
    fn radix_selection_finds_the_same_medians_as_collecting() {
        let s = Settings::default();
        for (n, p) in [(40, 12), (25, 30)] {
            let (train, resid) = board(n, p, n as u64);
            let collected = d0(&train, &resid, &s, usize::MAX).unwrap();
            let radix = d0(&train, &resid, &s, 0).unwrap();
            assert_eq!(collected, radix, "{n} x {p}");
            assert!(collected.knn > 0.0 && collected.rknn > 0.0);
        }
        // Identical rows: every distance is 0, the radix passes end on one value.
        let cells = (0..10u32).flat_map(|i| (0..6u32).map(move |j| (i, j, f64::from(j))));
        let train = Train::new(10, 6, cells);
        let resid = Resid {
            by_row: vec![0.0; 60],
            by_col: vec![0.0; 60],
        };
        assert_eq!(
            d0(&train, &resid, &s, 0).unwrap(),
            D0 {
                knn: 1e-6,
                rknn: 1e-6
            }
        );
    }

    #[test]
    fn pair_sums_are_antisymmetric_and_split_at_the_row() {
        let (train, resid) = board(30, 10, 7);
        let mut a = Acc::new(30);
        let mut b = Acc::new(30);
        accumulate(&train, &resid, 3, false, &mut a);
        let sz3: Vec<(u32, f64)> = a
            .touched
            .iter()
            .map(|&k| (k, a.sums[k as usize][1]))
            .collect();
        assert!(a.count(3) == 0, "a row is not its own neighbour");
        for (k, sz) in sz3 {
            accumulate(&train, &resid, k as usize, false, &mut b);
            assert_eq!(b.sums[3][1], -sz, "m_ki = -m_ik exactly");
        }
    }
}
