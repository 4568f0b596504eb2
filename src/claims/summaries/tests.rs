//! Tests of the hierarchical summaries: a hand-built table with known answers, generated
//! medical and pharmacy tables that must reconcile, sorting, CSV and a timing check.

use super::sort::peer_percentiles;
use super::*;
use crate::claims::features::add_features;
use crate::claims::schema::names::{BENEFIT_AMOUNT, IS_ANOMALY, PAID_AMOUNT, SERVICE_DATE};
use crate::claims::synth::{generate, Scenario, SynthOptions};
use crate::claims::table::{days_from_civil, CategoricalBuilder, MISSING_DAY};

fn text(values: &[Option<&str>]) -> ColumnData {
    let mut builder = CategoricalBuilder::default();
    for value in values {
        builder.push(*value);
    }
    builder.finish()
}

fn day(year: i32, month: u32, day_of_month: u32) -> i32 {
    days_from_civil(year, month, day_of_month).unwrap()
}

/// Seven copay-card claims (see the comments for who is who).
fn hand_table() -> ClaimsTable {
    let mut table = ClaimsTable::new();
    let members = [Some("M1"), Some("M2"), Some("M1"), Some("M3"), None, Some("M4"), Some("M1")];
    let prescribers = [Some("P1"), Some("P1"), Some("P2"), Some("P1"), Some("P2"), None, Some("P1")];
    let pharmacies = [Some("RX1"), Some("RX1"), Some("RX2"), Some("RX1"), Some("RX2"), Some("RX2"), None];
    table.push_column(MEMBER_ID, text(&members)).unwrap();
    table.push_column(PROVIDER_ID, text(&prescribers)).unwrap();
    table.push_column(PHARMACY_ID, text(&pharmacies)).unwrap();
    let benefit = vec![100.0, 50.0, f64::NAN, 25.0, 10.0, 5.0, 20.0];
    table.push_column(BENEFIT_AMOUNT, ColumnData::Numeric { values: benefit.into() }).unwrap();
    let days = vec![
        day(2024, 1, 1),
        day(2024, 1, 5),
        day(2024, 2, 1),
        MISSING_DAY,
        day(2024, 1, 10),
        day(2024, 3, 1),
        day(2024, 1, 3),
    ];
    table.push_column(SERVICE_DATE, ColumnData::Date { days }).unwrap();
    table
}

const PRIORITY: [f64; 7] = [0.9, 0.1, 0.5, 0.3, 0.7, f64::NAN, 0.2];
const FLAGGED: [bool; 7] = [true, false, false, true, false, false, false];
const LABELS: [bool; 7] = [true, false, false, false, true, false, false];

fn hand_summary(level: EntityLevel) -> LevelSummary {
    summarize(&hand_table(), level, &PRIORITY, &FLAGGED, Some(&LABELS)).unwrap()
}

/// `actual` is within 1e-12 of `expected`; `None` matches only NaN.
fn approx(actual: Option<f64>, expected: f64) {
    match actual {
        Some(actual) => assert!((actual - expected).abs() < 1e-12, "{actual} vs {expected}"),
        None => assert!(expected.is_nan(), "None vs {expected}"),
    }
}

#[test]
fn levels_follow_the_columns_and_pharmacy_providers_are_prescribers() {
    let table = hand_table();
    assert_eq!(levels_present(&table), [EntityLevel::Member, EntityLevel::Prescriber, EntityLevel::Pharmacy]);
    let mut medical = ClaimsTable::new();
    medical.push_column(PROVIDER_ID, text(&[Some("P1")])).unwrap();
    medical.push_column(MEMBER_ID, text(&[Some("M1")])).unwrap();
    assert_eq!(levels_present(&medical), [EntityLevel::Member, EntityLevel::Provider]);
    assert!(levels_present(&ClaimsTable::new()).is_empty());
    assert_eq!(EntityLevel::Prescriber.id_column(), PROVIDER_ID);
    assert_eq!(EntityLevel::Pharmacy.id_column(), PHARMACY_ID);
    assert_eq!(amount_column(&table), Some(BENEFIT_AMOUNT));
}

