//! The part every analysis request shares: the leaderboard (`models`,
//! `benchmarks`, `scores`) and the PCA and missing-score options. It is
//! defined once, by [`leaderboard_request!`], so that no endpoint can drift
//! from the others; each endpoint adds its own fields.
//!
//! A macro rather than `#[serde(flatten)]`: flattening would lose
//! `deny_unknown_fields` (a misspelt option must be an error) and would
//! change the OpenAPI document, which describes each request as one flat
//! object.

use serde::de::DeserializeOwned;

use super::body::{BodyFormat, Limits, parse_json};
use super::error::ApiError;
use super::options::AnalysisOptions;
use super::query::TableQuery;
use super::scores::TopLevelScores;
use crate::analysis::BenchmarkMatrix;
use crate::analysis::matrix::ScoreRows;

/// Defines a request type: the shared leaderboard fields, the shared
/// options (each with the attributes given, e.g. its documentation, and the
/// schema of `n_components`), then the endpoint's own fields. The type gets
/// [`TopLevelScores`](super::scores::TopLevelScores), so its scores take the
/// fast path, and `take_leaderboard`. An endpoint without a PCA (the skills
/// law) leaves out the option list: its type has the leaderboard fields
/// alone, and `take_leaderboard` gives the default options.
macro_rules! leaderboard_request {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(#[$n_components:meta])* n_components,
            $(#[$standardize:meta])* standardize,
            $(#[$sign:meta])* sign,
            $(#[$missing:meta])* missing,
            $(#[$imputation:meta])* imputation;
            $(
                $(#[$field_attr:meta])*
                pub $field:ident : $type:ty
            ),* $(,)?
        }
    ) => {
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        $(#[$attr])*
        pub struct $name {
            #[schema(schema_with = $crate::api::schemas::models)]
            #[serde(deserialize_with = "crate::api::request::label_list")]
            pub models: Vec<String>,
            #[schema(schema_with = $crate::api::schemas::benchmarks)]
            #[serde(deserialize_with = "crate::api::request::label_list")]
            pub benchmarks: Vec<String>,
            #[schema(schema_with = $crate::api::schemas::scores)]
            pub scores: $crate::api::scores::ScoresField,
            $(#[$n_components])*
            #[serde(default)]
            pub n_components: Option<$crate::api::options::NComponentsField>,
            $(#[$standardize])*
            #[serde(default)]
            pub standardize: Option<bool>,
            $(#[$sign])*
            #[serde(default)]
            pub sign: Option<$crate::api::options::Sign>,
            $(#[$missing])*
            #[serde(default)]
            pub missing: Option<$crate::api::options::Missing>,
            $(#[$imputation])*
            #[serde(default)]
            pub imputation: Option<$crate::api::options::ImputationOptions>,
            /// Models a long table left with no row once its benchmarks
            /// were filtered (never sent: a JSON body has no such models).
            #[serde(skip)]
            pub absent_models: Vec<String>,
            $(
                $(#[$field_attr])*
                pub $field: $type,
            )*
        }

        impl $crate::api::scores::TopLevelScores for $name {
            fn scores_mut(&mut self) -> &mut $crate::api::scores::ScoresField {
                &mut self.scores
            }
        }

        impl $name {
            /// The leaderboard and its options, taken out of the request
            /// (which keeps the endpoint's own fields).
            pub fn take_leaderboard(&mut self) -> $crate::api::request::LeaderboardFields {
                $crate::api::request::LeaderboardFields {
                    models: std::mem::take(&mut self.models),
                    benchmarks: std::mem::take(&mut self.benchmarks),
                    scores: std::mem::take(&mut self.scores).0,
                    options: $crate::api::options::AnalysisOptions {
                        n_components: self.n_components.take(),
                        standardize: self.standardize.take(),
                        sign: self.sign.take(),
                        missing: self.missing.take(),
                        imputation: self.imputation.take(),
                        spelling: $crate::api::options::Spelling::Json,
                    },
                    absent_models: std::mem::take(&mut self.absent_models),
                }
            }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_attr:meta])*
                pub $field:ident : $type:ty
            ),* $(,)?
        }
    ) => {
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        $(#[$attr])*
        pub struct $name {
            #[schema(schema_with = $crate::api::schemas::models)]
            #[serde(deserialize_with = "crate::api::request::label_list")]
            pub models: Vec<String>,
            #[schema(schema_with = $crate::api::schemas::benchmarks)]
            #[serde(deserialize_with = "crate::api::request::label_list")]
            pub benchmarks: Vec<String>,
            #[schema(schema_with = $crate::api::schemas::scores)]
            pub scores: $crate::api::scores::ScoresField,
            /// Models a long table left with no row once its benchmarks
            /// were filtered (never sent: a JSON body has no such models).
            #[serde(skip)]
            pub absent_models: Vec<String>,
            $(
                $(#[$field_attr])*
                pub $field: $type,
            )*
        }

        impl $crate::api::scores::TopLevelScores for $name {
            fn scores_mut(&mut self) -> &mut $crate::api::scores::ScoresField {
                &mut self.scores
            }
        }

        impl $name {
            /// The leaderboard, taken out of the request (which keeps the
            /// endpoint's own fields), with the default options.
            pub fn take_leaderboard(&mut self) -> $crate::api::request::LeaderboardFields {
                $crate::api::request::LeaderboardFields {
                    models: std::mem::take(&mut self.models),
                    benchmarks: std::mem::take(&mut self.benchmarks),
                    scores: std::mem::take(&mut self.scores).0,
                    options: $crate::api::options::AnalysisOptions::default(),
                    absent_models: std::mem::take(&mut self.absent_models),
                }
            }
        }
    };
}

pub(crate) use leaderboard_request;

/// A label (a model or a benchmark) as every body format reads it: without
/// its leading and trailing white space, so that `" m1 "` and `"m1"` are one
/// model whether they come from JSON or a table (where a cell's padding is
/// an accident of the export). An empty or duplicate label is refused after
/// trimming. The string keeps its allocation.
pub(crate) fn trim_label(mut label: String) -> String {
    let end = label.trim_end().len();
    label.truncate(end);
    let start = label.len() - label.trim_start().len();
    label.drain(..start);
    label
}

/// A list of labels (models, benchmarks), read as serde reads a
/// `Vec<String>` (the same values and errors) but each trimmed
/// ([`trim_label`]), and with room for a typical leaderboard's from the
/// start: serde_json gives no length hint, and a list grown from empty is
/// reallocated and copied six times on the way to 100 models.
pub(crate) fn label_list<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    struct Labels;
    impl<'de> serde::de::Visitor<'de> for Labels {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a sequence")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            // A hint is the sender's claim: capped, as serde caps it.
            let mut labels = Vec::with_capacity(seq.size_hint().unwrap_or(128).min(4096));
            while let Some(label) = seq.next_element()? {
                labels.push(trim_label(label));
            }
            Ok(labels)
        }
    }
    deserializer.deserialize_seq(Labels)
}

/// A leaderboard and its options as sent, from any body format.
#[derive(Debug)]
pub struct LeaderboardFields {
    pub models: Vec<String>,
    pub benchmarks: Vec<String>,
    pub scores: ScoreRows,
    pub options: AnalysisOptions,
    /// Models a long table left with no row once its benchmarks were
    /// filtered: each answer lists them in its PCA's `dropped_models`.
    pub absent_models: Vec<String>,
}

impl LeaderboardFields {
    /// The rules the options state on their own, and the size limit, with
    /// `extra_cells` further score cells in the request (supplementary
    /// models): everything that can be refused before the data is read.
    pub fn check(&self, limits: &Limits, extra_cells: usize) -> Result<(), ApiError> {
        self.options.validate()?;
        limits.check_cells(self.scores.values.len() + extra_cells)
    }

    /// The validated leaderboard, and the options.
    pub fn into_matrix(self) -> Result<(BenchmarkMatrix, AnalysisOptions), ApiError> {
        let matrix = BenchmarkMatrix::new(self.models, self.benchmarks, self.scores)?;
        Ok((matrix, self.options))
    }
}

/// A request type that a table body (with its query) can stand for, so that
/// the table answers exactly what the equivalent JSON request answers.
pub trait FromTable: Sized + DeserializeOwned + TopLevelScores {
    type Query: TableQuery;

    fn from_table(
        format: BodyFormat,
        body: &[u8],
        query: &Self::Query,
        limits: &Limits,
    ) -> Result<Self, ApiError>;
}

/// The request a body stands for: a JSON request as sent, or a table read
/// as its query says (within `limits`: a compressed table is held to the
/// body and cell limits as it is decoded).
pub fn parse_request<R: FromTable>(
    format: BodyFormat,
    body: &[u8],
    query: &R::Query,
    limits: &Limits,
) -> Result<R, ApiError> {
    match format {
        BodyFormat::Json => parse_json(body),
        _ => R::from_table(format, body, query, limits),
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Ours {
        #[serde(deserialize_with = "super::label_list")]
        models: Vec<String>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Serdes {
        models: Vec<String>,
    }

    #[test]
    fn labels_are_trimmed() {
        for (sent, read) in [
            (" m1 ", "m1"),
            ("m1", "m1"),
            ("\tLlama 2\n", "Llama 2"),
            ("   ", ""),
            ("", ""),
            ("\u{a0}é\u{3000}", "é"),
        ] {
            assert_eq!(super::trim_label(sent.to_owned()), read, "{sent:?}");
        }
        let ours: Ours = serde_json::from_str(r#"{"models": [" m1 ", "m2\t"]}"#).unwrap();
        assert_eq!(ours.models, ["m1", "m2"]);
    }

    #[test]
    fn label_lists_read_as_vectors_of_strings_do() {
        let many = serde_json::to_string(&(0..300).map(|i| format!("m{i}")).collect::<Vec<_>>());
        for models in [
            many.unwrap().as_str(),
            "[]",
            r#"["a", "b\"c", "é"]"#,
            r#""a""#,
            "[1]",
            "null",
            r#"["a",]"#,
            r#"["a" "b"]"#,
            r#"{"a": 1}"#,
        ] {
            let body = format!(r#"{{"models": {models}}}"#);
            let ours = serde_json::from_str::<Ours>(&body).map(|o| o.models);
            let serdes = serde_json::from_str::<Serdes>(&body).map(|s| s.models);
            match (ours, serdes) {
                (Ok(a), Ok(b)) => assert_eq!(
                    a,
                    b.into_iter().map(super::trim_label).collect::<Vec<_>>(),
                    "{models}"
                ),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{models}"),
                (a, b) => panic!("{models}: {a:?} against {b:?}"),
            }
        }
    }
}
