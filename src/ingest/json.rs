//! JSON request bodies, and the label rule every body format shares.
//!
//! A JSON body is read into the request type the edge defines for it (its
//! members, their order and their errors are the edge's contract): an
//! object, whose top-level `scores` take the fast path of [`scores`] when
//! they can, every other member serde's way.

use serde::de::DeserializeOwned;

use super::IngestError;
use super::scores::{self, TopLevelScores};

/// A JSON request body as `T`. serde would also accept a struct spelled as
/// a JSON array of its fields; the contract is an object.
pub fn parse<T: DeserializeOwned + TopLevelScores>(body: &[u8]) -> Result<T, IngestError> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(IngestError::InvalidRequest(
            "the request body must be a JSON object".into(),
        ));
    }
    if let Some(request) = scores::parse_fast(body) {
        return Ok(request);
    }
    Ok(serde_json::from_slice(body)?)
}

/// A label (a model or a benchmark) as every body format reads it: without
/// its leading and trailing white space, so that `" m1 "` and `"m1"` are one
/// model whether they come from JSON or a table (where a cell's padding is
/// an accident of the export). An empty or duplicate label is refused after
/// trimming. The string keeps its allocation.
pub fn trim_label(mut label: String) -> String {
    let end = label.trim_end().len();
    label.truncate(end);
    let start = label.len() - label.trim_start().len();
    label.drain(..start);
    label
}

/// A value that holds labels: a family, a group, a target's name, a
/// benchmark a field names, or a list or an optional one of them. Every
/// such request field is read through [`labels`], so that each of its
/// labels follows the one rule of [`trim_label`] (a table's cells and column
/// names follow it when they are read): the same data gives the same answer
/// whatever format it arrives in.
pub trait Labels {
    /// Trims every label held, in place.
    fn trim_labels(&mut self);
}

impl Labels for String {
    fn trim_labels(&mut self) {
        *self = trim_label(std::mem::take(self));
    }
}

impl<T: Labels> Labels for Option<T> {
    fn trim_labels(&mut self) {
        if let Some(value) = self {
            value.trim_labels();
        }
    }
}

impl<T: Labels> Labels for Vec<T> {
    fn trim_labels(&mut self) {
        self.iter_mut().for_each(Labels::trim_labels);
    }
}

/// A field that holds labels (`#[serde(deserialize_with = ...)]`), read as
/// serde reads its type (the same values and errors), then trimmed
/// ([`Labels`]).
pub fn labels<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de> + Labels,
{
    let mut value = T::deserialize(deserializer)?;
    value.trim_labels();
    Ok(value)
}

/// A list of labels (models, benchmarks), read as serde reads a
/// `Vec<String>` (the same values and errors) but each trimmed
/// ([`trim_label`]), and with room for a typical leaderboard's from the
/// start: serde_json gives no length hint, and a list grown from empty is
/// reallocated and copied six times on the way to 100 models.
pub fn label_list<'de, D: serde::Deserializer<'de>>(
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

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Fields {
        #[serde(deserialize_with = "super::labels")]
        name: String,
        #[serde(default, deserialize_with = "super::labels")]
        family: Option<String>,
        #[serde(default, deserialize_with = "super::labels")]
        families: Option<Vec<Option<String>>>,
        #[serde(deserialize_with = "super::labels")]
        groups: Vec<Vec<String>>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct PlainFields {
        name: String,
        #[serde(default)]
        family: Option<String>,
        #[serde(default)]
        families: Option<Vec<Option<String>>>,
        groups: Vec<Vec<String>>,
    }

    #[test]
    fn label_fields_are_trimmed_and_read_as_their_types_are() {
        let ours: Fields = serde_json::from_str(
            r#"{"name": " t ", "family": "\tLlama-2", "families": ["a ", null, " ", "b"],
                "groups": [[" x", "y\n"], []]}"#,
        )
        .unwrap();
        assert_eq!(
            ours,
            Fields {
                name: "t".into(),
                family: Some("Llama-2".into()),
                families: Some(vec![
                    Some("a".into()),
                    None,
                    Some(String::new()),
                    Some("b".into())
                ]),
                groups: vec![vec!["x".into(), "y".into()], vec![]],
            }
        );
        for body in [
            r#"{"name": "t", "groups": []}"#,
            r#"{"name": "t", "family": null, "families": null, "groups": []}"#,
            r#"{"name": 1, "groups": []}"#,
            r#"{"name": "t", "family": 2, "groups": []}"#,
            r#"{"name": "t", "families": "a", "groups": []}"#,
            r#"{"name": "t", "groups": ["a"]}"#,
            r#"{"name": "t"}"#,
        ] {
            let ours = serde_json::from_str::<Fields>(body);
            let plain = serde_json::from_str::<PlainFields>(body);
            match (ours, plain) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(
                        (a.name, a.family, a.families, a.groups),
                        (b.name, b.family, b.families, b.groups),
                        "{body}"
                    )
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{body}"),
                (a, b) => panic!("{body}: {a:?} against {b:?}"),
            }
        }
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
