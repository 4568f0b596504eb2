//! JSON-safe serde for `f64` values that may be infinite or NaN, such as curve thresholds.
//!
//! JSON has no infinity or NaN (serde_json writes them as `null`, which does not read back),
//! so finite values stay numbers and the others become the strings `"Infinity"`,
//! `"-Infinity"` and `"NaN"` (JavaScript's spelling). Reading accepts both forms, so every
//! value round-trips. Use with `#[serde(with = "...json_float")]` on an `f64` field, or
//! `json_float::many` on a `Vec<f64>` field.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

const POSITIVE_INFINITY: &str = "Infinity";
const NEGATIVE_INFINITY: &str = "-Infinity";
const NOT_A_NUMBER: &str = "NaN";

/// Writes one `f64`: a number when finite, else its name.
pub(super) fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    JsonFloat(*value).serialize(serializer)
}

/// Reads one `f64` written by [`serialize`].
pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    JsonFloat::deserialize(deserializer).map(|value| value.0)
}

/// The same encoding for every element of a `Vec<f64>`.
pub(super) mod many {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::JsonFloat;

    /// Writes each value as a number when finite, else as its name.
    pub(in super::super) fn serialize<S: Serializer>(values: &[f64], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(values.iter().map(|&value| JsonFloat(value)))
    }

    /// Reads values written by [`serialize`].
    pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f64>, D::Error> {
        let values = Vec::<JsonFloat>::deserialize(deserializer)?;
        Ok(values.into_iter().map(|value| value.0).collect())
    }
}

/// An `f64` that serializes non-finite values by name.
#[derive(Debug, Clone, Copy)]
struct JsonFloat(f64);

impl Serialize for JsonFloat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = self.0;
        if value.is_finite() {
            serializer.serialize_f64(value)
        } else if value.is_nan() {
            serializer.serialize_str(NOT_A_NUMBER)
        } else if value > 0.0 {
            serializer.serialize_str(POSITIVE_INFINITY)
        } else {
            serializer.serialize_str(NEGATIVE_INFINITY)
        }
    }
}

impl<'de> Deserialize<'de> for JsonFloat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonFloatVisitor)
    }
}

struct JsonFloatVisitor;

impl Visitor<'_> for JsonFloatVisitor {
    type Value = JsonFloat;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a number, \"Infinity\", \"-Infinity\" or \"NaN\"")
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<JsonFloat, E> {
        Ok(JsonFloat(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<JsonFloat, E> {
        Ok(JsonFloat(value as f64))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<JsonFloat, E> {
        Ok(JsonFloat(value as f64))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<JsonFloat, E> {
        match name {
            POSITIVE_INFINITY => Ok(JsonFloat(f64::INFINITY)),
            NEGATIVE_INFINITY => Ok(JsonFloat(f64::NEG_INFINITY)),
            NOT_A_NUMBER => Ok(JsonFloat(f64::NAN)),
            _ => Err(E::invalid_value(de::Unexpected::Str(name), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize)]
    struct Sample {
        #[serde(with = "super")]
        one: f64,
        #[serde(with = "super::many")]
        many: Vec<f64>,
    }

    #[test]
    fn non_finite_values_become_names_and_read_back() {
        let sample = Sample { one: f64::NAN, many: vec![f64::INFINITY, 0.25, -3.0, f64::NEG_INFINITY, f64::NAN] };
        let json = serde_json::to_string(&sample).unwrap();
        assert_eq!(json, r#"{"one":"NaN","many":["Infinity",0.25,-3.0,"-Infinity","NaN"]}"#);
        let back: Sample = serde_json::from_str(&json).unwrap();
        assert!(back.one.is_nan());
        let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.many), bits(&sample.many));
    }

    #[test]
    fn integers_read_as_floats_and_unknown_names_are_errors() {
        let back: Sample = serde_json::from_str(r#"{"one":2,"many":[-1,7]}"#).unwrap();
        assert_eq!((back.one, back.many), (2.0, vec![-1.0, 7.0]));
        assert!(serde_json::from_str::<Sample>(r#"{"one":"inf","many":[]}"#).is_err());
        assert!(serde_json::from_str::<Sample>(r#"{"one":null,"many":[]}"#).is_err());
    }
}
