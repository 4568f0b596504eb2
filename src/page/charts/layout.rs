//! Layout helpers: SVG path data, text width estimates and truncation, legend placement,
//! label clamping and the palette's colour classes.

use std::fmt::Write as _;

use super::format::format_coordinate;
use super::scale::{finite_or_zero, LinearScale};

/// Average glyph width of the chart font, as a fraction of its size.
const GLYPH_WIDTH: f64 = 0.6;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn labels_stay_inside_and_colours_cycle() {
        assert_eq!(centred_label_x(50.0, 20.0, 0.0, 100.0), 50.0);
        assert_eq!(centred_label_x(5.0, 20.0, 0.0, 100.0), 10.0);
        assert_eq!(centred_label_x(99.0, 20.0, 0.0, 100.0), 90.0);
        assert_eq!(centred_label_x(50.0, 500.0, 0.0, 100.0), 50.0);
        assert_eq!(centred_label_x(f64::NAN, f64::NAN, 0.0, 100.0), 0.0);
        assert_eq!(ChartColour::nth(5), ChartColour::Orange);
        assert_eq!(ChartColour::Grey.as_str(), "c-grey");
    }
}
