//! The session worker's pool of helper workers, sized to the machine's cores: each helper
//! receives the binned training matrix once per fit and grows its range of trees, or a
//! model's explanation view and a chunk of rows to explain. A pool lives for one request.
//!
//! Helpers run the same wasm module (see [`super::spawn`]). Nothing is shared: the job and
//! the trees travel as transferred `ArrayBuffer`s, so no `SharedArrayBuffer` (and no
//! COOP/COEP headers) is needed. Terminating the session worker terminates its helpers.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::codec;
use super::spawn::{describe_js_error, spawn_worker};
use crate::ml::binning::BinnedMatrix;
use crate::ml::forest_job::{split_ranges, GrownTrees};
use crate::ml::shap::wire::{
    binned_rows_to_bytes, matrix_pieces, predictions_from_bytes, shap_values_from_bytes, MatrixPiece,
};
use crate::ml::shap::ShapValues;
use crate::ml::source::read_column;
use crate::ml::{FeatureMatrix, FeatureSource, Rows};
use crate::protocol::{HelperReply, HelperTask};

/// The most helpers a pool starts, whatever the machine reports.
pub const MAX_HELPERS: usize = 8;

/// How many helpers this machine gets: `navigator.hardwareConcurrency`, at most
/// [`MAX_HELPERS`], at least 1.
pub fn helper_count() -> usize {
    let cores = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|navigator| Reflect::get(&navigator, &"hardwareConcurrency".into()))
        .ok()
        .and_then(|value| value.as_f64())
        .unwrap_or(1.0);
    (cores as usize).clamp(1, MAX_HELPERS)
}

/// Helper workers, started for one request (they boot on the already-compiled module).
pub struct Pool {
    helpers: Vec<Helper>,
}

struct Helper {
    worker: Worker,
    state: Rc<RefCell<HelperState>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

#[derive(Default)]
struct HelperState {
    ready: bool,
    failed: Option<String>,
    waiting: Vec<Waiter>,
    task: Option<Waiter>,
    on_tree: Option<Rc<dyn Fn()>>,
}

struct Waiter {
    resolve: js_sys::Function,
    reject: js_sys::Function,
}

impl Pool {
    /// Starts `n_helpers` workers; they load in the background.
    pub fn start(n_helpers: usize) -> Result<Self, String> {
        let helpers = (0..n_helpers).map(|_| Helper::start()).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { helpers })
    }

    /// Number of helpers.
    pub fn len(&self) -> usize {
        self.helpers.len()
    }

    /// Whether the pool has no helper.
    pub fn is_empty(&self) -> bool {
        self.helpers.is_empty()
    }

    /// Grows `ranges` of the forest in `job` (a [`crate::ml::forest_job::ForestJob`] as
    /// bytes, in a JavaScript array), one range per helper, calling `on_tree` after every
    /// tree anywhere. The last helper is sent `job` itself, the others copies made in
    /// JavaScript, so no copy passes through this worker's wasm memory.
    pub async fn grow_forest(
        &self,
        job: Uint8Array,
        ranges: Vec<Range<usize>>,
        on_tree: Rc<dyn Fn()>,
    ) -> Result<Vec<GrownTrees>, String> {
        let n_ranges = ranges.len();
        let tasks = ranges
            .into_iter()
            .enumerate()
            .map(|(idx, range)| {
                let task = HelperTask::Grow { first: range.start as u32, end: range.end as u32 };
                let bytes = if idx + 1 == n_ranges { job.clone() } else { job.slice(0, job.length()) };
                Task::new(&task, vec![bytes])
            })
            .collect::<Result<Vec<_>, _>>()?;
        let replies = self.run_all(tasks, on_tree).await?;
        replies.iter().map(|bytes| GrownTrees::from_bytes(bytes).map_err(|e| e.to_string())).collect()
    }

    /// Exact SHAP values of `rows` under the explanation view `view` (bytes of a
    /// [`crate::ml::shap::ShapEnsemble`]), rows split across helpers. Rows are explained
    /// independently, so the values equal a single run's.
    pub async fn explain(&self, view: &[u8], rows: &FeatureMatrix) -> Result<ShapValues, String> {
        let replies = self.run_all(self.row_tasks(HelperTask::Explain, view, rows)?, Rc::new(|| {})).await?;
        let n_features = rows.n_features();
        let mut values = Vec::with_capacity(rows.n_rows() * n_features);
        let mut base_value = 0.0;
        for reply in &replies {
            let part = shap_values_from_bytes(reply).map_err(|e| e.to_string())?;
            base_value = part.base_value;
            values.extend(part.values);
        }
        if values.len() != rows.n_rows() * n_features {
            return Err("the helpers' values do not match the rows".into());
        }
        Ok(ShapValues { base_value, n_features, values })
    }

