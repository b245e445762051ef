//! The one scaffold every endpoint with a body runs: the query parsed and
//! checked, the body's type (and a form's boundary) checked before the body
//! is read, the body read under the limits, then parsed and answered on the
//! compute pool under the deadline ([`answer`]). An endpoint says only what
//! is its own ([`Endpoint`]); one that analyses a leaderboard says less
//! still ([`LeaderboardEndpoint`]): its query and its JSON body, which give
//! the same options, and how those options are answered ([`Analysis`]).

use std::marker::PhantomData;

use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::body::{BodyFormat, Limits, answer, body_format};
use super::error::{ApiError, ErrorCode};
use super::query::{self, TableQuery};
use super::request::JsonRequest;
use crate::ingest::{self, Leaderboard, PerModelColumns, json, lm_eval, multipart};

/// A request body as it arrived: its format, a form's boundary, its bytes
/// (decoded).
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    pub format: BodyFormat,
    /// The boundary of a form body (for an endpoint that takes forms).
    pub boundary: Option<&'a str>,
    pub bytes: &'a [u8],
}

impl Body<'_> {
    /// Whether the body can only be lm-evaluation-harness results: on an
    /// endpoint that reads a leaderboard, a form or JSON Lines is read as
    /// `format=lm_eval` whether the query says so or not (its media type is
    /// in the spec of every such endpoint, with no table reading of its own).
    pub fn is_results_upload(&self) -> bool {
        matches!(self.format, BodyFormat::Multipart | BodyFormat::JsonLines)
    }
}

impl<'a> Body<'a> {
    /// A body that is no form.
    pub fn new(format: BodyFormat, bytes: &'a [u8]) -> Self {
        Self {
            format,
            boundary: None,
            bytes,
        }
    }
}

/// What an endpoint with a body is.
pub trait Endpoint {
    /// The query string's parameters.
    type Query: TableQuery + Send + 'static;
    /// What the body is read into.
    type Input;
    type Answer: Serialize;
    /// Whether the body may be a form, whose boundary is read (and a body of
    /// another type refused) before the body.
    const FORMS: bool = false;

    /// The rules of the query's own parameters, checked before the body is
    /// read.
    fn check(_query: &Self::Query) -> Result<(), ApiError> {
        Ok(())
    }

    fn read(body: Body<'_>, query: &Self::Query, limits: &Limits) -> Result<Self::Input, ApiError>;

    fn answer(input: Self::Input, limits: &Limits) -> Result<Self::Answer, ApiError>;
}

/// Answers a request to endpoint `E`.
pub async fn serve<E: Endpoint + 'static>(
    req: HttpRequest,
    payload: web::Payload,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let query: E::Query = query::parse(req.query_string())?;
    E::check(&query)?;
    let boundary = if E::FORMS {
        form_boundary(&req)?
    } else {
        // An upload of lm-eval results files is a form too; any other
        // reader refuses a form by its format.
        upload_boundary(&req)
    };
    let limits = **limits;
    answer(
        &req,
        payload,
        limits,
        move |format, bytes| {
            let body = Body {
                format,
                boundary: boundary.as_deref(),
                bytes,
            };
            E::read(body, &query, &limits)
        },
        move |input| E::answer(input, &limits),
    )
    .await
}

