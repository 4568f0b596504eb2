//! A seed reproduces a run bit for bit; the wasm build checks the same fingerprint.

use crate::common;

#[test]
fn seeded_training_matches_the_committed_fingerprint() {
    let (table_json, forest) = common::seeded_denial_forest();
    let actual = common::fingerprint(&table_json, &forest);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/denial_forest.fnv1a64"),
            format!("{actual}\n"),
        )
        .expect("the golden file is writable");
        return;
    }
    assert_eq!(
        actual,
        common::GOLDEN_FOREST_FINGERPRINT.trim(),
        "the seeded model changed; if intended, rerun with UPDATE_GOLDEN=1 and commit the new fingerprint"
    );
}

#[test]
fn two_runs_in_one_process_agree() {
    let (table_a, forest_a) = common::seeded_denial_forest();
    let (table_b, forest_b) = common::seeded_denial_forest();
    assert_eq!(common::fingerprint(&table_a, &forest_a), common::fingerprint(&table_b, &forest_b));
}
