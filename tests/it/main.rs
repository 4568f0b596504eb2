//! The native integration tests: one binary, a module per area.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;

mod categories;
mod cli;
mod denial_acceptance;
mod determinism;
mod header_spellings;
mod hostile;
mod hostile_models;
mod hostile_peers;
mod hybrid_acceptance;
mod joins;
mod medical_acceptance;
mod memory;
mod page_model;
mod population;
mod row_order;
mod run_cli;
mod tidy;
mod user_names;

#[global_allocator]
static ALLOCATOR: memory::PerThreadCounting = memory::PerThreadCounting;
