//! Completion options: built unchecked, validated once by `ParamGuard`; the
//! checks that need the leaderboard (probes, stated scales) run at the start
//! of [`super::complete`].

use linfa::ParamGuard;

use crate::analysis::AnalysisError;

/// The most probes a request may ask for, whatever the leaderboard: the
/// greedy search scores every remaining benchmark at each step.
pub const MAX_PROBES: usize = 50;

/// What a benchmark's numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScaleKind {
    /// A share in [0, 1] (the paper's own leaderboards).
    Fraction,
    /// A percentage in [0, 100].
    Percent,
    /// Anything else: Elo ratings, dollars, counts, signed differences. Never
    /// transformed or clipped.
    Unbounded,
}

impl ScaleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScaleKind::Fraction => "fraction",
            ScaleKind::Percent => "percent",
            ScaleKind::Unbounded => "unbounded",
        }
    }

    /// Whether the scale has the bounds 0 and 1 (or 100).
    pub fn is_bounded(self) -> bool {
        !matches!(self, ScaleKind::Unbounded)
    }

    /// Own units -> internal units (percent points for bounded columns).
    pub fn unit(self) -> f64 {
        match self {
            ScaleKind::Fraction => 100.0,
            _ => 1.0,
        }
    }
}

/// The method's constants, one entry each: its meaning, type and default,
/// and (`wire "..."`) its name in the answer's `method.constants` where the
/// answer spells it out. The one list that both [`Settings`] here and the
/// answer's constants at the edge are made from, so that a constant cannot
/// be added, retyped or reordered in one and not the other. Called as
/// `with_settings!(callback)`: `callback!` receives the entries
/// `doc* name: Type = default (, wire "name")?;`.
macro_rules! with_settings {
    ($callback:ident) => {
        $callback! {
            /// Soft-logit offset a, in percent points: t = ln((x + a) / (100 + a - x)).
            logit_a: f64 = 0.5;
            /// Pseudo-observations of the median spread in a bounded column's spread.
            spread_pseudo: f64 = 3.0;
            /// Inner cross-validation folds over the observed cells.
            inner_folds: usize = 8;
            /// Rank of the Bayesian factorisation (plus one bias per model and benchmark).
            rank: usize = 3;
            /// Gibbs sweeps discarded, then kept.
            burn: usize = 60;
            keep: usize = 90;
            /// Gamma(shape, rate) hyper-prior of the factor and bias precisions.
            prior_shape: f64 = 1.0;
            prior_rate: f64 = 1.0;
            /// Pseudo-observations of the pooled noise variance in a benchmark's noise.
            noise_pseudo: f64 = 4.0;
            /// Every this many kept sweeps, the probe search keeps a sample.
            probe_thin: usize = 5;
            /// A neighbour must share at least this many benchmarks.
            knn_min_shared: usize = 4;
            /// Pseudo-observations of the typical distance in a pair's distance.
            knn_kappa: f64 = 3.0;
            /// Share of the squared mean difference counted in the distance.
            knn_offset_pen: f64 = 0.5;
            /// A neighbour's weight is multiplied by N / (N + c), N shared benchmarks.
            knn_count_c: f64 = 10.0;
            /// Bandwidths, times the median pair distance (chosen by inner CV).
            knn_h: Vec<f64> = vec![0.3, 0.4, 0.55, 0.75], wire "knn_bandwidths";
            /// A benchmark pair needs this many shared models for a regression.
            reg_min_shared: usize = 5;
            /// Pseudo-observations of a residual variance of 1 (z units).
            reg_kappa: f64 = 3.0;
            /// Precision-weight exponents (chosen by inner CV).
            reg_q: Vec<f64> = vec![1.0, 2.0, 4.0], wire "reg_exponents";
            /// Simplex grid step of the blend weights (1 / an integer).
            blend_step: f64 = 0.1;
            /// The best this many blends are averaged.
            blend_top: usize = 10;
            /// A benchmark needs this many observed models to be predicted.
            min_col_obs: usize = 3, wire "min_observed_models";
        }
    };
}
pub(crate) use with_settings;

