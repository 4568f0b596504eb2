//! Tidy checks, run as ordinary tests: the architecture's invariants stay true.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn src(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(sub)
}

const WEB_CRATES: [&str; 6] = ["leptos", "web_sys", "js_sys", "wasm_bindgen", "gloo", "serde_wasm_bindgen"];

#[test]
fn the_pure_core_uses_no_web_crates() {
    let mut core: Vec<PathBuf> =
        ["claims", "ml", "pipeline", "session", "analysis", "page"].iter().flat_map(|d| rust_files(&src(d))).collect();
    core.extend(["protocol.rs", "lib.rs", "sorting.rs", "tag_first.rs"].iter().map(|f| src(f)));
    for file in core {
        let text = fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| l.trim_start().starts_with("use ") || l.contains("::")) {
            for web in WEB_CRATES {
                let used = line.contains(&format!("use {web}")) || line.contains(&format!(" {web}::"));
                assert!(!used, "{} uses the web crate {web}: {line}", file.display());
            }
        }
    }
}

#[test]
fn ml_knows_nothing_about_claims_and_claims_nothing_about_forests() {
    for file in rust_files(&src("ml")) {
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("crate::claims") && !text.contains("crate::pipeline"),
            "{} reaches into claims",
            file.display()
        );
    }
    for file in rust_files(&src("claims")) {
        let text = fs::read_to_string(&file).unwrap();
        for forbidden in ["random_forest", "crate::ml::tree", "crate::pipeline", "ForestParams"] {
            assert!(!text.contains(forbidden), "{} mentions {forbidden}", file.display());
        }
    }
}

#[test]
fn every_module_opens_with_a_doc_line() {
    for file in rust_files(&src("")) {
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("//!"), "{} must open with a //! line saying what it owns", file.display());
    }
}

#[test]
fn nothing_draws_randomness_from_the_environment() {
    for file in rust_files(&src("")) {
        let text = fs::read_to_string(&file).unwrap();
        let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        for forbidden in [
            "thread_rng",
            "ThreadRng",
            "rand::rng(",
            "make_rng",
            "from_entropy",
            "from_os_rng",
            "OsRng",
            "SysRng",
            "rand::random",
            "SystemTime::now",
        ] {
            assert!(!code.contains(forbidden), "{} uses {forbidden}; take a seed instead", file.display());
        }
        // The CSPRNG keys hash tables (no output depends on the key) and draws salts for
        // hashed identifiers (which must not be guessable); nothing else may read it.
        let may_read_entropy = ["hashing.rs", "salt.rs"].iter().any(|name| file.ends_with(name));
        assert!(
            may_read_entropy || !code.contains("getrandom"),
            "{} reads the CSPRNG; only hash keys and salts may",
            file.display()
        );
    }
}

/// Whether `code` names the crate `name` as a path (`rand::...`, `use rand`), not as the end
/// of a longer word (`Operand::`).
fn names_crate(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + name.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric() && c != '_') && matches!(after, Some(':' | ';' | '{'))
    })
}

#[test]
fn every_random_stream_comes_from_rand_xoshiro_through_seeded_rng() {
    let rng = src("rng.rs");
    for file in rust_files(&src("")) {
        let text = fs::read_to_string(&file).unwrap();
        let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        if file == rng {
            // No generator, mixing function or sampler written by hand: no bit twiddling and
            // no magic constants outside the tests.
            let library = code.split("#[cfg(test)]").next().unwrap_or_default();
            assert!(names_crate(library, "rand_xoshiro") && names_crate(library, "rand"));
            for forbidden in ["wrapping_mul", "wrapping_add(0x", "rotate_left", "<<", ">>", "0x", "% "] {
                assert!(!library.contains(forbidden), "src/rng.rs writes a generator by hand: {forbidden}");
            }
        } else {
            for name in ["rand", "rand_xoshiro", "rand_core"] {
                assert!(!names_crate(&code, name), "{} draws from {name} directly; use rng::SeededRng", file.display());
            }
        }
    }
}

/// The modules each layer may not reach, by `crate::` paths in code (comments aside).
const LAYERS: [(&str, &[&str]); 8] = [
    ("ml", &["claims", "pipeline", "analysis", "protocol", "session", "page", "ui", "worker"]),
    ("claims", &["ml", "pipeline", "analysis", "protocol", "session", "page", "ui", "worker"]),
    ("pipeline", &["analysis", "protocol", "session", "page", "ui", "worker"]),
    ("analysis", &["protocol", "session", "page", "ui", "worker"]),
    ("protocol.rs", &["session", "page", "ui", "worker"]),
    ("session", &["page", "ui", "worker"]),
    ("page", &["session", "ui", "worker"]),
    ("rng.rs", &["ml", "claims", "pipeline", "analysis", "protocol", "session", "page", "ui", "worker"]),
];

#[test]
fn the_layers_import_downward_only() {
    for (layer, forbidden) in LAYERS {
        let path = src(layer);
        let files = if path.is_dir() { rust_files(&path) } else { vec![path] };
        assert!(!files.is_empty(), "no files in {layer}");
        for file in files {
            let text = fs::read_to_string(&file).unwrap();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for module in forbidden {
                    let path = format!("crate::{module}");
                    let reaches = line.match_indices(&path).any(|(at, _)| {
                        line[at + path.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '_')
                    });
                    assert!(!reaches, "{} ({layer}) reaches {path}: {line}", file.display());
                }
            }
        }
    }
}
