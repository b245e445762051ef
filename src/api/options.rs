//! Analysis options shared by every endpoint that takes a leaderboard, in
//! their wire form, and their conversion to the core's checked types.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorCode};
use super::schemas;
use crate::analysis::complete::CompleteParams;
use crate::analysis::pca::fit::{ComponentChoice, Resampling};
use crate::analysis::pca::impute::{DEFAULT_TOL, MAX_ITER_LIMIT};
use crate::analysis::skills::Link;
use crate::analysis::{
    IterativePcaParams, MissingPolicy, NComponents, ParamGuard, PcaParams, PcaValidParams,
    SignConvention,
};

/// How each component's arbitrary sign is fixed.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// The sum of the loadings is positive ("higher PC1 = more capable");
    /// a sum within 1e-12 of zero falls back to `max_abs_positive`.
    #[default]
    PositiveSum,
    /// The largest-magnitude loading is positive (scikit-learn >= 1.5).
    MaxAbsPositive,
}

impl From<Sign> for SignConvention {
    fn from(sign: Sign) -> Self {
        match sign {
            Sign::PositiveSum => SignConvention::PositiveSum,
            Sign::MaxAbsPositive => SignConvention::MaxAbsPositive,
        }
    }
}

impl From<SignConvention> for Sign {
    fn from(sign: SignConvention) -> Self {
        match sign {
            SignConvention::PositiveSum => Sign::PositiveSum,
            SignConvention::MaxAbsPositive => Sign::MaxAbsPositive,
        }
    }
}

/// How the skills reach the scores.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LinkName {
    /// Per benchmark, g = sigmoid(psi) sigmoid(eta)^exp(kappa) (a ceiling
    /// and an asymmetric bend) averaged half and half with an isotonic
    /// regression of the benchmark's scores on eta.
    #[default]
    Monotone,
    /// g = sigmoid(eta), the paper's simple link.
    Sigmoid,
}

impl From<Link> for LinkName {
    fn from(link: Link) -> LinkName {
        match link {
            Link::Monotone => LinkName::Monotone,
            Link::Sigmoid => LinkName::Sigmoid,
        }
    }
}

impl From<LinkName> for Link {
    fn from(link: LinkName) -> Link {
        match link {
            LinkName::Monotone => Link::Monotone,
            LinkName::Sigmoid => Link::Sigmoid,
        }
    }
}

/// What to do with missing cells.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Refuse the leaderboard with `missing_scores`, naming the cells.
    #[default]
    Reject,
    /// Leave out every model with a missing cell (listed in `dropped_models`).
    DropModels,
    /// Fill each missing cell with its benchmark's mean over observed cells.
    Mean,
    /// The paper's iterative low-rank PCA imputation (see `imputation`).
    IterativePca,
    /// The predictions of `/v1/complete` (its method, default options):
    /// models without any score are left out (`dropped_models`); a
    /// benchmark observed for fewer than 3 models is refused
    /// (`invalid_completion`). Further models (supplementary, a basis) are
    /// placed by the rank-1 structure of the completed leaderboard.
    Complete,
}

/// Options of `iterative_pca`. Sending them without `missing` selects
/// `iterative_pca`; the other policies ignore them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImputationOptions {
    /// Rank of the PCA reconstruction, at least 1 and below
    /// min(n_models, n_benchmarks). Default 1 (the paper).
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub rank: Option<SentNumber>,
    /// Most iterations (the paper always runs 1000). Default 1000.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 100000)]
    pub max_iter: Option<SentNumber>,
    /// Stop once no missing cell changes by more than this, in z-score units.
    /// Default 1e-10, which reproduces the paper's 1000 iterations to better than 1e-6.
    #[schema(minimum = 0)]
    pub tol: Option<f64>,
    /// [lo, hi] (lo < hi) to clip imputed values to, e.g. [0, 1] for accuracies. Default: none.
    #[schema(schema_with = schemas::bounds)]
    pub bounds: Option<Vec<f64>>,
}

/// A number as the client wrote it: its value, and its text, which
/// messages quote. A number that an integer or a float holds only
/// approximately (18446744073709551617, 1e29) is reported as sent, never as
/// the nearest one that fits, which is another number.
#[derive(Debug, Clone, PartialEq)]
pub struct SentNumber {
    text: Box<str>,
    value: f64,
}

