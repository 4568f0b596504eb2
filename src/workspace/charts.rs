//! Chart geometry as plain Rust: linear scales, nice ticks and their labels, SVG path data,
//! legend placement, the beeswarm's jitter and the waterfall's bars. The Leptos charts in
//! `ui::charts` only draw what these functions compute, and nothing here panics on any input.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::evaluation::ScoreHistogram;
use super::explain::{FeatureContribution, WaterfallStep};

/// How far a finite value outside the domain may extrapolate, in domain widths.
const MAX_EXTRAPOLATION: f64 = 1.0e6;
/// The most ticks `nice_ticks` ever returns.
const MAX_TICKS: usize = 1_000;
/// Average glyph width of the chart font, as a fraction of its size.
const GLYPH_WIDTH: f64 = 0.6;

/// A linear map from a data interval (`domain`) to a pixel interval (`range`).
///
/// The output is always finite: non-finite endpoints count as 0, a zero-width domain maps
/// everything to the middle of the range, `±∞` map to the domain's ends and NaN to `range.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    /// The data interval; `domain.0` maps to `range.0`. It may be reversed.
    pub domain: (f64, f64),
    /// The pixel interval.
    pub range: (f64, f64),
}

impl LinearScale {
    /// A scale from `domain` to `range`.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        LinearScale { domain, range }
    }

    /// Maps `value`; finite values outside the domain extrapolate linearly (within a bound).
    pub fn map(&self, value: f64) -> f64 {
        self.at_fraction(self.fraction(value))
    }

    /// Maps `value`, clamped to the domain first, so the result lies within the range.
    pub fn map_clamped(&self, value: f64) -> f64 {
        self.at_fraction(self.fraction(value).clamp(0.0, 1.0))
    }

    fn fraction(&self, value: f64) -> f64 {
        let (d0, d1) = (finite_or_zero(self.domain.0), finite_or_zero(self.domain.1));
        let half_width = d1 / 2.0 - d0 / 2.0;
        if value.is_nan() {
            return 0.0;
        }
        if half_width == 0.0 {
            return 0.5;
        }
        if value.is_infinite() {
            return if (value > 0.0) == (half_width > 0.0) { 1.0 } else { 0.0 };
        }
        ((value / 2.0 - d0 / 2.0) / half_width).clamp(-MAX_EXTRAPOLATION, MAX_EXTRAPOLATION)
    }

    fn at_fraction(&self, fraction: f64) -> f64 {
        let (r0, r1) = (finite_or_zero(self.range.0), finite_or_zero(self.range.1));
        let out = r0 + fraction * (r1 - r0);
        if out.is_finite() {
            out
        } else {
            r0
        }
    }
}

/// The "nice" tick step (1, 2 or 5 × 10^k) for about `target_count` ticks over `min..max`;
/// None when the interval is empty or not finite.
pub fn nice_step(min: f64, max: f64, target_count: usize) -> Option<f64> {
    let (_, _, mantissa, exponent) = nice_parts(min, max, target_count)?;
    Some(step_value(1.0, mantissa, exponent))
}

/// Ticks at multiples of the nice step that lie within `[min, max]` (either order), about
/// `target_count` of them. A single finite value (or a zero-width interval) gives one tick;
/// no finite value gives none.
pub fn nice_ticks(min: f64, max: f64, target_count: usize) -> Vec<f64> {
    let Some((lo, hi, mantissa, exponent)) = nice_parts(min, max, target_count) else {
        return match (min.is_finite(), max.is_finite()) {
            (true, _) => vec![min],
            (false, true) => vec![max],
            (false, false) => Vec::new(),
        };
    };
    let step = step_value(1.0, mantissa, exponent);
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step + 1e-9).floor();
    if !(first.is_finite() && last.is_finite()) || last < first || last - first >= MAX_TICKS as f64 {
        return vec![lo, hi];
    }
    let n_ticks = (last - first) as usize + 1;
    (0..n_ticks).map(|idx| step_value(first + idx as f64, mantissa, exponent)).map(positive_zero).collect()
}

/// `[min, max]` widened to multiples of the nice step, so the ticks reach both ends.
/// Non-finite input gives `(0, 1)`; a zero-width interval is padded first.
pub fn nice_domain(min: f64, max: f64, target_count: usize) -> (f64, f64) {
    let (lo, hi) = match (min.is_finite(), max.is_finite()) {
        (true, true) => (min.min(max), min.max(max)),
        (true, false) => (min, min),
        (false, true) => (max, max),
        (false, false) => return (0.0, 1.0),
    };
    let (lo, hi) = if lo == hi {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    };
    match nice_step(lo, hi, target_count) {
        Some(step) => {
            let (nice_lo, nice_hi) = ((lo / step + 1e-9).floor() * step, (hi / step - 1e-9).ceil() * step);
            if nice_lo.is_finite() && nice_hi.is_finite() && nice_lo < nice_hi {
                (positive_zero(nice_lo), positive_zero(nice_hi))
            } else {
                (lo, hi)
            }
        }
        None if lo < hi => (lo, hi),
        None => (0.0, 1.0),
    }
}

