//! Claim-level features on small hand-made tables, with answers worked out by hand.

use super::*;

/// A medical table (Friday 2024-03-01 is day offset 0):
///
/// | row | member | provider | procedure | diagnosis | day | allowed | units | sex | age |
/// |-----|--------|----------|-----------|-----------|-----|---------|-------|-----|-----|
/// | 0   | m1     | p1       | 99213     | J45       | Fri | 100     | 1     | F   | 30  |
/// | 1   | m1     | p1       | 99213     | J45       | Fri | 100     | 1     | F   | 30  |
/// | 2   | m1     | p1       | 99214     | J45       | Fri | 200     | 2     | F   | 30  |
/// | 3   | m2     | p1       | 99213     | J45       | Sat | 70      | 1     | M   | 50  |
/// | 4   | m2     | p2       | 99214     | E11       | Sun | 400     | 4     | M   | 50  |
/// | 5   | m3     | p2       | 99213     | E11       | Mon | —       | 3     | F   | —   |
fn medical() -> ClaimsTable {
    table(vec![
        (MEMBER_ID, text(&[Some("m1"), Some("m1"), Some("m1"), Some("m2"), Some("m2"), Some("m3")])),
        (PROVIDER_ID, text(&[Some("p1"), Some("p1"), Some("p1"), Some("p1"), Some("p2"), Some("p2")])),
        (
            PROCEDURE_CODE,
            text(&[Some("99213"), Some("99213"), Some("99214"), Some("99213"), Some("99214"), Some("99213")]),
        ),
        (DIAGNOSIS_CODE, text(&[Some("J45"), Some("J45"), Some("J45"), Some("J45"), Some("E11"), Some("E11")])),
        (SERVICE_DATE, dates(&[Some(0), Some(0), Some(0), Some(1), Some(2), Some(3)])),
        (ALLOWED_AMOUNT, numbers(&[100.0, 100.0, 200.0, 70.0, 400.0, NAN])),
        (UNITS, numbers(&[1.0, 1.0, 2.0, 1.0, 4.0, 3.0])),
        (MEMBER_GENDER, text(&[Some("F"), Some("F"), Some("F"), Some("M"), Some("M"), Some("F")])),
        (MEMBER_AGE, numbers(&[30.0, 30.0, 30.0, 50.0, 50.0, NAN])),
    ])
}

