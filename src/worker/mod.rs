//! The Web Worker: a thin shell that reads each posted message (and the `File` beside it),
//! hands it to the pure-Rust [`Session`], and posts the replies back. A random forest's
//! trees grow on a [`pool::Pool`] of helper workers, which are this same shell serving
//! helper tasks.
//!
//! Work runs inside the worker, so the page stays responsive. The page cancels a job by
//! terminating the worker (and with it the helpers) and starting a fresh one, which stops
//! the work at once without shared memory; it then restores the claims it holds.

pub mod codec;
mod file;
pub mod js_writer;
pub mod pool;
pub mod spawn;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::ml::flat::FlatForest;
use crate::ml::forest_job::ForestJob;
use crate::ml::shap::wire::{
    binned_rows_from_bytes, matrix_from_bytes, predictions_to_bytes, shap_values_to_bytes, MatrixBytes,
};
use crate::ml::shap::{ShapEnsemble, TreeExplainer};
use crate::ml::{FeatureSource, FitProgress, Rows};
use crate::protocol::{ExportRequest, FromWorker, RunRequest, ToWorker};
use crate::session::{PostedFile, Session, FITTING_FOREST_STAGE, FITTING_ISOLATION_STAGE, SCORING_STAGE};
pub use spawn::in_worker_scope;

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::new());
    /// Whether an asynchronous job (a fit on the pool) is running; messages wait meanwhile.
    static BUSY: Cell<bool> = const { Cell::new(false) };
    static WAITING: RefCell<VecDeque<JsValue>> = const { RefCell::new(VecDeque::new()) };
    static POOL: RefCell<Option<Rc<pool::Pool>>> = const { RefCell::new(None) };
}

/// Installs the message handler and tells the owner the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        if Reflect::has(&data, &"kind".into()).unwrap_or(false) {
            help(&reply_scope, &data);
        } else {
            handle(&reply_scope, data);
        }
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
    if BUSY.get() && !answers_while_busy(&message) {
        // Another request is on the pool; this one waits its turn, in order.
        WAITING.with_borrow_mut(|waiting| waiting.push_back(data));
        return;
    }
    if uses_pool(&message) && pool::helper_count() > 1 {
        BUSY.set(true);
        let scope = scope.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match &message {
                ToWorker::Train { job_id, request } => train_on_pool(&scope, *job_id, request).await,
                _ => explain_on_pool(&message).await,
            }
            reply(&scope, message, None);
            // Helpers stop after each request: a wasm memory never shrinks, so a helper kept
            // alive would hold its peak (the trees it grew, the rows it explained) for good.
            POOL.set(None);
            BUSY.set(false);
            while !BUSY.get() {
                let Some(next) = WAITING.with_borrow_mut(VecDeque::pop_front) else { break };
                handle(&scope, next);
            }
        });
        return;
    }
    let file = file.and_then(|file| file.dyn_into::<web_sys::File>().ok());
    let file = match file.map(file::FileSlices::new).transpose() {
        Ok(file) => {
            file.map(|file| Box::new(std::io::BufReader::with_capacity(file::SLICE_BYTES, file)) as Box<dyn PostedFile>)
        }
        Err(error) => {
            let reply = FromWorker::Failed { job_id: job_id_of(&message), message: error };
            return post(scope, &reply);
        }
    };
    reply(scope, message, file);
}