macro_rules! settings {
    ($($(#[$doc:meta])* $name:ident: $type:ty = $default:expr $(, wire $wire:tt)?;)*) => {
        /// The constants of the method, fixed in advance (docs/complete.md
        /// says why each is what it is). The service always uses
        /// [`Settings::default`]; other values exist for experiments (the
        /// protocol example's levers).
        #[derive(Debug, Clone, PartialEq)]
        pub struct Settings {
            $($(#[$doc])* pub $name: $type,)*
        }

        impl Default for Settings {
            fn default() -> Self {
                Self {
                    $($name: $default,)*
                }
            }
        }
    };
}

with_settings!(settings);

/// Checked completion options.
#[derive(Debug, Clone, PartialEq)]
pub struct CompleteValidParams {
    pub(crate) level: f64,
    pub(crate) probes: usize,
    pub(crate) scales: Vec<(String, ScaleKind)>,
    pub(crate) settings: Settings,
}

impl CompleteValidParams {
    /// The level of the prediction intervals, in (0, 1).
    pub fn level(&self) -> f64 {
        self.level
    }

    /// How many benchmarks to choose for a new model (0: none).
    pub fn probes(&self) -> usize {
        self.probes
    }

    /// The scales the request states, by benchmark label.
    pub fn scales(&self) -> &[(String, ScaleKind)] {
        &self.scales
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// Unchecked completion options; `check()` validates them.
#[derive(Debug, Clone, PartialEq)]
pub struct CompleteParams(CompleteValidParams);

impl Default for CompleteParams {
    fn default() -> Self {
        Self::new()
    }
}

impl CompleteParams {
    /// 90 % intervals, no probes, every scale detected.
    pub fn new() -> Self {
        Self(CompleteValidParams {
            level: 0.9,
            probes: 0,
            scales: Vec::new(),
            settings: Settings::default(),
        })
    }

    pub fn level(mut self, level: f64) -> Self {
        self.0.level = level;
        self
    }

    pub fn probes(mut self, probes: usize) -> Self {
        self.0.probes = probes;
        self
    }

    /// The scale of some benchmarks, by label; the others are detected.
    pub fn scales(mut self, scales: Vec<(String, ScaleKind)>) -> Self {
        self.0.scales = scales;
        self
    }

    /// The method's constants (experiments only; the service keeps the defaults).
    pub fn settings(mut self, settings: Settings) -> Self {
        self.0.settings = settings;
        self
    }
}

impl ParamGuard for CompleteParams {
    type Checked = CompleteValidParams;
    type Error = AnalysisError;

    fn check_ref(&self) -> Result<&CompleteValidParams, AnalysisError> {
        let p = &self.0;
        let invalid = |msg: String| Err(AnalysisError::InvalidCompletion(msg));
        if !(p.level > 0.0 && p.level < 1.0) {
            return invalid(format!(
                "interval must lie strictly between 0 and 1 (0.9 for 90 % intervals), got {}",
                p.level
            ));
        }
        if p.probes > MAX_PROBES {
            return invalid(format!(
                "probes must be at most {MAX_PROBES}, got {}",
                p.probes
            ));
        }
        for (k, (label, _)) in p.scales.iter().enumerate() {
            if let Some(first) = p.scales[..k].iter().position(|(l, _)| l == label) {
                return invalid(format!(
                    "the scale of benchmark '{label}' is stated twice (positions {first} and {k})"
                ));
            }
        }
        let s = &p.settings;
        let grid_steps = (1.0 / s.blend_step).round();
        if s.inner_folds < 2
            || s.rank == 0
            || s.keep == 0
            || s.probe_thin == 0
            || s.knn_h.is_empty()
            || s.reg_q.is_empty()
            || s.blend_top == 0
            || s.min_col_obs < 2
            || !(1.0..=100.0).contains(&grid_steps)
        {
            return Err(AnalysisError::Parameter(format!(
                "completion settings out of range: {s:?}"
            )));
        }
        Ok(p)
    }

    fn check(self) -> Result<CompleteValidParams, AnalysisError> {
        self.check_ref()?;
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_outside_the_open_unit_interval_and_too_many_probes_are_refused() {
        for level in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
            let err = CompleteParams::new().level(level).check().unwrap_err();
            assert!(
                matches!(err, AnalysisError::InvalidCompletion(ref m) if m.contains("interval")),
                "{level}: {err}"
            );
        }
        assert!(CompleteParams::new().level(0.5).check().is_ok());
        assert!(CompleteParams::new().probes(MAX_PROBES).check().is_ok());
        assert!(
            CompleteParams::new()
                .probes(MAX_PROBES + 1)
                .check()
                .is_err()
        );
    }

    #[test]
    fn a_scale_stated_twice_is_refused() {
        let err = CompleteParams::new()
            .scales(vec![
                ("elo".into(), ScaleKind::Unbounded),
                ("elo".into(), ScaleKind::Percent),
            ])
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("'elo'"), "{err}");
    }
}
