//! The inner-CV loss, each predictor's variant and the blend weights.

/// The predictors, in the order of the blend weights.
pub const PREDICTORS: [&str; 4] = ["bmf", "knn", "reg", "rknn"];

/// The loss of a vector of absolute errors: the mean of the errors between
/// the 30 % and 70 % quantiles (sorted positions floor(0.3 N) to
/// floor(0.7 N), exclusive). It targets the median, the scored statistic,
/// with far less noise than the median itself. NaN when that range is
/// empty (a single error), which ranks last.
pub fn central_mean(errors: &mut [f64]) -> f64 {
    let n = errors.len();
    let lo = (0.3 * n as f64) as usize;
    let hi = (0.7 * n as f64) as usize;
    if hi <= lo {
        return f64::NAN;
    }
    errors.select_nth_unstable_by(lo, f64::total_cmp);
    if hi - lo > 1 {
        errors[lo + 1..].select_nth_unstable_by(hi - lo - 2, f64::total_cmp);
    }
    errors[lo..hi].iter().sum::<f64>() / (hi - lo) as f64
}

/// numpy's argmin: the first NaN if there is one, else the first minimum.
pub fn argmin(values: &[f64]) -> usize {
    if let Some(i) = values.iter().position(|v| v.is_nan()) {
        return i;
    }
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v < values[best] {
            best = i;
        }
    }
    best
}

/// Every weight vector of the simplex grid with `steps` steps per unit over
/// `k` predictors: the first weight outermost and ascending, the last the
/// remainder.
pub fn simplex_grid(k: usize, steps: usize) -> Vec<Vec<f64>> {
    fn rec(prefix: &mut Vec<usize>, left: usize, k: usize, out: &mut Vec<Vec<usize>>) {
        if prefix.len() == k - 1 {
            let mut v = prefix.clone();
            v.push(left);
            out.push(v);
            return;
        }
        for a in 0..=left {
            prefix.push(a);
            rec(prefix, left - a, k, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    rec(&mut Vec::new(), steps, k, &mut out);
    out.into_iter()
        .map(|v| v.into_iter().map(|a| a as f64 / steps as f64).collect())
        .collect()
}

/// The indices of the `top` smallest scores, ties (and NaN, last) in order.
pub fn best(scores: &[f64], top: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (scores[a], scores[b]);
        x.is_nan()
            .cmp(&y.is_nan())
            .then(x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal))
    });
    idx.truncate(top);
    idx
}

/// sum_m p_m w_m, in predictor order.
#[inline]
pub fn dot(p: &[f64; 4], w: &[f64; 4]) -> f64 {
    p[0] * w[0] + p[1] * w[1] + p[2] * w[2] + p[3] * w[3]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_has_286_points_in_the_reference_order() {
        let g = simplex_grid(4, 10);
        assert_eq!(g.len(), 286);
        assert_eq!(g[0], vec![0.0, 0.0, 0.0, 1.0]);
        assert_eq!(g[1], vec![0.0, 0.0, 0.1, 0.9]);
        assert_eq!(g[285], vec![1.0, 0.0, 0.0, 0.0]);
        assert!(
            g.iter()
                .all(|w| (w.iter().sum::<f64>() - 1.0).abs() < 1e-12)
        );
    }

    #[test]
    fn the_central_mean_is_the_mean_of_the_middle_ranks() {
        // Sorted 1..=10: positions 3..7 hold 4, 5, 6, 7.
        let mut e: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert_eq!(central_mean(&mut e), 5.5);
        assert!(central_mean(&mut [3.0]).is_nan());
        assert_eq!(central_mean(&mut [3.0, 1.0]), 1.0);
    }

    #[test]
    fn ties_keep_their_order_and_nan_ranks_last() {
        assert_eq!(best(&[2.0, f64::NAN, 1.0, 1.0], 3), vec![2, 3, 0]);
        assert_eq!(argmin(&[2.0, 1.0, 1.0]), 1);
        assert_eq!(argmin(&[2.0, f64::NAN, 1.0]), 1);
    }
}
