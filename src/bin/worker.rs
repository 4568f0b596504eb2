//! The Web Worker's entry point: starts the worker loop. Nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    claimforest::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The worker is a WebAssembly binary loaded by the app; it does not run natively.");
    std::process::exit(2);
}
