//! Fuzz target: text-ish input straight to the delimited reader, under a few option variants.
#![no_main]

use claimforest::claims::ingest::{read_bytes, IngestOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    // Stay on the text path: containers are the other targets' business.
    if text.starts_with(&[0x1f, 0x8b]) || text.starts_with(b"PK") || text.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return;
    }
    let mut options = IngestOptions::default();
    match selector % 5 {
        0 => {}
        1 => options.delimiter = Some(b';'),
        2 => options.profile = "unknown".into(),
        3 => options.map_to_canonical = false,
        _ => {
            options.delimiter = Some(b'\t');
            options.max_rejected_rows = 0;
            options.max_rejected_share = 0.0;
        }
    }
    let _ = read_bytes(text, "fuzz.csv", &options);
});