    /// Splits a batch prediction of `view` (bytes of a [`crate::ml::shap::ShapEnsemble`])
    /// over every row of `rows` into one task per helper, for [`Pool::predict`]. Building
    /// the tasks is synchronous, so a caller may borrow the rows from the session for it.
    pub fn predict_tasks(&self, view: &[u8], rows: &dyn FeatureSource) -> Result<Vec<Task>, String> {
        self.row_tasks(HelperTask::Predict, view, rows)
    }

    /// [`Pool::predict_tasks`] for rows held as the bin codes the forest grew on: each chunk
    /// travels as its codes ([`binned_rows_to_bytes`]), a quarter of the bytes, and scores
    /// the same.
    pub fn predict_binned_tasks(&self, view: &[u8], rows: &BinnedMatrix) -> Result<Vec<Task>, String> {
        self.chunk_tasks(HelperTask::PredictBinned, view, rows.n_rows(), |chunk| {
            Uint8Array::from(binned_rows_to_bytes(rows, chunk).as_slice())
        })
    }

    /// Runs [`Pool::predict_tasks`]' (or [`Pool::predict_binned_tasks`]') tasks: the view's batch prediction of every row, in row
    /// order (rows are independent, so the values equal a single run's).
    pub async fn predict(&self, tasks: Vec<Task>) -> Result<Vec<f64>, String> {
        let mut values = Vec::new();
        for reply in self.run_all(tasks, Rc::new(|| {})).await? {
            values.extend(predictions_from_bytes(&reply).map_err(|e| e.to_string())?);
        }
        Ok(values)
    }

    /// One task per helper with the view and a chunk of rows. Each chunk is written a
    /// column at a time straight into its message, so no copy of the chunk grows this
    /// worker's memory.
    fn row_tasks(&self, task: HelperTask, view: &[u8], rows: &dyn FeatureSource) -> Result<Vec<Task>, String> {
        self.chunk_tasks(task, view, rows.n_rows(), |chunk| chunk_bytes(rows, chunk))
    }

    /// One task per helper with the view and `rows_of(chunk)`, its share of `n_rows` rows.
    fn chunk_tasks(
        &self,
        task: HelperTask,
        view: &[u8],
        n_rows: usize,
        rows_of: impl Fn(Range<usize>) -> Uint8Array,
    ) -> Result<Vec<Task>, String> {
        split_ranges(n_rows, self.helpers.len())
            .into_iter()
            .map(|chunk| Task::new(&task, vec![Uint8Array::from(view), rows_of(chunk)]))
            .collect()
    }

    /// Posts task `i` to helper `i` and waits for every reply's bytes, in task order.
    async fn run_all(&self, tasks: Vec<Task>, on_tree: Rc<dyn Fn()>) -> Result<Vec<Vec<u8>>, String> {
        let mut pending = Vec::with_capacity(tasks.len());
        for (helper, task) in self.helpers.iter().zip(tasks) {
            helper.ready().await?;
            pending.push(helper.run(&task.message, &task.transfer, on_tree.clone())?);
        }
        let mut replies = Vec::with_capacity(pending.len());
        for promise in pending {
            let reply = JsFuture::from(promise).await.map_err(describe_js_error)?;
            let bytes: Uint8Array = reply.dyn_into().map_err(|_| "a helper sent back something other than bytes")?;
            replies.push(bytes.to_vec());
            super::js_writer::release(&bytes);
        }
        Ok(replies)
    }
}

/// One helper's share of a request, ready to post: a [`HelperTask`] with its byte arrays
/// beside it, their buffers transferred rather than copied.
pub struct Task {
    message: JsValue,
    transfer: Array,
}

impl Task {
    fn new(task: &HelperTask, bytes: Vec<Uint8Array>) -> Result<Self, String> {
        let (message, transfer) = codec::helper_task(task, &bytes)?;
        Ok(Self { message, transfer })
    }
}

