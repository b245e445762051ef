//! What the scaling analyses know about each model besides its scores: its
//! family, its training compute and the target benchmark to predict. Each is
//! checked once against the leaderboard it describes, so the analyses can
//! index it by model without checking again.

use crate::analysis::AnalysisError;
use crate::analysis::matrix::{BenchmarkMatrix, check_per_model};

fn check_length(what: &str, got: usize, matrix: &BenchmarkMatrix) -> Result<(), AnalysisError> {
    check_per_model(what, got, matrix.n_models())
}

/// The family of every model of a leaderboard, where it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Families(Vec<Option<String>>);

impl Families {
    /// `None` or an empty name: the model has no family, and is left out of
    /// everything done per family.
    pub fn new(
        names: Vec<Option<String>>,
        matrix: &BenchmarkMatrix,
    ) -> Result<Self, AnalysisError> {
        check_length("families", names.len(), matrix)?;
        Ok(Self(
            names
                .into_iter()
                .map(|name| name.filter(|n| !n.is_empty()))
                .collect(),
        ))
    }

    /// The family of model `i`.
    pub fn of(&self, i: usize) -> Option<&str> {
        self.0[i].as_deref()
    }

    /// The families of the given models, in order of first appearance, each
    /// with the positions (in `rows`) of its models; models without a family
    /// are in none.
    pub fn groups(&self, rows: &[usize]) -> Vec<(String, Vec<usize>)> {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (position, &i) in rows.iter().enumerate() {
            let Some(family) = self.of(i) else { continue };
            match groups.iter_mut().find(|(f, _)| f == family) {
                Some((_, members)) => members.push(position),
                None => groups.push((family.to_owned(), vec![position])),
            }
        }
        groups
    }
}

/// Training compute per model as sent: FLOPs in any unit, or parameters and
/// tokens (FLOPs = 6 N D in their units); `None` where unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Compute {
    Flops(Vec<Option<f64>>),
    ParamsTokens {
        params: Vec<Option<f64>>,
        tokens: Vec<Option<f64>>,
    },
}

impl Compute {
    /// The compute a leaderboard gives per model: `flops`, or `params` and
    /// `tokens` (FLOPs = 6 N D), or none.
    pub fn of(
        flops: Option<Vec<Option<f64>>>,
        params: Option<Vec<Option<f64>>>,
        tokens: Option<Vec<Option<f64>>>,
    ) -> Result<Option<Self>, AnalysisError> {
        let invalid = |msg: &str| Err(AnalysisError::InvalidCompute(msg.into()));
        match (flops, params, tokens) {
            (None, None, None) => Ok(None),
            (Some(flops), None, None) => Ok(Some(Compute::Flops(flops))),
            (None, Some(params), Some(tokens)) => {
                Ok(Some(Compute::ParamsTokens { params, tokens }))
            }
            (Some(_), _, _) => invalid("give flops, or params and tokens, not both"),
            _ => invalid("params and tokens go together"),
        }
    }

    /// The error of an analysis that needs compute and is given none.
    pub fn missing() -> AnalysisError {
        AnalysisError::InvalidCompute("give flops, or params and tokens".into())
    }
}

/// log10 of every model's training compute, `None` where unknown; every
/// known value came from a positive, finite compute.
#[derive(Debug, Clone, PartialEq)]
pub struct LogCompute(Vec<Option<f64>>);

