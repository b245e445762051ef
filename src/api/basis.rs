//! The fitted basis on the wire: the self-contained JSON object that
//! `/v1/pca`, `/v1/scaling/law` and `/v1/scaling/skills` answer with
//! `return_basis`, that the client keeps, and that `/v1/pca/transform` and
//! `/v1/scaling/predict` take back. Its `fingerprint` is the SHA-256 (lowercase hex) of the
//! RFC 8785 (JSON Canonicalization Scheme) serialisation of the object
//! without its `fingerprint` member, so that a client can check it and the
//! service can tell an edited basis from the one it made.
//!
//! Numbers go out as serde_json writes them (the shortest text that parses
//! back to the same f64), so a basis read back holds the very numbers it
//! was made of.
//!
//! The wire types here are a basis as clients keep it, and only that: a
//! basis is a versioned, fingerprinted format, so its members are fixed here
//! and do not move when a core type is renamed or reshaped, and the core
//! carries no serde. A PCA basis is written from, and read straight into,
//! the core's own values (arrays and the fitted missing-score model, in
//! `BasisParts`): the one check that its JSON needs before that, that no
//! matrix is ragged, is made here in the words the core uses for a matrix of
//! the wrong width, and the core checks everything else. The law and skills
//! bases go through `LawBasisParts` and `SkillsBasisParts`. A change to a
//! core type fails to compile in `new` or `into_parts` here, which is where
//! a new `format` version is decided.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorCode};
use super::options::{LinkName, Sign};
use crate::analysis::pca::basis::{Basis as FittedBasis, BasisParts};
use crate::analysis::pca::impute::{FittedIterativePca, FittedMissing, IterativePcaParams};
use crate::analysis::scaling::basis::{LawBasis as FittedLawBasis, LawBasisParts, Reference};
use crate::analysis::skills::{FittedRange, SkillsBasis as FittedSkillsBasis, SkillsBasisParts};

/// `format` of a PCA basis.
pub const BASIS_FORMAT: &str = "obscaling.basis/v1";
/// `format` of a law basis.
pub const LAW_BASIS_FORMAT: &str = "obscaling.law-basis/v1";
/// `format` of a skills basis.
pub const SKILLS_BASIS_FORMAT: &str = "obscaling.skills-basis/v2";
/// `format` of a skills basis made before bases carried the fitted range
/// (`fitted_range`): still read, its predictions unmarked.
pub const SKILLS_BASIS_FORMAT_V1: &str = "obscaling.skills-basis/v1";

/// Whether `format` is a skills basis's, of any version this service reads.
pub fn is_skills_format(format: &str) -> bool {
    format == SKILLS_BASIS_FORMAT || format == SKILLS_BASIS_FORMAT_V1
}

/// A fitted PCA basis: everything needed to place a new model exactly as a
/// `supplementary` model of the fit was placed. Keep it whole: its
/// `fingerprint` covers every other member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!(basis_example()))]
pub struct Basis {
    /// Always `obscaling.basis/v1`.
    #[schema(pattern = r"^obscaling\.basis/v1$")]
    pub format: String,
    /// The fitted benchmarks; new models' columns are matched to them by name.
    pub benchmarks: Vec<String>,
    /// The mean score of each benchmark at fit time (after imputation).
    pub mean: Vec<f64>,
    /// The standard deviation each benchmark is divided by, or null without `standardize`.
    pub scale: Option<Vec<f64>>,
    /// k rows of p orthonormal loadings.
    pub components: Vec<Vec<f64>>,
    /// The sign convention the components were oriented by.
    pub sign: Sign,
    /// Each component's share of the fit's total variance (for display).
    pub explained_variance_ratio: Vec<f64>,
    /// The missing-score model, held fixed when new models are placed.
    pub missing: BasisMissing,
    /// The models the PCA was fitted on (after `drop_models`).
    #[schema(minimum = 2)]
    pub n_models: usize,
    /// SHA-256, lowercase hex, of the RFC 8785 canonical JSON of this
    /// object without `fingerprint`.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub fingerprint: String,
}

