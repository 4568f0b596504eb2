// Starts the ClaimForest Web Worker (a classic worker): load wasm-bindgen's glue, then the wasm.
// Paths are relative to this script, so the worker also runs under a sub-path.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
