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

use js_sys::{Array, Uint8Array};
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
use crate::protocol::{Envelope, ExportRequest, FromWorker, HelperReply, HelperTask, RunRequest, ToWorker};
use crate::session::{Output, PostedFile, Session, Work, FITTING_FOREST_STAGE, FITTING_ISOLATION_STAGE, SCORING_STAGE};
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
        match codec::read_helper_task(&data) {
            Some((task, bytes)) => help(&reply_scope, task, &bytes),
            None => handle(&reply_scope, data),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker does.
    on_message.forget();
    post(&scope, &Envelope::new(0, FromWorker::Ready));
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: JsValue) {
    let (message, file) = match codec::unwrap_envelope(&data) {
        Ok(parts) => parts,
        Err(error) => {
            let message = format!("The worker could not read the request: {error}");
            return post(scope, &Envelope::new(0, FromWorker::Failed { message }));
        }
    };
    let message = match codec::decode::<Envelope<ToWorker>>(message) {
        Ok(message) => message,
        Err(error) => {
            let message = format!("The worker could not read the request: {error}");
            return post(scope, &Envelope::new(0, FromWorker::Failed { message }));
        }
    };
    if BUSY.get() && !answers_while_busy(&message.body) {
        // Another request is on the pool; this one waits its turn, in order.
        WAITING.with_borrow_mut(|waiting| waiting.push_back(data));
        return;
    }
    // A training run always goes through its typed loop (on the pool, or here without one).
    if matches!(message.body, ToWorker::Train { .. }) || (uses_pool(&message.body) && pool::helper_count() > 1) {
        BUSY.set(true);
        let scope = scope.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match &message.body {
                ToWorker::Train { request } => {
                    let reply = train(&scope, message.job_id, request).await;
                    post(&scope, &reply);
                }
                _ => {
                    explain_on_pool(&message.body).await;
                    reply(&scope, message, None);
                }
            }
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
            return post(scope, &Envelope::new(message.job_id, FromWorker::Failed { message: error }));
        }
    };
    reply(scope, message, file);
}

fn reply(scope: &DedicatedWorkerGlobalScope, message: Envelope<ToWorker>, file: Option<Box<dyn PostedFile>>) {
    // A restore's reply only confirms it: the page holds those claims already.
    let page_has_the_claims = matches!(message.body, ToWorker::Restore { .. });
    let reply =
        SESSION.with(|session| session.borrow_mut().handle(message, file, &mut |progress| post(scope, &progress)));
    // Loaded claims travel beside the message, written straight into a JavaScript array and
    // transferred: serde would copy them into a second buffer, and a wasm buffer would hold
    // them whole here for good (a wasm memory keeps its peak).
    match reply.body {
        FromWorker::Loaded { .. } if !page_has_the_claims => {
            match SESSION.with(|session| claims_array(&session.borrow())) {
                Ok(claims) => post_with(scope, &reply, Some(&claims)),
                Err(error) => {
                    // The session holds the new claims now: the page drops its old copy when the
                    // reply comes without claims, and then hears why.
                    post(scope, &reply);
                    let message = format!("Could not send the claims to the page: {error}");
                    post(scope, &Envelope::new(reply.job_id, FromWorker::Failed { message }));
                }
            }
        }
        _ => post(scope, &reply),
    }
}

/// The session's claims as bytes in a JavaScript array.
fn claims_array(session: &Session) -> Result<Uint8Array, String> {
    let mut out = js_writer::JsArrayWriter::with_len(session.claims_byte_len().unwrap_or(0))?;
    session.write_claims(&mut out).map_err(|error| error.to_string())?;
    out.into_filled()
}