/// How a basis fills a new model's missing cells: the policy of the fit,
/// with what it learned from the fitted models.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "policy", rename_all = "snake_case", deny_unknown_fields)]
pub enum BasisMissing {
    /// A missing cell is refused (`missing_scores`).
    Reject,
    /// A model with a missing cell is left out (`dropped_models`).
    DropModels,
    /// A missing cell gets its benchmark's observed mean at fit time.
    Mean {
        /// One fill value per benchmark.
        mean: Vec<f64>,
    },
    /// The paper's iterative imputation with the fit held fixed: each row's
    /// missing cells start at 0 in z-scores and are replaced by the rank-r
    /// reconstruction until they move by at most `tol` (or `max_iter`).
    IterativePca {
        /// The z-scoring: z = (x - mean) / scale.
        mean: Vec<f64>,
        scale: Vec<f64>,
        /// The centre of the completed z-scores the rank-r PCA was fitted on.
        center: Vec<f64>,
        /// r rows of p orthonormal loadings (r, the imputation rank).
        components: Vec<Vec<f64>>,
        /// Stop once no missing cell moves by more than this (z-score units).
        tol: f64,
        max_iter: usize,
        /// [lo, hi] imputed values are clipped to, or null.
        bounds: Option<[f64; 2]>,
    },
}

/// A fitted scaling law: its PCA basis, the sigmoid and (with a reference
/// family) the line that converts capability to equivalent compute.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!(law_basis_example()))]
pub struct LawBasis {
    /// Always `obscaling.law-basis/v1`.
    #[schema(pattern = r"^obscaling\.law-basis/v1$")]
    pub format: String,
    /// The benchmark the law predicts.
    pub target: String,
    /// The PCA basis of the training models (a basis of its own: it can be
    /// sent to /v1/pca/transform).
    pub pca: Basis,
    /// y = (1 - floor) * sigmoid(weights . s + intercept) + floor, s the PC
    /// scores, y the (normalised) target.
    pub weights: Vec<f64>,
    pub intercept: f64,
    pub floor: f64,
    /// [lo, hi]: predictions are lo + (hi - lo) * y; null for none.
    pub target_range: Option<[f64; 2]>,
    /// The reference family's line, or null.
    pub reference: Option<ReferenceLine>,
    /// SHA-256, lowercase hex, of the RFC 8785 canonical JSON of this
    /// object without `fingerprint` (the nested `pca.fingerprint` included).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub fingerprint: String,
}

/// capability = slope * log10(FLOPs) + intercept within the reference family.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceLine {
    pub family: String,
    pub slope: f64,
    pub intercept: f64,
}

/// A fitted skills law (/v1/scaling/skills with `return_basis`): what
/// predicts a model of one of its families from its parameters and
/// training tokens, exactly as the fit predicted its own models. Keep it
/// whole: its `fingerprint` covers every other member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!(skills_basis_example()))]
pub struct SkillsBasis {
    /// `obscaling.skills-basis/v2` (`v1`: a basis made before
    /// `fitted_range`, still accepted).
    #[schema(pattern = r"^obscaling\.skills-basis/v[12]$")]
    pub format: String,
    /// The benchmarks predicted, in the fit's order.
    pub benchmarks: Vec<String>,
    /// One chance floor per benchmark.
    pub floors: Vec<f64>,
    pub link: LinkName,
    /// How [ln S, ln T, ln S ln T] (S params in billions, T tokens in
    /// trillions) is standardised: (x - mean) / scale.
    pub covariates: SkillsCovariates,
    /// The sizes of the models the law was fitted on; a prediction outside
    /// them is marked. Absent from a `v1` basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted_range: Option<SkillsFittedRange>,
    /// A: d rows of 3, skills per standardised covariate.
    pub skill_weights: Vec<Vec<f64>>,
    /// Each family's efficiency (its offset in skill space), which a
    /// predicted model's family must be among.
    pub families: Vec<FamilyEfficiency>,
    /// One row of d loadings per benchmark: eta = loadings . z + intercept.
    pub loadings: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    /// `monotone`: per benchmark [psi, kappa] of sigmoid(psi)
    /// sigmoid(eta)^exp(kappa); null for `sigmoid`.
    pub link_params: Option<Vec<[f64; 2]>>,
    /// `monotone`: per benchmark, the isotonic regression of its scores on
    /// eta (knots `x`, increasing, and values `y`; linear between knots,
    /// constant beyond them); null for `sigmoid`.
    pub isotonic: Option<Vec<IsotonicPart>>,
    /// `monotone`: the isotonic part's weight in the link (0.5); null for
    /// `sigmoid`.
    pub isotonic_weight: Option<f64>,
    /// SHA-256, lowercase hex, of the RFC 8785 canonical JSON of this
    /// object without `fingerprint`.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub fingerprint: String,
}