impl SentNumber {
    /// `text` (trimmed), if it is a finite number.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Some(Self {
                text: text.into(),
                value,
            }),
            _ => None,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The nearest f64.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Whether it is a whole number (JSON does not tell 3 from 3.0).
    pub fn is_whole(&self) -> bool {
        self.value.fract() == 0.0
    }

    /// The whole number the text says, exactly, when an i64 holds it, in
    /// any notation (3, 3.0, 1e2, 2.5e1); `None` for a fraction or a whole
    /// number beyond an i64 (whose f64 value would be another number).
    pub fn integer(&self) -> Option<i64> {
        let text = &*self.text;
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{whole}{fraction}");
        let significant = digits.trim_end_matches('0');
        let trailing = (digits.len() - significant.len()) as i64;
        let shift = i64::from(exponent) - fraction.len() as i64 + trailing;
        let significant = significant.trim_start_matches('0');
        if significant.is_empty() {
            return Some(0);
        }
        if !(0..=18).contains(&shift) || significant.len() > 19 {
            return None;
        }
        let magnitude = significant
            .parse::<i128>()
            .ok()?
            .checked_mul(10i128.pow(shift as u32))?;
        i64::try_from(if negative { -magnitude } else { magnitude }).ok()
    }

    /// The whole number it is, if it lies in `range`; else an error of
    /// `code` saying that `name` must be `rule`, quoting the number as sent.
    pub fn whole_in(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<i64>,
        rule: &str,
        code: ErrorCode,
    ) -> Result<i64, ApiError> {
        let beyond = match self.integer() {
            Some(v) if range.contains(&v) => return Ok(v),
            Some(_) => "",
            None if !self.is_whole() => "",
            None if self.value > 0.0 => ", more than a 64-bit integer holds",
            None => ", less than a 64-bit integer holds",
        };
        Err(ApiError::new(
            code,
            format!("{name} must be {rule}, got {self}{beyond}"),
        ))
    }
}

impl From<i64> for SentNumber {
    /// A number that arrived as an integer (a query parameter).
    fn from(v: i64) -> Self {
        Self {
            text: v.to_string().into(),
            value: v as f64,
        }
    }
}

impl std::fmt::Display for SentNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A JSON value read as its text: a number is kept as written; anything
/// else is refused as serde would refuse it (`expected` says what fits).
fn json_number<'de, D: Deserializer<'de>>(
    deserializer: D,
    expected: &dyn de::Expected,
) -> Result<Result<SentNumber, String>, D::Error> {
    let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
    let text = raw.get().trim();
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return match SentNumber::parse(text) {
            Some(number) => Ok(Ok(number)),
            // The words `ApiError::from_json` maps to `number_out_of_range`.
            None => Err(de::Error::custom("number out of range")),
        };
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(de::Error::custom)?;
    match value {
        serde_json::Value::String(s) => Ok(Err(s)),
        serde_json::Value::Bool(b) => {
            Err(de::Error::invalid_type(de::Unexpected::Bool(b), expected))
        }
        serde_json::Value::Null => Err(de::Error::invalid_type(de::Unexpected::Unit, expected)),
        serde_json::Value::Array(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, expected)),
        serde_json::Value::Object(_) => Err(de::Error::invalid_type(de::Unexpected::Map, expected)),
        serde_json::Value::Number(_) => unreachable!("numbers start with '-' or a digit"),
    }
}

impl<'de> Deserialize<'de> for SentNumber {
    /// Any JSON number (the fields that take one say which they accept).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match json_number(deserializer, &"a number")? {
            Ok(number) => Ok(number),
            Err(s) => Err(de::Error::invalid_type(
                de::Unexpected::Str(&s),
                &"a number",
            )),
        }
    }
}

/// `n_components` as sent: JSON does not tell 3 from 3.0, so any whole
/// number counts components and anything else is a variance fraction.
#[derive(Debug, Clone, PartialEq)]
pub enum NComponentsField {
    Count(SentNumber),
    Fraction(SentNumber),
    /// `"auto"`: as many as parallel analysis retains (/v1/pca only).
    Auto,
}

