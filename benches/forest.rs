//! Criterion benchmarks of the forest engine: random-forest fit, isolation-forest fit and
//! score, and exact TreeSHAP, on seeded synthetic data shaped like the comparison's.
//!
//! Run with `cargo bench --bench forest`; the scikit-learn comparison is `./x compare`.

use std::hint::black_box;
use std::ops::ControlFlow;

use claimforest::ml::shap::TreeExplainer;
use claimforest::ml::{FeatureMatrix, ForestParams, IsolationForestParams, SeededRng, TreeParams};
use criterion::{criterion_group, criterion_main, Criterion};

/// Ten features in [0, 1); the label depends on six of them, with interactions and 2% noise.
fn classification_data(n_rows: usize, seed: u64) -> (FeatureMatrix, Vec<u32>) {
    let mut rng = SeededRng::new(seed);
    let mut columns: Vec<Vec<f32>> = (0..10).map(|_| Vec::with_capacity(n_rows)).collect();
    let mut labels = Vec::with_capacity(n_rows);
    for _ in 0..n_rows {
        let x: Vec<f64> = (0..10).map(|_| rng.next_f64()).collect();
        let margin = 1.5 * x[0] - 1.2 * x[1] + x[2] * x[3] * 2.0 + (6.0 * x[4]).sin() * 0.5 - 0.8 * x[5] + 0.1;
        let label = (margin > 0.35) ^ rng.chance(0.02);
        labels.push(u32::from(label));
        for (column, value) in columns.iter_mut().zip(&x) {
            column.push(*value as f32);
        }
    }
    let names = (0..10).map(|i| format!("f{i}")).collect();
    (FeatureMatrix::from_columns(names, columns).expect("equal columns"), labels)
}

fn keep_going<T>(_: T) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

fn random_forest(c: &mut Criterion) {
    let (matrix, labels) = classification_data(100_000, 1);
    let params = ForestParams {
        n_trees: 10,
        tree: TreeParams { min_samples_leaf: 1, ..Default::default() },
        compute_oob_score: false,
        ..Default::default()
    };
    let mut group = c.benchmark_group("random_forest");
    group.sample_size(10);
    group.bench_function("fit 10 trees, 100k x 10, grown to purity", |b| {
        b.iter(|| black_box(params.fit(&matrix, &labels, &mut keep_going).expect("fit")))
    });
    let forest = params.fit(&matrix, &labels, &mut keep_going).expect("fit");
    group.bench_function("predict 100k rows, 10 trees", |b| {
        b.iter(|| black_box(forest.predict_class_proba(&matrix, 1).expect("predict")))
    });
    group.finish();
}

fn isolation_forest(c: &mut Criterion) {
    let (matrix, _) = classification_data(1_000_000, 2);
    let params = IsolationForestParams { n_trees: 100, max_samples: 256, ..Default::default() };
    let mut group = c.benchmark_group("isolation_forest");
    group.sample_size(10);
    group.bench_function("fit 100 trees, psi 256", |b| {
        b.iter(|| black_box(params.fit(&matrix, &mut keep_going).expect("fit")))
    });
    let forest = params.fit(&matrix, &mut keep_going).expect("fit");
    group.bench_function("score 1M rows x 10, 100 trees", |b| b.iter(|| black_box(forest.score_matrix(&matrix))));
    group.finish();
}

fn tree_shap(c: &mut Criterion) {
    let (matrix, labels) = classification_data(100_000, 3);
    let params = ForestParams {
        n_trees: 10,
        tree: TreeParams { min_samples_leaf: 1, ..Default::default() },
        compute_oob_score: false,
        ..Default::default()
    };
    let forest = params.fit(&matrix, &labels, &mut keep_going).expect("fit");
    let explainer = TreeExplainer::new(&forest.shap_ensemble(1));
    let rows = matrix.select_rows(&(0..100).collect::<Vec<_>>());
    let mut group = c.benchmark_group("tree_shap");
    group.sample_size(10);
    group.bench_function("100 rows, 10 trees grown to purity on 100k", |b| {
        b.iter(|| black_box(explainer.explain_matrix(&rows)))
    });
    group.finish();
}

criterion_group!(benches, random_forest, isolation_forest, tree_shap);
criterion_main!(benches);
