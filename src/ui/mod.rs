//! The browser UI (wasm32 only). Components wire signals; logic lives in `page`, `analysis`,
//! `session` and the pure core.

mod app;
pub mod charts;
mod components;
mod download;
mod js_bytes;
mod panels;
mod slices;
mod state;
mod worker_client;

pub use app::App;
