//! The decomposition behind every PCA: a thin SVD from `faer`.
//!
//! Why not `linfa-reduction`'s `Pca`: its LOBPCG truncated SVD reports ratios
//! relative to the kept components only, divides by k-1, silently returns
//! fewer components on rank-deficient input and panics on NaN, so it cannot
//! reproduce scikit-learn. A full (thin) SVD of the centred matrix is what
//! scikit-learn's `svd_solver="full"` computes; faer's is a blocked,
//! LAPACK-quality implementation in pure Rust, and always yields an
//! orthonormal set of min(n, p) right singular vectors, even when the matrix
//! is rank-deficient.

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::svd::{self, ComputeSvdVectors};
use faer::{Mat, MatRef, Par};
use ndarray::{Array2, ArrayView2};

use super::AnalysisError;

/// Below this many cells a decomposition is done on the calling thread:
/// spreading microseconds of work over a thread pool only adds latency.
const PARALLEL_MIN_CELLS: usize = 100_000;

/// Right singular vectors and singular values of an n x p matrix.
#[derive(Debug, Clone)]
pub struct RightSvd {
    /// min(n, p) singular values, non-increasing.
    pub singular_values: Vec<f64>,
    /// min(n, p) x p; row r is the right singular vector of `singular_values[r]`.
    pub vt: Array2<f64>,
}

/// Thin SVD of `x`, keeping only what PCA needs (no left vectors).
pub fn right_svd(x: ArrayView2<'_, f64>) -> Result<RightSvd, AnalysisError> {
    let (n, p) = x.dim();
    let size = n.min(p);
    let x = x.as_standard_layout();
    let data = x.as_slice().expect("standard layout is contiguous");
    // A row-major n x p buffer is, read column-major, the p x n transpose.
    // SVD(X^T) = V S U^T, so X's right singular vectors are the left ones of
    // X^T: no copy into another layout is needed.
    let xt = MatRef::from_column_major_slice(data, p, n);
    let par = if n * p >= PARALLEL_MIN_CELLS {
        Par::rayon(0)
    } else {
        Par::Seq
    };
    let mut s = Diag::<f64>::zeros(size);
    let mut v = Mat::<f64>::zeros(p, size);
    let scratch = svd::svd_scratch::<f64>(
        p,
        n,
        ComputeSvdVectors::Thin,
        ComputeSvdVectors::No,
        par,
        Default::default(),
    );
    let mut buffer = MemBuffer::new(scratch);
    svd::svd(
        xt,
        s.as_mut(),
        Some(v.as_mut()),
        None,
        par,
        MemStack::new(&mut buffer),
        Default::default(),
    )
    .map_err(|_| AnalysisError::NoConvergence)?;

    let singular_values: Vec<f64> = s.column_vector().iter().copied().collect();
    let vt = Array2::from_shape_fn((size, p), |(r, j)| v[(j, r)]);
    Ok(RightSvd {
        singular_values,
        vt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn reconstructs_singular_values_of_a_known_matrix() {
        // X^T X = [[2, 0], [0, 8]] for this X, so the singular values are sqrt(8), sqrt(2).
        let x = array![[1.0, 2.0], [1.0, -2.0]];
        let svd = right_svd(x.view()).unwrap();
        assert_abs_diff_eq!(svd.singular_values[0], 8f64.sqrt(), epsilon = 1e-14);
        assert_abs_diff_eq!(svd.singular_values[1], 2f64.sqrt(), epsilon = 1e-14);
        assert_abs_diff_eq!(svd.vt[[0, 1]].abs(), 1.0, epsilon = 1e-14);
        assert_abs_diff_eq!(svd.vt[[1, 0]].abs(), 1.0, epsilon = 1e-14);
    }

    #[test]
    fn wide_and_rank_deficient_input_still_gives_orthonormal_rows() {
        // 3 x 5 of rank 1.
        let x = array![
            [1.0, 2.0, 3.0, 4.0, 5.0],
            [2.0, 4.0, 6.0, 8.0, 10.0],
            [-1.0, -2.0, -3.0, -4.0, -5.0]
        ];
        let svd = right_svd(x.view()).unwrap();
        assert_eq!(svd.vt.dim(), (3, 5));
        let gram = svd.vt.dot(&svd.vt.t());
        assert_abs_diff_eq!(gram, Array2::eye(3), epsilon = 1e-12);
        assert!(svd.singular_values[1] < 1e-12);
    }
}
