//! PCA options: built unchecked, validated once by `ParamGuard`.

use linfa::ParamGuard;

use crate::analysis::AnalysisError;

/// How many components to keep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NComponents {
    /// min(n_models, n_benchmarks): every component the data has.
    All,
    /// Exactly this many (1..=min(n, p), checked against the data at fit time).
    Count(usize),
    /// The smallest k whose cumulative explained-variance ratio exceeds this
    /// fraction in (0, 1) (scikit-learn's `searchsorted(..., side="right") + 1`).
    VarianceFraction(f64),
}

/// How each component's arbitrary sign is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignConvention {
    /// The sum of the loadings is positive, so that a higher PC1 score reads
    /// as "more capable"; sums within [`SIGN_SUM_TOLERANCE`] of zero fall back
    /// to [`SignConvention::MaxAbsPositive`].
    #[default]
    PositiveSum,
    /// The largest-magnitude loading is positive (scikit-learn >= 1.5).
    MaxAbsPositive,
}

/// A loading sum this close to zero carries no orientation.
pub const SIGN_SUM_TOLERANCE: f64 = 1e-12;

/// Checked PCA options.
#[derive(Debug, Clone, PartialEq)]
pub struct PcaValidParams {
    pub(crate) n_components: NComponents,
    pub(crate) standardize: bool,
    pub(crate) sign: SignConvention,
}

impl PcaValidParams {
    /// Checked parameters for values the caller has already validated
    /// (the resampling methods refit with the full fit's own options).
    pub(crate) fn unchecked(n_components: NComponents, standardize: bool) -> Self {
        Self {
            n_components,
            standardize,
            sign: SignConvention::PositiveSum,
        }
    }

    /// The same options with another number of components.
    pub fn with_n_components(mut self, n_components: NComponents) -> Self {
        self.n_components = n_components;
        self
    }

    pub fn n_components(&self) -> NComponents {
        self.n_components
    }

    pub fn standardize(&self) -> bool {
        self.standardize
    }

    pub fn sign(&self) -> SignConvention {
        self.sign
    }
}

/// Unchecked PCA options; `check()` (or `fit`, which checks) validates them.
#[derive(Debug, Clone, PartialEq)]
pub struct PcaParams(PcaValidParams);

impl Default for PcaParams {
    fn default() -> Self {
        Self::new()
    }
}

impl PcaParams {
    /// scikit-learn's defaults: every component, centring only, plus our
    /// "higher PC1 = more capable" orientation.
    pub fn new() -> Self {
        Self(PcaValidParams {
            n_components: NComponents::All,
            standardize: false,
            sign: SignConvention::PositiveSum,
        })
    }

    pub fn n_components(mut self, n_components: NComponents) -> Self {
        self.0.n_components = n_components;
        self
    }

    /// Divide each centred benchmark by its population standard deviation
    /// (correlation PCA).
    pub fn standardize(mut self, standardize: bool) -> Self {
        self.0.standardize = standardize;
        self
    }

    pub fn sign(mut self, sign: SignConvention) -> Self {
        self.0.sign = sign;
        self
    }
}

impl ParamGuard for PcaParams {
    type Checked = PcaValidParams;
    type Error = AnalysisError;

    fn check_ref(&self) -> Result<&Self::Checked, Self::Error> {
        match self.0.n_components {
            NComponents::Count(0) => Err(AnalysisError::InvalidNComponents(
                "n_components must be at least 1".into(),
            )),
            NComponents::VarianceFraction(f) if !(f > 0.0 && f < 1.0) => {
                Err(AnalysisError::InvalidNComponents(format!(
                    "a fractional n_components must lie strictly between 0 and 1, got {f}"
                )))
            }
            _ => Ok(&self.0),
        }
    }

    fn check(self) -> Result<Self::Checked, Self::Error> {
        self.check_ref()?;
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_zero_components_and_fractions_outside_the_open_unit_interval() {
        assert!(
            PcaParams::new()
                .n_components(NComponents::Count(0))
                .check()
                .is_err()
        );
        for f in [0.0, 1.0, -0.5, f64::NAN] {
            let p = PcaParams::new().n_components(NComponents::VarianceFraction(f));
            assert!(p.check().is_err(), "{f} accepted");
        }
        let ok = PcaParams::new().n_components(NComponents::VarianceFraction(0.9));
        assert_eq!(
            ok.check().unwrap().n_components(),
            NComponents::VarianceFraction(0.9)
        );
    }
}
