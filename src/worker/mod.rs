//! The Web Worker: a thin shell that reads each posted message (and the `File` beside it),
//! hands it to the pure-Rust [`Session`], and posts the replies back.
//!
//! Work runs synchronously inside the worker, so the page stays responsive. The page
//! cancels a job by terminating the worker and starting a fresh one, which stops the work
//! at once without shared memory; it then restores the claims it holds.

pub mod codec;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

use crate::protocol::{FromWorker, ToWorker};
use crate::session::Session;

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::new());
}

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
    let (message, file) = match codec::unwrap_envelope(&data) {
        Ok(parts) => parts,
        Err(error) => {
            let message = format!("The worker could not read the request: {error}");
            return post(scope, &FromWorker::Failed { job_id: 0, message });
        }
    };
    let message = match codec::decode::<ToWorker>(message) {
        Ok(message) => message,
        Err(error) => {
            let message = format!("The worker could not read the request: {error}");
            return post(scope, &FromWorker::Failed { job_id: 0, message });
        }
    };
    let bytes = match file.map(|file| read_file(&file)).transpose() {
        Ok(bytes) => bytes,
        Err(error) => {
            let reply = FromWorker::Failed { job_id: job_id_of(&message), message: error };
            return post(scope, &reply);
        }
    };
    let reply =
        SESSION.with(|session| session.borrow_mut().handle(message, bytes, &mut |progress| post(scope, &progress)));
    post(scope, &reply);
}

/// Reads a posted `File` whole; workers may read synchronously.
fn read_file(file: &File) -> Result<Vec<u8>, String> {
    let describe = |error: JsValue| format!("{}: the browser could not read the file ({error:?})", file.name());
    let reader = FileReaderSync::new().map_err(describe)?;
    let buffer = reader.read_as_array_buffer(file).map_err(describe)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn job_id_of(message: &ToWorker) -> u64 {
    match message {
        ToWorker::IngestFile { job_id, .. } | ToWorker::LoadModelFile { job_id, .. } => *job_id,
        _ => 0,
    }
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker) {
    let transfer = js_sys::Array::new();
    match codec::encode_with_transfer(message, &transfer) {
        Ok(value) => {
            if let Err(error) = scope.post_message_with_transfer(&value, &transfer) {
                web_sys::console::error_2(&"ClaimForest worker: postMessage failed".into(), &error);
            }
        }
        Err(error) => {
            web_sys::console::error_1(&format!("ClaimForest worker: could not encode a reply: {error}").into())
        }
    }
}
