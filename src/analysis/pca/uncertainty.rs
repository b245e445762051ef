//! How sure the PCA is: bootstrap confidence intervals for the explained
//! variance ratios and loadings, and Horn's parallel analysis for how many
//! components rise above noise.
//!
//! Both resample the (completed) score matrix many times and refit; the work
//! is spread over threads with rayon, and every resample draws from its own
//! generator seeded by (seed, index), so results do not depend on scheduling.

use linfa::DatasetBase;
use linfa::traits::Fit;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

use super::{NComponents, PcaValidParams};
use crate::analysis::numerics::rng::Rng;
use crate::analysis::{AnalysisError, Pca, budget};

/// The most loadings a bootstrap may hold at once: resamples x components x
/// benchmarks. The percentiles of a loading need its value in every
/// resample, so the bootstrap keeps them all (8 bytes each, 80 MB at the
/// limit, the size of the largest leaderboard MAX_CELLS admits by default);
/// without a bound, a 677 KB body of 100 x 1000 scores with 1500 resamples
/// held 1.2 GB. An ordinary request (1000 resamples of a 10-component fit
/// of 200 benchmarks: 2 million) is far below it.
pub const MAX_BOOTSTRAP_VALUES: usize = 10_000_000;

/// numpy's default ("linear") quantile of unsorted values.
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let pos = q * (values.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
}

/// Percentile intervals from the bootstrap.
#[derive(Debug, Clone)]
pub struct BootstrapIntervals {
    pub resamples: usize,
    /// Resamples that could be fitted (a resample of identical rows has no variance).
    pub valid_resamples: usize,
    pub confidence: f64,
    pub ratio_lower: Array1<f64>,
    pub ratio_upper: Array1<f64>,
    /// k x p.
    pub components_lower: Array2<f64>,
    pub components_upper: Array2<f64>,
}

/// Percentile bootstrap of the fitted PCA: resample models with replacement,
/// refit with the same options and number of components, align each
/// resample's components in sign with the full fit, and take the
/// (1 - confidence) / 2 and (1 + confidence) / 2 quantiles.
pub fn bootstrap(
    x: ArrayView2<'_, f64>,
    params: &PcaValidParams,
    full: &Pca,
    resamples: usize,
    confidence: f64,
    seed: u64,
) -> Result<BootstrapIntervals, AnalysisError> {
    let (n, p) = x.dim();
    let k = full.n_components();
    // Known only now: with an automatic number of components, k comes from the fit.
    let values = resamples.saturating_mul(k).saturating_mul(p);
    if values > MAX_BOOTSTRAP_VALUES {
        return Err(AnalysisError::InvalidBootstrap(format!(
            "the bootstrap would hold {resamples} resamples x {k} components x {p} benchmarks = \
             {values} loadings, more than the limit of {MAX_BOOTSTRAP_VALUES} \
             (MAX_BOOTSTRAP_VALUES): ask for fewer resamples or components"
        )));
    }
    let fixed = params.clone().with_n_components(NComponents::Count(k));
    let deadline = budget::current();
    // Per resample: its ratios and aligned components, or None if it had no variance.
    type Refit = Option<(Array1<f64>, Array2<f64>)>;
    // Collected as one Result, so that the first error (the deadline's)
    // stops the resamples not yet started instead of running each one to
    // its check.
    let fits: Result<Vec<Refit>, AnalysisError> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            budget::with_deadline(deadline, || {
                budget::check()?;
                let mut rng = Rng::new(seed, b as u64);
                let rows: Vec<usize> = (0..n).map(|_| rng.below(n)).collect();
                let sample = x.select(Axis(0), &rows);
                let pca = match fixed.fit(&DatasetBase::new(sample.view(), ())) {
                    Ok(pca) => pca,
                    Err(AnalysisError::ZeroVariance) => return Ok(None),
                    Err(err) => return Err(err),
                };
                let mut comps = pca.components().to_owned();
                for (mut row, reference) in
                    comps.rows_mut().into_iter().zip(full.components().rows())
                {
                    if row.dot(&reference) < 0.0 {
                        row.mapv_inplace(|v| -v);
                    }
                }
                Ok(Some((pca.explained_variance_ratio().to_owned(), comps)))
            })
        })
        .collect();
    let mut ratios: Vec<Array1<f64>> = Vec::with_capacity(resamples);
    let mut comps: Vec<Array2<f64>> = Vec::with_capacity(resamples);
    for (r, c) in fits?.into_iter().flatten() {
        ratios.push(r);
        comps.push(c);
    }
    let valid = ratios.len();
    if valid < 2 {
        return Err(AnalysisError::InvalidBootstrap(
            "fewer than two resamples could be fitted: the models are (nearly) all identical"
                .into(),
        ));
    }
    let (lo_q, hi_q) = ((1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0);
    let interval =
        |mut values: Vec<f64>| (quantile(&mut values, lo_q), quantile(&mut values, hi_q));
    let mut ratio_lower = Array1::zeros(k);
    let mut ratio_upper = Array1::zeros(k);
    for c in 0..k {
        (ratio_lower[c], ratio_upper[c]) = interval(ratios.iter().map(|r| r[c]).collect());
    }
    let mut components_lower = Array2::zeros((k, p));
    let mut components_upper = Array2::zeros((k, p));
    for c in 0..k {
        // Sorting every loading's values is work of the same order as the
        // refits: it honours the deadline too.
        budget::check()?;
        for j in 0..p {
            let (lo, hi) = interval(comps.iter().map(|m| m[[c, j]]).collect());
            components_lower[[c, j]] = lo;
            components_upper[[c, j]] = hi;
        }
    }
    Ok(BootstrapIntervals {
        resamples,
        valid_resamples: valid,
        confidence,
        ratio_lower,
        ratio_upper,
        components_lower,
        components_upper,
    })
}

