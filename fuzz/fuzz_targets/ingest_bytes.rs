//! Fuzz target: any bytes as an uploaded file, through sniffing, gzip/zip, xlsx and the text path.
#![no_main]

use claimforest::claims::ingest::{read_bytes, IngestOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Any outcome is fine; a panic, an abort or a hang is the bug.
    let _ = read_bytes(data, "fuzz.csv", &IngestOptions::default());
});