/// The standardisation of a skills basis's covariates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillsCovariates {
    pub mean: [f64; 3],
    pub scale: [f64; 3],
}

/// The smallest and largest sizes among the models a skills law was fitted
/// on: params in billions, tokens in trillions.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillsFittedRange {
    pub params: [f64; 2],
    pub tokens: [f64; 2],
}

impl From<FittedRange> for SkillsFittedRange {
    fn from(range: FittedRange) -> Self {
        SkillsFittedRange {
            params: [range.params.0, range.params.1],
            tokens: [range.tokens.0, range.tokens.1],
        }
    }
}

impl From<SkillsFittedRange> for FittedRange {
    fn from(range: SkillsFittedRange) -> Self {
        FittedRange {
            params: (range.params[0], range.params[1]),
            tokens: (range.tokens[0], range.tokens[1]),
        }
    }
}

/// A family of a skills basis.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyEfficiency {
    #[schema(min_length = 1)]
    pub family: String,
    /// One value per skill.
    pub efficiency: Vec<f64>,
}

/// One benchmark's isotonic regression in a skills basis.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IsotonicPart {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl SkillsBasis {
    /// The wire form of a fitted skills basis, fingerprinted.
    pub fn new(basis: &FittedSkillsBasis) -> Self {
        let parts = basis.parts();
        let monotone = parts.link == crate::analysis::skills::Link::Monotone;
        let mut wire = SkillsBasis {
            format: SKILLS_BASIS_FORMAT.into(),
            benchmarks: parts.benchmarks,
            floors: parts.floors,
            link: parts.link.into(),
            covariates: SkillsCovariates {
                mean: parts.covariate_means,
                scale: parts.covariate_sds,
            },
            fitted_range: parts.fitted_range.map(SkillsFittedRange::from),
            skill_weights: parts.skill_weights,
            families: parts
                .families
                .into_iter()
                .map(|(family, efficiency)| FamilyEfficiency { family, efficiency })
                .collect(),
            loadings: parts.loadings,
            intercepts: parts.intercepts,
            link_params: monotone.then_some(parts.link_params),
            isotonic: monotone.then(|| {
                parts
                    .isotonic
                    .into_iter()
                    .map(|(x, y)| IsotonicPart { x, y })
                    .collect()
            }),
            isotonic_weight: parts.isotonic_weight,
            fingerprint: String::new(),
        };
        wire.fingerprint = fingerprint_of(&wire);
        wire
    }

    fn into_parts(self) -> SkillsBasisParts {
        SkillsBasisParts {
            benchmarks: self.benchmarks,
            floors: self.floors,
            link: self.link.into(),
            skill_weights: self.skill_weights,
            covariate_means: self.covariates.mean,
            covariate_sds: self.covariates.scale,
            fitted_range: self.fitted_range.map(FittedRange::from),
            families: self
                .families
                .into_iter()
                .map(|f| (f.family, f.efficiency))
                .collect(),
            loadings: self.loadings,
            intercepts: self.intercepts,
            link_params: self.link_params.unwrap_or_default(),
            isotonic: self
                .isotonic
                .unwrap_or_default()
                .into_iter()
                .map(|p| (p.x, p.y))
                .collect(),
            isotonic_weight: self.isotonic_weight,
        }
    }
}