/// Defines a handler: its route, whose body is the one scaffold ([`serve`]
/// for `$endpoint`), and its OpenAPI operation: the doc comment, the tag,
/// the query, the request bodies, its 200, its own 422 codes, and the
/// shared error responses of its kind of body ([`super::responses`]). A
/// leaderboard endpoint (`leaderboard(Query, Request, csv = "example")`)
/// takes JSON and tables, one that places models on a basis
/// (`placement(Query, Request)`) JSON and forms; another lists its bodies
/// and errors itself.
macro_rules! handler {
    (
        $(#[$doc:meta])*
        post $route:tt => $name:ident($endpoint:ty), tag $tag:tt,
        $kind:ident($query:ident, $request:ident $(, csv = $csv:tt)?),
        ok($($ok:tt)*),
        unanswerable $unanswerable:tt $(,)?
    ) => {
        $crate::api::endpoint::handler! {
            @$kind($request $(, $csv)?)
            [$(#[$doc])* post $route => $name($endpoint), tag $tag, query $query,]
            [ok($($ok)*),]
            $unanswerable
        }
    };
    (@leaderboard($request:ident, $csv:tt) [$($head:tt)*] [$($ok:tt)*] $unanswerable:tt) => {
        $crate::api::endpoint::handler! {
            $($head)*
            bodies(
                ($request = "application/json"),
                (String = "text/csv", example = $csv),
                (crate::api::schemas::ParquetFile = "application/vnd.apache.parquet"),
                (crate::api::schemas::ArrowStream = "application/vnd.apache.arrow.stream"),
                (crate::api::lm_eval::LmEvalForm = "multipart/form-data"),
                (crate::api::lm_eval::LmEvalLines = "application/jsonl"),
            ),
            errors(crate::api::responses::LeaderboardBodyErrors),
            $($ok)*
            unanswerable (concat!($unanswerable, crate::api::lm_eval::lm_eval_errors!()))
        }
    };
    (@placement($request:ident) [$($head:tt)*] [$($ok:tt)*] $unanswerable:tt) => {
        $crate::api::endpoint::handler! {
            $($head)*
            bodies(
                ($request = "application/json"),
                (crate::api::schemas::PlacementForm = "multipart/form-data"),
            ),
            errors(crate::api::responses::PlacementBodyErrors),
            $($ok)*
            unanswerable $unanswerable
        }
    };
    (
        $(#[$doc:meta])*
        post $route:tt => $name:ident($endpoint:ty), tag $tag:tt, query $query:ident,
        bodies($($body:tt)*),
        errors($($errors:tt)*),
        ok($($ok:tt)*),
        unanswerable $unanswerable:tt $(,)?
    ) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = $tag,
            params($query),
            request_body(content($($body)*)),
            responses(
                (status = 200, $($ok)*),
                (status = 422, description = $unanswerable,
                    body = crate::api::error::Problem, content_type = "application/problem+json"),
                $($errors)*,
                crate::api::responses::ComputeErrors,
            )
        )]
        #[post($route)]
        pub async fn $name(
            req: actix_web::HttpRequest,
            payload: actix_web::web::Payload,
            limits: actix_web::web::Data<$crate::api::body::Limits>,
        ) -> Result<actix_web::HttpResponse, $crate::api::error::ApiError> {
            $crate::api::endpoint::serve::<$endpoint>(req, payload, limits).await
        }
    };
}

pub(crate) use handler;

/// What [`serve`] answers for a body that has arrived, without HTTP (the
/// fuzz targets and the in-process tests).
pub fn run<E: Endpoint>(
    body: Body<'_>,
    query: &E::Query,
    limits: &Limits,
) -> Result<E::Answer, ApiError> {
    E::answer(E::read(body, query, limits)?, limits)
}

/// The boundary of a form body (`None` for JSON); 415 for anything else,
/// before the body is read.
fn form_boundary(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    match body_format(req)? {
        BodyFormat::Json => Ok(None),
        BodyFormat::Multipart => {
            // `body_format` has read the Content-Type.
            let mime = req.mime_type().ok().flatten();
            let param = mime.as_ref().and_then(|m| m.get_param("boundary"));
            Ok(Some(multipart::boundary(param.map(|b| b.as_str()))?))
        }
        BodyFormat::Csv | BodyFormat::Parquet | BodyFormat::Arrow | BodyFormat::JsonLines => {
            Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the basis with the models: application/json, or multipart/form-data with a \
             basis part (JSON) and a scores part (a table: CSV, Parquet or Arrow)",
            ))
        }
    }
}

/// The boundary of a form body that an endpoint without forms of its own
/// reads with `format=lm_eval`; `None` for another body, or for a form
/// without one (refused when it is read).
fn upload_boundary(req: &HttpRequest) -> Option<String> {
    if body_format(req).ok()? != BodyFormat::Multipart {
        return None;
    }
    let mime = req.mime_type().ok().flatten()?;
    let param = mime.get_param("boundary")?;
    multipart::boundary(Some(param.as_str())).ok()
}

/// The table format of a body that is no JSON; 415 for a form or JSON
/// Lines, which only `format=lm_eval` (and, for forms, the endpoints that
/// place models on a basis) read.
pub fn table_format(format: BodyFormat) -> Result<ingest::Format, ApiError> {
    format.table().ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "multipart/form-data and JSON Lines are read with format=lm_eval (lm-evaluation-\
             harness results files), and forms by /v1/pca/transform and /v1/scaling/predict; \
             send a table as text/csv, application/vnd.apache.parquet or \
             application/vnd.apache.arrow.stream",
        )
    })
}

