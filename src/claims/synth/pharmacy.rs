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

// ---------------------------------------------------------------------------------------
// Reference data.

const STREAM_WORLD: u64 = 1;
const STREAM_CLAIMS: u64 = 2;
const STREAM_MEMBER_IDS: u64 = 3;

/// States with relative populations.
const STATES: [(&str, f64); 15] = [
    ("CA", 39.0),
    ("TX", 30.0),
    ("FL", 22.0),
    ("NY", 19.6),
    ("PA", 13.0),
    ("IL", 12.5),
    ("OH", 11.8),
    ("GA", 11.0),
    ("NC", 10.8),
    ("MI", 10.0),
    ("NJ", 9.3),
    ("VA", 8.7),
    ("WA", 7.8),
    ("AZ", 7.4),
    ("MA", 7.0),
];

/// Prescriber specialties the program expects for the product, with their shares.
const VALID_SPECIALTIES: [(&str, f64); 4] =
    [("Pulmonology", 0.38), ("Allergy/Immunology", 0.14), ("Internal Medicine", 0.26), ("Family Medicine", 0.22)];
/// Specialties the program deems suspicious for the product.
const SUSPICIOUS_SPECIALTIES: [&str; 4] = ["Dermatology", "Orthopedics", "Podiatry", "Ophthalmology"];

/// Payer types, in code order.
const PAYER_TYPES: [&str; 6] = ["Commercial", "Cash", "Medicare", "Medicaid", "Tricare", "VA"];
const COMMERCIAL: u8 = 0;
const CASH: u8 = 1;
const MEDICARE: u8 = 2;
const MEDICAID: u8 = 3;
const TRICARE: u8 = 4;
const VETERANS_AFFAIRS: u8 = 5;
/// Government payers (a program violation), with their shares among such patients.
const GOVERNMENT_PAYERS: [(u8, f64); 4] = [(MEDICARE, 0.5), (MEDICAID, 0.2), (TRICARE, 0.12), (VETERANS_AFFAIRS, 0.18)];

/// NCPDP reject codes, in code order.
const REJECT_CODES: [&str; 5] = ["70", "75", "76", "79", "88"];
/// Reject mix of normal transactions (product not covered, prior authorisation, plan
/// limits, refill too soon, DUR).
const NORMAL_REJECT_MIX: [(u8, f64); 5] = [(0, 0.22), (1, 0.3), (2, 0.18), (3, 0.2), (4, 0.1)];
/// Reject mix of ring transactions: mostly the high-risk codes.
const RING_REJECT_MIX: [(u8, f64); 4] = [(1, 0.1), (2, 0.4), (3, 0.2), (4, 0.3)];
/// The "refill too soon" reject.
const REFILL_TOO_SOON: u8 = 3;

/// Which pattern a transaction belongs to; the discriminant indexes [`PHARMACY_ANOMALY_TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    None,
    EarlyRefill,
    OneAndDone,
    Ring,
    GovernmentInsured,
    CrossState,
    InactivePharmacy,
}

impl Scheme {
    const PLANTED: [Scheme; 6] = [
        Scheme::EarlyRefill,
        Scheme::OneAndDone,
        Scheme::Ring,
        Scheme::GovernmentInsured,
        Scheme::CrossState,
        Scheme::InactivePharmacy,
    ];
}

/// Rows per scheme, in [`Scheme::PLANTED`] order (the remainder goes to the first ones).
fn scheme_quotas(n_anomalous: usize) -> [usize; 6] {
    let n_schemes = Scheme::PLANTED.len();
    let mut quotas = [n_anomalous / n_schemes; 6];
    for slot in quotas.iter_mut().take(n_anomalous % n_schemes) {
        *slot += 1;
    }
    quotas
}

