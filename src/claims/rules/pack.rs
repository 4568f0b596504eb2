//! Rules and rule packs: the versioned JSON file format (`claimforest-rules`, version 1)
//! and its validation.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::condition::{Condition, ConditionError};
use crate::hashing::KeyedMap;

/// The `format` field of every rule pack file.
pub const PACK_FORMAT: &str = "claimforest-rules";
/// The pack version this build reads and writes.
pub const PACK_VERSION: u32 = 1;
/// The most rules a pack may hold. Each rule keeps one bit per claim for its hits, so 1,000
/// rules over the tab's 3 million claims hold 375 MB; the seeds' largest pack has 23.
pub const MAX_RULES: usize = 1_000;

/// One business rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// A short unique identifier (`early_refill`).
    pub id: String,
    /// A readable name (`Early refill`).
    pub name: String,
    /// The condition, in the language of [`Condition`].
    pub condition: String,
    /// How serious a hit is, from 0 to 1.
    pub severity: f64,
    /// A grouping for reports (`program_violation`, `billing`).
    pub category: String,
    /// What the rule catches and why its severity is what it is.
    pub description: String,
    /// Whether the rule is evaluated (default true).
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// A named, versioned list of rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulePack {
    /// Always [`PACK_FORMAT`].
    pub format: String,
    /// Always [`PACK_VERSION`] for packs this build writes.
    pub version: u32,
    /// The pack's name.
    pub name: String,
    /// What the pack is for.
    pub description: String,
    /// The rules, in report order.
    pub rules: Vec<Rule>,
}

/// Why a rule pack was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PackError {
    /// The text is not JSON of the expected shape.
    #[error("the rule pack is not valid JSON of the expected shape: {message}")]
    Json {
        /// serde_json's message (with line and column).
        message: String,
    },
    /// The `format` field is absent or names another format.
    #[error("this is not a ClaimForest rule pack (format is {found}, expected \"{PACK_FORMAT}\")")]
    WrongFormat {
        /// The format found, quoted, or "missing".
        found: String,
    },
    /// The version is not one this build reads.
    #[error("rule pack version {found} is not supported; this version of ClaimForest reads version {supported}")]
    UnsupportedVersion {
        /// The version found.
        found: String,
        /// The version supported.
        supported: u32,
    },
    /// A rule has a blank id.
    #[error("rule {position} has an empty id")]
    EmptyId {
        /// 1-based position of the rule in the pack.
        position: usize,
    },
    /// More rules than a pack may hold.
    #[error("the rule pack has {found} rules; at most {MAX_RULES} are supported")]
    TooManyRules {
        /// The rules found.
        found: usize,
    },
    /// Two rules share an id.
    #[error("rule id '{id}' is used more than once")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A severity outside 0..=1 (or not a number).
    #[error("rule '{id}': severity {severity} is outside 0 to 1")]
    SeverityOutOfRange {
        /// The rule id.
        id: String,
        /// The severity.
        severity: f64,
    },
    /// A condition does not parse.
    #[error("rule '{id}': {error}")]
    Condition {
        /// The rule id.
        id: String,
        /// The parse error, with its column.
        error: ConditionError,
    },
    /// No built-in pack has that name.
    #[error("there is no built-in rule pack named '{name}' (choose {choices})")]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// The names available.
        choices: String,
    },
}

impl Rule {
    /// The rule's parsed condition.
    pub fn parsed_condition(&self) -> Result<Condition, ConditionError> {
        Condition::parse(&self.condition)
    }
}

/// A pack file's format and version, read before the rest (JSON that is not an object has
/// neither).
#[derive(Default, Deserialize)]
struct PackHeader {
    format: Option<crate::json_header::HeaderValue>,
    version: Option<crate::json_header::HeaderValue>,
    /// How many rules the pack lists, counted without reading them, so a pack of 50,000 is
    /// refused for its size before 50,000 rules are built.
    #[serde(default)]
    rules: RuleCount,
}

/// The length of a JSON array, its items skipped unread; anything else counts 0 (the shape
/// is checked when the pack itself is read).
#[derive(Default)]
struct RuleCount(usize);