/// A skills basis as a client sent it back, checked; and its fingerprint.
pub fn read_skills_basis(value: &Value) -> Result<(FittedSkillsBasis, String), ApiError> {
    let what = "basis";
    let v1 = format_of(value) == Some(SKILLS_BASIS_FORMAT_V1);
    let expected = if v1 {
        SKILLS_BASIS_FORMAT_V1
    } else {
        SKILLS_BASIS_FORMAT
    };
    let object = object_of_format(value, what, expected)?;
    let wire: SkillsBasis = typed(value, what)?;
    match (v1, wire.fitted_range.is_some()) {
        (true, true) => {
            return Err(invalid(format!(
                "{what}.fitted_range is not a member of a {SKILLS_BASIS_FORMAT_V1} basis"
            )));
        }
        (false, false) => return Err(invalid(format!("{what} has no fitted_range"))),
        _ => {}
    }
    let sent = wire.fingerprint.clone();
    let basis =
        FittedSkillsBasis::from_parts(wire.into_parts()).map_err(|err| named(err.into(), what))?;
    check_fingerprint(object, &sent, what)?;
    Ok((basis, sent))
}

/// The `format` member of a basis object, if it has a string one.
pub fn format_of(value: &Value) -> Option<&str> {
    value.get("format").and_then(Value::as_str)
}

/// The object without its `fingerprint` member, as serde sees it (the
/// canonicaliser sorts the members itself).
struct WithoutFingerprint<'a>(&'a Map<String, Value>);

impl Serialize for WithoutFingerprint<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().filter(|(key, _)| *key != "fingerprint"))
    }
}

