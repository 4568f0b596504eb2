//! The `pharmacy` scenario: a year of copay-card transactions for one inhaler product
//! (two strengths of a Trelegy-like NDC), with planted card-fraud schemes.
//!
//! Normal patients refill about monthly at one pharmacy in their own state, from one
//! prescriber; some stop early, some are late, some use 90-day fills, and a few claims are
//! rejected, submitted on paper or filled out of state, so every rule of the copay-card
//! program fires on normal claims too. Six schemes are planted at the requested rate.

use super::sampling::{
    compact_categorical, distinct_numeric_ids, log_normal_factor, non_negative, npi_like_ids, padded_id, pareto_weight,
    pick_weighted, round_cents, standard_normal, uniform, AliasTable,
};
use super::{SynthError, SynthOptions};
use crate::claims::schema::names::*;
use crate::claims::table::{days_from_civil, ClaimsTable, ColumnData, MISSING_CODE};
use crate::rng::SeededRng;
use crate::sorting::sort_stable_by;

/// The `anomaly_type` texts, in code order; "none" marks a normal transaction.
pub const PHARMACY_ANOMALY_TYPES: [&str; 7] = [
    "none",
    "early_refill",
    "one_and_done",
    "pharmacy_prescriber_ring",
    "government_insured",
    "cross_state",
    "inactive_pharmacy",
];

