//! Fuzz target: any text as a rule pack. A pack that loads is evaluated on a few claims;
//! neither step may panic.
#![no_main]

use std::sync::OnceLock;

use claimforest::claims::rules::{evaluate_pack, RulePack};
use claimforest::claims::synth::generate_denial;
use claimforest::claims::ClaimsTable;
use libfuzzer_sys::fuzz_target;

/// A few denial claims to run a pack on.
fn claims() -> &'static ClaimsTable {
    static CLAIMS: OnceLock<ClaimsTable> = OnceLock::new();
    CLAIMS.get_or_init(|| generate_denial(50, 1).expect("denial claims"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(pack) = RulePack::from_json(text) {
        let _ = evaluate_pack(claims(), &pack);
    }
});
