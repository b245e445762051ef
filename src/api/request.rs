//! The part every analysis request shares: the leaderboard (`models`,
//! `benchmarks`, `scores`) and the PCA and missing-score options. It is
//! defined once, by [`leaderboard_request!`], so that no endpoint can drift
//! from the others; each endpoint adds its own fields, and says which of
//! them are per-model columns ([`JsonRequest`]).
//!
//! A macro rather than `#[serde(flatten)]`: flattening would lose
//! `deny_unknown_fields` (a misspelt option must be an error) and would
//! change the OpenAPI document, which describes each request as one flat
//! object.

use serde::de::DeserializeOwned;

use super::body::Limits;
use super::error::ApiError;
use super::options::AnalysisOptions;
use crate::ingest::Leaderboard;
use crate::ingest::scores::TopLevelScores;

/// Defines a request type: the shared leaderboard fields, the shared
/// options (each with the attributes given, e.g. its documentation, and the
/// schema of `n_components`), then the endpoint's own fields. The type gets
/// [`TopLevelScores`], so its scores take the fast path, and
/// `take_leaderboard`, which moves the leaderboard and the options out. An
/// endpoint without a PCA (the skills law) leaves out the option list: its
/// type has the leaderboard fields alone, and `take_leaderboard` gives the
/// default options.
macro_rules! leaderboard_request {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(#[$n_components:meta])* n_components,
            $(#[$standardize:meta])* standardize,
            $(#[$sign:meta])* sign,
            $(#[$missing:meta])* missing,
            $(#[$imputation:meta])* imputation;
            $($fields:tt)*
        }
    ) => {
        $crate::api::request::leaderboard_request! {
            @fields $name [$(#[$attr])*] [] models [] {
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
                $($fields)*
            }
        }

        impl $name {
            /// The leaderboard and its options, taken out of the request
            /// (which keeps the endpoint's own fields).
            pub fn take_leaderboard(
                &mut self,
            ) -> ($crate::ingest::Leaderboard, $crate::api::options::AnalysisOptions) {
                let options = $crate::api::options::AnalysisOptions {
                    n_components: self.n_components.take(),
                    standardize: self.standardize.take(),
                    sign: self.sign.take(),
                    missing: self.missing.take(),
                    imputation: self.imputation.take(),
                    spelling: $crate::api::options::Spelling::Json,
                };
                (self.take_scores(), options)
            }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $($fields:tt)*
        }
    ) => {
        $crate::api::request::leaderboard_request! {
            @fields $name [$(#[$attr])*] [] models [] {
                $($fields)*
            }
        }

        impl $name {
            /// The leaderboard, taken out of the request (which keeps the
            /// endpoint's own fields), with the default options.
            pub fn take_leaderboard(
                &mut self,
            ) -> ($crate::ingest::Leaderboard, $crate::api::options::AnalysisOptions) {
                (self.take_scores(), Default::default())
            }
        }
    };
    // The struct: `$lead` fields, then the models (with the schema
    // `schemas::$models`), the benchmarks (with `$benchmarks` attributes)
    // and the scores, then the endpoint's fields.
    (
        @fields $name:ident [$(#[$attr:meta])*] [$($lead:tt)*] $models:ident
        [$(#[$benchmarks:meta])*] {
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
            $($lead)*
            #[schema(schema_with = $crate::api::schemas::$models)]
            #[serde(deserialize_with = "crate::ingest::json::label_list")]
            pub models: Vec<String>,
            $(#[$benchmarks])*
            #[schema(schema_with = $crate::api::schemas::benchmarks)]
            #[serde(deserialize_with = "crate::ingest::json::label_list")]
            pub benchmarks: Vec<String>,
            #[schema(schema_with = $crate::api::schemas::scores)]
            pub scores: $crate::ingest::scores::ScoresField,
            $(
                $(#[$field_attr])*
                pub $field: $type,
            )*
        }

        impl $crate::ingest::scores::TopLevelScores for $name {
            fn scores_mut(&mut self) -> &mut $crate::ingest::scores::ScoresField {
                &mut self.scores
            }
        }

        impl $name {
            /// The labels and scores, moved out.
            pub(crate) fn take_scores(&mut self) -> $crate::ingest::Leaderboard {
                $crate::ingest::Leaderboard {
                    models: std::mem::take(&mut self.models),
                    benchmarks: std::mem::take(&mut self.benchmarks),
                    scores: std::mem::take(&mut self.scores).0,
                    ..Default::default()
                }
            }
        }
    };
}

pub(crate) use leaderboard_request;

/// A JSON request body, as what a table body and its query stand for: the
/// neutral leaderboard, its per-model fields (families, compute, targets,
/// groups) in their roles, and the endpoint's options. Nothing else reads a
/// JSON body's leaderboard.
pub trait JsonRequest: DeserializeOwned + TopLevelScores {
    type Options;

    fn into_parts(self) -> Result<(Leaderboard, Self::Options), ApiError>;
}

/// The rules `options` state on their own, and the size limit, with
/// `extra_cells` further score cells in the request (supplementary
/// models): everything that can be refused before the data is read.
pub fn check(
    leaderboard: &Leaderboard,
    options: &AnalysisOptions,
    limits: &Limits,
    extra_cells: usize,
) -> Result<(), ApiError> {
    options.validate()?;
    limits.check_cells(leaderboard.cells() + extra_cells)
}
