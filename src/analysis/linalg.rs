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
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::linalg::svd::{self, ComputeSvdVectors};
use faer::{Accum, Side};
use faer::{Mat, MatRef, Par};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use super::{AnalysisError, eigen};

/// Below this many cells a decomposition (or projection) is done on the calling thread:
/// spreading microseconds of work over a thread pool only adds latency.
const PARALLEL_MIN_CELLS: usize = 100_000;

/// Whether work on a matrix of this many cells is spread over the thread pool.
pub fn runs_in_parallel(cells: usize) -> bool {
    cells >= PARALLEL_MIN_CELLS
}

/// Threads for a decomposition of this many cells.
fn parallelism(cells: usize) -> Par {
    if runs_in_parallel(cells) {
        Par::rayon(0)
    } else {
        Par::Seq
    }
}

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
    let par = parallelism(n * p);
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

/// The column means of `x`, each summed over the rows in order (as
/// ndarray's `mean_axis` sums a row-major matrix), in one pass over the rows
/// instead of a strided pass per column.
pub fn column_means(x: ArrayView2<'_, f64>) -> Array1<f64> {
    let (n, p) = x.dim();
    let mut sums = vec![0.0; p];
    for row in x.rows() {
        match row.as_slice() {
            Some(row) => sums.iter_mut().zip(row).for_each(|(s, v)| *s += v),
            None => sums.iter_mut().zip(row).for_each(|(s, v)| *s += v),
        }
    }
    let n = n as f64;
    sums.into_iter().map(|s| s / n).collect()
}

/// The dot product of two equally long slices, in four interleaved sums
/// that the compiler can keep in vector registers.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "dot product of unequal lengths");
    let mut sums = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a4
        .remainder()
        .iter()
        .zip(b4.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a4.zip(b4) {
        for lane in 0..4 {
            sums[lane] += x[lane] * y[lane];
        }
    }
    (sums[0] + sums[2]) + (sums[1] + sums[3]) + tail
}

/// When the Gram route may be taken: a tall matrix (scikit-learn's own rule
/// for its `covariance_eigh` solver).
pub fn prefers_gram(n: usize, p: usize) -> bool {
    n >= 10 * p && p <= 1000
}

