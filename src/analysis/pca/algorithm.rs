//! Fitting and applying a PCA.

use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Data, Ix2};
use rayon::iter::{ParallelBridge, ParallelIterator};

use super::hyperparams::{NComponents, PcaValidParams, SIGN_SUM_TOLERANCE, SignConvention};
use crate::analysis::AnalysisError;
use crate::analysis::linalg::{
    RightSvd, centred_gram, column_means, dot, gram_diagonal, gram_right_svd, prefers_gram,
    right_svd, runs_in_parallel, scale_gram,
};

/// The smallest kept singular value, relative to the largest, that the Gram
/// route reproduces to the promised accuracy.
const GRAM_FLOOR: f64 = 1e-4;

/// A fitted PCA, with scikit-learn's attribute names and meanings.
#[derive(Debug, Clone)]
pub struct Pca {
    /// k x p, unit rows (the loadings of each component on each benchmark).
    components: Array2<f64>,
    /// s^2 / (n - 1) for the kept components.
    explained_variance: Array1<f64>,
    /// Relative to the total variance of all benchmarks, not of the kept components.
    explained_variance_ratio: Array1<f64>,
    singular_values: Array1<f64>,
    /// Column means of the raw scores.
    mean: Array1<f64>,
    /// Population standard deviations used to standardise (1 for a constant
    /// benchmark, as scikit-learn's `StandardScaler`), or `None`.
    scale: Option<Array1<f64>>,
    /// The sum of the variances (ddof = 1) of all (scaled) benchmarks.
    total_variance: f64,
    n_samples: usize,
}

impl<D: Data<Elem = f64>, T> Fit<ArrayBase<D, Ix2>, T, AnalysisError> for PcaValidParams {
    type Object = Pca;

    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<Pca, AnalysisError> {
        let x = dataset.records().view();
        let (n, p) = (x.nrows(), x.ncols());
        if n < 2 {
            return Err(AnalysisError::TooFewModels { n_models: n });
        }
        let max_k = n.min(p);
        if let NComponents::Count(k) = self.n_components
            && k > max_k
        {
            return Err(AnalysisError::InvalidNComponents(format!(
                "n_components is {k}, but a leaderboard of {n} models x {p} benchmarks has at most \
                 min({n}, {p}) = {max_k} components"
            )));
        }

        let mean = column_means(x);
        if !mean.iter().all(|m| m.is_finite()) {
            return Err(AnalysisError::NumericOverflow);
        }
        // Tall leaderboards are decomposed through their Gram matrix, which
        // is formed without a centred copy of the scores; the others through
        // the SVD of the centred (and scaled) scores.
        let gram_route = prefers_gram(n, p);
        let (source, scale) = if gram_route {
            let mut gram = centred_gram(x, mean.view());
            let scale = self.standardize.then(|| {
                let scale = population_scale(gram_diagonal(&gram), &mean, n);
                scale_gram(&mut gram, scale.view());
                scale
            });
            (Centred::Gram(gram), scale)
        } else {
            let mut xs = &x - &mean;
            let scale = self.standardize.then(|| {
                let squares = xs.map_axis(Axis(0), |col| col.dot(&col));
                let scale = population_scale(squares, &mean, n);
                xs /= &scale;
                scale
            });
            (Centred::Rows(xs), scale)
        };

        let sum_of_squares: f64 = match &source {
            Centred::Gram(gram) => gram_diagonal(gram).sum(),
            Centred::Rows(xs) => xs.iter().map(|v| v * v).sum(),
        };
        if !sum_of_squares.is_finite() {
            return Err(AnalysisError::NumericOverflow);
        }
        if sum_of_squares == 0.0 {
            return Err(AnalysisError::ZeroVariance);
        }

        crate::analysis::budget::check()?;
        let dof = (n - 1) as f64;
        // Variances and their shares of the total; scikit-learn's full solver
        // takes the total over all singular values.
        let shares = |svd: &RightSvd| {
            let variance: Vec<f64> = svd.singular_values.iter().map(|s| s * s / dof).collect();
            let total: f64 = variance.iter().sum();
            let ratio: Vec<f64> = variance.iter().map(|v| v / total).collect();
            (variance, total, ratio)
        };
        let mut svd = match &source {
            Centred::Gram(gram) => gram_right_svd(gram)?,
            Centred::Rows(xs) => right_svd(xs.view())?,
        };
        drop(source);
        let (mut all_variance, mut total_variance, mut all_ratio) = shares(&svd);
        let k = match self.n_components {
            NComponents::All => max_k,
            NComponents::Count(k) => k,
            NComponents::VarianceFraction(f) => components_for_fraction(&all_ratio, f),
        };
        // The Gram route squares the condition number: a kept component whose
        // singular value is below 1e-4 of the largest would come out with
        // fewer digits than promised, so such fits take the SVD instead.
        if gram_route && svd.singular_values[k - 1] < GRAM_FLOOR * svd.singular_values[0] {
            crate::analysis::budget::check()?;
            svd = right_svd(centre(x, &mean, scale.as_ref()).view())?;
            (all_variance, total_variance, all_ratio) = shares(&svd);
        }

        let mut components = svd.vt.slice(ndarray::s![..k, ..]).to_owned();
        for mut row in components.rows_mut() {
            if should_flip(row.view(), self.sign) {
                row.mapv_inplace(|v| -v);
            }
        }

        Ok(Pca {
            components,
            explained_variance: Array1::from(all_variance[..k].to_vec()),
            explained_variance_ratio: Array1::from(all_ratio[..k].to_vec()),
            singular_values: Array1::from(svd.singular_values[..k].to_vec()),
            mean,
            scale,
            total_variance,
            n_samples: n,
        })
    }
}

