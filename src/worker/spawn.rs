//! Starting a Web Worker on the app's own wasm module: a module worker running
//! public/worker_boot.js, handed the compiled module and the glue's URL first.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Worker, WorkerOptions, WorkerType};

/// The module-worker script that boots the app's wasm in a worker (public/worker_boot.js),
/// relative to the page, or to the worker that starts another.
pub const WORKER_SCRIPT: &str = "./worker_boot.js";

/// Starts a worker on this very wasm module. It answers with a `Ready` message once its
/// wasm runs; anything posted before that is lost, so wait for it.
pub fn spawn_worker() -> Result<Worker, String> {
    let glue = Reflect::get(&js_sys::global(), &"claimforestBoot".into())
        .and_then(|boot| Reflect::get(&boot, &"glue".into()))
        .ok()
        .filter(JsValue::is_string)
        .ok_or("the app's boot script did not record where its code lives")?;
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(WORKER_SCRIPT, &options).map_err(describe_js_error)?;
    let boot = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&boot, &key.into(), value).map_err(describe_js_error);
    set("glue", &glue)?;
    set("module", &wasm_bindgen::module())?;
    let message = Object::new();
    Reflect::set(&message, &"boot".into(), &boot).map_err(describe_js_error)?;
    worker.post_message(&message).map_err(describe_js_error)?;
    Ok(worker)
}

/// Whether this code runs in a Web Worker rather than on the page.
pub fn in_worker_scope() -> bool {
    !Reflect::has(&js_sys::global(), &"document".into()).unwrap_or(false)
}

/// A JavaScript error as a sentence.
pub fn describe_js_error(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| format!("{error:?}"))
}