#[test]
fn weekend_is_saturday_and_sunday() {
    assert_feature(&medical(), "is_weekend", &[0.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
}

#[test]
fn allowed_and_units_against_the_procedure_mean() {
    // 99213 allowed: 100, 100, 70 (row 5 missing) → mean 90; 99214: 200, 400 → 300.
    let t = medical();
    assert_feature(
        &t,
        "allowed_vs_procedure_mean",
        &[100.0 / 90.0, 100.0 / 90.0, 200.0 / 300.0, 70.0 / 90.0, 400.0 / 300.0, NAN],
    );
    // 99213 units: 1, 1, 1, 3 → mean 1.5; 99214: 2, 4 → 3.
    assert_feature(&t, "units_vs_procedure_mean", &[1.0 / 1.5, 1.0 / 1.5, 2.0 / 3.0, 1.0 / 1.5, 4.0 / 3.0, 2.0]);
}

#[test]
fn allowed_against_the_diagnosis_mean() {
    // J45: 100, 100, 200, 70 → mean 117.5; E11: 400 (row 5 missing) → 400.
    let expected = [100.0 / 117.5, 100.0 / 117.5, 200.0 / 117.5, 70.0 / 117.5, 1.0, NAN];
    assert_feature(&medical(), "allowed_vs_diagnosis_mean", &expected);
}

#[test]
fn duplicates_and_same_day_lines() {
    let t = medical();
    // Rows 0 and 1 share member, provider, procedure and date.
    assert_feature(&t, "duplicate_count", &[2.0, 2.0, 1.0, 1.0, 1.0, 1.0]);
    // Rows 0–2: member m1 with provider p1 on Friday.
    assert_feature(&t, "member_same_day_lines", &[3.0, 3.0, 3.0, 1.0, 1.0, 1.0]);
}

#[test]
fn sex_share_of_the_procedure() {
    // 99213: F, F, M, F → F 3/4, M 1/4; 99214: F, M → 1/2 each.
    assert_feature(&medical(), "procedure_sex_share", &[0.75, 0.75, 0.5, 0.25, 0.5, 0.75]);
}

#[test]
fn age_against_the_procedure() {
    // 99213 ages 30, 30, 50: mean 110/3, population sd sqrt(800/9); z = −1/√2, −1/√2, √2.
    // 99214 ages 30, 50: mean 40, sd 10; z = −1, 1.
    let s = std::f64::consts::SQRT_2;
    assert_feature(&medical(), "procedure_age_zscore", &[-1.0 / s, -1.0 / s, -1.0, s, 1.0, NAN]);
}

#[test]
fn same_day_lines_need_a_known_provider_and_duplicates_a_known_procedure() {
    let t = table(vec![
        (MEMBER_ID, text(&[Some("m1"), Some("m1"), Some("m1"), Some("m1")])),
        (PROVIDER_ID, text(&[Some("p1"), None, None, Some("p1")])),
        (PROCEDURE_CODE, text(&[Some("A"), Some("A"), Some("A"), None])),
        (SERVICE_DATE, dates(&[Some(0), Some(0), Some(0), Some(0)])),
    ]);
    assert_feature(&t, "duplicate_count", &[1.0, NAN, NAN, NAN]);
    assert_feature(&t, "member_same_day_lines", &[2.0, NAN, NAN, 2.0]);
}

/// A pharmacy table; day offsets from Friday 2024-03-01:
///
/// | row | member | day | benefit | billed | oop | member/pharmacy state | payer      | reject | ndc | qty | supply |
/// |-----|--------|-----|---------|--------|-----|-----------------------|------------|--------|-----|-----|--------|
/// | 0   | m1     | 40  | 10      | 100    | 5   | NY / NY               | Commercial | —      | A   | 1   | 30     |
/// | 1   | m1     | 0   | 20      | 100    | 5   | NY / nj               | Medicare   | 76     | A   | 1   | 30     |
/// | 2   | m2     | 5   | 30      | 0      | 5   | CA / " ca "           | medicaid   | 88     | A   | 2   | 30     |
/// | 3   | m1     | 10  | 40      | 80     | 5   | — / NY                | Tricare    | 79     | A   | 1   | 90     |
/// | 4   | m1     | 100 | —       | 50     | 5   | TX / —                | VA         | 75     | B   | 3   | 30     |
/// | 5   | m1     | 40  | 10      | 20     | 5   | NY / NJ               | Cash       | ""     | B   | 3   | 60     |
/// | 6   | m2     | —   | 20      | —      | 5   | "" / NY               | —          | 70     | B   | —   | 30     |
/// | 7   | —      | 7   | 30      | 60     | 5   | FL / FL               | Commercial | —      | —   | 1   | 30     |
/// | 8   | m1     | 45  | 40      | 40     | —   | NJ / ny               | " va "     | " 76 " | A   | 1   | 90     |
fn pharmacy() -> ClaimsTable {
    let m = |s: &'static str| Some(s);
    table(vec![
        (MEMBER_ID, text(&[m("m1"), m("m1"), m("m2"), m("m1"), m("m1"), m("m1"), m("m2"), None, m("m1")])),
        (SERVICE_DATE, dates(&[Some(40), Some(0), Some(5), Some(10), Some(100), Some(40), None, Some(7), Some(45)])),
        (BENEFIT_AMOUNT, numbers(&[10.0, 20.0, 30.0, 40.0, NAN, 10.0, 20.0, 30.0, 40.0])),
        (BILLED_AMOUNT, numbers(&[100.0, 100.0, 0.0, 80.0, 50.0, 20.0, NAN, 60.0, 40.0])),
        (OUT_OF_POCKET, numbers(&[5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, NAN])),
        (MEMBER_STATE, text(&[m("NY"), m("NY"), m("CA"), None, m("TX"), m("NY"), m(""), m("FL"), m("NJ")])),
        (PHARMACY_STATE, text(&[m("NY"), m("nj"), m(" ca "), m("NY"), None, m("NJ"), m("NY"), m("FL"), m("ny")])),
        (
            PAYER_TYPE,
            text(&[
                m("Commercial"),
                m("Medicare"),
                m("medicaid"),
                m("Tricare"),
                m("VA"),
                m("Cash"),
                None,
                m("Commercial"),
                m(" va "),
            ]),
        ),
        (REJECT_CODE, text(&[None, m("76"), m("88"), m("79"), m("75"), m(""), m("70"), None, m(" 76 ")])),
        (NDC, text(&[m("A"), m("A"), m("A"), m("A"), m("B"), m("B"), m("B"), None, m("A")])),
        (QUANTITY, numbers(&[1.0, 1.0, 2.0, 1.0, 3.0, 3.0, NAN, 1.0, 1.0])),
        (DAYS_SUPPLY, numbers(&[30.0, 30.0, 30.0, 90.0, 30.0, 60.0, 30.0, 30.0, 90.0])),
    ])
}

#[test]
fn population_zscores_and_the_benefit_ratio() {
    let t = pharmacy();
    // Benefits 10, 20, 30, 40 twice: mean 25, population sd √125.
    let z = |b: f64| (b - 25.0) / 125f64.sqrt();
    assert_feature(
        &t,
        "benefit_zscore",
        &[z(10.0), z(20.0), z(30.0), z(40.0), NAN, z(10.0), z(20.0), z(30.0), z(40.0)],
    );
    // Every known out-of-pocket is 5: no spread, so every z-score is 0.
    assert_feature(&t, "out_of_pocket_zscore", &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, NAN]);
    // Billed 0 gives NaN, not infinity.
    assert_feature(&t, "benefit_ratio", &[0.1, 0.2, NAN, 0.5, NAN, 0.5, NAN, 0.5, 1.0]);
}

#[test]
fn gaps_windows_and_refills_follow_each_members_dates() {
    let t = pharmacy();
    // m1 by date: row 1 (day 0), 3 (10), 0 (40), 5 (40), 8 (45), 4 (100).
    // m2: row 2 (day 5) and row 6 (no date). Row 7 has no member. Rows 0 and 5 share day
    // 40, so both are 30 days after day 10 (neither is "first": that is only row order).
    assert_feature(&t, "days_since_prev_service", &[30.0, NAN, NAN, 10.0, 55.0, 30.0, NAN, NAN, 5.0]);
    assert_feature(&t, "early_refill", &[0.0, NAN, NAN, 1.0, 0.0, 0.0, NAN, NAN, 1.0]);
    // Window [day − 89, day]: day 40 → {0, 10, 40, 40}; day 45 → five; day 100 → {40, 40, 45, 100}.
    assert_feature(&t, "member_fills_90d", &[4.0, 1.0, 1.0, 2.0, 4.0, 4.0, NAN, NAN, 5.0]);
    assert_feature(&t, "excessive_fills", &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, NAN, NAN, 1.0]);
}