fn quota_of(quotas: &[usize; 6], scheme: Scheme) -> usize {
    Scheme::PLANTED.iter().position(|&s| s == scheme).and_then(|i| quotas.get(i)).copied().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Pharmacies and prescribers.

struct Pharmacy {
    state: u8,
    /// Day offset from which the pharmacy is closed (it is then flagged inactive).
    closed_from: Option<i32>,
    price_factor: f64,
    /// Open to normal patients (ring pharmacies only serve their ring).
    serves_public: bool,
}

struct Prescriber {
    state: u8,
    specialty: &'static str,
}

struct World {
    pharmacies: Vec<Pharmacy>,
    prescribers: Vec<Prescriber>,
    /// Public pharmacies of each state, with a volume sampler.
    pharmacies_by_state: Vec<(Vec<u32>, AliasTable)>,
    /// Prescribers of each state, with a volume sampler.
    prescribers_by_state: Vec<(Vec<u32>, AliasTable)>,
    state_sampler: AliasTable,
    pharmacy_ids: Vec<String>,
    prescriber_ids: Vec<String>,
    first_day: i32,
    n_days: i32,
    /// Pharmacies running each concentrated scheme.
    churn_pharmacies: Vec<u32>,
    churn_prescribers: Vec<u32>,
    rings: Vec<(u32, u32)>,
    hubs: Vec<u32>,
    zombies: Vec<u32>,
}

/// Rings, hubs, zombie and churn pharmacies are sized so each carries about this many rows.
const ROWS_PER_SCHEME_PHARMACY: usize = 60;
/// Most pharmacies one scheme uses.
const MAX_SCHEME_PHARMACIES: usize = 40;

fn scheme_pharmacy_count(quota: usize) -> usize {
    if quota == 0 {
        0
    } else {
        quota.div_ceil(ROWS_PER_SCHEME_PHARMACY).clamp(1, MAX_SCHEME_PHARMACIES)
    }
}

impl World {
    fn new(n_rows: usize, seed: u64, quotas: &[usize; 6]) -> Self {
        let mut rng = SeededRng::new(SeededRng::derive_seed(seed, STREAM_WORLD));
        let first_day = days_from_civil(FILL_YEAR, 1, 1).unwrap_or_default();
        let n_days = days_from_civil(FILL_YEAR + 1, 1, 1).unwrap_or(first_day + 365) - first_day;
        let state_weights: Vec<f64> = STATES.iter().map(|&(_, w)| w).collect();
        let state_sampler = AliasTable::new(&state_weights);
        let mut world = Self {
            pharmacies: Vec::new(),
            prescribers: Vec::new(),
            pharmacies_by_state: Vec::new(),
            prescribers_by_state: Vec::new(),
            state_sampler,
            pharmacy_ids: Vec::new(),
            prescriber_ids: Vec::new(),
            first_day,
            n_days,
            churn_pharmacies: Vec::new(),
            churn_prescribers: Vec::new(),
            rings: Vec::new(),
            hubs: Vec::new(),
            zombies: Vec::new(),
        };
        let mut pharmacy_weights = Vec::new();
        for _ in 0..(n_rows / ROWS_PER_PHARMACY).max(MIN_PHARMACIES) {
            let state = world.sample_state(&mut rng);
            let closed_from = rng.chance(CLOSED_PHARMACY_SHARE).then(|| draw(&mut rng, NORMAL_CLOSURE_DAYS));
            let price_factor = log_normal_factor(&mut rng, PHARMACY_PRICE_SPREAD);
            world.pharmacies.push(Pharmacy { state, closed_from, price_factor, serves_public: true });
            pharmacy_weights.push(pareto_weight(&mut rng, VOLUME_TAIL, VOLUME_CAP));
        }
        let mut prescriber_weights = Vec::new();
        for _ in 0..(n_rows / ROWS_PER_PRESCRIBER).max(MIN_PRESCRIBERS) {
            let state = world.sample_state(&mut rng);
            let specialty = normal_specialty(&mut rng);
            world.prescribers.push(Prescriber { state, specialty });
            prescriber_weights.push(pareto_weight(&mut rng, VOLUME_TAIL, VOLUME_CAP));
        }
        world.choose_scheme_sites(&mut rng, quotas, &pharmacy_weights);
        world.pharmacies_by_state = (0..STATES.len() as u8)
            .map(|state| {
                let members: Vec<u32> = (0..world.pharmacies.len() as u32)
                    .filter(|&p| world.pharmacy(p).is_some_and(|ph| ph.state == state && ph.serves_public))
                    .collect();
                let weights: Vec<f64> =
                    members.iter().map(|&p| pharmacy_weights.get(p as usize).copied().unwrap_or(1.0)).collect();
                (members, AliasTable::new(&weights))
            })
            .collect();
        world.prescribers_by_state = (0..STATES.len() as u8)
            .map(|state| {
                let members: Vec<u32> = (0..world.prescribers.len() as u32)
                    .filter(|&p| world.prescribers.get(p as usize).is_some_and(|pr| pr.state == state))
                    .collect();
                let weights: Vec<f64> =
                    members.iter().map(|&p| prescriber_weights.get(p as usize).copied().unwrap_or(1.0)).collect();
                (members, AliasTable::new(&weights))
            })
            .collect();
        world.pharmacy_ids = distinct_numeric_ids(&mut rng, world.pharmacies.len(), 7);
        world.prescriber_ids = npi_like_ids(&mut rng, world.prescribers.len());
        world
    }

    /// Picks the pharmacies and prescribers that run each concentrated scheme. Scheme
    /// pharmacies are small or mid-sized ones (not the busiest fifth), like most real cases.
    fn choose_scheme_sites(&mut self, rng: &mut SeededRng, quotas: &[usize; 6], pharmacy_weights: &[f64]) {
        let mut sorted_weights = pharmacy_weights.to_vec();
        sorted_weights.sort_unstable_by(f64::total_cmp);
        let busy_cutoff = sorted_weights.get(sorted_weights.len() * 4 / 5).copied().unwrap_or(f64::INFINITY);
        let mut public: Vec<u32> = (0..self.pharmacies.len() as u32)
            .filter(|&p| pharmacy_weights.get(p as usize).is_some_and(|&w| w < busy_cutoff))
            .collect();
        rng.shuffle(&mut public);
        let mut take = |count: usize| -> Vec<u32> { (0..count).filter_map(|_| public.pop()).collect() };
        self.churn_pharmacies = take(scheme_pharmacy_count(quota_of(quotas, Scheme::OneAndDone)));
        self.hubs = take(scheme_pharmacy_count(quota_of(quotas, Scheme::CrossState)));
        self.zombies = take(scheme_pharmacy_count(quota_of(quotas, Scheme::InactivePharmacy)));
        for &zombie in &self.zombies {
            let closed_from = draw(rng, SCHEME_CLOSURE_DAYS);
            if let Some(pharmacy) = self.pharmacies.get_mut(zombie as usize) {
                pharmacy.closed_from = Some(closed_from);
            }
        }
        // One-and-done prescribers practise near the churn pharmacies.
        for idx in 0..self.churn_pharmacies.len() {
            let state = self.churn_pharmacies.get(idx).and_then(|&p| self.pharmacy(p)).map_or(0, |p| p.state);
            let suspicious = rng.chance(ONE_AND_DONE_SUSPICIOUS_SHARE);
            let specialty = if suspicious { suspicious_specialty(rng) } else { normal_specialty(rng) };
            self.churn_prescribers.push(self.prescribers.len() as u32);
            self.prescribers.push(Prescriber { state, specialty });
        }
        // Each ring is a new pharmacy with its own prescriber.
        for _ in 0..scheme_pharmacy_count(quota_of(quotas, Scheme::Ring)) {
            let state = self.sample_state(rng);
            let price_factor = RING_PRICE_FACTOR * log_normal_factor(rng, PHARMACY_PRICE_SPREAD);
            let pharmacy = self.pharmacies.len() as u32;
            self.pharmacies.push(Pharmacy { state, closed_from: None, price_factor, serves_public: false });
            let specialty =
                if rng.chance(RING_SUSPICIOUS_SHARE) { suspicious_specialty(rng) } else { normal_specialty(rng) };
            let prescriber = self.prescribers.len() as u32;
            self.prescribers.push(Prescriber { state, specialty });
            self.rings.push((pharmacy, prescriber));
        }
    }

    fn sample_state(&self, rng: &mut SeededRng) -> u8 {
        self.state_sampler.sample(rng).unwrap_or(0) as u8
    }

    fn pharmacy(&self, idx: u32) -> Option<&Pharmacy> {
        self.pharmacies.get(idx as usize)
    }

    /// Whether `pharmacy` still operates on `day` (a day number).
    fn is_open(&self, pharmacy: u32, day: i32) -> bool {
        self.pharmacy(pharmacy).is_some_and(|p| p.closed_from.is_none_or(|closed| day < self.first_day + closed))
    }

    /// A public pharmacy of `state` open on `day`, by volume (any open one if the state has none).
    fn open_pharmacy_in(&self, rng: &mut SeededRng, state: u8, day: i32) -> Option<u32> {
        if let Some((members, sampler)) = self.pharmacies_by_state.get(state as usize) {
            for _ in 0..16 {
                let candidate = sampler.sample(rng).and_then(|i| members.get(i)).copied();
                if let Some(pharmacy) = candidate.filter(|&p| self.is_open(p, day)) {
                    return Some(pharmacy);
                }
            }
        }
        let open: Vec<u32> = (0..self.pharmacies.len() as u32)
            .filter(|&p| self.is_open(p, day) && self.pharmacy(p).is_some_and(|ph| ph.serves_public))
            .collect();
        open.get(rng.index(open.len())).copied()
    }

    /// A prescriber of `state`, by volume (any prescriber if the state has none).
    fn prescriber_in(&self, rng: &mut SeededRng, state: u8) -> u32 {
        self.prescribers_by_state
            .get(state as usize)
            .and_then(|(members, sampler)| sampler.sample(rng).and_then(|i| members.get(i)).copied())
            .unwrap_or_else(|| rng.index(self.prescribers.len()) as u32)
    }

    /// A state other than `state`, by population.
    fn other_state(&self, rng: &mut SeededRng, state: u8) -> u8 {
        for _ in 0..32 {
            let other = self.sample_state(rng);
            if other != state {
                return other;
            }
        }
        ((state as usize + 1) % STATES.len()) as u8
    }
}

fn normal_specialty(rng: &mut SeededRng) -> &'static str {
    if rng.chance(NORMAL_SUSPICIOUS_PRESCRIBER_SHARE) {
        return suspicious_specialty(rng);
    }
    pick_weighted(rng, &VALID_SPECIALTIES).unwrap_or("Pulmonology")
}

