//! The API's one error type: every failure, from a malformed body to a
//! rank problem, leaves as RFC 9457 `application/problem+json` with a stable
//! machine-readable `code`. Codes map to statuses here and nowhere else.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::analysis::{AnalysisError, Cell, budget};
use crate::ingest::IngestError;
use crate::ingest::scores::NON_FINITE_SCORE;

/// Frames the code and detail of a typed request field's rule in the
/// message its deserializer fails with ([`field_rule`]).
const FIELD_RULE: char = '\u{1f}';

/// The error a typed request field's deserializer gives for a value that
/// breaks the field's rule: the code and detail the request is answered
/// with, which [`ApiError::from_json`] recovers from serde_json's message
/// (which adds a position a rule does not need).
pub fn field_rule<E: serde::de::Error>(code: ErrorCode, detail: impl fmt::Display) -> E {
    E::custom(format_args!(
        "{FIELD_RULE}{code}{FIELD_RULE}{detail}{FIELD_RULE}"
    ))
}

macro_rules! error_codes {
    ($($variant:ident => ($code:literal, $status:ident, $title:literal),)*) => {
        /// Stable error codes. Clients may branch on these; they never change meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            pub fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status,)* }
            }

            pub fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title,)* }
            }
        }
    };
}

error_codes! {
    MalformedJson => ("malformed_json", BAD_REQUEST, "The request body is not valid JSON"),
    InvalidRequest => ("invalid_request", UNPROCESSABLE_ENTITY, "A field has the wrong type or value"),
    UnknownField => ("unknown_field", UNPROCESSABLE_ENTITY, "The request has a field this endpoint does not know"),
    NumberOutOfRange => ("number_out_of_range", UNPROCESSABLE_ENTITY, "A number does not fit in a 64-bit float"),
    UnsupportedMediaType => ("unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported content type"),
    PayloadTooLarge => ("payload_too_large", PAYLOAD_TOO_LARGE, "The request body is too large"),
    ShapeMismatch => ("shape_mismatch", UNPROCESSABLE_ENTITY, "The scores do not match the labels"),
    EmptyLabel => ("empty_label", UNPROCESSABLE_ENTITY, "A model or benchmark label is empty"),
    DuplicateModel => ("duplicate_model", UNPROCESSABLE_ENTITY, "A model appears more than once"),
    DuplicateBenchmark => ("duplicate_benchmark", UNPROCESSABLE_ENTITY, "A benchmark appears more than once"),
    NoBenchmarks => ("no_benchmarks", UNPROCESSABLE_ENTITY, "The leaderboard has no benchmarks"),
    NonFiniteScore => ("non_finite_score", UNPROCESSABLE_ENTITY, "A score is not a finite number"),
    MissingScores => ("missing_scores", UNPROCESSABLE_ENTITY, "Some scores are missing"),
    UnobservedBenchmark => ("unobserved_benchmark", UNPROCESSABLE_ENTITY, "A benchmark has no observed value"),
    UnobservedModel => ("unobserved_model", UNPROCESSABLE_ENTITY, "A model has no observed score"),
    InvalidImputation => ("invalid_imputation", UNPROCESSABLE_ENTITY, "Invalid imputation options"),
    InvalidCsv => ("invalid_csv", UNPROCESSABLE_ENTITY, "The CSV cannot be read as a leaderboard"),
    InvalidParquet => ("invalid_parquet", UNPROCESSABLE_ENTITY, "The body cannot be read as a Parquet file"),
    InvalidArrow => ("invalid_arrow", UNPROCESSABLE_ENTITY, "The body cannot be read as an Arrow IPC stream"),
    InvalidLmEval => ("invalid_lm_eval", UNPROCESSABLE_ENTITY, "The upload cannot be read as lm-evaluation-harness results"),
    DuplicateScore => ("duplicate_score", UNPROCESSABLE_ENTITY, "A long table has two scores for one model and benchmark"),
    ConflictingMetadata => ("conflicting_metadata", UNPROCESSABLE_ENTITY, "A model's rows disagree on a per-model column"),
    UnknownColumn => ("unknown_column", UNPROCESSABLE_ENTITY, "A named column is not in the table"),
    NoMatchingColumns => ("no_matching_columns", UNPROCESSABLE_ENTITY, "No column matches the benchmark selection"),
    InvalidScore => ("invalid_score", UNPROCESSABLE_ENTITY, "A score cell is not a number"),
    InvalidQuery => ("invalid_query", UNPROCESSABLE_ENTITY, "A query parameter is invalid"),
    InvalidBootstrap => ("invalid_bootstrap", UNPROCESSABLE_ENTITY, "Invalid bootstrap options"),
    InvalidParallelAnalysis => ("invalid_parallel_analysis", UNPROCESSABLE_ENTITY, "Invalid parallel-analysis options"),
    TooManyFamilies => ("too_many_families", UNPROCESSABLE_ENTITY, "Too many families for an exhaustive search"),
    InvalidDesign => ("invalid_design", UNPROCESSABLE_ENTITY, "Invalid family-selection options"),
    InvalidCompute => ("invalid_compute", UNPROCESSABLE_ENTITY, "Invalid compute figures"),
    InvalidTarget => ("invalid_target", UNPROCESSABLE_ENTITY, "Invalid scaling-law target"),
    InvalidSplit => ("invalid_split", UNPROCESSABLE_ENTITY, "Invalid train/test split"),
    InvalidLaw => ("invalid_law", UNPROCESSABLE_ENTITY, "Invalid scaling-law options"),
    TooFewTrainingModels => ("too_few_training_models", UNPROCESSABLE_ENTITY, "Too few models to fit the law"),
    InvalidReferenceFamily => ("invalid_reference_family", UNPROCESSABLE_ENTITY, "The reference family cannot be fitted"),
    InvalidSkills => ("invalid_skills", UNPROCESSABLE_ENTITY, "Invalid skills-law data or options"),
    FamilyWithoutScores => ("family_without_scores", UNPROCESSABLE_ENTITY, "A family has no scored model"),
    InvalidCompletion => ("invalid_completion", UNPROCESSABLE_ENTITY, "Invalid completion data or options"),
    InvalidBasis => ("invalid_basis", UNPROCESSABLE_ENTITY, "The basis is not a valid fitted basis"),
    InvalidMultipart => ("invalid_multipart", BAD_REQUEST, "The multipart/form-data body cannot be read"),
    TooFewModels => ("too_few_models", UNPROCESSABLE_ENTITY, "Too few models for the analysis"),
    InvalidNComponents => ("invalid_n_components", UNPROCESSABLE_ENTITY, "Invalid number of components"),
    ZeroVariance => ("zero_variance", UNPROCESSABLE_ENTITY, "The scores have no variance"),
    NumericOverflow => ("numeric_overflow", UNPROCESSABLE_ENTITY, "The scores are too large to analyse"),
    NumericUnderflow => ("numeric_underflow", UNPROCESSABLE_ENTITY, "The scores vary too little to analyse in 64-bit floating point"),
    TooManyCells => ("too_many_cells", PAYLOAD_TOO_LARGE, "The leaderboard has more cells than this service accepts"),
    DeadlineExceeded => ("deadline_exceeded", SERVICE_UNAVAILABLE, "The computation took too long"),
    InvalidContentEncoding => ("invalid_content_encoding", BAD_REQUEST, "The body cannot be decoded as its Content-Encoding says"),
    BodyTimeout => ("body_timeout", REQUEST_TIMEOUT, "The request body did not arrive in time"),
    MalformedBody => ("malformed_body", BAD_REQUEST, "The request body's framing is broken"),
    NotFound => ("not_found", NOT_FOUND, "No such resource"),
    MethodNotAllowed => ("method_not_allowed", METHOD_NOT_ALLOWED, "Method not allowed on this resource"),
    InternalError => ("internal_error", INTERNAL_SERVER_ERROR, "Internal error"),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cell named in an error (the missing ones, for `missing_scores`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CellRef {
    pub model: String,
    pub benchmark: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:obscaling:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What was wrong with this request, in the user's terms.
    pub detail: String,
    /// The stable machine-readable code.
    pub code: ErrorCode,
    /// For `missing_scores`: how many cells are missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_count: Option<usize>,
    /// For `missing_scores`: the first missing cells (at most 50), row by row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cells: Option<Vec<CellRef>>,
}

/// The error every handler returns.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
    cells: Option<(usize, Vec<Cell>)>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            cells: None,
        }
    }

    pub fn problem(&self) -> Problem {
        let (missing_count, cells) = match &self.cells {
            Some((count, cells)) => (
                Some(*count),
                Some(
                    cells
                        .iter()
                        .map(|c| CellRef {
                            model: c.model.clone(),
                            benchmark: c.benchmark.clone(),
                        })
                        .collect(),
                ),
            ),
            None => (None, None),
        };
        Problem {
            problem_type: format!("urn:obscaling:problem:{}", self.code),
            title: self.code.title().to_owned(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            missing_count,
            cells,
        }
    }

    /// Reads a serde_json failure the way a client means it: broken JSON is
    /// a 400, well-formed JSON that does not fit the request shape a 422.
    pub fn from_json(err: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let message = err.to_string();
        if let Some(rule) = Self::of_field_rule(&message) {
            return rule;
        }
        let code = if message.starts_with(NON_FINITE_SCORE) {
            ErrorCode::NonFiniteScore
        } else if message.starts_with("number out of range") {
            ErrorCode::NumberOutOfRange
        } else {
            match err.classify() {
                Category::Io | Category::Syntax | Category::Eof => ErrorCode::MalformedJson,
                Category::Data if message.starts_with("unknown field") => ErrorCode::UnknownField,
                Category::Data => ErrorCode::InvalidRequest,
            }
        };
        Self::new(code, message)
    }
}

