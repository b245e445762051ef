//! Predictors 2 and 4: similar models. `knn` predicts a cell from the
//! neighbours' scores on the benchmark, each offset by the mean difference
//! between the two models over the benchmarks they share; `rknn` corrects
//! the factorisation with the neighbours' residuals.
//!
//! A pair's statistics (shared count N, mean difference m, spread of the
//! differences v) are computed row by row over the shared benchmarks. A fit
//! of at most 2000 models may keep them for every pair ([`Pairs`]), so that
//! its prediction passes do not sum them again; otherwise they are summed
//! again for each row predicted and memory stays linear in the models. The
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

/// Up to this many model pairs (2000 models), a fit may keep the
/// statistics of every pair from the pass that finds d0 (32 bytes a pair,
/// 64 MB at most), and its prediction passes read them instead of summing
/// each row's pairs again (the request decides: `Context::keep_pairs`);
/// above, they are summed again row by row, so that memory stays linear in
/// the models.
pub const STORE_MAX_PAIRS: usize = 2_000 * 1_999 / 2;

/// The statistics `[N, m, knn's d2, rknn's d2]` of every pair i < k (row
/// i's against the later rows, rows ascending), N = 0 for a pair sharing
/// fewer than `knn_min_shared` benchmarks. The pair seen from k is
/// `[N, -m, d2, d2']`: its differences change sign exactly, their squares
/// not at all, so these are the sums row k's own pass would make.
#[derive(Debug, Clone)]
pub struct Pairs {
    n: usize,
    stats: Vec<[f64; 4]>,
}

impl Pairs {
    /// The position of pair (i, k), i < k.
    #[inline]
    fn at(&self, i: usize, k: usize) -> usize {
        i * (2 * self.n - i - 1) / 2 + (k - i - 1)
    }

    /// Every pair's statistics, summed as the prediction pass sums them.
    fn new(train: &Train, resid: &Resid, s: &Settings) -> Result<Self, AnalysisError> {
        let n = train.n;
        let mut pairs = Self {
            n,
            stats: vec![[0.0; 4]; n * n.saturating_sub(1) / 2],
        };
        let mut acc = Acc::new(n);
        let min = s.knn_min_shared as u32;
        for i in 0..n.saturating_sub(1) {
            budget::check()?;
            accumulate(train, resid, i, true, &mut acc);
            let base = pairs.at(i, i + 1);
            for &k in &acc.touched {
                let ku = k as usize;
                if acc.count(ku) < min {
                    continue;
                }
                let (nn, m, dk, dr) = pair(&acc, ku, s.knn_offset_pen);
                pairs.stats[base + (ku - i - 1)] = [nn, m, dk, dr];
            }
        }
        Ok(pairs)
    }

    /// The medians of the four populations, each collected in pair order
    /// (an order statistic does not depend on the order).
    fn medians(&self, s: &Settings) -> [Option<f64>; POPS] {
        let good = f64::from(good_min(s));
        let mut values = Vec::new();
        std::array::from_fn(|pop| {
            values.clear();
            // Populations 0 and 2 hold the good pairs; 0 and 1 knn's d2.
            let only_good = pop % 2 == 0;
            let at = if pop < 2 { 2 } else { 3 };
            values.extend(
                self.stats
                    .iter()
                    .filter(|st| st[0] > 0.0 && (!only_good || st[0] >= good))
                    .map(|st| st[at]),
            );
            (!values.is_empty()).then(|| super::scale::median(&mut values))
        })
    }

    /// Calls `f(k, [N, m, d2, d2'])` for every eligible pair of row i.
    #[inline]
    fn each_of(&self, i: usize, mut f: impl FnMut(usize, [f64; 4])) {
        for k in 0..i {
            let st = self.stats[self.at(k, i)];
            if st[0] > 0.0 {
                // 0 - m, not -m: a mean difference that cancels to 0 is +0
                // from both sides.
                f(k, [st[0], 0.0 - st[1], st[2], st[3]]);
            }
        }
        if i + 1 < self.n {
            let base = self.at(i, i + 1);
            for (k, &st) in self.stats[base..base + (self.n - i - 1)].iter().enumerate() {
                if st[0] > 0.0 {
                    f(i + 1 + k, st);
                }
            }
        }
    }
}

