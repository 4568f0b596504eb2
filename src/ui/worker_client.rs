//! The page's handle on the Web Worker: spawn on demand, queue until ready, terminate to cancel.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::protocol::{Envelope, FromWorker, ToWorker};
use crate::worker::codec;
use crate::worker::spawn::{describe_js_error, spawn_worker};

/// What the worker client reports to the page.
#[derive(Debug, Clone)]
pub enum WorkerEvent {
    /// A reply from the worker, and the claims' bytes a `Loaded` reply carries beside it
    /// (read straight from JavaScript memory, never copied whole into the page's).
    Reply(Envelope<FromWorker>, Option<Uint8Array>),
    /// The worker failed to start or crashed; the sentence says why.
    Crashed(String),
}

/// A cheap-to-clone handle on the (lazily started) worker.
#[derive(Clone)]
pub struct WorkerClient {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    crashed: bool,
    pending: Vec<JsValue>,
    on_event: Rc<dyn Fn(WorkerEvent)>,
    handlers: Option<Handlers>,
}

struct Handlers {
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl WorkerClient {
    /// A client that reports every event to `on_event`. No worker starts until `send`.
    pub fn new(on_event: impl Fn(WorkerEvent) + 'static) -> Self {
        let inner = Inner {
            worker: None,
            ready: false,
            crashed: false,
            pending: Vec::new(),
            on_event: Rc::new(on_event),
            handlers: None,
        };
        Self { inner: Rc::new(RefCell::new(inner)) }
    }

    /// Sends a job, starting the worker first if needed; messages wait until it is ready.
    /// A `File` travels beside the message for the worker to read (uploads never pass
    /// through the page's memory).
    pub fn send_with_file(&self, message: &Envelope<ToWorker>, file: Option<&web_sys::File>) -> Result<(), String> {
        let value = codec::envelope(codec::encode(message)?, file.map(AsRef::as_ref))?;
        self.ensure_started()?;
        let mut inner = self.inner.borrow_mut();
        match (&inner.worker, inner.ready) {
            (Some(worker), true) => worker.post_message(&value).map_err(describe_js_error),
            _ => {
                inner.pending.push(value);
                Ok(())
            }
        }
    }

    /// Stops the worker at once, dropping whatever it was doing. The next `send` starts a new one.
    pub fn terminate(&self) {
        let mut inner = self.inner.borrow_mut();
        if let Some(worker) = inner.worker.take() {
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
        inner.ready = false;
        inner.crashed = false;
        inner.pending.clear();
        inner.handlers = None;
    }

    fn ensure_started(&self) -> Result<(), String> {
        if self.inner.borrow().crashed {
            // A crashed worker (for example a trap in wasm) cannot be trusted with more work.
            self.terminate();
        }
        if self.inner.borrow().worker.is_some() {
            return Ok(());
        }
        let worker = spawn_worker().map_err(|e| format!("The background worker could not start: {e}"))?;
        let weak = Rc::downgrade(&self.inner);
        let on_message =
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| on_worker_message(&weak, event));
        let weak = Rc::downgrade(&self.inner);
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let message = format!("The background worker stopped: {}", event.message());
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().crashed = true;
                let on_event = inner.borrow().on_event.clone();
                on_event(WorkerEvent::Crashed(message));
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut inner = self.inner.borrow_mut();
        inner.worker = Some(worker);
        inner.ready = false;
        inner.handlers = Some(Handlers { _on_message: on_message, _on_error: on_error });
        Ok(())
    }
}

fn on_worker_message(weak: &Weak<RefCell<Inner>>, event: MessageEvent) {
    let Some(inner) = weak.upgrade() else { return };
    let (message, attachment) = match codec::unwrap_envelope(&event.data()) {
        Ok(parts) => parts,
        Err(error) => {
            let on_event = inner.borrow().on_event.clone();
            return on_event(WorkerEvent::Crashed(format!("The worker sent a message the page cannot read: {error}")));
        }
    };
    let event = match codec::decode::<Envelope<FromWorker>>(message) {
        Ok(Envelope { body: FromWorker::Ready, .. }) => {
            // Flush queued jobs outside the borrow: posting never re-enters, but the page's
            // handler below may call back into the client.
            let (worker, pending) = {
                let mut state = inner.borrow_mut();
                state.ready = true;
                (state.worker.clone(), std::mem::take(&mut state.pending))
            };
            if let Some(worker) = worker {
                for message in pending {
                    if let Err(error) = worker.post_message(&message) {
                        let on_event = inner.borrow().on_event.clone();
                        on_event(WorkerEvent::Crashed(describe_js_error(error)));
                    }
                }
            }
            WorkerEvent::Reply(Envelope::new(0, FromWorker::Ready), None)
        }
        Ok(reply) => WorkerEvent::Reply(reply, attachment.and_then(|bytes| bytes.dyn_into::<Uint8Array>().ok())),
        Err(error) => WorkerEvent::Crashed(format!("The worker sent a message the page cannot read: {error}")),
    };
    let on_event = inner.borrow().on_event.clone();
    on_event(event);
}