impl LogCompute {
    pub fn new(compute: Compute, matrix: &BenchmarkMatrix) -> Result<Self, AnalysisError> {
        let flops: Vec<Option<f64>> = match compute {
            Compute::Flops(flops) => {
                check_length("flops", flops.len(), matrix)?;
                flops
            }
            Compute::ParamsTokens { params, tokens } => {
                check_length("params", params.len(), matrix)?;
                check_length("tokens", tokens.len(), matrix)?;
                params
                    .iter()
                    .zip(&tokens)
                    .map(|(p, t)| p.zip(*t).map(|(p, t)| 6.0 * p * t))
                    .collect()
            }
        };
        flops
            .iter()
            .enumerate()
            .map(|(i, c)| match c {
                None => Ok(None),
                Some(c) if *c > 0.0 && c.is_finite() => Ok(Some(c.log10())),
                Some(c) => Err(AnalysisError::InvalidCompute(format!(
                    "the compute of model '{}' must be a positive number, got {c}",
                    matrix.models()[i]
                ))),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn values(&self) -> &[Option<f64>] {
        &self.0
    }
}

/// The most targets of one request. Each target is a law of its own, and
/// its answer (predictions for every model, a basis, the charts' curve and
/// points) is as large as a request with that target alone gets: without a
/// bound, 3000 targets of 77 models in a 4.7 MB body drew a 200 MB answer.
/// The paper fits a handful.
pub const MAX_TARGETS: usize = 100;

/// The benchmark a scaling law predicts: one finite value per model, or
/// `None` where unknown (such models are predicted only).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    name: String,
    values: Vec<Option<f64>>,
}

impl Target {
    pub fn new(
        name: String,
        values: Vec<Option<f64>>,
        matrix: &BenchmarkMatrix,
    ) -> Result<Self, AnalysisError> {
        check_length("target.values", values.len(), matrix)?;
        // A table's target is a column that is no benchmark (a column named
        // as both is refused); a target sent with the scores obeys the same.
        if matrix.benchmarks().contains(&name) {
            return Err(Self::among_benchmarks(&name));
        }
        if let Some(i) = values
            .iter()
            .position(|v| v.is_some_and(|v| !v.is_finite()))
        {
            return Err(AnalysisError::InvalidTarget(format!(
                "the target of model '{}' is not finite",
                matrix.models()[i]
            )));
        }
        Ok(Self { name, values })
    }

    /// The refusal of a target named like one of the benchmarks (a table
    /// query refuses it with the same words before the table is read).
    pub fn among_benchmarks(name: &str) -> AnalysisError {
        AnalysisError::InvalidTarget(format!(
            "target '{name}' is also one of the benchmarks: a law predicts a benchmark from \
             the others, so leave it out of the benchmarks"
        ))
    }

    /// Several targets, each checked as [`Target::new`] checks one, once
    /// more than [`MAX_TARGETS`], an empty name (a label like any other,
    /// `empty_label`) and a name given twice have been refused.
    pub fn list(
        named: Vec<(String, Vec<Option<f64>>)>,
        matrix: &BenchmarkMatrix,
    ) -> Result<Vec<Self>, AnalysisError> {
        if named.len() > MAX_TARGETS {
            return Err(AnalysisError::InvalidTarget(format!(
                "{} targets given, more than the limit of {MAX_TARGETS} (MAX_TARGETS): \
                 send them in several requests",
                named.len()
            )));
        }
        if let Some(index) = named.iter().position(|(name, _)| name.is_empty()) {
            return Err(AnalysisError::EmptyTargetLabel { index });
        }
        if let Some((name, _)) = named
            .iter()
            .enumerate()
            .find(|&(i, (name, _))| named[..i].iter().any(|(other, _)| other == name))
            .map(|(_, named)| named)
        {
            return Err(AnalysisError::InvalidTarget(format!(
                "target '{name}' is given twice"
            )));
        }
        named
            .into_iter()
            .map(|(name, values)| Self::new(name, values, matrix))
            .collect()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn values(&self) -> &[Option<f64>] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::matrix::ScoreRows;

    #[test]
    fn more_targets_than_the_limit_are_refused() {
        let m = matrix(2);
        let named = |count: usize| -> Vec<(String, Vec<Option<f64>>)> {
            (0..count)
                .map(|t| (format!("t{t}"), vec![Some(0.25), Some(0.5)]))
                .collect()
        };
        assert_eq!(
            Target::list(named(MAX_TARGETS), &m).unwrap().len(),
            MAX_TARGETS
        );
        match Target::list(named(MAX_TARGETS + 1), &m) {
            Err(AnalysisError::InvalidTarget(message)) => {
                assert!(message.contains("101 targets given"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    fn matrix(n: usize) -> BenchmarkMatrix {
        BenchmarkMatrix::new(
            (0..n).map(|i| format!("m{i}")).collect(),
            vec!["b".into()],
            ScoreRows {
                values: (0..n).map(|i| i as f64).collect(),
                row_lengths: vec![1; n],
            },
        )
        .unwrap()
    }

    #[test]
    fn families_group_in_order_of_first_appearance() {
        let names = ["b", "a", "b", "c"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect();
        let families = Families::new(names, &matrix(4)).unwrap();
        assert_eq!(
            families.groups(&[0, 1, 2, 3]),
            vec![
                ("b".to_string(), vec![0, 2]),
                ("a".to_string(), vec![1]),
                ("c".to_string(), vec![3])
            ]
        );
        // Positions are into the rows given, not the leaderboard.
        assert_eq!(
            families.groups(&[2, 3]),
            vec![("b".to_string(), vec![0]), ("c".to_string(), vec![1])]
        );
        let err = Families::new(vec![Some("a".into())], &matrix(2)).unwrap_err();
        assert_eq!(err.to_string(), "families has 1 values, but models gives 2");
        let some =
            Families::new(vec![None, Some("".into()), Some("a".into())], &matrix(3)).unwrap();
        assert_eq!(some.of(1), None);
        assert_eq!(some.groups(&[0, 1, 2]), vec![("a".to_string(), vec![2])]);
    }

    #[test]
    fn compute_is_six_n_d_and_must_be_positive() {
        let m = matrix(3);
        let both = LogCompute::new(
            Compute::ParamsTokens {
                params: vec![Some(2.0), None, Some(1.0)],
                tokens: vec![Some(5.0), Some(1.0), Some(1.0 / 6.0)],
            },
            &m,
        )
        .unwrap();
        assert_eq!(both.values()[0], Some(60f64.log10()));
        assert_eq!(both.values()[1], None);
        assert!(both.values()[2].unwrap().abs() < 1e-15);
        let zero = LogCompute::new(Compute::Flops(vec![Some(1.0), Some(0.0), None]), &m);
        assert!(matches!(zero, Err(AnalysisError::InvalidCompute(msg)) if msg.contains("'m1'")));
    }

    #[test]
    fn a_target_is_finite_and_one_per_model() {
        let m = matrix(2);
        assert!(Target::new("t".into(), vec![Some(0.5), None], &m).is_ok());
        assert!(matches!(
            Target::new("t".into(), vec![Some(0.5)], &m),
            Err(AnalysisError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            Target::new("t".into(), vec![Some(f64::NAN), None], &m),
            Err(AnalysisError::InvalidTarget(_))
        ));
    }
}
