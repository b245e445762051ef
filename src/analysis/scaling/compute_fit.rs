//! How each family's capabilities grow with compute (the paper's Figure 3):
//! within every family with enough models of known compute, an ordinary
//! least-squares line of each PC score on log10(compute).

use ndarray::Array2;

use crate::analysis::matrix::BenchmarkMatrix;
use crate::analysis::numerics::regression::{LineFit, fit_line};
use crate::analysis::pca::fit::PcaFit;
use crate::analysis::pca::impute::MissingPolicy;
use crate::analysis::scaling::metadata::{Families, LogCompute};
use crate::analysis::{AnalysisError, PcaValidParams};

/// One family's fits of each PC score on log10(compute).
#[derive(Debug, Clone)]
pub struct FamilyFit {
    pub family: String,
    /// Rows (into the analysed models) of the family's models with known compute.
    pub rows: Vec<usize>,
    /// One line per component.
    pub fits: Vec<LineFit>,
}

/// A family with known compute that was not fitted, and why.
#[derive(Debug, Clone)]
pub struct ExcludedFamily {
    pub family: String,
    pub n_models: usize,
    pub reason: &'static str,
}

/// The checked options of a compute fit.
#[derive(Debug, Clone)]
pub struct ComputeFitSpec {
    pub pca: PcaValidParams,
    pub missing: MissingPolicy,
    /// Fit only families with at least this many models of known compute (>= 2).
    pub min_family_size: usize,
}

/// The PCA and every family's lines.
#[derive(Debug, Clone)]
pub struct ComputeFit {
    pub fit: PcaFit,
    /// In order of first appearance; `rows` index the analysed models.
    pub families: Vec<FamilyFit>,
    pub excluded: Vec<ExcludedFamily>,
    /// Per component, the mean R^2 over the fitted families.
    pub mean_r2: Vec<Option<f64>>,
}

/// Fits the PCA, then each family's lines on the analysed models.
pub fn compute_fit(
    matrix: &BenchmarkMatrix,
    families: &Families,
    compute: &LogCompute,
    spec: &ComputeFitSpec,
) -> Result<ComputeFit, AnalysisError> {
    let fit = PcaFit::new(matrix, &spec.pca, &spec.missing)?;
    let kept = &fit.completed.rows;
    let kept_compute: Vec<Option<f64>> = kept.iter().map(|&i| compute.values()[i]).collect();
    let (fitted, excluded) = family_lines(
        &fit.projections,
        families.groups(kept),
        &kept_compute,
        spec.min_family_size,
    );
    let mean_r2 = mean_r2(&fitted, fit.pca.n_components());
    Ok(ComputeFit {
        fit,
        families: fitted,
        excluded,
        mean_r2,
    })
}

/// For every family (rows into `projections`) with at least
/// `min_family_size` models of known compute, the OLS line of each
/// component's scores on log10(compute).
fn family_lines(
    projections: &Array2<f64>,
    groups: Vec<(String, Vec<usize>)>,
    log10_compute: &[Option<f64>],
    min_family_size: usize,
) -> (Vec<FamilyFit>, Vec<ExcludedFamily>) {
    let mut fitted = Vec::new();
    let mut excluded = Vec::new();
    for (family, rows) in groups {
        let rows: Vec<usize> = rows
            .into_iter()
            .filter(|&i| log10_compute[i].is_some())
            .collect();
        if rows.len() < min_family_size {
            if !rows.is_empty() {
                excluded.push(ExcludedFamily {
                    family,
                    n_models: rows.len(),
                    reason: "fewer models with known compute than min_family_size",
                });
            }
            continue;
        }
        let x: Vec<f64> = rows
            .iter()
            .map(|&i| log10_compute[i].expect("filtered"))
            .collect();
        let fits: Option<Vec<LineFit>> = projections
            .columns()
            .into_iter()
            .map(|column| {
                let y: Vec<f64> = rows.iter().map(|&i| column[i]).collect();
                fit_line(&x, &y)
            })
            .collect();
        match fits {
            Some(fits) => fitted.push(FamilyFit { family, rows, fits }),
            None => excluded.push(ExcludedFamily {
                family,
                n_models: rows.len(),
                reason: "every model of the family has the same compute",
            }),
        }
    }
    (fitted, excluded)
}

/// The mean R^2 of each component over the fitted families (families whose
/// scores are constant, with no R^2, are left out of the mean).
fn mean_r2(fits: &[FamilyFit], n_components: usize) -> Vec<Option<f64>> {
    (0..n_components)
        .map(|c| {
            let r2: Vec<f64> = fits.iter().filter_map(|f| f.fits[c].r2).collect();
            (!r2.is_empty()).then(|| r2.iter().sum::<f64>() / r2.len() as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compute_fits_skip_small_and_degenerate_families() {
        let projections = Array2::from_shape_vec((5, 1), vec![1.0, 2.0, 3.0, 5.0, 5.0]).unwrap();
        let groups = vec![
            ("a".to_string(), vec![0, 1, 2]),
            ("b".to_string(), vec![3, 4]),
        ];
        let compute = [Some(0.0), Some(1.0), Some(2.0), Some(1.0), Some(1.0)];
        let (fits, excluded) = family_lines(&projections, groups, &compute, 2);
        assert_eq!(fits.len(), 1);
        assert!((fits[0].fits[0].slope - 1.0).abs() < 1e-12);
        assert_eq!(excluded[0].family, "b");
        assert_eq!(mean_r2(&fits, 1), vec![Some(1.0)]);
    }
}