fn reply(scope: &DedicatedWorkerGlobalScope, message: ToWorker, file: Option<Box<dyn PostedFile>>) {
    // A restore's reply only confirms it: the page holds those claims already.
    let page_has_the_claims = matches!(message, ToWorker::Restore { .. });
    let reply =
        SESSION.with(|session| session.borrow_mut().handle(message, file, &mut |progress| post(scope, &progress)));
    // Loaded claims travel beside the message, written straight into a JavaScript array and
    // transferred: serde would copy them into a second buffer, and a wasm buffer would hold
    // them whole here for good (a wasm memory keeps its peak).
    match reply {
        FromWorker::Loaded { job_id, .. } if !page_has_the_claims => {
            match SESSION.with(|session| claims_array(&session.borrow())) {
                Ok(claims) => post_with(scope, &reply, Some(&claims)),
                Err(error) => {
                    // The session holds the new claims now: the page drops its old copy when the
                    // reply comes without claims, and then hears why.
                    post(scope, &reply);
                    let message = format!("Could not send the claims to the page: {error}");
                    post(scope, &FromWorker::Failed { job_id, message });
                }
            }
        }
        reply => post(scope, &reply),
    }
}

/// The session's claims as bytes in a JavaScript array.
fn claims_array(session: &Session) -> Result<Uint8Array, String> {
    let mut out = js_writer::JsArrayWriter::with_len(session.claims_byte_len().unwrap_or(0))?;
    session.write_claims(&mut out).map_err(|error| error.to_string())?;
    out.into_filled()
}

/// Does a training request's heavy parts on the pool and hands the results to the session:
/// the random forest's trees and scores, and the isolation forest's scores. On any failure
/// the session simply does that part itself when it handles the request (and reports its
/// own errors, such as a missing label).
async fn train_on_pool(scope: &DedicatedWorkerGlobalScope, job_id: u64, request: &RunRequest) {
    let Some(pool) = request_pool() else { return };
    let total = request.n_trees_total();
    let progress = |done: usize, stage: &str| {
        post(scope, &FromWorker::Progress { job_id, done, total, stage: stage.into() });
    };
    if request.algorithm.fits_forest() && grow_on_pool(scope, job_id, request, &pool).await {
        progress(request.forest.n_trees, SCORING_STAGE);
        let tasks = SESSION.with_borrow_mut(|session| match session.forest_scoring() {
            Ok(Some(scoring)) => pool.predict_binned_tasks(&scoring.view, scoring.rows).ok(),
            _ => None,
        });
        predict_on_pool(&pool, tasks, Session::provide_forest_scores).await;
    }
    if request.algorithm.fits_isolation() {
        let n_forest = total - request.isolation.n_trees;
        progress(n_forest, FITTING_ISOLATION_STAGE);
        let tasks = SESSION.with_borrow_mut(|session| {
            let mut on_progress = |p: FitProgress| {
                progress(n_forest + p.n_trees_done, FITTING_ISOLATION_STAGE);
                ControlFlow::Continue(())
            };
            match session.plan_isolation(request, &mut on_progress) {
                Ok(Some((view, rows))) => pool.predict_tasks(&view, &rows).ok(),
                _ => None,
            }
        });
        progress(total, SCORING_STAGE);
        predict_on_pool(&pool, tasks, Session::provide_isolation_lengths).await;
    }
}

/// Runs batch-prediction tasks (if any) on the pool and hands the values to the session.
async fn predict_on_pool(pool: &pool::Pool, tasks: Option<Vec<pool::Task>>, hand_over: fn(&mut Session, Vec<f64>)) {
    let Some(tasks) = tasks else { return };
    match pool.predict(tasks).await {
        Ok(values) => SESSION.with_borrow_mut(|session| hand_over(session, values)),
        Err(error) => warn_pool_failed(&error),
    }
}

/// Grows the request's random-forest trees on the pool; whether they were handed over.
async fn grow_on_pool(
    scope: &DedicatedWorkerGlobalScope,
    job_id: u64,
    request: &RunRequest,
    pool: &pool::Pool,
) -> bool {
    let planned = SESSION.with_borrow_mut(|session| match session.plan_forest(request) {
        Ok(Some(job)) => job_array(job).ok().map(|bytes| (bytes, job.tree_ranges(pool.len()))),
        _ => None,
    });
    let Some((job, ranges)) = planned else { return false };
    let total = request.n_trees_total();
    let done = Rc::new(Cell::new(0usize));
    let progress_scope = scope.clone();
    let on_tree: Rc<dyn Fn()> = Rc::new(move || {
        done.set(done.get() + 1);
        let stage = FITTING_FOREST_STAGE.into();
        post(&progress_scope, &FromWorker::Progress { job_id, done: done.get(), total, stage });
    });
    post(scope, &FromWorker::Progress { job_id, done: 0, total, stage: FITTING_FOREST_STAGE.into() });
    match pool.grow_forest(job, ranges, on_tree).await {
        Ok(grown) => {
            SESSION.with_borrow_mut(|session| session.provide_trees(grown));
            true
        }
        Err(error) => {
            warn_pool_failed(&error);
            false
        }
    }
}

