//! Prediction intervals: a log-linear model of the inner-CV absolute errors
//! on a few risk features, calibrated split-conformally to the level asked.

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::svd::{self, ComputeSvdVectors};
use faer::{Mat, Par};

use crate::analysis::AnalysisError;

/// The risk features, in the order of the coefficients.
pub const FEATURES: [&str; 7] = [
    "1",
    "log bmf sd",
    "log predictor sd",
    "log n_model",
    "log n_bench",
    "log slope",
    "log knn spread",
];

pub type Features = [f64; 7];

/// The minimum-norm least-squares solution of F beta = y (numpy's `lstsq`
/// with its default cut-off: singular values at most eps max(N, 7) times
/// the largest count as zero).
pub fn lstsq(f: &[Features], y: &[f64]) -> Result<Features, AnalysisError> {
    let (m, k) = (f.len(), 7);
    let a = Mat::<f64>::from_fn(m, k, |i, j| f[i][j]);
    let size = m.min(k);
    let mut s = Diag::<f64>::zeros(size);
    let mut u = Mat::<f64>::zeros(m, size);
    let mut v = Mat::<f64>::zeros(k, size);
    let par = Par::Seq;
    let scratch = svd::svd_scratch::<f64>(
        m,
        k,
        ComputeSvdVectors::Thin,
        ComputeSvdVectors::Thin,
        par,
        Default::default(),
    );
    let mut buffer = MemBuffer::new(scratch);
    svd::svd(
        a.as_ref(),
        s.as_mut(),
        Some(u.as_mut()),
        Some(v.as_mut()),
        par,
        MemStack::new(&mut buffer),
        Default::default(),
    )
    .map_err(|_| AnalysisError::NoConvergence)?;
    let sv: Vec<f64> = s.column_vector().iter().copied().collect();
    let smax = sv.iter().copied().fold(0.0, f64::max);
    let cut = f64::EPSILON * m.max(k) as f64 * smax;
    let mut beta = [0.0; 7];
    for r in 0..size {
        if sv[r] <= cut {
            continue;
        }
        let mut uty = 0.0;
        for i in 0..m {
            uty += u[(i, r)] * y[i];
        }
        let c = uty / sv[r];
        for (j, b) in beta.iter_mut().enumerate() {
            *b += v[(j, r)] * c;
        }
    }
    Ok(beta)
}

/// The ceil((N + 1) level)-th smallest score (at most the N-th).
pub fn conformal_quantile(scores: &mut [f64], level: f64) -> f64 {
    let n = scores.len();
    let k = (((n + 1) as f64 * level).ceil() as usize).clamp(1, n);
    *scores.select_nth_unstable_by(k - 1, f64::total_cmp).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_recovers_a_plane_and_ignores_a_repeated_feature() {
        let mut f = Vec::new();
        let mut y = Vec::new();
        for i in 0..30 {
            let x = f64::from(i);
            let g = (x * 0.7).sin();
            // Features 5 and 6 are identical: the minimum-norm answer splits them.
            f.push([1.0, x, g, x * x / 30.0, 0.5 * x, g * g, g * g]);
            y.push(2.0 + 0.5 * x - g + 0.1 * x * x / 30.0 + 4.0 * g * g);
        }
        let b = lstsq(&f, &y).unwrap();
        let fit: f64 = f
            .iter()
            .zip(&y)
            .map(|(r, y)| (r.iter().zip(&b).map(|(a, b)| a * b).sum::<f64>() - y).abs())
            .fold(0.0, f64::max);
        assert!(fit < 1e-9, "{fit}");
        assert!(
            (b[5] - b[6]).abs() < 1e-9 && (b[5] - 2.0).abs() < 1e-9,
            "{b:?}"
        );
    }

    #[test]
    fn the_conformal_quantile_is_the_right_order_statistic() {
        let mut s: Vec<f64> = (1..=9).map(f64::from).collect();
        // ceil(10 x 0.9) = 9: the 9th smallest.
        assert_eq!(conformal_quantile(&mut s, 0.9), 9.0);
        assert_eq!(conformal_quantile(&mut s, 0.5), 5.0);
    }
}
