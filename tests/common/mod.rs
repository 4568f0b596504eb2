//! Fixtures shared by the native and the wasm test binaries.

use std::ops::ControlFlow;

use claimforest::claims::synth::generate_denial;
use claimforest::pipeline::{default_feature_columns, train_anomaly_model, train_model, AnomalyRequest, TrainRequest};

// The golden fingerprints in tests/golden/ were regenerated when randomness moved to
// rand_xoshiro (xoshiro256++ sampled by rand), 2026-12.

/// The committed fingerprint that native and wasm runs must both reproduce.
pub const GOLDEN_ENGINE_FINGERPRINT: &str = include_str!("../golden/seeded_engine.fnv1a64");

/// A fixed, seeded run of the whole engine on 2,000 denial claims, as text: the table, the
/// random forest's model file (20 trees, seed 7), the isolation forest's model file
/// (30 trees, seed 7), and the exact bits of both models' scores and TreeSHAP values for
/// the first 50 claims.
pub fn seeded_engine_run() -> Vec<String> {
    let table = generate_denial(2_000, 7).expect("the generator builds a consistent table");
    let mut request = TrainRequest::default();
    request.forest.n_trees = 20;
    request.forest.seed = 7;
    let (forest, _) = train_model(&table, &request, &mut |_| ControlFlow::Continue(())).expect("the forest fits");
    let (feature_columns, _) = default_feature_columns(&table, None);
    let mut anomaly = AnomalyRequest::new(feature_columns, Default::default());
    anomaly.forest.n_trees = 30;
    anomaly.forest.seed = 7;
    let (isolation, _) =
        train_anomaly_model(&table, &anomaly, &mut |_| ControlFlow::Continue(())).expect("the isolation forest fits");
    let mut texts = vec![serde_json::to_string(&table).expect("tables serialize")];
    for model in [&forest, &isolation] {
        texts.push(model.to_json());
        let scores = model.score(&table).expect("scores");
        let shap = model.explain(&table).expect("explains");
        let bits: Vec<String> = scores[..50]
            .iter()
            .chain(&shap.values[..50 * shap.n_features])
            .chain(std::iter::once(&shap.base_value))
            .map(|v| format!("{:016x}", v.to_bits()))
            .collect();
        texts.push(bits.join(","));
    }
    texts
}

/// FNV-1a (64-bit) of all texts, as 16 hex digits.
pub fn fingerprint(texts: &[String]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in texts.iter().flat_map(|text| text.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The committed fingerprint of the seeded claims data, reproduced natively and in wasm.
pub const GOLDEN_CLAIMS_FINGERPRINT: &str = include_str!("../golden/seeded_claims.fnv1a64");

/// A fixed, seeded run of the claims layer, as text: 3,000 medical and 3,000 pharmacy
/// claims with every derived feature (as CSV, so dates and floats are in their written
/// form and the exact f64 bits of every feature), and the medical CSV read back through
/// ingestion (its table and schema report).
pub fn seeded_claims_run() -> Vec<String> {
    use claimforest::claims::csv_writer::write_csv;
    use claimforest::claims::features::add_features;
    use claimforest::claims::ingest::{read_bytes, IngestOptions};
    use claimforest::claims::synth::{generate_medical, generate_pharmacy, SynthOptions};
    use claimforest::claims::ColumnData;

    let options = SynthOptions { n_rows: 3_000, seed: 7, fraud_rate: 0.05 };
    let mut texts = Vec::new();
    for table in [generate_medical(&options), generate_pharmacy(&options)] {
        let table = table.expect("the generator builds a consistent table");
        let mut csv = Vec::new();
        write_csv(&table, &mut csv).expect("writes to memory");
        let (with_features, _) = add_features(&table).expect("features build");
        let bits: Vec<String> = with_features
            .columns()
            .iter()
            .filter_map(|column| match &column.data {
                ColumnData::Numeric { values } => Some(values),
                _ => None,
            })
            .flat_map(|values| values.iter().map(|v| format!("{:016x}", v.to_bits())))
            .collect();
        let ingested = read_bytes(&csv, "seeded.csv", &IngestOptions::default()).expect("reads back");
        texts.push(String::from_utf8(csv).expect("CSV is UTF-8"));
        texts.push(bits.join(","));
        texts.push(serde_json::to_string(&ingested.table).expect("tables serialize"));
        texts.push(ingested.report.to_json());
    }
    texts
}

/// The committed fingerprint of [`SeededRng`](claimforest::rng::SeededRng)'s draws,
/// reproduced natively and in wasm.
pub const GOLDEN_RNG_FINGERPRINT: &str = include_str!("../golden/seeded_rng.fnv1a64");

/// Draws of every kind from a few seeds, as text: raw bits, floats, ranges up to the full
/// 64-bit width (past what a wasm32 `usize` holds), indices, inclusive ranges, coin flips,
/// shuffles of short and of long slices, and derived seeds. Whatever the pointer width, a
/// seed must give the same text.
pub fn seeded_rng_run() -> Vec<String> {
    use claimforest::rng::SeededRng;

    let mut texts = Vec::new();
    for seed in [0, 7, 42, u64::MAX] {
        let mut rng = SeededRng::new(seed);
        let mut draws: Vec<String> = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
        draws.extend((0..4).map(|_| format!("{:016x}", rng.next_f64().to_bits())));
        for bound in [0, 1, 2, 7, 1000, 1 << 32, (1 << 32) + 1, u64::MAX] {
            draws.extend((0..3).map(|_| rng.below(bound).to_string()));
        }
        for len in [0, 1, 3, 100_000, u32::MAX as usize] {
            draws.extend((0..3).map(|_| rng.index(len).to_string()));
        }
        for (low, high) in [(18, 89), (-5, 5), (0, 0), (i64::MIN, i64::MAX)] {
            draws.extend((0..3).map(|_| rng.int_inclusive(low, high).to_string()));
        }
        for p in [0.0, 0.05, 0.5, 0.95, 1.0] {
            draws.push((0..64).map(|_| if rng.chance(p) { '1' } else { '0' }).collect());
        }
        for len in [2usize, 10, 70_000] {
            let mut items: Vec<u32> = (0..len as u32).collect();
            rng.shuffle(&mut items);
            draws.push(items.iter().take(20).map(u32::to_string).collect::<Vec<_>>().join(" "));
        }
        draws.extend((0..4).map(|stream| format!("{:016x}", SeededRng::derive_seed(seed, stream))));
        texts.push(draws.join(","));
    }
    texts
}
