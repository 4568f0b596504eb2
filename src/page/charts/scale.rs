//! Scales and ticks: `LinearScale`, nice 1-2-5 ticks and domains, and labelled axis ticks.

use crate::analysis::without_negative_zero;

use super::format::format_tick;

/// How far a finite value outside the domain may extrapolate, in domain widths.
const MAX_EXTRAPOLATION: f64 = 1.0e6;
/// The most ticks `nice_ticks` ever returns.
const MAX_TICKS: usize = 1_000;

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
    (0..n_ticks).map(|idx| step_value(first + idx as f64, mantissa, exponent)).map(without_negative_zero).collect()
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
    match nice_parts(lo, hi, target_count) {
        Some((_, _, mantissa, exponent)) => {
            let step = step_value(1.0, mantissa, exponent);
            let (first, last) = ((lo / step + 1e-9).floor(), (hi / step - 1e-9).ceil());
            let (nice_lo, nice_hi) = (step_value(first, mantissa, exponent), step_value(last, mantissa, exponent));
            if nice_lo.is_finite() && nice_hi.is_finite() && nice_lo < nice_hi {
                (without_negative_zero(nice_lo), without_negative_zero(nice_hi))
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

/// The smallest and largest finite values, or None when there are none.
pub fn finite_extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|v| v.is_finite()).fold(None, |extent, v| match extent {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
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
    if !(raw > 0.0 && raw.is_finite()) {
        return None;
    }
    let mut exponent = (raw.log10().floor() as i32).clamp(-330, 310);
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

pub(super) fn finite_or_zero(value: f64) -> f64 {
    if value.is_finite() {
        value
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(nice_step(0.0, 3.0, 1), Some(2.0));
        assert_eq!(nice_step(0.0, 4.0, 1), Some(5.0));
        assert_eq!(nice_step(0.0, 8.0, 1), Some(10.0));
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
        assert_eq!(nice_domain(5.0, 5.0, 5), (4.4, 5.6));
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
        assert!(axis_ticks(&LinearScale::new((f64::NAN, f64::NAN), (0.0, 1.0)), 5).is_empty());
        assert_eq!(zero_based_domain([3.0, 17.0], 5), (0.0, 20.0));
        assert_eq!(zero_based_domain([-0.3, 0.1], 5), (-0.3, 0.1));
        assert_eq!(zero_based_domain([0.0, 0.0], 5), (0.0, 1.0));
        assert_eq!(zero_based_domain([], 5), (0.0, 1.0));
        assert_eq!(zero_based_domain([f64::NAN, 2.0], 5), (0.0, 2.0));
    }
}
