//! One fit of the four predictors on a set of training cells, and its
//! predictions at any set of cells with any of the predictors' variants.

use rayon::prelude::*;

use super::bmf::{self, Samples};
use super::cells::{CellSet, Train};
use super::knn::{self, CellKnn, D0, KnnVariants, Pairs, Resid, RowScratch};
use super::params::Settings;
use super::reg::{self, RegAcc};
use crate::analysis::{AnalysisError, budget};

/// The chain's samples, for the ranks the method supports (a const K keeps
/// the K x K algebra on the stack and unrolled).
#[derive(Debug, Clone)]
pub enum BmfSamples {
    R1(Samples<2>),
    R2(Samples<3>),
    R3(Samples<4>),
    R4(Samples<5>),
}

/// Calls `$body` with `$s` bound to the samples of whichever rank.
macro_rules! with_samples {
    ($samples:expr, $s:ident => $body:expr) => {
        match $samples {
            $crate::analysis::complete::fit::BmfSamples::R1($s) => $body,
            $crate::analysis::complete::fit::BmfSamples::R2($s) => $body,
            $crate::analysis::complete::fit::BmfSamples::R3($s) => $body,
            $crate::analysis::complete::fit::BmfSamples::R4($s) => $body,
        }
    };
}
pub(crate) use with_samples;

impl BmfSamples {
    /// The posterior at row i's cells in the columns `cols`, in order.
    pub fn posterior_row(&self, i: usize, cols: &[u32], out: impl FnMut(f64, f64)) {
        with_samples!(self, s => s.posterior_row(i, cols, out))
    }
}

/// The highest rank [`BmfSamples`] holds.
pub const MAX_RANK: usize = 4;

/// A fit: its training cells, the factorisation's samples, the
/// factorisation's residuals at the training cells, the pair distances'
/// medians and (below [`knn::STORE_MAX_PAIRS`]) every pair's statistics.
pub struct Fit {
    pub train: Train,
    pub bmf: BmfSamples,
    pub resid: Resid,
    pub d0: D0,
    pub pairs: Option<Pairs>,
}

/// Keys and settings shared by every fit of a request.
pub struct Context<'a> {
    pub rkeys: &'a [u64],
    pub ckeys: &'a [u64],
    pub settings: &'a Settings,
    /// Whether fits keep every pair's statistics for their predictions.
    pub keep_pairs: bool,
}

impl Fit {
    pub fn new(
        ctx: &Context<'_>,
        train: Train,
        salt: u64,
        probe: bool,
    ) -> Result<Self, AnalysisError> {
        let s = ctx.settings;
        let run = |train: &Train| -> Result<BmfSamples, AnalysisError> {
            let (r, c) = (ctx.rkeys, ctx.ckeys);
            Ok(match s.rank {
                1 => BmfSamples::R1(bmf::sample::<2>(train, r, c, salt, s, probe)?),
                2 => BmfSamples::R2(bmf::sample::<3>(train, r, c, salt, s, probe)?),
                3 => BmfSamples::R3(bmf::sample::<4>(train, r, c, salt, s, probe)?),
                4 => BmfSamples::R4(bmf::sample::<5>(train, r, c, salt, s, probe)?),
                _ => unreachable!("the rank is checked with the parameters"),
            })
        };
        let bmf = run(&train)?;
        let mut by_row = Vec::with_capacity(train.nnz());
        for i in 0..train.n {
            let (cols, zs) = train.row(i);
            let mut z = zs.iter();
            bmf.posterior_row(i, cols, |m, _| {
                by_row.push(z.next().expect("a z per column") - m);
            });
        }
        let by_col = train.to_col_order(&by_row);
        let resid = Resid { by_row, by_col };
        let (d0, pairs) = knn::d0(&train, &resid, s, knn::COLLECT_MAX_PAIRS, ctx.keep_pairs)?;
        Ok(Self {
            train,
            bmf,
            resid,
            d0,
            pairs,
        })
    }
}

/// Which variants a prediction pass computes.
#[derive(Debug, Clone)]
pub struct Variants {
    pub knn: KnnVariants,
    pub reg: Vec<f64>,
}

/// Predictions at a cell set: `knn[c * H + h]`, `reg[c * Q + q]`,
/// `rknn[c * H' + h]` in the order of the variants asked.
#[derive(Debug, Clone, Default)]
pub struct Preds {
    pub bmf: Vec<f64>,
    pub sd: Vec<f64>,
    pub knn: Vec<f64>,
    pub spread: Vec<f64>,
    pub reg: Vec<f64>,
    pub rknn: Vec<f64>,
}

/// Work below this many cells is not worth spreading over threads.
const PARALLEL_MIN_CELLS: usize = 2_000;

struct RowsOut {
    bmf: Vec<f64>,
    sd: Vec<f64>,
    knn: Vec<f64>,
    spread: Vec<f64>,
    rknn: Vec<f64>,
}