impl ApiError {
    /// The error a [`field_rule`] message carries.
    fn of_field_rule(message: &str) -> Option<Self> {
        let mut parts = message.strip_prefix(FIELD_RULE)?.splitn(3, FIELD_RULE);
        let (code, detail) = (parts.next()?, parts.next()?);
        parts.next()?;
        let code = ErrorCode::ALL.iter().find(|c| c.as_str() == code)?;
        Some(Self::new(*code, detail))
    }

    /// 503 `deadline_exceeded`, for a request answered before its work
    /// noticed its deadline.
    pub fn deadline_exceeded() -> Self {
        Self::from(budget::exceeded())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let body = serde_json::to_vec(&self.problem()).expect("a problem always serialises");
        HttpResponse::build(self.status_code())
            .content_type("application/problem+json")
            .body(body)
    }
}

impl From<AnalysisError> for ApiError {
    fn from(err: AnalysisError) -> Self {
        let detail = err.to_string();
        let code = match err {
            AnalysisError::ForTarget { error, .. } => {
                return Self {
                    detail,
                    ..Self::from(*error)
                };
            }
            AnalysisError::ShapeMismatch { .. } => ErrorCode::ShapeMismatch,
            AnalysisError::EmptyModelLabel { .. }
            | AnalysisError::EmptyBenchmarkLabel { .. }
            | AnalysisError::EmptyTargetLabel { .. } => ErrorCode::EmptyLabel,
            AnalysisError::DuplicateModel { .. } => ErrorCode::DuplicateModel,
            AnalysisError::DuplicateBenchmark { .. } => ErrorCode::DuplicateBenchmark,
            AnalysisError::NoBenchmarks => ErrorCode::NoBenchmarks,
            AnalysisError::NonFiniteScore { .. } => ErrorCode::NonFiniteScore,
            AnalysisError::MissingScores { count, cells } => {
                return Self {
                    code: ErrorCode::MissingScores,
                    detail,
                    cells: Some((count, cells)),
                };
            }
            AnalysisError::UnobservedBenchmark { .. } => ErrorCode::UnobservedBenchmark,
            AnalysisError::UnobservedModel { .. } => ErrorCode::UnobservedModel,
            AnalysisError::InvalidImputation(_) => ErrorCode::InvalidImputation,
            AnalysisError::SupplementaryClash { .. } => ErrorCode::DuplicateModel,
            AnalysisError::InvalidCompute(_) => ErrorCode::InvalidCompute,
            AnalysisError::InvalidTarget(_) => ErrorCode::InvalidTarget,
            AnalysisError::InvalidLaw(_) => ErrorCode::InvalidLaw,
            AnalysisError::InvalidDesign(_) => ErrorCode::InvalidDesign,
            AnalysisError::InvalidSplit(_) => ErrorCode::InvalidSplit,
            AnalysisError::InvalidBootstrap(_) => ErrorCode::InvalidBootstrap,
            AnalysisError::TooManyFamilies { .. } => ErrorCode::TooManyFamilies,
            AnalysisError::InvalidReferenceFamily(_) => ErrorCode::InvalidReferenceFamily,
            AnalysisError::InvalidBasis(_) => ErrorCode::InvalidBasis,
            AnalysisError::TooFewTrainingModels { .. } => ErrorCode::TooFewTrainingModels,
            AnalysisError::TooFewModels { .. } => ErrorCode::TooFewModels,
            AnalysisError::InvalidNComponents(_) => ErrorCode::InvalidNComponents,
            AnalysisError::ZeroVariance => ErrorCode::ZeroVariance,
            AnalysisError::NumericOverflow => ErrorCode::NumericOverflow,
            AnalysisError::PlacementOverflow { .. } => ErrorCode::NumericOverflow,
            AnalysisError::NumericUnderflow { .. } => ErrorCode::NumericUnderflow,
            AnalysisError::Parameter(_) => ErrorCode::InvalidRequest,
            AnalysisError::InvalidSkills(_) => ErrorCode::InvalidSkills,
            AnalysisError::FamilyWithoutScores { .. } => ErrorCode::FamilyWithoutScores,
            AnalysisError::DeadlineExceeded => ErrorCode::DeadlineExceeded,
            AnalysisError::NoConvergence => ErrorCode::InternalError,
            AnalysisError::InvalidCompletion(_) => ErrorCode::InvalidCompletion,
            AnalysisError::TooFewModelsToComplete { .. } => ErrorCode::TooFewModels,
        };
        Self::new(code, detail)
    }
}

