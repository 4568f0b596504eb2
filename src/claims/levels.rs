//! A categorical column's distinct texts, packed end to end in one buffer.
//!
//! A million claims carry a million distinct claim ids. As separate `String`s each costs a
//! 24-byte header and its own allocation besides its text; packed, it costs its text and
//! one 4- or 8-byte end offset.

use serde::{Deserialize, Serialize};

/// Distinct texts in code order: level `code` is `text[ends[code - 1]..ends[code]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct Levels {
    text: String,
    ends: Vec<usize>,
}

impl Levels {
    /// No levels.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of levels.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no levels.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text of level `code`, or `None` past the end.
    pub fn get(&self, code: usize) -> Option<&str> {
        let end = *self.ends.get(code)?;
        let start = if code == 0 { 0 } else { self.ends.get(code - 1).copied().unwrap_or(0) };
        self.text.get(start..end)
    }

    /// The last level.
    pub fn last(&self) -> Option<&str> {
        self.len().checked_sub(1).and_then(|code| self.get(code))
    }

    /// Every level, in code order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        (0..self.len()).map(|code| self.get(code).unwrap_or_default())
    }

    /// Appends a level (the caller keeps levels distinct).
    pub fn push(&mut self, level: &str) {
        self.text.push_str(level);
        self.ends.push(self.text.len());
    }

    /// The levels as separate strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// Frees the spare room growth left behind.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl<S: AsRef<str>> FromIterator<S> for Levels {
    fn from_iter<I: IntoIterator<Item = S>>(levels: I) -> Self {
        let mut packed = Levels::new();
        levels.into_iter().for_each(|level| packed.push(level.as_ref()));
        packed
    }
}

impl From<Vec<String>> for Levels {
    fn from(levels: Vec<String>) -> Self {
        levels.into_iter().collect()
    }
}

impl From<Levels> for Vec<String> {
    fn from(levels: Levels) -> Self {
        levels.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_back_in_order() {
        let texts = ["CLM-1", "", "é ü 漢", "CLM-1000000", " spaced "];
        let levels: Levels = texts.iter().collect();
        assert_eq!(levels.len(), texts.len());
        assert_eq!(levels.iter().collect::<Vec<_>>(), texts);
        assert_eq!(levels.get(2), Some("é ü 漢"));
        assert_eq!(levels.get(3), Some("CLM-1000000"));
        assert_eq!(levels.get(texts.len()), None);
        assert_eq!(levels.last(), Some(" spaced "));
        assert_eq!(Levels::new().last(), None);
        assert_eq!(Levels::from(levels.to_vec()), levels);
        let json = serde_json::to_string(&levels).unwrap();
        assert_eq!(json, r#"["CLM-1","","é ü 漢","CLM-1000000"," spaced "]"#);
        assert_eq!(serde_json::from_str::<Levels>(&json).unwrap(), levels);
    }
}