/// The fingerprint of a basis object: SHA-256, lowercase hex, of the RFC
/// 8785 canonical JSON of the object without its `fingerprint` member.
pub fn fingerprint(object: &Map<String, Value>) -> String {
    let canonical = serde_json_canonicalizer::to_vec(&WithoutFingerprint(object))
        .expect("a JSON value read or written by serde_json has only finite numbers");
    Sha256::digest(&canonical)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The fingerprint of a basis about to go out.
fn fingerprint_of<T: Serialize>(wire: &T) -> String {
    let value = serde_json::to_value(wire).expect("a basis serialises");
    fingerprint(value.as_object().expect("a basis is an object"))
}

impl Basis {
    /// The wire form of a fitted basis, fingerprinted.
    pub fn new(basis: &FittedBasis) -> Self {
        let parts = basis.parts();
        let mut wire = Basis {
            format: BASIS_FORMAT.into(),
            benchmarks: parts.benchmarks.clone(),
            mean: parts.mean.to_vec(),
            scale: parts.scale.as_ref().map(Array1::to_vec),
            components: rows(&parts.components),
            sign: parts.sign.into(),
            explained_variance_ratio: parts.explained_variance_ratio.to_vec(),
            missing: BasisMissing::new(&parts.missing),
            n_models: parts.n_models,
            fingerprint: String::new(),
        };
        wire.fingerprint = fingerprint_of(&wire);
        wire
    }

    /// The basis called `what` as the core's values, still unchecked but
    /// for ragged matrices.
    fn into_parts(self, what: &str) -> Result<BasisParts, ApiError> {
        let p = self.benchmarks.len();
        Ok(BasisParts {
            components: matrix(what, "components", self.components, p)?,
            missing: self.missing.into_fitted(what, p)?,
            benchmarks: self.benchmarks,
            mean: self.mean.into(),
            scale: self.scale.map(Array1::from),
            sign: self.sign.into(),
            explained_variance_ratio: self.explained_variance_ratio.into(),
            n_models: self.n_models,
        })
    }
}

impl BasisMissing {
    fn new(missing: &FittedMissing) -> Self {
        match missing {
            FittedMissing::Reject => BasisMissing::Reject,
            FittedMissing::DropModels => BasisMissing::DropModels,
            FittedMissing::Mean { mean } => BasisMissing::Mean {
                mean: mean.to_vec(),
            },
            FittedMissing::IterativePca(fitted) => BasisMissing::IterativePca {
                mean: fitted.mean.to_vec(),
                scale: fitted.std.to_vec(),
                center: fitted.z_mean.to_vec(),
                components: rows(&fitted.basis),
                tol: fitted.params.tol,
                max_iter: fitted.params.max_iter,
                bounds: fitted.params.bounds.map(|(lo, hi)| [lo, hi]),
            },
        }
    }

    /// The missing-score model of the basis called `what`, on p benchmarks;
    /// its rank is the number of rows of its components.
    fn into_fitted(self, what: &str, p: usize) -> Result<FittedMissing, ApiError> {
        Ok(match self {
            BasisMissing::Reject => FittedMissing::Reject,
            BasisMissing::DropModels => FittedMissing::DropModels,
            BasisMissing::Mean { mean } => FittedMissing::Mean { mean: mean.into() },
            BasisMissing::IterativePca {
                mean,
                scale,
                center,
                components,
                tol,
                max_iter,
                bounds,
            } => {
                let basis = matrix(what, "missing.components", components, p)?;
                let params = IterativePcaParams {
                    rank: basis.nrows(),
                    max_iter,
                    tol,
                    bounds: bounds.map(|[lo, hi]| (lo, hi)),
                };
                FittedMissing::IterativePca(FittedIterativePca {
                    params,
                    mean: mean.into(),
                    std: scale.into(),
                    z_mean: center.into(),
                    basis,
                })
            }
        })
    }
}

/// A matrix as the wire writes it: a list of rows.
fn rows(matrix: &Array2<f64>) -> Vec<Vec<f64>> {
    matrix.rows().into_iter().map(|row| row.to_vec()).collect()
}

/// The rows called `name` of the basis called `what` as a matrix. Rows of
/// two lengths make none: the first row that is not p long is named as the
/// core names a matrix whose rows all have another length than p (the core
/// checks that, the values and the orthonormality). A basis with several
/// faults is therefore told of a ragged matrix first.
fn matrix(what: &str, name: &str, rows: Vec<Vec<f64>>, p: usize) -> Result<Array2<f64>, ApiError> {
    let width = rows.first().map_or(p, Vec::len);
    if rows.iter().any(|row| row.len() != width) {
        let (i, row) = rows
            .iter()
            .enumerate()
            .find(|(_, row)| row.len() != p)
            .expect("rows of two lengths are not all p long");
        return Err(invalid(format!(
            "{what}.{name}[{i}] has {} values, but there are {p} benchmarks",
            row.len()
        )));
    }
    Ok(Array2::from_shape_vec((rows.len(), width), rows.concat())
        .expect("rows of one width make a matrix"))
}

impl LawBasis {
    /// The wire form of a fitted law basis, fingerprinted (and its PCA basis too).
    pub fn new(basis: &FittedLawBasis) -> Self {
        let law = basis.law();
        let mut wire = LawBasis {
            format: LAW_BASIS_FORMAT.into(),
            target: basis.target().to_owned(),
            pca: Basis::new(basis.pca()),
            weights: law.weights.to_vec(),
            intercept: law.intercept,
            floor: law.floor,
            target_range: basis.target_range().map(|(lo, hi)| [lo, hi]),
            reference: basis.reference().map(|r| ReferenceLine {
                family: r.family.clone(),
                slope: r.slope,
                intercept: r.intercept,
            }),
            fingerprint: String::new(),
        };
        wire.fingerprint = fingerprint_of(&wire);
        wire
    }
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidBasis, detail)
}

