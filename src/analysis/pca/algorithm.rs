//! Fitting and applying a PCA.

use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Data, Ix2};
use rayon::iter::{ParallelBridge, ParallelIterator};

use super::hyperparams::{NComponents, PcaValidParams, SIGN_SUM_TOLERANCE, SignConvention};
use crate::analysis::AnalysisError;
use crate::analysis::numerics::linalg::{
    CentredGram, RightSvd, centred_gram, gram_right_svd, prefers_gram, right_svd, runs_in_parallel,
    scale_gram,
};
use crate::analysis::numerics::moments::{
    self, ColumnScan, Spread, centred_spreads, scan_columns, spread,
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
    /// Column means of the raw scores (as computed: a sum divided by n).
    mean: Array1<f64>,
    /// The mean of the deviations from `mean`, what its rounding missed: the
    /// scores are centred by `mean` and then by `residual`, as the fit
    /// centred them (a single f64 `mean + residual` would round it away).
    residual: Array1<f64>,
    /// Population standard deviations used to standardise (1 for a benchmark
    /// that `moments::spread` calls constant, as scikit-learn's
    /// `StandardScaler`), or `None`.
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

        let ColumnScan { mean, unit } = scan_columns(x);
        if !mean.iter().all(|m| m.is_finite()) {
            return Err(AnalysisError::NumericOverflow);
        }
        // Tall leaderboards are decomposed through their Gram matrix, which
        // is formed without a centred copy of the scores; the others through
        // the SVD of the centred scores. Either way each column's spread
        // comes first, in its own unit (see `moments`), and the centring is
        // done twice: the deviations from the computed mean still have a
        // mean of their own (rounding: 0.1 three times has the mean
        // 0.10000000000000002, and every deviation is -1.4e-17), which the
        // corrected variance leaves out and so must the decomposition, as
        // scikit-learn's `StandardScaler` followed by `PCA` does.
        let gram_route = prefers_gram(n, p);
        let (source, spreads, residual) = if gram_route {
            let CentredGram { mut gram, sums } = centred_gram(x, mean.view(), unit.view());
            let spreads: Vec<Spread> = (0..p)
                .map(|j| spread(n, mean[j], unit[j], sums[j], gram[(j, j)]))
                .collect();
            // The Gram matrix of the re-centred columns: G - s s^T / n.
            for j in 0..p {
                for i in j..p {
                    gram[(i, j)] -= sums[i] * sums[j] / n as f64;
                }
            }
            let residual = moments::residual(n, &unit, &sums);
            (Centred::Gram(gram), spreads, residual)
        } else {
            let xs = &x - &mean;
            let (spreads, residual) = centred_spreads(xs.view(), &mean, &unit);
            (Centred::Rows(xs), spreads, residual)
        };
        if !spreads.iter().all(|s| s.std.is_finite()) {
            return Err(AnalysisError::NumericOverflow);
        }
        // The data is constant when every benchmark is: its variance would
        // be rounding noise, and so would components and ratios made of it.
        if spreads.iter().all(|s| s.constant) {
            return Err(AnalysisError::ZeroVariance);
        }
        below_smallest_spread(&spreads, self.standardize)?;

        // What the decomposition sees: each column divided by its
        // standardisation scale, or every column by one power of two near
        // the largest spread (which changes no digit: the decomposition is
        // scale-equivariant), so that scores of any magnitude, 1e-200 or
        // 1e150, are decomposed as O(1) numbers. `out_unit` takes the
        // singular values back to the scores' units.
        let scale = self
            .standardize
            .then(|| Array1::from_iter(spreads.iter().map(Spread::scale)));
        let (divisor, out_unit) = match &scale {
            Some(scale) => (scale.clone(), 1.0),
            None => {
                let g = moments::unit(spreads.iter().fold(0.0, |m: f64, s| m.max(s.std)));
                (Array1::from_elem(p, g), g)
            }
        };
        let source = match source {
            Centred::Gram(mut gram) => {
                // From each column's own unit to the divisor.
                scale_gram(&mut gram, (&divisor / &unit).view());
                Centred::Gram(gram)
            }
            Centred::Rows(mut xs) => {
                ndarray::Zip::from(xs.rows_mut()).for_each(|mut row| {
                    ndarray::Zip::from(&mut row)
                        .and(&residual)
                        .and(&divisor)
                        .for_each(|v, r, d| *v = (*v - r) / d);
                });
                Centred::Rows(xs)
            }
        };

        crate::analysis::budget::check()?;
        let dof = (n - 1) as f64;
        // Variances and their shares of the total; scikit-learn's full solver
        // takes the total over all singular values. The shares are taken in
        // the decomposition's units, where no square underflows.
        let shares = |svd: &RightSvd| {
            let scaled: Vec<f64> = svd.singular_values.iter().map(|s| s * s / dof).collect();
            let scaled_total: f64 = scaled.iter().sum();
            let ratio: Vec<f64> = scaled.iter().map(|v| v / scaled_total).collect();
            let variance: Vec<f64> = svd
                .singular_values
                .iter()
                .map(|s| (s * out_unit).powi(2) / dof)
                .collect();
            let total: f64 = variance.iter().sum();
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
            svd = right_svd(centre(x, &mean, &residual, &divisor).view())?;
            (all_variance, total_variance, all_ratio) = shares(&svd);
        }
        if !total_variance.is_finite() {
            return Err(AnalysisError::NumericOverflow);
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
            singular_values: Array1::from_iter(
                svd.singular_values[..k].iter().map(|s| s * out_unit),
            ),
            mean,
            residual,
            scale,
            total_variance,
            n_samples: n,
        })
    }
}