/// Trains through the session's typed [`Run`]: each heavy part goes to the helper pool, or
/// (with no pool, or after the pool failed) is done here by [`crate::session::Work::execute`];
/// then the run is finished and its reply posted. Either way the models are the same, bit
/// for bit.
async fn train(scope: &DedicatedWorkerGlobalScope, job_id: u64, request: &RunRequest) -> Envelope<FromWorker> {
    let mut pool = (pool::helper_count() > 1).then(request_pool).flatten();
    let total = request.n_trees_total();
    let n_forest = if request.algorithm.fits_forest() { request.forest.n_trees } else { 0 };
    let progress = |done: usize, stage: &str| {
        post(scope, &Envelope::new(job_id, FromWorker::Progress { done, total, stage: stage.into() }));
    };
    let mut run = SESSION.with_borrow(|session| session.start(job_id, request.clone()));
    loop {
        // The next part, posted to the pool (its tasks are built while the session is
        // borrowed), or done here at once.
        let next = SESSION.with_borrow_mut(|session| {
            let mut on_isolation_tree = |p: FitProgress| {
                progress(n_forest + p.n_trees_done, FITTING_ISOLATION_STAGE);
                ControlFlow::Continue(())
            };
            let work = run.next_work(session, &mut on_isolation_tree)?;
            match &work {
                Work::GrowTrees { .. } => progress(0, FITTING_FOREST_STAGE),
                Work::ScoreForest { .. } => progress(n_forest, SCORING_STAGE),
                Work::ScoreIsolation { .. } => progress(total, SCORING_STAGE),
            }
            let on_pool = pool.as_ref().map(|pool| pool_part(pool, &work));
            Some(match on_pool {
                Some(Ok(part)) => Err(part),
                Some(Err(error)) => {
                    warn_pool_failed(&error);
                    Ok(execute_here(&work, &progress))
                }
                None => Ok(execute_here(&work, &progress)),
            })
        });
        let output = match next {
            None => break,
            Some(Ok(output)) => output,
            Some(Err(part)) => match run_part(pool.as_deref(), part, scope, job_id, total).await {
                Ok(output) => Some(output),
                Err(error) => {
                    // The rest is done here; this part again from the start.
                    warn_pool_failed(&error);
                    pool = None;
                    continue;
                }
            },
        };
        match output {
            Some(output) => SESSION.with_borrow_mut(|session| run.provide(session, output)),
            // A part that failed here is done again by `finish`, which reports why.
            None => run.skip_rest(),
        }
    }
    SESSION.with_borrow_mut(|session| run.finish(session, &mut |progress| post(scope, &progress)))
}

/// Does a part here, reporting each tree grown; `None` if it failed.
fn execute_here(work: &Work<'_>, progress: &dyn Fn(usize, &str)) -> Option<Output> {
    let mut on_tree = |p: FitProgress| {
        progress(p.n_trees_done, FITTING_FOREST_STAGE);
        ControlFlow::Continue(())
    };
    work.execute(&mut on_tree).ok()
}

/// A part of a run, ready for the pool.
enum PoolPart {
    /// The forest job's bytes and one range of trees per helper.
    Grow(Uint8Array, Vec<std::ops::Range<usize>>),
    /// One batch-prediction task per helper.
    Predict(Vec<pool::Task>),
}

/// Turns a part of a run into the pool's tasks (while the session is borrowed).
fn pool_part(pool: &pool::Pool, work: &Work<'_>) -> Result<PoolPart, String> {
    match work {
        Work::GrowTrees { job } => Ok(PoolPart::Grow(job_array(job)?, job.tree_ranges(pool.len()))),
        Work::ScoreForest { view, rows } => pool.predict_binned_tasks(view, rows).map(PoolPart::Predict),
        Work::ScoreIsolation { view, rows } => pool.predict_tasks(view, rows).map(PoolPart::Predict),
    }
}

