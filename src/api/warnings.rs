//! Warnings: an answer that is given, but whose figures the client should
//! not take at face value, says so in `warnings`, each with a stable code
//! and what to do instead.

use serde::Serialize;
use utoipa::ToSchema;

use super::options::Missing;
use crate::analysis::CompletedScores;
use crate::analysis::pca::uncertainty::ParallelAnalysis;

/// Something about an answer that the client should know.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Warning {
    /// `imputation_not_converged`: iterative_pca stopped at max_iter with
    /// its cells still moving; `mostly_imputed`: more than half of the
    /// analysed cells were filled in, so the figures describe the
    /// imputation more than the data; `no_component_beats_noise`: parallel
    /// analysis found no component above its reference, and one is kept
    /// only because an answer needs one; `no_degrees_of_freedom`: a scaling
    /// law has as many free parameters as training models or more, so it
    /// can pass through every one of them and its `train_mse` checks
    /// nothing.
    pub code: &'static str,
    pub message: String,
}

/// The warnings of a PCA whose missing cells `policy` completed.
pub fn imputation(policy: Missing, completed: &CompletedScores) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let better = "missing=complete fills the gaps with /v1/complete's cross-validated predictions";
    if let Some(report) = completed.report
        && !report.converged
    {
        warnings.push(Warning {
            code: "imputation_not_converged",
            message: format!(
                "iterative_pca did not converge: after {} iterations its imputed cells still \
                 moved by up to {:.3e} (z-score units), so the components depend on where it \
                 stopped; {better}",
                report.iterations, report.max_change
            ),
        });
    }
    let cells = completed.scores.len();
    let filled = completed.imputed.len();
    if filled * 2 > cells {
        let share = 100.0 * filled as f64 / cells as f64;
        let advice = if policy == Missing::Complete {
            "the components describe the completion's predictions more than the scores; a \
             smaller set of benchmarks that the models share would rest on the data"
                .to_owned()
        } else {
            better.to_owned()
        };
        warnings.push(Warning {
            code: "mostly_imputed",
            message: format!(
                "{filled} of the {cells} analysed cells ({share:.0} %) were filled in by {}, \
                 not observed; {advice}",
                policy_name(policy)
            ),
        });
    }
    warnings
}

/// The warning of a law with `n_parameters` free parameters fitted on
/// `n_train` models, when they leave it no degree of freedom: a law that
/// can interpolate its training models fits them whatever they are (a
/// `train_mse` of 0 and `converged`), so its predictions rest on no check.
/// Not an error: the rule for the fewest training models (n_components +
/// 2) lets such a law be fitted, and refusing it now would refuse answers
/// given before.
pub fn saturated_law(n_train: usize, n_parameters: usize) -> Option<Warning> {
    (n_train <= n_parameters).then(|| Warning {
        code: "no_degrees_of_freedom",
        message: format!(
            "the law has {n_parameters} free parameters (a weight per component, the \
             intercept and the floor) and was fitted on {n_train} training models, so it can \
             pass through each of them: train_mse says nothing of the fit and the predictions \
             rest on no check; label more models or ask for fewer n_components"
        ),
    })
}

fn policy_name(policy: Missing) -> &'static str {
    match policy {
        Missing::Reject => "reject",
        Missing::DropModels => "drop_models",
        Missing::Mean => "mean",
        Missing::IterativePca => "iterative_pca",
        Missing::Complete => "complete",
    }
}

/// The warning of a parallel analysis under which no component beats noise:
/// it still retains one (the answer needs a component), which is then no
/// more than the largest direction of noise.
pub fn parallel_analysis(pa: &ParallelAnalysis) -> Option<Warning> {
    (pa.n_above_reference == 0).then(|| Warning {
        code: "no_component_beats_noise",
        message: format!(
            "parallel analysis found no component whose eigenvalue exceeds its reference (the \
             first: {:.6e} against {:.6e}, the {} quantile of {} permutations): n_retained is 1 \
             only because an answer needs a component, and the scores look like noise",
            pa.observed[0], pa.reference[0], pa.quantile, pa.iterations
        ),
    })
}
