//! Reads a model file's `algorithm` object in one pass, its `name` first.
//!
//! serde's derived reader for an object tagged by one of its fields cannot know where the tag
//! is, so it copies the whole object (for a forest, every node) into a generic tree of values
//! and then reads that. A model file always writes `name` first, so this reader takes it from
//! the first field and hands the rest of the object straight to the variant's fields.

use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::Algorithm;
use crate::ml::{ForestParams, IsolationForest, IsolationForestParams, RandomForest};

const NAMES: &[&str] = &["random_forest", "isolation_forest"];

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AlgorithmVisitor)
    }
}

struct AlgorithmVisitor;

impl<'de> Visitor<'de> for AlgorithmVisitor {
    type Value = Algorithm;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an algorithm object whose first field is its \"name\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Algorithm, A::Error> {
        match map.next_key::<FirstKey>()? {
            Some(FirstKey::Name) => {}
            Some(FirstKey::Other) => {
                return Err(de::Error::custom("the algorithm's first field must be its \"name\""));
            }
            None => return Err(de::Error::missing_field("name")),
        }
        let name: String = map.next_value()?;
        let fields = MapAccessDeserializer::new(map);
        match name.as_str() {
            "random_forest" => RandomForestFields::deserialize(fields).map(|f| Algorithm::RandomForest {
                label_column: f.label_column,
                positive_label: f.positive_label,
                decision_threshold: f.decision_threshold,
                params: f.params,
                forest: f.forest,
            }),
            "isolation_forest" => IsolationForestFields::deserialize(fields)
                .map(|f| Algorithm::IsolationForest { params: f.params, forest: f.forest }),
            other => Err(de::Error::unknown_variant(other, NAMES)),
        }
    }
}

/// The first key of the object: `name`, or anything else (an error).
enum FirstKey {
    Name,
    Other,
}

impl<'de> Deserialize<'de> for FirstKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = FirstKey;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<FirstKey, E> {
                Ok(if key == "name" { FirstKey::Name } else { FirstKey::Other })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// `Algorithm::RandomForest`'s fields, after its name.
#[derive(Deserialize)]
struct RandomForestFields {
    label_column: String,
    positive_label: Option<String>,
    decision_threshold: f64,
    params: ForestParams,
    forest: RandomForest,
}

/// `Algorithm::IsolationForest`'s fields, after its name.
#[derive(Deserialize)]
struct IsolationForestFields {
    params: IsolationForestParams,
    forest: IsolationForest,
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::claims::synth::generate_denial;
    use crate::pipeline::{default_feature_columns, train_anomaly_model, AnomalyRequest};

    fn isolation_json() -> String {
        let table = generate_denial(200, 5).expect("claims");
        let (features, _) = default_feature_columns(&table, None);
        let params = IsolationForestParams { n_trees: 3, max_samples: 32, ..Default::default() };
        let request = AnomalyRequest::new(features, params);
        let (model, _) = train_anomaly_model(&table, &request, &mut |_| ControlFlow::Continue(())).expect("trained");
        serde_json::to_string(model.algorithm()).expect("json")
    }

    #[test]
    fn the_name_is_read_first_and_the_rest_as_the_variant() {
        let json = isolation_json();
        assert!(json.starts_with(r#"{"name":"isolation_forest","#), "{}", &json[..40]);
        let back: Algorithm = serde_json::from_str(&json).expect("read back");
        assert_eq!(serde_json::to_string(&back).expect("json"), json);
    }

    #[test]
    fn a_misplaced_missing_or_unknown_name_is_an_error() {
        let json = isolation_json();
        let rest = json.strip_prefix(r#"{"name":"isolation_forest","#).expect("name first");
        let late = format!("{{{},\"name\":\"isolation_forest\"}}", rest.strip_suffix('}').expect("an object"));
        let error = serde_json::from_str::<Algorithm>(&late).expect_err("name last");
        assert!(error.to_string().contains("first field must be its \"name\""), "{error}");
        let error = serde_json::from_str::<Algorithm>("{}").expect_err("no name");
        assert!(error.to_string().contains("missing field `name`"), "{error}");
        let error = serde_json::from_str::<Algorithm>(r#"{"name":"gradient_boosting"}"#).expect_err("unknown");
        assert!(error.to_string().contains("unknown variant `gradient_boosting`"), "{error}");
        let error = serde_json::from_str::<Algorithm>(r#"{"name":"random_forest","label_column":"x"}"#)
            .expect_err("fields missing");
        assert!(error.to_string().contains("missing field"), "{error}");
        assert!(serde_json::from_str::<Algorithm>("[1]").is_err());
    }
}
