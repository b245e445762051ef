//! Leaderboards from lm-evaluation-harness results files, as the harness
//! writes them (`results_<timestamp>.json`, 0.4.x; the 0.3 shape, metric
//! keys without a filter, reads as the `none` filter): one document, a JSON
//! array of them, JSON Lines, or a form with one part per file and an
//! optional `models` part of per-model columns.
//!
//! - A document's model is its `model_name`, else the `pretrained=` value of
//!   `config.model_args` (a `k=v,k=v` string, or an object), else
//!   `config.model`. Documents of one model merge into one row.
//! - Each task of `results` (and of `groups`, where a version writes group
//!   scores there) is a benchmark column; a task listed under a group in
//!   `group_subtasks`, at any depth, is left out by default when a group
//!   above it has a score: the group stands for it.
//! - A task's metric is the one `metrics=` names, else the default rule
//!   ([`DEFAULT_METRICS`], then the other metrics by name; the `none`
//!   filter, then `strict-match`, then the others by name), chosen once per
//!   task over every document, so that every model's cell of a column is the
//!   same metric and filter.
//! - Stderr values and `alias` are never scores; `"N/A"`, `null` and bare
//!   `NaN` tokens (which JSON does not allow but Python's `json` writes) are
//!   missing cells.
//!
//! The reader holds the scores and labels only: every other member of a
//! document (configs, versions, samples) is skipped as it is parsed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::multipart::Part;
use super::table::guard::Guard;
use super::table::{self, Duplicates, MeanSum, Picked};
use super::{
    Format, IngestError, Leaderboard, PerModel, PerModelColumns, ReadLimits, TargetValues,
    read_table,
};
use crate::analysis::budget;
use crate::analysis::matrix::ScoreRows;

/// The metrics the default rule takes first, in this order.
pub const DEFAULT_METRICS: [&str; 3] = ["acc_norm", "acc", "exact_match"];
/// The filters the default rule takes first, in this order.
pub const DEFAULT_FILTERS: [&str; 2] = ["none", "strict-match"];
/// The name of a form's part of per-model columns.
pub const MODELS_PART: &str = "models";
/// The most parts an lm-eval form may have: a results folder has a file per
/// run, so many more than the two parts of a basis form.
pub const MAX_FORM_PARTS: usize = 4096;

/// Which tasks are the benchmark columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum TaskPick {
    /// Every task and group with a score, but the subtasks a group with a
    /// score stands for, in order of first appearance.
    #[default]
    Default,
    /// These, in this order (subtasks included).
    Named(Vec<String>),
    /// Every task and group with a score whose name starts with this
    /// (subtasks included), in order of first appearance.
    Prefix(String),
}

/// A task's metric, as `metrics=task:metric,filter` names it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPick {
    pub task: String,
    pub metric: String,
    /// `None`: the default filter rule.
    pub filter: Option<String>,
}

/// How an lm-eval upload is read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LmEvalSpec {
    pub tasks: TaskPick,
    pub metrics: Vec<MetricPick>,
    /// A model and task with two different values.
    pub duplicates: Duplicates,
    /// The `models` part's column of model names (default its first).
    pub model_column: Option<String>,
    /// The delimiter of a CSV `models` part.
    pub delimiter: u8,
    /// Read from the `models` part; a target that is no column of it is a
    /// task, whose score is the target (and no benchmark).
    pub per_model: PerModelColumns,
}

/// Where a benchmark column came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSource {
    /// The column's name in the answer: the task's.
    pub benchmark: String,
    pub task: String,
    pub metric: String,
    pub filter: String,
    /// `default` (the default rule) or `metrics` (the query named it).
    pub rule: &'static str,
    /// The group that lists this task in `group_subtasks`, if any.
    pub group: Option<String>,
    /// The models with a value (not `N/A`, `null` or `NaN`).
    pub models: usize,
    /// The documents that gave the task, in upload order.
    pub files: Vec<String>,
}

/// Where a model's row came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSource {
    pub model: String,
    /// Which member named it: `model_name`, `config.model_args` or
    /// `config.model`.
    pub named_by: &'static str,
    pub files: Vec<String>,
}

/// What an lm-eval read took from where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources {
    pub columns: Vec<ColumnSource>,
    pub models: Vec<ModelSource>,
    /// Tasks with a score left out because a group above them has one.
    pub subtasks_left_out: Vec<String>,
    /// Models of the `models` part that no document names.
    pub models_without_results: Vec<String>,
    /// Models of the documents that the `models` part has no row for
    /// (empty when there is no `models` part).
    pub models_without_row: Vec<String>,
}

/// A value of a metric key.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Number(f64),
    /// `null`, a bare `NaN`, or `"N/A"`.
    Missing,
    /// `Infinity`, `-Infinity` (bare or quoted).
    Infinite(String),
    /// Any other string.
    Text(String),
    /// An array, an object, a boolean.
    Other(&'static str),
}

/// One task's entry: its keys and values, in document order.
#[derive(Debug, Default)]
struct Entry {
    keys: Vec<(String, Value)>,
}