const N_COMPONENTS_EXPECTED: &str = "a number of components, a fraction of variance, or \"auto\"";

impl NComponentsField {
    fn of_number(number: SentNumber) -> Self {
        if number.is_whole() {
            NComponentsField::Count(number)
        } else {
            NComponentsField::Fraction(number)
        }
    }

    /// The components asked for, checked as far as the data is not needed.
    /// A count beyond an i64, which no leaderboard could have, is refused
    /// here, as sent, rather than rounded or clamped into a number the
    /// client did not send.
    fn components(&self) -> Result<(NComponents, ComponentChoice), ApiError> {
        let invalid = |detail: String| Err(ApiError::new(ErrorCode::InvalidNComponents, detail));
        match self {
            NComponentsField::Count(n) => match n.integer() {
                Some(k) if k >= 1 => Ok((
                    NComponents::Count(usize::try_from(k).unwrap_or(usize::MAX)),
                    ComponentChoice::Fixed,
                )),
                None if n.value() >= 1.0 => invalid(format!(
                    "n_components is {n}: more components than any leaderboard has (at most \
                     min(n_models, n_benchmarks)), and more than a 64-bit integer holds"
                )),
                _ => invalid(format!("n_components must be at least 1, got {n}")),
            },
            NComponentsField::Fraction(f) if !(f.value() > 0.0 && f.value() < 1.0) => invalid(
                format!("a fractional n_components must lie strictly between 0 and 1, got {f}"),
            ),
            NComponentsField::Fraction(f) => Ok((
                NComponents::VarianceFraction(f.value()),
                ComponentChoice::Fixed,
            )),
            NComponentsField::Auto => Ok((NComponents::All, ComponentChoice::ParallelAnalysis)),
        }
    }
}

impl<'de> Deserialize<'de> for NComponentsField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match json_number(deserializer, &N_COMPONENTS_EXPECTED)? {
            Ok(number) => Ok(NComponentsField::of_number(number)),
            Err(s) if s == "auto" => Ok(NComponentsField::Auto),
            Err(s) => Err(de::Error::invalid_value(
                de::Unexpected::Str(&s),
                &N_COMPONENTS_EXPECTED,
            )),
        }
    }
}

impl std::str::FromStr for NComponentsField {
    type Err = String;

    /// Query strings carry numbers as text.
    fn from_str(text: &str) -> Result<Self, String> {
        if text.trim() == "auto" {
            return Ok(NComponentsField::Auto);
        }
        SentNumber::parse(text)
            .map(NComponentsField::of_number)
            .ok_or_else(|| format!("n_components must be a number or auto, got {text:?}"))
    }
}

/// How a request spells the options: the members of a JSON body
/// (`imputation.rank`) or the parameters of a query (`imputation_rank`).
/// Messages name an option as the client wrote it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Spelling {
    #[default]
    Json,
    Query,
}

impl Spelling {
    pub fn name(self, json: &'static str, query: &'static str) -> &'static str {
        match self {
            Spelling::Json => json,
            Spelling::Query => query,
        }
    }
}

/// The options every leaderboard analysis takes, however they arrived.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalysisOptions {
    pub n_components: Option<NComponentsField>,
    pub standardize: Option<bool>,
    pub sign: Option<Sign>,
    pub missing: Option<Missing>,
    pub imputation: Option<ImputationOptions>,
    /// How the request spelt them, for messages.
    pub spelling: Spelling,
}

impl ImputationOptions {
    /// The rules the schema states, checked whatever the missing-cell policy,
    /// so that a request the spec forbids is never silently accepted; each
    /// message names the option as `spelling` writes it.
    pub fn validate(&self, spelling: Spelling) -> Result<(), ApiError> {
        self.checked(spelling).map(drop)
    }