/// Refuses spreads the fit would work at with fewer digits than it
/// promises (`moments::SMALLEST_SPREAD`): with `standardize`, any varying
/// benchmark's, which each is divided by; without, the largest, which sets
/// the scale the scores are decomposed at (smaller ones beside it only
/// contribute their share, which is below rounding).
fn below_smallest_spread(spreads: &[Spread], standardize: bool) -> Result<(), AnalysisError> {
    let underflow = |column: usize, consequence| {
        Err(AnalysisError::NumericUnderflow {
            column,
            benchmark: None,
            std: spreads[column].std,
            consequence,
        })
    };
    if standardize {
        match spreads.iter().position(Spread::is_below_smallest) {
            Some(j) => underflow(
                j,
                "its standardised scores cannot be computed to the precision of the scores",
            ),
            None => Ok(()),
        }
    } else {
        let largest = (0..spreads.len())
            .filter(|&j| !spreads[j].constant)
            .max_by(|&a, &b| spreads[a].std.total_cmp(&spreads[b].std));
        match largest {
            Some(j) if spreads[j].is_below_smallest() => underflow(
                j,
                "no benchmark varies more, so the components cannot be computed to the \
                 precision of the scores",
            ),
            _ => Ok(()),
        }
    }
}

/// What a fit decomposes: the centred (and scaled) scores, or their Gram matrix.
enum Centred {
    Rows(Array2<f64>),
    Gram(faer::Mat<f64>),
}

/// The scores centred by `mean`, then by `residual`, and divided by `divisor`.
fn centre(
    x: ArrayView2<'_, f64>,
    mean: &Array1<f64>,
    residual: &Array1<f64>,
    divisor: &Array1<f64>,
) -> Array2<f64> {
    let mut xs = &x - mean;
    xs -= residual;
    xs /= divisor;
    xs
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

    /// Scores of rows of raw benchmark values on the components (see [`project`]).
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        project(
            x,
            self.mean.view(),
            Some(self.residual.view()),
            self.scale.as_ref().map(|s| s.view()),
            self.components.view(),
        )
    }
}