/// The product's NDCs (11 digits, as text): the 100 and the 200 strength.
pub const PRODUCT_NDCS: [&str; 2] = ["00173089314", "00173088714"];
/// Share of patients on the lower strength.
pub const LOWER_STRENGTH_SHARE: f64 = 0.75;
/// Share of fills on which a patient switches strength.
pub const STRENGTH_SWITCH_RATE: f64 = 0.02;
/// The year the fill dates fall in.
pub const FILL_YEAR: i32 = 2025;
/// Inhalers per 30-day fill.
pub const QUANTITY_PER_FILL: f64 = 1.0;
/// Days supply of a standard fill.
pub const DAYS_SUPPLY_PER_FILL: f64 = 30.0;
/// Share of normal patients on 90-day fills (three inhalers).
pub const NINETY_DAY_PATIENT_SHARE: f64 = 0.03;
/// A refill this many days or fewer after the previous one is early (the program's rule: < 23).
pub const EARLY_REFILL_DAYS: i32 = 23;
/// More fills than this within 90 days is stockpiling (the program's rule).
pub const MAX_FILLS_IN_90_DAYS: usize = 4;
/// Reject codes the program treats as high risk (plan limits, DUR, refill too soon).
pub const HIGH_RISK_REJECT_CODES: [&str; 3] = ["76", "88", "79"];
/// Median usual-and-customary price of one inhaler.
pub const USUAL_AND_CUSTOMARY_PRICE: f64 = 720.0;
/// Most the card pays on one fill.
pub const MAX_BENEFIT_PER_FILL: f64 = 600.0;
/// Claim rows per pharmacy, on average.
pub const ROWS_PER_PHARMACY: usize = 120;
/// Claim rows per prescriber, on average.
pub const ROWS_PER_PRESCRIBER: usize = 40;
/// The fewest pharmacies, whatever the row count.
pub const MIN_PHARMACIES: usize = 12;
/// The fewest prescribers, whatever the row count.
pub const MIN_PRESCRIBERS: usize = 12;
/// Pareto tail index of pharmacy and prescriber volume.
pub const VOLUME_TAIL: f64 = 1.3;
/// Cap on a pharmacy's or prescriber's volume weight.
pub const VOLUME_CAP: f64 = 50.0;
/// Share of normal patients already on therapy on January 1st.
pub const ONGOING_PATIENT_SHARE: f64 = 0.6;
/// Share of new normal patients who never refill.
pub const TRIAL_ONLY_SHARE: f64 = 0.08;
/// Chance a normal patient stops after any fill.
pub const DISCONTINUATION_RATE: f64 = 0.07;
/// Share of normal refills that come late (38–75 days).
pub const LATE_REFILL_SHARE: f64 = 0.12;
/// Standard deviation, in days, of an on-time refill gap around 30.
pub const REFILL_GAP_SPREAD_DAYS: f64 = 2.5;
/// Share of normal fills at another pharmacy in the patient's state.
pub const PHARMACY_SWITCH_RATE: f64 = 0.05;
/// Share of normal fills at a pharmacy in another state (travel, border towns).
pub const NORMAL_CROSS_STATE_RATE: f64 = 0.03;
/// Share of normal fills preceded by a rejected attempt.
pub const NORMAL_REJECT_RATE: f64 = 0.05;
/// Share of normal claims submitted on paper.
pub const NORMAL_PAPER_RATE: f64 = 0.02;
/// Share of normal prescribers with a specialty the program deems suspicious.
pub const NORMAL_SUSPICIOUS_PRESCRIBER_SHARE: f64 = 0.03;
/// Share of pharmacies that closed during the year (their earlier claims are normal).
pub const CLOSED_PHARMACY_SHARE: f64 = 0.02;
/// Share of normal patients paying cash (no insurance).
pub const CASH_PATIENT_SHARE: f64 = 0.05;
/// Share of early-refill fills preceded by a rejected "refill too soon" attempt.
pub const EARLY_REFILL_REJECT_RATE: f64 = 0.2;
/// Share of ring claims from the ring's prescriber.
pub const RING_PRESCRIBER_SHARE: f64 = 0.9;
/// Share of rings whose prescriber has a suspicious specialty.
pub const RING_SUSPICIOUS_SHARE: f64 = 0.7;
/// Share of ring claims submitted on paper.
pub const RING_PAPER_RATE: f64 = 0.35;
/// Share of ring fills preceded by a rejected attempt.
pub const RING_REJECT_RATE: f64 = 0.15;
/// Ring pharmacies' prices relative to their peers.
pub const RING_PRICE_FACTOR: f64 = 1.3;
/// Share of one-and-done patients sent by the scheme's prescribers.
pub const ONE_AND_DONE_PRESCRIBER_SHARE: f64 = 0.85;
/// Share of one-and-done patients living in the pharmacy's state.
pub const ONE_AND_DONE_LOCAL_SHARE: f64 = 0.9;
/// Share of one-and-done patients at the start of a deductible (the card pays the most).
pub const ONE_AND_DONE_DEDUCTIBLE_SHARE: f64 = 0.6;
/// Share of one-and-done prescribers with a suspicious specialty.
pub const ONE_AND_DONE_SUSPICIOUS_SHARE: f64 = 0.5;
/// Fills in an early-refill burst (more than [`MAX_FILLS_IN_90_DAYS`]).
pub const EARLY_REFILL_BURST_FILLS: (i64, i64) = (5, 12);
/// Days between fills of an early-refill burst (always below [`EARLY_REFILL_DAYS`]).
pub const EARLY_REFILL_GAP_DAYS: (i64, i64) = (7, 20);
/// Ordinary monthly fills an early refiller may have before the burst.
pub const EARLY_REFILL_FILLS_BEFORE: (i64, i64) = (0, 2);
/// Share of early refillers alternating between two pharmacies.
pub const EARLY_REFILL_TWO_PHARMACY_SHARE: f64 = 0.3;
/// Fills per ring patient.
pub const RING_FILLS: (i64, i64) = (2, 6);
/// Days between ring fills (they look punctual).
pub const RING_GAP_DAYS: (i64, i64) = (26, 34);
/// Coinsurance of ring patients' plans (so the card pays a lot).
pub const RING_COINSURANCE: (f64, f64) = (0.45, 0.55);
/// Fills per cross-state patient at a hub pharmacy.
pub const CROSS_STATE_FILLS: (i64, i64) = (3, 8);
/// Fills per patient of a closed pharmacy.
pub const INACTIVE_PHARMACY_FILLS: (i64, i64) = (1, 5);
/// Days after closing before a closed pharmacy's first claim.
pub const INACTIVE_PHARMACY_DELAY_DAYS: (i64, i64) = (0, 45);
/// Day of the year on which an inactive-pharmacy scheme's pharmacy closed.
pub const SCHEME_CLOSURE_DAYS: (i64, i64) = (60, 180);
/// Day of the year on which an honestly closed pharmacy closed.
pub const NORMAL_CLOSURE_DAYS: (i64, i64) = (120, 330);
/// Coinsurance of government-insured patients' plans.
pub const GOVERNMENT_COINSURANCE: (f64, f64) = (0.15, 0.3);
/// Share of Medicare patients aged 65 or more (the rest qualify by disability).
pub const MEDICARE_ELDERLY_SHARE: f64 = 0.85;
/// Share of commercial plans with a flat copay.
pub const COPAY_PLAN_SHARE: f64 = 0.45;
/// Share of commercial plans with coinsurance (the rest have a deductible first).
pub const COINSURANCE_PLAN_SHARE: f64 = 0.35;
/// Flat copays of copay plans, with their shares.
pub const PLAN_COPAYS: [(f64, f64); 5] = [(35.0, 0.3), (50.0, 0.3), (75.0, 0.2), (100.0, 0.12), (150.0, 0.08)];
/// Coinsurance of coinsurance plans.
pub const PLAN_COINSURANCE: (f64, f64) = (0.2, 0.4);
/// Deductible of deductible plans.
pub const PLAN_DEDUCTIBLE: (f64, f64) = (1_500.0, 4_000.0);
/// Coinsurance once the deductible is met.
pub const POST_DEDUCTIBLE_COINSURANCE: f64 = 0.2;
/// What the card leaves the patient to pay per fill, with shares.
pub const CARD_COPAYS: [(f64, f64); 3] = [(0.0, 0.7), (10.0, 0.2), (25.0, 0.1)];
/// Patient age bands (youngest, oldest, share); the program covers adults only.
pub const PATIENT_AGE_BANDS: [(i64, i64, f64); 3] = [(18, 44, 0.25), (45, 64, 0.45), (65, 90, 0.3)];
/// Log-normal spread of pharmacies' usual-and-customary prices.
pub const PHARMACY_PRICE_SPREAD: f64 = 0.05;
/// Log-normal spread of one claim's price around its pharmacy's.
pub const CLAIM_PRICE_SPREAD: f64 = 0.02;
/// Days before a paid fill that a "refill too soon" attempt was rejected.
pub const TOO_SOON_ATTEMPT_DAYS: (i64, i64) = (3, 7);
/// Days before a paid fill that other rejected attempts happened.
pub const OTHER_ATTEMPT_DAYS: (i64, i64) = (0, 2);
/// Days between on-time 90-day fills.
pub const NINETY_DAY_GAP_DAYS: (i64, i64) = (85, 96);
/// Days between late refills.
pub const LATE_GAP_DAYS: (i64, i64) = (38, 75);
/// Shortest and longest on-time 30-day refill gap.
pub const ON_TIME_GAP_DAYS: (f64, f64) = (25.0, 36.0);
/// First fill day of a patient already on therapy on January 1st.
pub const ONGOING_FIRST_FILL_DAYS: (i64, i64) = (0, 34);

