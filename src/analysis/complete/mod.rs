//! Completion of a sparse leaderboard: a predicted score, with a calibrated
//! interval, for every missing cell that can be predicted, the method's own
//! cross-validated error, and (on request) which benchmarks a new model
//! should run first.
//!
//! A blend of four predictors on a common standardised scale (the Bayesian
//! factorisation [`bmf`], similar models [`knn`], benchmark regressions
//! [`reg`], similar models on the factorisation's residuals), with every
//! choice made by an inner cross-validation over the observed cells of the
//! request; intervals from a risk model of the inner-CV errors, calibrated
//! split-conformally ([`interval`]); probes by a greedy search on a fold-in
//! proxy of the probe protocol ([`probes`]). docs/complete.md describes the
//! method, its constants and its figures.
//!
//! The same request gives the same answer bit for bit, whatever the number
//! of threads and whatever the order of its rows and columns: every random
//! number is keyed to a label ([`random`]), rows and columns are put in
//! label order before anything is summed ([`cells`]), and parallel work is
//! collected in a fixed order.

mod answer;
mod blend;
mod bmf;
mod board;
mod cells;
mod fit;
mod interval;
mod knn;
mod params;
mod probes;
mod random;
mod reg;
mod scale;

use rayon::prelude::*;

use crate::analysis::matrix::BenchmarkMatrix;
use crate::analysis::{AnalysisError, budget};
pub use answer::{
    BenchmarkCv, BlendWeights, Choices, Completion, CrossValidation, ErrorSummary, IntervalModel,
    MethodReport, NotPredicted, NotPredictedReason, Prediction, Probes, VariantLoss,
};
pub use blend::PREDICTORS;
use board::{Board, board};
use cells::{CellSet, Train};
use fit::{Context, Fit, Preds, Variants};
pub use interval::FEATURES as RISK_FEATURES;
use interval::Features;
use knn::KnnVariants;
pub(crate) use params::with_settings;
pub use params::{CompleteParams, CompleteValidParams, MAX_PROBES, ScaleKind, Settings};
use scale::median;
pub use scale::{ColumnScale, ScaleSource};

/// The inner-CV outputs of one fold.
struct FoldOut {
    test: CellSet,
    preds: Preds,
    ni: Vec<f64>,
    nj: Vec<f64>,
    fit: Option<Fit>,
}

// A dozen per request, each moved once: not worth a box.
#[allow(clippy::large_enum_variant)]
enum JobOut {
    Fold(FoldOut),
    Final(Fit),
}

fn salt_of(name: &str) -> u64 {
    random::key(name)
}

