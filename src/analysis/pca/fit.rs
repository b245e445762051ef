//! The PCA of a leaderboard as every analysis starts it: complete the
//! missing cells, fit, project; and the whole of `/v1/pca` on top of that
//! (supplementary models, parallel analysis, bootstrap intervals).

use linfa::DatasetBase;
use linfa::traits::Fit;
use ndarray::Array2;

use crate::analysis::matrix::BenchmarkMatrix;
use crate::analysis::pca::impute::{self, CompletedScores, FittedMissing, MissingPolicy};
use crate::analysis::pca::uncertainty::{self, BootstrapIntervals, ParallelAnalysis};
use crate::analysis::{AnalysisError, NComponents, Pca, PcaValidParams};

/// A leaderboard's completion, its PCA, and the projection of every kept model.
#[derive(Debug, Clone)]
pub struct PcaFit {
    /// The kept models' completed scores (indices into the leaderboard's models).
    pub completed: CompletedScores,
    /// What the missing-cell policy learned, for completing other models the same way.
    pub missing: FittedMissing,
    pub pca: Pca,
    /// One row of scores per kept model (the rows of `completed`).
    pub projections: Array2<f64>,
}

impl PcaFit {
    pub fn new(
        matrix: &BenchmarkMatrix,
        params: &PcaValidParams,
        policy: &MissingPolicy,
    ) -> Result<Self, AnalysisError> {
        let (completed, missing) = impute::complete(matrix, policy)?;
        Self::of_completed(completed, missing, params)
            .map_err(|err| err.naming_benchmarks(matrix.benchmarks()))
    }

    fn of_completed(
        completed: CompletedScores,
        missing: FittedMissing,
        params: &PcaValidParams,
    ) -> Result<Self, AnalysisError> {
        let pca = params.fit(&DatasetBase::new(completed.scores.view(), ()))?;
        let projections = pca.transform(completed.scores.view());
        Ok(Self {
            completed,
            missing,
            pca,
            projections,
        })
    }

    /// Completes `others` (the same benchmarks, other models) with the fit
    /// held fixed and places them on the components.
    pub fn place(&self, others: &BenchmarkMatrix) -> Result<Placement, AnalysisError> {
        let completed = self.missing.apply(others)?;
        let projections = self.pca.transform(completed.scores.view());
        Placement::checked(others, completed, projections)
    }
}

/// Models placed on a fitted basis without influencing it.
#[derive(Debug, Clone)]
pub struct Placement {
    /// Their completion (indices into the placed leaderboard's models).
    pub completed: CompletedScores,
    /// One row per kept model.
    pub projections: Array2<f64>,
}

impl Placement {
    /// The placement of the models of `placed`, refused when a model's
    /// completed scores or projections are not finite. A fit's own rows
    /// cannot overflow (their variance was checked), but a placed model is
    /// arbitrary: finite scores far from the fitted mean, or divided by a
    /// small scale, overflow when centred, scaled or summed, and an answer
    /// would carry infinity (which JSON writes as `null`) instead of an
    /// error. Every placement (supplementary models, a basis's transform, a
    /// law's test and predicted models) is built here.
    pub(crate) fn checked(
        placed: &BenchmarkMatrix,
        completed: CompletedScores,
        projections: Array2<f64>,
    ) -> Result<Self, AnalysisError> {
        let overflowed = (0..projections.nrows()).find(|&i| {
            let finite = |row: ndarray::ArrayView1<'_, f64>| row.iter().all(|v| v.is_finite());
            !(finite(completed.scores.row(i)) && finite(projections.row(i)))
        });
        if let Some(i) = overflowed {
            return Err(AnalysisError::PlacementOverflow {
                model: placed.models()[completed.rows[i]].clone(),
            });
        }
        Ok(Self {
            completed,
            projections,
        })
    }
}

/// Resampling options, checked: how many, at which level, from which seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resampling {
    pub count: usize,
    pub level: f64,
    pub seed: u64,
}

/// How many components `/v1/pca` keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ComponentChoice {
    /// As the PCA parameters say.
    Fixed,
    /// As many as parallel analysis retains.
    ParallelAnalysis,
}

/// Everything `/v1/pca` does besides the data, checked.
#[derive(Debug, Clone)]
pub struct PcaPlan {
    pub params: PcaValidParams,
    pub components: ComponentChoice,
    pub missing: MissingPolicy,
    /// Horn's parallel analysis (always run for [`ComponentChoice::ParallelAnalysis`]).
    pub parallel_analysis: Option<Resampling>,
    pub bootstrap: Option<Resampling>,
}

/// The result of `/v1/pca`.
#[derive(Debug, Clone)]
pub struct PcaAnalysis {
    pub fit: PcaFit,
    pub supplementary: Option<Placement>,
    pub parallel_analysis: Option<ParallelAnalysis>,
    pub bootstrap: Option<BootstrapIntervals>,
}

/// Supplementary models: a leaderboard on `fitted`'s benchmarks whose models
/// are all new to it.
pub fn supplementary(
    fitted: &BenchmarkMatrix,
    models: Vec<String>,
    rows: crate::analysis::matrix::ScoreRows,
) -> Result<BenchmarkMatrix, AnalysisError> {
    if let Some(clash) = models.iter().find(|m| fitted.models().contains(m)) {
        return Err(AnalysisError::SupplementaryClash {
            model: clash.clone(),
        });
    }
    BenchmarkMatrix::new(models, fitted.benchmarks().to_vec(), rows)
}

/// The whole PCA analysis of a leaderboard: complete, (count components by
/// parallel analysis,) fit, project, bootstrap, and place the supplementary
/// models with the fit held fixed.
pub fn analyse(
    matrix: &BenchmarkMatrix,
    supplementary: Option<&BenchmarkMatrix>,
    plan: &PcaPlan,
) -> Result<PcaAnalysis, AnalysisError> {
    analyse_unnamed(matrix, supplementary, plan)
        .map_err(|err| err.naming_benchmarks(matrix.benchmarks()))
}

fn analyse_unnamed(
    matrix: &BenchmarkMatrix,
    supplementary: Option<&BenchmarkMatrix>,
    plan: &PcaPlan,
) -> Result<PcaAnalysis, AnalysisError> {
    let (completed, missing) = impute::complete(matrix, &plan.missing)?;
    let parallel_analysis = match plan.parallel_analysis {
        None => None,
        Some(Resampling { count, level, seed }) => {
            if completed.scores.nrows() < 2 {
                return Err(AnalysisError::TooFewModels {
                    n_models: completed.scores.nrows(),
                });
            }
            Some(uncertainty::parallel_analysis(
                completed.scores.view(),
                plan.params.standardize(),
                count,
                level,
                seed,
            )?)
        }
    };
    let params = match (plan.components, &parallel_analysis) {
        (ComponentChoice::ParallelAnalysis, Some(pa)) => plan
            .params
            .clone()
            .with_n_components(NComponents::Count(pa.n_retained)),
        _ => plan.params.clone(),
    };
    let fit = PcaFit::of_completed(completed, missing, &params)?;
    let bootstrap = match plan.bootstrap {
        None => None,
        Some(Resampling { count, level, seed }) => Some(uncertainty::bootstrap(
            fit.completed.scores.view(),
            &params,
            &fit.pca,
            count,
            level,
            seed,
        )?),
    };
    let supplementary = supplementary.map(|s| fit.place(s)).transpose()?;
    Ok(PcaAnalysis {
        fit,
        supplementary,
        parallel_analysis,
        bootstrap,
    })
}
