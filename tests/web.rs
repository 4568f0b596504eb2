//! Browser tests (wasm-bindgen-test in headless Chromium): determinism and the worker codec.
#![cfg(target_arch = "wasm32")]

mod common;

use claimforest::claims::synth::{generate_denial, Scenario, SynthOptions};
use claimforest::claims::table_bytes::table_to_bytes;
use claimforest::page::train_form::TrainForm;
use claimforest::protocol::{Envelope, FromWorker, ModelSlot, ToWorker};
use claimforest::session::Session;
use claimforest::worker::codec;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn seeded_draws_are_bit_identical_to_native() {
    assert_eq!(common::fingerprint(&common::seeded_rng_run()), common::GOLDEN_RNG_FINGERPRINT.trim());
}

#[wasm_bindgen_test]
fn seeded_training_is_bit_identical_to_native() {
    assert_eq!(common::fingerprint(&common::seeded_engine_run()), common::GOLDEN_ENGINE_FINGERPRINT.trim());
}

#[wasm_bindgen_test]
fn seeded_claims_data_is_bit_identical_to_native() {
    assert_eq!(common::fingerprint(&common::seeded_claims_run()), common::GOLDEN_CLAIMS_FINGERPRINT.trim());
}

#[wasm_bindgen_test]
fn worker_messages_survive_structured_values() {
    let mut table = generate_denial(50, 3).unwrap();
    // A missing value, a seed beyond 2^32 and a byte payload must survive the JS round trip exactly.
    table
        .push_column("sparse", claimforest::claims::ColumnData::Numeric { values: vec![f64::NAN; 50].into() })
        .unwrap();
    let bytes = table_to_bytes(table.view());
    let message = Envelope::new(9, ToWorker::Restore { source: "x.csv".into(), table: bytes.clone(), report: None });
    let encoded = codec::encode(&message).unwrap();
    // An envelope with the job number; the body externally tagged: the variant's name holds
    // its fields.
    let body = js_sys::Reflect::get(&encoded, &"body".into()).unwrap();
    let fields = js_sys::Reflect::get(&body, &"restore".into()).unwrap();
    let payload = js_sys::Reflect::get(&fields, &"table".into()).unwrap();
    assert!(payload.is_instance_of::<js_sys::Uint8Array>(), "bytes travel as a Uint8Array");
    assert_eq!(codec::decode::<Envelope<ToWorker>>(encoded).unwrap(), message);
    let options = SynthOptions { n_rows: 100, seed: (1 << 53) - 1, fraud_rate: 0.05 };
    let generate = Envelope::new(2, ToWorker::Generate { scenario: Scenario::Medical, options });
    assert_eq!(codec::decode::<Envelope<ToWorker>>(codec::encode(&generate).unwrap()).unwrap(), generate);
    let reply = Envelope::new(9, FromWorker::Failed { message: "column 'x', row 3: bad".into() });
    assert_eq!(codec::decode::<Envelope<FromWorker>>(codec::encode(&reply).unwrap()).unwrap(), reply);
    // Large payloads are transferred, not copied.
    let transfer = js_sys::Array::new();
    let big = Envelope::new(
        1,
        FromWorker::Exported { file_name: "a.csv".into(), mime: "text/csv".into(), bytes: vec![7; 100_000] },
    );
    let value = codec::encode_with_transfer(&big, &transfer).unwrap();
    assert_eq!(transfer.length(), 1);
    assert_eq!(codec::decode::<Envelope<FromWorker>>(value).unwrap(), big);
}

#[wasm_bindgen_test]
fn the_session_answers_in_the_browser_as_natively() {
    // The worker's whole protocol, driven in wasm: generate, train, explain.
    let mut session = Session::new();
    let quiet = &mut |_: Envelope<FromWorker>| {};
    let options = SynthOptions { n_rows: 300, seed: 4, fraud_rate: 0.05 };
    let FromWorker::Loaded { data, .. } =
        session.handle(Envelope::new(1, ToWorker::Generate { scenario: Scenario::Denial, options }), None, quiet).body
    else {
        panic!("not loaded")
    };
    let form = TrainForm {
        label_column: Some("is_denied".into()),
        feature_columns: data.features.iter().filter(|f| f.default_on).map(|f| f.name.clone()).collect(),
        n_trees: "5".into(),
        ..TrainForm::default()
    };
    let request = Box::new(form.to_request().unwrap());
    let FromWorker::Trained { results, .. } =
        session.handle(Envelope::new(2, ToWorker::Train { request }), None, quiet).body
    else {
        panic!("not trained")
    };
    assert_eq!(results.models[0].scores.len(), 300);
    let reply = session.handle(Envelope::new(3, ToWorker::Explain { slot: ModelSlot::Forest, row: 0 }), None, quiet);
    assert_eq!(reply.job_id, 3);
    assert!(matches!(reply.body, FromWorker::Explained { .. }), "{reply:?}");
}

#[wasm_bindgen_test]
fn garbage_from_javascript_is_an_error_not_a_panic() {
    let garbage = wasm_bindgen::JsValue::from_str("not a message");
    assert!(codec::decode::<Envelope<ToWorker>>(garbage).is_err());
    assert!(codec::decode::<Envelope<FromWorker>>(js_sys::Object::new().into()).is_err());
}