/// `matrix_to_bytes` of a row range, written piece by piece into a JavaScript buffer.
fn chunk_bytes(rows: &dyn FeatureSource, chunk: Range<usize>) -> Uint8Array {
    let pieces = matrix_pieces(rows, chunk.clone());
    let length = |piece: &MatrixPiece| match piece {
        MatrixPiece::Bytes(bytes) => bytes.len(),
        MatrixPiece::Column(_) => chunk.len() * 4,
    };
    let out = Uint8Array::new_with_length(pieces.iter().map(length).sum::<usize>() as u32);
    let mut offset = 0;
    let mut column = Vec::with_capacity(chunk.len());
    for piece in &pieces {
        match piece {
            MatrixPiece::Bytes(bytes) => out.set(&Uint8Array::from(bytes.as_slice()), offset as u32),
            MatrixPiece::Column(feature) => {
                read_column(rows, *feature, &Rows::Range(chunk.clone()), &mut column);
                // Float32Array is little-endian in every browser, as the format is.
                let values = js_sys::Float32Array::from(column.as_slice());
                out.set(&Uint8Array::new(&values.buffer()), offset as u32);
            }
        }
        offset += length(piece);
    }
    out
}

impl Helper {
    fn start() -> Result<Self, String> {
        let worker = spawn_worker()?;
        let state = Rc::new(RefCell::new(HelperState::default()));
        let message_state = state.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            on_helper_message(&message_state, &event.data());
        });
        let error_state = state.clone();
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            fail(&error_state, format!("a helper worker stopped: {}", event.message()));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self { worker, state, _on_message: on_message, _on_error: on_error })
    }

    /// Resolves once the helper's wasm runs.
    async fn ready(&self) -> Result<(), String> {
        {
            let state = self.state.borrow();
            if let Some(error) = &state.failed {
                return Err(error.clone());
            }
            if state.ready {
                return Ok(());
            }
        }
        let state = self.state.clone();
        let promise = Promise::new(&mut |resolve, reject| state.borrow_mut().waiting.push(Waiter { resolve, reject }));
        JsFuture::from(promise).await.map(|_| ()).map_err(describe_js_error)
    }

    /// Posts one task; the promise resolves with the helper's result bytes.
    fn run(&self, task: &JsValue, transfer: &Array, on_tree: Rc<dyn Fn()>) -> Result<Promise, String> {
        let state = self.state.clone();
        let promise = Promise::new(&mut |resolve, reject| {
            let mut state = state.borrow_mut();
            state.task = Some(Waiter { resolve, reject });
            state.on_tree = Some(on_tree.clone());
        });
        self.worker.post_message_with_transfer(task, transfer).map_err(describe_js_error)?;
        Ok(promise)
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

fn on_helper_message(state: &Rc<RefCell<HelperState>>, data: &JsValue) {
    let finish = |outcome: Result<JsValue, JsValue>| {
        let task = state.borrow_mut().task.take();
        if let Some(task) = task {
            let _ = match outcome {
                Ok(bytes) => task.resolve.call1(&JsValue::NULL, &bytes),
                Err(error) => task.reject.call1(&JsValue::NULL, &error),
            };
        }
    };
    match codec::read_helper_reply(data) {
        Some((HelperReply::TreeGrown, _)) => {
            let on_tree = state.borrow().on_tree.clone();
            if let Some(on_tree) = on_tree {
                on_tree();
            }
        }
        Some((HelperReply::Done, Some(bytes))) => finish(Ok(bytes.into())),
        Some((HelperReply::Done, None)) => finish(Err("a helper sent no result".into())),
        Some((HelperReply::Failed(error), _)) => finish(Err(error.into())),
        None => {
            // Anything else is the helper's `Ready`.
            let waiting = {
                let mut state = state.borrow_mut();
                state.ready = true;
                std::mem::take(&mut state.waiting)
            };
            waiting.into_iter().for_each(|waiter| drop(waiter.resolve.call0(&JsValue::NULL)));
        }
    }
}

fn fail(state: &Rc<RefCell<HelperState>>, message: String) {
    let (waiting, task) = {
        let mut state = state.borrow_mut();
        state.failed = Some(message.clone());
        (std::mem::take(&mut state.waiting), state.task.take())
    };
    let reason = JsValue::from(message);
    for waiter in waiting.into_iter().chain(task) {
        let _ = waiter.reject.call1(&JsValue::NULL, &reason);
    }
}