/// A document's `results` or `groups`.
#[derive(Debug)]
enum Tasks {
    Object(Vec<(String, Result<Entry, &'static str>)>),
    Not(&'static str),
}

/// `group_subtasks` as parsed: each group and its tasks, or what the member
/// is instead of an object.
type Subtasks = Result<Vec<(String, Vec<String>)>, &'static str>;

/// A document as parsed: only what the reader uses.
#[derive(Debug, Default)]
struct RawDocument {
    is_object: bool,
    results: Option<Tasks>,
    groups: Option<Tasks>,
    group_subtasks: Option<Subtasks>,
    model_name: Option<String>,
    config_model: Option<String>,
    config_pretrained: Option<String>,
}

/// A document read: its name in errors and sources, its model, its tasks.
#[derive(Debug)]
struct Document {
    name: String,
    model: String,
    named_by: &'static str,
    tasks: Vec<(String, Entry)>,
    subtasks: Vec<(String, Vec<String>)>,
}

fn invalid(detail: impl Into<String>) -> IngestError {
    IngestError::InvalidLmEval(detail.into())
}

/// An upload's results documents, checked, and its `models` part.
#[derive(Debug)]
pub struct Upload<'a> {
    documents: Vec<Document>,
    models: Option<(Format, &'a [u8])>,
}

impl<'a> Upload<'a> {
    /// The `models` part: its format and bytes.
    pub fn models_part(&self) -> Option<(Format, &'a [u8])> {
        self.models
    }
}

/// Reads a JSON body: one results document, a JSON array of them, or JSON
/// Lines (documents one after another, one per line).
pub fn read_json(
    body: &[u8],
    spec: &LmEvalSpec,
    limits: &ReadLimits,
) -> Result<(Leaderboard, Sources), IngestError> {
    assemble(&json_upload(body, limits)?, spec, limits)
}

/// Reads a form: every part but `models` is a results file (a JSON body as
/// [`read_json`] takes, named by its file name); the `models` part, if any,
/// is a table of per-model columns.
pub fn read_form(
    parts: Vec<Part<'_>>,
    spec: &LmEvalSpec,
    limits: &ReadLimits,
) -> Result<(Leaderboard, Sources), IngestError> {
    assemble(&form_upload(parts, limits)?, spec, limits)
}

/// The documents of a JSON body.
pub fn json_upload(body: &[u8], limits: &ReadLimits) -> Result<Upload<'static>, IngestError> {
    let mut guard = Guard::new(limits);
    let body = lenient(body, &mut guard)?;
    checked(parse_json(&body)?, None)
}

/// The documents of a form's parts, and its `models` part.
pub fn form_upload<'a>(
    parts: Vec<Part<'a>>,
    limits: &ReadLimits,
) -> Result<Upload<'a>, IngestError> {
    let mut guard = Guard::new(limits);
    let mut documents = Vec::new();
    let mut models = None;
    for (index, part) in parts.iter().enumerate() {
        budget::check()?;
        if part.name == MODELS_PART {
            if models.is_some() {
                return Err(IngestError::InvalidRequest(format!(
                    "the form has two '{MODELS_PART}' parts"
                )));
            }
            models = Some((part.table_format()?, part.body));
            continue;
        }
        let name = match &part.filename {
            Some(file) => format!("part {} ('{}', file {file})", index + 1, part.name),
            None => format!("part {} ('{}')", index + 1, part.name),
        };
        let body = lenient(part.body, &mut guard)?;
        let parsed = parse_json(&body).map_err(|err| in_part(err, &name))?;
        for (inner, raw) in parsed {
            let label = if inner.is_empty() {
                name.clone()
            } else {
                format!("{name}, {inner}")
            };
            documents.push((label, raw));
        }
    }
    checked(documents, models)
}

/// The documents checked: each an object with `results`, naming its model.
fn checked(
    raw: Vec<(String, RawDocument)>,
    models: Option<(Format, &[u8])>,
) -> Result<Upload<'_>, IngestError> {
    if raw.is_empty() {
        return Err(invalid(
            "the upload holds no results document (send the results files as form parts, or \
             a document, an array of them or JSON Lines)",
        ));
    }
    let documents = raw
        .into_iter()
        .map(|(name, raw)| check_document(&name, raw))
        .collect::<Result<_, _>>()?;
    Ok(Upload { documents, models })
}

/// A parse error of a part, with the part's name.
fn in_part(err: IngestError, name: &str) -> IngestError {
    match err {
        IngestError::InvalidLmEval(detail) => invalid(format!("{name}: {detail}")),
        IngestError::Json(err) => invalid(format!("{name} is not JSON: {err}")),
        other => other,
    }
}

/// Bare `NaN`, `Infinity` and `-Infinity` tokens outside strings, which
/// Python's `json` writes and JSON does not allow, rewritten as `null` and
/// as the strings `"Infinity"` and `"-Infinity"` (a score that is not
/// finite, refused where it is read). A body without them is not copied.
fn lenient<'a>(body: &'a [u8], guard: &mut Guard) -> Result<Cow<'a, [u8]>, IngestError> {
    let has = |token: &[u8]| memchr::memmem::find(body, token).is_some();
    if !has(b"NaN") && !has(b"Infinity") {
        return Ok(Cow::Borrowed(body));
    }
    // `NaN` (3 bytes) becomes `null` (4): at most a third more.
    guard.claim((body.len() + body.len() / 3) as u64, || {
        "the body with its NaN tokens rewritten".into()
    })?;
    let mut out = Vec::with_capacity(body.len() + body.len() / 3);
    let (mut in_string, mut escaped) = (false, false);
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            out.push(b);
            i += 1;
            continue;
        }
        let rest = &body[i..];
        let (token, written): (usize, &[u8]) = if b == b'"' {
            in_string = true;
            (1, b"\"")
        } else if rest.starts_with(b"NaN") {
            (3, b"null")
        } else if rest.starts_with(b"-Infinity") {
            (9, b"\"-Infinity\"")
        } else if rest.starts_with(b"Infinity") {
            (8, b"\"Infinity\"")
        } else {
            (1, std::slice::from_ref(&body[i]))
        };
        out.extend_from_slice(written);
        i += token;
    }
    Ok(Cow::Owned(out))
}

/// The documents of a JSON body, each with where it is (`array index 3`,
/// `line 5`, or empty for a lone document).
fn parse_json(body: &[u8]) -> Result<Vec<(String, RawDocument)>, IngestError> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(invalid(
            "the upload holds no results document (it is empty)",
        ));
    };
    if body[start] == b'[' {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let documents = deserializer.deserialize_seq(DocumentsVisitor)?;
        deserializer.end()?;
        if documents.is_empty() {
            return Err(invalid(
                "the upload is an empty array: it holds no results document",
            ));
        }
        return Ok(documents
            .into_iter()
            .enumerate()
            .map(|(i, d)| (format!("array index {i}"), d))
            .collect());
    }
    let mut documents = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<RawDocument>();
    // Line numbers counted as the stream goes, once over the body.
    let (mut counted, mut line) = (0, 1);
    loop {
        budget::check()?;
        let offset = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(document) => {
                // The white space before a document's first byte (the
                // line break that ends the previous one) is counted too.
                let start = offset
                    + body[offset..]
                        .iter()
                        .take_while(|b| b.is_ascii_whitespace())
                        .count();
                line += memchr::memchr_iter(b'\n', &body[counted..start]).count();
                counted = start;
                documents.push((format!("line {line}"), document?));
            }
        }
    }
    if documents.len() == 1 {
        documents[0].0.clear();
    }
    Ok(documents)
}