    /// The checked rank and max_iter.
    fn checked(&self, spelling: Spelling) -> Result<(Option<i64>, Option<i64>), ApiError> {
        let code = ErrorCode::InvalidImputation;
        let invalid = |msg: String| Err(ApiError::new(code, msg));
        let rank = self
            .rank
            .as_ref()
            .map(|rank| {
                let name = spelling.name("imputation.rank", "imputation_rank");
                rank.whole_in(name, 1..=i64::MAX, "a whole number, at least 1", code)
            })
            .transpose()?;
        let max_iter = self
            .max_iter
            .as_ref()
            .map(|max_iter| {
                let name = spelling.name("imputation.max_iter", "imputation_max_iter");
                let rule = format!("a whole number between 1 and {MAX_ITER_LIMIT}");
                max_iter.whole_in(name, 1..=MAX_ITER_LIMIT as i64, &rule, code)
            })
            .transpose()?;
        if let Some(tol) = self.tol
            && !(tol >= 0.0 && tol.is_finite())
        {
            let name = spelling.name("imputation.tol", "imputation_tol");
            return invalid(format!("{name} must be a finite number >= 0, got {tol}"));
        }
        let bounds = spelling.name("imputation.bounds", "imputation_bounds");
        match self.bounds.as_deref() {
            None => Ok((rank, max_iter)),
            Some(&[lo, hi]) if lo < hi => Ok((rank, max_iter)),
            Some(&[lo, hi]) => invalid(format!("{bounds} must have lo < hi, got [{lo}, {hi}]")),
            Some(other) => invalid(format!(
                "{bounds} must be [lo, hi], got {} values",
                other.len()
            )),
        }
    }
}

impl AnalysisOptions {
    /// The rules the schema states for every option, whatever else the
    /// request says; data-dependent rules are checked when the data is known.
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(n_components) = &self.n_components {
            n_components.components()?;
        }
        self.imputation
            .as_ref()
            .map_or(Ok(()), |imputation| imputation.validate(self.spelling))
    }

    /// The PCA parameters, checked, with `default_k` when `n_components` is
    /// absent. `"auto"` is refused: only /v1/pca runs the parallel analysis
    /// that counts components.
    pub fn pca_params(&self, default_k: NComponents) -> Result<PcaValidParams, ApiError> {
        match self.pca_params_or_auto(default_k)? {
            (params, ComponentChoice::Fixed) => Ok(params),
            (_, ComponentChoice::ParallelAnalysis) => Err(ApiError::new(
                ErrorCode::InvalidNComponents,
                "n_components \"auto\" (parallel analysis) is available on /v1/pca only",
            )),
        }
    }

    /// The PCA parameters, checked, and whether parallel analysis chooses
    /// the number of components (`"auto"`; the parameters then say `All`
    /// until it has).
    pub fn pca_params_or_auto(
        &self,
        default_k: NComponents,
    ) -> Result<(PcaValidParams, ComponentChoice), ApiError> {
        let (n_components, choice) = match &self.n_components {
            None => (default_k, ComponentChoice::Fixed),
            Some(n_components) => n_components.components()?,
        };
        let params = PcaParams::new()
            .n_components(n_components)
            .standardize(self.standardize.unwrap_or(false))
            .sign(self.sign.unwrap_or_default().into())
            .check()?;
        Ok((params, choice))
    }

    /// The effective policy: `imputation` alone implies `iterative_pca`.
    pub fn missing(&self) -> Missing {
        match (self.missing, &self.imputation) {
            (Some(policy), _) => policy,
            (None, Some(_)) => Missing::IterativePca,
            (None, None) => Missing::Reject,
        }
    }

    /// The missing-cell policy; `max_iterations` is the service's limit on
    /// `imputation.max_iter` (MAX_ITERATIONS).
    pub fn missing_policy(&self, max_iterations: usize) -> Result<MissingPolicy, ApiError> {
        Ok(match self.missing() {
            Missing::Reject => MissingPolicy::Reject,
            Missing::DropModels => MissingPolicy::DropModels,
            Missing::Mean => MissingPolicy::Mean,
            Missing::Complete => MissingPolicy::Complete(CompleteParams::new().check()?),
            Missing::IterativePca => {
                let options = self.imputation.clone().unwrap_or_default();
                let (rank, max_iter) = options.checked(self.spelling)?;
                if let Some(max_iter) = max_iter
                    && max_iter as u64 > max_iterations as u64
                {
                    let name = self
                        .spelling
                        .name("imputation.max_iter", "imputation_max_iter");
                    return Err(ApiError::new(
                        ErrorCode::InvalidImputation,
                        format!(
                            "{name} {max_iter} exceeds this service's limit of \
                             {max_iterations} (MAX_ITERATIONS)"
                        ),
                    ));
                }
                let bounds = match options.bounds.as_deref() {
                    Some(&[lo, hi]) => Some((lo, hi)),
                    _ => None,
                };
                let defaults = IterativePcaParams::default();
                let to_usize = |v: i64| usize::try_from(v).unwrap_or(usize::MAX);
                MissingPolicy::IterativePca(IterativePcaParams {
                    rank: rank.map_or(defaults.rank, to_usize),
                    max_iter: max_iter.map_or(defaults.max_iter, to_usize),
                    tol: options.tol.unwrap_or(DEFAULT_TOL),
                    bounds,
                })
            }
        })
    }
}

