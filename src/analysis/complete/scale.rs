//! Per-benchmark scales and the completion's internal units.
//!
//! Bounded columns (fractions, percentages) are read in percent points and
//! move through a soft logit; unbounded ones (Elo, dollars) stay as they
//! are. Every column is then standardised, and errors are counted in
//! percent points (an unbounded column's in "percent-equivalent" units, its
//! own spread scaled to the typical spread of the bounded columns).

use super::params::ScaleKind;
use crate::analysis::AnalysisError;

/// A fraction-like column: every observed value within this range.
const FRACTION_RANGE: (f64, f64) = (-0.01, 1.01);
/// A percent-like column (the paper's own tolerance), with a value above 1.01.
const PERCENT_RANGE: (f64, f64) = (-1.0, 101.0);

/// How a column's scale was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleSource {
    /// The request stated it.
    Stated,
    /// No observed score: nothing to read a scale from (the column is not predicted).
    NoObservedScore,
    /// Every value in [-0.01, 1.01] on a leaderboard whose bounded columns
    /// are at least half fraction-like: a fraction.
    FractionRange,
    /// Every value in [-0.01, 1.01], but most bounded columns of the
    /// leaderboard are percentages: a percentage whose scores are all <= 1 %.
    OutvotedByPercentColumns,
    /// Every value in [-1, 101], some above 1.01: a percentage.
    PercentRange,
    /// A value outside [-1, 101], or a signed column outside [-0.01, 1.01]
    /// that never exceeds 1.01: unbounded.
    OutsideBoundedRanges,
}

impl ScaleSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ScaleSource::Stated => "stated",
            ScaleSource::NoObservedScore => "no_observed_score",
            ScaleSource::FractionRange => "fraction_range",
            ScaleSource::OutvotedByPercentColumns => "outvoted_by_percent_columns",
            ScaleSource::PercentRange => "percent_range",
            ScaleSource::OutsideBoundedRanges => "outside_bounded_ranges",
        }
    }
}

/// One column's scale and how it was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnScale {
    pub kind: ScaleKind,
    pub source: ScaleSource,
}

/// The observed range of a column, None when it has no observed value.
fn range(values: &[f64]) -> Option<(f64, f64)> {
    values.iter().fold(None, |acc, &v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The documented rule: each column's observed values decide whether it is
/// fraction-like, percent-like or unbounded; the leaderboard then votes
/// whether its fraction-like columns are fractions (at least half of the
/// bounded-like columns, and at least one) or percentages. Stated columns
/// take no part in the vote. `columns[j]` holds column j's observed values.
pub fn detect(columns: &[Vec<f64>], stated: &[Option<ScaleKind>]) -> Vec<ColumnScale> {
    #[derive(Clone, Copy, PartialEq)]
    enum Like {
        Fraction,
        Percent,
    }
    let mut out: Vec<Option<ColumnScale>> = vec![None; columns.len()];
    let mut like: Vec<(usize, Like)> = Vec::new();
    for (j, values) in columns.iter().enumerate() {
        if let Some(kind) = stated[j] {
            out[j] = Some(ColumnScale {
                kind,
                source: ScaleSource::Stated,
            });
            continue;
        }
        let unbounded = |source| {
            Some(ColumnScale {
                kind: ScaleKind::Unbounded,
                source,
            })
        };
        match range(values) {
            None => out[j] = unbounded(ScaleSource::NoObservedScore),
            Some((lo, hi)) if lo >= FRACTION_RANGE.0 && hi <= FRACTION_RANGE.1 => {
                like.push((j, Like::Fraction))
            }
            Some((lo, hi)) if lo >= PERCENT_RANGE.0 && hi <= PERCENT_RANGE.1 && hi > 1.01 => {
                like.push((j, Like::Percent))
            }
            Some(_) => out[j] = unbounded(ScaleSource::OutsideBoundedRanges),
        }
    }
    let n_fraction = like.iter().filter(|(_, l)| *l == Like::Fraction).count();
    let fraction_board = n_fraction * 2 >= like.len() && n_fraction > 0;
    for (j, l) in like {
        out[j] = Some(match l {
            Like::Fraction if fraction_board => ColumnScale {
                kind: ScaleKind::Fraction,
                source: ScaleSource::FractionRange,
            },
            Like::Fraction => ColumnScale {
                kind: ScaleKind::Percent,
                source: ScaleSource::OutvotedByPercentColumns,
            },
            Like::Percent => ColumnScale {
                kind: ScaleKind::Percent,
                source: ScaleSource::PercentRange,
            },
        });
    }
    out.into_iter()
        .map(|c| c.expect("every column decided"))
        .collect()
}

/// The observed values of a stated bounded column must lie in the range the
/// detection rule would accept for that scale.
pub fn check_stated(
    kind: ScaleKind,
    benchmark: &str,
    values: impl Iterator<Item = (usize, f64)>,
    model: impl Fn(usize) -> String,
) -> Result<(), AnalysisError> {
    let (lo, hi, what) = match kind {
        ScaleKind::Fraction => (FRACTION_RANGE.0, FRACTION_RANGE.1, "a fraction (0 to 1)"),
        ScaleKind::Percent => (PERCENT_RANGE.0, PERCENT_RANGE.1, "a percentage (0 to 100)"),
        ScaleKind::Unbounded => return Ok(()),
    };
    for (row, v) in values {
        if !(lo..=hi).contains(&v) {
            return Err(AnalysisError::InvalidCompletion(format!(
                "benchmark '{benchmark}' is stated to be {what}, but model '{}' scores {v} on it \
                 (allowed: {lo} to {hi}); state it as unbounded, or correct the score",
                model(row)
            )));
        }
    }
    Ok(())
}

/// Own units <-> internal units <-> soft logit <-> z, per column.
#[derive(Debug, Clone)]
pub struct Scale {
    pub a: f64,
    /// 100 for fractions, else 1.
    pub unit: Vec<f64>,
    pub bounded: Vec<bool>,
    /// Mean and spread of the transformed observed values.
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
    /// Multiplies an internal-unit error into percent-equivalent points.
    pub err_unit: Vec<f64>,
}

/// numpy's median: the middle value, or the mean of the two middle ones.
pub fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    debug_assert!(n > 0);
    let (_, &mut hi, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        hi
    } else {
        let lo = values[..n / 2]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (lo + hi) / 2.0
    }
}

fn mean_var(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var)
}