/// Scores of rows of raw benchmark values on `components` (k x p): the rows
/// are centred by `mean`, then by `residual` when the fit kept one (what the
/// f64 mean's rounding missed; a basis does not carry it, which moves a score
/// by well under 1e-14), and divided by `scale`. Blocks of rows are
/// centred into one reused buffer per thread and go through one matrix
/// product each, so no second n x p matrix is allocated; large inputs spread
/// the blocks over the thread pool. A fitted PCA and a basis sent back by a
/// client (`analysis::pca::basis`) both project through here.
pub fn project(
    x: ArrayView2<'_, f64>,
    mean: ArrayView1<'_, f64>,
    residual: Option<ArrayView1<'_, f64>>,
    scale: Option<ArrayView1<'_, f64>>,
    components: ArrayView2<'_, f64>,
) -> Array2<f64> {
    const BLOCK: usize = 256;
    // Components x benchmarks up to which scores are dot products.
    const SMALL_PRODUCT: usize = 64;
    assert_eq!(x.ncols(), mean.len(), "one column per fitted benchmark");
    if x.ncols() > 0 && components.len() <= SMALL_PRODUCT && !runs_in_parallel(x.len()) {
        return project_small(x, mean, residual, scale, components);
    }
    let mut out = Array2::zeros((x.nrows(), components.nrows()));
    let project =
        |buffer: &mut Array2<f64>,
         (rows, mut scores): (ArrayView2<'_, f64>, ArrayViewMut2<'_, f64>)| {
            let mut centred = buffer.slice_mut(ndarray::s![..rows.nrows(), ..]);
            centred.assign(&rows);
            centred -= &mean;
            if let Some(residual) = &residual {
                centred -= residual;
            }
            if let Some(scale) = &scale {
                centred /= scale;
            }
            ndarray::linalg::general_mat_mul(1.0, &centred, &components.t(), 0.0, &mut scores);
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

/// [`project`] for a few components of a few benchmarks: each row centred
/// into a small buffer (the same operations in the same order), and each
/// score a dot product, which costs less than packing the operands of a
/// matrix product and the per-row overhead of array expressions.
fn project_small(
    x: ArrayView2<'_, f64>,
    mean: ArrayView1<'_, f64>,
    residual: Option<ArrayView1<'_, f64>>,
    scale: Option<ArrayView1<'_, f64>>,
    components: ArrayView2<'_, f64>,
) -> Array2<f64> {
    let (n, p) = x.dim();
    let k = components.nrows();
    let mean = mean.to_vec();
    let residual = residual.map(|r| r.to_vec());
    let scale = scale.map(|s| s.to_vec());
    let components = components.as_standard_layout();
    let components = components
        .as_slice()
        .expect("standard layout is contiguous");
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout is contiguous");
    let mut centred = vec![0.0; p];
    let mut out = Vec::with_capacity(n * k);
    // The components in groups of up to four, each with its size, found
    // once rather than by a division per row.
    let groups: Vec<(&[f64], usize)> = components
        .chunks(4 * p)
        .map(|group| (group, group.len() / p))
        .collect();
    // Slices of length p, so that indexing them by j < p needs no checks.
    let (mean, residual, scale) = (&mean[..p], residual.as_deref(), scale.as_deref());
    let (residual, scale) = (residual.map(|r| &r[..p]), scale.map(|s| &s[..p]));
    for row in x.chunks_exact(p) {
        let (row, centred) = (&row[..p], &mut centred[..p]);
        for j in 0..p {
            let mut c = row[j] - mean[j];
            if let Some(residual) = residual {
                c -= residual[j];
            }
            if let Some(scale) = scale {
                c /= scale[j];
            }
            centred[j] = c;
        }
        for &(group, size) in &groups {
            match size {
                4 => dot_products::<4>(centred, group, &mut out),
                3 => dot_products::<3>(centred, group, &mut out),
                2 => dot_products::<2>(centred, group, &mut out),
                _ => dot_products::<1>(centred, group, &mut out),
            }
        }
    }
    Array2::from_shape_vec((n, k), out).expect("n x k scores")
}

/// The dot products of `centred` with the `G` rows of `group`, each summed
/// in benchmark order from -0.0 as `Iterator::sum` does (the same bits as
/// one dot product at a time), reading the row once for all of them.
#[inline]
fn dot_products<const G: usize>(centred: &[f64], group: &[f64], out: &mut Vec<f64>) {
    let p = centred.len();
    let rows: [&[f64]; G] = std::array::from_fn(|t| &group[t * p..(t + 1) * p]);
    let mut sums = [-0.0f64; G];
    for (j, c) in centred.iter().enumerate() {
        for (sum, row) in sums.iter_mut().zip(rows) {
            *sum += c * row[j];
        }
    }
    out.extend_from_slice(&sums);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::PcaParams;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    fn fit(x: &Array2<f64>, params: PcaParams) -> Result<Pca, AnalysisError> {
        params.fit(&DatasetBase::new(x.view(), ()))
    }

    /// A full-rank matrix with unequal columns, small enough to check by hand.
    fn four_by_three() -> Array2<f64> {
        array![
            [1.0, 0.0, 3.0],
            [0.0, 2.0, 1.0],
            [4.0, 1.0, 0.0],
            [2.0, 2.0, 2.0]
        ]
    }

    #[test]
    fn small_projections_equal_the_matrix_product() {
        let (n, p, k) = (37, 6, 4);
        let x = Array2::from_shape_fn((n, p), |(i, j)| ((i * 7 + j * 13) % 11) as f64 * 0.37 - 1.5);
        let components = Array2::from_shape_fn((k, p), |(c, j)| ((c * 5 + j * 3) % 7) as f64 - 3.0);
        let mean = Array1::from_shape_fn(p, |j| 0.1 * j as f64);
        let residual = Array1::from_elem(p, 1e-17);
        let scale = Array1::from_shape_fn(p, |j| 1.0 + j as f64);
        for (residual, scale) in [(None, None), (Some(residual.view()), Some(scale.view()))] {
            let small = project_small(x.view(), mean.view(), residual, scale, components.view());
            let mut centred = &x - &mean;
            if let Some(residual) = residual {
                centred -= &residual;
            }
            if let Some(scale) = scale {
                centred /= &scale;
            }
            let product = centred.dot(&components.t());
            assert_eq!(small.dim(), (n, k));
            for (a, b) in small.iter().zip(&product) {
                assert_abs_diff_eq!(a, b, epsilon = 1e-12);
            }
        }
    }

    #[test]
    fn grouped_dot_products_are_the_one_at_a_time_sums_bit_for_bit() {
        let p = 7;
        let centred: Vec<f64> = (0..p).map(|j| ((j * 37 % 11) as f64 - 5.3) / 3.1).collect();
        for k in 0..10 {
            let components: Vec<f64> = (0..k * p)
                .map(|i| ((i * 53 % 17) as f64 - 8.7) / 7.3)
                .collect();
            let x = Array2::from_shape_vec((1, p), centred.clone()).unwrap();
            let zeros = Array1::zeros(p);
            let components = Array2::from_shape_vec((k, p), components).unwrap();
            let got = project_small(x.view(), zeros.view(), None, None, components.view());
            for (c, row) in components.rows().into_iter().enumerate() {
                let one: f64 = centred.iter().zip(row).map(|(a, w)| (a - 0.0) * w).sum();
                assert_eq!(
                    got[[0, c]].to_bits(),
                    one.to_bits(),
                    "k = {k}, component {c}"
                );
            }
        }
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
        let x = four_by_three();
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
    fn benchmarks_constant_up_to_rounding_have_zero_variance() {
        // The float64 mean of three 0.1s is 0.10000000000000002: the
        // deviations are rounding noise, not variance (scikit-learn's
        // `_is_constant_feature` agrees; its PCA decomposes the noise).
        let x = array![[0.1, 0.7], [0.1, 0.7], [0.1, 0.7]];
        assert_ne!(x.column(0).sum() / 3.0, 0.1);
        for standardize in [false, true] {
            assert!(matches!(
                fit(&x, PcaParams::new().standardize(standardize)),
                Err(AnalysisError::ZeroVariance)
            ));
        }
        // Beside an honest benchmark, such a benchmark keeps scale 1.
        let x = array![[0.1, 0.3], [0.1, 0.5], [0.1, 0.9]];
        let pca = fit(&x, PcaParams::new().standardize(true)).unwrap();
        assert_eq!(pca.scale().unwrap()[0], 1.0);
        assert_abs_diff_eq!(pca.explained_variance_ratio()[0], 1.0, epsilon = 1e-12);
    }

    /// The fit of x times a factor is the fit of x with singular values,
    /// projections and scales times the factor, on both routes, centred and
    /// standardised: squares of 1e-200 scores must not underflow into
    /// "constant", nor those of 1e150 scores overflow.
    #[test]
    fn tiny_and_huge_honest_scales_fit_like_unit_scale() {
        let wave =
            |i: usize, j: usize| ((i * 7 + j * 3) % 11) as f64 / 10.0 + (i * j) as f64 / 50.0;
        let small = Array2::from_shape_fn((6, 3), |(i, j)| wave(i, j));
        let tall = Array2::from_shape_fn((40, 3), |(i, j)| wave(i, j));
        assert!(crate::analysis::numerics::linalg::prefers_gram(40, 3));
        for x in [small, tall] {
            for standardize in [false, true] {
                let params = PcaParams::new().standardize(standardize);
                let reference = fit(&x, params.clone()).unwrap();
                let projections = reference.transform(x.view());
                for factor in [1e-200, 1e-300, 1e150] {
                    let what = format!("{:?} x {factor:e}, standardize {standardize}", x.dim());
                    let scaled = &x * factor;
                    let pca =
                        fit(&scaled, params.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    // Standardised scores, and so their singular values and
                    // projections, do not depend on the factor.
                    let unit = if standardize { 1.0 } else { factor };
                    let s0 = reference.singular_values()[0] * unit;
                    for c in 0..pca.n_components() {
                        let (r, r0) = (
                            pca.explained_variance_ratio()[c],
                            reference.explained_variance_ratio()[c],
                        );
                        assert!((r - r0).abs() < 1e-12, "{what}: ratio {c} {r} vs {r0}");
                        let (s, s_ref) = (pca.singular_values()[c], reference.singular_values()[c]);
                        assert!((s - s_ref * unit).abs() < 1e-12 * s0, "{what}: s {c}");
                        for j in 0..3 {
                            let (a, b) = (pca.components()[[c, j]], reference.components()[[c, j]]);
                            assert!((a - b).abs() < 1e-12, "{what}: component {c}: {a} vs {b}");
                        }
                    }
                    let want = &projections * unit;
                    let top = want.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
                    let ours = pca.transform(scaled.view());
                    for (a, b) in ours.iter().zip(&want) {
                        assert!(
                            (a - b).abs() < 1e-12 * top,
                            "{what}: projection {a:e} vs {b:e}"
                        );
                    }
                    if let (Some(scale), Some(scale0)) = (pca.scale(), reference.scale()) {
                        for (a, b) in scale.iter().zip(scale0) {
                            let want = b * factor;
                            assert!(
                                (a - want).abs() < 1e-12 * want,
                                "{what}: scale {a:e} vs {want:e}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn transform_of_the_training_rows_reconstructs_at_full_rank() {
        let x = four_by_three();
        let pca = fit(&x, PcaParams::new().standardize(true)).unwrap();
        let scores = pca.transform(x.view());
        let back = scores.dot(&pca.components()) * pca.scale().unwrap() + pca.mean();
        assert_abs_diff_eq!(back, x, epsilon = 1e-12);
    }
}