fn suspicious_specialty(rng: &mut SeededRng) -> &'static str {
    SUSPICIOUS_SPECIALTIES.get(rng.index(SUSPICIOUS_SPECIALTIES.len())).copied().unwrap_or("Dermatology")
}

// ---------------------------------------------------------------------------------------
// Patients, plans and transactions.

struct Patient {
    age: u8,
    state: u8,
    payer: u8,
}

/// How the patient's insurance splits the price with them, before the card pays.
#[derive(Debug, Clone, Copy)]
enum CostShare {
    Copay(f64),
    Coinsurance(f64),
    Deductible { remaining: f64, coinsurance: f64 },
    Cash,
}

/// The patient's plan and card terms, tracked across their fills.
struct Plan {
    cost_share: CostShare,
    /// What the card leaves the patient to pay.
    card_copay: f64,
}

impl Plan {
    fn commercial(rng: &mut SeededRng) -> Self {
        let draw = rng.next_f64();
        let cost_share = if draw < COPAY_PLAN_SHARE {
            CostShare::Copay(pick_weighted(rng, &PLAN_COPAYS).unwrap_or(50.0))
        } else if draw < COPAY_PLAN_SHARE + COINSURANCE_PLAN_SHARE {
            CostShare::Coinsurance(uniform(rng, PLAN_COINSURANCE.0, PLAN_COINSURANCE.1))
        } else {
            deductible(rng)
        };
        Self { cost_share, card_copay: card_copay(rng) }
    }

    fn with(cost_share: CostShare, rng: &mut SeededRng) -> Self {
        Self { cost_share, card_copay: card_copay(rng) }
    }

    /// (benefit, out of pocket) of one fill billed at `billed`.
    fn settle(&mut self, billed: f64) -> (f64, f64) {
        let patient_share = match &mut self.cost_share {
            CostShare::Copay(copay) => copay.min(billed),
            CostShare::Coinsurance(rate) => *rate * billed,
            CostShare::Cash => billed,
            CostShare::Deductible { remaining, coinsurance } => {
                let toward_deductible = non_negative(remaining.min(billed));
                *remaining -= toward_deductible;
                toward_deductible + *coinsurance * (billed - toward_deductible)
            }
        };
        let benefit = round_cents((patient_share - self.card_copay).clamp(0.0, MAX_BENEFIT_PER_FILL));
        (benefit, non_negative(round_cents(patient_share - benefit)))
    }
}

fn card_copay(rng: &mut SeededRng) -> f64 {
    pick_weighted(rng, &CARD_COPAYS).unwrap_or(0.0)
}

fn deductible(rng: &mut SeededRng) -> CostShare {
    let remaining = uniform(rng, PLAN_DEDUCTIBLE.0, PLAN_DEDUCTIBLE.1);
    CostShare::Deductible { remaining, coinsurance: POST_DEDUCTIBLE_COINSURANCE }
}

