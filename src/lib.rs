//! ClaimForest: claims scoring with forests, exact explanations and business rules,
//! running entirely in the browser (and natively, for batch work).
//!
//! The pure core (`claims`, `ml`, `pipeline`) knows nothing about the web and builds and
//! tests natively. The browser parts (`ui`, `worker`) exist only on wasm32.

#![warn(missing_docs)]

pub mod analysis;
pub mod claims;
pub mod hashing;
pub mod json_header;
pub mod json_text;
pub mod ml;
pub mod page;
pub mod pipeline;
pub mod protocol;
pub mod rng;
pub mod session;
pub mod sorting;
pub mod tag_first;
#[cfg(test)]
mod test_support;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
