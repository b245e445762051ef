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
use crate::ingest::scores::TopLevelScores;
use crate::ingest::{Leaderboard, PerModelValues};

/// Defines a request type: the shared leaderboard fields, the shared
/// options (each with the attributes given, e.g. its documentation, and the
/// schema of `n_components`; or `scaling_options;`), then the endpoint's own fields, among which
/// the per-model keywords of [`request_struct!`] (`families`, `compute`,
/// ...). The type gets [`TopLevelScores`], so its scores take the fast
/// path, and `take_leaderboard`, which moves the leaderboard (with the
/// per-model fields as its columns) and the options out. An
/// endpoint without a PCA (the skills law) leaves out the option list: its
/// type has the leaderboard fields alone, and `take_leaderboard` gives the
/// default options.
macro_rules! leaderboard_request {
    // `scaling_options;`: the options of a scaling analysis, whose
    // `n_components` defaults to 3 (the paper's first three PCs).
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            scaling_options;
            $($fields:tt)*
        }
    ) => {
        $crate::api::request::leaderboard_request! {
            $(#[$attr])*
            pub struct $name {
                /// As in /v1/pca; default 3.
                #[schema(schema_with = $crate::api::schemas::n_components_fixed)]
                n_components,
                standardize,
                sign,
                missing,
                imputation;
                $($fields)*
            }
        }
    };
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
    // and the scores, then the endpoint's fields (keywords among them).
    (
        @fields $name:ident [$(#[$attr:meta])*] [$($lead:tt)*] $models:ident
        [$(#[$benchmarks:meta])*] { $($fields:tt)* }
    ) => {
        $crate::api::request::request_struct! {
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
                $($fields)*
            }
        }

        impl $crate::ingest::scores::TopLevelScores for $name {
            fn scores_mut(&mut self) -> &mut $crate::ingest::scores::ScoresField {
                &mut self.scores
            }
        }

        impl $name {
            /// The labels, scores and per-model columns, moved out.
            pub(crate) fn take_scores(&mut self) -> $crate::ingest::Leaderboard {
                $crate::ingest::Leaderboard {
                    models: std::mem::take(&mut self.models),
                    benchmarks: std::mem::take(&mut self.benchmarks),
                    scores: std::mem::take(&mut self.scores).0,
                    per_model: self.take_per_model(),
                    ..Default::default()
                }
            }
        }
    };
}

pub(crate) use leaderboard_request;

/// Defines a request type (`Deserialize`, `ToSchema`, unknown fields
/// refused) from its fields in order, among which a keyword stands for
/// per-model fields that several requests share, so that each is written
/// (and documented) once:
/// - `families`: the family of each model, null or "" for none;
///   `families?`, the same field optional;
/// - `compute`: `flops`, `params` and `tokens`, each optional (the paper's
///   compute: FLOPs, or 6 N D);
/// - `size_and_family`: the skills law's `params`, `tokens` and `families`.
///
/// The type gets `take_per_model`, which moves those fields out as the
/// leaderboard's per-model columns.
macro_rules! request_struct {
    (
        $(#[$attr:meta])*
        pub struct $name:ident { $($fields:tt)* }
    ) => {
        $crate::api::request::request_struct! {
            @munch [$(#[$attr])*] $name [] [] { $($fields)* }
        }
    };
    (@munch $attrs:tt $name:ident [$($out:tt)*] [$($per_model:ident)*] { families, $($rest:tt)* }) => {
        $crate::api::request::request_struct! {
            @munch $attrs $name [
                $($out)*
                /// The family of each model (one per model, in order); null or "" for a
                /// model without one, which every per-family analysis leaves out.
                #[serde(deserialize_with = "crate::ingest::json::labels")]
                pub families: Vec<Option<String>>,
            ] [$($per_model)* families] { $($rest)* }
        }
    };
    (@munch $attrs:tt $name:ident [$($out:tt)*] [$($per_model:ident)*] { families?, $($rest:tt)* }) => {
        $crate::api::request::request_struct! {
            @munch $attrs $name [
                $($out)*
                /// The family of each model (one per model, in order); null or "" for a
                /// model without one, which every per-family analysis leaves out.
                #[serde(default, deserialize_with = "crate::ingest::json::labels")]
                pub families: Option<Vec<Option<String>>>,
            ] [$($per_model)* families] { $($rest)* }
        }
    };
    (@munch $attrs:tt $name:ident [$($out:tt)*] [$($per_model:ident)*] { compute, $($rest:tt)* }) => {
        $crate::api::request::request_struct! {
            @munch $attrs $name [
                $($out)*
                /// Training compute per model, in any unit (the paper: 1e21 FLOPs); null if unknown.
                #[serde(default)]
                #[schema(schema_with = $crate::api::schemas::compute)]
                pub flops: Option<Vec<Option<f64>>>,
                /// Parameters per model (with `tokens`: FLOPs = 6 N D); null if unknown.
                #[serde(default)]
                #[schema(schema_with = $crate::api::schemas::compute)]
                pub params: Option<Vec<Option<f64>>>,
                /// Training tokens per model (with `params`); null if unknown.
                #[serde(default)]
                #[schema(schema_with = $crate::api::schemas::compute)]
                pub tokens: Option<Vec<Option<f64>>>,
            ] [$($per_model)* flops params tokens] { $($rest)* }
        }
    };
    (@munch $attrs:tt $name:ident [$($out:tt)*] [$($per_model:ident)*] { size_and_family, $($rest:tt)* }) => {
        $crate::api::request::request_struct! {
            @munch $attrs $name [
                $($out)*
                /// Parameters per model, in billions (> 0).
                #[schema(schema_with = $crate::api::schemas::positive_per_model)]
                pub params: Vec<Option<f64>>,
                /// Training tokens per model, in trillions (> 0).
                #[schema(schema_with = $crate::api::schemas::positive_per_model)]
                pub tokens: Vec<Option<f64>>,
                /// The family of each model: models of a family share an
                /// efficiency, which the family's scored models pin down (a
                /// basis predicts models of its own families only).
                #[schema(schema_with = $crate::api::schemas::model_families)]
                #[serde(deserialize_with = "crate::ingest::json::labels")]
                pub families: Vec<Option<String>>,
            ] [$($per_model)* params tokens families] { $($rest)* }
        }
    };
    (
        @munch $attrs:tt $name:ident [$($out:tt)*] $per_model:tt
        { $(#[$field_attr:meta])* pub $field:ident : $type:ty $(, $($rest:tt)*)? }
    ) => {
        $crate::api::request::request_struct! {
            @munch $attrs $name [
                $($out)*
                $(#[$field_attr])*
                pub $field: $type,
            ] $per_model { $($($rest)*)? }
        }
    };
    (@munch [$(#[$attr:meta])*] $name:ident [$($out:tt)*] [$($per_model:ident)*] {}) => {
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        $(#[$attr])*
        pub struct $name {
            $($out)*
        }

        impl $name {
            /// The per-model fields, moved out as the leaderboard's
            /// per-model columns.
            pub(crate) fn take_per_model(&mut self) -> $crate::ingest::PerModel {
                $crate::ingest::PerModel {
                    $($per_model: $crate::api::request::PerModelField::take_values(&mut self.$per_model),)*
                    ..Default::default()
                }
            }
        }
    };
}

pub(crate) use request_struct;

/// A per-model field of a request, as the leaderboard's per-model column:
/// a required field is always present, an optional one may be absent.
pub trait PerModelField<T> {
    fn take_values(&mut self) -> PerModelValues<T>;
}

impl<T> PerModelField<T> for Vec<Option<T>> {
    fn take_values(&mut self) -> PerModelValues<T> {
        Some(std::mem::take(self))
    }
}

impl<T> PerModelField<T> for Option<Vec<Option<T>>> {
    fn take_values(&mut self) -> PerModelValues<T> {
        self.take()
    }
}

/// A JSON request body, as what a table body and its query stand for: the
/// neutral leaderboard, its per-model fields (families, compute, targets,
/// groups) in their roles, and the endpoint's options. Nothing else reads a
/// JSON body's leaderboard.
pub trait JsonRequest: DeserializeOwned + TopLevelScores {
    type Options;

    fn into_parts(self) -> Result<(Leaderboard, Self::Options), ApiError>;
}

/// Defines what an endpoint is asked besides the leaderboard (its options:
/// the shared PCA and missing-score `analysis` options, then the fields
/// given), and how a JSON request of type `$request` gives them: each field
/// moved from the request's field of the same name, a flag (`Option<bool>`
/// sent, `bool` kept) false when absent. An endpoint whose options need
/// more than that (e.g. the law's one-or-many targets) writes its
/// [`JsonRequest`] by hand.
macro_rules! endpoint_options {
    (
        $(#[$attr:meta])*
        pub struct $options:ident from $request:ident {
            $($(#[$field_attr:meta])* pub $field:ident : $type:ty),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug)]
        pub struct $options {
            pub analysis: $crate::api::options::AnalysisOptions,
            $($(#[$field_attr])* pub $field: $type,)*
        }

        impl $crate::api::request::JsonRequest for $request {
            type Options = $options;

            fn into_parts(
                mut self,
            ) -> Result<($crate::ingest::Leaderboard, $options), $crate::api::error::ApiError> {
                let (leaderboard, analysis) = self.take_leaderboard();
                let options = $options {
                    analysis,
                    $($field: $crate::api::request::OptionField::into_option(self.$field),)*
                };
                Ok((leaderboard, options))
            }
        }
    };
}

pub(crate) use endpoint_options;

/// A request field as the option it gives: the value itself, or for a flag,
/// false when absent.
pub trait OptionField<T> {
    fn into_option(self) -> T;
}

impl<T> OptionField<T> for T {
    fn into_option(self) -> T {
        self
    }
}

impl OptionField<bool> for Option<bool> {
    fn into_option(self) -> bool {
        self.unwrap_or(false)
    }
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