fn predict_rows(
    fit: &Fit,
    s: &Settings,
    cells: &CellSet,
    v: &KnnVariants,
    rows: std::ops::Range<usize>,
) -> Result<RowsOut, AnalysisError> {
    let (hk, hr) = (v.knn.len(), v.rknn.len());
    let first = cells.row_range(rows.start).start;
    let last = cells.row_range(rows.end - 1).end;
    let len = last - first;
    let mut out = RowsOut {
        bmf: Vec::with_capacity(len),
        sd: Vec::with_capacity(len),
        knn: vec![0.0; len * hk],
        spread: if v.spread {
            vec![0.0; len * hk]
        } else {
            Vec::new()
        },
        rknn: vec![0.0; len * hr],
    };
    let mut scratch = RowScratch::new(fit.train.n, v);
    let mut cols: Vec<u32> = Vec::new();
    let mut kn: Vec<CellKnn> = Vec::new();
    let mut rk: Vec<f64> = Vec::new();
    for i in rows {
        let range = cells.row_range(i);
        if range.is_empty() {
            continue;
        }
        budget::check()?;
        cols.clear();
        cols.extend(cells.cells[range.clone()].iter().map(|&(_, j)| j));
        let at = range.start - first;
        fit.bmf.posterior_row(i, &cols, |m, sd| {
            out.bmf.push(m);
            out.sd.push(sd);
        });
        kn.clear();
        kn.resize(cols.len() * hk, CellKnn::default());
        rk.clear();
        rk.resize(cols.len() * hr, 0.0);
        knn::predict_row(
            &fit.train,
            &fit.resid,
            fit.pairs.as_ref(),
            fit.d0,
            s,
            v,
            i,
            &cols,
            &mut scratch,
            &mut kn,
            &mut rk,
        );
        for c in 0..cols.len() {
            let m = out.bmf[at + c];
            for h in 0..hk {
                let o = kn[c * hk + h];
                out.knn[(at + c) * hk + h] = o.knn.unwrap_or(m);
                if v.spread {
                    out.spread[(at + c) * hk + h] = o.spread;
                }
            }
            for h in 0..hr {
                out.rknn[(at + c) * hr + h] = m + rk[c * hr + h];
            }
        }
    }
    Ok(out)
}

/// Splits rows into chunks of about equal numbers of cells.
fn row_chunks(cells: &CellSet, parts: usize) -> Vec<std::ops::Range<usize>> {
    let n = cells.n_rows();
    let target = cells.len().div_ceil(parts.max(1)).max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut acc = 0;
    for i in 0..n {
        acc += cells.row_range(i).len();
        if acc >= target || i + 1 == n {
            out.push(start..i + 1);
            start = i + 1;
            acc = 0;
        }
    }
    out.retain(|r| cells.row_range(r.start).start < cells.row_range(r.end - 1).end);
    out
}

/// Predicts `cells` with the variants `v`; `parallel` spreads rows (and
/// benchmarks) over the thread pool. Every cell's value is computed by one
/// task in a fixed order, so the result does not depend on the threads.
pub fn predict(
    fit: &Fit,
    s: &Settings,
    cells: &CellSet,
    v: &Variants,
    parallel: bool,
) -> Result<Preds, AnalysisError> {
    let nc = cells.len();
    if nc == 0 {
        return Ok(Preds::default());
    }
    let parallel = parallel && nc >= PARALLEL_MIN_CELLS;
    let chunks = row_chunks(cells, if parallel { 64 } else { 1 });
    let deadline = budget::current();
    let outs: Vec<RowsOut> = if parallel {
        chunks
            .into_par_iter()
            .map(|r| budget::with_deadline(deadline, || predict_rows(fit, s, cells, &v.knn, r)))
            .collect::<Result<_, _>>()?
    } else {
        chunks
            .into_iter()
            .map(|r| predict_rows(fit, s, cells, &v.knn, r))
            .collect::<Result<_, _>>()?
    };
    let mut preds = Preds::default();
    for o in outs {
        preds.bmf.extend(o.bmf);
        preds.sd.extend(o.sd);
        preds.knn.extend(o.knn);
        preds.spread.extend(o.spread);
        preds.rknn.extend(o.rknn);
    }
    // Regressions, benchmark by benchmark.
    let nq = v.reg.len();
    let p = fit.train.p;
    let column = |j: usize, acc: &mut RegAcc| -> Result<Vec<(u32, f64)>, AnalysisError> {
        let idx = cells.col_cells(j);
        if idx.is_empty() {
            return Ok(Vec::new());
        }
        budget::check()?;
        let line = reg::into_target(&fit.train, j, s, acc);
        let mut out = Vec::with_capacity(idx.len() * nq);
        for &q in &v.reg {
            let w = reg::weights(&line, q);
            for &c in idx {
                let (i, _) = cells.cells[c as usize];
                let (cols, zs) = fit.train.row(i as usize);
                let value = reg::predict(&w, cols, zs).unwrap_or(preds.bmf[c as usize]);
                out.push((c, value));
            }
        }
        Ok(out)
    };
    let by_col: Vec<Vec<(u32, f64)>> = if parallel {
        (0..p)
            .into_par_iter()
            .map_init(
                || RegAcc::new(p),
                |acc, j| budget::with_deadline(deadline, || column(j, acc)),
            )
            .collect::<Result<_, _>>()?
    } else {
        let mut acc = RegAcc::new(p);
        (0..p)
            .map(|j| column(j, &mut acc))
            .collect::<Result<_, _>>()?
    };
    preds.reg = vec![0.0; nc * nq];
    for (j, col) in by_col.into_iter().enumerate() {
        let len = cells.col_cells(j).len();
        for (k, (c, value)) in col.into_iter().enumerate() {
            let q = k / len;
            preds.reg[c as usize * nq + q] = value;
        }
    }
    Ok(preds)
}