/// Population standard deviation of the four predictions (numpy's order).
fn spread4(p: &[f64; 4]) -> f64 {
    let mean = (((p[0] + p[1]) + p[2]) + p[3]) / 4.0;
    let d: [f64; 4] = std::array::from_fn(|k| (p[k] - mean) * (p[k] - mean));
    ((((d[0] + d[1]) + d[2]) + d[3]) / 4.0).sqrt()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Completes the leaderboard. Errors (coded at the edge): fewer models than
/// a benchmark needs to be predicted (3), a stated scale naming no
/// benchmark or contradicted by a score, more probes than benchmarks that
/// can be probed, no observed cell that the cross-validation can hold out.
pub fn complete(
    matrix: &BenchmarkMatrix,
    params: &CompleteValidParams,
) -> Result<Completion, AnalysisError> {
    let s = &params.settings;
    if !(1..=fit::MAX_RANK).contains(&s.rank) {
        return Err(AnalysisError::Parameter(format!(
            "the factorisation's rank must be 1 to {}, got {}",
            fit::MAX_RANK,
            s.rank
        )));
    }
    let (n, p) = (matrix.n_models(), matrix.n_benchmarks());
    if n < s.min_col_obs {
        return Err(AnalysisError::TooFewModelsToComplete {
            n_models: n,
            needed: s.min_col_obs,
        });
    }
    let board = board(matrix, params)?;
    let n_probeable = board.col_ok.iter().filter(|&&ok| ok).count();
    if params.probes > n_probeable {
        return Err(AnalysisError::InvalidCompletion(format!(
            "probes asks for {} benchmarks, but only {n_probeable} of the {p} have scores for at \
             least {} models",
            params.probes, s.min_col_obs
        )));
    }
    // ---- inner cross-validation ----
    let k_folds = s.inner_folds;
    let fold = inner_folds(matrix, &board, k_folds);
    let mut jobs: Vec<Option<usize>> = Vec::new();
    let mut tests: Vec<Vec<(u32, u32)>> = Vec::new();
    for f in 0..k_folds {
        let mut row_train = vec![0usize; n];
        let mut col_train = vec![0usize; p];
        for (c, &(i, j)) in board.cells.iter().enumerate() {
            if fold[c] != f {
                row_train[i as usize] += 1;
                col_train[j as usize] += 1;
            }
        }
        let test: Vec<(u32, u32)> = board
            .cells
            .iter()
            .enumerate()
            .filter(|&(c, &(i, j))| {
                fold[c] == f && row_train[i as usize] >= 1 && col_train[j as usize] >= 2
            })
            .map(|(_, &cell)| cell)
            .collect();
        if !test.is_empty() {
            jobs.push(Some(f));
            tests.push(test);
        }
    }
    if jobs.is_empty() {
        return Err(AnalysisError::InvalidCompletion(
            "no observed score can be held out for the cross-validation: the benchmarks with \
             scores for at least 3 models need models with at least 2 scores"
                .into(),
        ));
    }
    let predictable: Vec<(u32, u32)> = (0..n)
        .filter(|&i| board.row_obs[i] > 0)
        .flat_map(|i| {
            let board = &board;
            (0..p)
                .filter(move |&j| board.col_ok[j] && !board.observed[i * p + j])
                .map(move |j| (i as u32, j as u32))
        })
        .collect();
    let predictable = CellSet::new(n, p, predictable);
    // A fit keeps every pair's statistics (32 bytes a pair; the final fit,
    // the first fold and the folds running hold them at once) when they
    // number at most four times the predictions, whose answer takes about
    // 125 bytes each: the memory stays within a few times the answer's.
    let pairs = n * n.saturating_sub(1) / 2;
    let ctx = Context {
        rkeys: &board.rkeys,
        ckeys: &board.ckeys,
        settings: s,
        keep_pairs: pairs <= knn::STORE_MAX_PAIRS && pairs <= 4 * predictable.len(),
    };
    let need_final = !predictable.is_empty() || params.probes > 0;
    if need_final {
        jobs.push(None);
    }
    let first_fold = jobs[0];
    let all = Variants {
        knn: KnnVariants {
            knn: s.knn_h.clone(),
            spread: true,
            rknn: s.knn_h.clone(),
        },
        reg: s.reg_q.clone(),
    };
    let deadline = budget::current();
    let run = |k: usize, job: Option<usize>| -> Result<JobOut, AnalysisError> {
        budget::with_deadline(deadline, || {
            let Some(f) = job else {
                let train = Train::new(
                    n,
                    p,
                    board
                        .cells
                        .iter()
                        .zip(&board.z)
                        .map(|(&(i, j), &z)| (i, j, z)),
                );
                return Ok(JobOut::Final(Fit::new(
                    &ctx,
                    train,
                    salt_of("final"),
                    params.probes > 0,
                )?));
            };
            let train = Train::new(
                n,
                p,
                board
                    .cells
                    .iter()
                    .zip(&board.z)
                    .enumerate()
                    .filter(|&(c, _)| fold[c] != f)
                    .map(|(_, (&(i, j), &z))| (i, j, z)),
            );
            let fit = Fit::new(&ctx, train, salt_of(&format!("fold{f}")), false)?;
            let test = CellSet::new(n, p, tests[k].clone());
            let preds = fit::predict(&fit, s, &test, &all, false)?;
            let ni = test
                .cells
                .iter()
                .map(|&(i, _)| fit.train.row_count(i as usize) as f64)
                .collect();
            let nj = test
                .cells
                .iter()
                .map(|&(_, j)| fit.train.col_count(j as usize) as f64)
                .collect();
            Ok(JobOut::Fold(FoldOut {
                test,
                preds,
                ni,
                nj,
                fit: (job == first_fold).then_some(fit),
            }))
        })
    };
    // The final fit (every cell) is the longest job: started first, on one
    // thread while the other takes the folds, it does not end the phase
    // alone with a core idle.
    let n_folds = tests.len();
    let (final_out, fold_outs) = rayon::join(
        || {
            jobs[n_folds..]
                .iter()
                .map(|&job| run(n_folds, job))
                .collect::<Result<Vec<JobOut>, _>>()
        },
        || {
            jobs[..n_folds]
                .par_iter()
                .enumerate()
                .map(|(k, &job)| run(k, job))
                .collect::<Result<Vec<JobOut>, _>>()
        },
    );
    let mut outs = fold_outs?;
    outs.extend(final_out?);
    let mut folds: Vec<FoldOut> = Vec::new();
    let mut final_fit: Option<Fit> = None;
    for out in outs {
        match out {
            JobOut::Fold(f) => folds.push(f),
            JobOut::Final(f) => final_fit = Some(f),
        }
    }
    let folds_used = folds.len();
    let fold0 = folds[0].fit.take().expect("the first fold keeps its fit");

    // ---- the CV cells, every predictor's variants, the choices ----
    let (hk, nq) = (s.knn_h.len(), s.reg_q.len());
    let mut cv = CvCells::default();
    for f in &folds {
        for (c, &(i, j)) in f.test.cells.iter().enumerate() {
            let ci = board.cell_index(i, j);
            cv.cells.push((i, j));
            cv.truth.push(board.truth[ci]);
            cv.bmf.push(f.preds.bmf[c]);
            cv.sd.push(f.preds.sd[c]);
            cv.ni.push(f.ni[c]);
            cv.nj.push(f.nj[c]);
        }
        cv.knn.extend(&f.preds.knn);
        cv.spread.extend(&f.preds.spread);
        cv.reg.extend(&f.preds.reg);
        cv.rknn.extend(&f.preds.rknn);
    }
    drop(folds);
    let nc = cv.cells.len();
    let sc = &board.scale;
    let eu: Vec<f64> = cv
        .cells
        .iter()
        .map(|&(_, j)| sc.err_unit[j as usize])
        .collect();
    let errors = |z: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..nc)
            .map(|c| {
                let j = cv.cells[c].1 as usize;
                (sc.z_to_internal(j, z(c)) - cv.truth[c]).abs() * eu[c]
            })
            .collect()
    };
    let loss = |z: &dyn Fn(usize) -> f64| blend::central_mean(&mut errors(z));
    let choose = |values: &[f64], stride: usize, preds: &[f64]| -> (usize, Vec<VariantLoss>) {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let losses: Vec<f64> = order
            .iter()
            .map(|&h| loss(&|c| preds[c * stride + h]))
            .collect();
        let best = order[blend::argmin(&losses)];
        let report = order
            .iter()
            .zip(&losses)
            .map(|(&h, &l)| VariantLoss {
                value: values[h],
                loss: l,
            })
            .collect();
        (best, report)
    };
    budget::check()?;
    let bmf_loss = loss(&|c| cv.bmf[c]);
    let (hk_best, knn_losses) = choose(&s.knn_h, hk, &cv.knn);
    let (q_best, reg_losses) = choose(&s.reg_q, nq, &cv.reg);
    let (hr_best, rknn_losses) = choose(&s.knn_h, hk, &cv.rknn);
    let chosen: Vec<[f64; 4]> = (0..nc)
        .map(|c| {
            [
                cv.bmf[c],
                cv.knn[c * hk + hk_best],
                cv.reg[c * nq + q_best],
                cv.rknn[c * hk + hr_best],
            ]
        })
        .collect();
    let steps = (1.0 / s.blend_step).round() as usize;
    let grid = blend::simplex_grid(4, steps);
    let score = |g: &Vec<f64>| -> Result<f64, AnalysisError> {
        budget::with_deadline(deadline, || {
            budget::check()?;
            let g: [f64; 4] = [g[0], g[1], g[2], g[3]];
            Ok(loss(&|c| blend::dot(&chosen[c], &g)))
        })
    };
    let scores: Vec<f64> = if nc >= 5_000 {
        grid.par_iter().map(score).collect::<Result<_, _>>()?
    } else {
        grid.iter().map(score).collect::<Result<_, _>>()?
    };
    let top = blend::best(&scores, s.blend_top);
    let mut w = [0.0; 4];
    for &t in &top {
        for k in 0..4 {
            w[k] += grid[t][k];
        }
    }
    for x in &mut w {
        *x /= top.len() as f64;
    }
    let zcv: Vec<f64> = chosen.iter().map(|pc| blend::dot(pc, &w)).collect();
    let e_cv = errors(&|c| zcv[c]);

    // ---- final predictions, and the risk features of their cells from the first fold ----
    let chosen_variants = |spread: bool| Variants {
        knn: KnnVariants {
            knn: vec![s.knn_h[hk_best]],
            spread,
            rknn: vec![s.knn_h[hr_best]],
        },
        reg: vec![s.reg_q[q_best]],
    };
    let (fin, first) = if predictable.is_empty() {
        (Preds::default(), Preds::default())
    } else {
        let final_fit = final_fit
            .as_ref()
            .expect("a final fit when cells are missing");
        let (a, b) = rayon::join(
            || {
                budget::with_deadline(deadline, || {
                    fit::predict(final_fit, s, &predictable, &chosen_variants(false), true)
                })
            },
            || {
                budget::with_deadline(deadline, || {
                    fit::predict(&fold0, s, &predictable, &chosen_variants(true), true)
                })
            },
        );
        (a?, b?)
    };

    // ---- intervals ----
    budget::check()?;
    let f_cv: Vec<Features> = (0..nc)
        .map(|c| {
            let j = cv.cells[c].1 as usize;
            [
                1.0,
                (cv.sd[c] + 1e-3).ln(),
                (spread4(&chosen[c]) + 0.02).ln(),
                cv.ni[c].ln(),
                cv.nj[c].ln(),
                (sc.slope(j, zcv[c]) * eu[c]).ln(),
                (cv.spread[c * hk + hk_best] + 0.02).ln(),
            ]
        })
        .collect();
    let floor = 0.01 * median(&mut e_cv.clone()).max(1e-3 * mean(&e_cv)).max(1e-12);
    let y: Vec<f64> = e_cv.iter().map(|e| (e + floor).ln()).collect();
    let beta = interval::lstsq(&f_cv, &y)?;
    let risk = |f: &Features| -> f64 {
        let mut acc = 0.0;
        for k in 0..7 {
            acc += f[k] * beta[k];
        }
        acc.exp()
    };
    let r_cv: Vec<f64> = f_cv.iter().map(risk).collect();
    let mut conformity: Vec<f64> = e_cv.iter().zip(&r_cv).map(|(e, r)| e / r).collect();
    let qz = interval::conformal_quantile(&mut conformity, params.level);
    let bounds = |j: usize, z: f64, r: f64| -> (f64, f64) {
        let c = sc.z_to_internal(j, z);
        let half = qz * r / sc.err_unit[j];
        let (lo, hi) = (c - half, c + half);
        if sc.bounded[j] {
            (lo.clamp(0.0, 100.0), hi.clamp(0.0, 100.0))
        } else {
            (lo, hi)
        }
    };
    let mut cover = vec![false; nc];
    let mut width = vec![0.0; nc];
    for c in 0..nc {
        let j = cv.cells[c].1 as usize;
        let (lo, hi) = bounds(j, zcv[c], r_cv[c]);
        cover[c] = lo <= cv.truth[c] && cv.truth[c] <= hi;
        width[c] = hi - lo;
    }
    let mut f_lo = f_cv[0];
    let mut f_hi = f_cv[0];
    for f in &f_cv {
        for k in 0..7 {
            f_lo[k] = f_lo[k].min(f[k]);
            f_hi[k] = f_hi[k].max(f[k]);
        }
    }
    let np_ = predictable.len();
    let mut values = vec![(0.0, 0.0, 0.0); np_];
    for (c, v) in values.iter_mut().enumerate() {
        let (i, j) = predictable.cells[c];
        let (i, j) = (i as usize, j as usize);
        let pf = [fin.bmf[c], fin.knn[c], fin.reg[c], fin.rknn[c]];
        let zf = blend::dot(&pf, &w);
        let p0 = [first.bmf[c], first.knn[c], first.reg[c], first.rknn[c]];
        let mut f: Features = [
            1.0,
            (first.sd[c] + 1e-3).ln(),
            (spread4(&p0) + 0.02).ln(),
            (fold0.train.row_count(i).max(1) as f64).ln(),
            (fold0.train.col_count(j).max(1) as f64).ln(),
            (sc.slope(j, zf) * sc.err_unit[j]).ln(),
            (first.spread[c] + 0.02).ln(),
        ];
        // No extrapolation of the risk model beyond its calibration cells.
        for k in 0..7 {
            f[k] = f[k].max(f_lo[k]).min(f_hi[k]);
        }
        let (lo, hi) = bounds(j, zf, risk(&f));
        let unit = sc.unit[j];
        *v = (sc.z_to_internal(j, zf) / unit, lo / unit, hi / unit);
    }

    // ---- probes ----
    let probe_out = if params.probes > 0 {
        let final_fit = final_fit.as_ref().expect("a final fit with probes");
        Some(probes::choose(
            &board,
            final_fit,
            s,
            probes::Chosen {
                knn_h: s.knn_h[hk_best],
                reg_q: s.reg_q[q_best],
                rknn_h: s.knn_h[hr_best],
                weights: w,
            },
            params.probes,
        )?)
    } else {
        None
    };

    // ---- the answer, in request order ----
    let mut row_pos = vec![0usize; n];
    for (ci, &r) in board.row_of.iter().enumerate() {
        row_pos[r] = ci;
    }
    let mut col_pos = vec![0usize; p];
    for (cj, &c) in board.col_of.iter().enumerate() {
        col_pos[c] = cj;
    }
    let mut at = vec![u32::MAX; n * p];
    for (k, &(i, j)) in predictable.cells.iter().enumerate() {
        at[i as usize * p + j as usize] = k as u32;
    }
    let mut predictions = Vec::with_capacity(np_);
    let mut not_predicted = Vec::new();
    for (r, &i) in row_pos.iter().enumerate() {
        for (c, &j) in col_pos.iter().enumerate() {
            if board.observed[i * p + j] {
                continue;
            }
            let k = at[i * p + j];
            if k != u32::MAX {
                let (value, lower, upper) = values[k as usize];
                predictions.push(Prediction {
                    row: r,
                    col: c,
                    value,
                    lower,
                    upper,
                });
            } else {
                let reason = if board.row_obs[i] == 0 {
                    NotPredictedReason::ModelWithoutScore
                } else {
                    NotPredictedReason::BenchmarkTooSparse {
                        observed: board.col_obs[j],
                        needed: s.min_col_obs,
                    }
                };
                not_predicted.push(NotPredicted {
                    row: r,
                    col: c,
                    reason,
                });
            }
        }
    }
    let summary = |e: &[f64], cover: &[bool], width: &[f64]| ErrorSummary {
        n: e.len(),
        median_abs_error: median(&mut e.to_vec()),
        mean_abs_error: mean(e),
        coverage: cover.iter().filter(|&&x| x).count() as f64 / cover.len() as f64,
        median_width: median(&mut width.to_vec()),
    };
    let width_eu: Vec<f64> = width.iter().zip(&eu).map(|(w, u)| w * u).collect();
    let overall = summary(&e_cv, &cover, &width_eu);
    let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); p];
    for (c, &(_, j)) in cv.cells.iter().enumerate() {
        by_col[j as usize].push(c);
    }
    let per_benchmark = (0..p)
        .filter_map(|col| {
            let j = col_pos[col];
            let cells = &by_col[j];
            if cells.is_empty() {
                return None;
            }
            let unit = sc.unit[j];
            let e: Vec<f64> = cells
                .iter()
                .map(|&c| (sc.z_to_internal(j, zcv[c]) - cv.truth[c]).abs() / unit)
                .collect();
            let cov: Vec<bool> = cells.iter().map(|&c| cover[c]).collect();
            let wid: Vec<f64> = cells.iter().map(|&c| width[c]).collect();
            let mut sum = summary(&e, &cov, &wid);
            sum.median_width /= unit;
            Some(BenchmarkCv { col, summary: sum })
        })
        .collect();
    let scales = (0..p).map(|c| board.scales_detected[col_pos[c]]).collect();
    Ok(Completion {
        predictions,
        not_predicted,
        cross_validation: CrossValidation {
            overall,
            per_benchmark,
            folds_used,
        },
        method: MethodReport {
            scales,
            choices: Choices {
                knn_bandwidth: s.knn_h[hk_best],
                reg_exponent: s.reg_q[q_best],
                rknn_bandwidth: s.knn_h[hr_best],
                losses: [
                    vec![VariantLoss {
                        value: 0.0,
                        loss: bmf_loss,
                    }],
                    knn_losses,
                    reg_losses,
                    rknn_losses,
                ],
            },
            weights: BlendWeights(w),
            interval: IntervalModel {
                level: params.level,
                coefficients: beta,
                conformal_quantile: qz,
                n_calibration: nc,
            },
            settings: s.clone(),
        },
        probes: probe_out.map(|pr| Probes {
            benchmarks: pr.benchmarks.iter().map(|&j| board.col_of[j]).collect(),
            expected_error: pr.expected_error,
        }),
    })
}

