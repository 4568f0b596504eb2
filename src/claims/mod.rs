//! The claims layer: schema, tables and generators. It knows nothing about forests.

pub mod csv_writer;
pub mod entities;
pub mod features;
pub mod ingest;
pub mod join;
pub mod levels;
pub mod numbers;
pub mod population;
pub mod rules;
pub mod schema;
pub mod summaries;
pub mod synth;
pub mod table;
pub mod table_bytes;

pub use levels::Levels;
pub use numbers::Numbers;
pub use table::{ClaimsTable, Column, ColumnData};
