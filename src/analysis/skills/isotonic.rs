//! Increasing isotonic regression with scikit-learn's
//! `IsotonicRegression(increasing=True, out_of_bounds="clip")` semantics:
//! the points are sorted by (x, y); x values closer than float64's
//! resolution (1e-15) to the first x of their run are merged into one point
//! with the mean y; PAVA fits the merged points (weighted by their counts);
//! interior points whose fitted y equals both neighbours' are dropped;
//! prediction interpolates linearly between the remaining knots (scipy's
//! `interp1d`) after clipping x to the fitted range.

/// A fitted increasing step-and-ramp function.
#[derive(Debug, Clone, PartialEq)]
pub struct Isotonic {
    /// Knot positions, increasing (sklearn's `X_thresholds_`).
    pub x: Vec<f64>,
    /// Fitted values at the knots, non-decreasing (`y_thresholds_`).
    pub y: Vec<f64>,
}

/// float64's `np.finfo(np.float64).resolution`, sklearn's tie threshold.
const RESOLUTION: f64 = 1e-15;

impl Isotonic {
    /// Fits y on x (equal weights). `None` when there is no point.
    pub fn fit(x: &[f64], y: &[f64]) -> Option<Isotonic> {
        assert_eq!(x.len(), y.len());
        if x.is_empty() {
            return None;
        }
        // np.lexsort((y, x)): by x, then y; stable.
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
        // _make_unique: a new point when x moves at least RESOLUTION past
        // the first x of the current run.
        let (mut ux, mut uy, mut uw) = (Vec::new(), Vec::new(), Vec::new());
        let mut current_x = x[order[0]];
        let (mut sum_y, mut weight) = (0.0, 0.0);
        for &i in &order {
            if x[i] - current_x >= RESOLUTION {
                ux.push(current_x);
                uy.push(sum_y / weight);
                uw.push(weight);
                current_x = x[i];
                sum_y = y[i];
                weight = 1.0;
            } else {
                sum_y += y[i];
                weight += 1.0;
            }
        }
        ux.push(current_x);
        uy.push(sum_y / weight);
        uw.push(weight);
        let fitted = pava(&uy, &uw);
        // Trim interior knots that are equal to both neighbours.
        let n = fitted.len();
        let keep = |k: usize| {
            k == 0 || k + 1 == n || fitted[k] != fitted[k - 1] || fitted[k] != fitted[k + 1]
        };
        let x: Vec<f64> = (0..n).filter(|&k| keep(k)).map(|k| ux[k]).collect();
        let y: Vec<f64> = (0..n).filter(|&k| keep(k)).map(|k| fitted[k]).collect();
        Some(Isotonic { x, y })
    }

    /// The fitted function at `t`: clipped to [x_min, x_max], then linear
    /// between the knots (constant with a single knot).
    pub fn predict(&self, t: f64) -> f64 {
        let n = self.x.len();
        if n == 1 {
            return self.y[0];
        }
        let t = t.clamp(self.x[0], self.x[n - 1]);
        // interp1d: searchsorted(x, t, side="left"), clipped to 1..n-1.
        let hi = self.x.partition_point(|&v| v < t).clamp(1, n - 1);
        let lo = hi - 1;
        let slope = (self.y[hi] - self.y[lo]) / (self.x[hi] - self.x[lo]);
        slope * (t - self.x[lo]) + self.y[lo]
    }
}

/// Weighted pool-adjacent-violators for a non-decreasing fit.
fn pava(y: &[f64], w: &[f64]) -> Vec<f64> {
    // Blocks as (weighted mean, weight, length), merged while the last two
    // violate the order.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(y.len());
    for (&yi, &wi) in y.iter().zip(w) {
        blocks.push((yi, wi, 1));
        while blocks.len() > 1 {
            let (m2, w2, n2) = blocks[blocks.len() - 1];
            let (m1, w1, n1) = blocks[blocks.len() - 2];
            if m1 < m2 {
                break;
            }
            blocks.pop();
            let w = w1 + w2;
            *blocks.last_mut().expect("two blocks") = ((w1 * m1 + w2 * m2) / w, w, n1 + n2);
        }
    }
    blocks
        .iter()
        .flat_map(|&(m, _, n)| std::iter::repeat_n(m, n))
        .collect()
}
