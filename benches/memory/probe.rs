//! The session's peak live heap per request, natively, as the browser's worker drives it:
//! `cargo run --release --example memory_probe -- [ROWS] [rf|if] [CSV to ingest]`.
//! A counting allocator records the peak between steps; the random forest's pool steps
//! (growing, scoring from bin codes) run in-process and are reported on their own lines.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Tracking;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, n) };
        if !q.is_null() {
            if n > l.size() {
                // Counted as wasm's allocator does it: a block that grows is copied into a
                // new one, so old and new are both live for a moment.
                PEAK.fetch_max(LIVE.load(Relaxed) + n, Relaxed);
                LIVE.fetch_add(n - l.size(), Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - n, Relaxed);
            }
        }
        q
    }
}
#[global_allocator]
static A: Tracking = Tracking;

use claimforest::claims::synth::{Scenario, SynthOptions};
use claimforest::protocol::*;
use claimforest::session::Session;

fn mark(name: &str) {
    let mb = |b: usize| b as f64 / 1048576.0;
    println!("{name:>24}: peak {:8.1} MB, live {:8.1} MB", mb(PEAK.load(Relaxed)), mb(LIVE.load(Relaxed)));
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

fn main() {
    let rows: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let algo = std::env::args().nth(2).unwrap_or_else(|| "rf".into());
    let mut s = Session::new();
    let reply = s.handle(
        Envelope::new(
            1,
            ToWorker::Generate {
                scenario: Scenario::Medical,
                options: SynthOptions { n_rows: rows, seed: 7, fraud_rate: 0.05 },
            },
        ),
        None,
        &mut |_| {},
    );
    let FromWorker::Loaded { data, .. } = reply.body else { panic!() };
    println!("table bytes {:.1} MB", s.claims_byte_len().unwrap_or(0) as f64 / 1048576.0);
    let labels = data.labels.first().map(|l| l.column.clone());
    let features: Vec<String> = data.features.iter().filter(|f| f.default_on).map(|f| f.name.clone()).collect();
    println!("{} features", features.len());
    drop(data);
    mark("generate");
    let csv = std::env::args().nth(3);
    if let Some(csv) = csv {
        let file = std::fs::File::open(&csv).unwrap();
        let reply = s.handle(
            Envelope::new(9, ToWorker::IngestFile { file_name: "m.csv".into(), part: Default::default() }),
            Some(Box::new(std::io::BufReader::new(file))),
            &mut |_| {},
        );
        assert!(matches!(reply.body, FromWorker::Loaded { .. }));
        drop(reply);
        mark("ingest");
    }
    let mut forest = claimforest::pipeline::claims_forest_params();
    forest.n_trees = 100;
    let request = RunRequest {
        algorithm: if algo == "rf" { AlgorithmChoice::RandomForest } else { AlgorithmChoice::IsolationForest },
        label_column: labels,
        positive_label: None,
        feature_columns: features,
        forest,
        isolation: claimforest::ml::IsolationForestParams { n_trees: 100, ..Default::default() },
        test_fraction: 0.2,
        split_seed: 42,
        isolation_on_rule_clean: true,
    };
    if algo == "rf" {
        let (bytes, ranges) = {
            let job = s.plan_forest(&request).unwrap().unwrap();
            (job.to_bytes(), job.tree_ranges(2))
        };
        mark("plan_forest + job bytes");
        let grown: Vec<_> = {
            let job = claimforest::ml::forest_job::ForestJob::from_bytes(&bytes).unwrap();
            drop(bytes);
            ranges
                .into_iter()
                .map(|r| {
                    let g = job.grow(r, &mut |_| std::ops::ControlFlow::Continue(())).unwrap();
                    g.to_bytes()
                })
                .collect()
        };
        mark("(helpers grow)");
        let grown = grown.iter().map(|b| claimforest::ml::forest_job::GrownTrees::from_bytes(b).unwrap()).collect();
        s.provide_trees(grown);
        mark("provide trees");
        let scores = {
            let sc = s.forest_scoring().unwrap().unwrap();
            let view = claimforest::ml::shap::ShapEnsemble::from_bytes(&sc.view).unwrap();
            let b = claimforest::ml::shap::wire::binned_rows_to_bytes(sc.rows, 0..sc.rows.n_rows());
            claimforest::ml::flat::FlatForest::from_ensemble(&view)
                .predict_binned(&claimforest::ml::shap::wire::binned_rows_from_bytes(&b).unwrap())
                .unwrap()
        };
        mark("forest_scoring (+helpers)");
        s.provide_forest_scores(scores);
    }
    let reply = s.handle(Envelope::new(2, ToWorker::Train { request: Box::new(request) }), None, &mut |_| {});
    assert!(matches!(reply.body, FromWorker::Trained { .. }), "{reply:?}");
    drop(reply);
    mark("train");
    let slot = if algo == "rf" { ModelSlot::Forest } else { ModelSlot::Isolation };
    let reply = s.handle(Envelope::new(3, ToWorker::ExplainSample { slot }), None, &mut |_| {});
    drop(reply);
    mark("explain sample");
    let reply = s.handle(Envelope::new(4, ToWorker::Explain { slot, row: 5 }), None, &mut |_| {});
    drop(reply);
    mark("explain");
}