#[test]
fn member_summary_by_hand() {
    let summary = hand_summary(EntityLevel::Member);
    assert_eq!(summary.counterparty, Some(EntityLevel::Prescriber));
    assert_eq!(summary.amount_column.as_deref(), Some(BENEFIT_AMOUNT));
    let ids: Vec<&str> = summary.rows.iter().map(|row| row.id.as_str()).collect();
    assert_eq!(ids, ["M1", "M2", "M3", "M4"], "first appearance order");
    assert_eq!((summary.missing_id_claims, summary.missing_id_amount), (1, 10.0));

    let m1 = &summary.rows[0];
    assert_eq!((m1.n_claims, m1.total_paid), (3, Some(120.0)), "the NaN benefit is left out");
    approx(m1.mean_priority, 1.6 / 3.0);
    assert_eq!(m1.max_priority, Some(0.9));
    approx(m1.flagged_share, 1.0 / 3.0);
    approx(m1.label_rate, 1.0 / 3.0);
    assert_eq!(m1.one_and_done_share, Some(0.0));
    approx(m1.top_counterparty_share, 2.0 / 3.0);
    assert_eq!(m1.peer_percentile, Some(100.0));
    assert_eq!((m1.first_service_day, m1.last_service_day), (Some(day(2024, 1, 1)), Some(day(2024, 2, 1))));

    let m2 = &summary.rows[1];
    assert_eq!((m2.n_claims, m2.total_paid, m2.one_and_done_share), (1, Some(50.0), Some(1.0)));
    assert_eq!((m2.peer_percentile, m2.top_counterparty_share), (Some(0.0), Some(1.0)));
    let m3 = &summary.rows[2];
    assert_eq!((m3.flagged_share, m3.peer_percentile), (Some(1.0), Some(50.0)));
    assert_eq!((m3.first_service_day, m3.last_service_day), (None, None), "its one claim is undated");
    let m4 = &summary.rows[3];
    assert_eq!((m4.mean_priority, m4.max_priority, m4.peer_percentile), (None, None, None), "NaN priority");
    assert_eq!(m4.top_counterparty_share, None, "its one claim has no prescriber");
}

#[test]
fn prescriber_summary_by_hand() {
    let summary = hand_summary(EntityLevel::Prescriber);
    assert_eq!(summary.counterparty, Some(EntityLevel::Member));
    assert_eq!((summary.missing_id_claims, summary.missing_id_amount), (1, 5.0));
    let [p1, p2] = summary.rows.as_slice() else { panic!("two prescribers: {:?}", summary.rows) };
    assert_eq!((p1.id.as_str(), p1.n_claims, p1.total_paid), ("P1", 4, Some(195.0)));
    assert_eq!((p1.mean_priority, p1.max_priority), (Some(0.375), Some(0.9)));
    assert_eq!((p1.flagged_share, p1.label_rate), (Some(0.5), Some(0.25)));
    approx(p1.one_and_done_share, 2.0 / 3.0); // M2 and M3 of M1, M2, M3
    assert_eq!(p1.top_counterparty_share, Some(0.5), "M1 has 2 of 4");
    assert_eq!((p2.id.as_str(), p2.n_claims, p2.total_paid), ("P2", 2, Some(10.0)));
    assert_eq!((p2.mean_priority, p2.max_priority, p2.flagged_share), (Some(0.6), Some(0.7), Some(0.0)));
    assert_eq!(p2.one_and_done_share, Some(0.0), "M1 only; the member-less claim is left out");
    assert_eq!(p2.top_counterparty_share, Some(1.0));
    assert_eq!((p1.peer_percentile, p2.peer_percentile), (Some(0.0), Some(100.0)));
    assert_eq!((p2.first_service_day, p2.last_service_day), (Some(day(2024, 1, 10)), Some(day(2024, 2, 1))));
}

