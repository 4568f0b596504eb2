//! The Web Worker: receives jobs from the page, runs the pipeline, posts progress and results.
//!
//! Training runs synchronously inside the worker, so the page stays responsive. The page
//! cancels a job by terminating the worker and starting a fresh one, which stops the work
//! at once without shared memory.

pub mod codec;

use std::ops::ControlFlow;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::pipeline;
use crate::protocol::{FromWorker, ToWorker};

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        handle(&reply_scope, event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker does.
    on_message.forget();
    post(&scope, &FromWorker::Ready);
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: JsValue) {
    match codec::decode::<ToWorker>(data) {
        Ok(ToWorker::Train { job_id, table, request }) => {
            let mut on_progress = |progress: crate::ml::FitProgress| {
                post(
                    scope,
                    &FromWorker::Progress { job_id, n_trees_done: progress.n_trees_done, n_trees: progress.n_trees },
                );
                ControlFlow::Continue(())
            };
            let reply = match pipeline::train(&table, &request, &mut on_progress) {
                Ok(report) => FromWorker::Trained { job_id, report: Box::new(report) },
                Err(error) => FromWorker::Failed { job_id, message: error.to_string() },
            };
            post(scope, &reply);
        }
        Err(error) => post(
            scope,
            &FromWorker::Failed { job_id: 0, message: format!("The worker could not read the request: {error}") },
        ),
    }
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker) {
    match codec::encode(message) {
        Ok(value) => {
            if let Err(error) = scope.post_message(&value) {
                web_sys::console::error_2(&"ClaimForest worker: postMessage failed".into(), &error);
            }
        }
        Err(error) => {
            web_sys::console::error_1(&format!("ClaimForest worker: could not encode a reply: {error}").into())
        }
    }
}