/// The documents (and `models` part) of an lm-eval upload: a form of
/// results files, or JSON (a document, an array, JSON Lines); a table is
/// `invalid_query` (the query's `format` does not fit the body).
pub fn lm_eval_upload<'a>(
    body: Body<'a>,
    limits: &Limits,
) -> Result<lm_eval::Upload<'a>, ApiError> {
    let read = limits.read();
    match body.format {
        BodyFormat::Json | BodyFormat::JsonLines => Ok(lm_eval::json_upload(body.bytes, &read)?),
        BodyFormat::Multipart => {
            let boundary = body.boundary.ok_or_else(|| {
                ingest::IngestError::InvalidMultipart(
                    "multipart/form-data needs a boundary parameter of 1 to 70 characters".into(),
                )
            })?;
            let parts = multipart::parse_at_most(
                body.bytes,
                boundary,
                lm_eval::MAX_FORM_PARTS,
                "send more results files as one JSON Lines part",
            )?;
            Ok(lm_eval::form_upload(parts, &read)?)
        }
        // The body's type is one the endpoint takes: what is wrong is that the
        // query asks to read it as something else.
        BodyFormat::Csv | BodyFormat::Parquet | BodyFormat::Arrow => Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "format=lm_eval reads results files: application/json (a document, an array of \
             them, or JSON Lines), application/jsonl, or multipart/form-data with a part per \
             file (and a 'models' part that may be a table)",
        )),
    }
}

/// An lm-eval upload read as `params` say, with the per-model columns
/// `per_model` from its `models` part. Every endpoint that reads a
/// leaderboard reads one through here.
pub fn read_lm_eval(
    body: Body<'_>,
    params: &query::TableParams<'_>,
    per_model: PerModelColumns,
    limits: &Limits,
) -> Result<(Leaderboard, lm_eval::Sources), ApiError> {
    let spec = params.lm_eval_spec(per_model)?;
    let upload = lm_eval_upload(body, limits)?;
    Ok(lm_eval::assemble(&upload, &spec, &limits.read())?)
}

/// An answer of an [`Analysis`], with where its leaderboard came from when
/// the body was lm-eval results (`lm_eval`, absent otherwise).
#[derive(Debug, Serialize)]
pub struct Sourced<T> {
    #[serde(flatten)]
    pub answer: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lm_eval: Option<super::lm_eval::LmEvalSources>,
}

impl<T> std::ops::Deref for Sourced<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.answer
    }
}

/// What an endpoint that analyses a leaderboard is asked besides the
/// leaderboard: its options, which its JSON body and its query both give.
/// Answering them on the leaderboard is the endpoint's own work.
pub trait Analysis {
    type Answer: Serialize;

    fn answer(self, leaderboard: Leaderboard, limits: &Limits) -> Result<Self::Answer, ApiError>;
}

/// The endpoint that analyses a leaderboard with query `Q` and JSON request
/// `R`: a JSON body, or a table whose options come in the query string.
/// Both become the same leaderboard and the same options (an [`Analysis`])
/// before the analysis sees them.
pub struct LeaderboardEndpoint<Q, R>(PhantomData<(Q, R)>);

/// The query of a [`LeaderboardEndpoint`]: what it asks of a table body.
pub trait LeaderboardQuery: TableQuery {
    type Options;

    /// The rules of the endpoint's own parameters, whatever the body.
    fn check(&self) -> Result<(), ApiError> {
        Ok(())
    }

    /// The per-model columns a table body is read with, once the parameters
    /// a table body needs are checked.
    fn per_model(&self) -> Result<PerModelColumns, ApiError> {
        Ok(PerModelColumns::default())
    }

    /// The options, as the query gives them.
    fn options(&self) -> Result<Self::Options, ApiError>;
}

impl<Q, R> Endpoint for LeaderboardEndpoint<Q, R>
where
    Q: LeaderboardQuery<Options: Analysis> + Send + 'static,
    R: JsonRequest<Options = Q::Options>,
{
    type Query = Q;
    type Input = (Leaderboard, Q::Options, Option<lm_eval::Sources>);
    type Answer = Sourced<<Q::Options as Analysis>::Answer>;

    fn check(query: &Q) -> Result<(), ApiError> {
        query.check()
    }

    fn read(body: Body<'_>, query: &Q, limits: &Limits) -> Result<Self::Input, ApiError> {
        if query.table().is_lm_eval() || body.is_results_upload() {
            let options = query.options()?;
            let (leaderboard, sources) =
                read_lm_eval(body, &query.table(), query.per_model()?, limits)?;
            return Ok((leaderboard, options, Some(sources)));
        }
        if body.format == BodyFormat::Json {
            let (leaderboard, options) = json::parse::<R>(body.bytes)?.into_parts()?;
            return Ok((leaderboard, options, None));
        }
        let format = table_format(body.format)?;
        let spec = query.table().spec(query.per_model()?)?;
        let options = query.options()?;
        let leaderboard = ingest::read(format, body.bytes, &spec, &limits.read())?;
        Ok((leaderboard, options, None))
    }

    fn answer(
        (leaderboard, options, sources): Self::Input,
        limits: &Limits,
    ) -> Result<Self::Answer, ApiError> {
        Ok(Sourced {
            answer: options.answer(leaderboard, limits)?,
            lm_eval: sources.map(Into::into),
        })
    }
}
