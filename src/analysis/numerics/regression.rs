//! Ordinary least squares of one variable on another: the paper's
//! "PC score vs log-compute" fits within a model family.

/// y = slope * x + intercept, with its coefficient of determination.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineFit {
    pub slope: f64,
    pub intercept: f64,
    /// 1 - SS_res / SS_tot; `None` when y is constant (SS_tot = 0), where R^2 is undefined.
    pub r2: Option<f64>,
}

/// The least-squares line through the points, or `None` when x does not vary
/// (fewer than two distinct x values: no slope is defined).
pub fn fit_line(x: &[f64], y: &[f64]) -> Option<LineFit> {
    assert_eq!(x.len(), y.len(), "one y per x");
    let n = x.len() as f64;
    if x.len() < 2 {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    // Relative to the spread of x, so that compute in any unit behaves the same.
    if sxx <= f64::EPSILON * x.iter().map(|v| v * v).sum::<f64>() {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let ss_tot: f64 = y.iter().map(|v| (v - my).powi(2)).sum();
    let ss_res: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (b - (slope * a + intercept)).powi(2))
        .sum();
    let r2 = (ss_tot > 0.0).then(|| 1.0 - ss_res / ss_tot);
    Some(LineFit {
        slope,
        intercept,
        r2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_has_r2_one() {
        let fit = fit_line(&[1.0, 2.0, 3.0], &[3.0, 5.0, 7.0]).unwrap();
        assert!((fit.slope - 2.0).abs() < 1e-12 && (fit.intercept - 1.0).abs() < 1e-12);
        assert!((fit.r2.unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn matches_the_closed_form_on_noisy_points() {
        // numpy.polyfit([0, 1, 2, 3], [1, 2, 2, 4], 1) = [0.9, 0.9]; R^2 = 0.8526...
        let fit = fit_line(&[0.0, 1.0, 2.0, 3.0], &[1.0, 2.0, 2.0, 4.0]).unwrap();
        assert!((fit.slope - 0.9).abs() < 1e-12);
        assert!((fit.intercept - 0.9).abs() < 1e-12);
        assert!((fit.r2.unwrap() - (1.0 - 0.7 / 4.75)).abs() < 1e-12);
    }

    #[test]
    fn constant_x_has_no_line_and_constant_y_no_r2() {
        assert!(fit_line(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]).is_none());
        assert!(fit_line(&[1.0], &[1.0]).is_none());
        assert_eq!(fit_line(&[1.0, 2.0], &[5.0, 5.0]).unwrap().r2, None);
    }
}
