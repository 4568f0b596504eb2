// Starts a ClaimForest Web Worker (a module worker) from the app's own wasm module.
// The first message is {boot: {glue, module}}: the URL of wasm-bindgen's glue and the
// compiled WebAssembly.Module, posted by the page (or by the session worker, for its
// helpers). The module's start function sees it runs in a worker and serves messages.
self.onmessage = async (event) => {
  const boot = event.data && event.data.boot;
  if (!boot) return;
  self.onmessage = null;
  self.claimforestBoot = boot;
  try {
    const glue = await import(boot.glue);
    // The module's exports stay reachable (the browser benchmark reads each wasm memory's size).
    self.claimforestWasm = await glue.default({ module_or_path: boot.module });
  } catch (error) {
    // Rethrown outside the promise, so the owner's `error` event reports it.
    setTimeout(() => { throw error; });
  }
};