/// Runs a part on the pool, reporting each tree grown.
async fn run_part(
    pool: Option<&pool::Pool>,
    part: PoolPart,
    scope: &DedicatedWorkerGlobalScope,
    job_id: u64,
    total: usize,
) -> Result<Output, String> {
    let pool = pool.ok_or("the pool has stopped")?;
    match part {
        PoolPart::Grow(job, ranges) => {
            let done = Rc::new(Cell::new(0usize));
            let progress_scope = scope.clone();
            let on_tree: Rc<dyn Fn()> = Rc::new(move || {
                done.set(done.get() + 1);
                let stage = FITTING_FOREST_STAGE.into();
                post(&progress_scope, &Envelope::new(job_id, FromWorker::Progress { done: done.get(), total, stage }));
            });
            pool.grow_forest(job, ranges, on_tree).await.map(Output::Trees)
        }
        PoolPart::Predict(tasks) => pool.predict(tasks).await.map(Output::Values),
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

/// Serves a helper task from the session worker: grow a range of a forest's trees, explain
/// rows, or predict rows. `bytes` are the task's byte arrays (the job; or the view and rows).
fn help(scope: &DedicatedWorkerGlobalScope, task: HelperTask, bytes: &Array) {
    // A task's bytes are copied into wasm memory and their JavaScript buffer freed at once
    // (a forest job's 30 MB at a million claims stayed for the whole growing before).
    let bytes_of = |index: u32| -> Result<Vec<u8>, String> {
        let array = bytes.get(index).dyn_into::<Uint8Array>().map_err(|_| "the task lacks its bytes")?;
        let copied = array.to_vec();
        js_writer::release(&array);
        Ok(copied)
    };
    let view = || ShapEnsemble::from_bytes(&bytes_of(0)?).map_err(|e| e.to_string());
    let outcome = match task {
        HelperTask::Grow { first, end } => (|| -> Result<Vec<u8>, String> {
            // The job's bytes go as soon as it is decoded, before any tree grows.
            let job = ForestJob::from_owned_bytes(bytes_of(0)?).map_err(|e| e.to_string())?;
            let mut on_progress = |_| {
                post_helper(scope, &HelperReply::TreeGrown, None);
                ControlFlow::Continue(())
            };
            let grown = job.grow(first as usize..end as usize, &mut on_progress).map_err(|e| e.to_string())?;
            Ok(grown.to_bytes())
        })(),
        HelperTask::Explain => (|| -> Result<Vec<u8>, String> {
            let view = view()?;
            let rows = matrix_from_bytes(&bytes_of(1)?).map_err(|e| e.to_string())?;
            Ok(shap_values_to_bytes(&TreeExplainer::new(&view).explain_matrix(&rows)))
        })(),
        // The chunk is scored from its bytes a block of rows at a time, never decoded whole.
        HelperTask::Predict => (|| -> Result<Vec<u8>, String> {
            let flat = FlatForest::from_ensemble(&view()?);
            let bytes = bytes_of(1)?;
            let rows = MatrixBytes::new(&bytes).map_err(|e| e.to_string())?;
            let values = flat.predict_source(&rows, &Rows::all(rows.n_rows())).map_err(|e| e.to_string())?;
            Ok(predictions_to_bytes(&values))
        })(),
        HelperTask::PredictBinned => (|| -> Result<Vec<u8>, String> {
            let view = view()?;
            let rows = binned_rows_from_bytes(&bytes_of(1)?).map_err(|e| e.to_string())?;
            let scores = FlatForest::from_ensemble(&view)
                .predict_binned(&rows)
                .ok_or("the forest does not split on the rows' bins")?;
            Ok(predictions_to_bytes(&scores))
        })(),
    };
    match outcome {
        Ok(result) => post_helper(scope, &HelperReply::Done, Some(&Uint8Array::from(result.as_slice()))),
        Err(error) => post_helper(scope, &HelperReply::Failed(error), None),
    }
}

/// Posts a helper's reply to the session worker, with its result's buffer transferred.
fn post_helper(scope: &DedicatedWorkerGlobalScope, reply: &HelperReply, result: Option<&Uint8Array>) {
    let posted = codec::helper_reply(reply, result).and_then(|(value, transfer)| {
        scope.post_message_with_transfer(&value, &transfer).map_err(|e| format!("{e:?}"))
    });
    if let Err(error) = posted {
        web_sys::console::error_1(&format!("ClaimForest helper: postMessage failed: {error}").into());
    }
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &Envelope<FromWorker>) {
    post_with(scope, message, None);
}

/// Posts a reply in its envelope, with `attachment`'s buffer transferred.
fn post_with(
    scope: &DedicatedWorkerGlobalScope,
    message: &Envelope<FromWorker>,
    attachment: Option<&js_sys::Uint8Array>,
) {
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