impl From<IngestError> for ApiError {
    fn from(err: IngestError) -> Self {
        let code = match err {
            IngestError::Json(err) => return Self::from_json(&err),
            IngestError::Analysis(err) => return Self::from(err),
            IngestError::InvalidCsv(_) => ErrorCode::InvalidCsv,
            IngestError::InvalidParquet(_) => ErrorCode::InvalidParquet,
            IngestError::InvalidArrow(_) => ErrorCode::InvalidArrow,
            IngestError::InvalidLmEval(_) => ErrorCode::InvalidLmEval,
            IngestError::InvalidMultipart(_) => ErrorCode::InvalidMultipart,
            IngestError::InvalidRequest(_) => ErrorCode::InvalidRequest,
            IngestError::UnknownField(_) => ErrorCode::UnknownField,
            IngestError::UnsupportedFormat(_) => ErrorCode::UnsupportedMediaType,
            IngestError::UnknownColumn(_) => ErrorCode::UnknownColumn,
            IngestError::NoMatchingColumns(_) => ErrorCode::NoMatchingColumns,
            IngestError::InvalidSelection(_) => ErrorCode::InvalidQuery,
            IngestError::InvalidScore(_) => ErrorCode::InvalidScore,
            IngestError::NonFiniteScore(_) => ErrorCode::NonFiniteScore,
            IngestError::EmptyLabel(_) => ErrorCode::EmptyLabel,
            IngestError::DuplicateScore(_) => ErrorCode::DuplicateScore,
            IngestError::ConflictingMetadata(_) => ErrorCode::ConflictingMetadata,
            IngestError::TooManyCells(_) => ErrorCode::TooManyCells,
            IngestError::TooLarge(_) => ErrorCode::PayloadTooLarge,
            IngestError::Internal(_) => ErrorCode::InternalError,
        };
        Self::new(code, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_serialise_as_their_string() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
    }

    #[test]
    fn a_fields_rule_keeps_its_code_and_detail() {
        #[derive(Debug, serde::Deserialize)]
        struct Odd(#[allow(dead_code)] u32);
        #[derive(Debug, serde::Deserialize)]
        struct Request {
            #[serde(deserialize_with = "odd")]
            #[allow(dead_code)]
            n: Odd,
        }
        fn odd<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Odd, D::Error> {
            let n = <u32 as serde::Deserialize>::deserialize(d)?;
            match n % 2 {
                1 => Ok(Odd(n)),
                _ => Err(field_rule(
                    ErrorCode::InvalidLaw,
                    format!("n must be odd, got {n}"),
                )),
            }
        }
        let err = serde_json::from_str::<Request>(r#"{"n": 4}"#).unwrap_err();
        let err = ApiError::from_json(&err);
        assert_eq!(err.code, ErrorCode::InvalidLaw);
        assert_eq!(err.detail, "n must be odd, got 4");
        // Other failures of the same body keep serde's words and position.
        let err = serde_json::from_str::<Request>(r#"{"n": "x"}"#).unwrap_err();
        let err = ApiError::from_json(&err);
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        assert!(err.detail.contains("line 1 column"), "{}", err.detail);
    }

    #[test]
    fn json_errors_are_classified_by_what_the_client_did() {
        let syntax = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert_eq!(ApiError::from_json(&syntax).code, ErrorCode::MalformedJson);
        let range = serde_json::from_str::<f64>("1e999").unwrap_err();
        assert_eq!(
            ApiError::from_json(&range).code,
            ErrorCode::NumberOutOfRange
        );
        let data = serde_json::from_str::<u32>("\"x\"").unwrap_err();
        assert_eq!(ApiError::from_json(&data).code, ErrorCode::InvalidRequest);
    }
}