/// The arms of a visitor for the kinds of JSON value it does not read, each
/// answering the value given: `seq` (an array, read through), `map` (an
/// object, read through), `str`, `number` (f64, i64 and u64), `bool`,
/// `unit` (null). A document from an unknown harness version may hold any
/// value anywhere, and must not stop the read.
macro_rules! other_kinds {
    ($($kind:ident),+ => $value:expr) => {
        $(other_kinds!(@ $kind $value);)+
    };
    (@ seq $value:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
    (@ map $value:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
    (@ str $value:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
    (@ number $value:expr) => {
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
    (@ bool $value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
    (@ unit $value:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

struct DocumentsVisitor;

impl<'de> Visitor<'de> for DocumentsVisitor {
    type Value = Vec<RawDocument>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of results documents")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut documents = Vec::new();
        while let Some(document) = seq.next_element()? {
            documents.push(document);
        }
        Ok(documents)
    }
}

impl<'de> serde::Deserialize<'de> for RawDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = RawDocument;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a results document (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut document = RawDocument {
            is_object: true,
            ..RawDocument::default()
        };
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "results" => document.results = Some(map.next_value_seed(TasksSeed)?),
                "groups" => document.groups = Some(map.next_value_seed(TasksSeed)?),
                "group_subtasks" => {
                    document.group_subtasks = Some(map.next_value_seed(SubtasksSeed)?)
                }
                "model_name" => document.model_name = map.next_value_seed(TextSeed)?,
                "config" => {
                    let (model, pretrained) = map.next_value_seed(ConfigSeed)?;
                    document.config_model = model;
                    document.config_pretrained = pretrained;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(document)
    }

    other_kinds!(seq, str, number, bool, unit => RawDocument::default());
}

/// `results` or `groups`: an object of task entries, or what it is instead.
struct TasksSeed;

impl<'de> DeserializeSeed<'de> for TasksSeed {
    type Value = Tasks;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tasks, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TasksSeed {
    type Value = Tasks;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of tasks")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tasks, A::Error> {
        let mut tasks = Vec::new();
        while let Some(task) = map.next_key::<String>()? {
            tasks.push((task, map.next_value_seed(EntrySeed)?));
        }
        Ok(Tasks::Object(tasks))
    }

    other_kinds!(seq => Tasks::Not("an array"));
    other_kinds!(str => Tasks::Not("a string"));
    other_kinds!(number => Tasks::Not("a number"));
    other_kinds!(bool => Tasks::Not("a boolean"));
    other_kinds!(unit => Tasks::Not("null"));
}

/// The arms of a visitor whose value must be an object (its `Value` a
/// `Result<_, &'static str>`): any other JSON value is read through and named
/// as what it is, for the error that names the document and field.
macro_rules! not_an_object {
    () => {
        other_kinds!(seq => Err("an array"));
        other_kinds!(str => Err("a string"));
        other_kinds!(number => Err("a number"));
        other_kinds!(bool => Err("a boolean"));
    };
}

/// A task's entry: an object of keys and values, or what it is instead.
struct EntrySeed;

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = Result<Entry, &'static str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = Result<Entry, &'static str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a task's metrics (an object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entry = Entry::default();
                while let Some(key) = map.next_key::<String>()? {
                    entry.keys.push((key, map.next_value::<Value>()?));
                }
                Ok(Ok(entry))
            }
            not_an_object!();
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Err("null"))
            }
        }
        deserializer.deserialize_any(EntryVisitor)
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a metric value")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Missing)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(match v.trim() {
                    "N/A" => Value::Missing,
                    t if t.eq_ignore_ascii_case("infinity")
                        || t.eq_ignore_ascii_case("-infinity") =>
                    {
                        Value::Infinite(t.to_owned())
                    }
                    _ => Value::Text(v.chars().take(40).collect()),
                })
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
                Ok(Value::Other("a boolean"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Value::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Value::Other("an object"))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// `group_subtasks`: an object of arrays of task names.
struct SubtasksSeed;

impl<'de> DeserializeSeed<'de> for SubtasksSeed {
    type Value = Subtasks;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct SubtasksVisitor;
        impl<'de> Visitor<'de> for SubtasksVisitor {
            type Value = Subtasks;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of task lists")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut groups = Vec::new();
                while let Some(group) = map.next_key::<String>()? {
                    match map.next_value::<Option<Vec<String>>>() {
                        Ok(tasks) => groups.push((group, tasks.unwrap_or_default())),
                        Err(err) => return Err(err),
                    }
                }
                Ok(Ok(groups))
            }
            not_an_object!();
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Ok(Vec::new()))
            }
        }
        deserializer.deserialize_any(SubtasksVisitor)
    }
}

/// A string, or nothing for any other value.
struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Option<String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(v.to_owned()))
            }
            other_kinds!(number, bool, unit, seq, map => None);
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// `config`: its `model`, and the `pretrained` of its `model_args` (a
/// `pretrained=x,dtype=y` string, or an object).
struct ConfigSeed;

impl<'de> DeserializeSeed<'de> for ConfigSeed {
    type Value = (Option<String>, Option<String>);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct ConfigVisitor;
        impl<'de> Visitor<'de> for ConfigVisitor {
            type Value = (Option<String>, Option<String>);
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a config object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut model, mut pretrained) = (None, None);
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "model" => model = map.next_value_seed(TextSeed)?,
                        "model_args" => pretrained = map.next_value_seed(ModelArgsSeed)?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok((model, pretrained))
            }
            other_kinds!(seq, str, number, bool, unit => (None, None));
        }
        deserializer.deserialize_any(ConfigVisitor)
    }
}

/// The `pretrained` of `model_args`.
struct ModelArgsSeed;

impl<'de> DeserializeSeed<'de> for ModelArgsSeed {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct ArgsVisitor;
        impl<'de> Visitor<'de> for ArgsVisitor {
            type Value = Option<String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("model arguments")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(v.split(',').find_map(|arg| {
                    let (key, value) = arg.split_once('=')?;
                    (key.trim() == "pretrained").then(|| value.trim().to_owned())
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pretrained = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key.as_ref() == "pretrained" {
                        pretrained = map.next_value_seed(TextSeed)?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(pretrained)
            }
            other_kinds!(seq, number, bool, unit => None);
        }
        deserializer.deserialize_any(ArgsVisitor)
    }
}

/// A document checked: its model named, its tasks objects.
fn check_document(name: &str, raw: RawDocument) -> Result<Document, IngestError> {
    let what = |name: &str| {
        if name.is_empty() {
            "the document".to_owned()
        } else {
            format!("the document at {name}")
        }
    };
    if !raw.is_object {
        return Err(invalid(format!(
            "{} is not an lm-evaluation-harness results document (an object with 'results')",
            what(name)
        )));
    }
    let mut tasks = Vec::new();
    let mut any = false;
    for (member, part) in [("results", raw.results), ("groups", raw.groups)] {
        match part {
            None => {}
            Some(Tasks::Not(kind)) => {
                return Err(invalid(format!(
                    "'{member}' of {} is {kind}, not an object of tasks",
                    what(name)
                )));
            }
            Some(Tasks::Object(entries)) => {
                any |= member == "results";
                for (task, entry) in entries {
                    let entry = entry.map_err(|kind| {
                        invalid(format!(
                            "task '{task}' in '{member}' of {} is {kind}, not an object of metrics",
                            what(name)
                        ))
                    })?;
                    tasks.push((task, entry));
                }
            }
        }
    }
    if !any {
        return Err(invalid(format!(
            "{} has no 'results': it is not an lm-evaluation-harness results document",
            what(name)
        )));
    }
    let subtasks = match raw.group_subtasks {
        None => Vec::new(),
        Some(Ok(groups)) => groups,
        Some(Err(kind)) => {
            return Err(invalid(format!(
                "'group_subtasks' of {} is {kind}, not an object of task lists",
                what(name)
            )));
        }
    };
    let named = |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let (model, named_by) = if let Some(model) = named(raw.model_name) {
        (model, "model_name")
    } else if let Some(model) = named(raw.config_pretrained) {
        (model, "config.model_args")
    } else if let Some(model) = named(raw.config_model) {
        (model, "config.model")
    } else {
        return Err(IngestError::EmptyLabel(format!(
            "{} names no model: it has no 'model_name', no 'pretrained=' in 'config.model_args' \
             and no 'config.model'",
            what(name)
        )));
    };
    Ok(Document {
        name: if name.is_empty() {
            "the body".into()
        } else {
            name.to_owned()
        },
        model,
        named_by,
        tasks,
        subtasks,
    })
}

/// A metric key split: `acc,none` is (`acc`, `none`); a key without a comma
/// (the 0.3 shape) is the `none` filter.
fn split_key(key: &str) -> (&str, &str) {
    key.split_once(',').unwrap_or((key, "none"))
}

/// Whether a key of a task's entry is a metric whose value is a score: a
/// `metric,filter` key whose metric is no stderr, or (the 0.3 shape) a key
/// without a comma holding a number or a missing value. `alias` and other
/// labels are never scores.
fn is_metric(key: &str, value: &Value) -> bool {
    let (metric, _) = split_key(key);
    if metric.ends_with("_stderr") || metric == "alias" {
        return false;
    }
    key.contains(',')
        || matches!(
            value,
            Value::Number(_) | Value::Missing | Value::Infinite(_)
        )
}

/// Per task: its metric keys over every document, in order of first
/// appearance.
#[derive(Debug, Default)]
struct TaskInfo {
    keys: Vec<(String, String)>,
    group: Option<String>,
}

impl TaskInfo {
    fn has(&self, metric: &str, filter: &str) -> bool {
        self.keys.iter().any(|(m, f)| m == metric && f == filter)
    }