/// The object, with the format `expected`.
fn object_of_format<'v>(
    value: &'v Value,
    what: &str,
    expected: &str,
) -> Result<&'v Map<String, Value>, ApiError> {
    let object = value
        .as_object()
        .ok_or_else(|| invalid(format!("{what} must be a JSON object")))?;
    match object.get("format") {
        Some(Value::String(format)) if format == expected => Ok(object),
        Some(Value::String(format)) if format == LAW_BASIS_FORMAT => Err(invalid(format!(
            "{what}.format is \"{format}\", a law basis: send it to /v1/scaling/predict, or \
             its `pca` member here"
        ))),
        Some(Value::String(format)) if is_skills_format(format) => Err(invalid(format!(
            "{what}.format is \"{format}\", a skills basis: send it to /v1/scaling/predict \
             with the models' params, tokens and families"
        ))),
        Some(Value::String(format)) => Err(invalid(format!(
            "{what}.format must be \"{expected}\", got \"{format}\""
        ))),
        Some(other) => Err(invalid(format!(
            "{what}.format must be \"{expected}\", got {other}"
        ))),
        None => Err(invalid(format!(
            "{what} has no format (expected \"{expected}\")"
        ))),
    }
}

/// `value` read as `T`, every failure an `invalid_basis` naming where.
fn typed<'v, T: Deserialize<'v>>(value: &'v Value, what: &str) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let place = if path == "." {
            what.to_owned()
        } else {
            format!("{what}.{path}")
        };
        invalid(format!("{place}: {}", err.into_inner()))
    })
}

/// The fingerprint check, once the content is known to be good (so that an
/// edited basis is told what is wrong with it, not only that it changed).
fn check_fingerprint(object: &Map<String, Value>, sent: &str, what: &str) -> Result<(), ApiError> {
    let expected = fingerprint(object);
    if sent == expected {
        Ok(())
    } else {
        Err(invalid(format!(
            "{what}.fingerprint does not match the content: it is {sent:?}, the content's is \
             \"{expected}\" (SHA-256 of the RFC 8785 canonical JSON without fingerprint); the \
             basis was changed after it was made"
        )))
    }
}

/// A PCA basis as a client sent it back, checked; and its fingerprint.
pub fn read_basis(value: &Value, max_iterations: usize) -> Result<(FittedBasis, String), ApiError> {
    read_named(value, "basis", max_iterations)
}

fn read_named(
    value: &Value,
    what: &str,
    max_iterations: usize,
) -> Result<(FittedBasis, String), ApiError> {
    let object = object_of_format(value, what, BASIS_FORMAT)?;
    let wire: Basis = typed(value, what)?;
    let sent = wire.fingerprint.clone();
    let basis = FittedBasis::from_parts(wire.into_parts(what)?, max_iterations)
        .map_err(|err| named(err.into(), what))?;
    check_fingerprint(object, &sent, what)?;
    Ok((basis, sent))
}

/// An error of the basis called `what`, its detail saying so.
fn named(err: ApiError, what: &str) -> ApiError {
    match err.detail.strip_prefix("invalid basis: ") {
        Some(rest) => invalid(format!("{what}.{rest}")),
        None => err,
    }
}

/// A law basis as a client sent it back, checked; and its fingerprint.
pub fn read_law_basis(
    value: &Value,
    max_iterations: usize,
) -> Result<(FittedLawBasis, String), ApiError> {
    let what = "basis";
    let object = object_of_format(value, what, LAW_BASIS_FORMAT)?;
    let pca_value = object
        .get("pca")
        .ok_or_else(|| invalid(format!("{what} has no pca member")))?;
    let (pca, _) = read_named(pca_value, "basis.pca", max_iterations)?;
    let wire: LawBasis = typed(value, what)?;
    let law = FittedLawBasis::from_parts(LawBasisParts {
        pca,
        target: wire.target,
        weights: wire.weights,
        intercept: wire.intercept,
        floor: wire.floor,
        target_range: wire.target_range.map(|[lo, hi]| (lo, hi)),
        reference: wire.reference.map(|r| Reference {
            family: r.family,
            slope: r.slope,
            intercept: r.intercept,
        }),
    })
    .map_err(|err| named(err.into(), what))?;
    check_fingerprint(object, &wire.fingerprint, what)?;
    Ok((law, wire.fingerprint))
}

