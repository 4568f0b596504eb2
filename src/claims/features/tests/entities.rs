//! Member, provider and pharmacy aggregates on one hand-made table, with answers worked
//! out by hand.

use super::*;

/// Day offsets from Friday 2024-03-01 (30 is a Sunday, 60 a Tuesday):
///
/// | row | member | provider | pharmacy | day | paid | benefit | reject | paper | allowed | proc | diag | ndc |
/// |-----|--------|----------|----------|-----|------|---------|--------|-------|---------|------|------|-----|
/// | 0   | m1     | p1       | ph1      | 0   | 10   | 100     | —      | 0     | 100     | X    | d1   | A   |
/// | 1   | m1     | p1       | ph1      | 30  | 20   | 100     | 76     | 1     | 200     | X    | d1   | B   |
/// | 2   | m1     | p2       | ph2      | 60  | —    | 50      | —      | 0     | 300     | Y    | d2   | A   |
/// | 3   | m2     | p1       | ph1      | 1   | 5    | 200     | —      | 0     | 100     | X    | d1   | A   |
/// | 4   | m3     | p1       | ph2      | 2   | 7    | 300     | 88     | —     | 200     | X    | d2   | A   |
/// | 5   | m4     | p2       | ph2      | 3   | —    | 80      | —      | 1     | 300     | Y    | d2   | —   |
/// | 6   | m4     | —        | ph2      | —   | 3    | 20      | —      | 1     | —       | Y    | d2   | A   |
/// | 7   | —      | p2       | —        | 4   | 1    | 40      | 70     | 0     | 100     | X    | d1   | A   |
fn entities() -> ClaimsTable {
    let m = |s: &'static str| Some(s);
    table(vec![
        (MEMBER_ID, text(&[m("m1"), m("m1"), m("m1"), m("m2"), m("m3"), m("m4"), m("m4"), None])),
        (PROVIDER_ID, text(&[m("p1"), m("p1"), m("p2"), m("p1"), m("p1"), m("p2"), None, m("p2")])),
        (PHARMACY_ID, text(&[m("ph1"), m("ph1"), m("ph2"), m("ph1"), m("ph2"), m("ph2"), m("ph2"), None])),
        (SERVICE_DATE, dates(&[Some(0), Some(30), Some(60), Some(1), Some(2), Some(3), None, Some(4)])),
        (PAID_AMOUNT, numbers(&[10.0, 20.0, NAN, 5.0, 7.0, NAN, 3.0, 1.0])),
        (BENEFIT_AMOUNT, numbers(&[100.0, 100.0, 50.0, 200.0, 300.0, 80.0, 20.0, 40.0])),
        (REJECT_CODE, text(&[None, m("76"), None, None, m("88"), None, None, m("70")])),
        (PAPER_SUBMISSION, numbers(&[0.0, 1.0, 0.0, 0.0, NAN, 1.0, 1.0, 0.0])),
        (ALLOWED_AMOUNT, numbers(&[100.0, 200.0, 300.0, 100.0, 200.0, 300.0, NAN, 100.0])),
        (PROCEDURE_CODE, text(&[m("X"), m("X"), m("Y"), m("X"), m("X"), m("Y"), m("Y"), m("X")])),
        (DIAGNOSIS_CODE, text(&[m("d1"), m("d1"), m("d2"), m("d1"), m("d2"), m("d2"), m("d2"), m("d1")])),
        (NDC, text(&[m("A"), m("B"), m("A"), m("A"), m("A"), None, m("A"), m("A")])),
    ])
}

#[test]
fn member_counts_and_distinct_entities() {
    let t = entities();
    assert_feature(&t, "member_claim_count", &[3.0, 3.0, 3.0, 1.0, 1.0, 2.0, 2.0, NAN]);
    assert_feature(&t, "member_one_and_done", &[0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, NAN]);
    // m4's second claim has no provider, and its first no NDC.
    assert_feature(&t, "member_distinct_providers", &[2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, NAN]);
    assert_feature(&t, "member_distinct_pharmacies", &[2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, NAN]);
    assert_feature(&t, "member_ndc_count", &[2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, NAN]);
}

#[test]
fn member_time_span_gaps_and_paid_total() {
    let t = entities();
    // m1 on days 0, 30, 60; m2 and m3 once; m4 has one dated claim.
    assert_feature(&t, "member_active_days", &[60.0, 60.0, 60.0, 0.0, 0.0, 0.0, 0.0, NAN]);
    assert_feature(&t, "member_mean_gap_days", &[30.0, 30.0, 30.0, NAN, NAN, NAN, NAN, NAN]);
    // m1: 10 + 20 (one missing); m4: 3 (one missing).
    assert_feature(&t, "member_total_paid", &[30.0, 30.0, 30.0, 5.0, 7.0, 3.0, 3.0, NAN]);
}