/// The Gram matrix X_c^T X_c of the centred rows X_c = x - mean (lower
/// triangle and diagonal; the upper triangle is unspecified), without
/// materialising X_c: a large leaderboard is centred a block of rows at a
/// time into a small buffer that stays in cache, and each thread accumulates
/// its own share of the rows (faer's triangular product, half the work of a
/// full one). This is the first half of scikit-learn's `covariance_eigh`
/// solver, which forms X^T X and subtracts n * mean mean^T afterwards; the
/// blocks keep the exact centring instead, so scores with a large offset lose
/// no digits.
pub fn centred_gram(x: ArrayView2<'_, f64>, mean: ArrayView1<'_, f64>) -> Mat<f64> {
    let (n, p) = x.dim();
    let x = x.as_standard_layout();
    let data = x.as_slice().expect("standard layout is contiguous");
    let mean = mean.to_vec();
    if !runs_in_parallel(n * p) && p <= eigen::SMALL_ORDER_MAX {
        // A leaderboard's handful of benchmarks: the centred columns, each
        // contiguous, and the lower triangle as dot products of them (half
        // the multiplications of a full product, and none of a general
        // product's setup, which costs more than the work at this size).
        // Gathered column by column (strided reads of a matrix that fits
        // in cache) rather than scattered into a zeroed buffer: zeroing it
        // cost as much as the gathering.
        let mut columns = Vec::with_capacity(n * p);
        for (j, m) in mean.iter().enumerate() {
            columns.extend(data[j..].iter().step_by(p).map(|v| v - m));
        }
        let column = |j: usize| &columns[j * n..(j + 1) * n];
        let mut gram = Mat::<f64>::zeros(p, p);
        for i in 0..p {
            for j in 0..=i {
                gram[(i, j)] = dot(column(i), column(j));
            }
        }
        return gram;
    }
    if !runs_in_parallel(n * p) {
        // Small: one centred copy and one full product is the fastest.
        let mut gram = Mat::<f64>::zeros(p, p);
        let mut centred = Vec::with_capacity(n * p);
        accumulate_centred_gram(
            &mut gram,
            &mut centred,
            data,
            &mean,
            BlockStructure::Rectangular,
        );
        return gram;
    }
    let threads = rayon::current_num_threads().max(1);
    let rows_per_thread = n.div_ceil(threads);
    let parts: Vec<Mat<f64>> = data
        .par_chunks(rows_per_thread * p)
        .map(|rows| {
            // Rows per block: the block (and its transpose's panel) in L2.
            let block = (32_768 / p).clamp(16, 256);
            let mut gram = Mat::<f64>::zeros(p, p);
            let mut centred = Vec::with_capacity(block * p);
            for chunk in rows.chunks(block * p) {
                accumulate_centred_gram(
                    &mut gram,
                    &mut centred,
                    chunk,
                    &mean,
                    BlockStructure::TriangularLower,
                );
            }
            gram
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut gram = parts.next().expect("n >= 1 row");
    for part in parts {
        gram += part;
    }
    gram
}

/// `gram += (rows - mean)^T (rows - mean)` for row-major `rows`, centred
/// into the reused buffer `centred`.
fn accumulate_centred_gram(
    gram: &mut Mat<f64>,
    centred: &mut Vec<f64>,
    rows: &[f64],
    mean: &[f64],
    structure: BlockStructure,
) {
    let p = mean.len();
    centred.clear();
    centred.extend(
        rows.chunks_exact(p)
            .flat_map(|row| row.iter().zip(mean).map(|(v, m)| v - m)),
    );
    // Row-major m x p read column-major is its p x m transpose.
    let ct = MatRef::from_column_major_slice(centred, p, rows.len() / p);
    triangular::matmul(
        gram.as_mut(),
        structure,
        Accum::Add,
        ct,
        BlockStructure::Rectangular,
        ct.transpose(),
        BlockStructure::Rectangular,
        1.0,
        Par::Seq,
    );
}

/// Standardising after the fact: the Gram matrix of the columns divided by
/// `scale` is D^-1 G D^-1 (lower triangle).
pub fn scale_gram(gram: &mut Mat<f64>, scale: ArrayView1<'_, f64>) {
    let p = gram.nrows();
    for j in 0..p {
        for i in j..p {
            gram[(i, j)] /= scale[i] * scale[j];
        }
    }
}

/// The diagonal of a Gram matrix: each column's sum of squares.
pub fn gram_diagonal(gram: &Mat<f64>) -> Array1<f64> {
    Array1::from_shape_fn(gram.nrows(), |i| gram[(i, i)])
}

/// The decomposition from the eigen-decomposition of a Gram matrix X^T X
/// (lower triangle read): for tall matrices a fraction of the work of an
/// SVD, as scikit-learn's `covariance_eigh` solver does. Squaring the matrix
/// squares its condition number: singular values far below the largest lose
/// accuracy, so callers use this only when the components they keep are well
/// above that floor (see `pca::algorithm`).
pub fn gram_right_svd(gram: &Mat<f64>) -> Result<RightSvd, AnalysisError> {
    let p = gram.nrows();
    if p <= eigen::SMALL_ORDER_MAX {
        let lower: Vec<f64> = (0..p * p).map(|ij| gram[(ij / p, ij % p)]).collect();
        let evd = eigen::symmetric_eigen(&lower, p).ok_or(AnalysisError::NoConvergence)?;
        let singular_values = (0..p)
            .rev()
            .map(|i| evd.values[i].max(0.0).sqrt())
            .collect();
        let vt = Array2::from_shape_fn((p, p), |(r, j)| evd.vectors[(p - 1 - r) * p + j]);
        return Ok(RightSvd {
            singular_values,
            vt,
        });
    }
    let evd = gram
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| AnalysisError::NoConvergence)?;
    // Eigenvalues come in non-decreasing order; rounding can make the
    // smallest slightly negative.
    let values = evd.S().column_vector();
    let singular_values: Vec<f64> = (0..p).rev().map(|i| values[i].max(0.0).sqrt()).collect();
    let vectors = evd.U();
    let vt = Array2::from_shape_fn((p, p), |(r, j)| vectors[(j, p - 1 - r)]);
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
    fn the_gram_route_agrees_with_the_svd_on_a_tall_matrix() {
        let x = Array2::from_shape_fn((200, 6), |(i, j)| {
            ((i * 31 + j * 17) % 23) as f64 / 7.0 + (j as f64) * ((i % 5) as f64) / 3.0
        });
        let mean = x.mean_axis(ndarray::Axis(0)).unwrap();
        let a = right_svd((&x - &mean).view()).unwrap();
        let b = gram_right_svd(&centred_gram(x.view(), mean.view())).unwrap();
        for r in 0..6 {
            assert!(
                (a.singular_values[r] - b.singular_values[r]).abs() < 1e-10 * a.singular_values[0]
            );
            let dot: f64 = a.vt.row(r).dot(&b.vt.row(r));
            assert!(
                (dot.abs() - 1.0).abs() < 1e-10,
                "component {r}: |dot| = {}",
                dot.abs()
            );
        }
    }

    #[test]
    fn the_small_gram_of_column_dot_products_equals_the_direct_product() {
        // A leaderboard's size (few benchmarks, serial): the lower triangle
        // against ndarray's product of the centred rows.
        let x = Array2::from_shape_fn((97, 9), |(i, j)| {
            50.0 + ((i * 13 + j * 29) % 37) as f64 / 11.0 + (i % 7) as f64 * j as f64
        });
        assert!(!runs_in_parallel(x.len()) && 9 <= eigen::SMALL_ORDER_MAX);
        let mean = x.mean_axis(ndarray::Axis(0)).unwrap();
        let centred = &x - &mean;
        let direct = centred.t().dot(&centred);
        let gram = centred_gram(x.view(), mean.view());
        for j in 0..9 {
            for i in j..9 {
                let want = direct[[i, j]];
                assert!(
                    (gram[(i, j)] - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "({i}, {j}): {} vs {want}",
                    gram[(i, j)]
                );
            }
        }
    }

    #[test]
    fn dot_sums_every_product_including_the_tail() {
        // Lengths 0..=9 cover an empty slice, tails of 1-3 and whole chunks;
        // the products are small integers, so the sums are exact.
        for n in 0..=9 {
            let a: Vec<f64> = (0..n).map(|i| i as f64 + 1.0).collect();
            let b: Vec<f64> = (0..n).map(|i| 2.0 - i as f64).collect();
            let want: f64 = (0..n).map(|i| (i as f64 + 1.0) * (2.0 - i as f64)).sum();
            assert_eq!(dot(&a, &b), want, "length {n}");
        }
    }

    #[test]
    fn the_blocked_parallel_gram_equals_the_direct_product() {
        // Above PARALLEL_MIN_CELLS, and given as a transposed (column-major) view.
        let xt = Array2::from_shape_fn((7, 30_001), |(j, i)| {
            100.0 + ((i * 13 + j * 29) % 37) as f64 / 11.0 + (i % 7) as f64 * j as f64
        });
        let x = xt.t();
        let mean = x.mean_axis(ndarray::Axis(0)).unwrap();
        let centred = &x - &mean;
        let direct = centred.t().dot(&centred);
        let gram = centred_gram(x, mean.view());
        for j in 0..7 {
            for i in j..7 {
                let want = direct[[i, j]];
                assert!(
                    (gram[(i, j)] - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "({i}, {j}): {} vs {want}",
                    gram[(i, j)]
                );
            }
        }
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
