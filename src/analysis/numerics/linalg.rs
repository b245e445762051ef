//! The decomposition behind every PCA: a thin SVD from `faer`; and the dense
//! linear solves of the least-squares fits ([`solve_lu`], [`solve_small`]).
//!
//! Why not `linfa-reduction`'s `Pca`: its LOBPCG truncated SVD reports ratios
//! relative to the kept components only, divides by k-1, silently returns
//! fewer components on rank-deficient input, is off in projections where
//! LOBPCG stops short and panics on NaN, so it cannot reproduce scikit-learn
//! (`tests/api/linfa_deviations.rs` checks that each still holds). A full
//! (thin) SVD of the centred matrix is what scikit-learn's
//! `svd_solver="full"` computes; faer's is a blocked,
//! LAPACK-quality implementation in pure Rust, and always yields an
//! orthonormal set of min(n, p) right singular vectors, even when the matrix
//! is rank-deficient.

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::linalg::solvers::Solve;
use faer::linalg::svd::{self, ComputeSvdVectors};
use faer::{Accum, Side};
use faer::{Mat, MatRef, Par};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use super::eigen;
use crate::analysis::AnalysisError;

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

/// When the Gram route may be taken: a tall matrix (scikit-learn's own rule
/// for its `covariance_eigh` solver).
pub fn prefers_gram(n: usize, p: usize) -> bool {
    n >= 10 * p && p <= 1000
}

