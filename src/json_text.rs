//! JSON laid out for people: compact `serde_json` text re-indented exactly as
//! `serde_json::to_string_pretty` writes it (two spaces, `": "`, empty `{}` and `[]` kept
//! on one line). Writing compact and re-indenting compiles one serializer per type; the
//! pretty printer would compile a second copy of every type's serializer into the download.

/// `compact` (valid JSON from `serde_json::to_string`) in `to_string_pretty`'s layout.
pub fn pretty(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() + compact.len() / 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        (0..depth).for_each(|_| out.push_str("  "));
    };
    for (at, &byte) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        let structural = matches!(byte, b'{' | b'[' | b'}' | b']' | b',' | b':');
        if byte == b'"' {
            in_string = true;
        }
        if !structural {
            continue;
        }
        // Copy the text since the last structural byte (strings and scalars), then lay out.
        out.push_str(&compact[start..at]);
        start = at + 1;
        match byte {
            b'{' | b'[' => {
                out.push(byte as char);
                let closes = bytes.get(at + 1).is_some_and(|&next| next == b'}' || next == b']');
                depth += 1;
                if !closes {
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                let opened = at > 0 && matches!(bytes[at - 1], b'{' | b'[');
                if !opened {
                    newline(&mut out, depth);
                }
                out.push(byte as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            _ => out.push_str(": "),
        }
    }
    out.push_str(&compact[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_layout_is_serde_jsons_pretty_printers() {
        let values = [
            json!({}),
            json!([]),
            json!({"a": 1, "b": [1, 2, {"c": "x,y:{z}[]", "d": []}], "e": {}, "f": null}),
            json!({"quote \" and \\ and {": ["\\", "\"", "", "a\"b,c"], "n": -1.5e-7, "t": true}),
            json!([[[]], [{}], [[1]], "é ∑ 😀", {"nested": {"deeper": {"deepest": [0]}}}]),
            json!("just a string, with: {brackets}"),
            json!(42),
        ];
        for value in values {
            let compact = serde_json::to_string(&value).unwrap();
            assert_eq!(pretty(&compact), serde_json::to_string_pretty(&value).unwrap(), "{compact}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn any_strings_and_numbers_lay_out_as_serde_json_does(
            keys in proptest::collection::vec(".{0,6}", 0..5),
            texts in proptest::collection::vec(".{0,8}", 0..5),
            numbers in proptest::collection::vec(proptest::num::f64::NORMAL, 0..4),
        ) {
            let object: serde_json::Map<String, serde_json::Value> =
                keys.iter().zip(&texts).map(|(k, t)| (k.clone(), json!([t, {}, [t]]))).collect();
            let value = json!({"object": object, "texts": texts, "numbers": numbers, "nested": [[], [[]], {}]});
            let compact = serde_json::to_string(&value).unwrap();
            proptest::prop_assert_eq!(pretty(&compact), serde_json::to_string_pretty(&value).unwrap());
        }
    }
}