impl Scale {
    /// The scale of each column from its values on the cells the fits use
    /// (`columns[j]`, in own units; empty for a column that is not predicted).
    pub fn new(
        kinds: Vec<ScaleKind>,
        columns: &[Vec<f64>],
        a: f64,
        spread_pseudo: f64,
    ) -> Result<Self, AnalysisError> {
        let p = kinds.len();
        let unit: Vec<f64> = kinds.iter().map(|k| k.unit()).collect();
        let bounded: Vec<bool> = kinds.iter().map(|k| k.is_bounded()).collect();
        let mut scale = Scale {
            a,
            unit,
            bounded,
            mean: vec![0.0; p],
            sd: vec![1.0; p],
            err_unit: vec![1.0; p],
        };
        let mut var = vec![0.0; p];
        let mut raw_sd = vec![1.0; p];
        let cnt: Vec<usize> = columns.iter().map(Vec::len).collect();
        for j in 0..p {
            if cnt[j] == 0 {
                continue;
            }
            let internal: Vec<f64> = columns[j].iter().map(|v| v * scale.unit[j]).collect();
            let t: Vec<f64> = internal.iter().map(|&x| scale.fwd(j, x)).collect();
            (scale.mean[j], var[j]) = mean_var(&t);
            let sd = mean_var(&internal).1.sqrt();
            raw_sd[j] = if sd > 0.0 { sd } else { 1.0 };
        }
        // Bounded columns: the spread shrunk toward the median spread of the
        // bounded columns; unbounded ones keep their own, so that moving an
        // Elo column moves nothing else.
        let mut ok_var: Vec<f64> = (0..p)
            .filter(|&j| scale.bounded[j] && cnt[j] >= 2)
            .map(|j| var[j])
            .collect();
        let med = if ok_var.is_empty() {
            1.0
        } else {
            median(&mut ok_var)
        };
        let mut ok_raw: Vec<f64> = (0..p)
            .filter(|&j| scale.bounded[j] && cnt[j] >= 2)
            .map(|j| raw_sd[j])
            .collect();
        let reference = if ok_raw.is_empty() {
            1.0
        } else {
            median(&mut ok_raw)
        };
        for j in 0..p {
            let n = cnt[j] as f64;
            let v = if scale.bounded[j] {
                (n * var[j] + spread_pseudo * med) / (n + spread_pseudo)
            } else {
                var[j]
            };
            let sd = v.sqrt();
            let tiny = 1e-12 * scale.mean[j].abs().max(1.0);
            scale.sd[j] = if sd > tiny { sd } else { 1.0 };
            scale.err_unit[j] = if scale.bounded[j] {
                1.0
            } else {
                reference / raw_sd[j]
            };
            if !scale.mean[j].is_finite()
                || !scale.sd[j].is_finite()
                || !scale.err_unit[j].is_finite()
                || scale.err_unit[j] == 0.0
            {
                return Err(AnalysisError::NumericOverflow);
            }
        }
        Ok(scale)
    }

