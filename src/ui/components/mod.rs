//! Reusable view pieces, one per file.

pub mod claims_grid;
pub mod error_banner;
pub mod metric;
pub mod progress_bar;

pub use claims_grid::{ClaimsGrid, GridSort};
pub use error_banner::ErrorBanner;
pub use metric::Metric;
pub use progress_bar::ProgressBar;
