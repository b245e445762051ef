//! Which models to evaluate: the paper's V-optimal design. Given PC scores
//! of all models, choose whole families within a budget of models so that a
//! linear model fitted on the chosen families predicts best across all of
//! them: minimise trace(X_all^T X_all (X_S^T X_S)^-1) on the PC scores (no
//! intercept column, as in the paper's code).

use ndarray::{Array2, ArrayView2};

use crate::analysis::matrix::BenchmarkMatrix;
use crate::analysis::numerics::rng::Rng;
use crate::analysis::pca::fit::PcaFit;
use crate::analysis::pca::impute::MissingPolicy;
use crate::analysis::scaling::metadata::Families;
use crate::analysis::{AnalysisError, PcaValidParams};

/// More optional families than this would mean more than 2^20 subsets.
pub const MAX_FAMILIES: usize = 20;

/// A candidate design.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Indices into the families given.
    pub families: Vec<usize>,
    pub n_models: usize,
    pub criterion: f64,
}

/// The random-subset baseline of one budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub samples: usize,
    /// Samples whose design was not singular.
    pub valid: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
}

/// The best designs (at most `top`) and the baseline for one budget.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetDesigns {
    pub max_models: usize,
    pub best: Vec<Design>,
    pub baseline: Baseline,
}

/// Checked options of a family selection.
#[derive(Debug, Clone)]
pub struct DesignSpec {
    pub pca: PcaValidParams,
    pub missing: MissingPolicy,
    /// Budgets of models, each at least 1.
    pub budgets: Vec<usize>,
    /// Families every design includes.
    pub required_families: Vec<String>,
    /// Best designs reported per budget (at least 1).
    pub top: usize,
    pub baseline_samples: usize,
    pub seed: u64,
}

/// The PCA, the families of its models, and the designs per budget.
#[derive(Debug, Clone)]
pub struct FamilySelection {
    pub fit: PcaFit,
    /// The analysed models' families in order of first appearance; designs
    /// name families by index into this list.
    pub families: Vec<String>,
    /// The models of each family, as rows of the matrix, in its order: what
    /// a design asks to evaluate.
    pub members: Vec<Vec<usize>>,
    pub budgets: Vec<BudgetDesigns>,
}

impl FamilySelection {
    /// The models a design evaluates (rows of the matrix), family by family
    /// in the design's order.
    pub fn models_of<'a>(&'a self, design: &'a Design) -> impl Iterator<Item = usize> + 'a {
        design
            .families
            .iter()
            .flat_map(|&f| self.members[f].iter().copied())
    }
}