/// Horn's parallel analysis.
#[derive(Debug, Clone)]
pub struct ParallelAnalysis {
    pub iterations: usize,
    pub quantile: f64,
    /// Eigenvalues (explained variances) of the data, all min(n, p) of them.
    pub observed: Array1<f64>,
    /// Their `quantile` over matrices with each column permuted independently.
    pub reference: Array1<f64>,
    /// Leading components whose eigenvalue exceeds the reference, at least
    /// 1: every answer needs a component, even when none beats noise.
    pub n_retained: usize,
    /// Leading components whose eigenvalue exceeds the reference, 0 when
    /// none does (and `n_retained` is 1 only because an answer needs one).
    pub n_above_reference: usize,
}

/// Horn's method: permute every benchmark's scores independently (which
/// keeps each benchmark's distribution but breaks their correlation), refit,
/// and retain the leading components whose eigenvalue beats the `quantile`
/// of the permuted ones.
pub fn parallel_analysis(
    x: ArrayView2<'_, f64>,
    standardize: bool,
    iterations: usize,
    q: f64,
    seed: u64,
) -> Result<ParallelAnalysis, AnalysisError> {
    let (n, p) = x.dim();
    let all = PcaValidParams::unchecked(NComponents::All, standardize);
    let observed = all
        .fit(&DatasetBase::new(x, ()))?
        .explained_variance()
        .to_owned();
    let deadline = budget::current();
    let permuted: Vec<Result<Option<Array1<f64>>, AnalysisError>> = (0..iterations)
        .into_par_iter()
        .map(|it| {
            budget::with_deadline(deadline, || {
                budget::check()?;
                let mut rng = Rng::new(seed, it as u64);
                let mut shuffled = x.to_owned();
                for mut column in shuffled.columns_mut() {
                    // Fisher-Yates.
                    for i in (1..n).rev() {
                        column.swap(i, rng.below(i + 1));
                    }
                }
                match all.fit(&DatasetBase::new(shuffled.view(), ())) {
                    Ok(pca) => Ok(Some(pca.explained_variance().to_owned())),
                    Err(AnalysisError::ZeroVariance) => Ok(None),
                    Err(err) => Err(err),
                }
            })
        })
        .collect();
    let mut eigen: Vec<Array1<f64>> = Vec::with_capacity(iterations);
    for e in permuted {
        if let Some(e) = e? {
            eigen.push(e);
        }
    }
    let m = n.min(p);
    let reference = Array1::from_shape_fn(m, |c| {
        let mut values: Vec<f64> = eigen.iter().map(|e| e[c]).collect();
        quantile(&mut values, q)
    });
    let n_above_reference = observed
        .iter()
        .zip(&reference)
        .take_while(|(o, r)| o > r)
        .count();
    Ok(ParallelAnalysis {
        iterations,
        quantile: q,
        observed,
        reference,
        n_retained: n_above_reference.max(1),
        n_above_reference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resamples_of_one_repeated_model_are_invalid_not_noise() {
        // Three copies of [0.1, 0.7] have means 0.10000000000000002 and
        // 0.6999999999999998: a resample of one model repeated is constant
        // up to rounding, and its "components" would be rounding noise.
        let x = ndarray::array![[0.1, 0.7], [0.7, 0.1], [0.3, 0.9]];
        let params = PcaValidParams::unchecked(NComponents::Count(1), false);
        let full = params.fit(&DatasetBase::new(x.view(), ())).unwrap();
        let (resamples, seed) = (300, 5);
        let ci = bootstrap(x.view(), &params, &full, resamples, 0.9, seed).unwrap();
        // Which resamples draw one model three times (the same draws as `bootstrap`).
        let repeated = (0..resamples)
            .filter(|&b| {
                let mut rng = Rng::new(seed, b as u64);
                let rows: Vec<usize> = (0..3).map(|_| rng.below(3)).collect();
                rows.iter().all(|&r| r == rows[0])
            })
            .count();
        assert!(repeated > 0);
        assert_eq!(ci.valid_resamples, resamples - repeated);
    }

    /// 9 x 7 independent uniform draws in [0, 1)
    /// (`tests/fixtures/noise_9x7.txt`, which the HTTP test sends too),
    /// whose every eigenvalue is below its permutation reference.
    fn noise() -> Array2<f64> {
        let values: Vec<f64> = include_str!("../../../tests/fixtures/noise_9x7.txt")
            .lines()
            .filter(|line| !line.starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(|v| v.parse().unwrap())
            .collect();
        Array2::from_shape_vec((9, 7), values).unwrap()
    }

    #[test]
    fn noise_retains_one_component_but_says_none_beats_its_reference() {
        let x = noise();
        let pa = parallel_analysis(x.view(), false, 100, 0.95, 0).unwrap();
        assert!(pa.observed[0] <= pa.reference[0], "{pa:?}");
        assert_eq!(pa.n_above_reference, 0);
        assert_eq!(pa.n_retained, 1);
        // One strong direction added to the noise beats its reference.
        let strong = Array2::from_shape_fn((9, 7), |(i, j)| i as f64 * (j + 1) as f64 + x[[i, j]]);
        let pa = parallel_analysis(strong.view(), false, 100, 0.95, 0).unwrap();
        assert!(pa.n_above_reference >= 1, "{pa:?}");
        assert_eq!(pa.n_retained, pa.n_above_reference);
    }

    #[test]
    fn a_bootstrap_over_the_value_limit_is_refused_before_any_refit() {
        let x = ndarray::array![[0.1, 0.7, 0.2], [0.7, 0.1, 0.4], [0.3, 0.9, 0.8]];
        let params = PcaValidParams::unchecked(NComponents::Count(2), false);
        let full = params.fit(&DatasetBase::new(x.view(), ())).unwrap();
        // One resample more than 2 components x 3 benchmarks allow.
        let resamples = MAX_BOOTSTRAP_VALUES / 6 + 1;
        let err = bootstrap(x.view(), &params, &full, resamples, 0.9, 0).unwrap_err();
        match err {
            AnalysisError::InvalidBootstrap(message) => {
                assert!(
                    message.contains(&format!(
                        "{resamples} resamples x 2 components x 3 benchmarks"
                    )),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bootstrap_past_its_deadline_stops_with_the_deadline_error() {
        let x = ndarray::array![[0.1, 0.7, 0.2], [0.7, 0.1, 0.4], [0.3, 0.9, 0.8]];
        let params = PcaValidParams::unchecked(NComponents::Count(2), false);
        let full = params.fit(&DatasetBase::new(x.view(), ())).unwrap();
        let past = std::time::Instant::now() - std::time::Duration::from_secs(1);
        let result = budget::with_deadline(Some(past), || {
            bootstrap(x.view(), &params, &full, 1000, 0.9, 0)
        });
        assert!(
            matches!(result, Err(AnalysisError::DeadlineExceeded)),
            "{result:?}"
        );
    }

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.9]) = [1.75, 2.5, 3.7]
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert!((quantile(&mut v, 0.25) - 1.75).abs() < 1e-12);
        assert!((quantile(&mut v, 0.5) - 2.5).abs() < 1e-12);
        assert!((quantile(&mut v, 0.9) - 3.7).abs() < 1e-12);
    }

    #[test]
    fn generators_are_reproducible_and_unbiased_enough() {
        let a: Vec<u64> = (0..5).map(|_| Rng::new(7, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut rng = Rng::new(1, 0);
        let mean = (0..20000).map(|_| rng.normal()).sum::<f64>() / 20000.0;
        assert!(mean.abs() < 0.05, "{mean}");
        let mut counts = [0usize; 3];
        for _ in 0..30000 {
            counts[rng.below(3)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9000..11000).contains(&c)),
            "{counts:?}"
        );
    }
}
