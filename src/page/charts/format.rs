//! Number formatting for labels and SVG attributes: ticks with exactly the decimals their step
//! needs, grouped thousands, signed contributions and 2-decimal coordinates.

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

fn is_whole(value: f64) -> bool {
    value.is_finite() && value >= 0.5 && (value - value.round()).abs() <= 1e-6 * value
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
    use crate::page::charts::nice_ticks;

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
}
