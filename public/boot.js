// Starts the ClaimForest app. Trunk's inline boot script is replaced by this file
// (Trunk.toml `pattern_script`) so the Content-Security-Policy can forbid inline scripts.
const tag = document.querySelector('script[data-js][data-wasm]');
const app = await import(new URL(tag.dataset.js, document.baseURI).href);
await app.default({ module_or_path: new URL(tag.dataset.wasm, document.baseURI).href });