/// The CV cells of every fold, in fold order, with every variant's prediction.
#[derive(Default)]
struct CvCells {
    cells: Vec<(u32, u32)>,
    truth: Vec<f64>,
    bmf: Vec<f64>,
    sd: Vec<f64>,
    ni: Vec<f64>,
    nj: Vec<f64>,
    knn: Vec<f64>,
    spread: Vec<f64>,
    reg: Vec<f64>,
    rknn: Vec<f64>,
}

/// The inner fold of every cell of the fits: each model's cells ordered by
/// a hash of (model, benchmark) and dealt round-robin from a hash-chosen
/// start, so every fold holds about 1/K of each model's cells and the
/// assignment depends on the labels alone.
fn inner_folds(matrix: &BenchmarkMatrix, board: &Board, k: usize) -> Vec<usize> {
    let models = matrix.models();
    let benchmarks = matrix.benchmarks();
    let mut fold = vec![0usize; board.cells.len()];
    let mut start = 0;
    while start < board.cells.len() {
        let i = board.cells[start].0;
        let mut end = start;
        while end < board.cells.len() && board.cells[end].0 == i {
            end += 1;
        }
        let model = models[board.row_of[i as usize]].as_bytes();
        let mut order: Vec<(u64, usize)> = (start..end)
            .map(|c| {
                let bench = benchmarks[board.col_of[board.cells[c].1 as usize]].as_bytes();
                (random::fnv1a64(&[model, b"\x1f", bench]), c)
            })
            .collect();
        order.sort();
        let first = (random::fnv1a64(&[model]) % k as u64) as usize;
        for (r, &(_, c)) in order.iter().enumerate() {
            fold[c] = (first + r) % k;
        }
        start = end;
    }
    fold
}
