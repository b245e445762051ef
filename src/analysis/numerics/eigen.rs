//! Eigen-decomposition of small symmetric matrices: Householder
//! tridiagonalisation and the implicit QL algorithm with Wilkinson-type
//! shifts (EISPACK's `tred2` and `tql2`, as published in the public-domain
//! JAMA library by NIST and The MathWorks).
//!
//! A leaderboard's benchmarks are few (the paper's have 6 to 12), so the
//! Gram route's eigenproblem is often 10 x 10; there this plain loop nest
//! takes about 4.5 us against 6-8 us for faer's general solver (measured up
//! to 24 x 24, where the two meet). Accuracy is that of the same algorithm in LAPACK
//! (`dsteqr`): backward stable, eigenvalues to a few ulps of the largest.
//! Larger matrices go to faer.

/// Largest order solved here rather than by faer.
pub const SMALL_ORDER_MAX: usize = 24;

/// Eigenvalues in non-decreasing order, with the matching unit eigenvectors.
#[derive(Debug, Clone)]
pub struct SymmetricEigen {
    pub values: Vec<f64>,
    /// p x p; row j (`vectors[j * p..(j + 1) * p]`) is the eigenvector of
    /// `values[j]`, the layout QL accumulates them in and PCA reads them in.
    pub vectors: Vec<f64>,
}

/// The decomposition of the symmetric `p x p` row-major matrix `a` (only
/// its lower triangle is read), or `None` if QL has not converged after
/// 30 sweeps per eigenvalue (which LAPACK's limit is too).
pub fn symmetric_eigen(a: &[f64], p: usize) -> Option<SymmetricEigen> {
    assert_eq!(a.len(), p * p, "a {p} x {p} matrix");
    if p == 0 {
        return Some(SymmetricEigen {
            values: Vec::new(),
            vectors: Vec::new(),
        });
    }
    // Symmetric from the lower triangle, as faer's `Side::Lower`. Loops
    // over rows and columns: an index split by division costs a division
    // each, a noticeable share of a 10 x 10 solve.
    let mut v = Vec::with_capacity(p * p);
    for i in 0..p {
        v.extend((0..p).map(|j| if i >= j { a[i * p + j] } else { a[j * p + i] }));
    }
    let mut d = vec![0.0; p];
    let mut e = vec![0.0; p];
    tridiagonalise(&mut v, &mut d, &mut e, p);
    // QL rotates pairs of eigenvector columns: as rows of the transpose
    // they are contiguous, and each rotation is two vectorised passes.
    let mut vt = transpose(&v, p);
    diagonalise(&mut vt, &mut d, &mut e, p)?;
    Some(SymmetricEigen {
        values: d,
        vectors: vt,
    })
}

/// `tred2`: V becomes the orthogonal transform, d the diagonal, e the
/// subdiagonal (in e[1..]).
fn tridiagonalise(v: &mut [f64], d: &mut [f64], e: &mut [f64], n: usize) {
    let at = |i: usize, j: usize| i * n + j;
    for j in 0..n {
        d[j] = v[at(n - 1, j)];
    }
    for i in (1..n).rev() {
        // Scaled, so that squaring cannot under- or overflow.
        let scale: f64 = d[..i].iter().map(|x| x.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[at(i - 1, j)];
                v[at(i, j)] = 0.0;
                v[at(j, i)] = 0.0;
            }
        } else {
            for x in &mut d[..i] {
                *x /= scale;
                h += *x * *x;
            }
            let mut f = d[i - 1];
            let mut g = if f > 0.0 { -h.sqrt() } else { h.sqrt() };
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            e[..i].fill(0.0);
            for j in 0..i {
                f = d[j];
                v[at(j, i)] = f;
                g = e[j] + v[at(j, j)] * f;
                for k in j + 1..i {
                    g += v[at(k, j)] * d[k];
                    e[k] += v[at(k, j)] * f;
                }
                e[j] = g;
            }
            f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                f = d[j];
                g = e[j];
                for k in j..i {
                    v[at(k, j)] -= f * e[k] + g * d[k];
                }
                d[j] = v[at(i - 1, j)];
                v[at(i, j)] = 0.0;
            }
        }
        d[i] = h;
    }
    // Accumulate the transformations.
    for i in 0..n - 1 {
        v[at(n - 1, i)] = v[at(i, i)];
        v[at(i, i)] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = v[at(k, i + 1)] / h;
            }
            for j in 0..=i {
                let mut g = 0.0;
                for k in 0..=i {
                    g += v[at(k, i + 1)] * v[at(k, j)];
                }
                for k in 0..=i {
                    v[at(k, j)] -= g * d[k];
                }
            }
        }
        for k in 0..=i {
            v[at(k, i + 1)] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[at(n - 1, j)];
        v[at(n - 1, j)] = 0.0;
    }
    v[at(n - 1, n - 1)] = 1.0;
    e[0] = 0.0;
}