/// Generates `options.n_rows` copay-card transactions with planted schemes; the same options
/// give the same table.
///
/// Columns, in order: claim_id, service_date, member_id, member_age, member_state,
/// provider_id, provider_specialty, pharmacy_id, pharmacy_state, pharmacy_active, ndc,
/// quantity, days_supply, billed_amount, benefit_amount, out_of_pocket, payer_type,
/// reject_code, paper_submission, is_anomaly, anomaly_type.
pub fn generate_pharmacy(options: &SynthOptions) -> Result<ClaimsTable, SynthError> {
    options.validate()?;
    let quotas = scheme_quotas(options.anomalous_rows());
    let world = World::new(options.n_rows, options.seed, &quotas);
    let mut book = ClaimBook::new(world, options.n_rows, options.n_rows - options.anomalous_rows(), options.seed);
    book.plant_schemes(&quotas);
    book.fill_normal_patients();
    build_table(&book)
}

mod catalog;
mod fills;
mod output;
mod prescribing;

use catalog::*;
use fills::*;
use output::*;
use prescribing::*;

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::claims::synth::test_support::{
        assert_exact_row_and_label_counts, assert_rate_and_kinds, assert_seed_reproduces, days, labels, numeric,
        options, texts,
    };

    fn rows_by<'t>(keys: &[&'t str]) -> HashMap<&'t str, Vec<usize>> {
        let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
        for (row, &key) in keys.iter().enumerate() {
            groups.entry(key).or_default().push(row);
        }
        groups
    }

    #[test]
    fn same_seed_same_table_other_seed_differs() {
        assert_seed_reproduces(generate_pharmacy);
    }

    #[test]
    fn row_count_is_exact_whatever_the_size_and_rate() {
        assert_exact_row_and_label_counts(generate_pharmacy);
    }

    #[test]
    fn labels_match_the_rate_and_every_scheme_appears() {
        assert_rate_and_kinds(generate_pharmacy, &PHARMACY_ANOMALY_TYPES, 150);
    }

    #[test]
    fn columns_have_the_documented_names_order_and_types() {
        let table = generate_pharmacy(&options(3_000, 2, 0.05)).unwrap();
        let expected = [
            CLAIM_ID,
            SERVICE_DATE,
            MEMBER_ID,
            MEMBER_AGE,
            MEMBER_STATE,
            PROVIDER_ID,
            PROVIDER_SPECIALTY,
            PHARMACY_ID,
            PHARMACY_STATE,
            PHARMACY_ACTIVE,
            NDC,
            QUANTITY,
            DAYS_SUPPLY,
            BILLED_AMOUNT,
            BENEFIT_AMOUNT,
            OUT_OF_POCKET,
            PAYER_TYPE,
            REJECT_CODE,
            PAPER_SUBMISSION,
            IS_ANOMALY,
            ANOMALY_TYPE,
        ];
        assert_eq!(table.column_names(), expected);
        for column in table.columns() {
            match &column.data {
                ColumnData::Categorical { levels, codes } => {
                    let missing_allowed = column.name == REJECT_CODE;
                    for &code in codes {
                        assert!(
                            (code as usize) < levels.len() || (missing_allowed && code == MISSING_CODE),
                            "{}",
                            column.name
                        );
                    }
                }
                ColumnData::Numeric { values } => assert!(values.iter().all(|v| v.is_finite()), "{}", column.name),
                ColumnData::Date { .. } => assert_eq!(column.name, SERVICE_DATE),
            }
        }
        for name in [MEMBER_AGE, PHARMACY_ACTIVE, QUANTITY, DAYS_SUPPLY, BILLED_AMOUNT, BENEFIT_AMOUNT, OUT_OF_POCKET] {
            numeric(&table, name);
        }
        assert!(texts(&table, NDC).iter().all(|ndc| PRODUCT_NDCS.contains(ndc)));
        assert!(texts(&table, PROVIDER_ID).iter().all(|id| id.len() == 10));
        assert!(texts(&table, PHARMACY_ID).iter().all(|id| id.len() == 7));
        assert_eq!(texts(&table, CLAIM_ID)[0], "RX0000001");
        let dates = days(&table, SERVICE_DATE);
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "claims are in date order");
    }

    #[test]
    fn values_are_plausible_and_normal_claims_fire_rules_too() {
        let table = generate_pharmacy(&options(30_000, 9, 0.05)).unwrap();
        let labels = labels(&table);
        let billed = numeric(&table, BILLED_AMOUNT);
        let benefit = numeric(&table, BENEFIT_AMOUNT);
        let oop = numeric(&table, OUT_OF_POCKET);
        let rejects = texts(&table, REJECT_CODE);
        let quantity = numeric(&table, QUANTITY);
        let supply = numeric(&table, DAYS_SUPPLY);
        for row in 0..table.n_rows() {
            assert!(benefit[row] >= 0.0 && oop[row] >= 0.0 && benefit[row] <= MAX_BENEFIT_PER_FILL);
            assert!(benefit[row] + oop[row] <= billed[row] + 0.01);
            if !rejects[row].is_empty() {
                assert_eq!((benefit[row], oop[row]), (0.0, 0.0), "a rejected claim pays nothing");
            }
            assert!((quantity[row], supply[row]) == (1.0, 30.0) || (quantity[row], supply[row]) == (3.0, 90.0));
        }
        assert!(numeric(&table, MEMBER_AGE).iter().all(|&a| (18.0..=90.0).contains(&a)));
        let first = days_from_civil(FILL_YEAR, 1, 1).unwrap();
        let last = days_from_civil(FILL_YEAR, 12, 31).unwrap();
        assert!(days(&table, SERVICE_DATE).iter().all(|d| (first..=last).contains(d)));

        let normal: Vec<usize> = (0..table.n_rows()).filter(|&r| !labels[r]).collect();
        let rate =
            |hit: &dyn Fn(usize) -> bool| normal.iter().filter(|&&r| hit(r)).count() as f64 / normal.len() as f64;
        let high_risk = rate(&|r| HIGH_RISK_REJECT_CODES.contains(&rejects[r]));
        let paper = rate(&|r| numeric(&table, PAPER_SUBMISSION)[r] == 1.0);
        let members = texts(&table, MEMBER_STATE);
        let pharmacies = texts(&table, PHARMACY_STATE);
        let cross_state = rate(&|r| members[r] != pharmacies[r]);
        let inactive = rate(&|r| numeric(&table, PHARMACY_ACTIVE)[r] == 0.0);
        let specialty = texts(&table, PROVIDER_SPECIALTY);
        let suspicious = rate(&|r| SUSPICIOUS_SPECIALTIES.contains(&specialty[r]));
        println!("normal rates: high-risk reject {high_risk:.3}, paper {paper:.3}, cross-state {cross_state:.3}, inactive pharmacy {inactive:.3}, suspicious specialty {suspicious:.3}");
        assert!((0.01..0.05).contains(&high_risk), "{high_risk}");
        assert!((0.01..0.04).contains(&paper), "{paper}");
        assert!((0.01..0.08).contains(&cross_state), "{cross_state}");
        assert!(inactive > 0.0 && inactive < 0.08, "{inactive}");
        assert!(suspicious > 0.0 && suspicious < 0.08, "{suspicious}");
    }

    #[test]
    fn normal_patients_refill_about_monthly() {
        let table = generate_pharmacy(&options(30_000, 3, 0.05)).unwrap();
        let labels = labels(&table);
        let members = texts(&table, MEMBER_ID);
        let rejects = texts(&table, REJECT_CODE);
        let dates = days(&table, SERVICE_DATE);
        let supply = numeric(&table, DAYS_SUPPLY);
        let (mut in_range, mut gaps, mut one_fill, mut patients) = (0, 0, 0, 0);
        for rows in rows_by(&members).values() {
            if rows.iter().any(|&r| labels[r]) {
                continue;
            }
            let paid: Vec<usize> = rows.iter().copied().filter(|&r| rejects[r].is_empty()).collect();
            patients += 1;
            one_fill += usize::from(paid.len() == 1);
            for pair in paid.windows(2) {
                if supply[pair[0]] == 30.0 {
                    let gap = dates[pair[1]] - dates[pair[0]];
                    gaps += 1;
                    in_range += usize::from((25..=40).contains(&gap));
                }
            }
        }
        let share = in_range as f64 / gaps as f64;
        let one_and_done = one_fill as f64 / patients as f64;
        println!("normal gaps in 25..=40 days: {share:.3}; normal one-fill patients: {one_and_done:.3}");
        assert!(share > 0.8, "{share}");
        assert!((0.03..0.3).contains(&one_and_done), "{one_and_done}");
    }

    #[test]
    #[ignore = "timing; run with --release --ignored --nocapture"]
    fn one_million_rows_timing() {
        let start = std::time::Instant::now();
        let table = generate_pharmacy(&options(1_000_000, 42, 0.05)).unwrap();
        println!("pharmacy: 1,000,000 rows in {:.3} s", start.elapsed().as_secs_f64());
        assert_eq!(table.n_rows(), 1_000_000);
    }

    #[test]
    fn each_scheme_is_strong_in_its_aggregate() {
        assert_schemes_are_strong(21);
    }

    fn assert_schemes_are_strong(seed: u64) {
        let table = generate_pharmacy(&options(20_000, seed, 0.05)).unwrap();
        let n_rows = table.n_rows();
        let kinds = texts(&table, ANOMALY_TYPE);
        let members = texts(&table, MEMBER_ID);
        let pharmacies = texts(&table, PHARMACY_ID);
        let prescribers = texts(&table, PROVIDER_ID);
        let rejects = texts(&table, REJECT_CODE);
        let dates = days(&table, SERVICE_DATE);
        let paper = numeric(&table, PAPER_SUBMISSION);
        let benefit = numeric(&table, BENEFIT_AMOUNT);
        let rows_of = |kind: &str| (0..n_rows).filter(|&r| kinds[r] == kind).collect::<Vec<_>>();
        let by_member = rows_by(&members);
        let by_pharmacy = rows_by(&pharmacies);
        let paid = |rows: &[usize]| rows.iter().copied().filter(|&r| rejects[r].is_empty()).collect::<Vec<_>>();

        // Early refill: most scheme patients have more than four fills within 90 days.
        let stockpilers: HashSet<&str> = rows_of("early_refill").iter().map(|&r| members[r]).collect();
        let bursting = stockpilers
            .iter()
            .filter(|m| {
                let fills: Vec<i32> = paid(&by_member[*m]).iter().map(|&r| dates[r]).collect();
                fills.windows(MAX_FILLS_IN_90_DAYS + 1).any(|w| w[MAX_FILLS_IN_90_DAYS] - w[0] <= 90)
            })
            .count();
        assert!(bursting as f64 >= 0.8 * stockpilers.len() as f64, "{bursting} of {}", stockpilers.len());

        // One and done: scheme pharmacies' patients mostly fill once.
        let churn: HashSet<&str> = rows_of("one_and_done").iter().map(|&r| pharmacies[r]).collect();
        for pharmacy in &churn {
            let patients: HashSet<&str> = by_pharmacy[pharmacy].iter().map(|&r| members[r]).collect();
            let once = patients.iter().filter(|m| paid(&by_member[*m]).len() == 1).count();
            assert!(once as f64 > 0.5 * patients.len() as f64, "{pharmacy}: {once} of {}", patients.len());
        }

        // Ring: one prescriber dominates the pharmacy; paper and rejects far above normal.
        let rings: HashSet<&str> = rows_of("pharmacy_prescriber_ring").iter().map(|&r| pharmacies[r]).collect();
        for ring in &rings {
            let rows = &by_pharmacy[ring];
            let top = rows_by(&rows.iter().map(|&r| prescribers[r]).collect::<Vec<_>>()).values().map(Vec::len).max();
            assert!(top.unwrap() as f64 > 0.5 * rows.len() as f64);
        }
        let share = |rows: &[usize], hit: &dyn Fn(usize) -> bool| {
            rows.iter().filter(|&&r| hit(r)).count() as f64 / rows.len() as f64
        };
        let ring_rows = rows_of("pharmacy_prescriber_ring");
        let normal_rows = rows_of("none");
        assert!(share(&ring_rows, &|r| paper[r] == 1.0) > 5.0 * share(&normal_rows, &|r| paper[r] == 1.0));
        let high_risk = |r: usize| HIGH_RISK_REJECT_CODES.contains(&rejects[r]);
        assert!(share(&ring_rows, &high_risk) > 3.0 * share(&normal_rows, &high_risk));
        let mean_benefit = |rows: &[usize]| rows.iter().map(|&r| benefit[r]).sum::<f64>() / rows.len() as f64;
        assert!(mean_benefit(&paid(&ring_rows)) > 1.5 * mean_benefit(&paid(&normal_rows)));

        // Government insured, cross state and inactive pharmacy show in their columns.
        let payers = texts(&table, PAYER_TYPE);
        assert!(rows_of("government_insured")
            .iter()
            .all(|&r| ["Medicare", "Medicaid", "Tricare", "VA"].contains(&payers[r])));
        assert!(normal_rows.iter().all(|&r| ["Commercial", "Cash"].contains(&payers[r])));
        let member_states = texts(&table, MEMBER_STATE);
        let pharmacy_states = texts(&table, PHARMACY_STATE);
        assert!(rows_of("cross_state").iter().all(|&r| member_states[r] != pharmacy_states[r]));
        let hubs: HashSet<&str> = rows_of("cross_state").iter().map(|&r| pharmacies[r]).collect();
        assert!(hubs.len() * 20 <= rows_of("cross_state").len(), "cross-state fills are concentrated");
        let active = numeric(&table, PHARMACY_ACTIVE);
        assert!(rows_of("inactive_pharmacy").iter().all(|&r| active[r] == 0.0));
    }
}
