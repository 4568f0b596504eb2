//! A JSON value read only as far as a file header needs it: text, a whole number, or
//! anything else (skipped unread). Model files and rule packs check their `format` and
//! version with it before reading the rest; a `serde_json::Value` would compile a reader
//! for every JSON shape into the download to answer the same two questions.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A header field's value: text, a whole number, or something else.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HeaderValue {
    /// A string.
    Text(String),
    /// A non-negative whole number.
    Whole(u64),
    /// Anything else (null, a boolean, a fraction, a negative number, a list, an object).
    #[default]
    Other,
}

impl HeaderValue {
    /// The text, if the value is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The number, if the value is a non-negative whole number.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            HeaderValue::Whole(number) => Some(*number),
            _ => None,
        }
    }
}

/// As a message quotes it: text in JSON quotes, a number as written, anything else named.
impl fmt::Display for HeaderValue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderValue::Text(text) => write!(formatter, "{}", serde_json::to_string(text).unwrap_or_default()),
            HeaderValue::Whole(number) => write!(formatter, "{number}"),
            HeaderValue::Other => formatter.write_str("neither text nor a whole number"),
        }
    }
}

impl<'de> Deserialize<'de> for HeaderValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = HeaderValue;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_str<E>(self, text: &str) -> Result<HeaderValue, E> {
        Ok(HeaderValue::Text(text.to_owned()))
    }

    fn visit_u64<E>(self, number: u64) -> Result<HeaderValue, E> {
        Ok(HeaderValue::Whole(number))
    }

    fn visit_i64<E>(self, number: i64) -> Result<HeaderValue, E> {
        Ok(u64::try_from(number).map_or(HeaderValue::Other, HeaderValue::Whole))
    }

    fn visit_f64<E>(self, _: f64) -> Result<HeaderValue, E> {
        Ok(HeaderValue::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<HeaderValue, E> {
        Ok(HeaderValue::Other)
    }

    fn visit_unit<E>(self) -> Result<HeaderValue, E> {
        Ok(HeaderValue::Other)
    }

    fn visit_none<E>(self) -> Result<HeaderValue, E> {
        Ok(HeaderValue::Other)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<HeaderValue, D::Error> {
        deserializer.deserialize_any(HeaderVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HeaderValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(HeaderValue::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(HeaderValue::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_and_whole_numbers_and_skips_the_rest() {
        let read = |json: &str| serde_json::from_str::<HeaderValue>(json).unwrap();
        assert_eq!(read("\"claimforest-model\"").as_str(), Some("claimforest-model"));
        assert_eq!(read("3").as_u64(), Some(3));
        for other in ["-1", "1.5", "true", "null", "[1, [2]]", "{\"a\": {\"b\": 1}}"] {
            assert_eq!(read(other), HeaderValue::Other, "{other}");
        }
        assert!(serde_json::from_str::<HeaderValue>("[1,").is_err());
    }
}