/// A uniform whole number of days (or fills) in the inclusive `range`.
fn draw(rng: &mut SeededRng, range: (i64, i64)) -> i32 {
    rng.int_inclusive(range.0, range.1) as i32
}

/// One transaction row.
#[derive(Debug, Clone, Copy)]
struct Claim {
    patient: u32,
    day: i32,
    pharmacy: u32,
    prescriber: u32,
    ndc: u8,
    quantity: f64,
    days_supply: f64,
    billed: f64,
    benefit: f64,
    out_of_pocket: f64,
    reject: Option<u8>,
    paper: bool,
    scheme: Scheme,
    order_key: u32,
}

/// How one patient fills: their pharmacy, prescriber, strength, supply and plan.
struct Therapy {
    patient: u32,
    pharmacy: u32,
    prescriber: u32,
    ndc: u8,
    ninety_day: bool,
    plan: Plan,
    scheme: Scheme,
    paper_rate: f64,
    reject_rate: f64,
    reject_mix: &'static [(u8, f64)],
}

/// The claims generated so far, and the row budgets left.
struct ClaimBook {
    world: World,
    patients: Vec<Patient>,
    claims: Vec<Claim>,
    normal_budget: usize,
    rng: SeededRng,
    seed: u64,
}

impl ClaimBook {
    fn new(world: World, n_rows: usize, normal_budget: usize, seed: u64) -> Self {
        Self {
            world,
            patients: Vec::new(),
            claims: Vec::with_capacity(n_rows),
            normal_budget,
            rng: SeededRng::new(SeededRng::derive_seed(seed, STREAM_CLAIMS)),
            seed,
        }
    }

    fn add_patient(&mut self, age: u8, state: u8, payer: u8) -> u32 {
        self.patients.push(Patient { age, state, payer });
        (self.patients.len() - 1) as u32
    }

    fn normal_age(&mut self) -> u8 {
        let bands = PATIENT_AGE_BANDS.map(|(low, high, share)| ((low, high), share));
        let band = pick_weighted(&mut self.rng, &bands).unwrap_or((45, 64));
        draw(&mut self.rng, band) as u8
    }

    fn strength(&mut self) -> u8 {
        u8::from(!self.rng.chance(LOWER_STRENGTH_SHARE))
    }

    /// A therapy with normal habits for `patient`, from their home pharmacy and prescriber.
    fn normal_therapy(&mut self, patient: u32, state: u8, day: i32, plan: Plan, scheme: Scheme) -> Option<Therapy> {
        let pharmacy = self.world.open_pharmacy_in(&mut self.rng, state, day)?;
        let prescriber = self.world.prescriber_in(&mut self.rng, state);
        let ndc = self.strength();
        Some(Therapy {
            patient,
            pharmacy,
            prescriber,
            ndc,
            ninety_day: false,
            plan,
            scheme,
            paper_rate: NORMAL_PAPER_RATE,
            reject_rate: NORMAL_REJECT_RATE,
            reject_mix: &NORMAL_REJECT_MIX,
        })
    }

    /// Writes one fill (and, sometimes, a rejected attempt before it) within `budget` rows;
    /// returns the rows written.
    fn fill(&mut self, therapy: &mut Therapy, day: i32, pharmacy: u32, budget: usize) -> usize {
        if budget == 0 {
            return 0;
        }
        if self.rng.chance(STRENGTH_SWITCH_RATE) {
            therapy.ndc = 1 - therapy.ndc.min(1);
        }
        let quantity = if therapy.ninety_day { 3.0 * QUANTITY_PER_FILL } else { QUANTITY_PER_FILL };
        let days_supply = if therapy.ninety_day { 3.0 * DAYS_SUPPLY_PER_FILL } else { DAYS_SUPPLY_PER_FILL };
        let price_factor = self.world.pharmacy(pharmacy).map_or(1.0, |p| p.price_factor);
        let billed = round_cents(
            USUAL_AND_CUSTOMARY_PRICE * quantity * price_factor * log_normal_factor(&mut self.rng, CLAIM_PRICE_SPREAD),
        );
        let mut written = 0;
        let mut claim = Claim {
            patient: therapy.patient,
            day,
            pharmacy,
            prescriber: therapy.prescriber,
            ndc: therapy.ndc,
            quantity,
            days_supply,
            billed,
            benefit: 0.0,
            out_of_pocket: 0.0,
            reject: None,
            paper: false,
            scheme: therapy.scheme,
            order_key: 0,
        };
        if budget >= 2 && self.rng.chance(therapy.reject_rate) {
            let code = pick_weighted(&mut self.rng, therapy.reject_mix).unwrap_or(0);
            let days_before =
                draw(&mut self.rng, if code == REFILL_TOO_SOON { TOO_SOON_ATTEMPT_DAYS } else { OTHER_ATTEMPT_DAYS });
            let mut rejected = claim;
            rejected.day = (day - days_before).max(self.world.first_day);
            rejected.reject = Some(code);
            rejected.paper = self.rng.chance(therapy.paper_rate);
            rejected.order_key = self.rng.next_u64() as u32;
            self.claims.push(rejected);
            written += 1;
        }
        let (benefit, out_of_pocket) = therapy.plan.settle(billed);
        claim.benefit = benefit;
        claim.out_of_pocket = out_of_pocket;
        claim.paper = self.rng.chance(therapy.paper_rate);
        claim.order_key = self.rng.next_u64() as u32;
        self.claims.push(claim);
        written + 1
    }