/// What a fit decomposes: the centred (and scaled) scores, or their Gram matrix.
enum Centred {
    Rows(Array2<f64>),
    Gram(faer::Mat<f64>),
}

/// The scores centred by `mean` and divided by `scale`.
fn centre(x: ArrayView2<'_, f64>, mean: &Array1<f64>, scale: Option<&Array1<f64>>) -> Array2<f64> {
    let mut xs = &x - mean;
    if let Some(scale) = scale {
        xs /= scale;
    }
    xs
}

/// scikit-learn's `StandardScaler` from each benchmark's sum of squared
/// deviations over `n` models: population standard deviation, and 1 for a
/// benchmark that is constant up to rounding (its `_is_constant_feature`),
/// so that such a benchmark contributes zeros instead of a division by zero.
fn population_scale(squares: Array1<f64>, mean: &Array1<f64>, n: usize) -> Array1<f64> {
    let n = n as f64;
    let var = squares / n;
    let eps = f64::EPSILON;
    ndarray::Zip::from(&var)
        .and(mean)
        .map_collect(|&var, &mean| {
            let bound = n * eps * var + (n * mean * eps).powi(2);
            if var <= bound { 1.0 } else { var.sqrt() }
        })
}

/// scikit-learn: `np.searchsorted(cumsum(ratio), fraction, side="right") + 1`.
fn components_for_fraction(ratio: &[f64], fraction: f64) -> usize {
    let mut cumulative = 0.0;
    let below = ratio
        .iter()
        .take_while(|&&r| {
            cumulative += r;
            cumulative <= fraction
        })
        .count();
    (below + 1).min(ratio.len())
}

fn should_flip(row: ArrayView1<'_, f64>, sign: SignConvention) -> bool {
    if sign == SignConvention::PositiveSum {
        let sum = row.sum();
        if sum.abs() > SIGN_SUM_TOLERANCE {
            return sum < 0.0;
        }
    }
    // First index of the largest magnitude, as numpy's argmax.
    let (_, &largest) = row.iter().enumerate().fold((0, &0.0_f64), |best, (i, v)| {
        if v.abs() > best.1.abs() { (i, v) } else { best }
    });
    largest < 0.0
}

