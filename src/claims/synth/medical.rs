//! The `medical` scenario: a year of professional and institutional claim lines from
//! heavy-tailed members and providers, with planted fraud, waste and abuse.
//!
//! Normal lines come from encounters: a member visits a provider (their primary care
//! provider or a specialist), the provider's specialty picks a visit type, the visit picks
//! a diagnosis and its procedure lines. Seven patterns are then planted at the requested
//! rate, each strong in a label-free aggregate (per provider, member, day or procedure)
//! but weak in any single raw column; the tests check that no raw column separates them.

use super::{SynthError, SynthOptions};
use crate::claims::table::ClaimsTable;
use crate::rng::SeededRng;

mod catalog;
mod encounters;
mod output;
mod planting;
mod population;

use catalog::*;
use encounters::*;
use output::*;
use planting::*;
use population::*;

/// The `anomaly_type` texts, in code order; "none" marks a normal line.
pub const MEDICAL_ANOMALY_TYPES: [&str; 8] = [
    "none",
    "upcoding",
    "unbundling",
    "excessive_units",
    "duplicate",
    "impossible_demographics",
    "provider_overbilling",
    "weekend_surge",
];

/// The calendar year the service dates fall in.
pub const SERVICE_YEAR: i32 = 2025;
/// Claim lines per member, on average (so about `n_rows / 10` members).
pub const LINES_PER_MEMBER: usize = 10;
/// Claim lines per provider, on average (so about `n_rows / 200` providers).
pub const LINES_PER_PROVIDER: usize = 200;
/// The fewest members, whatever the row count.
pub const MIN_MEMBERS: usize = 20;
/// The fewest providers, whatever the row count (every specialty gets at least one).
pub const MIN_PROVIDERS: usize = 20;
/// Pareto tail index of member visit propensity (smaller = heavier tail).
pub const MEMBER_VOLUME_TAIL: f64 = 1.8;
/// Cap on a member's propensity, in multiples of the minimum.
pub const MEMBER_VOLUME_CAP: f64 = 40.0;
/// Pareto tail index of provider volume.
pub const PROVIDER_VOLUME_TAIL: f64 = 1.4;
/// Cap on a provider's volume weight, in multiples of the minimum.
pub const PROVIDER_VOLUME_CAP: f64 = 60.0;
/// Member age bands: (youngest, oldest, share of members, relative visit volume).
pub const MEMBER_AGE_BANDS: [(i64, i64, f64, f64); 4] =
    [(0, 17, 0.22, 0.8), (18, 44, 0.33, 0.8), (45, 64, 0.27, 1.2), (65, 95, 0.18, 1.8)];
