//! The browser app's entry point: panic hook, then mount `<App/>`. Nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(claimforest::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The app is a WebAssembly binary: run `./x serve` to build and serve it, or use the `claimforest` CLI.");
    std::process::exit(2);
}