/// The Gram matrix of the centred rows in per-column units, X_u = (x -
/// mean) / unit (lower triangle and diagonal; the upper triangle is
/// unspecified), and the column sums of X_u, without materialising X_u: a
/// large leaderboard is centred a block of rows at a time into a small
/// buffer that stays in cache, and each thread accumulates its own share of
/// the rows (faer's triangular product, half the work of a full one). This is
/// the first half of scikit-learn's `covariance_eigh` solver, which forms
/// X^T X and subtracts n * mean mean^T afterwards; the blocks keep the exact
/// centring instead, so scores with a large offset lose no digits. The units
/// are powers of two (see `moments::unit`), so they change no digit but keep
/// the squares of tiny scores from underflowing; the diagonal and the sums
/// are what `moments::spread` needs.
pub fn centred_gram(
    x: ArrayView2<'_, f64>,
    mean: ArrayView1<'_, f64>,
    unit: ArrayView1<'_, f64>,
) -> CentredGram {
    let (n, p) = x.dim();
    let x = x.as_standard_layout();
    let data = x.as_slice().expect("standard layout is contiguous");
    let mean = mean.to_vec();
    let inverse: Vec<f64> = unit.iter().map(|u| 1.0 / u).collect();
    let columns = Columns {
        mean: &mean,
        inverse: &inverse,
    };
    if !runs_in_parallel(n * p) {
        // Small: one centred copy and one full product is the fastest.
        let mut part = CentredGram::zeros(p);
        let mut centred = Vec::with_capacity(n * p);
        part.accumulate(&mut centred, data, columns, BlockStructure::Rectangular);
        return part;
    }
    let threads = rayon::current_num_threads().max(1);
    let rows_per_thread = n.div_ceil(threads);
    let parts: Vec<CentredGram> = data
        .par_chunks(rows_per_thread * p)
        .map(|rows| {
            // Rows per block: the block (and its transpose's panel) in L2.
            let block = (32_768 / p).clamp(16, 256);
            let mut part = CentredGram::zeros(p);
            let mut centred = Vec::with_capacity(block * p);
            for chunk in rows.chunks(block * p) {
                part.accumulate(
                    &mut centred,
                    chunk,
                    columns,
                    BlockStructure::TriangularLower,
                );
            }
            part
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut total = parts.next().expect("n >= 1 row");
    for part in parts {
        total.gram += part.gram;
        total.sums += &part.sums;
    }
    total
}

/// The Gram matrix of centred rows in per-column units, and their column sums.
pub struct CentredGram {
    /// Lower triangle and diagonal.
    pub gram: Mat<f64>,
    pub sums: Array1<f64>,
}

/// Each column's mean and the inverse of its unit.
#[derive(Clone, Copy)]
struct Columns<'a> {
    mean: &'a [f64],
    inverse: &'a [f64],
}

impl CentredGram {
    fn zeros(p: usize) -> Self {
        Self {
            gram: Mat::zeros(p, p),
            sums: Array1::zeros(p),
        }
    }

    /// Adds the rows of row-major `rows`, centred and scaled into the reused
    /// buffer `centred`.
    fn accumulate(
        &mut self,
        centred: &mut Vec<f64>,
        rows: &[f64],
        columns: Columns<'_>,
        structure: BlockStructure,
    ) {
        let p = columns.mean.len();
        // Extended row by row from zipped slices, whose exact length lets
        // each row be written in place: a flattened iterator has none and
        // pushes one value at a time, and zeroing the buffer first is a
        // pass of its own.
        centred.clear();
        centred.reserve(rows.len());
        for row in rows.chunks_exact(p) {
            centred.extend(
                row.iter()
                    .zip(columns.mean)
                    .zip(columns.inverse)
                    .map(|((v, m), inv)| (v - m) * inv),
            );
        }
        let sums = self.sums.as_slice_mut().expect("contiguous");
        for row in centred.chunks_exact(p) {
            for (s, v) in sums.iter_mut().zip(row) {
                *s += v;
            }
        }
        // Row-major m x p read column-major is its p x m transpose.
        let ct = MatRef::from_column_major_slice(centred, p, rows.len() / p);
        triangular::matmul(
            self.gram.as_mut(),
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
}

/// Rescaling after the fact: the Gram matrix of the columns divided by
/// `factor` is D^-1 G D^-1 (lower triangle). Divided by one factor at a
/// time, so that factors far from 1 (columns of very different magnitudes)
/// neither overflow nor underflow in between.
pub fn scale_gram(gram: &mut Mat<f64>, factor: ArrayView1<'_, f64>) {
    let p = gram.nrows();
    for j in 0..p {
        for i in j..p {
            gram[(i, j)] = gram[(i, j)] / factor[i] / factor[j];
        }
    }
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
        let mut lower = Vec::with_capacity(p * p);
        for i in 0..p {
            lower.extend((0..p).map(|j| gram[(i, j)]));
        }
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

/// Solves `a x = rhs` (each column of `rhs`) by LU with partial pivoting,
/// as `np.linalg.solve` does: the skills law's start and its damped steps,
/// ported from numpy code, take the same route.
pub fn solve_lu(a: &Mat<f64>, rhs: &Mat<f64>) -> Mat<f64> {
    a.partial_piv_lu().solve(rhs)
}

/// Solves a small dense system `a x = b` (rows of `a`) by Gaussian
/// elimination with partial pivoting; `None` when a pivot is below 1e-300
/// or the solution is not finite. The sigmoid law's damped steps (k + 2
/// unknowns) are solved so; its answers are those of this elimination,
/// which is why it is not [`solve_lu`].
pub fn solve_small(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let m = b.len();
    for col in 0..m {
        let pivot = (col..m).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (offset, row) in lower.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0.0; m];
    for row in (0..m).rev() {
        let tail: f64 = (row + 1..m).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
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
        let ones = Array1::ones(6);
        let b = gram_right_svd(&centred_gram(x.view(), mean.view(), ones.view()).gram).unwrap();
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
    fn the_blocked_parallel_gram_equals_the_direct_product() {
        // Above PARALLEL_MIN_CELLS, and given as a transposed (column-major) view.
        let xt = Array2::from_shape_fn((7, 30_001), |(j, i)| {
            100.0 + ((i * 13 + j * 29) % 37) as f64 / 11.0 + (i % 7) as f64 * j as f64
        });
        let x = xt.t();
        let mean = x.mean_axis(ndarray::Axis(0)).unwrap();
        let centred = &x - &mean;
        let direct = centred.t().dot(&centred);
        let ones = Array1::ones(7);
        let CentredGram { gram, sums } = centred_gram(x, mean.view(), ones.view());
        let direct_sums = centred.sum_axis(ndarray::Axis(0));
        for j in 0..7 {
            assert!((sums[j] - direct_sums[j]).abs() < 1e-9, "sum {j}");
        }
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

    #[test]
    fn solves_small_systems() {
        let x = solve_small(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!(solve_small(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]).is_none());
        let a = Mat::<f64>::from_fn(2, 2, |i, j| [[2.0, 1.0], [1.0, 3.0]][i][j]);
        let rhs = Mat::<f64>::from_fn(2, 1, |i, _| [3.0, 5.0][i]);
        let x = solve_lu(&a, &rhs);
        assert!((x[(0, 0)] - 0.8).abs() < 1e-12 && (x[(1, 0)] - 1.4).abs() < 1e-12);
    }
}