impl Pca {
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }

    pub fn components(&self) -> ArrayView2<'_, f64> {
        self.components.view()
    }

    pub fn explained_variance(&self) -> ArrayView1<'_, f64> {
        self.explained_variance.view()
    }

    pub fn explained_variance_ratio(&self) -> ArrayView1<'_, f64> {
        self.explained_variance_ratio.view()
    }

    pub fn cumulative_explained_variance_ratio(&self) -> Array1<f64> {
        let mut acc = 0.0;
        self.explained_variance_ratio.mapv(|r| {
            acc += r;
            acc
        })
    }

    pub fn singular_values(&self) -> ArrayView1<'_, f64> {
        self.singular_values.view()
    }

    pub fn mean(&self) -> ArrayView1<'_, f64> {
        self.mean.view()
    }

    pub fn scale(&self) -> Option<ArrayView1<'_, f64>> {
        self.scale.as_ref().map(|s| s.view())
    }

    pub fn total_variance(&self) -> f64 {
        self.total_variance
    }

    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// Scores of rows of raw benchmark values on the components: the rows
    /// are centred (and scaled) with the fitted statistics first. Blocks of
    /// rows are centred into one reused buffer per thread and go through one
    /// matrix product each, so no second n x p matrix is allocated; large
    /// inputs spread the blocks over the thread pool.
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        const BLOCK: usize = 256;
        assert_eq!(
            x.ncols(),
            self.mean.len(),
            "one column per fitted benchmark"
        );
        if x.len() * self.n_components() <= SMALL_PROJECTION && x.ncols() > 0 {
            return self.transform_small(x);
        }
        let mut out = Array2::zeros((x.nrows(), self.n_components()));
        let project =
            |buffer: &mut Array2<f64>,
             (rows, mut scores): (ArrayView2<'_, f64>, ArrayViewMut2<'_, f64>)| {
                let mut centred = buffer.slice_mut(ndarray::s![..rows.nrows(), ..]);
                centred.assign(&rows);
                centred -= &self.mean;
                if let Some(scale) = &self.scale {
                    centred /= scale;
                }
                ndarray::linalg::general_mat_mul(
                    1.0,
                    &centred,
                    &self.components.t(),
                    0.0,
                    &mut scores,
                );
            };
        let blocks = x
            .axis_chunks_iter(Axis(0), BLOCK)
            .zip(out.axis_chunks_iter_mut(Axis(0), BLOCK));
        let buffer = || Array2::zeros((BLOCK.min(x.nrows()), x.ncols()));
        if runs_in_parallel(x.len()) {
            blocks.par_bridge().for_each_init(buffer, project);
        } else {
            let mut buffer = buffer();
            blocks.for_each(|block| project(&mut buffer, block));
        }
        out
    }

    /// `transform` for a few thousand multiplications: row by row, each
    /// centred row dotted with each component, without a matrix product's
    /// setup or zeroed buffers (which cost more than the work at this size).
    fn transform_small(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let (n, p, k) = (x.nrows(), x.ncols(), self.n_components());
        let x = x.as_standard_layout();
        let rows = x.as_slice().expect("standard layout is contiguous");
        let components = self.components.as_standard_layout();
        let components = components
            .as_slice()
            .expect("standard layout is contiguous");
        let mean = self.mean.as_slice().expect("built contiguous");
        let scale = self
            .scale
            .as_ref()
            .map(|s| s.as_slice().expect("built contiguous"));
        let mut centred = vec![0.0; p];
        let mut out = Vec::with_capacity(n * k);
        for row in rows.chunks_exact(p) {
            for ((c, v), m) in centred.iter_mut().zip(row).zip(mean) {
                *c = v - m;
            }
            if let Some(scale) = scale {
                centred.iter_mut().zip(scale).for_each(|(c, s)| *c /= s);
            }
            out.extend(components.chunks_exact(p).map(|v| dot(&centred, v)));
        }
        Array2::from_shape_vec((n, k), out).expect("n x k scores")
    }
}