#[test]
fn provider_volume_peers_and_weekends() {
    let t = entities();
    assert_feature(&t, "provider_claim_count", &[4.0, 4.0, 3.0, 4.0, 4.0, 3.0, NAN, 3.0]);
    // Procedure X allowed 100, 200, 100, 200, 100 → mean 140; Y: 300, 300 → 300.
    // p1: (5/7 + 10/7 + 5/7 + 10/7) / 4 = 15/14; p2: (1 + 1 + 5/7) / 3 = 19/21.
    let (p1, p2) = (15.0 / 14.0, 19.0 / 21.0);
    assert_feature(&t, "provider_allowed_vs_peer", &[p1, p1, p2, p1, p1, p2, NAN, p2]);
    // Diagnosis d1: 100, 200, 100, 100 → 125; d2: 300, 200, 300 → 800/3.
    // p1: (0.8 + 1.6 + 0.8 + 0.75) / 4; p2: (1.125 + 1.125 + 0.8) / 3.
    let (p1, p2) = (3.95 / 4.0, 3.05 / 3.0);
    assert_feature(&t, "provider_cost_vs_diagnosis_peer", &[p1, p1, p2, p1, p1, p2, NAN, p2]);
    // p1 on Fri, Sun, Sat, Sun; p2 on Tue, Mon, Tue.
    assert_feature(&t, "provider_weekend_share", &[0.75, 0.75, 0.0, 0.75, 0.75, 0.0, NAN, 0.0]);
}

#[test]
fn provider_patients_benefit_and_pharmacies() {
    let t = entities();
    // p1's members: m1 twice, m2, m3 → top 2/4; p2: m1, m4 (row 7 has no member) → 1/2.
    assert_feature(&t, "provider_top_member_share", &[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, NAN, 0.5]);
    // p1: m2 and m3 once of three members; p2: m1 and m4 both once.
    let third = 2.0 / 3.0;
    assert_feature(&t, "provider_one_and_done_share", &[third, third, 1.0, third, third, 1.0, NAN, 1.0]);
    // p1: (100 + 100 + 200 + 300) / 3 members; p2: (50 + 80) / 2 (row 7 has no member).
    let (p1, p2) = (700.0 / 3.0, 65.0);
    assert_feature(&t, "provider_avg_benefit_per_patient", &[p1, p1, p2, p1, p1, p2, NAN, p2]);
    assert_feature(&t, "provider_distinct_pharmacies", &[2.0, 2.0, 1.0, 2.0, 2.0, 1.0, NAN, 1.0]);
}

#[test]
fn pharmacy_rates_concentration_and_churn() {
    let t = entities();
    let per_pharmacy = |ph1: f64, ph2: f64| [ph1, ph1, ph2, ph1, ph2, ph2, ph2, NAN];
    assert_feature(&t, "pharmacy_claim_count", &per_pharmacy(3.0, 4.0));
    assert_feature(&t, "pharmacy_reject_rate", &per_pharmacy(1.0 / 3.0, 0.25));
    // ph2's flags: 0, missing, 1, 1.
    assert_feature(&t, "pharmacy_paper_rate", &per_pharmacy(1.0 / 3.0, 2.0 / 3.0));
    // ph1: p1 three times; ph2: p2, p1, p2 (row 6 has no provider).
    assert_feature(&t, "pharmacy_prescriber_concentration", &per_pharmacy(1.0, 2.0 / 3.0));
    // ph1 patients m1 (3 claims), m2 (1); ph2: m1, m3 (1), m4 (2).
    assert_feature(&t, "pharmacy_one_and_done_pct", &per_pharmacy(0.5, 1.0 / 3.0));
    assert_feature(&t, "pharmacy_avg_benefit", &per_pharmacy(400.0 / 3.0, 112.5));
}

#[test]
fn the_pharmacy_fraud_risk_score_weighs_the_four_rates() {
    // ph1: 0.25·1/3 + 0.20·1/3 + 0.30·1 + 0.25·1/2 = 0.575.
    // ph2: 0.25·1/4 + 0.20·2/3 + 0.30·2/3 + 0.25·1/3 = 0.0625 + 1/3 + 1/12.
    let (ph1, ph2) = (0.575, 0.0625 + 1.0 / 3.0 + 1.0 / 12.0);
    assert_feature(&entities(), "pharmacy_fraud_risk_score", &[ph1, ph1, ph2, ph1, ph2, ph2, ph2, NAN]);
}

#[test]
fn provider_volume_against_the_median_and_days_since_first() {
    let t = entities();
    // p1 has 4 claims, p2 3: the median provider has 3.5.
    let (p1, p2) = (4.0 / 3.5, 3.0 / 3.5);
    assert_feature(&t, "provider_volume_ratio", &[p1, p1, p2, p1, p1, p2, NAN, p2]);
    // m1 on days 0, 30, 60; m4's second claim has no date; row 7 has no member.
    assert_feature(&t, "days_since_first_service", &[0.0, 30.0, 60.0, 0.0, 0.0, 0.0, NAN, NAN]);
}
