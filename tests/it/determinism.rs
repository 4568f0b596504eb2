//! A seed reproduces a run bit for bit (the generator's draws, model files, scores, SHAP
//! values, generated claims, derived features, ingestion); the wasm build checks the same
//! fingerprints. They were regenerated when randomness moved to rand_xoshiro, 2026-12.

use crate::common;

#[test]
fn seeded_training_matches_the_committed_fingerprint() {
    let actual = common::fingerprint(&common::seeded_engine_run());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/seeded_engine.fnv1a64"),
            format!("{actual}\n"),
        )
        .expect("the golden file is writable");
        return;
    }
    assert_eq!(
        actual,
        common::GOLDEN_ENGINE_FINGERPRINT.trim(),
        "the seeded model changed; if intended, rerun with UPDATE_GOLDEN=1 and commit the new fingerprint"
    );
}

#[test]
fn two_runs_in_one_process_agree() {
    assert_eq!(common::seeded_engine_run(), common::seeded_engine_run());
}

#[test]
fn seeded_claims_data_matches_the_committed_fingerprint() {
    let actual = common::fingerprint(&common::seeded_claims_run());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/seeded_claims.fnv1a64"),
            format!("{actual}\n"),
        )
        .expect("the golden file is writable");
        return;
    }
    assert_eq!(
        actual,
        common::GOLDEN_CLAIMS_FINGERPRINT.trim(),
        "the seeded claims changed; if intended, rerun with UPDATE_GOLDEN=1 and commit the new fingerprint"
    );
}

#[test]
fn seeded_draws_match_the_committed_fingerprint() {
    let actual = common::fingerprint(&common::seeded_rng_run());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/seeded_rng.fnv1a64"), format!("{actual}\n"))
            .expect("the golden file is writable");
        return;
    }
    assert_eq!(
        actual,
        common::GOLDEN_RNG_FINGERPRINT.trim(),
        "the seeded draws changed; if intended, rerun with UPDATE_GOLDEN=1 and commit the new fingerprint"
    );
}