/// Share of members who are female.
pub const FEMALE_SHARE: f64 = 0.52;
/// Share of children whose primary care provider is a pediatrician (else family medicine).
pub const CHILD_PEDIATRICIAN_SHARE: f64 = 0.8;
/// Share of adults under 65 whose primary care is family medicine (else internal medicine).
pub const ADULT_FAMILY_MEDICINE_SHARE: f64 = 0.62;
/// Share of members 65 and over whose primary care is family medicine.
pub const SENIOR_FAMILY_MEDICINE_SHARE: f64 = 0.45;
/// Relative volume of independent laboratories, Monday to Sunday.
pub const LABORATORY_OPENING_DAYS: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.0];
/// Relative volume of imaging centres, Monday to Sunday.
pub const IMAGING_OPENING_DAYS: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 1.0, 0.25, 0.05];
/// Share of encounters with the member's own primary care provider.
pub const PRIMARY_CARE_SHARE: f64 = 0.45;
/// Share of specialist encounters with the member's usual specialist of that kind.
pub const USUAL_SPECIALIST_SHARE: f64 = 0.85;
/// Share of office and therapy providers open on Saturdays.
pub const SATURDAY_CLINIC_SHARE: f64 = 0.35;
/// Saturday volume of a Saturday clinic, relative to a weekday.
pub const SATURDAY_CLINIC_WEIGHT: f64 = 0.45;
/// Share of Saturday clinics also open on Sundays.
pub const SUNDAY_CLINIC_SHARE: f64 = 0.3;
/// Sunday volume of a Sunday clinic, relative to a weekday.
pub const SUNDAY_CLINIC_WEIGHT: f64 = 0.15;
/// Log-normal spread of a provider's negotiated price level.
pub const PROVIDER_PRICE_SPREAD: f64 = 0.12;
/// Log-normal spread of one line's price around its provider's level.
pub const LINE_PRICE_SPREAD: f64 = 0.06;
/// Lowest share of the allowed amount the plan pays.
pub const PAID_SHARE_MIN: f64 = 0.70;
/// Highest share of the allowed amount the plan pays.
pub const PAID_SHARE_MAX: f64 = 0.90;
/// Longest delay, in days, between service and receipt of a normal claim.
pub const MAX_RECEIPT_LAG_DAYS: f64 = 45.0;
/// Shortest delay, in days, before a duplicate of a line is resubmitted.
pub const DUPLICATE_MIN_LAG_DAYS: i64 = 7;
/// Longest delay, in days, before a duplicate of a line is resubmitted.
pub const DUPLICATE_MAX_LAG_DAYS: i64 = 60;
/// Lowest factor by which an overbilling provider inflates its amounts.
pub const OVERBILLING_MIN_FACTOR: f64 = 1.8;
/// Highest factor by which an overbilling provider inflates its amounts.
pub const OVERBILLING_MAX_FACTOR: f64 = 3.0;
/// Lowest multiple of a procedure's mean units billed as excessive units.
pub const EXCESS_UNITS_MIN_FACTOR: f64 = 3.0;
/// Highest multiple of a procedure's mean units billed as excessive units.
pub const EXCESS_UNITS_MAX_FACTOR: f64 = 6.0;
/// Share of a weekend-surge provider's office encounters moved to a weekend.
pub const WEEKEND_SURGE_SHARE: f64 = 0.65;
/// Share of moved encounters that land on a Sunday rather than a Saturday.
pub const WEEKEND_SURGE_SUNDAY_SHARE: f64 = 0.4;
/// Share of impossible-demographics lines on elderly members that are pediatric vaccines.
pub const ELDERLY_PEDIATRIC_VACCINE_SHARE: f64 = 0.3;
/// Age from which a pediatric vaccine is implausible enough to plant.
pub const ELDERLY_AGE: u8 = 60;
/// Share of the other impossible-demographics lines that are preventive visits of the wrong
/// age band (the rest are sex-specific procedures on the other sex).
pub const WRONG_AGE_BAND_SHARE: f64 = 0.5;
/// Fewest years between a member's age and a planted age-specific procedure's band.
pub const IMPOSSIBLE_AGE_GAP: u8 = 15;
/// Procedures whose normal units reach this many are eligible for excessive units.
pub const VARYING_UNITS_MIN_MAX: f64 = 3.0;
/// Fewest component lines an unbundled panel is billed as (when the quota allows).
pub const MIN_UNBUNDLED_COMPONENTS: usize = 3;
/// Most component lines an unbundled panel is billed as.
pub const MAX_UNBUNDLED_COMPONENTS: usize = 4;

/// Generates `options.n_rows` medical claim lines with planted anomalies; the same options
/// give the same table.
///
/// Columns, in order: claim_id, member_id, provider_id, service_date, procedure_code,
/// diagnosis_code, place_of_service, billing_type, allowed_amount, paid_amount, units,
/// days_supply, member_age, member_gender, is_anomaly, anomaly_type.
pub fn generate_medical(options: &SynthOptions) -> Result<ClaimsTable, SynthError> {
    options.validate()?;
    let catalog = Catalog::new();
    let quotas = Quotas::new(options, &mut SeededRng::new(SeededRng::derive_seed(options.seed, STREAM_QUOTAS)));
    let population = Population::new(options.n_rows, options.seed);
    let base = base_lines(&catalog, &population, quotas.base_rows, options.seed);
    let mut planter = Planter::new(&catalog, &population, base, options.seed);
    planter.plant_all(&quotas);
    let (lines, order) = planter.into_ordered_lines();
    build_table(&catalog, &population, &lines, &order)
}

// ---------------------------------------------------------------------------------------
// Random streams: each stage draws from its own stream, so changing one stage's draws does
// not reshuffle the others.

