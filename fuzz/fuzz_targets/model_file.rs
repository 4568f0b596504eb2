//! Fuzz target: any text as a model file. Loading it, and everything done with a loaded
//! model (scoring, explaining one claim, exporting), must never panic or run away.
#![no_main]

use std::sync::OnceLock;

use claimforest::claims::synth::generate_denial;
use claimforest::claims::ClaimsTable;
use claimforest::pipeline::ScoringModel;
use claimforest::analysis::explain::{explain_vector, ExplainOptions};
use libfuzzer_sys::fuzz_target;

/// A few denial claims to score with whatever loads.
fn claims() -> &'static ClaimsTable {
    static CLAIMS: OnceLock<ClaimsTable> = OnceLock::new();
    CLAIMS.get_or_init(|| generate_denial(50, 1).expect("denial claims"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(model) = ScoringModel::from_json(text) else { return };
    let _ = model.score(claims());
    if let Ok(matrix) = model.encode(claims()) {
        let mut row = Vec::new();
        matrix.copy_row_into(0, &mut row);
        let _ = explain_vector(&model, &row, Some(0), &ExplainOptions::default());
    }
    let _ = model.shap_export_json();
    let _ = model.to_json();
});