    /// Internal units -> transformed: the soft logit for bounded columns.
    pub fn fwd(&self, j: usize, x: f64) -> f64 {
        if self.bounded[j] {
            let xc = x.clamp(0.0, 100.0);
            ((xc + self.a) / (100.0 + self.a - xc)).ln()
        } else {
            x
        }
    }

    /// Transformed -> internal units, clipped to [0, 100] for bounded columns.
    pub fn inv(&self, j: usize, t: f64) -> f64 {
        if self.bounded[j] {
            let sig = sigmoid(t);
            ((100.0 + 2.0 * self.a) * sig - self.a).clamp(0.0, 100.0)
        } else {
            t
        }
    }

    pub fn to_z(&self, j: usize, own: f64) -> f64 {
        (self.fwd(j, own * self.unit[j]) - self.mean[j]) / self.sd[j]
    }

    pub fn z_to_internal(&self, j: usize, z: f64) -> f64 {
        self.inv(j, z * self.sd[j] + self.mean[j])
    }

    /// d(internal units)/dz at z.
    pub fn slope(&self, j: usize, z: f64) -> f64 {
        let d = if self.bounded[j] {
            let s = sigmoid(z * self.sd[j] + self.mean[j]);
            (100.0 + 2.0 * self.a) * s * (1.0 - s)
        } else {
            1.0
        };
        d * self.sd[j]
    }
}

/// The logistic function, without overflow at either end.
pub fn sigmoid(t: f64) -> f64 {
    let e = (-t.abs()).exp();
    if t >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(cols: &[Vec<f64>]) -> Vec<ScaleKind> {
        detect(cols, &vec![None; cols.len()])
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn the_rule_reads_fractions_percentages_and_the_rest() {
        use ScaleKind::*;
        // A fractions leaderboard with a BLEU column (0-65) and a signed column.
        let cols = vec![
            vec![0.2, 0.9],
            vec![0.0, 0.01],
            vec![12.0, 65.0],
            vec![-0.5, 0.7],
            vec![1200.0, 1350.0],
            vec![],
        ];
        assert_eq!(
            kinds(&cols),
            vec![Fraction, Fraction, Percent, Unbounded, Unbounded, Unbounded]
        );
        // A fractions leaderboard x100 (without the BLEU column, which x100
        // leaves the bounded ranges): the column <= 0.01 is outvoted and read
        // as a percentage.
        let x100: Vec<Vec<f64>> = [&cols[0], &cols[1], &vec![0.35, 0.6]]
            .iter()
            .map(|c| c.iter().map(|v| v * 100.0).collect())
            .collect();
        let detected = detect(&x100, &[None, None, None]);
        assert_eq!(detected[0].kind, Percent);
        assert_eq!(detected[1].kind, Percent);
        assert_eq!(detected[1].source, ScaleSource::OutvotedByPercentColumns);
        // Stated columns take no part in the vote.
        let stated = detect(&cols[..2], &[Some(Percent), None]);
        assert_eq!(stated[0].source, ScaleSource::Stated);
        assert_eq!(stated[1].kind, Fraction);
    }

    #[test]
    fn the_soft_logit_is_monotone_on_the_whole_range_and_inverts() {
        let sc = Scale::new(
            vec![ScaleKind::Percent],
            &[vec![10.0, 50.0, 90.0]],
            0.5,
            3.0,
        )
        .unwrap();
        let mut last = f64::NEG_INFINITY;
        for x in [0.0, 0.05, 0.1, 1.0, 50.0, 99.9, 100.0] {
            let t = sc.fwd(0, x);
            assert!(t > last, "{x}");
            last = t;
            assert!((sc.inv(0, t) - x).abs() < 1e-9, "{x}");
        }
        assert_eq!(sc.inv(0, 1e6), 100.0);
        assert_eq!(sc.inv(0, -1e6), 0.0);
    }

    #[test]
    fn median_matches_numpy_for_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
