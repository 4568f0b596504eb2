//! The workspace's screens, one per file. Each reads the shared [`super::state::AppState`]
//! from context and only wires signals.

mod data;
mod evaluation;
mod explanation;
mod files;
mod queue;
mod results;
mod rules;
mod summaries;
mod train;
mod whatif;

pub use data::DataPanel;
pub use evaluation::EvaluationPanel;
pub use files::FilesPanel;
pub use queue::QueuePanel;
pub use results::ResultsPanel;
pub use rules::RulesPanel;
pub use summaries::SummariesPanel;
pub use train::TrainPanel;
pub use whatif::WhatIfPanel;
