//! Cell values as analysts write them: missing tokens, numbers (`$1,234.50`, `(12.00)`,
//! `12%`) and dates (ISO, US and compact), parsed without allocating.

use crate::claims::table::days_from_civil;

/// Whether a trimmed cell means "no value": empty, `NA`, `N/A`, `NaN`, `null`, `?`, `-` or
/// `#N/A` (any case). `none` is a value: generators write it for "no anomaly".
pub fn is_missing(cell: &str) -> bool {
    const MISSING: [&str; 7] = ["na", "n/a", "nan", "null", "?", "-", "#n/a"];
    cell.is_empty() || (cell.len() <= 4 && MISSING.iter().any(|token| cell.eq_ignore_ascii_case(token)))
}

/// A number as written in claims files: an optional sign, an optional currency symbol
/// (`$`, `€`, `£`), digits with optional thousands commas in groups of three, an optional
/// fraction and exponent, and an optional `%` (which divides by 100). Parentheses mean a
/// negative amount: `(12.00)` is −12. `None` for anything else, and for non-finite results.
pub fn parse_number(cell: &str) -> Option<f64> {
    let (negative_parens, inner) = match cell.strip_prefix('(').and_then(|rest| rest.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, cell),
    };
    let (percent, inner) = match inner.strip_suffix('%') {
        Some(rest) => (true, rest.trim_end()),
        None => (false, inner),
    };
    let (sign_before, inner) = split_sign(inner);
    let inner = strip_currency(inner);
    let (sign_after, inner) = split_sign(inner);
    if sign_before.is_some() && sign_after.is_some() {
        return None;
    }
    let negative = matches!(sign_before.or(sign_after), Some(true)) ^ negative_parens;
    if negative_parens && (sign_before.is_some() || sign_after.is_some()) {
        return None;
    }
    let magnitude = parse_unsigned(inner)?;
    let value = if percent { magnitude / 100.0 } else { magnitude };
    let value = if negative { -value } else { value };
    value.is_finite().then_some(value)
}

/// Whether a cell that parses as a number is really an identifier written with digits:
/// a leading zero before another digit (`007`, a ZIP code, an NDC) keeps the text.
pub fn looks_like_identifier(cell: &str) -> bool {
    let digits = cell.trim_start_matches(['+', '-']);
    let bytes = digits.as_bytes();
    bytes.len() > 1 && bytes[0] == b'0' && bytes[1].is_ascii_digit()
}

/// A calendar date as days since 1970-01-01. Accepted: ISO `2024-03-15` or `2024/03/15`
/// (a time after `T` or a space is ignored), US `03/15/2024`, `3-15-2024` or `03/15/24`
/// (two-digit years 00–69 are 20xx, 70–99 are 19xx), `15-Mar-2024`, and, when
/// `allow_compact`, compact `20240315`. Impossible dates (February 30th) are `None`.
pub fn parse_date(cell: &str, allow_compact: bool) -> Option<i32> {
    let date = cell.split(['T', ' ']).next().unwrap_or(cell);
    let bytes = date.as_bytes();
    if allow_compact && bytes.len() == 8 && bytes.iter().all(u8::is_ascii_digit) {
        let year = digits_value(&bytes[..4])?;
        let month = digits_value(&bytes[4..6])?;
        let day = digits_value(&bytes[6..])?;
        return days_from_civil(year as i32, month, day);
    }
    let separator = if date.contains('-') { '-' } else { '/' };
    let mut parts = date.split(separator);
    let (first, second, third) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    if first.len() == 4 {
        let year = digits_value(first.as_bytes())?;
        return days_from_civil(year as i32, small_number(second)?, small_number(third)?);
    }
    if let Some(month) = month_from_name(second) {
        let day = small_number(first)?;
        return days_from_civil(full_year(third)?, month, day);
    }
    days_from_civil(full_year(third)?, small_number(first)?, small_number(second)?)
}

fn split_sign(text: &str) -> (Option<bool>, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (Some(true), &text[1..]),
        Some(b'+') => (Some(false), &text[1..]),
        _ => (None, text),
    }
}

fn strip_currency(text: &str) -> &str {
    for symbol in ["$", "€", "£"] {
        if let Some(rest) = text.strip_prefix(symbol) {
            return rest.trim_start();
        }
    }
    text
}