/// `bootstrap` on /v1/pca: percentile confidence intervals.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BootstrapOptions {
    /// Resamples of the models, with replacement. Default 1000; at most MAX_RESAMPLES.
    #[schema(value_type = Option<i64>, minimum = 2)]
    pub resamples: Option<SentNumber>,
    /// Two-sided coverage of the intervals. Default 0.95.
    #[schema(exclusive_minimum = 0, exclusive_maximum = 1)]
    pub confidence: Option<f64>,
    /// The same seed gives the same intervals. Default 0.
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub seed: Option<SentNumber>,
}

/// `parallel_analysis` on /v1/pca: Horn's method.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParallelAnalysisOptions {
    /// Column-permuted matrices to compare with. Default 100; at most MAX_RESAMPLES.
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub iterations: Option<SentNumber>,
    /// Quantile of the permuted eigenvalues a component must beat. Default 0.95.
    #[schema(exclusive_minimum = 0, exclusive_maximum = 1)]
    pub quantile: Option<f64>,
    /// Default 0.
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub seed: Option<SentNumber>,
}

/// A resampling option as the request names its fields (`bootstrap.resamples`,
/// `bootstrap.confidence`, `bootstrap.seed`, ...), and the code of its errors.
#[derive(Debug, Clone, Copy)]
pub struct ResamplingFields {
    pub count: &'static str,
    /// The level's field; `None` for an option without one.
    pub level: Option<&'static str>,
    pub seed: &'static str,
    pub code: ErrorCode,
}

impl ResamplingFields {
    pub const BOOTSTRAP: Self = Self {
        count: "bootstrap.resamples",
        level: Some("bootstrap.confidence"),
        seed: "bootstrap.seed",
        code: ErrorCode::InvalidBootstrap,
    };
    pub const PARALLEL_ANALYSIS: Self = Self {
        count: "parallel_analysis.iterations",
        level: Some("parallel_analysis.quantile"),
        seed: "parallel_analysis.seed",
        code: ErrorCode::InvalidParallelAnalysis,
    };
}