#[test]
fn states_payers_and_reject_codes() {
    let t = pharmacy();
    assert_feature(&t, "cross_state", &[0.0, 1.0, 0.0, NAN, NAN, 1.0, NAN, 0.0, 1.0]);
    assert_feature(&t, "govt_payer", &[0.0, 1.0, 1.0, 1.0, 1.0, 0.0, NAN, 0.0, 1.0]);
    // Missing and empty reject codes are paid claims, so 0.
    assert_feature(&t, "high_risk_reject", &[0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
}

#[test]
fn quantity_and_days_supply_against_the_ndcs_mode() {
    let t = pharmacy();
    // NDC A quantities 1, 1, 2, 1, 1 (mode 1); B: 3, 3, missing (mode 3).
    assert_feature(&t, "quantity_anomaly", &[0.0, 0.0, 1.0, 0.0, 0.0, 0.0, NAN, NAN, 0.0]);
    // NDC A supplies 30, 30, 30, 90, 90 (mode 30); B: 30, 60, 30 (mode 30).
    assert_feature(&t, "days_supply_anomaly", &[0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, NAN, 1.0]);
}

#[test]
fn a_tie_for_the_mode_flags_nobody() {
    let t = table(vec![
        (NDC, text(&[Some("A"), Some("A"), Some("A"), Some("A"), Some("A")])),
        (QUANTITY, numbers(&[1.0, 2.0, 1.0, 2.0, 3.0])),
    ]);
    assert_feature(&t, "quantity_anomaly", &[0.0, 0.0, 0.0, 0.0, 1.0]);
}

#[test]
fn allowed_against_the_procedure_99th_percentile() {
    // 99213 allowed: 70, 100, 100 (row 5 missing) → p99 at position 1.98 = 100.
    // 99214: 200, 400 → p99 at position 0.99 = 200 + 0.99 × 200 = 398.
    let expected = [1.0, 1.0, 200.0 / 398.0, 0.7, 400.0 / 398.0, NAN];
    assert_feature(&medical(), "allowed_vs_procedure_p99", &expected);
}

#[test]
fn refills_against_the_previous_days_supply() {
    // m1: day 0 (30 days), 20 (90 days), 50 (unknown supply), 60; m2: day 5 (0 days), 10;
    // m3: day 0 twice (10 and 60 days, so 60 counts), then day 30, which shares both
    // day-0 claims' gap.
    let m = Some;
    let t = table(vec![
        (MEMBER_ID, text(&[m("m1"), m("m1"), m("m1"), m("m1"), m("m2"), m("m2"), m("m3"), m("m3"), m("m3")])),
        (SERVICE_DATE, dates(&[0, 20, 50, 60, 5, 10, 0, 30, 0].map(Some))),
        (DAYS_SUPPLY, numbers(&[30.0, 90.0, NAN, 30.0, 0.0, 30.0, 10.0, 30.0, 60.0])),
    ]);
    assert_feature(&t, "refill_supply_used", &[NAN, 20.0 / 30.0, 30.0 / 90.0, NAN, NAN, NAN, NAN, 0.5, NAN]);
    assert_feature(&t, "days_since_first_service", &[0.0, 20.0, 50.0, 60.0, 0.0, 5.0, 0.0, 30.0, 0.0]);
}