/// Fits the PCA, groups the analysed models by family and searches the
/// designs on their PC scores.
pub fn select_families(
    matrix: &BenchmarkMatrix,
    families: &Families,
    spec: &DesignSpec,
) -> Result<FamilySelection, AnalysisError> {
    let fit = PcaFit::new(matrix, &spec.pca, &spec.missing)?;
    let (names, rows): (Vec<String>, Vec<Vec<usize>>) =
        families.groups(&fit.completed.rows).into_iter().unzip();
    let required: Vec<usize> = spec
        .required_families
        .iter()
        .map(|name| {
            names.iter().position(|n| n == name).ok_or_else(|| {
                AnalysisError::InvalidDesign(format!(
                    "required family '{name}' has no model in the leaderboard"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let budgets = v_optimal(
        fit.projections.view(),
        &rows,
        &required,
        &spec.budgets,
        spec.top,
        spec.baseline_samples,
        spec.seed,
    )?;
    // The positions index the completed rows; the answer names matrix rows.
    let members = rows
        .iter()
        .map(|positions| positions.iter().map(|&p| fit.completed.rows[p]).collect())
        .collect();
    Ok(FamilySelection {
        fit,
        families: names,
        members,
        budgets,
    })
}

/// k x k Gram matrix of the given rows.
fn gram(scores: ArrayView2<'_, f64>, rows: &[usize]) -> Array2<f64> {
    let k = scores.ncols();
    let mut g = Array2::zeros((k, k));
    for &r in rows {
        let row = scores.row(r);
        for a in 0..k {
            for b in 0..k {
                g[[a, b]] += row[a] * row[b];
            }
        }
    }
    g
}

/// trace(A M^-1), or None when M is singular (fewer informative models than PCs).
fn criterion(a: &Array2<f64>, m: &Array2<f64>) -> Option<f64> {
    let k = m.nrows();
    // Gauss-Jordan on [M | A]: M^-1 A, whose trace equals trace(A M^-1).
    let mut aug = Array2::zeros((k, 2 * k));
    aug.slice_mut(ndarray::s![.., ..k]).assign(m);
    aug.slice_mut(ndarray::s![.., k..]).assign(a);
    let scale = m.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    for col in 0..k {
        let pivot =
            (col..k).max_by(|&i, &j| aug[[i, col]].abs().total_cmp(&aug[[j, col]].abs()))?;
        if aug[[pivot, col]].abs() <= 1e-12 * scale.max(f64::MIN_POSITIVE) {
            return None;
        }
        for c in 0..2 * k {
            aug.swap([col, c], [pivot, c]);
        }
        let p = aug[[col, col]];
        aug.row_mut(col).mapv_inplace(|v| v / p);
        for r in 0..k {
            if r != col {
                let f = aug[[r, col]];
                if f != 0.0 {
                    let pivot_row = aug.row(col).to_owned();
                    aug.row_mut(r)
                        .zip_mut_with(&pivot_row, |v, pv| *v -= f * pv);
                }
            }
        }
    }
    let t: f64 = (0..k).map(|i| aug[[i, k + i]]).sum();
    t.is_finite().then_some(t)
}

/// Exhaustive search over subsets of the optional families (the required
/// ones are always in), per budget, plus a random-subset baseline: random
/// orderings of the optional families, each added while the budget allows.
pub fn v_optimal(
    scores: ArrayView2<'_, f64>,
    family_rows: &[Vec<usize>],
    required: &[usize],
    budgets: &[usize],
    top: usize,
    baseline_samples: usize,
    seed: u64,
) -> Result<Vec<BudgetDesigns>, AnalysisError> {
    let optional: Vec<usize> = (0..family_rows.len())
        .filter(|f| !required.contains(f))
        .collect();
    if optional.len() > MAX_FAMILIES {
        return Err(AnalysisError::TooManyFamilies {
            optional: optional.len(),
            limit: MAX_FAMILIES,
        });
    }
    // Every analysed model is to be predicted well, also one without a
    // family (which no design can include): family members first, then the
    // others, so that the sum runs in the same order as when every model
    // has a family.
    let mut all_rows: Vec<usize> = family_rows.iter().flatten().copied().collect();
    let mut in_family = vec![false; scores.nrows()];
    all_rows.iter().for_each(|&r| in_family[r] = true);
    all_rows.extend((0..scores.nrows()).filter(|&r| !in_family[r]));
    let a = gram(scores, &all_rows);
    let grams: Vec<Array2<f64>> = family_rows.iter().map(|rows| gram(scores, rows)).collect();
    let base_gram = required
        .iter()
        .fold(Array2::zeros(a.dim()), |g, &f| g + &grams[f]);
    let base_models: usize = required.iter().map(|&f| family_rows[f].len()).sum();
    let k = scores.ncols();

    let mut best: Vec<Vec<Design>> = vec![Vec::new(); budgets.len()];
    for mask in 0u64..(1u64 << optional.len()) {
        if mask & 0xFFF == 0 {
            crate::analysis::budget::check()?;
        }
        let chosen: Vec<usize> = (0..optional.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| optional[i])
            .collect();
        let n_models = base_models + chosen.iter().map(|&f| family_rows[f].len()).sum::<usize>();
        if n_models < k || !budgets.iter().any(|&b| n_models <= b) {
            continue;
        }
        let m = chosen.iter().fold(base_gram.clone(), |g, &f| g + &grams[f]);
        let Some(value) = criterion(&a, &m) else {
            continue;
        };
        let mut families: Vec<usize> = required.iter().chain(&chosen).copied().collect();
        families.sort_unstable();
        let design = Design {
            families,
            n_models,
            criterion: value,
        };
        for (b, &budget) in budgets.iter().enumerate() {
            if n_models <= budget {
                let list = &mut best[b];
                let at = list.partition_point(|d| d.criterion <= value);
                if at < top {
                    list.insert(at, design.clone());
                    list.truncate(top);
                }
            }
        }
    }

    let results = budgets
        .iter()
        .zip(best)
        .enumerate()
        .map(|(b, (&budget, best))| {
            let mut rng = Rng::new(seed, b as u64);
            let mut values = Vec::new();
            for _ in 0..baseline_samples {
                let mut order = optional.clone();
                for i in (1..order.len()).rev() {
                    order.swap(i, rng.below(i + 1));
                }
                let mut n_models = base_models;
                let mut m = base_gram.clone();
                for f in order {
                    if n_models + family_rows[f].len() <= budget {
                        n_models += family_rows[f].len();
                        m += &grams[f];
                    }
                }
                if n_models <= budget
                    && let Some(v) = criterion(&a, &m)
                {
                    values.push(v);
                }
            }
            let valid = values.len();
            let mean = (valid > 0).then(|| values.iter().sum::<f64>() / valid as f64);
            let median =
                (valid > 0).then(|| crate::analysis::pca::uncertainty::quantile(&mut values, 0.5));
            BudgetDesigns {
                max_models: budget,
                best,
                baseline: Baseline {
                    samples: baseline_samples,
                    valid,
                    mean,
                    median,
                },
            }
        })
        .collect();
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn criterion_is_the_trace_of_a_times_the_inverse() {
        let a = array![[2.0, 0.0], [0.0, 4.0]];
        let m = array![[1.0, 0.0], [0.0, 2.0]];
        assert!((criterion(&a, &m).unwrap() - 4.0).abs() < 1e-12);
        assert_eq!(criterion(&a, &array![[1.0, 1.0], [1.0, 1.0]]), None);
    }

    #[test]
    fn choosing_everything_gives_k_and_budgets_are_respected() {
        // Three families of two models on 2 PCs.
        let scores = array![
            [1.0, 0.0],
            [2.0, 0.1],
            [0.0, 1.0],
            [0.1, 2.0],
            [1.0, 1.0],
            [-1.0, 1.0]
        ];
        let families = vec![vec![0, 1], vec![2, 3], vec![4, 5]];
        let results = v_optimal(scores.view(), &families, &[], &[6, 4], 2, 50, 1).unwrap();
        // All models: trace(A A^-1) = k = 2, the minimum.
        assert_eq!(results[0].best[0].families, vec![0, 1, 2]);
        assert!((results[0].best[0].criterion - 2.0).abs() < 1e-9);
        for design in &results[1].best {
            assert!(design.n_models <= 4);
        }
        assert!(results[1].best[0].criterion >= 2.0);
        assert!(results[1].baseline.mean.unwrap() >= results[1].best[0].criterion - 1e-9);
        // Required families are always in.
        let with_required = v_optimal(scores.view(), &families, &[2], &[4], 3, 10, 1).unwrap();
        assert!(
            with_required[0]
                .best
                .iter()
                .all(|d| d.families.contains(&2))
        );
    }
}