/// Digits with optional group-of-three commas, a fraction and an exponent.
fn parse_unsigned(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(|b| b.is_ascii_digit() || *b == b'.') {
        return None;
    }
    let integer_end = bytes.iter().position(|b| !b.is_ascii_digit() && *b != b',').unwrap_or(bytes.len());
    let integer = &text[..integer_end];
    if integer.contains(',') {
        let mut groups = integer.split(',');
        let head = groups.next()?;
        // Thousands separators only before the decimal point: "1,234.5,6" is not a number.
        if head.is_empty()
            || head.len() > 3
            || groups.any(|group| group.len() != 3)
            || text[integer_end..].contains(',')
        {
            return None;
        }
        let plain: String = text.chars().filter(|&c| c != ',').collect();
        return finite_float(&plain);
    }
    finite_float(text)
}

fn finite_float(text: &str) -> Option<f64> {
    // Rust's float grammar also takes "inf" and "nan"; the first byte was checked already,
    // and only digits, '.', 'e', 'E', '+' and '-' may follow.
    if !text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn digits_value(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')))
}

fn small_number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 2 {
        return None;
    }
    digits_value(text.as_bytes())
}

fn full_year(text: &str) -> Option<i32> {
    let value = digits_value(text.as_bytes())? as i32;
    match text.len() {
        4 => Some(value),
        2 if value < 70 => Some(2000 + value),
        2 => Some(1900 + value),
        _ => None,
    }
}

fn month_from_name(text: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    if text.len() != 3 {
        return None;
    }
    MONTHS.iter().position(|name| text.eq_ignore_ascii_case(name)).map(|idx| idx as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tokens() {
        for cell in ["", "NA", "n/a", "NaN", "NULL", "?", "-", "#N/A"] {
            assert!(is_missing(cell), "{cell}");
        }
        for cell in ["0", "none", "--", "N"] {
            assert!(!is_missing(cell), "{cell}");
        }
    }

    #[test]
    fn numbers_as_analysts_write_them() {
        let cases: [(&str, Option<f64>); 26] = [
            ("12", Some(12.0)),
            ("-0.5", Some(-0.5)),
            (".5", Some(0.5)),
            ("1e3", Some(1000.0)),
            ("$1,234.50", Some(1234.5)),
            ("-$1,234.50", Some(-1234.5)),
            ("$-5", Some(-5.0)),
            ("(12.00)", Some(-12.0)),
            ("($1,000)", Some(-1000.0)),
            ("12%", Some(0.12)),
            ("12.5 %", Some(0.125)),
            ("€ 7", Some(7.0)),
            ("£3.10", Some(3.1)),
            ("1,234,567", Some(1_234_567.0)),
            ("007", Some(7.0)),
            ("1,2", None),
            ("12,50", None),
            (",123", None),
            ("1e400", None),
            ("inf", None),
            ("NaN", None),
            ("--5", None),
            ("(-5)", None),
            ("12abc", None),
            ("1,234.5,6", None),
            ("1,234.56e1,0", None),
        ];
        for (cell, expected) in cases {
            assert_eq!(parse_number(cell), expected, "{cell}");
        }
        assert!(looks_like_identifier("02139"));
        assert!(looks_like_identifier("00173089314"));
        assert!(!looks_like_identifier("0.5"));
        assert!(!looks_like_identifier("0"));
        assert!(!looks_like_identifier("100"));
    }

    #[test]
    fn dates_in_iso_us_and_compact_forms() {
        let march_15 = days_from_civil(2024, 3, 15);
        for cell in [
            "2024-03-15",
            "2024/03/15",
            "2024-3-15",
            "2024-03-15T10:30:00Z",
            "2024-03-15 00:00:00.000",
            "03/15/2024",
            "3/15/2024",
            "03-15-2024",
            "03/15/24",
            "15-Mar-2024",
            "15-MAR-24",
        ] {
            assert_eq!(parse_date(cell, false), march_15, "{cell}");
        }
        assert_eq!(parse_date("20240315", true), march_15);
        assert_eq!(parse_date("20240315", false), None, "compact dates only where a date is expected");
        assert_eq!(parse_date("01/02/99", false), days_from_civil(1999, 1, 2));
        for cell in ["2023-02-29", "13/45/2024", "2024-13-01", "2024-03", "abc", "1/2/3/4", "20241345", "", "--"] {
            assert_eq!(parse_date(cell, true), None, "{cell}");
        }
    }
}
