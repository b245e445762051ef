//! The per-benchmark link g of the skills law, y = c + (1 - c) g(eta): the
//! logistic sigmoid, or the two-parameter monotone `asym` link
//! g = sigmoid(psi) * sigmoid(eta)^exp(kappa) (a ceiling below 1 and an
//! asymmetric bend). Values and derivatives follow `link_eval` of the
//! research code (tests/fixtures/reference/sloth_reference.py).

/// Which parametric link a fit uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// g = sigmoid(eta); no link parameters.
    Sigmoid,
    /// g = sigmoid(psi) * sigmoid(eta)^exp(kappa); parameters [psi, kappa].
    Asym,
}

/// The asym link's starting (and prior) parameters: a ceiling of
/// sigmoid(3) = 0.95 and kappa = 0, i.e. the plain sigmoid scaled by 0.95.
pub const ASYM_PHI0: [f64; 2] = [3.0, 0.0];

impl LinkKind {
    /// Number of link parameters per benchmark.
    pub fn n_params(self) -> usize {
        match self {
            LinkKind::Sigmoid => 0,
            LinkKind::Asym => 2,
        }
    }

    /// The starting parameters (also the ridge prior) per benchmark.
    pub fn phi0(self) -> &'static [f64] {
        match self {
            LinkKind::Sigmoid => &[],
            LinkKind::Asym => &ASYM_PHI0,
        }
    }

    /// g(eta), dg/deta and dg/dphi (written into `dphi`, of length
    /// `n_params()`).
    #[inline]
    pub fn eval(self, eta: f64, phi: &[f64], dphi: &mut [f64]) -> (f64, f64) {
        match self {
            LinkKind::Sigmoid => {
                let g = expit(eta);
                (g, g * (1.0 - g))
            }
            LinkKind::Asym => {
                let u = expit(phi[0]);
                let nu = phi[1].exp();
                let sg = expit(eta);
                let lsg = log_expit(eta);
                let p = (nu * lsg).exp();
                let g = u * p;
                dphi[0] = p * u * (1.0 - u);
                dphi[1] = u * p * lsg * nu;
                (g, u * nu * p * (1.0 - sg))
            }
        }
    }

    /// g(eta) alone.
    #[inline]
    pub fn value(self, eta: f64, phi: &[f64]) -> f64 {
        let mut scratch = [0.0; 2];
        self.eval(eta, phi, &mut scratch).0
    }
}

/// The logistic function 1 / (1 + exp(-x)), scipy's `expit` (exp(-x)
/// overflowing to infinity gives the right limit 0).
#[inline]
pub fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// log(sigmoid(x)) = -logaddexp(0, -x), without overflow or cancellation
/// for large |x| (numpy's logaddexp: max + log1p(exp(-|difference|))).
#[inline]
pub fn log_expit(x: f64) -> f64 {
    if x >= 0.0 {
        -(-x).exp().ln_1p()
    } else {
        x - x.exp().ln_1p()
    }
}

/// log(p / (1 - p)).
#[inline]
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_link_derivatives_match_finite_differences() {
        // Central differences of g in eta and in each link parameter; the
        // tolerance is the differencing error at h = 1e-6.
        let h = 1e-6;
        for kind in [LinkKind::Sigmoid, LinkKind::Asym] {
            for &eta in &[-30.0, -3.0, -0.2, 0.0, 0.7, 4.0, 25.0] {
                for phi in [[3.0, 0.0], [0.5, -0.7], [-1.0, 1.2]] {
                    let mut dphi = [0.0; 2];
                    let (_, dg) = kind.eval(eta, &phi, &mut dphi);
                    let num = (kind.value(eta + h, &phi) - kind.value(eta - h, &phi)) / (2.0 * h);
                    assert!((dg - num).abs() < 1e-7, "{kind:?} eta {eta}: {dg} vs {num}");
                    for l in 0..kind.n_params() {
                        let (mut up, mut down) = (phi, phi);
                        up[l] += h;
                        down[l] -= h;
                        let num = (kind.value(eta, &up) - kind.value(eta, &down)) / (2.0 * h);
                        assert!(
                            (dphi[l] - num).abs() < 1e-7,
                            "{kind:?} phi{l}: {} vs {num}",
                            dphi[l]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn skills_log_expit_is_stable_in_the_tails() {
        // log(sigmoid(-800)) = -800 exactly in floating point; the naive
        // ln(expit(-800)) is ln(0) = -inf.
        assert_eq!(log_expit(-800.0), -800.0);
        assert_eq!(log_expit(800.0), 0.0);
        assert!((log_expit(0.0) + std::f64::consts::LN_2).abs() < 1e-15);
    }
}