/// A domain for bars that grow from zero: the finite values' extent widened to include 0,
/// then to nice ends; `(0, 1)` when every value is 0 or none is finite.
pub fn zero_based_domain(values: impl IntoIterator<Item = f64>, target_count: usize) -> (f64, f64) {
    match finite_extent(values) {
        Some((lo, hi)) if lo != 0.0 || hi != 0.0 => nice_domain(lo.min(0.0), hi.max(0.0), target_count),
        _ => (0.0, 1.0),
    }
}

/// One labelled tick of an axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// The data value.
    pub value: f64,
    /// Where it lands, through the axis's scale.
    pub position: f64,
    /// Its label, e.g. "0.2".
    pub label: String,
}

/// About `target_count` labelled ticks across `scale`'s domain.
pub fn axis_ticks(scale: &LinearScale, target_count: usize) -> Vec<Tick> {
    let (lo, hi) = scale.domain;
    let step = nice_step(lo, hi, target_count).unwrap_or(f64::NAN);
    nice_ticks(lo, hi, target_count)
        .into_iter()
        .map(|value| Tick { value, position: scale.map(value), label: format_tick(value, step) })
        .collect()
}

/// The x of a label centred on `x` (text-anchor "middle") and `width` wide, moved as little
/// as needed to stay within `[min_x, max_x]`.
pub fn centred_label_x(x: f64, width: f64, min_x: f64, max_x: f64) -> f64 {
    let half = if width.is_finite() { width.max(0.0) / 2.0 } else { 0.0 };
    let x = finite_or_zero(x);
    let (lo, hi) = (finite_or_zero(min_x) + half, finite_or_zero(max_x) - half);
    if lo > hi {
        (finite_or_zero(min_x) + finite_or_zero(max_x)) / 2.0
    } else {
        x.clamp(lo, hi)
    }
}

/// The smallest and largest finite values, or None when there are none.
pub fn finite_extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|v| v.is_finite()).fold(None, |extent, v| match extent {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A tick label with exactly the decimals `step` needs: `format_tick(0.30000000000000004, 0.1)`
/// is "0.3", `format_tick(200000.0, 50000.0)` is "200,000". Never "-0".
pub fn format_tick(value: f64, step: f64) -> String {
    if !value.is_finite() {
        return format_number(value);
    }
    if !(step.is_finite() && step > 0.0) || value.abs() >= 1e15 {
        return format_number(value);
    }
    let decimals = (0..=12).find(|&d| is_whole(step * 10f64.powi(d))).unwrap_or(12) as usize;
    group_thousands(&trim_negative_zero(format!("{value:.decimals$}")))
}

/// A value for a label: whole numbers grouped ("1,234"), others with 2 decimals at or above
/// 1 and 3 below ("0.412"), tiny ones in exponent form ("4.1e-5").
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        return "n/a".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "∞".to_owned() } else { "-∞".to_owned() };
    }
    let magnitude = value.abs();
    let text = if magnitude >= 1e15 {
        format!("{value:.2e}")
    } else if value == value.trunc() || magnitude >= 1000.0 {
        format!("{value:.0}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else if magnitude >= 0.0005 {
        format!("{value:.3}")
    } else {
        format!("{value:.1e}")
    };
    group_thousands(&trim_negative_zero(text))
}

/// A signed contribution with 3 decimals: "+0.412", "-0.031"; tiny non-zero values in
/// exponent form ("+4.1e-5"); zero as "0.000".
pub fn format_signed(value: f64) -> String {
    if value.is_nan() {
        return "n/a".to_owned();
    }
    if value == 0.0 {
        return "0.000".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+∞".to_owned() } else { "-∞".to_owned() };
    }
    if value.abs() < 0.0005 {
        format!("{value:+.1e}")
    } else {
        format!("{value:+.3}")
    }
}

/// A pixel coordinate for an SVG attribute: 2 decimals, never "-0.00", "0.00" when not finite.
pub fn format_coordinate(value: f64) -> String {
    if !value.is_finite() {
        return "0.00".to_owned();
    }
    trim_negative_zero(format!("{value:.2}"))
}

/// SVG path data ("M x,y L x,y ...", 2 decimals) through `points` mapped by `x` and `y`,
/// clamped to the scales' domains. A point with a non-finite coordinate is skipped and breaks
/// the line: the next finite point starts a new subpath with "M".
pub fn polyline_path(points: &[(f64, f64)], x: &LinearScale, y: &LinearScale) -> String {
    let mut path = String::new();
    let mut pen_down = false;
    for &(px, py) in points {
        if !(px.is_finite() && py.is_finite()) {
            pen_down = false;
            continue;
        }
        let command = if pen_down { 'L' } else { 'M' };
        let _ =
            write!(path, "{command}{},{}", format_coordinate(x.map_clamped(px)), format_coordinate(y.map_clamped(py)));
        pen_down = true;
    }
    path
}

/// The estimated rendered width of `text` at `font_size` (user units).
pub fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().count() as f64 * font_size * GLYPH_WIDTH
}