    fn metrics_text(keys: &[(String, String)]) -> String {
        if keys.is_empty() {
            return "none".into();
        }
        keys.iter()
            .map(|(m, f)| format!("{m},{f}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The default rule's metric and filter.
    fn default_metric(&self) -> Option<(String, String)> {
        let mut metrics: Vec<&str> = self.keys.iter().map(|(m, _)| m.as_str()).collect();
        metrics.sort_unstable();
        metrics.dedup();
        let metric = DEFAULT_METRICS
            .iter()
            .find(|m| metrics.contains(m))
            .copied()
            .or_else(|| metrics.first().copied())?;
        let filter = self.default_filter(metric)?;
        Some((metric.to_owned(), filter))
    }

    fn default_filter(&self, metric: &str) -> Option<String> {
        let mut filters: Vec<&str> = self
            .keys
            .iter()
            .filter(|(m, _)| m == metric)
            .map(|(_, f)| f.as_str())
            .collect();
        filters.sort_unstable();
        DEFAULT_FILTERS
            .iter()
            .find(|f| filters.contains(f))
            .copied()
            .or_else(|| filters.first().copied())
            .map(str::to_owned)
    }
}

/// The tasks of the documents in order of first appearance, with their
/// metric keys and groups; the string values of metrics are refused
/// wherever they are.
fn task_infos(
    documents: &[Document],
) -> Result<(Vec<String>, HashMap<String, TaskInfo>), IngestError> {
    let mut order: Vec<String> = Vec::new();
    let mut info: HashMap<String, TaskInfo> = HashMap::new();
    for document in documents {
        budget::check()?;
        for (task, entry) in &document.tasks {
            let known = info.contains_key(task);
            let slot = info.entry(task.clone()).or_default();
            if !known {
                order.push(task.clone());
            }
            for (key, value) in &entry.keys {
                if !is_metric(key, value) {
                    continue;
                }
                match value {
                    Value::Text(text) => {
                        return Err(IngestError::InvalidScore(format!(
                            "{}: task '{task}', metric '{key}' is the string '{text}', not a \
                             number (only \"N/A\" is read, as a missing score)",
                            document.name
                        )));
                    }
                    Value::Other(kind) => {
                        return Err(IngestError::InvalidScore(format!(
                            "{}: task '{task}', metric '{key}' is {kind}, not a number",
                            document.name
                        )));
                    }
                    _ => {}
                }
                let (metric, filter) = split_key(key);
                if !slot.has(metric, filter) {
                    slot.keys.push((metric.to_owned(), filter.to_owned()));
                }
            }
        }
        for (group, subtasks) in &document.subtasks {
            for task in subtasks {
                if task != group {
                    let slot = info.entry(task.clone()).or_default();
                    slot.group.get_or_insert_with(|| group.clone());
                }
            }
        }
    }
    no_group_cycle(&info)?;
    Ok((order, info))
}

/// Refuses groups listed under one another in a circle (g1 lists g2, g2
/// lists g1, in one document or across several): no group of the circle is
/// above the others, so none can stand for the rest, and the harness never
/// writes one. (A group that lists itself is not a circle: that entry is
/// skipped.) Each task is walked up once, so the check is linear in the
/// tasks however deep the tree.
fn no_group_cycle(info: &HashMap<String, TaskInfo>) -> Result<(), IngestError> {
    const ON_WALK: u8 = 1;
    const REACHES_TOP: u8 = 2;
    let mut state: HashMap<&str, u8> = HashMap::with_capacity(info.len());
    // In name order, so that the message names the same circle every time.
    let mut tasks: Vec<&str> = info.keys().map(String::as_str).collect();
    tasks.sort_unstable();
    let mut walk: Vec<&str> = Vec::new();
    for start in tasks {
        walk.clear();
        let mut at = Some(start);
        while let Some(task) = at {
            match state.get(task) {
                Some(&REACHES_TOP) => break,
                Some(_) => {
                    let from = walk.iter().position(|&t| t == task).unwrap_or(0);
                    let circle = &walk[from..];
                    let under = circle
                        .iter()
                        .zip(circle.iter().cycle().skip(1))
                        .map(|(task, group)| format!("'{task}' under '{group}'"))
                        .collect::<Vec<_>>();
                    return Err(invalid(format!(
                        "'group_subtasks' list groups under one another in a circle ({}): no \
                         group of it is above the others",
                        under.join(", ")
                    )));
                }
                None => {}
            }
            state.insert(task, ON_WALK);
            walk.push(task);
            at = info.get(task).and_then(|i| i.group.as_deref());
        }
        for &task in &walk {
            state.insert(task, REACHES_TOP);
        }
    }
    Ok(())
}

/// Whether a task has a score (a metric) in some document.
fn scored(info: &HashMap<String, TaskInfo>, task: &str) -> bool {
    info.get(task).is_some_and(|i| !i.keys.is_empty())
}

/// Whether a group above `task` has a score (the group stands for it). The
/// groups form no circle ([`no_group_cycle`]); the walk is bounded all the same.
fn stood_for(info: &HashMap<String, TaskInfo>, task: &str) -> bool {
    let mut at = info.get(task).and_then(|i| i.group.as_deref());
    for _ in 0..=info.len() {
        match at {
            None => return false,
            Some(group) if scored(info, group) => return true,
            Some(group) => at = info.get(group).and_then(|i| i.group.as_deref()),
        }
    }
    false
}

/// A task (or group) of an upload, as `/v1/inspect` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDescription {
    pub task: String,
    /// The group that lists it in `group_subtasks`.
    pub group: Option<String>,
    /// Whether it lists subtasks of its own.
    pub is_group: bool,
    /// Its metric keys (`metric,filter`), stderr aside, in order of first
    /// appearance.
    pub metrics: Vec<String>,
    /// The models whose documents have it.
    pub models: usize,
    /// Whether it is a column by default (it has a score, and no group
    /// above it has one).
    pub column: bool,
    /// The metric and filter a column of it reads: as `metrics=` names it,
    /// else by the default rule (none without a metric).
    pub metric: Option<(String, String)>,
}

/// What an lm-eval upload holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    pub documents: usize,
    pub models: Vec<ModelSource>,
    pub tasks: Vec<TaskDescription>,
    /// The columns of the `models` part, if any.
    pub models_part: Option<Vec<String>>,
}

/// Describes an upload: its models, and per task its metrics, group, how
/// many models have it and the metric a column of it reads.
pub fn describe(
    upload: &Upload<'_>,
    spec: &LmEvalSpec,
    limits: &ReadLimits,
) -> Result<Description, IngestError> {
    let (order, info) = task_infos(&upload.documents)?;
    let mut models: Vec<ModelSource> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for document in &upload.documents {
        let i = *index.entry(&document.model).or_insert_with(|| {
            models.push(ModelSource {
                model: document.model.clone(),
                named_by: document.named_by,
                files: Vec::new(),
            });
            models.len() - 1
        });
        models[i].files.push(document.name.clone());
    }
    let groups: HashSet<&str> = upload
        .documents
        .iter()
        .flat_map(|d| d.subtasks.iter())
        .filter(|(_, subtasks)| !subtasks.is_empty())
        .map(|(group, _)| group.as_str())
        .collect();
    // The models that have each task, in one pass over the documents.
    let mut having: HashMap<&str, HashSet<usize>> = HashMap::new();
    for document in &upload.documents {
        let model = index[document.model.as_str()];
        for (task, _) in &document.tasks {
            having.entry(task.as_str()).or_default().insert(model);
        }
    }
    let mut tasks = Vec::with_capacity(order.len());
    for task in &order {
        budget::check()?;
        let task_info = &info[task.as_str()];
        let having = having.get(task.as_str()).map_or(0, HashSet::len);
        let metric = match spec.metrics.iter().rev().find(|p| &p.task == task) {
            Some(pick) => pick
                .filter
                .clone()
                .or_else(|| task_info.default_filter(&pick.metric))
                .filter(|f| task_info.has(&pick.metric, f))
                .map(|f| (pick.metric.clone(), f)),
            None => task_info.default_metric(),
        };
        tasks.push(TaskDescription {
            task: task.clone(),
            group: task_info.group.clone(),
            is_group: groups.contains(task.as_str()),
            metrics: task_info
                .keys
                .iter()
                .map(|(m, f)| format!("{m},{f}"))
                .collect(),
            models: having,
            column: scored(&info, task) && !stood_for(&info, task),
            metric,
        });
    }
    let models_part = upload
        .models
        .map(|(format, body)| {
            read_table(format, body, spec.delimiter, None, limits)
                .map(|table| table.columns().to_vec())
        })
        .transpose()?;
    Ok(Description {
        documents: upload.documents.len(),
        models,
        tasks,
        models_part,
    })
}

/// Turns an upload's documents into one leaderboard, as `spec` says.
pub fn assemble(
    upload: &Upload<'_>,
    spec: &LmEvalSpec,
    limits: &ReadLimits,
) -> Result<(Leaderboard, Sources), IngestError> {
    let documents = &upload.documents;
    let models_part = upload.models;
    let (order, info) = task_infos(documents)?;
    let scored = |task: &str| scored(&info, task);
    let stood_for = |task: &str| stood_for(&info, task);

    let target_tasks = task_targets(spec, models_part, limits)?;
    let is_target = |task: &str| target_tasks.iter().any(|t| t == task);
    let mut left_out = Vec::new();
    let columns: Vec<String> = match &spec.tasks {
        TaskPick::Default => order
            .iter()
            .filter(|t| scored(t) && !is_target(t))
            .filter(|t| {
                let hidden = stood_for(t);
                if hidden {
                    left_out.push((*t).clone());
                }
                !hidden
            })
            .cloned()
            .collect(),
        TaskPick::Prefix(prefix) => {
            let picked: Vec<String> = order
                .iter()
                .filter(|t| scored(t) && !is_target(t) && t.starts_with(prefix.as_str()))
                .cloned()
                .collect();
            if picked.is_empty() {
                return Err(IngestError::NoMatchingColumns(format!(
                    "no task with a score starts with '{prefix}'; the tasks are {}",
                    list(order.iter().filter(|t| scored(t)))
                )));
            }
            picked
        }
        TaskPick::Named(names) => {
            for name in names {
                if !scored(name) {
                    return Err(IngestError::NoMatchingColumns(format!(
                        "no document has a score for task '{name}'; the tasks with scores are {}",
                        list(order.iter().filter(|t| scored(t)))
                    )));
                }
                if is_target(name) {
                    return Err(IngestError::InvalidSelection(format!(
                        "task '{name}' is named in tasks and as a target"
                    )));
                }
            }
            names.clone()
        }
    };
    if columns.is_empty() {
        return Err(IngestError::NoMatchingColumns(
            "the documents have no task with a score".into(),
        ));
    }
    for pick in &spec.metrics {
        if !columns.contains(&pick.task) && !is_target(&pick.task) {
            return Err(IngestError::InvalidSelection(format!(
                "metrics names task '{}', which is not a column (the columns are {})",
                pick.task,
                list(columns.iter())
            )));
        }
    }

    // The metric and filter of each column (and target task).
    let chosen = |task: &str| -> Result<(String, String, &'static str), IngestError> {
        let task_info = &info[task];
        let (metric, filter, rule) = match spec.metrics.iter().rev().find(|p| p.task == task) {
            Some(pick) => {
                let filter = match &pick.filter {
                    Some(filter) => Some(filter.clone()),
                    None => task_info.default_filter(&pick.metric),
                };
                match filter {
                    Some(filter) if task_info.has(&pick.metric, &filter) => {
                        (pick.metric.clone(), filter, "metrics")
                    }
                    _ => {
                        let first = documents
                            .iter()
                            .find(|d| d.tasks.iter().any(|(t, _)| t == task))
                            .map_or("the upload", |d| d.name.as_str());
                        return Err(IngestError::UnknownColumn(format!(
                            "task '{task}' has no metric '{}{}' ({first} and the other \
                                 documents have {})",
                            pick.metric,
                            pick.filter
                                .as_deref()
                                .map_or(String::new(), |f| format!(",{f}")),
                            TaskInfo::metrics_text(&task_info.keys)
                        )));
                    }
                }
            }
            None => {
                let (metric, filter) = task_info
                    .default_metric()
                    .ok_or_else(|| IngestError::Internal(format!("task {task} has no metric")))?;
                (metric, filter, "default")
            }
        };
        Ok((metric, filter, rule))
    };

    // Models in order of first appearance.
    let mut models: Vec<String> = Vec::new();
    let mut model_index: HashMap<&str, usize> = HashMap::new();
    let mut model_sources: Vec<ModelSource> = Vec::new();
    for document in documents {
        let i = *model_index.entry(&document.model).or_insert_with(|| {
            models.push(document.model.clone());
            model_sources.push(ModelSource {
                model: document.model.clone(),
                named_by: document.named_by,
                files: Vec::new(),
            });
            models.len() - 1
        });
        model_sources[i].files.push(document.name.clone());
    }
    let (n, p) = (models.len(), columns.len());
    let cells = n.saturating_mul(p);
    if cells > limits.max_cells {
        return Err(IngestError::TooManyCells(format!(
            "the results hold {n} models x {p} tasks = {cells} score cells, more than the limit \
             of {} (MAX_CELLS)",
            limits.max_cells
        )));
    }

    let mut sources = Vec::with_capacity(p);
    let mut keys = Vec::with_capacity(p);
    for task in &columns {
        let (metric, filter, rule) = chosen(task)?;
        sources.push(ColumnSource {
            benchmark: task.clone(),
            task: task.clone(),
            metric: metric.clone(),
            filter: filter.clone(),
            rule,
            group: info[task.as_str()].group.clone(),
            models: 0,
            files: Vec::new(),
        });
        keys.push((metric, filter));
    }
    let column_index: HashMap<&str, usize> = columns
        .iter()
        .enumerate()
        .map(|(j, t)| (t.as_str(), j))
        .collect();
    let mut sums = vec![MeanSum::of(f64::NAN); cells];
    let mut counts = vec![0u32; cells];
    let mut first_file: Vec<Option<usize>> = vec![None; cells];
    let reader = CellReader {
        duplicates: spec.duplicates,
        documents,
    };
    for (d, document) in documents.iter().enumerate() {
        budget::check()?;
        let row = model_index[document.model.as_str()];
        for (task, entry) in &document.tasks {
            let Some(&j) = column_index.get(task.as_str()) else {
                continue;
            };
            let (metric, filter) = &keys[j];
            let value = reader.value(document, task, entry, metric, filter)?;
            // A document gives a task once (or twice, in `results` and
            // `groups`, one after the other): its name is listed once.
            if sources[j].files.last() != Some(&document.name) {
                sources[j].files.push(document.name.clone());
            }
            let cell = row * p + j;
            reader.put(
                value,
                (&mut sums[cell], &mut counts[cell], &mut first_file[cell]),
                d,
                task,
            )?;
        }
    }
    let values = reader.values(&sums, &counts);
    for (j, source) in sources.iter_mut().enumerate() {
        source.models = (0..n).filter(|&i| !values[i * p + j].is_nan()).count();
    }

    // Targets that are tasks: the model's score on the task.
    let mut task_target_values = Vec::new();
    for task in &target_tasks {
        if !scored(task) {
            return Err(IngestError::UnknownColumn(format!(
                "'{task}' is neither a column of the '{MODELS_PART}' part nor a task with a score"
            )));
        }
        let (metric, filter, _) = chosen(task)?;
        let mut target = vec![MeanSum::of(f64::NAN); n];
        let mut target_counts = vec![0u32; n];
        let mut target_first = vec![None; n];
        for (d, document) in documents.iter().enumerate() {
            let row = model_index[document.model.as_str()];
            for (t, entry) in &document.tasks {
                if t != task {
                    continue;
                }
                let value = reader.value(document, t, entry, &metric, &filter)?;
                reader.put(
                    value,
                    (
                        &mut target[row],
                        &mut target_counts[row],
                        &mut target_first[row],
                    ),
                    d,
                    t,
                )?;
            }
        }
        task_target_values.push(TargetValues {
            name: task.clone(),
            values: reader
                .values(&target, &target_counts)
                .into_iter()
                .map(|v| (!v.is_nan()).then_some(v))
                .collect(),
        });
    }

    let mut per_model = PerModel::default();
    let mut models_without_results = Vec::new();
    let mut models_without_row = Vec::new();
    let table_columns = PerModelColumns {
        targets: spec
            .per_model
            .targets
            .iter()
            .filter(|t| !target_tasks.contains(t))
            .cloned()
            .collect(),
        ..spec.per_model.clone()
    };
    if let Some((format, body)) = models_part {
        let table = read_table(format, body, spec.delimiter, None, limits)?;
        let picked = Picked::keyed(table.as_ref(), spec.model_column.as_deref(), &models)?;
        per_model = picked.per_model(table.as_ref(), &table_columns)?;
        let model_column = match spec.model_column.as_deref() {
            Some(name) => table.find(name)?,
            None => 0,
        };
        let named: HashSet<&str> = models.iter().map(String::as_str).collect();
        let mut seen = HashSet::new();
        for row in 0..table.n_rows() {
            if let Some(label) = table::label(table.cell(row, model_column))
                && !label.is_empty()
                && !named.contains(label.as_ref())
                && seen.insert(label.to_string())
            {
                models_without_results.push(label.into_owned());
            }
        }
        let mut in_part = HashSet::new();
        for row in 0..table.n_rows() {
            if let Some(label) = table::label(table.cell(row, model_column)) {
                in_part.insert(label.into_owned());
            }
        }
        models_without_row = models
            .iter()
            .filter(|m| !in_part.contains(m.as_str()))
            .cloned()
            .collect();
    } else if table_columns != PerModelColumns::default() {
        let name = table_columns.names().remove(0);
        return Err(IngestError::UnknownColumn(format!(
            "'{name}' names a per-model column, which results files do not have: send them as \
             a form with a '{MODELS_PART}' part (a table with a row per model), or name a task"
        )));
    }
    // The targets in the order the spec names them.
    let mut targets = Vec::new();
    let mut from_table = per_model.targets.into_iter();
    let mut from_tasks = task_target_values.into_iter();
    for name in &spec.per_model.targets {
        let next = if target_tasks.contains(name) {
            from_tasks.next()
        } else {
            from_table.next()
        };
        targets.extend(next);
    }
    per_model.targets = targets;

    let leaderboard = Leaderboard {
        models,
        benchmarks: columns,
        scores: ScoreRows {
            values,
            row_lengths: vec![p; n],
        },
        per_model,
        absent_models: Vec::new(),
        unread: Vec::new(),
    };
    Ok((
        leaderboard,
        Sources {
            columns: sources,
            models: model_sources,
            subtasks_left_out: left_out,
            models_without_results,
            models_without_row,
        },
    ))
}

/// The targets that are tasks: those that are no column of the `models`
/// part (all of them without one).
fn task_targets(
    spec: &LmEvalSpec,
    models_part: Option<(Format, &[u8])>,
    limits: &ReadLimits,
) -> Result<Vec<String>, IngestError> {
    if spec.per_model.targets.is_empty() {
        return Ok(Vec::new());
    }
    let columns = match models_part {
        Some((format, body)) => read_table(format, body, spec.delimiter, None, limits)?
            .columns()
            .iter()
            .map(|c| c.trim().to_owned())
            .collect(),
        None => Vec::new(),
    };
    Ok(spec
        .per_model
        .targets
        .iter()
        .filter(|t| !columns.contains(&t.trim().to_owned()))
        .cloned()
        .collect())
}

/// Reads a cell's value out of a document and puts it in its place.
struct CellReader<'a> {
    duplicates: Duplicates,
    documents: &'a [Document],
}

impl CellReader<'_> {
    /// The value of `metric,filter` in a task's entry: `None` when missing.
    fn value(
        &self,
        document: &Document,
        task: &str,
        entry: &Entry,
        metric: &str,
        filter: &str,
    ) -> Result<Option<f64>, IngestError> {
        let found = entry
            .keys
            .iter()
            .find(|(key, value)| is_metric(key, value) && split_key(key) == (metric, filter));
        match found.map(|(_, v)| v) {
            Some(Value::Number(v)) => Ok(Some(*v)),
            Some(Value::Missing) => Ok(None),
            Some(Value::Infinite(text)) => Err(IngestError::NonFiniteScore(format!(
                "{}: task '{task}', metric '{metric},{filter}' is {text}, not a finite number",
                document.name
            ))),
            Some(Value::Text(_) | Value::Other(_)) => Err(IngestError::Internal(
                "a string metric value passed the check".into(),
            )),
            None => {
                let has: Vec<(String, String)> = entry
                    .keys
                    .iter()
                    .filter(|(k, v)| is_metric(k, v))
                    .map(|(k, _)| {
                        let (m, f) = split_key(k);
                        (m.to_owned(), f.to_owned())
                    })
                    .collect();
                Err(IngestError::UnknownColumn(format!(
                    "{}: task '{task}' has no metric '{metric},{filter}' (it has {}); pick one \
                     with metrics={task}:METRIC,FILTER",
                    document.name,
                    TaskInfo::metrics_text(&has)
                )))
            }
        }
    }