const STREAM_QUOTAS: u64 = 1;
const STREAM_POPULATION: u64 = 2;
const STREAM_ENCOUNTERS: u64 = 3;
const STREAM_USUAL_SPECIALIST: u64 = 4;
const STREAM_PLANTING: u64 = 16;

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::claims::schema::names::*;
    use crate::claims::synth::test_support::{
        assert_exact_row_and_label_counts, assert_rate_and_kinds, assert_seed_reproduces, days, labels, numeric,
        options, texts,
    };
    use crate::claims::table::{days_from_civil, weekday, ColumnData, MISSING_DAY};
    use crate::test_support::rank_auc as roc_auc;

    #[test]
    fn same_seed_same_table_other_seed_differs() {
        assert_seed_reproduces(generate_medical);
    }

    #[test]
    fn row_count_is_exact_whatever_the_size_and_rate() {
        assert_exact_row_and_label_counts(generate_medical);
    }

    #[test]
    fn labels_match_the_rate_and_every_pattern_appears() {
        assert_rate_and_kinds(generate_medical, &MEDICAL_ANOMALY_TYPES, 140);
    }

    #[test]
    fn columns_have_the_documented_names_order_and_types() {
        let table = generate_medical(&options(3_000, 2, 0.05)).unwrap();
        let expected = [
            CLAIM_ID,
            MEMBER_ID,
            PROVIDER_ID,
            SERVICE_DATE,
            PROCEDURE_CODE,
            DIAGNOSIS_CODE,
            PLACE_OF_SERVICE,
            BILLING_TYPE,
            ALLOWED_AMOUNT,
            PAID_AMOUNT,
            UNITS,
            DAYS_SUPPLY,
            MEMBER_AGE,
            MEMBER_GENDER,
            IS_ANOMALY,
            ANOMALY_TYPE,
        ];
        assert_eq!(table.column_names(), expected);
        for column in table.columns() {
            match &column.data {
                ColumnData::Categorical { levels, codes } => {
                    assert!(codes.iter().all(|&c| (c as usize) < levels.len()), "{} has missing codes", column.name);
                }
                ColumnData::Numeric { values } => {
                    assert!(values.iter().all(|v| v.is_finite()), "{} has NaN", column.name);
                }
                ColumnData::Date { days } => assert!(days.iter().all(|&d| d != MISSING_DAY)),
            }
        }
        let numeric_columns = [ALLOWED_AMOUNT, PAID_AMOUNT, UNITS, DAYS_SUPPLY, MEMBER_AGE, IS_ANOMALY];
        for name in numeric_columns {
            numeric(&table, name);
        }
        days(&table, SERVICE_DATE);
        let ids = texts(&table, CLAIM_ID);
        assert_eq!(ids[0], "M0000001");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3_000, "claim ids are unique");
        assert!(texts(&table, PROVIDER_ID).iter().all(|id| id.len() == 10 && id.bytes().all(|b| b.is_ascii_digit())));
        let genders: HashSet<&str> = texts(&table, MEMBER_GENDER).into_iter().collect();
        assert_eq!(genders, HashSet::from(["F", "M"]));
        let billing: HashSet<&str> = texts(&table, BILLING_TYPE).into_iter().collect();
        assert_eq!(billing, HashSet::from(["professional", "institutional"]));
    }

    #[test]
    fn values_are_plausible() {
        let table = generate_medical(&options(30_000, 9, 0.05)).unwrap();
        let allowed = numeric(&table, ALLOWED_AMOUNT);
        let paid = numeric(&table, PAID_AMOUNT);
        assert!(allowed.iter().zip(&paid).all(|(&a, &p)| a > 0.0 && p <= a && p >= 0.69 * a - 0.01));
        assert!(numeric(&table, MEMBER_AGE).iter().all(|&a| (0.0..=95.0).contains(&a)));
        let first = days_from_civil(SERVICE_YEAR, 1, 1).unwrap();
        let last = days_from_civil(SERVICE_YEAR, 12, 31).unwrap();
        assert!(days(&table, SERVICE_DATE).iter().all(|d| (first..=last).contains(d)));
        let procedures = texts(&table, PROCEDURE_CODE);
        let genders = texts(&table, MEMBER_GENDER);
        let ages = numeric(&table, MEMBER_AGE);
        let supply = numeric(&table, DAYS_SUPPLY);
        let labels = labels(&table);
        let mut n_deliveries = 0;
        for row in 0..table.n_rows() {
            assert_eq!(supply[row] > 0.0, procedures[row].starts_with('J'), "days supply only on drugs");
            if labels[row] {
                continue;
            }
            let spec = PROCEDURES.iter().find(|p| p.code == procedures[row]).unwrap();
            let member =
                Member { age: ages[row] as u8, female: genders[row] == "F", paid_share: 0.8, primary_provider: 0 };
            assert!(spec.who.allows(&member), "normal {} on {} aged {}", spec.code, genders[row], ages[row]);
            if procedures[row] == "59400" {
                assert_eq!(genders[row], "F");
                n_deliveries += 1;
            }
        }
        assert!(n_deliveries > 0);
        let normal_weekend =
            (0..table.n_rows()).filter(|&r| !labels[r] && weekday(days(&table, SERVICE_DATE)[r]) >= 5).count() as f64
                / labels.iter().filter(|&&l| !l).count() as f64;
        assert!((0.02..0.15).contains(&normal_weekend), "normal weekend share {normal_weekend}");
    }

    #[test]
    fn the_catalog_is_consistent() {
        let catalog = Catalog::new();
        for spec in &PROCEDURES {
            for code in spec.diagnoses {
                assert!(diagnosis_index(code).is_some(), "{} lists unknown diagnosis {code}", spec.code);
            }
            for (place, _) in spec.places {
                assert!(place_index(place).is_some(), "{} lists unknown place {place}", spec.code);
            }
        }
        for specialty in &SPECIALTIES {
            for visit in specialty.visits {
                assert!(visit.lines.len() <= MAX_VISIT_LINES);
                for code in visit.diagnoses {
                    assert!(diagnosis_index(code).is_some(), "unknown diagnosis {code}");
                }
                for line in visit.lines {
                    if let Choice::Pick(codes) = line.choice {
                        for (code, _) in codes {
                            assert!(procedure_index(code).is_some(), "unknown procedure {code}");
                        }
                    }
                }
            }
        }
        let named = [&ESTABLISHED_LEVELS[..], &NEW_PATIENT_LEVELS, &EMERGENCY_LEVELS];
        for code in named.concat() {
            assert!(procedure_index(code).is_some(), "{code}");
        }
        for (panel, parts) in PANELS {
            assert!(procedure_index(panel).is_some());
            assert!(parts.iter().all(|p| procedure_index(p).is_some()));
        }
        assert_eq!(catalog.panels.len(), PANELS.len());
        let plants =
            FEMALE_ONLY_PLANTS.len() + MALE_ONLY_PLANTS.len() + PEDIATRIC_VACCINE_PLANTS.len() + AGE_BAND_PLANTS.len();
        let resolved = catalog.female_only_plants.len()
            + catalog.male_only_plants.len()
            + catalog.pediatric_vaccine_plants.len()
            + catalog.age_band_plants.len();
        assert_eq!(resolved, plants);
        let codes: HashSet<&str> = PROCEDURES.iter().map(|p| p.code).collect();
        assert_eq!(codes.len(), PROCEDURES.len(), "procedure codes are unique");
    }

    #[test]
    fn each_pattern_is_strong_in_its_aggregate() {
        assert_patterns_are_strong(21);
    }

    fn assert_patterns_are_strong(seed: u64) {
        let table = generate_medical(&options(20_000, seed, 0.05)).unwrap();
        let n_rows = table.n_rows();
        let kinds = texts(&table, ANOMALY_TYPE);
        let members = texts(&table, MEMBER_ID);
        let providers = texts(&table, PROVIDER_ID);
        let procedures = texts(&table, PROCEDURE_CODE);
        let genders = texts(&table, MEMBER_GENDER);
        let service_days = days(&table, SERVICE_DATE);
        let allowed = numeric(&table, ALLOWED_AMOUNT);
        let units = numeric(&table, UNITS);
        let ages = numeric(&table, MEMBER_AGE);
        let rows_of = |kind: &str| (0..n_rows).filter(|&r| kinds[r] == kind).collect::<Vec<_>>();
        let normal = rows_of("none");

        // Duplicate: an identical line (member, provider, procedure, date, amount) exists.
        let key = |r: usize| (members[r], providers[r], procedures[r], service_days[r], allowed[r].to_bits());
        let mut copies: HashMap<_, usize> = HashMap::new();
        for r in 0..n_rows {
            *copies.entry(key(r)).or_default() += 1;
        }
        assert!(rows_of("duplicate").iter().all(|&r| copies[&key(r)] >= 2));
        let normal_repeats = normal.iter().filter(|&&r| copies[&key(r)] >= 2).count();
        assert!(normal_repeats <= rows_of("duplicate").len() + n_rows / 200, "{normal_repeats}");

        // Unbundling: three or more components of one panel on the same member, provider and day.
        let panel_of = |code: &str| PANELS.iter().position(|(_, parts)| parts.contains(&code));
        let mut components: HashMap<_, HashSet<&str>> = HashMap::new();
        for r in 0..n_rows {
            if let Some(panel) = panel_of(procedures[r]) {
                components.entry((members[r], providers[r], service_days[r], panel)).or_default().insert(procedures[r]);
            }
        }
        let many = |r: usize| {
            panel_of(procedures[r])
                .is_some_and(|p| components[&(members[r], providers[r], service_days[r], p)].len() >= 3)
        };
        let unbundled = rows_of("unbundling");
        assert!(unbundled.iter().filter(|&&r| many(r)).count() as f64 >= 0.9 * unbundled.len() as f64);
        // Normal lines only get there by sharing the visit of an unbundled panel (a test of
        // the same panel billed alongside it), or by a rare second visit the same day.
        let normal_many = normal.iter().filter(|&&r| many(r)).count();
        assert!(normal_many <= unbundled.len() / 4, "{normal_many} normal lines look unbundled");

        // Excessive units: at least three times the procedure's normal mean.
        let mut unit_sums: HashMap<&str, (f64, f64)> = HashMap::new();
        for &r in &normal {
            let entry = unit_sums.entry(procedures[r]).or_default();
            entry.0 += units[r];
            entry.1 += 1.0;
        }
        for r in rows_of("excessive_units") {
            let (sum, count) = unit_sums[procedures[r]];
            assert!(units[r] >= 2.5 * sum / count, "{} units of {}", units[r], procedures[r]);
        }

        // Impossible demographics: the procedure cannot fit the member.
        for r in rows_of("impossible_demographics") {
            let spec = PROCEDURES.iter().find(|p| p.code == procedures[r]).unwrap();
            let member = Member { age: ages[r] as u8, female: genders[r] == "F", paid_share: 0.8, primary_provider: 0 };
            assert!(!spec.who.allows(&member), "{} on {} aged {}", spec.code, genders[r], ages[r]);
        }

        // Overbilling: allowed amounts far above the procedure's normal median.
        let mut prices: HashMap<&str, Vec<f64>> = HashMap::new();
        for &r in &normal {
            prices.entry(procedures[r]).or_default().push(allowed[r] / units[r]);
        }
        let median = |code: &str| {
            let mut values = prices[code].clone();
            values.sort_unstable_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let overbilled = rows_of("provider_overbilling");
        let inflated = overbilled.iter().filter(|&&r| allowed[r] / units[r] > 1.4 * median(procedures[r])).count();
        assert!(inflated as f64 > 0.9 * overbilled.len() as f64, "{inflated} of {}", overbilled.len());

        // Upcoding: upcoders bill the top level for nearly all their established visits.
        let share_of_top = |rows: &[usize]| {
            let visits: Vec<&str> =
                rows.iter().map(|&r| procedures[r]).filter(|c| ESTABLISHED_LEVELS.contains(c)).collect();
            visits.iter().filter(|&&c| c == "99215").count() as f64 / visits.len().max(1) as f64
        };
        let upcoders: HashSet<&str> = rows_of("upcoding").iter().map(|&r| providers[r]).collect();
        let mut upcoder_shares: Vec<f64> = upcoders
            .iter()
            .map(|p| share_of_top(&(0..n_rows).filter(|&r| providers[r] == *p).collect::<Vec<_>>()))
            .collect();
        upcoder_shares.sort_unstable_by(f64::total_cmp);
        assert!(upcoder_shares[upcoder_shares.len() / 2] > 0.9, "{upcoder_shares:?}");
        let others: Vec<usize> = normal.iter().copied().filter(|&r| !upcoders.contains(providers[r])).collect();
        assert!(share_of_top(&others) < 0.3, "{}", share_of_top(&others));

        // Weekend surge: the providers' weekend share dwarfs everyone else's.
        let weekend_share = |rows: &[usize]| {
            rows.iter().filter(|&&r| weekday(service_days[r]) >= 5).count() as f64 / rows.len().max(1) as f64
        };
        let surgers: HashSet<&str> = rows_of("weekend_surge").iter().map(|&r| providers[r]).collect();
        let mut surger_shares: Vec<f64> = surgers
            .iter()
            .map(|p| weekend_share(&(0..n_rows).filter(|&r| providers[r] == *p).collect::<Vec<_>>()))
            .collect();
        surger_shares.sort_unstable_by(f64::total_cmp);
        assert!(surger_shares[surger_shares.len() / 2] > 0.4, "{surger_shares:?}");
        let other_rows: Vec<usize> = normal.iter().copied().filter(|&r| !surgers.contains(providers[r])).collect();
        assert!(weekend_share(&other_rows) < 0.12, "{}", weekend_share(&other_rows));
    }

    /// max(AUC, 1 - AUC) of raw numbers, with missing as a value below every other.
    fn numeric_auc(labels: &[bool], values: &[f64]) -> f64 {
        let floor = values.iter().copied().filter(|v| !v.is_nan()).fold(f64::INFINITY, f64::min) - 1.0;
        let scores: Vec<f64> = values.iter().map(|&v| if v.is_nan() { floor } else { v }).collect();
        let auc = roc_auc(labels, &scores).unwrap();
        auc.max(1.0 - auc)
    }

    /// Held-out AUC of a level's positive rate: rates from a seeded random half of the
    /// rows (unseen levels get the overall rate), AUC on the other half.
    fn held_out_level_auc(labels: &[bool], levels: &[u32], seed: u64) -> f64 {
        let mut rng = SeededRng::new(seed);
        let in_fit: Vec<bool> = (0..labels.len()).map(|_| rng.chance(0.5)).collect();
        let mut counts: HashMap<u32, (f64, f64)> = HashMap::new();
        let (mut positives, mut total) = (0.0, 0.0);
        for row in (0..labels.len()).filter(|&r| in_fit[r]) {
            let entry = counts.entry(levels[row]).or_default();
            entry.0 += f64::from(u8::from(labels[row]));
            entry.1 += 1.0;
            positives += f64::from(u8::from(labels[row]));
            total += 1.0;
        }
        let overall = positives / total;
        let (mut held_labels, mut scores) = (Vec::new(), Vec::new());
        for row in (0..labels.len()).filter(|&r| !in_fit[r]) {
            held_labels.push(labels[row]);
            scores.push(counts.get(&levels[row]).map_or(overall, |&(p, n)| p / n));
        }
        let auc = roc_auc(&held_labels, &scores).unwrap();
        auc.max(1.0 - auc)
    }

    /// The single-column AUC of every non-identifier, non-label column.
    fn single_column_aucs(table: &ClaimsTable) -> Vec<(String, f64)> {
        let labels = labels(table);
        let skip = [CLAIM_ID, MEMBER_ID, PROVIDER_ID, IS_ANOMALY, ANOMALY_TYPE];
        let mut figures = Vec::new();
        for column in table.columns().iter().filter(|c| !skip.contains(&c.name.as_str())) {
            match &column.data {
                ColumnData::Numeric { values } => {
                    figures.push((column.name.clone(), numeric_auc(&labels, &values.as_f64s())))
                }
                ColumnData::Categorical { codes, .. } => {
                    figures.push((column.name.clone(), held_out_level_auc(&labels, codes, 99)));
                }
                ColumnData::Date { days } => {
                    let numbers: Vec<f64> = days.iter().map(|&d| f64::from(d)).collect();
                    let weekdays: Vec<u32> = days.iter().map(|&d| weekday(d)).collect();
                    let weekday_numbers: Vec<f64> = weekdays.iter().map(|&w| f64::from(w)).collect();
                    figures.push((format!("{} (day)", column.name), numeric_auc(&labels, &numbers)));
                    figures.push((format!("{} (weekday)", column.name), numeric_auc(&labels, &weekday_numbers)));
                    figures
                        .push((format!("{} (weekday level)", column.name), held_out_level_auc(&labels, &weekdays, 99)));
                }
            }
        }
        figures
    }

    #[test]
    fn no_single_raw_column_separates_the_anomalies() {
        let table = generate_medical(&options(50_000, 42, 0.05)).unwrap();
        let figures = single_column_aucs(&table);
        println!("single-column AUC, medical, 50,000 rows, fraud_rate 0.05:");
        for (name, auc) in &figures {
            println!("  {name:<28} {auc:.3}");
        }
        let (worst, max_auc) = figures.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        println!("  max: {max_auc:.3} ({worst})");
        for (name, auc) in &figures {
            assert!(*auc < 0.75, "{name} separates the anomalies alone: AUC {auc:.3}");
        }
    }

    #[test]
    #[ignore = "timing; run with --release --ignored --nocapture"]
    fn one_million_rows_timing() {
        let start = std::time::Instant::now();
        let table = generate_medical(&options(1_000_000, 42, 0.05)).unwrap();
        println!("medical: 1,000,000 rows in {:.3} s", start.elapsed().as_secs_f64());
        assert_eq!(table.n_rows(), 1_000_000);
    }
}
