//! The browser entry point of the one wasm module: on a page it mounts `<App/>`; in a Web
//! Worker (loaded by public/worker_boot.js) it serves the session or helps its pool.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    if claimforest::worker::in_worker_scope() {
        claimforest::worker::start();
    } else {
        leptos::mount::mount_to_body(claimforest::ui::App);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The app is a WebAssembly binary: run `./x serve` to build and serve it, or use the `claimforest` CLI.");
    std::process::exit(2);
}