#[test]
fn pharmacy_summary_by_hand() {
    let summary = hand_summary(EntityLevel::Pharmacy);
    assert_eq!(summary.counterparty, Some(EntityLevel::Prescriber));
    assert_eq!((summary.missing_id_claims, summary.missing_id_amount), (1, 20.0));
    let [rx1, rx2] = summary.rows.as_slice() else { panic!("two pharmacies") };
    assert_eq!((rx1.n_claims, rx1.total_paid, rx1.top_counterparty_share), (3, Some(175.0), Some(1.0)));
    approx(rx1.one_and_done_share, 2.0 / 3.0);
    assert_eq!((rx2.n_claims, rx2.total_paid), (3, Some(15.0)));
    assert_eq!(rx2.one_and_done_share, Some(0.5), "M4 of M1 and M4");
    assert_eq!(rx2.top_counterparty_share, Some(1.0), "P2 has both claims with a prescriber");
    assert_eq!(rx2.mean_priority, Some(0.6), "the NaN priority is left out");
    approx(rx2.label_rate, 1.0 / 3.0);
}

#[test]
fn every_level_reconciles_to_the_table() {
    let table = hand_table();
    for level in levels_present(&table) {
        let summary = hand_summary(level);
        let claims: usize = summary.rows.iter().map(|row| row.n_claims).sum();
        assert_eq!(claims + summary.missing_id_claims, 7, "{level}");
        let total: f64 = summary.rows.iter().filter_map(|row| row.total_paid).sum();
        assert_eq!(total + summary.missing_id_amount, 210.0, "{level}");
    }
}

#[test]
fn unknown_inputs_leave_fields_empty_and_bad_lengths_are_refused() {
    let table = hand_table();
    let bare = summarize(&table, EntityLevel::Member, &[], &[], None).unwrap();
    assert!(!bare.has_priority && !bare.has_flags && !bare.has_labels);
    assert!(bare.rows.iter().all(|row| row.mean_priority.is_none() && row.peer_percentile.is_none()));
    assert!(bare.rows.iter().all(|row| row.flagged_share.is_none() && row.label_rate.is_none()));
    let err = summarize(&table, EntityLevel::Member, &[0.5], &[], None).unwrap_err();
    assert_eq!(err.to_string(), "The priorities cover 1 claims, but the table has 7.");
    let err = summarize(&table, EntityLevel::Member, &[], &[], Some(&[])).unwrap_err();
    assert!(matches!(err, SummaryError::LengthMismatch { what: "labels", expected: 7, actual: 0 }));
    let err = summarize(&ClaimsTable::new(), EntityLevel::Pharmacy, &[], &[], None).unwrap_err();
    assert_eq!(err.to_string(), "This table has no pharmacy_id column, so it has no pharmacy summary.");
}

#[test]
fn numeric_ids_and_tables_without_amounts_or_dates() {
    let mut table = ClaimsTable::new();
    let ids = ColumnData::Numeric { values: vec![7.0, f64::NAN, 7.0, 12.5].into() };
    table.push_column(MEMBER_ID, ids).unwrap();
    let summary = summarize(&table, EntityLevel::Member, &[0.2, 0.4, 0.6, 0.8], &[], None).unwrap();
    let ids: Vec<&str> = summary.rows.iter().map(|row| row.id.as_str()).collect();
    assert_eq!(ids, ["7", "12.5"]);
    assert_eq!((summary.missing_id_claims, summary.amount_column.clone(), summary.has_dates), (1, None, false));
    assert_eq!(summary.counterparty, None);
    let seven = &summary.rows[0];
    assert_eq!((seven.n_claims, seven.total_paid, seven.one_and_done_share), (2, None, Some(0.0)));
    approx(seven.mean_priority, 0.4);
    assert_eq!(claims_of(&table, EntityLevel::Member, "7"), [0, 2]);
    assert_eq!(claims_of(&table, EntityLevel::Member, ""), Vec::<u32>::new());
}

