//! Criterion benchmarks of hostile input against benign input of the same size: each
//! adversarial path must stay within 3× of its benign twin.
//!
//! - 200,000 claim ids crafted to crowd into one corner of the interner's table, under the
//!   former fixed hasher and under SipHash with a guessed key (0, 0), against random ids;
//! - a header that repeats one name 4,096 times, against 4,096 distinct names;
//! - a rule pack of 50,000 rules (refused by count) and one of 1,000 rules, against a
//!   benign pack of the same byte size.
//!
//! Run with `cargo bench --bench hostile`. The crafted files can also be written for the
//! command line: `cargo bench --bench hostile -- --write-files DIR`.

use std::hint::black_box;
use std::time::Duration;

use claimforest::claims::ingest::{read_bytes, IngestOptions};
use claimforest::claims::rules::RulePack;
use claimforest::hashing::KeyedState;
use claimforest::ml::SeededRng;
use criterion::{criterion_group, Criterion};

/// Ids per interning file.
const N_IDS: usize = 200_000;
/// The interner's final table for 200,000 levels has 2^19 slots; crafted ids land in its
/// first 1/64 (hash bits 13..19 clear), so linear probing would walk one long cluster.
const TABLE_BITS: u32 = 19;
const CORNER_BITS: u32 = 6;

/// The interner's hash before keyed hashing (FxHash's multiply-rotate over 8-byte words,
/// finished with murmur3's avalanche), kept here only to build the audit's attack on it.
fn former_fixed_hash(bytes: &[u8]) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut hash = 0u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

/// `n` distinct ids whose `hash` puts them all in the table's first 1/64.
fn crowded_ids(n: usize, hash: impl Fn(&[u8]) -> u64) -> Vec<String> {
    let corner_mask = ((1u64 << CORNER_BITS) - 1) << (TABLE_BITS - CORNER_BITS);
    (0u64..).map(|i| format!("M{i:010}")).filter(|id| hash(id.as_bytes()) & corner_mask == 0).take(n).collect()
}

fn random_ids(n: usize) -> Vec<String> {
    let mut rng = SeededRng::new(11);
    (0..n).map(|_| format!("M{:010}", rng.next_u64() % 10_000_000_000)).collect()
}

/// A two-column CSV: the ids and an amount.
fn claims_csv(ids: &[String]) -> Vec<u8> {
    let mut csv = b"member_id,amount\n".to_vec();
    for (row, id) in ids.iter().enumerate() {
        csv.extend_from_slice(format!("{id},{}.50\n", row % 900).as_bytes());
    }
    csv
}

fn interning_files() -> Vec<(&'static str, Vec<u8>)> {
    let guessed_key = KeyedState::with_key((0, 0));
    vec![
        ("random_ids", claims_csv(&random_ids(N_IDS))),
        ("crowded_for_the_former_hash", claims_csv(&crowded_ids(N_IDS, former_fixed_hash))),
        ("crowded_for_a_guessed_key", claims_csv(&crowded_ids(N_IDS, |bytes| guessed_key.hash_bytes(bytes)))),
    ]
}

fn header_files() -> Vec<(&'static str, Vec<u8>)> {
    let n_columns = 4_096;
    let file = |header: Vec<String>| {
        let mut csv = header.join(",").into_bytes();
        csv.push(b'\n');
        csv.extend_from_slice(vec!["1"; n_columns].join(",").as_bytes());
        csv.push(b'\n');
        csv
    };
    vec![
        ("distinct_names", file((0..n_columns).map(|i| format!("c{i:03}")).collect())),
        ("one_name_repeated", file(vec!["c000".to_owned(); n_columns])),
    ]
}

fn pack_json(n_rules: usize, description: &str) -> String {
    let rules: Vec<String> = (0..n_rules)
        .map(|i| {
            format!(
                r#"{{"id": "r{i}", "name": "Rule {i}", "condition": "amount > {i}", "severity": 0.5, "category": "c", "description": "{description}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"format": "claimforest-rules", "version": 1, "name": "p", "description": "d", "rules": [{}]}}"#,
        rules.join(",")
    )
}

fn pack_files() -> Vec<(&'static str, String)> {
    let many = pack_json(50_000, "d");
    let allowed = pack_json(1_000, "d");
    // Benign twins: the allowed number of rules, padded to the same bytes.
    let pad = |target: usize| {
        let per_rule = target.saturating_sub(allowed.len()) / 1_000;
        pack_json(1_000, &"d".repeat(per_rule + 1))
    };
    vec![("50k_rules_refused", many.clone()), ("1k_rules_same_bytes_as_50k", pad(many.len())), ("1k_rules", allowed)]
}

fn hostile(c: &mut Criterion) {
    let options = IngestOptions::default();
    let mut group = c.benchmark_group("hostile_interning_200k");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for (name, csv) in interning_files() {
        group.bench_function(name, |b| b.iter(|| black_box(read_bytes(&csv, "ids.csv", &options).expect("loads"))));
    }
    group.finish();

    let mut group = c.benchmark_group("hostile_headers_4096");
    group.sample_size(20);
    for (name, csv) in header_files() {
        group.bench_function(name, |b| b.iter(|| black_box(read_bytes(&csv, "wide.csv", &options).expect("loads"))));
    }
    group.finish();

    let mut group = c.benchmark_group("hostile_rule_packs");
    group.sample_size(10);
    for (name, json) in pack_files() {
        group.bench_function(name, |b| b.iter(|| black_box(RulePack::from_json(&json).map(|pack| pack.rules.len()))));
    }
    group.finish();
}

criterion_group!(benches, hostile);

fn main() {
    let mut args = std::env::args().skip_while(|arg| arg != "--write-files");
    if args.next().is_some() {
        let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/hostile".into()));
        std::fs::create_dir_all(&dir).expect("the folder can be made");
        for (name, bytes) in interning_files().into_iter().chain(header_files()) {
            std::fs::write(dir.join(format!("{name}.csv")), bytes).expect("writes");
        }
        for (name, json) in pack_files() {
            std::fs::write(dir.join(format!("{name}.json")), json).expect("writes");
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
