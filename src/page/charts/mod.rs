//! Chart geometry as plain Rust: scales and ticks, label formatting, SVG path data and legend
//! placement, the beeswarm's jitter, the waterfall's bars and the histogram's bins. The Leptos
//! charts in `ui::charts` only draw what these functions compute, and nothing here panics on
//! any input (empty data, NaN, infinities, one point).

mod format;
mod histogram;
mod layout;
mod scale;
mod swarm;
mod waterfall;

pub use format::{format_coordinate, format_number, format_signed, format_tick};
pub use histogram::{histogram_bins, HistogramBin, HistogramScale};
pub use layout::{
    centred_label_x, legend_layout, polyline_path, text_width, truncate_label, ChartColour, LegendSlot, LEGEND_SWATCH,
};
pub use scale::{axis_ticks, finite_extent, nice_domain, nice_step, nice_ticks, zero_based_domain, LinearScale, Tick};
pub use swarm::{rank_bucket, swarm_layout, SwarmDot, SwarmLayout};
pub use waterfall::{classify_steps, describe_waterfall, waterfall_bars, Direction, StepKind, WaterfallBar};