/// `text` cut to at most `max_chars` characters, ending in "…" when cut.
pub fn truncate_label(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    if max_chars == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

/// Where one legend entry goes: its left edge and its row (0-based).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegendSlot {
    /// Left edge of the swatch, relative to the legend's left edge.
    pub x: f64,
    /// The row, counted from the top.
    pub row: usize,
}

/// Width of a legend swatch, and the gap after it.
pub const LEGEND_SWATCH: f64 = 18.0;
const LEGEND_GAP: f64 = 6.0;
const LEGEND_SPACING: f64 = 18.0;

/// Lays legend entries left to right, wrapping to a new row past `max_width`.
pub fn legend_layout(labels: &[&str], max_width: f64, font_size: f64) -> Vec<LegendSlot> {
    let mut slots = Vec::with_capacity(labels.len());
    let (mut x, mut row) = (0.0, 0);
    for label in labels {
        let width = LEGEND_SWATCH + LEGEND_GAP + text_width(label, font_size);
        if x > 0.0 && x + width > max_width {
            x = 0.0;
            row += 1;
        }
        slots.push(LegendSlot { x, row });
        x += width + LEGEND_SPACING;
    }
    slots
}

/// One of the chart palette's colours (Okabe–Ito); the CSS sets each per colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartColour {
    /// Blue (#0072B2 light, sky blue #56B4E9 dark): `--chart-1`.
    #[default]
    Blue,
    /// Vermillion (light) or orange (dark): `--chart-2`.
    Orange,
    /// Bluish green: `--chart-3`.
    Green,
    /// Reddish purple: `--chart-4`.
    Purple,
    /// Neutral grey: `--chart-5`.
    Grey,
}

impl ChartColour {
    /// The CSS class that sets `color` to this palette entry (draw with `currentColor`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChartColour::Blue => "c-blue",
            ChartColour::Orange => "c-orange",
            ChartColour::Green => "c-green",
            ChartColour::Purple => "c-purple",
            ChartColour::Grey => "c-grey",
        }
    }

    /// The palette in order, for series that do not pick a colour.
    pub fn nth(idx: usize) -> ChartColour {
        const ORDER: [ChartColour; 4] =
            [ChartColour::Blue, ChartColour::Orange, ChartColour::Green, ChartColour::Purple];
        ORDER[idx % ORDER.len()]
    }
}

/// How the beeswarm packs one feature's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwarmLayout {
    /// Dot radius in pixels.
    pub radius: f64,
    /// The farthest a dot moves up or down from the row's centre line, in pixels.
    pub max_offset: f64,
}

/// Where one beeswarm dot goes: `x` in pixels and `dy` from the row's centre line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwarmDot {
    /// Horizontal position, clamped to the scale's range.
    pub x: f64,
    /// Vertical offset from the centre line; within `±max_offset`.
    pub dy: f64,
}

/// Places one feature row's dots: x from `shap` through `x`, and a deterministic vertical
/// jitter. Dots are binned by x in bins one diameter wide; within a bin they stack in input
/// order at 0, then 1 diameter up, 1 down, 2 up, 2 down, ..., and wrap back to the centre when the row is full.
/// The result lines up with `shap`; a non-finite value gives None.
pub fn swarm_layout(shap: &[f64], x: &LinearScale, layout: &SwarmLayout) -> Vec<Option<SwarmDot>> {
    let diameter = if layout.radius.is_finite() && layout.radius > 0.0 { 2.0 * layout.radius } else { 1.0 };
    let max_offset = if layout.max_offset.is_finite() { layout.max_offset.max(0.0) } else { 0.0 };
    let n_levels = (max_offset / diameter).floor().min(1e6) as usize;
    let n_slots = 2 * n_levels + 1;
    let mut filled: HashMap<i64, usize> = HashMap::new();
    shap.iter()
        .map(|&value| {
            if !value.is_finite() {
                return None;
            }
            let px = x.map_clamped(value);
            let count = filled.entry((px / diameter).floor() as i64).or_insert(0);
            let slot = *count % n_slots;
            *count += 1;
            let level = slot.div_ceil(2) as f64;
            let dy = if slot % 2 == 1 { -level * diameter } else { level * diameter };
            Some(SwarmDot { x: px, dy })
        })
        .collect()
}

/// The colour class index of a feature-value rank in [0, 1] among `n_buckets` classes (low
/// to high); None for a missing value (or no classes).
pub fn rank_bucket(rank: Option<f64>, n_buckets: usize) -> Option<usize> {
    let rank = rank.filter(|r| !r.is_nan())?;
    if n_buckets == 0 {
        return None;
    }
    Some(((rank.clamp(0.0, 1.0) * n_buckets as f64).floor() as usize).min(n_buckets - 1))
}

/// Whether a waterfall step raises or lowers the running total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The total goes up.
    Increase,
    /// The total goes down.
    Decrease,
    /// No change (or unusable numbers).
    Flat,
}

impl Direction {
    /// The CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
            Direction::Flat => "flat",
        }
    }
}