/// A forest job's bytes, written straight into a JavaScript array: at a million claims
/// they are 30 MB, which a wasm buffer would add to this worker's memory for good.
fn job_array(job: &ForestJob) -> Result<Uint8Array, String> {
    let mut out = js_writer::JsArrayWriter::with_len(job.byte_len())?;
    job.write_to(&mut out).map_err(|error| error.to_string())?;
    out.into_filled()
}

fn warn_pool_failed(error: &str) {
    web_sys::console::warn_1(&format!("ClaimForest: the worker pool failed ({error}); working here").into());
}

/// Requests whose heavy parts run on the pool: training (trees and scores), and SHAP batches.
fn uses_pool(message: &ToWorker) -> bool {
    match message {
        ToWorker::Train { .. } | ToWorker::ExplainSample { .. } => true,
        ToWorker::Export { request, .. } => matches!(request, ExportRequest::QueueExplanations { .. }),
        _ => false,
    }
}

/// Quick requests that only read the session, answered while a request is on the pool (an
/// explanation click need not wait for the explained sample); everything else waits.
fn answers_while_busy(message: &ToWorker) -> bool {
    match message {
        ToWorker::Explain { .. } | ToWorker::WhatIf { .. } => true,
        ToWorker::Export { request, .. } => !matches!(request, ExportRequest::QueueExplanations { .. }),
        _ => false,
    }
}

/// Computes the SHAP values a request needs on the pool and hands them to the session; on
/// any failure the session computes them itself.
async fn explain_on_pool(message: &ToWorker) {
    let Some(pool) = request_pool() else { return };
    let Some(work) = SESSION.with_borrow(|session| session.shap_work(message).ok().flatten()) else { return };
    match pool.explain(&work.ensemble, &work.rows).await {
        Ok(values) => SESSION.with_borrow_mut(|session| session.provide_shap(message, work.key, values)),
        Err(error) => warn_pool_failed(&error),
    }
}

/// The current request's pool, started on first use (it stops when the request ends).
fn request_pool() -> Option<Rc<pool::Pool>> {
    if let Some(pool) = POOL.with_borrow(Clone::clone) {
        return Some(pool);
    }
    match pool::Pool::start(pool::helper_count()) {
        Ok(pool) => Some(POOL.with_borrow_mut(|slot| slot.insert(Rc::new(pool)).clone())),
        Err(error) => {
            web_sys::console::warn_1(&format!("ClaimForest: no worker pool ({error})").into());
            None
        }
    }
}