/// Validated resampling options; each message names the field it is about.
pub fn resampling(
    fields: ResamplingFields,
    count: Option<&SentNumber>,
    (default_count, min_count): (i64, i64),
    level: Option<f64>,
    seed: Option<&SentNumber>,
    max_resamples: usize,
) -> Result<Resampling, ApiError> {
    let max = i64::try_from(max_resamples).unwrap_or(i64::MAX);
    let count = match count {
        None => default_count,
        Some(count) => count.whole_in(
            fields.count,
            min_count..=max,
            &format!("a whole number between {min_count} and {max_resamples} (MAX_RESAMPLES)"),
            fields.code,
        )?,
    };
    let level = level.unwrap_or(0.95);
    if let Some(name) = fields.level
        && !(level > 0.0 && level < 1.0)
    {
        return Err(ApiError::new(
            fields.code,
            format!("{name} must lie strictly between 0 and 1, got {level}"),
        ));
    }
    let seed = match seed {
        None => 0,
        Some(seed) => seed.whole_in(
            fields.seed,
            0..=i64::MAX,
            "a whole number, at least 0",
            fields.code,
        )?,
    };
    Ok(Resampling {
        count: count as usize,
        level,
        seed: seed as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(text: &str) -> SentNumber {
        SentNumber::parse(text).unwrap()
    }

    #[test]
    fn whole_numbers_are_read_exactly_in_any_notation() {
        for (text, want) in [
            ("3", Some(3)),
            ("3.0", Some(3)),
            ("3e0", Some(3)),
            ("0.3e1", Some(3)),
            ("300E-2", Some(3)),
            ("-0", Some(0)),
            ("0.000", Some(0)),
            ("-12", Some(-12)),
            ("1e17", Some(100_000_000_000_000_000)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            // Beyond an i64, or fractions: no integer, never a rounded one.
            ("9223372036854775808", None),
            ("18446744073709551617", None),
            ("1e19", None),
            ("2.5", None),
            ("1e-3", None),
        ] {
            assert_eq!(sent(text).integer(), want, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_i64_in_any_notation_is_itself(v in proptest::num::i64::ANY, shift in 0u32..6) {
            // v written as a decimal with `shift` digits after the point
            // and the exponent that puts them back.
            let digits = v.unsigned_abs().to_string();
            let sign = if v < 0 { "-" } else { "" };
            let cut = digits.len().saturating_sub(shift as usize);
            let (whole, fraction) = digits.split_at(cut);
            let whole = if whole.is_empty() { "0" } else { whole };
            let text = format!("{sign}{whole}.{fraction}e{}", fraction.len());
            proptest::prop_assert_eq!(sent(&text).integer(), Some(v), "{}", text);
            proptest::prop_assert_eq!(sent(&v.to_string()).integer(), Some(v));
        }
    }

    #[test]
    fn messages_quote_the_number_as_sent_and_name_the_field() {
        let code = ErrorCode::InvalidBootstrap;
        let err = sent("18446744073709551617")
            .whole_in("bootstrap.resamples", 2..=100, "between 2 and 100", code)
            .unwrap_err();
        assert_eq!(err.code, code);
        assert_eq!(
            err.detail,
            "bootstrap.resamples must be between 2 and 100, got 18446744073709551617, more than \
             a 64-bit integer holds"
        );
        let err = sent("2.5")
            .whole_in("top", 1..=100, "a whole number", code)
            .unwrap_err();
        assert_eq!(err.detail, "top must be a whole number, got 2.5");
        assert_eq!(sent("1e1").whole_in("top", 1..=100, "x", code).unwrap(), 10);
        let n = "18446744073709551617".parse::<NComponentsField>().unwrap();
        let err = AnalysisOptions {
            n_components: Some(n),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(
            err.detail
                .starts_with("n_components is 18446744073709551617:"),
            "{}",
            err.detail
        );
    }

    #[test]
    fn imputation_messages_use_the_requests_spelling() {
        let options = ImputationOptions {
            tol: Some(-1.0),
            ..Default::default()
        };
        let json = options.validate(Spelling::Json).unwrap_err().detail;
        let query = options.validate(Spelling::Query).unwrap_err().detail;
        assert!(json.starts_with("imputation.tol must be"), "{json}");
        assert!(query.starts_with("imputation_tol must be"), "{query}");
    }

    #[test]
    fn resampling_fields_are_named_and_coded_by_their_option() {
        let check = |fields, level: Option<f64>, seed: Option<&SentNumber>| {
            resampling(fields, None, (100, 1), level, seed, 1000).unwrap_err()
        };
        let err = check(ResamplingFields::BOOTSTRAP, Some(1.5), None);
        assert_eq!(err.code, ErrorCode::InvalidBootstrap);
        assert!(
            err.detail.starts_with("bootstrap.confidence must"),
            "{}",
            err.detail
        );
        let err = check(ResamplingFields::PARALLEL_ANALYSIS, Some(2.0), None);
        assert_eq!(err.code, ErrorCode::InvalidParallelAnalysis);
        assert!(
            err.detail.starts_with("parallel_analysis.quantile must"),
            "{}",
            err.detail
        );
        let err = check(ResamplingFields::PARALLEL_ANALYSIS, None, Some(&sent("-1")));
        assert!(
            err.detail.starts_with("parallel_analysis.seed must"),
            "{}",
            err.detail
        );
    }
}
