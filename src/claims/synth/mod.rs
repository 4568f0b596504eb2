//! Seeded synthetic claims generators; each writes its own ground truth.

pub mod denial;

pub use denial::generate_denial;
