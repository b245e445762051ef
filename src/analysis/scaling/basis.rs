//! A law basis: a fitted scaling law on its PCA basis (the sigmoid and the
//! reference family's line), which predicts new models exactly as the fit
//! predicted its own.

use ndarray::Array1;

use super::law::{self, LawFit, LawSpec, Predicted};
use super::sigmoid::SigmoidLaw;
use crate::analysis::AnalysisError;
use crate::analysis::matrix::BenchmarkMatrix;
use crate::analysis::numerics::regression::LineFit;
use crate::analysis::pca::basis::{Basis, finite, invalid};
use crate::analysis::pca::fit::Placement;

/// The reference family's line: capability = slope * log10(FLOPs) + intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub family: String,
    pub slope: f64,
    pub intercept: f64,
}

/// A fitted scaling law on its PCA basis, ready to predict new models.
#[derive(Debug, Clone)]
pub struct LawBasis {
    pca: Basis,
    target: String,
    law: SigmoidLaw,
    target_range: Option<(f64, f64)>,
    reference: Option<Reference>,
}

/// A law basis as plain values around its (checked) PCA basis.
#[derive(Debug, Clone)]
pub struct LawBasisParts {
    pub pca: Basis,
    pub target: String,
    pub weights: Vec<f64>,
    pub intercept: f64,
    pub floor: f64,
    pub target_range: Option<(f64, f64)>,
    pub reference: Option<Reference>,
}

/// What a law basis says of new models.
#[derive(Debug, Clone)]
pub struct LawPlacement {
    pub placement: Placement,
    /// One per row of `placement.projections`.
    pub predictions: Vec<Predicted>,
}

impl LawBasis {
    /// The basis of a law fitted on `benchmarks` for `target`.
    pub fn of_fit(benchmarks: &[String], target: &str, fit: &LawFit, spec: &LawSpec) -> Self {
        Self {
            pca: Basis::of_fit(benchmarks, &fit.train, spec.pca.sign()),
            target: target.to_owned(),
            law: fit.law.clone(),
            target_range: spec.target_range,
            reference: fit.reference.map(|r| Reference {
                family: spec.reference_family.clone().unwrap_or_default(),
                slope: r.line.slope,
                intercept: r.line.intercept,
            }),
        }
    }

    /// A law basis rebuilt from its parts: one weight per component, finite
    /// numbers, a floor in [0, 1), a target range lo < hi, a reference line
    /// of a named family with a non-zero slope.
    pub fn from_parts(parts: LawBasisParts) -> Result<Self, AnalysisError> {
        let LawBasisParts {
            pca,
            target,
            weights,
            intercept,
            floor,
            target_range,
            reference,
        } = parts;
        if target.is_empty() {
            return Err(invalid("target is empty".into()));
        }
        let k = pca.n_components();
        if weights.len() != k {
            return Err(invalid(format!(
                "weights has {} values, but the PCA basis has {k} components",
                weights.len()
            )));
        }
        finite("weights", &weights)?;
        finite("intercept", &[intercept])?;
        if !(0.0..1.0).contains(&floor) {
            return Err(invalid(format!("floor must lie in [0, 1), got {floor}")));
        }
        // A width that overflows would turn every prediction into inf or NaN.
        if let Some((lo, hi)) = target_range
            && !(lo < hi && (hi - lo).is_finite())
        {
            return Err(invalid(format!(
                "target_range must be finite with lo < hi and hi - lo finite, got [{lo}, {hi}]"
            )));
        }
        if let Some(reference) = &reference {
            if reference.family.is_empty() {
                return Err(invalid("reference.family is empty".into()));
            }
            finite("reference.intercept", &[reference.intercept])?;
            if !(reference.slope.is_finite() && reference.slope != 0.0) {
                return Err(invalid(format!(
                    "reference.slope must be a finite non-zero number, got {}",
                    reference.slope
                )));
            }
        }
        Ok(Self {
            pca,
            target,
            law: SigmoidLaw {
                weights: Array1::from(weights),
                intercept,
                floor,
                // A basis carries the fitted law, not how its fit went.
                iterations: 0,
                converged: true,
            },
            target_range,
            reference,
        })
    }

    pub fn pca(&self) -> &Basis {
        &self.pca
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn law(&self) -> &SigmoidLaw {
        &self.law
    }

    pub fn target_range(&self) -> Option<(f64, f64)> {
        self.target_range
    }

    pub fn reference(&self) -> Option<&Reference> {
        self.reference.as_ref()
    }

    /// Places `matrix` (aligned to the PCA basis) and predicts each placed
    /// model as the law's own fit predicted its test models.
    pub fn predict(&self, matrix: &BenchmarkMatrix) -> Result<LawPlacement, AnalysisError> {
        let placement = self.pca.place(matrix)?;
        let line = self.reference.as_ref().map(|r| LineFit {
            slope: r.slope,
            intercept: r.intercept,
            r2: None,
        });
        // The placement's projections are finite, but a basis's weights,
        // range and reference line are the client's: their products can
        // still overflow, and are refused rather than written as `null`.
        let predictions = placement
            .completed
            .rows
            .iter()
            .zip(placement.projections.rows())
            .map(|(&row, s)| {
                let predicted = law::predict_scores(&self.law, self.target_range, line, s);
                let finite = [predicted.capability, predicted.predicted]
                    .into_iter()
                    .chain(predicted.equivalent_log10_flops)
                    .all(f64::is_finite);
                if finite {
                    Ok(predicted)
                } else {
                    Err(AnalysisError::PlacementOverflow {
                        model: matrix.models()[row].clone(),
                    })
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(LawPlacement {
            placement,
            predictions,
        })
    }
}