/// d0 of knn and rknn: the median d2 of the good pairs, else of the
/// eligible ones, else 1; at least 1e-6. With `store`, and at most
/// [`STORE_MAX_PAIRS`] pairs, also every pair's statistics.
pub fn d0(
    train: &Train,
    resid: &Resid,
    s: &Settings,
    collect_max: usize,
    store: bool,
) -> Result<(D0, Option<Pairs>), AnalysisError> {
    let pairs = train.n * train.n.saturating_sub(1) / 2;
    let mut stored = None;
    let medians = if store && pairs <= STORE_MAX_PAIRS {
        let all = Pairs::new(train, resid, s)?;
        let medians = all.medians(s);
        stored = Some(all);
        medians
    } else if pairs <= collect_max {
        let mut pops: [Vec<f64>; POPS] = Default::default();
        each_pair(train, resid, s, &mut |pop, v| pops[pop].push(v))?;
        pops.map(|mut v| (!v.is_empty()).then(|| super::scale::median(&mut v)))
    } else {
        radix_medians(|sink| each_pair(train, resid, s, sink))?
    };
    let pick = |good: Option<f64>, elig: Option<f64>| good.or(elig).unwrap_or(1.0).max(1e-6);
    Ok((
        D0 {
            knn: pick(medians[0], medians[1]),
            rknn: pick(medians[2], medians[3]),
        },
        stored,
    ))
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
    /// One record per row, `[m, knn weights by bandwidth, rknn weights by
    /// bandwidth]`: a neighbour's offset and every weight of it in one
    /// place, read together by the cell sums.
    rec: Vec<f64>,
    eligible: Vec<bool>,
    /// The rows whose records are set.
    near: Vec<u32>,
}