    /// The next on-time or late refill gap of a normal patient.
    fn normal_gap(&mut self, ninety_day: bool) -> i32 {
        if ninety_day {
            return draw(&mut self.rng, NINETY_DAY_GAP_DAYS);
        }
        if self.rng.chance(LATE_REFILL_SHARE) {
            return draw(&mut self.rng, LATE_GAP_DAYS);
        }
        let gap = DAYS_SUPPLY_PER_FILL + REFILL_GAP_SPREAD_DAYS * standard_normal(&mut self.rng);
        gap.round().clamp(ON_TIME_GAP_DAYS.0, ON_TIME_GAP_DAYS.1) as i32
    }

    /// Fills a patient month after month from `start` until they stop, the year ends or
    /// `budget` rows are used; returns the rows written.
    fn monthly_fills(&mut self, therapy: &mut Therapy, start: i32, may_travel: bool, budget: usize) -> usize {
        let last_day = self.world.first_day + self.world.n_days - 1;
        let state = self.patients.get(therapy.patient as usize).map_or(0, |p| p.state);
        let mut day = start;
        let mut written = 0;
        let mut n_fills = 0;
        let new_start = start > self.world.first_day + 35;
        while day <= last_day && written < budget {
            if !self.world.is_open(therapy.pharmacy, day) {
                match self.world.open_pharmacy_in(&mut self.rng, state, day) {
                    Some(pharmacy) => therapy.pharmacy = pharmacy,
                    None => break,
                }
            }
            let pharmacy = if may_travel { self.fill_site(therapy.pharmacy, state, day) } else { therapy.pharmacy };
            written += self.fill(therapy, day, pharmacy, budget - written);
            n_fills += 1;
            let trial_only = new_start && n_fills == 1 && self.rng.chance(TRIAL_ONLY_SHARE);
            if trial_only || self.rng.chance(DISCONTINUATION_RATE) {
                break;
            }
            day += self.normal_gap(therapy.ninety_day);
        }
        written
    }

    /// Where a normal patient fills today: home, another local pharmacy, or out of state.
    fn fill_site(&mut self, home: u32, state: u8, day: i32) -> u32 {
        let draw = self.rng.next_f64();
        let site = if draw < NORMAL_CROSS_STATE_RATE {
            let other = self.world.other_state(&mut self.rng, state);
            self.world.open_pharmacy_in(&mut self.rng, other, day)
        } else if draw < NORMAL_CROSS_STATE_RATE + PHARMACY_SWITCH_RATE {
            self.world.open_pharmacy_in(&mut self.rng, state, day)
        } else {
            None
        };
        site.unwrap_or(home)
    }

    fn random_day(&mut self) -> i32 {
        self.world.first_day + self.rng.below(self.world.n_days.max(1) as u64) as i32
    }

    // -----------------------------------------------------------------------------------
    // Normal patients.

    fn fill_normal_patients(&mut self) {
        let mut stalls = 0;
        while self.normal_budget > 0 && stalls < 1_000 {
            let written = self.normal_patient(self.normal_budget);
            self.normal_budget -= written;
            stalls = if written == 0 { stalls + 1 } else { 0 };
        }
    }

    fn normal_patient(&mut self, budget: usize) -> usize {
        let state = self.world.sample_state(&mut self.rng);
        let age = self.normal_age();
        let cash = self.rng.chance(CASH_PATIENT_SHARE);
        let payer = if cash { CASH } else { COMMERCIAL };
        let patient = self.add_patient(age, state, payer);
        let plan = if cash { Plan::with(CostShare::Cash, &mut self.rng) } else { Plan::commercial(&mut self.rng) };
        let start = if self.rng.chance(ONGOING_PATIENT_SHARE) {
            self.world.first_day + draw(&mut self.rng, ONGOING_FIRST_FILL_DAYS)
        } else {
            self.random_day()
        };
        let Some(mut therapy) = self.normal_therapy(patient, state, start, plan, Scheme::None) else { return 0 };
        therapy.ninety_day = self.rng.chance(NINETY_DAY_PATIENT_SHARE);
        self.monthly_fills(&mut therapy, start, true, budget)
    }

    // -----------------------------------------------------------------------------------
    // Schemes.

    fn plant_schemes(&mut self, quotas: &[usize; 6]) {
        self.plant_early_refills(quota_of(quotas, Scheme::EarlyRefill));
        self.plant_one_and_done(quota_of(quotas, Scheme::OneAndDone));
        self.plant_rings(quota_of(quotas, Scheme::Ring));
        self.plant_government_insured(quota_of(quotas, Scheme::GovernmentInsured));
        self.plant_cross_state(quota_of(quotas, Scheme::CrossState));
        self.plant_inactive_pharmacy(quota_of(quotas, Scheme::InactivePharmacy));
    }

    /// Runs `one_patient(remaining)` until it has written `quota` rows.
    fn fill_quota(&mut self, quota: usize, mut one_patient: impl FnMut(&mut Self, usize) -> usize) {
        let mut remaining = quota;
        let mut stalls = 0;
        while remaining > 0 && stalls < 1_000 {
            let written = one_patient(self, remaining).min(remaining);
            remaining -= written;
            stalls = if written == 0 { stalls + 1 } else { 0 };
        }
    }

