//! Criterion benchmarks of the claims data layer: generating a million medical claim lines,
//! and ingesting a 100 MB CSV (parse, map to the canonical schema, type every cell).
//!
//! Run with `cargo bench --bench claims`.

use std::hint::black_box;
use std::time::Duration;

use claimforest::claims::csv_writer::write_csv;
use claimforest::claims::features::add_features;
use claimforest::claims::ingest::{read_bytes, IngestOptions};
use claimforest::claims::synth::{generate_medical, generate_pharmacy, SynthOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The size of the ingestion benchmark's CSV.
const CSV_BYTES: usize = 100 * 1024 * 1024;

fn generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    let options = SynthOptions { n_rows: 1_000_000, seed: 42, fraud_rate: 0.05 };
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("medical_1m_rows", |b| b.iter(|| black_box(generate_medical(&options).expect("generates"))));
    group.bench_function("pharmacy_1m_rows", |b| b.iter(|| black_box(generate_pharmacy(&options).expect("generates"))));
    group.finish();
}

/// Medical claims written as CSV until the text reaches 100 MB (whole rows).
fn medical_csv_of_100_mb() -> Vec<u8> {
    let table = generate_medical(&SynthOptions { n_rows: 1_000_000, seed: 7, fraud_rate: 0.05 }).expect("generates");
    let mut csv = Vec::with_capacity(CSV_BYTES + 1024);
    write_csv(&table, &mut csv).expect("writes to memory");
    if csv.len() > CSV_BYTES {
        let cut = csv[..CSV_BYTES].iter().rposition(|&b| b == b'\n').map_or(csv.len(), |end| end + 1);
        csv.truncate(cut);
    } else {
        // Repeat whole data rows (not the header) until the size is reached.
        let header_end = csv.iter().position(|&b| b == b'\n').map_or(0, |end| end + 1);
        let rows = csv[header_end..].to_vec();
        while csv.len() + rows.len() <= CSV_BYTES {
            csv.extend_from_slice(&rows);
        }
    }
    csv
}

fn ingestion(c: &mut Criterion) {
    let csv = medical_csv_of_100_mb();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Bytes(csv.len() as u64));
    group.bench_function("csv_100_mb", |b| {
        b.iter(|| black_box(read_bytes(&csv, "claims.csv", &IngestOptions::default()).expect("reads")))
    });
    group.finish();
}

fn features(c: &mut Criterion) {
    let table = generate_medical(&SynthOptions { n_rows: 1_000_000, seed: 7, fraud_rate: 0.05 }).expect("generates");
    let mut group = c.benchmark_group("features");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(table.n_rows() as u64));
    group.bench_function("medical_1m_rows", |b| b.iter(|| black_box(add_features(&table).expect("builds"))));
    group.finish();
}

criterion_group!(benches, generation, ingestion, features);
criterion_main!(benches);