/// Serves a helper task from the session worker: grow a range of a forest's trees,
/// explain rows, or predict rows.
fn help(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
    let field = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    // A field's bytes are copied into wasm memory and its JavaScript buffer freed at once
    // (a forest job's 30 MB at a million claims stayed for the whole growing before).
    let bytes_of = |key: &str| {
        field(key).dyn_into::<Uint8Array>().map(|array| {
            let bytes = array.to_vec();
            js_writer::release(&array);
            bytes
        })
    };
    let view = || -> Result<ShapEnsemble, String> {
        ShapEnsemble::from_bytes(&bytes_of("view").map_err(|_| "the task has no model")?).map_err(|e| e.to_string())
    };
    let view_and_rows = || -> Result<(ShapEnsemble, crate::ml::FeatureMatrix), String> {
        let view = view()?;
        let rows =
            matrix_from_bytes(&bytes_of("rows").map_err(|_| "the task has no rows")?).map_err(|e| e.to_string())?;
        Ok((view, rows))
    };
    let outcome = match field("kind").as_string().as_deref() {
        Some("grow") => (|| -> Result<Vec<u8>, String> {
            let first = field("first").as_f64().ok_or("the task has no first tree")? as usize;
            let end = field("end").as_f64().ok_or("the task has no end")? as usize;
            // The job's bytes go as soon as it is decoded, before any tree grows.
            let job = ForestJob::from_owned_bytes(bytes_of("job").map_err(|_| "the task has no job")?)
                .map_err(|e| e.to_string())?;
            let mut on_progress = |_| {
                let progress = Object::new();
                let _ = Reflect::set(&progress, &"progress".into(), &JsValue::TRUE);
                let _ = scope.post_message(&progress);
                ControlFlow::Continue(())
            };
            job.grow(first..end, &mut on_progress).map(|grown| grown.to_bytes()).map_err(|e| e.to_string())
        })(),
        Some("shap") => {
            view_and_rows().map(|(view, rows)| shap_values_to_bytes(&TreeExplainer::new(&view).explain_matrix(&rows)))
        }
        // The chunk is scored from its bytes a block of rows at a time, never decoded whole.
        Some("predict") => (|| -> Result<Vec<u8>, String> {
            let flat = FlatForest::from_ensemble(&view()?);
            let bytes = bytes_of("rows").map_err(|_| "the task has no rows")?;
            let rows = MatrixBytes::new(&bytes).map_err(|e| e.to_string())?;
            let values = flat.predict_source(&rows, &Rows::all(rows.n_rows())).map_err(|e| e.to_string())?;
            Ok(predictions_to_bytes(&values))
        })(),
        Some("predict_binned") => (|| -> Result<Vec<u8>, String> {
            let view = view()?;
            let rows = binned_rows_from_bytes(&bytes_of("rows").map_err(|_| "the task has no rows")?)
                .map_err(|e| e.to_string())?;
            let scores = FlatForest::from_ensemble(&view)
                .predict_binned(&rows)
                .ok_or("the forest does not split on the rows' bins")?;
            Ok(predictions_to_bytes(&scores))
        })(),
        _ => Err("an unknown helper task".to_owned()),
    };
    let reply = Object::new();
    let transfer = Array::new();
    let _ = match outcome {
        Ok(bytes) => {
            let bytes = Uint8Array::from(bytes.as_slice());
            transfer.push(&bytes.buffer());
            Reflect::set(&reply, &"result".into(), &bytes)
        }
        Err(error) => Reflect::set(&reply, &"error".into(), &error.into()),
    };
    if let Err(error) = scope.post_message_with_transfer(&reply, &transfer) {
        web_sys::console::error_2(&"ClaimForest helper: postMessage failed".into(), &error);
    }
}

fn job_id_of(message: &ToWorker) -> u64 {
    match message {
        ToWorker::IngestFile { job_id, .. }
        | ToWorker::JoinFile { job_id, .. }
        | ToWorker::ScoreBatch { job_id, .. }
        | ToWorker::LoadModelFile { job_id, .. }
        | ToWorker::Train { job_id, .. } => *job_id,
        _ => 0,
    }
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker) {
    post_with(scope, message, None);
}

/// Posts a reply in its envelope, with `attachment`'s buffer transferred.
fn post_with(scope: &DedicatedWorkerGlobalScope, message: &FromWorker, attachment: Option<&js_sys::Uint8Array>) {
    let transfer = js_sys::Array::new();
    if let Some(bytes) = attachment {
        transfer.push(&bytes.buffer());
    }
    let value = codec::encode_with_transfer(message, &transfer)
        .and_then(|value| codec::envelope(value, attachment.map(AsRef::as_ref)));
    match value {
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