/// Up to this many multiplications, `transform` goes row by row.
const SMALL_PROJECTION: usize = 1 << 15;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::PcaParams;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    fn fit(x: &Array2<f64>, params: PcaParams) -> Result<Pca, AnalysisError> {
        params.fit(&DatasetBase::new(x.view(), ()))
    }

    #[test]
    fn two_perfectly_correlated_benchmarks_have_one_component() {
        let x = array![[0.1, 0.2], [0.2, 0.4], [0.3, 0.6]];
        let pca = fit(&x, PcaParams::new()).unwrap();
        assert_abs_diff_eq!(pca.explained_variance_ratio()[0], 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(pca.explained_variance_ratio()[1], 0.0, epsilon = 1e-12);
        // Loadings proportional to (1, 2), positive by the default sign rule.
        let norm = 5f64.sqrt();
        assert_abs_diff_eq!(pca.components()[[0, 0]], 1.0 / norm, epsilon = 1e-12);
        assert_abs_diff_eq!(pca.components()[[0, 1]], 2.0 / norm, epsilon = 1e-12);
        // explained_variance = s^2 / (n - 1) = total variance here.
        let total = (0.01 + 0.04) * 2.0 / 2.0 + (0.0 + 0.0);
        assert_abs_diff_eq!(pca.explained_variance()[0], total, epsilon = 1e-12);
        assert_abs_diff_eq!(pca.total_variance(), total, epsilon = 1e-12);
    }

    #[test]
    fn ratio_is_relative_to_the_total_variance_not_the_kept_components() {
        let x = array![
            [1.0, 0.0, 3.0],
            [0.0, 2.0, 1.0],
            [4.0, 1.0, 0.0],
            [2.0, 2.0, 2.0]
        ];
        let all = fit(&x, PcaParams::new()).unwrap();
        let one = fit(&x, PcaParams::new().n_components(NComponents::Count(1))).unwrap();
        assert_eq!(one.n_components(), 1);
        assert_abs_diff_eq!(
            one.explained_variance_ratio()[0],
            all.explained_variance_ratio()[0],
            epsilon = 1e-14
        );
        assert!(one.explained_variance_ratio()[0] < 1.0);
        assert!(one.explained_variance()[0].is_finite());
    }

    #[test]
    fn sign_conventions_orient_as_documented() {
        // One component dominated by a large negative loading but positive sum.
        let x = array![[0.0, 0.0, 0.0], [-3.0, 2.0, 2.0], [-6.0, 4.0, 4.0]];
        let sum = fit(&x, PcaParams::new().n_components(NComponents::Count(1))).unwrap();
        assert!(sum.components().row(0).sum() > 0.0);
        let maxabs = fit(
            &x,
            PcaParams::new()
                .n_components(NComponents::Count(1))
                .sign(SignConvention::MaxAbsPositive),
        )
        .unwrap();
        assert!(maxabs.components()[[0, 0]] > 0.0);
    }

    #[test]
    fn the_row_by_row_projection_equals_the_matrix_product() {
        // Below SMALL_PROJECTION, so `transform` goes row by row; the
        // expectation is ndarray's own product of the centred, scaled rows,
        // and the input is a transposed (column-major) view.
        let x = Array2::from_shape_fn((8, 40), |(j, i)| {
            ((i * 13 + j * 29) % 37) as f64 / 11.0 + (i % 7) as f64 * j as f64
        });
        let x = x.t();
        let pca = fit(
            &x.to_owned(),
            PcaParams::new()
                .n_components(NComponents::Count(3))
                .standardize(true),
        )
        .unwrap();
        assert!(x.len() * pca.n_components() <= SMALL_PROJECTION);
        let scale = pca.scale().expect("standardised");
        let want = ((&x - &pca.mean()) / scale).dot(&pca.components().t());
        let got = pca.transform(x);
        assert_eq!(got.dim(), (40, 3));
        for (g, w) in got.iter().zip(&want) {
            assert_abs_diff_eq!(*g, *w, epsilon = 1e-12 * w.abs().max(1.0));
        }
    }

    #[test]
    fn fraction_follows_scikit_learn_searchsorted_right() {
        assert_eq!(components_for_fraction(&[0.5, 0.3, 0.2], 0.5), 2);
        assert_eq!(components_for_fraction(&[0.5, 0.3, 0.2], 0.49), 1);
        assert_eq!(components_for_fraction(&[0.5, 0.3, 0.2], 0.81), 3);
        assert_eq!(components_for_fraction(&[0.5, 0.5], 0.9999999), 2);
    }

    #[test]
    fn too_few_models_constant_data_and_too_many_components_are_errors() {
        let one = array![[0.1, 0.2]];
        assert!(matches!(
            fit(&one, PcaParams::new()),
            Err(AnalysisError::TooFewModels { n_models: 1 })
        ));
        let constant = array![[0.5, 0.5], [0.5, 0.5]];
        assert!(matches!(
            fit(&constant, PcaParams::new()),
            Err(AnalysisError::ZeroVariance)
        ));
        let x = array![[0.1, 0.2], [0.3, 0.1]];
        assert!(matches!(
            fit(&x, PcaParams::new().n_components(NComponents::Count(3))),
            Err(AnalysisError::InvalidNComponents(_))
        ));
        let huge = array![[1e300, 0.0], [-1e300, 1.0]];
        assert!(matches!(
            fit(&huge, PcaParams::new()),
            Err(AnalysisError::NumericOverflow)
        ));
    }

    #[test]
    fn transform_of_the_training_rows_reconstructs_at_full_rank() {
        let x = array![
            [1.0, 0.0, 3.0],
            [0.0, 2.0, 1.0],
            [4.0, 1.0, 0.0],
            [2.0, 2.0, 2.0]
        ];
        let pca = fit(&x, PcaParams::new().standardize(true)).unwrap();
        let scores = pca.transform(x.view());
        let back = scores.dot(&pca.components()) * pca.scale().unwrap() + pca.mean();
        assert_abs_diff_eq!(back, x, epsilon = 1e-12);
    }
}