    /// Early refills: after a normal start, a burst of refills every 7–20 days (more than
    /// four fills in 90 days), some bounced as "refill too soon", sometimes at two pharmacies.
    fn plant_early_refills(&mut self, quota: usize) {
        self.fill_quota(quota, |book, remaining| {
            let state = book.world.sample_state(&mut book.rng);
            let age = book.normal_age();
            let patient = book.add_patient(age, state, COMMERCIAL);
            let plan = Plan::commercial(&mut book.rng);
            let burst = (draw(&mut book.rng, EARLY_REFILL_BURST_FILLS) as usize).min(remaining);
            let last_start = book.world.n_days - 1 - EARLY_REFILL_GAP_DAYS.1 as i32 * burst as i32;
            let burst_start = book.world.first_day + book.rng.int_inclusive(0, i64::from(last_start.max(0))) as i32;
            let Some(mut therapy) = book.normal_therapy(patient, state, burst_start, plan, Scheme::None) else {
                return 0;
            };
            // A few ordinary monthly fills first, as long as the normal budget allows.
            let n_before = draw(&mut book.rng, EARLY_REFILL_FILLS_BEFORE);
            for k in (1..=n_before).rev() {
                let day = burst_start - 30 * k;
                if day >= book.world.first_day && book.normal_budget > 0 {
                    let home = therapy.pharmacy;
                    let written = book.fill(&mut therapy, day, home, 1);
                    book.normal_budget -= written;
                }
            }
            therapy.scheme = Scheme::EarlyRefill;
            therapy.reject_rate = EARLY_REFILL_REJECT_RATE;
            therapy.reject_mix = &[(REFILL_TOO_SOON, 1.0)];
            let second_pharmacy = if book.rng.chance(EARLY_REFILL_TWO_PHARMACY_SHARE) {
                book.world.open_pharmacy_in(&mut book.rng, state, burst_start)
            } else {
                None
            };
            let mut day = burst_start;
            let mut written = 0;
            let mut n_fills = 0;
            while written < remaining && day < book.world.first_day + book.world.n_days {
                let pharmacy = match second_pharmacy {
                    Some(other) if n_fills % 2 == 1 => other,
                    _ => therapy.pharmacy,
                };
                written += book.fill(&mut therapy, day, pharmacy, remaining - written);
                n_fills += 1;
                if n_fills >= burst {
                    break;
                }
                day += draw(&mut book.rng, EARLY_REFILL_GAP_DAYS);
            }
            written
        });
    }

    /// One-and-done: many patients with a single fill, sent by a few prescribers to a few
    /// pharmacies, mostly at the start of a deductible (so the card pays the most).
    fn plant_one_and_done(&mut self, quota: usize) {
        let pharmacies = self.world.churn_pharmacies.clone();
        let prescribers = self.world.churn_prescribers.clone();
        self.fill_quota(quota, |book, _| {
            let Some(&pharmacy) = pharmacies.get(book.rng.index(pharmacies.len())) else { return 0 };
            let pharmacy_state = book.world.pharmacy(pharmacy).map_or(0, |p| p.state);
            let state = if book.rng.chance(ONE_AND_DONE_LOCAL_SHARE) {
                pharmacy_state
            } else {
                book.world.other_state(&mut book.rng, pharmacy_state)
            };
            let age = book.normal_age();
            let patient = book.add_patient(age, state, COMMERCIAL);
            let plan = if book.rng.chance(ONE_AND_DONE_DEDUCTIBLE_SHARE) {
                let cost_share = deductible(&mut book.rng);
                Plan::with(cost_share, &mut book.rng)
            } else {
                Plan::commercial(&mut book.rng)
            };
            let prescriber = match prescribers.get(book.rng.index(prescribers.len())) {
                Some(&p) if book.rng.chance(ONE_AND_DONE_PRESCRIBER_SHARE) => p,
                _ => book.world.prescriber_in(&mut book.rng, pharmacy_state),
            };
            let ndc = book.strength();
            let mut therapy = Therapy {
                patient,
                pharmacy,
                prescriber,
                ndc,
                ninety_day: false,
                plan,
                scheme: Scheme::OneAndDone,
                paper_rate: NORMAL_PAPER_RATE,
                reject_rate: 0.0,
                reject_mix: &NORMAL_REJECT_MIX,
            };
            let day = book.random_day();
            book.fill(&mut therapy, day, pharmacy, 1)
        });
    }

    /// Rings: a pharmacy fed by one prescriber (often of a suspicious specialty), billing
    /// high prices on generous plans, with many paper claims and high-risk rejects.
    fn plant_rings(&mut self, quota: usize) {
        let rings = self.world.rings.clone();
        self.fill_quota(quota, |book, remaining| {
            let Some(&(pharmacy, ring_prescriber)) = rings.get(book.rng.index(rings.len())) else { return 0 };
            let state = book.world.pharmacy(pharmacy).map_or(0, |p| p.state);
            let age = book.normal_age();
            let patient = book.add_patient(age, state, COMMERCIAL);
            let coinsurance = uniform(&mut book.rng, RING_COINSURANCE.0, RING_COINSURANCE.1);
            let plan = Plan::with(CostShare::Coinsurance(coinsurance), &mut book.rng);
            let prescriber = if book.rng.chance(RING_PRESCRIBER_SHARE) {
                ring_prescriber
            } else {
                book.world.prescriber_in(&mut book.rng, state)
            };
            let ndc = book.strength();
            let mut therapy = Therapy {
                patient,
                pharmacy,
                prescriber,
                ndc,
                ninety_day: false,
                plan,
                scheme: Scheme::Ring,
                paper_rate: RING_PAPER_RATE,
                reject_rate: RING_REJECT_RATE,
                reject_mix: &RING_REJECT_MIX,
            };
            let n_fills = draw(&mut book.rng, RING_FILLS);
            let latest_start = (book.world.n_days - 1 - RING_GAP_DAYS.1 as i32 * (n_fills - 1)).max(0);
            let mut day = book.world.first_day + book.rng.int_inclusive(0, i64::from(latest_start)) as i32;
            let last_day = book.world.first_day + book.world.n_days - 1;
            let mut written = 0;
            for _ in 0..n_fills {
                if day > last_day {
                    break;
                }
                written += book.fill(&mut therapy, day, pharmacy, remaining - written);
                day += draw(&mut book.rng, RING_GAP_DAYS);
            }
            written
        });
    }