/// One waterfall bar in data units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaterfallBar {
    /// The running total before the step.
    pub start: f64,
    /// The running total after it.
    pub end: f64,
    /// The left edge, `min(start, end)`.
    pub low: f64,
    /// The right edge, `max(start, end)`.
    pub high: f64,
    /// Up, down or flat.
    pub direction: Direction,
}

/// One bar per step, in the same order. A step with a non-finite end is a flat bar at its
/// other end (or at 0).
pub fn waterfall_bars(steps: &[WaterfallStep]) -> Vec<WaterfallBar> {
    steps
        .iter()
        .map(|step| {
            let (start, end) = match (step.start.is_finite(), step.end.is_finite()) {
                (true, true) => (step.start, step.end),
                (true, false) => (step.start, step.start),
                (false, true) => (step.end, step.end),
                (false, false) => (0.0, 0.0),
            };
            let direction = if end > start {
                Direction::Increase
            } else if end < start {
                Direction::Decrease
            } else {
                Direction::Flat
            };
            WaterfallBar { start, end, low: start.min(end), high: start.max(end), direction }
        })
        .collect()
}

/// What a waterfall step stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// A single feature: the index into the contributions.
    Feature(usize),
    /// The grouped "N other features".
    Rest,
    /// Anything else (e.g. a base-value step).
    Other,
}

/// Matches each step to its contribution: first by its label "feature = value", then (for a
/// label that is only the feature name, or anything else) by a change equal to an unused
/// contribution's SHAP value. A label ending in "other features" is the grouped rest. Each
/// contribution matches at most one step.
pub fn classify_steps(steps: &[WaterfallStep], contributions: &[FeatureContribution]) -> Vec<StepKind> {
    let mut used = vec![false; contributions.len()];
    steps
        .iter()
        .map(|step| {
            let label = step.label.trim();
            let by_label = (0..contributions.len()).find(|&idx| {
                let c = &contributions[idx];
                !used[idx] && (label == format!("{} = {}", c.feature, c.value) || label == c.feature)
            });
            if let Some(idx) = by_label {
                used[idx] = true;
                return StepKind::Feature(idx);
            }
            if label.ends_with("other features") || label.ends_with("other feature") {
                return StepKind::Rest;
            }
            let delta = step.end - step.start;
            let by_delta = (0..contributions.len()).find(|&idx| {
                let shap = contributions[idx].shap;
                !used[idx] && shap != 0.0 && (shap - delta).abs() <= 1e-9 * shap.abs().max(1.0)
            });
            match by_delta {
                Some(idx) => {
                    used[idx] = true;
                    StepKind::Feature(idx)
                }
                None => StepKind::Other,
            }
        })
        .collect()
}

/// What a histogram's bars measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistogramScale {
    /// Claims per bin.
    #[default]
    Count,
    /// The bin's share of its class, so a rare class is as visible as a common one.
    ShareOfClass,
}

impl HistogramScale {
    /// The bar's value for `count` claims of a class with `class_total` claims.
    pub fn value(self, count: usize, class_total: usize) -> f64 {
        match self {
            HistogramScale::Count => count as f64,
            HistogramScale::ShareOfClass if class_total == 0 => 0.0,
            HistogramScale::ShareOfClass => count as f64 / class_total as f64,
        }
    }

    /// The y-axis title.
    pub fn axis_label(self) -> &'static str {
        match self {
            HistogramScale::Count => "Claims",
            HistogramScale::ShareOfClass => "Share of class",
        }
    }
}

/// One histogram bin in data units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistogramBin {
    /// The left edge.
    pub low: f64,
    /// The right edge.
    pub high: f64,
    /// Negatives in the bin.
    pub negatives: usize,
    /// Positives in the bin.
    pub positives: usize,
}

/// The bins with finite, increasing edges; counts missing from short vectors count as 0.
pub fn histogram_bins(histogram: &ScoreHistogram) -> Vec<HistogramBin> {
    histogram
        .edges
        .windows(2)
        .enumerate()
        .filter(|(_, edge)| edge[0].is_finite() && edge[1].is_finite() && edge[0] < edge[1])
        .map(|(idx, edge)| HistogramBin {
            low: edge[0],
            high: edge[1],
            negatives: histogram.negatives.get(idx).copied().unwrap_or(0),
            positives: histogram.positives.get(idx).copied().unwrap_or(0),
        })
        .collect()
}

/// A sentence for the waterfall's `aria-label`: its steps, base and explained value, and the
/// step that moves the total most, as "Largest: has_pre_auth = 0 (+0.412).".
pub fn describe_waterfall(steps: &[WaterfallStep], base_value: f64, explained_value: f64, output: &str) -> String {
    let mut text = format!(
        "Waterfall of {} steps from the base value {} to {output} {}.",
        steps.len(),
        format_number(base_value),
        format_number(explained_value)
    );
    let largest = steps
        .iter()
        .filter(|s| (s.end - s.start).is_finite())
        .max_by(|a, b| (a.end - a.start).abs().total_cmp(&(b.end - b.start).abs()));
    if let Some(step) = largest {
        let _ = write!(text, " Largest: {} ({}).", step.label, format_signed(step.end - step.start));
    }
    text
}

