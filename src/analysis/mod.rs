//! The analysis of scored claims, shared by the session, the CLI and the page: explanations,
//! evaluation, the hybrid priority, risk tiers, the review queue, rule statistics, what-if
//! edits and downloads (with salted identifier hashing).

pub mod evaluation;
pub mod explain;
pub mod export;
pub mod hybrid;
pub mod queue;
pub mod rule_stats;
pub mod salt;
pub mod tiers;
pub mod whatif;

/// -0.0 as 0.0, so the two zeros compare, sort and print alike on every target.
pub fn without_negative_zero(value: f64) -> f64 {
    if value == 0.0 {
        0.0
    } else {
        value
    }
}

/// Formats a whole count with thousands separators, as "1,000".
pub fn format_count(count: usize) -> String {
    crate::claims::table::format_count(count as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators_and_zeros_one_sign() {
        assert_eq!(format_count(1_000_000), "1,000,000");
        assert_eq!(format_count(999), "999");
        assert_eq!(without_negative_zero(-0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(without_negative_zero(-1.5), -1.5);
    }
}
