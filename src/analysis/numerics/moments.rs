//! Whether a benchmark varies: each column's mean and spread, and the one
//! rule that calls a column constant.
//!
//! Every fit in the core asks [`spread`] (the PCA's `zero_variance`,
//! standardisation, the z-scoring of the iterative imputation, and so every
//! bootstrap resample): a column is constant when its variance is within the
//! rounding error of computing it, scikit-learn's `_is_constant_feature`
//! (from Chan, Golub and LeVeque's bound for the two-pass algorithm):
//! var <= n eps var + (n eps mean)^2. An exact `var == 0` test would call
//! three scores of 0.1 variable, because their computed mean is
//! 0.10000000000000002 and the deviations are rounding noise.
//!
//! Deviations are summed in units of a power of two near the column's
//! largest magnitude. Dividing by a power of two changes no digit, so the
//! result is the plain two-pass variance, except that squares of honest but
//! tiny deviations (scores scaled by 1e-200) no longer underflow to zero and
//! make the column look constant.
//!
//! A column that varies, but by less than [`SMALLEST_SPREAD`], is neither:
//! its numbers are subnormal, with fewer than 53 significant bits (5e-324
//! has one), so its mean and standard deviation cannot be written in f64 to
//! the precision of the scores, and a fit that divides by that deviation or
//! decomposes at its scale is off by far more than rounding. Every fit
//! refuses it ([`Spread::is_below_smallest`]) rather than answer such
//! numbers; scores times 1e-300 are well above it and fit exactly.

use ndarray::{Array1, ArrayView2};

/// The smallest spread (population standard deviation) a fit divides by or
/// decomposes at: f64's smallest normal number, 2^-1022.
pub const SMALLEST_SPREAD: f64 = f64::MIN_POSITIVE;

/// How much one column varies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Population standard deviation (ddof = 0).
    pub std: f64,
    /// Constant up to rounding, by scikit-learn's rule.
    pub constant: bool,
}

impl Spread {
    /// The divisor that standardises the column: its standard deviation, or
    /// 1 for a constant column (as scikit-learn's `StandardScaler`), so that
    /// such a column contributes its rounding noise rather than a division
    /// by zero.
    pub fn scale(&self) -> f64 {
        if self.constant { 1.0 } else { self.std }
    }

    /// The column varies, but by less than [`SMALLEST_SPREAD`].
    pub fn is_below_smallest(&self) -> bool {
        !self.constant && self.std < SMALLEST_SPREAD
    }
}

/// The power of two 2^e with 2^e <= `max_abs` < 2^(e+1) (1 for 0): the unit
/// in which a column whose largest magnitude is `max_abs` is summed. Values
/// in this unit are below 2 and their deviations from the mean below 4;
/// a column that is not constant has a standard deviation above n eps |mean|
/// and so, in this unit, a variance far above the underflow threshold.
pub fn unit(max_abs: f64) -> f64 {
    if max_abs >= f64::MIN_POSITIVE && max_abs.is_finite() {
        f64::from_bits(max_abs.to_bits() & (0x7ff << 52))
    } else if max_abs > 0.0 && max_abs.is_finite() {
        // Subnormal: values this small carry few digits anyway.
        f64::MIN_POSITIVE
    } else {
        1.0
    }
}

/// The rule. `sum` and `sum_of_squares` are over the n deviations
/// (x_i - mean) / `unit`, `unit` a power of two (see [`unit`]). The variance
/// is scikit-learn's corrected two-pass formula (its
/// `_incremental_mean_and_var`), (sum of squares - sum^2 / n) / n, and the
/// bound is computed in the same order as `_is_constant_feature`, both in
/// units of `unit`: the decision is the same as scikit-learn's wherever its
/// own squares do not underflow.
pub fn spread(n: usize, mean: f64, unit: f64, sum: f64, sum_of_squares: f64) -> Spread {
    let n = n as f64;
    let var = (sum_of_squares - sum * sum / n) / n;
    let eps = f64::EPSILON;
    let bound = n * eps * var + (n * (mean / unit) * eps).powi(2);
    Spread {
        // Rounding can make the corrected variance slightly negative; a NaN
        // (deviations that overflowed) stays NaN for the caller to refuse.
        std: unit * if var < 0.0 { 0.0 } else { var.sqrt() },
        constant: var <= bound,
    }
}