    /// Government insured: Medicare, Medicaid, Tricare and VA patients using the card,
    /// otherwise filling like anyone else.
    fn plant_government_insured(&mut self, quota: usize) {
        self.fill_quota(quota, |book, remaining| {
            let state = book.world.sample_state(&mut book.rng);
            let payer = pick_weighted(&mut book.rng, &GOVERNMENT_PAYERS).unwrap_or(MEDICARE);
            let age = match payer {
                MEDICARE if book.rng.chance(MEDICARE_ELDERLY_SHARE) => book.rng.int_inclusive(65, 90),
                VETERANS_AFFAIRS => book.rng.int_inclusive(25, 90),
                _ => book.rng.int_inclusive(18, 64),
            } as u8;
            let patient = book.add_patient(age, state, payer);
            let coinsurance = uniform(&mut book.rng, GOVERNMENT_COINSURANCE.0, GOVERNMENT_COINSURANCE.1);
            let plan = Plan::with(CostShare::Coinsurance(coinsurance), &mut book.rng);
            let start = book.random_day();
            let Some(mut therapy) = book.normal_therapy(patient, state, start, plan, Scheme::GovernmentInsured) else {
                return 0;
            };
            book.monthly_fills(&mut therapy, start, true, remaining)
        });
    }

    /// Cross state: a few pharmacies fill in bulk for patients living in other states.
    fn plant_cross_state(&mut self, quota: usize) {
        let hubs = self.world.hubs.clone();
        self.fill_quota(quota, |book, remaining| {
            let Some(&hub) = hubs.get(book.rng.index(hubs.len())) else { return 0 };
            let hub_state = book.world.pharmacy(hub).map_or(0, |p| p.state);
            let state = book.world.other_state(&mut book.rng, hub_state);
            let age = book.normal_age();
            let patient = book.add_patient(age, state, COMMERCIAL);
            let plan = Plan::commercial(&mut book.rng);
            let prescriber = book.world.prescriber_in(&mut book.rng, state);
            let ndc = book.strength();
            let mut therapy = Therapy {
                patient,
                pharmacy: hub,
                prescriber,
                ndc,
                ninety_day: false,
                plan,
                scheme: Scheme::CrossState,
                paper_rate: NORMAL_PAPER_RATE,
                reject_rate: NORMAL_REJECT_RATE,
                reject_mix: &NORMAL_REJECT_MIX,
            };
            let n_fills = draw(&mut book.rng, CROSS_STATE_FILLS);
            let latest_start = (book.world.n_days - 1 - 32 * (n_fills - 1)).max(0);
            let start = book.world.first_day + book.rng.int_inclusive(0, i64::from(latest_start)) as i32;
            let last_day = book.world.first_day + book.world.n_days - 1;
            let mut day = start;
            let mut written = 0;
            for _ in 0..n_fills {
                if day > last_day {
                    break;
                }
                written += book.fill(&mut therapy, day, hub, remaining - written);
                day += book.normal_gap(false);
            }
            written
        });
    }

    /// Inactive pharmacy: claims billed by pharmacies after they closed (flagged inactive).
    fn plant_inactive_pharmacy(&mut self, quota: usize) {
        let zombies = self.world.zombies.clone();
        self.fill_quota(quota, |book, remaining| {
            let Some(&zombie) = zombies.get(book.rng.index(zombies.len())) else { return 0 };
            let Some((state, closed_from)) = book.world.pharmacy(zombie).map(|p| (p.state, p.closed_from)) else {
                return 0;
            };
            let closed_from = closed_from.unwrap_or(0);
            let first_after = book.world.first_day + closed_from;
            let last_day = book.world.first_day + book.world.n_days - 1;
            if first_after > last_day {
                return 0;
            }
            let age = book.normal_age();
            let patient = book.add_patient(age, state, COMMERCIAL);
            let plan = Plan::commercial(&mut book.rng);
            let prescriber = book.world.prescriber_in(&mut book.rng, state);
            let ndc = book.strength();
            let mut therapy = Therapy {
                patient,
                pharmacy: zombie,
                prescriber,
                ndc,
                ninety_day: false,
                plan,
                scheme: Scheme::InactivePharmacy,
                paper_rate: NORMAL_PAPER_RATE,
                reject_rate: NORMAL_REJECT_RATE,
                reject_mix: &NORMAL_REJECT_MIX,
            };
            let n_fills = draw(&mut book.rng, INACTIVE_PHARMACY_FILLS);
            let mut day = first_after + draw(&mut book.rng, INACTIVE_PHARMACY_DELAY_DAYS);
            let mut written = 0;
            for _ in 0..n_fills {
                if day > last_day || written >= remaining {
                    break;
                }
                written += book.fill(&mut therapy, day, zombie, remaining - written);
                day += book.normal_gap(false);
            }
            written
        });
    }
}

// ---------------------------------------------------------------------------------------
// The table.

/// Digits of a claim id after its prefix ("RX0000001").
const CLAIM_ID_DIGITS: usize = 7;

/// The claims by fill date, ties in random order. Sorting packed (day, tie-break, index)
/// keys and gathering once is much faster than sorting the claims themselves.
fn in_date_order(claims: &[Claim], first_day: i32) -> Vec<Claim> {
    if claims.len() > CLAIM_INDEX_MASK as usize {
        let mut sorted = claims.to_vec();
        sorted.sort_unstable_by_key(|c| (c.day, c.order_key, c.patient));
        return sorted;
    }
    let mut keys: Vec<u64> = claims
        .iter()
        .enumerate()
        .map(|(idx, c)| {
            let day = u64::from((c.day - first_day).clamp(0, 0xFFF) as u32);
            (day << 52) | (u64::from(c.order_key) << 20) | idx as u64
        })
        .collect();
    keys.sort_unstable();
    keys.iter().filter_map(|key| claims.get((key & CLAIM_INDEX_MASK) as usize).copied()).collect()
}

/// The low 20 bits of a sort key hold the claim index (tables have at most a million rows).
const CLAIM_INDEX_MASK: u64 = (1 << 20) - 1;

