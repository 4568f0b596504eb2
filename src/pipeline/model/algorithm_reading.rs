//! Reads a model file's `algorithm` object in one pass, its `name` first (`crate::tag_first`):
//! serde's derived reader would copy the whole forest into a generic tree of values first.

use serde::{Deserialize, Deserializer};

use super::Algorithm;
use crate::ml::{ForestParams, IsolationForest, IsolationForestParams, RandomForest};
use crate::tag_first::{self, TaggedEnum};

impl TaggedEnum for Algorithm {
    const TAG: &'static str = "name";
    const VARIANTS: &'static [&'static str] = &["random_forest", "isolation_forest"];

    fn read_variant<'de, D: Deserializer<'de>>(name: &str, fields: D) -> Option<Result<Self, D::Error>> {
        Some(match name {
            "random_forest" => RandomForestFields::deserialize(fields).map(|f| Algorithm::RandomForest {
                label_column: f.label_column,
                positive_label: f.positive_label,
                decision_threshold: f.decision_threshold,
                params: f.params,
                forest: f.forest,
            }),
            "isolation_forest" => IsolationForestFields::deserialize(fields)
                .map(|f| Algorithm::IsolationForest { params: f.params, forest: f.forest }),
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        tag_first::deserialize(deserializer)
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
        assert!(error.to_string().contains("first field must be \"name\""), "{error}");
        let error = serde_json::from_str::<Algorithm>("{}").expect_err("no name");
        assert!(error.to_string().contains("missing field `name`"), "{error}");
        let error = serde_json::from_str::<Algorithm>(r#"{"name":"gradient_boosting"}"#).expect_err("unknown");
        assert!(error.to_string().contains("unknown variant `gradient_boosting`"), "{error}");
        let error = serde_json::from_str::<Algorithm>(r#"{"name":"random_forest","label_column":"x"}"#)
            .expect_err("fields missing");
        assert!(error.to_string().contains("missing field"), "{error}");
    }
}