/// Mean and spread of one column's values (n >= 1).
pub fn of_values(values: &[f64]) -> (f64, Spread) {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let unit = unit(values.iter().fold(0.0, |m: f64, v| m.max(v.abs())));
    let (sum, sum_of_squares) = values.iter().fold((0.0, 0.0), |(s, q), v| {
        let d = (v - mean) / unit;
        (s + d, q + d * d)
    });
    (mean, spread(n, mean, unit, sum, sum_of_squares))
}

/// Column means and units of a leaderboard, read in one pass.
#[derive(Debug, Clone)]
pub struct ColumnScan {
    /// Arithmetic mean of each column (rows summed in order, then divided by n).
    pub mean: Array1<f64>,
    /// [`unit`] of each column's largest magnitude.
    pub unit: Array1<f64>,
}

/// Means and units of the columns of `x` (n >= 1 rows).
pub fn scan_columns(x: ArrayView2<'_, f64>) -> ColumnScan {
    let p = x.ncols();
    let mut sum = vec![0.0; p];
    let mut max_abs = vec![0.0; p];
    fn add<'a>(row: impl Iterator<Item = &'a f64>, sum: &mut [f64], max_abs: &mut [f64]) {
        for ((s, m), &v) in sum.iter_mut().zip(max_abs.iter_mut()).zip(row) {
            *s += v;
            // A comparison rather than `f64::max`, whose NaN rule keeps the
            // loop from being vectorised (the scores are finite).
            let a = v.abs();
            *m = if a > *m { a } else { *m };
        }
    }
    for row in x.rows() {
        match row.as_slice() {
            Some(slice) => add(slice.iter(), &mut sum, &mut max_abs),
            None => add(row.iter(), &mut sum, &mut max_abs),
        }
    }
    let n = x.nrows() as f64;
    ColumnScan {
        mean: Array1::from_iter(sum.into_iter().map(|s| s / n)),
        unit: Array1::from_iter(max_abs.into_iter().map(unit)),
    }
}

/// The spread of each column from its deviations `centred` = x - mean, and
/// the mean of those deviations (rounding left it in the mean; see
/// [`residual`]).
pub fn centred_spreads(
    centred: ArrayView2<'_, f64>,
    mean: &Array1<f64>,
    units: &Array1<f64>,
) -> (Vec<Spread>, Array1<f64>) {
    let p = centred.ncols();
    let inverse: Vec<f64> = units.iter().map(|u| 1.0 / u).collect();
    let mut sum = vec![0.0; p];
    let mut sum_of_squares = vec![0.0; p];
    fn add<'a>(
        row: impl Iterator<Item = &'a f64>,
        inverse: &[f64],
        sum: &mut [f64],
        squares: &mut [f64],
    ) {
        for (((s, q), inv), &d) in sum.iter_mut().zip(squares.iter_mut()).zip(inverse).zip(row) {
            let d = d * inv;
            *s += d;
            *q += d * d;
        }
    }
    for row in centred.rows() {
        match row.as_slice() {
            Some(slice) => add(slice.iter(), &inverse, &mut sum, &mut sum_of_squares),
            None => add(row.iter(), &inverse, &mut sum, &mut sum_of_squares),
        }
    }
    let n = centred.nrows();
    let spreads = (0..p)
        .map(|j| spread(n, mean[j], units[j], sum[j], sum_of_squares[j]))
        .collect();
    (spreads, residual(n, units, &Array1::from(sum)))
}