    /// The cells' values once every document is read: with
    /// `duplicates=mean`, each sum over its count (finite for finite
    /// scores, [`MeanSum`]); otherwise the value kept.
    fn values(&self, sums: &[MeanSum], counts: &[u32]) -> Vec<f64> {
        sums.iter()
            .zip(counts)
            .map(|(sum, &count)| match self.duplicates {
                Duplicates::Mean if count > 1 => sum.mean(count),
                _ => sum.sum,
            })
            .collect()
    }

    /// Puts `value` of document `d` into a cell (running sum, count, first
    /// document), as the duplicate rule says.
    fn put(
        &self,
        value: Option<f64>,
        (cell, count, first): (&mut MeanSum, &mut u32, &mut Option<usize>),
        d: usize,
        task: &str,
    ) -> Result<(), IngestError> {
        let Some(value) = value else {
            return Ok(());
        };
        if *count > 0 && self.duplicates == Duplicates::Reject && cell.sum != value {
            let earlier = first.map_or("an earlier document", |f| self.documents[f].name.as_str());
            let document = &self.documents[d];
            return Err(IngestError::DuplicateScore(format!(
                "model '{}' has two scores for task '{task}': {} in {earlier} and {value} in {} \
                 (send duplicates=mean or duplicates=last to combine them)",
                document.model, cell.sum, document.name
            )));
        }
        if *count > 0 && self.duplicates == Duplicates::Reject {
            return Ok(());
        }
        match (*count, self.duplicates) {
            (0, _) | (_, Duplicates::Last) | (_, Duplicates::Reject) => *cell = MeanSum::of(value),
            (_, Duplicates::Mean) => cell.add(value),
        }
        *count = count.saturating_add(1);
        first.get_or_insert(d);
        Ok(())
    }
}

/// `'a', 'b', 'c'` (at most 20, then how many more).
fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&String> = names.collect();
    let mut text = names
        .iter()
        .take(20)
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 20 {
        text.push_str(&format!(" and {} more", names.len() - 20));
    }
    if text.is_empty() {
        text.push_str("none");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ReadLimits {
        ReadLimits {
            max_body_bytes: 1 << 20,
            max_cells: 10_000,
        }
    }

    fn read(body: &str, spec: &LmEvalSpec) -> Result<(Leaderboard, Sources), IngestError> {
        read_json(body.as_bytes(), spec, &limits())
    }

    const ONE: &str = r#"{"results": {
        "hellaswag": {"alias": "hellaswag", "acc,none": 0.5, "acc_stderr,none": 0.01,
                      "acc_norm,none": 0.6, "acc_norm_stderr,none": "N/A"},
        "gsm8k": {"alias": "gsm8k", "exact_match,flexible-extract": 0.3,
                  "exact_match,strict-match": 0.2, "exact_match_stderr,strict-match": NaN},
        "mmlu": {"acc,none": 0.4, "alias": "mmlu"},
        "mmlu_a": {"acc,none": 0.9, "alias": " - a"},
        "xw": {"alias": "xw"},
        "xw_en": {"acc,none": NaN}},
      "group_subtasks": {"mmlu": ["mmlu_a"], "xw": ["xw_en"]},
      "config": {"model": "hf", "model_args": "pretrained=org/m1,dtype=float16"}}"#;

    #[test]
    fn the_default_rule_picks_acc_norm_then_strict_match_and_groups_stand_for_subtasks() {
        let (board, sources) = read(ONE, &LmEvalSpec::default()).unwrap();
        assert_eq!(board.models, ["org/m1"]);
        assert_eq!(board.benchmarks, ["hellaswag", "gsm8k", "mmlu", "xw_en"]);
        let values = &board.scores.values;
        assert_eq!(&values[..3], [0.6, 0.2, 0.4]);
        assert!(values[3].is_nan(), "a NaN token is a missing cell");
        assert_eq!(sources.columns[0].metric, "acc_norm");
        assert_eq!(sources.columns[1].filter, "strict-match");
        assert_eq!(sources.subtasks_left_out, ["mmlu_a"]);
        assert_eq!(sources.models[0].named_by, "config.model_args");
    }

    #[test]
    fn metrics_and_tasks_pick_columns() {
        let spec = LmEvalSpec {
            tasks: TaskPick::Named(vec!["mmlu_a".into(), "gsm8k".into()]),
            metrics: vec![MetricPick {
                task: "gsm8k".into(),
                metric: "exact_match".into(),
                filter: Some("flexible-extract".into()),
            }],
            ..LmEvalSpec::default()
        };
        let (board, sources) = read(ONE, &spec).unwrap();
        assert_eq!(board.benchmarks, ["mmlu_a", "gsm8k"]);
        assert_eq!(board.scores.values, [0.9, 0.3]);
        assert_eq!(sources.columns[1].rule, "metrics");
        let prefix = LmEvalSpec {
            tasks: TaskPick::Prefix("mmlu".into()),
            ..LmEvalSpec::default()
        };
        assert_eq!(read(ONE, &prefix).unwrap().0.benchmarks, ["mmlu", "mmlu_a"]);
    }

    #[test]
    fn documents_of_one_model_merge_and_two_values_are_a_duplicate() {
        let a = r#"{"model_name": "m", "results": {"t1": {"acc,none": 0.1}}}"#;
        let b = r#"{"model_name": "m", "results": {"t2": {"acc,none": 0.2}}}"#;
        let c = r#"{"model_name": "m", "results": {"t1": {"acc,none": 0.3}}}"#;
        let (board, _) = read(&format!("{a}\n{b}\n"), &LmEvalSpec::default()).unwrap();
        assert_eq!(board.models, ["m"]);
        assert_eq!(board.scores.values, [0.1, 0.2]);
        let err = read(&format!("[{a}, {c}]"), &LmEvalSpec::default()).unwrap_err();
        assert!(matches!(err, IngestError::DuplicateScore(_)), "{err}");
        assert!(err.to_string().contains("array index 1"), "{err}");
        let mean = LmEvalSpec {
            duplicates: Duplicates::Mean,
            ..LmEvalSpec::default()
        };
        assert_eq!(
            read(&format!("[{a}, {c}]"), &mean).unwrap().0.scores.values,
            [(0.1 + 0.3) / 2.0]
        );
        // Scores whose sum overflows average as the long table's do.
        let big =
            |v: &str| format!(r#"{{"model_name": "m", "results": {{"t1": {{"acc,none": {v}}}}}}}"#);
        assert_eq!(
            read(&format!("[{}, {}]", big("1e308"), big("1e308")), &mean)
                .unwrap()
                .0
                .scores
                .values,
            [1e308]
        );
    }

    #[test]
    fn bad_documents_are_named() {
        for (body, needle, code) in [
            ("", "empty", "lm"),
            ("[]", "empty array", "lm"),
            ("[1]", "array index 0 is not an lm-evaluation-harness", "lm"),
            (r#"{"a": 1}"#, "has no 'results'", "lm"),
            (
                r#"{"results": [1], "model_name": "m"}"#,
                "'results' of the document is an array",
                "lm",
            ),
            (
                r#"{"results": {"t": 3}, "model_name": "m"}"#,
                "task 't'",
                "lm",
            ),
            (
                r#"{"results": {"t": {"acc,none": "high"}}, "model_name": "m"}"#,
                "metric 'acc,none' is the string 'high'",
                "score",
            ),
            (
                r#"{"results": {"t": {"acc,none": 0.1}}}"#,
                "names no model",
                "label",
            ),
            (
                "{\"model_name\": \"a\", \"results\": {\"t\": {\"acc,none\": 0.1}}}\n{\"results\": {}}",
                "line 2",
                "label",
            ),
            (
                "{\"model_name\": \"a\", \"results\": {\"t\": {\"acc,none\": 0.1}}}\n\n  \n{\"results\": {}}",
                "line 4",
                "label",
            ),
            (
                r#"{"results": {"t": {"acc,none": Infinity}}, "model_name": "m"}"#,
                "not a finite number",
                "finite",
            ),
            (
                r#"{"results": {"a": {"acc,none": 0.1}, "g1": {"acc,none": 0.2}},
                    "group_subtasks": {"g1": ["g2", "a"], "g2": ["g3"], "g3": ["g1"]},
                    "model_name": "m"}"#,
                "in a circle ('g1' under 'g3', 'g3' under 'g2', 'g2' under 'g1')",
                "lm",
            ),
            (
                // The circle closed across two documents of one model.
                "{\"results\": {\"t\": {\"acc,none\": 0.1}}, \"group_subtasks\": {\"g1\": [\"g2\"]}, \"model_name\": \"m\"}\n\
                 {\"results\": {\"u\": {\"acc,none\": 0.1}}, \"group_subtasks\": {\"g2\": [\"g1\"]}, \"model_name\": \"m\"}",
                "'g1' under 'g2', 'g2' under 'g1'",
                "lm",
            ),
        ] {
            let err = read(body, &LmEvalSpec::default()).unwrap_err();
            let ok = match code {
                "lm" => matches!(err, IngestError::InvalidLmEval(_)),
                "score" => matches!(err, IngestError::InvalidScore(_)),
                "label" => matches!(err, IngestError::EmptyLabel(_)),
                _ => matches!(err, IngestError::NonFiniteScore(_)),
            };
            assert!(ok, "{body}: {err:?}");
            assert!(
                err.to_string().contains(needle),
                "{body}: {err} lacks {needle}"
            );
        }
    }

    #[test]
    fn nan_tokens_inside_strings_are_kept() {
        let mut guard = Guard::new(&limits());
        let body = br#"{"a": "NaN \" Infinity", "b": NaN, "c": -Infinity}"#;
        let out = lenient(body, &mut guard).unwrap();
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"a": "NaN \" Infinity", "b": null, "c": "-Infinity"}"#
        );
    }

    #[test]
    fn a_named_metric_a_task_lacks_names_the_task_the_file_and_its_metrics() {
        let spec = LmEvalSpec {
            metrics: vec![MetricPick {
                task: "hellaswag".into(),
                metric: "f1".into(),
                filter: None,
            }],
            ..LmEvalSpec::default()
        };
        let err = read(ONE, &spec).unwrap_err();
        assert!(matches!(err, IngestError::UnknownColumn(_)), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("hellaswag")
                && text.contains("acc_norm,none")
                && text.contains("the body"),
            "{text}"
        );
    }
}
