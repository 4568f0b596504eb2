//! The walking skeleton's promise, natively: 1,000 denial claims train to >= 0.93 accuracy.

use std::ops::ControlFlow;

use claimforest::claims::synth::generate_denial;
use claimforest::pipeline::{train, TrainRequest};

#[test]
fn default_page_run_reaches_the_accuracy_bar_for_several_seeds() {
    for seed in [42, 1, 2, 3] {
        let table = generate_denial(1_000, seed).unwrap();
        let mut request = TrainRequest::default();
        request.forest.seed = seed;
        request.split_seed = seed;
        let report = train(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        assert!(report.accuracy >= 0.93, "seed {seed}: accuracy {}", report.accuracy);
    }
}

#[test]
fn bigger_sample_approaches_the_rule_implied_optimum() {
    // With 5% noise on clean claims, the best possible accuracy is about 0.968.
    let table = generate_denial(10_000, 11).unwrap();
    let report = train(&table, &TrainRequest::default(), &mut |_| ControlFlow::Continue(())).unwrap();
    assert!(report.accuracy >= 0.955, "accuracy {}", report.accuracy);
}