impl RowScratch {
    pub fn new(n: usize, v: &KnnVariants) -> Self {
        Self {
            acc: Acc::new(n),
            rec: vec![0.0; n * (1 + v.knn.len() + v.rknn.len())],
            eligible: vec![false; n],
            near: Vec::new(),
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

/// A benchmark's neighbours: their rows, scores and residuals.
struct Column<'a> {
    rows: &'a [u32],
    zs: &'a [f64],
    rs: &'a [f64],
}

/// One cell's sums over its benchmark's neighbours for every bandwidth of
/// knn (`H`) and rknn (`R`) in one pass, each sum in the neighbours' order
/// (rows ascending) as a pass per bandwidth would add it.
// One index over the bandwidths' sums and weights, as the pass per
// bandwidth wrote them.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn cell_sums<const H: usize, const R: usize, const SPREAD: bool>(
    col: &Column<'_>,
    rec: &[f64],
    shift: f64,
    out: &mut [CellKnn],
    rk: &mut [f64],
) {
    let stride = 1 + H + R;
    let (mut a, mut o, mut den) = ([0.0; H], [0.0; H], [0.0; H]);
    let (mut s1, mut s2) = ([0.0; H], [0.0; H]);
    let (mut ar, mut dr) = ([0.0; R], [0.0; R]);
    for ((&k, &z), &r) in col.rows.iter().zip(col.zs).zip(col.rs) {
        let at = k as usize * stride;
        let rec = &rec[at..at + stride];
        let m = rec[0];
        let wk = &rec[1..1 + H];
        let wr = &rec[1 + H..stride];
        for h in 0..H {
            let w = wk[h];
            a[h] += w * z;
            o[h] += w * m;
            den[h] += w;
        }
        if SPREAD {
            let y = z + m - shift;
            for h in 0..H {
                let w = wk[h];
                s1[h] += w * y;
                s2[h] += w * (y * y);
            }
        }
        for h in 0..R {
            let w = wr[h];
            ar[h] += w * r;
            dr[h] += w;
        }
    }
    for h in 0..H {
        out[h] = if den[h] > 1e-300 {
            let dm = s1[h] / den[h];
            CellKnn {
                knn: Some((a[h] + o[h]) / den[h]),
                spread: (s2[h] / den[h] - dm * dm).max(0.0).sqrt(),
            }
        } else {
            CellKnn {
                knn: None,
                spread: 1.0,
            }
        };
    }
    for h in 0..R {
        rk[h] = if dr[h] > 1e-300 { ar[h] / dr[h] } else { 0.0 };
    }
}

/// [`cell_sums`] for any number of bandwidths, a pass per bandwidth.
#[allow(clippy::needless_range_loop)]
fn cell_sums_any(
    col: &Column<'_>,
    rec: &[f64],
    (hk, hr, spread): (usize, usize, bool),
    shift: f64,
    out: &mut [CellKnn],
    rk: &mut [f64],
) {
    let stride = 1 + hk + hr;
    for h in 0..hk {
        let (mut a, mut o, mut den, mut s1, mut s2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&k, &z) in col.rows.iter().zip(col.zs) {
            let at = k as usize * stride;
            let (w, m) = (rec[at + 1 + h], rec[at]);
            a += w * z;
            o += w * m;
            den += w;
            if spread {
                let y = z + m - shift;
                s1 += w * y;
                s2 += w * (y * y);
            }
        }
        out[h] = if den > 1e-300 {
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
        let (mut a, mut den) = (0.0, 0.0);
        for (&k, &r) in col.rows.iter().zip(col.rs) {
            let w = rec[k as usize * stride + 1 + hk + h];
            a += w * r;
            den += w;
        }
        rk[h] = if den > 1e-300 { a / den } else { 0.0 };
    }
}

/// Predicts row i's cells at the columns `cols` with every asked variant:
/// `out[c * H + h]` for knn (H bandwidths) and `rk[c * R + h]` for rknn.
/// The row's pair statistics come from `pairs` when the fit kept them.
#[allow(clippy::too_many_arguments)]
pub fn predict_row(
    train: &Train,
    resid: &Resid,
    pairs: Option<&Pairs>,
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
    let stride = 1 + hk + hr;
    let (kap, c) = (s.knn_kappa, s.knn_count_c);
    let RowScratch {
        acc,
        rec,
        eligible,
        near,
    } = scratch;
    near.clear();
    let mut weigh = |ku: usize, (nn, m, dk, dr): (f64, f64, f64, f64)| {
        near.push(ku as u32);
        let cw = nn / (nn + c);
        let rec = &mut rec[ku * stride..(ku + 1) * stride];
        rec[0] = m;
        eligible[ku] = true;
        let big_k = (nn * dk + kap * d0.knn) / (nn + kap);
        for (h, &bw) in v.knn.iter().enumerate() {
            rec[1 + h] = (-big_k / (2.0 * bw * bw * d0.knn)).exp() * cw;
        }
        let big_r = (nn * dr + kap * d0.rknn) / (nn + kap);
        for (h, &bw) in v.rknn.iter().enumerate() {
            rec[1 + hk + h] = (-big_r / (2.0 * bw * bw * d0.rknn)).exp() * cw;
        }
    };
    if let Some(pairs) = pairs {
        pairs.each_of(i, |k, [nn, m, dk, dr]| weigh(k, (nn, m, dk, dr)));
    } else {
        accumulate(train, resid, i, false, acc);
        let min = s.knn_min_shared as u32;
        for &k in &acc.touched {
            let ku = k as usize;
            if acc.count(ku) >= min {
                weigh(ku, pair(acc, ku, s.knn_offset_pen));
            }
        }
    }
    let records = &*rec;
    for (ci, &j) in cols.iter().enumerate() {
        let j = j as usize;
        let (rows, zs) = train.col(j);
        let col = Column {
            rows,
            zs,
            rs: &resid.by_col[train.col_range(j)],
        };
        // The spread is summed about the first neighbour's offset value, so
        // that neighbours that agree (or a single one) give 0, not the root
        // of rounding noise.
        let shift = rows
            .iter()
            .zip(zs)
            .find(|&(&k, _)| eligible[k as usize])
            .map_or(0.0, |(&k, &z)| z + records[k as usize * stride]);
        let out = &mut out[ci * hk..(ci + 1) * hk];
        let rk = &mut rk[ci * hr..(ci + 1) * hr];
        // The passes the service makes (every bandwidth in the inner folds,
        // the chosen one after) with their sizes known to the compiler, so
        // that the sums stay in registers.
        match (hk, hr, v.spread) {
            (4, 4, true) => cell_sums::<4, 4, true>(&col, records, shift, out, rk),
            (1, 1, true) => cell_sums::<1, 1, true>(&col, records, shift, out, rk),
            (1, 1, false) => cell_sums::<1, 1, false>(&col, records, shift, out, rk),
            shape => cell_sums_any(&col, records, shape, shift, out, rk),
        }
    }
    // Leave the records zero for the next row.
    for &k in near.iter() {
        let ku = k as usize;
        rec[ku * stride..(ku + 1) * stride].fill(0.0);
        eligible[ku] = false;
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
            let collected = d0(&train, &resid, &s, usize::MAX, false).unwrap().0;
            let radix = d0(&train, &resid, &s, 0, false).unwrap().0;
            let (stored, pairs) = d0(&train, &resid, &s, 0, true).unwrap();
            assert_eq!(collected, radix, "{n} x {p}");
            assert_eq!(collected, stored, "{n} x {p}");
            assert!(pairs.is_some());
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
            d0(&train, &resid, &s, 0, false).unwrap().0,
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

    #[test]
    fn stored_pairs_predict_the_same_bits_as_summing_each_row() {
        let s = Settings::default();
        let (train, resid) = board(40, 12, 3);
        let (d0, pairs) = d0(&train, &resid, &s, usize::MAX, true).unwrap();
        let pairs = pairs.expect("40 models are stored");
        for v in [
            KnnVariants {
                knn: vec![0.3, 0.4, 0.55, 0.75],
                spread: true,
                rknn: vec![0.3, 0.4, 0.55, 0.75],
            },
            KnnVariants {
                knn: vec![0.4],
                spread: false,
                rknn: vec![0.55],
            },
            KnnVariants {
                knn: vec![0.4, 0.55],
                spread: true,
                rknn: vec![0.3],
            },
        ] {
            let (hk, hr) = (v.knn.len(), v.rknn.len());
            let cols: Vec<u32> = (0..12).collect();
            let mut scratch = RowScratch::new(40, &v);
            // Rows with fewer shared benchmarks than knn needs predict
            // nothing; the comparison means something only if most predict.
            let mut predicting = 0;
            for i in 0..40 {
                let run = |pairs: Option<&Pairs>, scratch: &mut RowScratch| {
                    let mut out = vec![CellKnn::default(); 12 * hk];
                    let mut rk = vec![0.0; 12 * hr];
                    predict_row(
                        &train, &resid, pairs, d0, &s, &v, i, &cols, scratch, &mut out, &mut rk,
                    );
                    let bits: Vec<(Option<u64>, u64)> = out
                        .iter()
                        .map(|o| (o.knn.map(f64::to_bits), o.spread.to_bits()))
                        .collect();
                    (bits, rk.iter().map(|r| r.to_bits()).collect::<Vec<_>>())
                };
                let summed = run(None, &mut scratch);
                let stored = run(Some(&pairs), &mut scratch);
                assert_eq!(summed, stored, "row {i}");
                predicting += usize::from(summed.0.iter().any(|o| o.0.is_some()));
            }
            assert!(predicting > 30, "{predicting} of 40 rows predict");
        }
    }
}