/// The spec's example basis: what /v1/pca answers for its own example
/// request (the README's five models on four benchmarks, Pythia's GSM8K
/// filled by `iterative_pca` with bounds [0, 1], two components) with
/// `return_basis`. A test checks that it still is, and that it is accepted.
pub fn basis_example() -> Value {
    serde_json::from_str(include_str!("examples/basis.json")).expect("the example is JSON")
}

/// The spec's example skills basis: what /v1/scaling/skills answers for its
/// own example request with `return_basis`; a test checks that it is
/// accepted and predicts the example's models as that answer does.
pub fn skills_basis_example() -> Value {
    serde_json::from_str(include_str!("examples/skills_basis.json")).expect("the example is JSON")
}

/// The spec's example law basis: what /v1/scaling/law answers for its own
/// example request (`return_basis` included); checked by a test as well.
pub fn law_basis_example() -> Value {
    serde_json::from_str(include_str!("examples/law_basis.json")).expect("the example is JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
    const APPENDIX_B: [(u64, &str); 24] = [
        (0x0000000000000000, "0"),
        (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"),
        (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"),
        (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"),
        (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"),
        (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"),
        (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"),
        (0xbecbf647612f3696, "-0.0000033333333333333333"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ];

    #[test]
    fn numbers_are_canonical_as_rfc_8785_appendix_b_says() {
        for (bits, text) in APPENDIX_B {
            let value = serde_json::to_value(f64::from_bits(bits)).unwrap();
            // Through JSON text and back, as a basis travels.
            let back: Value = serde_json::from_str(&value.to_string()).unwrap();
            assert_eq!(
                back.as_f64().unwrap().to_bits() & !(1 << 63),
                bits & !(1 << 63)
            );
            assert_eq!(
                serde_json_canonicalizer::to_string(&back).unwrap(),
                text,
                "{bits:016x}"
            );
        }
    }

    #[test]
    fn objects_are_canonical_as_rfc_8785_section_3_2_says() {
        // Section 3.2.2's example, and section 3.2.3's sorting by UTF-16 code units.
        let input = r#"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]}"#;
        let value: Value = serde_json::from_str(input).unwrap();
        assert_eq!(
            serde_json_canonicalizer::to_string(&value).unwrap(),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
        let sorting: Value = serde_json::from_str(
            r#"{"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\ud83d\ude00": 5, "\u0080": 6, "\u00f6": 7}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json_canonicalizer::to_string(&sorting).unwrap(),
            "{\"\\r\":2,\"1\":4,\"\u{80}\":6,\"ö\":7,\"€\":1,\"😀\":5,\"\u{fb33}\":3}"
        );
    }

    #[test]
    fn the_fingerprint_leaves_out_only_the_fingerprint() {
        let mut basis = basis_example();
        let object = basis.as_object().unwrap().clone();
        let print = fingerprint(&object);
        assert_eq!(print, basis["fingerprint"]);
        assert_eq!(print.len(), 64);
        basis["fingerprint"] = json!("anything");
        assert_eq!(fingerprint(basis.as_object().unwrap()), print);
        basis["n_models"] = json!(6);
        assert_ne!(fingerprint(basis.as_object().unwrap()), print);
        // The example is accepted as it stands.
        let (read, sent) = read_basis(&basis_example(), 1000).unwrap();
        assert_eq!(sent, print);
        assert_eq!(read.n_components(), 2);
    }

    use serde_json::json;
}