fn transpose(a: &[f64], n: usize) -> Vec<f64> {
    let mut t = Vec::with_capacity(n * n);
    for j in 0..n {
        t.extend((0..n).map(|i| a[i * n + j]));
    }
    t
}

/// sqrt(a^2 + b^2): `f64::hypot` guards against overflow at several times
/// the cost, which only entries beyond 1e150 need.
#[inline]
fn hypot(a: f64, b: f64) -> f64 {
    const SAFE: f64 = 1e150;
    let (x, y) = (a.abs(), b.abs());
    if x < SAFE && y < SAFE && (x > 1.0 / SAFE || y > 1.0 / SAFE) {
        (a * a + b * b).sqrt()
    } else {
        a.hypot(b)
    }
}

/// `tql2` on the transposed transform (row j of `vt` is column j of V):
/// the tridiagonal matrix's eigenvalues into d (sorted), `vt` accumulating
/// the rotations into eigenvectors.
fn diagonalise(vt: &mut [f64], d: &mut [f64], e: &mut [f64], n: usize) -> Option<()> {
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let mut f = 0.0;
    let mut tst1 = 0.0f64;
    for l in 0..n {
        // The first negligible subdiagonal element at or after l.
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > f64::EPSILON * tst1 {
            m += 1;
        }
        let mut converged = m == l;
        for _sweep in 0..if converged { 0 } else { 30 } {
            // Implicit shift.
            let mut g = d[l];
            let mut p = (d[l + 1] - g) / (2.0 * e[l]);
            let mut r = hypot(p, 1.0);
            if p < 0.0 {
                r = -r;
            }
            d[l] = e[l] / (p + r);
            d[l + 1] = e[l] * (p + r);
            let dl1 = d[l + 1];
            let mut h = g - d[l];
            for x in &mut d[l + 2..n] {
                *x -= h;
            }
            f += h;
            // Implicit QL transformation.
            p = d[m];
            let (mut c, mut c2, mut c3) = (1.0, 1.0, 1.0);
            let el1 = e[l + 1];
            let (mut s, mut s2) = (0.0, 0.0);
            for i in (l..m).rev() {
                c3 = c2;
                c2 = c;
                s2 = s;
                g = c * e[i];
                h = c * p;
                r = hypot(p, e[i]);
                e[i + 1] = s * r;
                s = e[i] / r;
                c = p / r;
                p = c * d[i] - s * g;
                d[i + 1] = h + s * (c * g + s * d[i]);
                let (upper, lower) = vt.split_at_mut((i + 1) * n);
                for (vi, vi1) in upper[i * n..].iter_mut().zip(&mut lower[..n]) {
                    let h = *vi1;
                    *vi1 = s * *vi + c * h;
                    *vi = c * *vi - s * h;
                }
            }
            p = -s * s2 * c3 * el1 * e[l] / dl1;
            e[l] = s * p;
            d[l] = c * p;
            if e[l].abs() <= f64::EPSILON * tst1 {
                converged = true;
                break;
            }
        }
        if !converged {
            return None;
        }
        d[l] += f;
        e[l] = 0.0;
    }
    // Ascending, columns of V along.
    for i in 0..n - 1 {
        let mut k = i;
        for j in i + 1..n {
            if d[j] < d[k] {
                k = j;
            }
        }
        if k != i {
            d.swap(i, k);
            for col in 0..n {
                vt.swap(i * n + col, k * n + col);
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::{Mat, Side};

    /// Checks A V = V diag(values), V^T V = I, and the eigenvalues against
    /// faer's, for the symmetric matrix `a`.
    fn check(a: &[f64], p: usize) {
        let got = symmetric_eigen(a, p).expect("converges");
        let m = Mat::<f64>::from_fn(p, p, |i, j| a[i * p + j]);
        let faer = m.self_adjoint_eigen(Side::Lower).unwrap();
        let norm = a
            .iter()
            .map(|x| x.abs())
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE);
        for j in 0..p {
            let want = faer.S().column_vector()[j];
            assert!(
                (got.values[j] - want).abs() <= 1e-13 * norm,
                "eigenvalue {j}: {} vs faer {want}",
                got.values[j]
            );
            for i in 0..p {
                let av: f64 = (0..p).map(|k| a[i * p + k] * got.vectors[j * p + k]).sum();
                let lv = got.values[j] * got.vectors[j * p + i];
                assert!((av - lv).abs() <= 1e-13 * norm, "residual ({i}, {j})");
                let dot: f64 = (0..p)
                    .map(|k| got.vectors[i * p + k] * got.vectors[j * p + k])
                    .sum();
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((dot - expected).abs() <= 1e-13, "V^T V ({i}, {j}) = {dot}");
            }
        }
        assert!(got.values.windows(2).all(|w| w[0] <= w[1]));
    }

    fn gram(x: &[f64], n: usize, p: usize) -> Vec<f64> {
        (0..p * p)
            .map(|ij| (0..n).map(|r| x[r * p + ij / p] * x[r * p + ij % p]).sum())
            .collect()
    }

    #[test]
    fn known_small_cases() {
        // faer itself cannot take 0 x 0 (its scratch size underflows).
        let empty = symmetric_eigen(&[], 0).unwrap();
        assert!(empty.values.is_empty() && empty.vectors.is_empty());
        check(&[4.0], 1);
        check(&[2.0, 1.0, 1.0, 2.0], 2);
        check(&[0.0; 9], 3);
        // Repeated eigenvalues: the identity and a rank-one matrix.
        let eye: Vec<f64> = (0..25)
            .map(|ij| if ij / 5 == ij % 5 { 1.0 } else { 0.0 })
            .collect();
        check(&eye, 5);
        check(&vec![1.0; 36], 6);
        let got = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2).unwrap();
        assert!((got.values[0] - 1.0).abs() < 1e-15 && (got.values[1] - 3.0).abs() < 1e-15);
    }

    #[test]
    fn only_the_lower_triangle_is_read() {
        let full = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2).unwrap();
        let lower = symmetric_eigen(&[2.0, f64::NAN, 1.0, 2.0], 2).unwrap();
        assert_eq!(full.values, lower.values);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_faer_on_gram_matrices(
            p in 1usize..=SMALL_ORDER_MAX,
            rank in 1usize..=SMALL_ORDER_MAX,
            seed in proptest::num::u64::ANY,
            magnitude in -8i32..8,
        ) {
            // X = A B (n x rank x p) scaled by 10^magnitude: full rank or not,
            // large or tiny entries.
            let n = p + 3;
            let rank = rank.min(p);
            let mut state = seed;
            let mut next = move || {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi(magnitude)
            };
            let a: Vec<f64> = (0..n * rank).map(|_| next()).collect();
            let b: Vec<f64> = (0..rank * p).map(|_| next()).collect();
            let x: Vec<f64> = (0..n * p)
                .map(|ij| (0..rank).map(|r| a[(ij / p) * rank + r] * b[r * p + ij % p]).sum())
                .collect();
            check(&gram(&x, n, p), p);
        }
    }
}
