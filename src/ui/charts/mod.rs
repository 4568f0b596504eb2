//! Charts drawn as SVG (wasm32 only): each takes plain values, and its geometry comes from
//! `page::charts`. Colours are CSS custom properties, so the charts follow the colour scheme.

pub mod bar_chart;
pub mod beeswarm_chart;
mod frame;
pub mod histogram_chart;
pub mod line_chart;
pub mod waterfall_chart;

pub use bar_chart::BarChart;
pub use beeswarm_chart::BeeswarmChart;
pub use histogram_chart::HistogramChart;
pub use line_chart::{LineChart, Series, SeriesStyle};
pub use waterfall_chart::WaterfallChart;

pub use crate::page::charts::{ChartColour, HistogramScale};
