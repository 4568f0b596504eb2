//! Reading enums tagged by their object's first field, in one pass.
//!
//! serde's derived reader for `#[serde(tag = "...")]` cannot know where the tag is, so it
//! copies the whole object into a generic tree of values first and then reads that tree:
//! twice the memory for a large object (a model file's forest), and a second compiled copy
//! of every reader inside it. Everything ClaimForest writes puts the tag first (serde
//! writes it first), so these enums read the tag from the first field and hand the rest of
//! the object straight to the variant's fields. The written form does not change.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// An enum written as one object whose first field, [`TaggedEnum::TAG`], names the variant.
pub trait TaggedEnum: Sized {
    /// The tag field's name.
    const TAG: &'static str;
    /// The variants' names, for error messages.
    const VARIANTS: &'static [&'static str];

    /// Reads the variant `name` from the rest of its object's fields (`fields` after the tag).
    /// Returns `None` for a name that is not a variant.
    fn read_variant<'de, D: Deserializer<'de>>(name: &str, fields: D) -> Option<Result<Self, D::Error>>;
}

/// Reads a [`TaggedEnum`]; use it as the enum's `Deserialize::deserialize`.
pub fn deserialize<'de, T: TaggedEnum, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(TagFirstVisitor(PhantomData))
}

/// A unit variant's fields: anything after the tag is skipped, as serde's derived reader does.
pub fn unit_variant<'de, T, D: Deserializer<'de>>(fields: D, variant: T) -> Result<T, D::Error> {
    IgnoredAny::deserialize(fields).map(|_| variant)
}

struct TagFirstVisitor<T>(PhantomData<T>);

impl<'de, T: TaggedEnum> Visitor<'de> for TagFirstVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "an object whose first field is \"{}\"", T::TAG)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == T::TAG => {}
            Some(_) => return Err(de::Error::custom(format_args!("the first field must be \"{}\"", T::TAG))),
            None => return Err(de::Error::missing_field(T::TAG)),
        }
        let name: String = map.next_value()?;
        T::read_variant(&name, MapAccessDeserializer::new(map))
            .unwrap_or_else(|| Err(de::Error::unknown_variant(&name, T::VARIANTS)))
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Shape {
        Dot,
        Circle { radius: f64 },
    }

    #[derive(Deserialize)]
    struct CircleFields {
        radius: f64,
    }

    impl TaggedEnum for Shape {
        const TAG: &'static str = "kind";
        const VARIANTS: &'static [&'static str] = &["dot", "circle"];
        fn read_variant<'de, D: Deserializer<'de>>(name: &str, fields: D) -> Option<Result<Self, D::Error>> {
            Some(match name {
                "dot" => unit_variant(fields, Shape::Dot),
                "circle" => CircleFields::deserialize(fields).map(|f| Shape::Circle { radius: f.radius }),
                _ => return None,
            })
        }
    }

    impl<'de> Deserialize<'de> for Shape {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            super::deserialize(deserializer)
        }
    }

    #[test]
    fn reads_what_serde_writes() {
        for shape in [Shape::Dot, Shape::Circle { radius: 2.5 }] {
            let json = serde_json::to_string(&shape).unwrap();
            assert_eq!(serde_json::from_str::<Shape>(&json).unwrap(), shape, "{json}");
        }
        let in_list: Vec<Shape> =
            serde_json::from_str(r#"[{"kind":"dot","extra":[1]},{"kind":"circle","radius":1}]"#).unwrap();
        assert_eq!(in_list, [Shape::Dot, Shape::Circle { radius: 1.0 }]);
    }

    #[test]
    fn a_late_missing_or_unknown_tag_and_bad_fields_are_errors() {
        let error = |json: &str| serde_json::from_str::<Shape>(json).unwrap_err().to_string();
        assert!(error(r#"{"radius":1,"kind":"circle"}"#).contains("the first field must be \"kind\""));
        assert!(error("{}").contains("missing field `kind`"));
        assert!(error(r#"{"kind":"square"}"#).contains("unknown variant `square`"));
        assert!(error(r#"{"kind":"circle"}"#).contains("missing field `radius`"));
        assert!(error(r#"{"kind":"circle","radius":"big"}"#).contains("invalid type"));
        assert!(error(r#"{"kind":7}"#).contains("invalid type"));
        assert!(error("[1]").contains("invalid type"));
    }
}