fn build_table(book: &ClaimBook) -> Result<ClaimsTable, SynthError> {
    let world = &book.world;
    let claims = in_date_order(&book.claims, world.first_day);
    let n_rows = claims.len();
    let patient_of = |c: &Claim| book.patients.get(c.patient as usize);
    let pharmacy_of = |c: &Claim| world.pharmacy(c.pharmacy);
    let mut id_rng = SeededRng::new(SeededRng::derive_seed(book.seed, STREAM_MEMBER_IDS));
    let member_ids: Vec<String> =
        distinct_numeric_ids(&mut id_rng, book.patients.len(), 9).into_iter().map(|id| format!("CP{id}")).collect();

    let categorical = |code: &dyn Fn(&Claim) -> u32, n_levels: usize, text: &dyn Fn(usize) -> String| {
        let codes: Vec<u32> = claims.iter().map(code).collect();
        compact_categorical(&codes, n_levels, text)
    };
    let numeric = |value: &dyn Fn(&Claim) -> f64| ColumnData::Numeric { values: claims.iter().map(value).collect() };
    let state_text = |i: usize| STATES.get(i).map_or(String::new(), |s| s.0.to_owned());
    let specialties: Vec<&str> = world.prescribers.iter().map(|p| p.specialty).collect();
    let mut specialty_levels: Vec<&str> = specialties.clone();
    sort_stable_by(&mut specialty_levels, &|a, b| a.cmp(b));
    specialty_levels.dedup();
    let specialty_code = |c: &Claim| {
        specialties
            .get(c.prescriber as usize)
            .and_then(|s| specialty_levels.binary_search(s).ok())
            .map_or(MISSING_CODE, |i| i as u32)
    };
    let pharmacy_active = |c: &Claim| f64::from(u8::from(pharmacy_of(c).is_some_and(|p| p.closed_from.is_none())));

    let mut table = ClaimsTable::new();
    table.push_column(
        CLAIM_ID,
        ColumnData::Categorical {
            levels: (1..=n_rows).map(|i| padded_id("RX", i, CLAIM_ID_DIGITS)).collect(),
            codes: (0..n_rows as u32).collect(),
        },
    )?;
    table.push_column(SERVICE_DATE, ColumnData::Date { days: claims.iter().map(|c| c.day).collect() })?;
    table.push_column(
        MEMBER_ID,
        categorical(&|c| c.patient, member_ids.len(), &|i| member_ids.get(i).cloned().unwrap_or_default()),
    )?;
    table.push_column(MEMBER_AGE, numeric(&|c| patient_of(c).map_or(f64::NAN, |p| f64::from(p.age))))?;
    table.push_column(
        MEMBER_STATE,
        categorical(&|c| patient_of(c).map_or(MISSING_CODE, |p| u32::from(p.state)), STATES.len(), &state_text),
    )?;
    table.push_column(
        PROVIDER_ID,
        categorical(&|c| c.prescriber, world.prescriber_ids.len(), &|i| {
            world.prescriber_ids.get(i).cloned().unwrap_or_default()
        }),
    )?;
    table.push_column(
        PROVIDER_SPECIALTY,
        categorical(&specialty_code, specialty_levels.len(), &|i| {
            specialty_levels.get(i).map_or(String::new(), |s| (*s).to_owned())
        }),
    )?;
    table.push_column(
        PHARMACY_ID,
        categorical(&|c| c.pharmacy, world.pharmacy_ids.len(), &|i| {
            world.pharmacy_ids.get(i).cloned().unwrap_or_default()
        }),
    )?;
    table.push_column(
        PHARMACY_STATE,
        categorical(&|c| pharmacy_of(c).map_or(MISSING_CODE, |p| u32::from(p.state)), STATES.len(), &state_text),
    )?;
    table.push_column(PHARMACY_ACTIVE, numeric(&pharmacy_active))?;
    table.push_column(
        NDC,
        categorical(&|c| u32::from(c.ndc), PRODUCT_NDCS.len(), &|i| {
            PRODUCT_NDCS.get(i).map_or(String::new(), |s| (*s).to_owned())
        }),
    )?;
    table.push_column(QUANTITY, numeric(&|c| c.quantity))?;
    table.push_column(DAYS_SUPPLY, numeric(&|c| c.days_supply))?;
    table.push_column(BILLED_AMOUNT, numeric(&|c| c.billed))?;
    table.push_column(BENEFIT_AMOUNT, numeric(&|c| c.benefit))?;
    table.push_column(OUT_OF_POCKET, numeric(&|c| c.out_of_pocket))?;
    table.push_column(
        PAYER_TYPE,
        categorical(&|c| patient_of(c).map_or(MISSING_CODE, |p| u32::from(p.payer)), PAYER_TYPES.len(), &|i| {
            PAYER_TYPES.get(i).map_or(String::new(), |s| (*s).to_owned())
        }),
    )?;
    table.push_column(
        REJECT_CODE,
        categorical(&|c| c.reject.map_or(MISSING_CODE, u32::from), REJECT_CODES.len(), &|i| {
            REJECT_CODES.get(i).map_or(String::new(), |s| (*s).to_owned())
        }),
    )?;
    table.push_column(PAPER_SUBMISSION, numeric(&|c| f64::from(u8::from(c.paper))))?;
    table.push_column(IS_ANOMALY, numeric(&|c| f64::from(u8::from(c.scheme != Scheme::None))))?;
    table.push_column(
        ANOMALY_TYPE,
        categorical(&|c| c.scheme as u32, PHARMACY_ANOMALY_TYPES.len(), &|i| {
            PHARMACY_ANOMALY_TYPES.get(i).map_or(String::new(), |s| (*s).to_owned())
        }),
    )?;
    Ok(table)
}

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
