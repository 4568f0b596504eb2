//! The browser UI (wasm32 only). Components wire signals; logic lives in `workspace`,
//! `pipeline` and the pure core.

mod app;
mod components;
mod worker_client;

pub use app::App;