fn nice_parts(min: f64, max: f64, target_count: usize) -> Option<(f64, f64, f64, i32)> {
    if !(min.is_finite() && max.is_finite()) {
        return None;
    }
    let (lo, hi) = (min.min(max), min.max(max));
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return None;
    }
    let raw = span / target_count.clamp(1, MAX_TICKS) as f64;
    let mut exponent = raw.log10().floor() as i32;
    if 10f64.powi(exponent) > raw {
        exponent -= 1;
    }
    let ratio = raw / 10f64.powi(exponent);
    let mantissa = if ratio >= 50f64.sqrt() {
        exponent += 1;
        1.0
    } else if ratio >= 10f64.sqrt() {
        5.0
    } else if ratio >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    let step = step_value(1.0, mantissa, exponent);
    (step.is_finite() && step > 0.0).then_some((lo, hi, mantissa, exponent))
}

/// `multiple × mantissa × 10^exponent`, dividing for negative exponents so that 3 × 0.1 is 0.3.
fn step_value(multiple: f64, mantissa: f64, exponent: i32) -> f64 {
    if exponent >= 0 {
        multiple * mantissa * 10f64.powi(exponent)
    } else {
        multiple * mantissa / 10f64.powi(-exponent)
    }
}

fn is_whole(value: f64) -> bool {
    value.is_finite() && value >= 0.5 && (value - value.round()).abs() <= 1e-6 * value
}

fn finite_or_zero(value: f64) -> f64 {
    if value.is_finite() {
        value
    } else {
        0.0
    }
}

fn positive_zero(value: f64) -> f64 {
    if value == 0.0 {
        0.0
    } else {
        value
    }
}

/// "-0.00" → "0.00": a rounded value that is all zeros loses its sign.
fn trim_negative_zero(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        _ => text,
    }
}