impl<'de> Deserialize<'de> for RuleCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> serde::de::Visitor<'de> for Counter {
            type Value = RuleCount;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("any value")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<RuleCount, A::Error> {
                let mut count = 0;
                while items.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    count += 1;
                }
                Ok(RuleCount(count))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut fields: A) -> Result<RuleCount, A::Error> {
                while fields.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(RuleCount(0))
            }

            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<RuleCount, E> {
                Ok(RuleCount(0))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<RuleCount, E> {
                Ok(RuleCount(0))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<RuleCount, E> {
                Ok(RuleCount(0))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<RuleCount, E> {
                Ok(RuleCount(0))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<RuleCount, E> {
                Ok(RuleCount(0))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<RuleCount, E> {
                Ok(RuleCount(0))
            }
        }
        deserializer.deserialize_any(Counter)
    }
}

impl RulePack {
    /// An empty pack of the current format and version.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            format: PACK_FORMAT.to_owned(),
            version: PACK_VERSION,
            name: name.into(),
            description: description.into(),
            rules: Vec::new(),
        }
    }

    /// Reads and validates a pack. The format and version are checked before anything else,
    /// so a file of another version gets a version error, not a shape error.
    pub fn from_json(text: &str) -> Result<Self, PackError> {
        let json_error = |error: serde_json::Error| PackError::Json { message: error.to_string() };
        // The two header fields first, skipping the rest without building a tree of it; then
        // the pack itself, read straight from the text.
        let header: PackHeader = match serde_json::from_str(text) {
            Ok(header) => header,
            Err(error) => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Ok(_) => PackHeader::default(),
                Err(_) => return Err(json_error(error)),
            },
        };
        match header.format {
            Some(format) if format.as_str() == Some(PACK_FORMAT) => {}
            Some(other) => return Err(PackError::WrongFormat { found: other.to_string() }),
            None => return Err(PackError::WrongFormat { found: "missing".to_owned() }),
        }
        match header.version {
            Some(version) if version.as_u64() == Some(u64::from(PACK_VERSION)) => {}
            Some(other) => {
                return Err(PackError::UnsupportedVersion { found: other.to_string(), supported: PACK_VERSION })
            }
            None => return Err(PackError::UnsupportedVersion { found: "missing".to_owned(), supported: PACK_VERSION }),
        }
        if header.rules.0 > MAX_RULES {
            return Err(PackError::TooManyRules { found: header.rules.0 });
        }
        let pack: RulePack = serde_json::from_str(text).map_err(json_error)?;
        pack.validate()?;
        Ok(pack)
    }

    /// Checks ids, severities and conditions.
    pub fn validate(&self) -> Result<(), PackError> {
        if self.format != PACK_FORMAT {
            return Err(PackError::WrongFormat { found: format!("\"{}\"", self.format) });
        }
        if self.version != PACK_VERSION {
            return Err(PackError::UnsupportedVersion { found: self.version.to_string(), supported: PACK_VERSION });
        }
        if self.rules.len() > MAX_RULES {
            return Err(PackError::TooManyRules { found: self.rules.len() });
        }
        // Rule id to position (a map type the crate already has, so no new code is compiled).
        let mut ids: KeyedMap<&str, usize> = KeyedMap::default();
        for (index, rule) in self.rules.iter().enumerate() {
            if rule.id.trim().is_empty() {
                return Err(PackError::EmptyId { position: index + 1 });
            }
            if ids.insert(rule.id.as_str(), index).is_some() {
                return Err(PackError::DuplicateId { id: rule.id.clone() });
            }
            if !(0.0..=1.0).contains(&rule.severity) {
                return Err(PackError::SeverityOutOfRange { id: rule.id.clone(), severity: rule.severity });
            }
            rule.parsed_condition().map_err(|error| PackError::Condition { id: rule.id.clone(), error })?;
        }
        Ok(())
    }

    /// The pack as pretty-printed JSON (fails only on a non-finite severity).
    pub fn to_json(&self) -> Result<String, PackError> {
        serde_json::to_string(self)
            .map(|compact| crate::json_text::pretty(&compact))
            .map_err(|error| PackError::Json { message: error.to_string() })
    }

    /// The rule with id `id`, if any.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.id == id)
    }
}