#[test]
fn damaged_codes_count_as_missing_ids() {
    let mut table = ClaimsTable::new();
    let ids =
        ColumnData::Categorical { levels: ["A", "B"].into_iter().collect(), codes: vec![0, 9, 1, u32::MAX - 1, 0] };
    table.push_column(PHARMACY_ID, ids).unwrap();
    let summary = summarize(&table, EntityLevel::Pharmacy, &[], &[], None).unwrap();
    assert_eq!(summary.rows.iter().map(|row| row.n_claims).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(summary.missing_id_claims, 2);
    let unused = ColumnData::Categorical { levels: ["unused", "B"].into_iter().collect(), codes: vec![1, 1] };
    let mut table = ClaimsTable::new();
    table.push_column(PHARMACY_ID, unused).unwrap();
    let summary = summarize(&table, EntityLevel::Pharmacy, &[], &[], None).unwrap();
    assert_eq!(summary.rows.len(), 1, "levels with no claim have no row");
    assert_eq!(summary.rows[0].peer_percentile, None);
}

#[test]
fn claims_of_lists_rows_in_file_order() {
    let table = hand_table();
    assert_eq!(claims_of(&table, EntityLevel::Member, "M1"), [0, 2, 6]);
    assert_eq!(claims_of(&table, EntityLevel::Prescriber, "P2"), [2, 4]);
    assert_eq!(claims_of(&table, EntityLevel::Provider, "P2"), [2, 4], "same column");
    assert!(claims_of(&table, EntityLevel::Pharmacy, "RX9").is_empty());
    assert!(claims_of(&ClaimsTable::new(), EntityLevel::Pharmacy, "RX1").is_empty());
}

#[test]
fn percentiles_average_ties_and_skip_the_unknown() {
    let values = [Some(0.1), Some(0.5), Some(0.5), Some(0.9), None, Some(f64::NAN)];
    assert_eq!(peer_percentiles(&values), [Some(0.0), Some(50.0), Some(50.0), Some(100.0), None, None]);
    assert_eq!(peer_percentiles(&[Some(0.3)]), [Some(50.0)]);
    assert_eq!(peer_percentiles(&[Some(-0.0), Some(0.0)]), [Some(50.0), Some(50.0)], "both zeros tie");
    // 5 values, ranks 0..4: a three-way tie at ranks 1..3 shares rank 2 -> 50.
    let five = [Some(1.0), Some(2.0), Some(2.0), Some(2.0), Some(3.0)];
    assert_eq!(peer_percentiles(&five), [Some(0.0), Some(50.0), Some(50.0), Some(50.0), Some(100.0)]);
    assert!(peer_percentiles(&[]).is_empty());
}

#[test]
fn sorting_is_stable_with_ties_by_id_and_unknowns_last() {
    let mut rows = hand_summary(EntityLevel::Member).rows;
    let ids = |rows: &[EntitySummary]| rows.iter().map(|row| row.id.clone()).collect::<Vec<_>>();
    sort_summary(&mut rows, SummaryKey::MeanPriority, true);
    assert_eq!(ids(&rows), ["M1", "M3", "M2", "M4"], "M4 has no priority");
    sort_summary(&mut rows, SummaryKey::MeanPriority, false);
    assert_eq!(ids(&rows), ["M2", "M3", "M1", "M4"], "unknowns last either way");
    sort_summary(&mut rows, SummaryKey::OneAndDoneShare, true);
    assert_eq!(ids(&rows), ["M2", "M3", "M4", "M1"], "ties by id");
    sort_summary(&mut rows, SummaryKey::NClaims, false);
    assert_eq!(ids(&rows), ["M2", "M3", "M4", "M1"]);
    sort_summary(&mut rows, SummaryKey::Id, true);
    assert_eq!(ids(&rows), ["M4", "M3", "M2", "M1"]);
    sort_summary(&mut rows, SummaryKey::FirstServiceDay, false);
    assert_eq!(ids(&rows), ["M1", "M2", "M4", "M3"]);
}

#[test]
fn csv_has_a_header_and_one_line_per_entity() {
    let mut out = Vec::new();
    write_summary_csv(&hand_summary(EntityLevel::Prescriber), &mut out).unwrap();
    let expected = "prescriber_id,n_claims,total_benefit_amount,mean_priority,max_priority,flagged_share,label_rate,\
                    one_and_done_share,top_member_share,peer_percentile,first_service_date,last_service_date\n\
                    P1,4,195,0.375,0.9,0.5,0.25,0.6666666666666666,0.5,0,2024-01-01,2024-01-05\n\
                    P2,2,10,0.6,0.7,0,0.5,0,1,100,2024-01-10,2024-02-01\n";
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

#[test]
fn the_summary_as_a_table_has_the_csv_columns_and_cells() {
    let summary = hand_summary(EntityLevel::Prescriber);
    let table = summary_table(&summary).unwrap();
    let mut out = Vec::new();
    write_summary_csv(&summary, &mut out).unwrap();
    let csv = String::from_utf8(out).unwrap();
    let mut lines = csv.lines();
    assert_eq!(table.column_names().join(","), lines.next().unwrap());
    for (row, line) in lines.enumerate() {
        let cells: Vec<String> = table.columns().iter().map(|c| c.data.display(row)).collect();
        // The table rounds for reading: one-and-done 0.6666666666666666 shows as 0.6667.
        assert_eq!(cells.join(","), line.replace("0.6666666666666666", "0.6667"));
    }
    assert!(matches!(table.column("n_claims").unwrap().data, ColumnData::Numeric { .. }));
    assert!(matches!(table.column("first_service_date").unwrap().data, ColumnData::Date { .. }));
}

#[test]
fn csv_cells_are_guarded_and_optional_columns_dropped() {
    let mut table = ClaimsTable::new();
    table.push_column(MEMBER_ID, text(&[Some("=HYPERLINK(x)"), Some("a,b"), Some("-4")])).unwrap();
    let summary = summarize(&table, EntityLevel::Member, &[], &[], None).unwrap();
    let mut out = Vec::new();
    write_summary_csv(&summary, &mut out).unwrap();
    let expected = "member_id,n_claims,one_and_done_share\n'=HYPERLINK(x),1,1\n\"a,b\",1,1\n-4,1,1\n";
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

fn synthetic(scenario: Scenario) -> (ClaimsTable, Vec<f64>, Vec<bool>, Vec<bool>) {
    let table = generate(scenario, &SynthOptions { n_rows: 3_000, seed: 11, fraud_rate: 0.05 }).unwrap();
    let n = table.n_rows();
    let priority: Vec<f64> = (0..n).map(|row| ((row * 7919) % 1000) as f64 / 999.0).collect();
    let flagged: Vec<bool> = (0..n).map(|row| row % 7 == 0).collect();
    let labels: Vec<bool> = match &table.column(IS_ANOMALY).unwrap().data {
        ColumnData::Numeric { values } => values.iter().map(|v| v == 1.0).collect(),
        _ => panic!("numeric labels"),
    };
    (table, priority, flagged, labels)
}

fn table_total(table: &ClaimsTable, name: &str) -> f64 {
    match &table.column(name).unwrap().data {
        ColumnData::Numeric { values } => values.iter().filter(|v| v.is_finite()).sum(),
        _ => panic!("numeric amounts"),
    }
}

#[test]
fn generated_tables_summarise_at_every_level_and_reconcile() {
    for (scenario, levels, amount) in [
        (Scenario::Medical, vec![EntityLevel::Member, EntityLevel::Provider], PAID_AMOUNT),
        (Scenario::Pharmacy, vec![EntityLevel::Member, EntityLevel::Prescriber, EntityLevel::Pharmacy], BENEFIT_AMOUNT),
    ] {
        let (table, priority, flagged, labels) = synthetic(scenario);
        assert_eq!(levels_present(&table), levels, "{scenario}");
        let expected_total = table_total(&table, amount);
        let positives = labels.iter().filter(|&&label| label).count() as f64;
        for level in levels {
            let summary = summarize(&table, level, &priority, &flagged, Some(&labels)).unwrap();
            assert_eq!(summary.amount_column.as_deref(), Some(amount));
            let claims: usize = summary.rows.iter().map(|row| row.n_claims).sum();
            assert_eq!(claims + summary.missing_id_claims, table.n_rows(), "{scenario} {level}");
            let total: f64 =
                summary.rows.iter().filter_map(|row| row.total_paid).sum::<f64>() + summary.missing_id_amount;
            assert!((total - expected_total).abs() <= 1e-9 * expected_total.abs(), "{scenario} {level}");
            let labelled: f64 = summary.rows.iter().map(|row| row.label_rate.unwrap() * row.n_claims as f64).sum();
            assert!(summary.missing_id_claims > 0 || (labelled - positives).abs() < 1e-6, "{scenario} {level}");
            let mut ids: Vec<&str> = summary.rows.iter().map(|row| row.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), summary.rows.len(), "ids are unique");
            for row in &summary.rows {
                let shares = [row.flagged_share, row.label_rate, row.one_and_done_share, row.top_counterparty_share];
                assert!(shares.iter().flatten().all(|share| (0.0..=1.0).contains(share)), "{row:?}");
                assert!(row.peer_percentile.is_some_and(|p| (0.0..=100.0).contains(&p)));
                assert!(row.first_service_day <= row.last_service_day);
            }
            let first = &summary.rows[0];
            assert_eq!(claims_of(&table, level, &first.id).len(), first.n_claims);
            assert_eq!(summary, summarize(&table, level, &priority, &flagged, Some(&labels)).unwrap(), "deterministic");
        }
    }
}

#[test]
fn pharmacy_figures_agree_with_the_derived_features() {
    let (table, priority, flagged, _) = synthetic(Scenario::Pharmacy);
    let (with_features, _) = add_features(&table).unwrap();
    let feature = |name: &str| match &with_features.column(name).unwrap().data {
        ColumnData::Numeric { values } => values.to_vec(),
        _ => panic!("numeric feature"),
    };
    let concentration = feature("pharmacy_prescriber_concentration");
    let one_and_done = feature("pharmacy_one_and_done_pct");
    let summary = summarize(&table, EntityLevel::Pharmacy, &priority, &flagged, None).unwrap();
    for row in &summary.rows {
        let first = claims_of(&table, EntityLevel::Pharmacy, &row.id)[0] as usize;
        approx(row.top_counterparty_share, concentration[first]);
        approx(row.one_and_done_share, one_and_done[first]);
    }
}

/// 1,000,000 claims of 100,000 members, 5,000 providers and 1,000 pharmacies: run with
/// `cargo test --lib summaries::tests::a_million_claims -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run by hand"]
fn a_million_claims_summarise_quickly() {
    let n: u32 = 1_000_000;
    let categorical = |prefix: &str, n_ids: u32, stride: u32| ColumnData::Categorical {
        levels: (0..n_ids).map(|id| format!("{prefix}{id:07}")).collect(),
        codes: (0..n).map(|row| (row.wrapping_mul(stride) ^ (row >> 3)) % n_ids).collect(),
    };
    let mut table = ClaimsTable::new();
    table.push_column(MEMBER_ID, categorical("M", 100_000, 2_654_435_761)).unwrap();
    table.push_column(PROVIDER_ID, categorical("P", 5_000, 40_503)).unwrap();
    table.push_column(PHARMACY_ID, categorical("RX", 1_000, 97)).unwrap();
    let amounts: Vec<f64> = (0..n).map(|row| f64::from(row % 500) + 0.25).collect();
    table.push_column(BENEFIT_AMOUNT, ColumnData::Numeric { values: amounts.into() }).unwrap();
    let days = (0..n).map(|row| 19_000 + (row % 365) as i32).collect();
    table.push_column(SERVICE_DATE, ColumnData::Date { days }).unwrap();
    let priority: Vec<f64> = (0..n).map(|row| f64::from(row % 1000) / 999.0).collect();
    let flagged: Vec<bool> = (0..n).map(|row| row % 13 == 0).collect();
    for level in levels_present(&table) {
        let start = std::time::Instant::now();
        let summary = summarize(&table, level, &priority, &flagged, None).unwrap();
        let elapsed = start.elapsed();
        println!("{level}: {} entities in {elapsed:?}", summary.rows.len());
        assert!(elapsed.as_secs_f64() < 1.0, "{level} took {elapsed:?}");
    }
}