/// Commas between thousands of the integer part: "-1234567.5" → "-1,234,567.5".
fn group_thousands(text: &str) -> String {
    if text.contains('e') {
        return text.to_owned();
    }
    let (sign, unsigned) = text.strip_prefix('-').map_or(("", text), |rest| ("-", rest));
    let (whole, fraction) = unsigned.split_once('.').map_or((unsigned, None), |(w, f)| (w, Some(f)));
    let mut out = String::with_capacity(text.len() + whole.len() / 3);
    out.push_str(sign);
    for (idx, ch) in whole.chars().enumerate() {
        if idx > 0 && (whole.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(label: &str, start: f64, end: f64) -> WaterfallStep {
        WaterfallStep { label: label.to_owned(), start, end }
    }

    fn contribution(feature: &str, value: &str, shap: f64) -> FeatureContribution {
        FeatureContribution { feature: feature.to_owned(), value: value.to_owned(), shap }
    }

    #[test]
    fn scales_map_linearly_and_stay_finite() {
        let scale = LinearScale::new((0.0, 1.0), (50.0, 450.0));
        assert_eq!(scale.map(0.0), 50.0);
        assert_eq!(scale.map(0.25), 150.0);
        assert_eq!(scale.map(1.5), 650.0);
        assert_eq!(scale.map_clamped(1.5), 450.0);
        assert_eq!(scale.map_clamped(-3.0), 50.0);
        assert_eq!(scale.map(f64::INFINITY), 450.0);
        assert_eq!(scale.map(f64::NEG_INFINITY), 50.0);
        assert_eq!(scale.map(f64::NAN), 50.0);
        assert_eq!(scale.map(1e308), 50.0 + 400.0 * MAX_EXTRAPOLATION);

        let flipped = LinearScale::new((0.0, 1.0), (400.0, 20.0));
        assert_eq!(flipped.map(0.0), 400.0);
        assert_eq!(flipped.map(1.0), 20.0);
        let reversed_domain = LinearScale::new((10.0, 0.0), (0.0, 100.0));
        assert_eq!(reversed_domain.map(2.5), 75.0);
        assert_eq!(reversed_domain.map(f64::INFINITY), 0.0);

        let zero_width = LinearScale::new((3.0, 3.0), (0.0, 100.0));
        assert_eq!(zero_width.map(3.0), 50.0);
        assert_eq!(zero_width.map(7.0), 50.0);
        assert_eq!(zero_width.map(f64::NAN), 0.0);

        let huge = LinearScale::new((-f64::MAX, f64::MAX), (0.0, 100.0));
        assert_eq!(huge.map(0.0), 50.0);
        let broken = LinearScale::new((f64::NAN, f64::INFINITY), (f64::NAN, 10.0));
        for value in [0.0, 1.0, f64::NAN, f64::INFINITY, -1e300] {
            assert!(broken.map(value).is_finite());
            assert!(broken.map_clamped(value).is_finite());
        }
    }

    #[test]
    fn nice_ticks_use_one_two_five_steps() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 10), vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
        assert_eq!(nice_ticks(0.0, 100.0, 4), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(-0.13, 0.42, 5), vec![-0.1, 0.0, 0.1, 0.2, 0.3, 0.4]);
        assert_eq!(nice_ticks(0.42, -0.13, 5), nice_ticks(-0.13, 0.42, 5));
        assert_eq!(nice_ticks(3.0, 47.0, 5), vec![10.0, 20.0, 30.0, 40.0]);
        assert_eq!(nice_ticks(0.0, 12_345.0, 3), vec![0.0, 5000.0, 10_000.0]);
        assert_eq!(nice_step(0.0, 1.0, 5), Some(0.2));
        assert_eq!(nice_step(0.0, 1.0, 2), Some(0.5));
        assert_eq!(nice_step(0.0, 3.0, 1), Some(5.0));
        assert_eq!(nice_step(0.0, 2.0, 1), Some(2.0));
        // No negative zero sneaks in.
        assert!(nice_ticks(-1.0, 1.0, 4).iter().all(|t| *t != 0.0 || t.is_sign_positive()));
    }

    #[test]
    fn nice_ticks_never_panic_on_odd_input() {
        assert_eq!(nice_ticks(2.0, 2.0, 5), vec![2.0]);
        assert_eq!(nice_ticks(f64::NAN, 3.0, 5), vec![3.0]);
        assert_eq!(nice_ticks(1.0, f64::INFINITY, 5), vec![1.0]);
        assert!(nice_ticks(f64::NAN, f64::NAN, 5).is_empty());
        assert!(nice_ticks(f64::NEG_INFINITY, f64::INFINITY, 5).is_empty());
        assert_eq!(nice_ticks(0.0, 1.0, 0), vec![0.0, 1.0]);
        assert!(nice_ticks(0.0, 1.0, usize::MAX).len() <= MAX_TICKS + 1);
        for (lo, hi) in [(-f64::MAX, f64::MAX), (0.0, f64::MIN_POSITIVE), (0.0, 5e-324), (1e300, 1e300 + 1e290)] {
            let ticks = nice_ticks(lo, hi, 5);
            assert!(!ticks.is_empty() && ticks.len() <= MAX_TICKS + 1, "{lo} {hi}: {ticks:?}");
            assert!(ticks.iter().all(|t| t.is_finite()));
        }
        // Huge values with a tiny span fall back to the ends.
        let ticks = nice_ticks(1e16, 1e16 + 4.0, 1000);
        assert!(!ticks.is_empty() && ticks.len() <= MAX_TICKS + 1);
    }

    #[test]
    fn nice_domains_reach_the_ticks() {
        assert_eq!(nice_domain(0.03, 0.91, 5), (0.0, 1.0));
        assert_eq!(nice_domain(-0.13, 0.42, 5), (-0.2, 0.5));
        assert_eq!(nice_domain(0.0, 873.0, 5), (0.0, 1000.0));
        assert_eq!(nice_domain(0.0, 0.0, 5), (-1.0, 1.0));
        assert_eq!(nice_domain(5.0, 5.0, 5), (4.5, 5.5));
        assert_eq!(nice_domain(f64::NAN, f64::NAN, 5), (0.0, 1.0));
        assert_eq!(nice_domain(f64::NAN, 0.2, 5), (0.18, 0.22));
        let (lo, hi) = nice_domain(-f64::MAX, f64::MAX, 5);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
        assert_eq!(finite_extent([3.0, f64::NAN, -1.0, f64::INFINITY]), Some((-1.0, 3.0)));
        assert_eq!(finite_extent([f64::NAN]), None);
    }

    #[test]
    fn axes_and_zero_based_domains() {
        let scale = LinearScale::new((0.0, 1.0), (0.0, 500.0));
        let ticks = axis_ticks(&scale, 5);
        assert_eq!(
            ticks.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
            ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
        );
        assert_eq!(ticks[3].position, 300.0);
        assert_eq!(axis_ticks(&LinearScale::new((f64::NAN, f64::NAN), (0.0, 1.0)), 5).len(), 1);
        assert_eq!(zero_based_domain([3.0, 17.0], 5), (0.0, 20.0));
        assert_eq!(zero_based_domain([-0.3, 0.1], 5), (-0.3, 0.1));
        assert_eq!(zero_based_domain([0.0, 0.0], 5), (0.0, 1.0));
        assert_eq!(zero_based_domain([], 5), (0.0, 1.0));
        assert_eq!(zero_based_domain([f64::NAN, 2.0], 5), (0.0, 2.0));
        assert_eq!(centred_label_x(50.0, 20.0, 0.0, 100.0), 50.0);
        assert_eq!(centred_label_x(5.0, 20.0, 0.0, 100.0), 10.0);
        assert_eq!(centred_label_x(99.0, 20.0, 0.0, 100.0), 90.0);
        assert_eq!(centred_label_x(50.0, 500.0, 0.0, 100.0), 50.0);
        assert_eq!(centred_label_x(f64::NAN, f64::NAN, 0.0, 100.0), 0.0);
        assert_eq!(HistogramScale::ShareOfClass.value(5, 20), 0.25);
        assert_eq!(HistogramScale::ShareOfClass.value(5, 0), 0.0);
        assert_eq!(HistogramScale::Count.value(5, 20), 5.0);
    }

    #[test]
    fn tick_labels_have_the_decimals_of_the_step() {
        assert_eq!(format_tick(0.1 + 0.2, 0.1), "0.3");
        assert_eq!(format_tick(0.30000000000000004, 0.09999999999999998), "0.3");
        assert_eq!(format_tick(1.0, 0.2), "1.0");
        assert_eq!(format_tick(0.0, 0.05), "0.00");
        assert_eq!(format_tick(-0.0, 0.5), "0.0");
        assert_eq!(format_tick(-1e-17, 0.1), "0.0");
        assert_eq!(format_tick(20.0, 10.0), "20");
        assert_eq!(format_tick(200_000.0, 50_000.0), "200,000");
        assert_eq!(format_tick(-1_500.0, 500.0), "-1,500");
        assert_eq!(format_tick(2.5e-7, 2.5e-7), "0.00000025");
        assert_eq!(format_tick(f64::NAN, 0.1), "n/a");
        assert_eq!(format_tick(0.5, f64::NAN), "0.500");
        for (value, step) in nice_ticks(0.0, 1.0, 10).iter().map(|t| (*t, 0.1)) {
            assert!(format_tick(value, step).len() <= 3, "{value}");
        }
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(format_number(1234.0), "1,234");
        assert_eq!(format_number(-1_234_567.0), "-1,234,567");
        assert_eq!(format_number(12.3456), "12.35");
        assert_eq!(format_number(0.41234), "0.412");
        assert_eq!(format_number(0.0000412), "4.1e-5");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(f64::NAN), "n/a");
        assert_eq!(format_number(f64::NEG_INFINITY), "-∞");
        assert_eq!(format_signed(0.41234), "+0.412");
        assert_eq!(format_signed(-0.0314), "-0.031");
        assert_eq!(format_signed(0.0000412), "+4.1e-5");
        assert_eq!(format_signed(0.0), "0.000");
        assert_eq!(format_signed(f64::NAN), "n/a");
        assert_eq!(format_coordinate(-0.001), "0.00");
        assert_eq!(format_coordinate(12.345), "12.35");
        assert_eq!(format_coordinate(f64::INFINITY), "0.00");
    }

    #[test]
    fn paths_skip_and_break_at_non_finite_points() {
        let x = LinearScale::new((0.0, 1.0), (0.0, 100.0));
        let y = LinearScale::new((0.0, 1.0), (100.0, 0.0));
        assert_eq!(polyline_path(&[], &x, &y), "");
        assert_eq!(polyline_path(&[(0.5, 0.5)], &x, &y), "M50.00,50.00");
        assert_eq!(
            polyline_path(&[(0.0, 0.0), (0.25, 0.5), (1.0, 1.0)], &x, &y),
            "M0.00,100.00L25.00,50.00L100.00,0.00"
        );
        assert_eq!(
            polyline_path(&[(0.0, 0.0), (f64::NAN, 0.5), (0.5, 0.5), (0.6, f64::INFINITY), (1.0, 1.0)], &x, &y),
            "M0.00,100.00M50.00,50.00M100.00,0.00"
        );
        assert_eq!(polyline_path(&[(2.0, -1.0)], &x, &y), "M100.00,100.00");
    }

    #[test]
    fn legends_wrap_past_the_width() {
        let slots = legend_layout(&["model", "chance"], 400.0, 10.0);
        assert_eq!(slots, vec![LegendSlot { x: 0.0, row: 0 }, LegendSlot { x: 72.0, row: 0 }]);
        let narrow = legend_layout(&["model", "chance", "x"], 80.0, 10.0);
        assert_eq!(narrow.iter().map(|s| s.row).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert!(narrow.iter().all(|s| s.x == 0.0));
        assert!(legend_layout(&[], 100.0, 12.0).is_empty());
        assert_eq!(truncate_label("provider_claims_90d", 8), "provide…");
        assert_eq!(truncate_label("ñandú", 5), "ñandú");
        assert_eq!(truncate_label("abc", 0), "");
        assert_eq!(text_width("abcd", 10.0), 24.0);
    }

    #[test]
    fn swarm_dots_stack_alternately_and_stay_in_the_row() {
        let x = LinearScale::new((-1.0, 1.0), (0.0, 200.0));
        let layout = SwarmLayout { radius: 2.0, max_offset: 8.0 };
        let shap = [0.0, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0, 0.9, f64::NAN];
        let dots = swarm_layout(&shap, &x, &layout);
        assert_eq!(dots.len(), shap.len());
        let dys: Vec<f64> = dots.iter().take(7).map(|d| d.unwrap().dy).collect();
        // Two levels fit in 8 px at a 4 px diameter: 0, up, down, up 2, down 2, then wrap.
        assert_eq!(dys, vec![0.0, -4.0, 4.0, -8.0, 8.0, 0.0, -4.0]);
        assert_eq!(dots[7], Some(SwarmDot { x: 190.0, dy: 0.0 }));
        assert_eq!(dots[8], None);
        assert!(dots.iter().flatten().all(|d| d.dy.abs() <= layout.max_offset));
        assert_eq!(swarm_layout(&shap, &x, &layout), dots, "deterministic");

        let no_room = swarm_layout(&[0.0, 0.0, 0.0], &x, &SwarmLayout { radius: 3.0, max_offset: 2.0 });
        assert!(no_room.iter().all(|d| d.unwrap().dy == 0.0));
        let silly = swarm_layout(&[0.0, 1e300, -f64::MAX], &x, &SwarmLayout { radius: f64::NAN, max_offset: -1.0 });
        assert!(silly.iter().all(|d| d.is_some_and(|d| d.x.is_finite() && d.dy == 0.0)));
        assert!(swarm_layout(&[], &x, &layout).is_empty());
    }

    #[test]
    fn ranks_fall_into_colour_buckets() {
        assert_eq!(rank_bucket(Some(0.0), 7), Some(0));
        assert_eq!(rank_bucket(Some(0.5), 7), Some(3));
        assert_eq!(rank_bucket(Some(1.0), 7), Some(6));
        assert_eq!(rank_bucket(Some(7.0), 7), Some(6));
        assert_eq!(rank_bucket(Some(-1.0), 7), Some(0));
        assert_eq!(rank_bucket(Some(f64::NAN), 7), None);
        assert_eq!(rank_bucket(None, 7), None);
        assert_eq!(rank_bucket(Some(0.5), 0), None);
        assert_eq!(ChartColour::nth(5), ChartColour::Orange);
        assert_eq!(ChartColour::Grey.as_str(), "c-grey");
    }

    #[test]
    fn waterfall_bars_follow_the_steps() {
        let steps =
            [step("a = 1", 0.3, 0.7), step("b = x", 0.7, 0.6), step("c = 2", 0.6, 0.6), step("bad", f64::NAN, 0.2)];
        let bars = waterfall_bars(&steps);
        assert_eq!(bars.iter().map(|b| b.direction).collect::<Vec<_>>(), {
            use Direction::*;
            vec![Increase, Decrease, Flat, Flat]
        });
        assert_eq!((bars[0].low, bars[0].high), (0.3, 0.7));
        assert_eq!((bars[1].low, bars[1].high, bars[1].start, bars[1].end), (0.6, 0.7, 0.7, 0.6));
        assert_eq!((bars[3].low, bars[3].high), (0.2, 0.2));
        assert_eq!(Direction::Decrease.as_str(), "decrease");
        assert!(waterfall_bars(&[]).is_empty());
    }

    #[test]
    fn steps_match_their_contributions() {
        let contributions = [
            contribution("has_pre_auth", "0", 0.412),
            contribution("service", "Knee Surgery", 0.1),
            contribution("age", "67", -0.05),
            contribution("amount", "1,200", 0.01),
            contribution("units", "2", 0.002),
        ];
        let steps = [
            step("service = Knee Surgery", 0.41, 0.51),
            step("has_pre_auth = 0", 0.51, 0.922),
            step("age", 0.922, 0.872),
            step("relabelled", 0.872, 0.882),
            step("1 other feature", 0.882, 0.884),
            step("base value", 0.3, 0.3),
        ];
        use StepKind::*;
        assert_eq!(
            classify_steps(&steps, &contributions),
            vec![Feature(1), Feature(0), Feature(2), Feature(3), Rest, Other]
        );
        // A contribution is used once: a second step with the same label finds nothing left.
        let twice = [step("age = 67", 0.0, -0.05), step("age = 67", -0.05, -0.1)];
        assert_eq!(classify_steps(&twice, &contributions), vec![Feature(2), Other]);
        assert_eq!(classify_steps(&steps, &[]), vec![Other, Other, Other, Other, Rest, Other]);
    }

    #[test]
    fn histogram_bins_tolerate_ragged_input() {
        let histogram =
            ScoreHistogram { edges: vec![0.0, 0.5, 1.0, f64::NAN], negatives: vec![3, 4, 5], positives: vec![1] };
        let bins = histogram_bins(&histogram);
        assert_eq!(
            bins,
            vec![
                HistogramBin { low: 0.0, high: 0.5, negatives: 3, positives: 1 },
                HistogramBin { low: 0.5, high: 1.0, negatives: 4, positives: 0 },
            ]
        );
        let empty = ScoreHistogram { edges: vec![], negatives: vec![], positives: vec![] };
        assert!(histogram_bins(&empty).is_empty());
    }

    #[test]
    fn waterfall_descriptions_name_the_largest_step() {
        let steps = [step("a = 1", 0.3, 0.4), step("b = 2", 0.4, 0.1), step("3 other features", 0.1, 0.15)];
        assert_eq!(
            describe_waterfall(&steps, 0.3, 0.15, "probability of denial"),
            "Waterfall of 3 steps from the base value 0.300 to probability of denial 0.150. Largest: b = 2 (-0.300)."
        );
        assert_eq!(
            describe_waterfall(&[], 0.3, 0.3, "path length"),
            "Waterfall of 0 steps from the base value 0.300 to path length 0.300."
        );
    }
}