/// The mean of n deviations from a computed mean, from their `sum` in
/// units of `unit`: what the computed mean missed by rounding. The corrected
/// variance of [`spread`] leaves it out; a decomposition of the deviations
/// must too, by centring them again (as scikit-learn's `PCA` re-centres what
/// its `StandardScaler` centred).
pub fn residual(n: usize, unit: &Array1<f64>, sum: &Array1<f64>) -> Array1<f64> {
    unit * sum / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn units_are_the_power_of_two_at_or_below_the_magnitude() {
        assert_eq!(unit(0.0), 1.0);
        assert_eq!(unit(1.0), 1.0);
        assert_eq!(unit(1.5), 1.0);
        assert_eq!(unit(0.7), 0.5);
        assert_eq!(unit(1e-200), 2f64.powi(-665));
        assert_eq!(unit(f64::MAX), 2f64.powi(1023));
        assert_eq!(unit(1e-310), f64::MIN_POSITIVE);
    }

    #[test]
    fn equal_scores_are_constant_even_when_their_mean_is_not_exact() {
        // sum([0.1, 0.1, 0.1]) / 3 = 0.10000000000000002 (Python), so every
        // deviation is -1.4e-17 and the naive variance is not zero.
        let (mean, s) = of_values(&[0.1, 0.1, 0.1]);
        assert_eq!(mean, 0.10000000000000002);
        assert!(s.constant);
        assert_eq!(s.scale(), 1.0);
        let (_, s) = of_values(&[0.7, 0.7, 0.7]);
        assert!(s.constant);
    }

    #[test]
    fn tiny_and_huge_honest_scales_are_not_constant() {
        let honest = [0.1, 0.4, 0.35, 0.9];
        let (_, reference) = of_values(&honest);
        for factor in [1e-200, 1e-300, 1e150, 1e300] {
            let scaled: Vec<f64> = honest.iter().map(|v| v * factor).collect();
            let (_, s) = of_values(&scaled);
            assert!(!s.constant, "x{factor}");
            let relative = (s.std / factor - reference.std).abs() / reference.std;
            assert!(relative < 1e-14, "x{factor}: std {} ({relative})", s.std);
        }
    }

    #[test]
    fn spreads_below_the_smallest_normal_float_are_neither_constant_nor_fit() {
        // 1 to 4 units of 2^-1074 vary, but by a deviation of one bit.
        let unit = 5e-324;
        let (_, s) = of_values(&[unit, 2.0 * unit, 3.0 * unit, 4.0 * unit]);
        assert!(!s.constant && s.is_below_smallest(), "{s:?}");
        // Constant ones are constant, whatever their size; 1e-300 is a spread.
        assert!(!of_values(&[unit, unit]).1.is_below_smallest());
        assert!(!of_values(&[1e-300, 3e-300]).1.is_below_smallest());
        assert!(of_values(&[1e-310, 3e-310]).1.is_below_smallest());
    }

    #[test]
    fn the_bound_scales_with_the_mean() {
        // One ulp of spread around 1 is rounding; around 0 it is the whole value.
        let ulp = f64::EPSILON;
        assert!(of_values(&[1.0, 1.0, 1.0 + ulp]).1.constant);
        assert!(!of_values(&[0.0, 0.0, ulp]).1.constant);
    }

    #[test]
    fn the_matrix_scan_agrees_with_the_column_one() {
        let x = array![[0.1, 1e-200, 3.0], [0.1, 3e-200, 3.0], [0.1, 2e-200, 3.0]];
        let scan = scan_columns(x.view());
        let centred = &x - &scan.mean;
        let (spreads, _) = centred_spreads(centred.view(), &scan.mean, &scan.unit);
        for (j, spread) in spreads.iter().enumerate() {
            let (mean, s) = of_values(&x.column(j).to_vec());
            assert_eq!(scan.mean[j], mean);
            assert_eq!(*spread, s);
        }
        assert_eq!(
            spreads.iter().map(|s| s.constant).collect::<Vec<_>>(),
            [true, false, true]
        );
    }
}
