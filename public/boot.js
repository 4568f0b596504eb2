// Starts the ClaimForest app. Trunk's inline boot script is replaced by this file
// (Trunk.toml `pattern_script`) so the Content-Security-Policy can forbid inline scripts.
// The same wasm module also runs every Web Worker: the page hands workers its compiled
// module and the glue's URL (kept here), so they download and compile nothing again.
const tag = document.querySelector('script[data-js][data-wasm]');
const glue = new URL(tag.dataset.js, document.baseURI).href;
globalThis.claimforestBoot = { glue };
const app = await import(glue);
// The module's exports stay reachable (the browser benchmark reads each wasm memory's size).
globalThis.claimforestWasm = await app.default({ module_or_path: new URL(tag.dataset.wasm, document.baseURI).href });
