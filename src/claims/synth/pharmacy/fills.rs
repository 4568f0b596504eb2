//! Patients, plans and fills: each patient's therapy over the year, copays and deductibles, and the planted schemes.

use super::*;

pub(super) struct Patient {
    pub(super) age: u8,
    pub(super) state: u8,
    pub(super) payer: u8,
}

/// How the patient's insurance splits the price with them, before the card pays.
#[derive(Debug, Clone, Copy)]
pub(super) enum CostShare {
    Copay(f64),
    Coinsurance(f64),
    Deductible { remaining: f64, coinsurance: f64 },
    Cash,
}

/// The patient's plan and card terms, tracked across their fills.
pub(super) struct Plan {
    pub(super) cost_share: CostShare,
    /// What the card leaves the patient to pay.
    pub(super) card_copay: f64,
}

impl Plan {
    pub(super) fn commercial(rng: &mut SeededRng) -> Self {
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

    pub(super) fn with(cost_share: CostShare, rng: &mut SeededRng) -> Self {
        Self { cost_share, card_copay: card_copay(rng) }
    }

    /// (benefit, out of pocket) of one fill billed at `billed`.
    pub(super) fn settle(&mut self, billed: f64) -> (f64, f64) {
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

pub(super) fn card_copay(rng: &mut SeededRng) -> f64 {
    pick_weighted(rng, &CARD_COPAYS).unwrap_or(0.0)
}

pub(super) fn deductible(rng: &mut SeededRng) -> CostShare {
    let remaining = uniform(rng, PLAN_DEDUCTIBLE.0, PLAN_DEDUCTIBLE.1);
    CostShare::Deductible { remaining, coinsurance: POST_DEDUCTIBLE_COINSURANCE }
}

/// A uniform whole number of days (or fills) in the inclusive `range`.
pub(super) fn draw(rng: &mut SeededRng, range: (i64, i64)) -> i32 {
    rng.int_inclusive(range.0, range.1) as i32
}

/// One transaction row.
#[derive(Debug, Clone, Copy)]
pub(super) struct Claim {
    pub(super) patient: u32,
    pub(super) day: i32,
    pub(super) pharmacy: u32,
    pub(super) prescriber: u32,
    pub(super) ndc: u8,
    pub(super) quantity: f64,
    pub(super) days_supply: f64,
    pub(super) billed: f64,
    pub(super) benefit: f64,
    pub(super) out_of_pocket: f64,
    pub(super) reject: Option<u8>,
    pub(super) paper: bool,
    pub(super) scheme: Scheme,
    pub(super) order_key: u32,
}

/// How one patient fills: their pharmacy, prescriber, strength, supply and plan.
pub(super) struct Therapy {
    pub(super) patient: u32,
    pub(super) pharmacy: u32,
    pub(super) prescriber: u32,
    pub(super) ndc: u8,
    pub(super) ninety_day: bool,
    pub(super) plan: Plan,
    pub(super) scheme: Scheme,
    pub(super) paper_rate: f64,
    pub(super) reject_rate: f64,
    pub(super) reject_mix: &'static [(u8, f64)],
}

/// The claims generated so far, and the row budgets left.
pub(super) struct ClaimBook {
    pub(super) world: World,
    pub(super) patients: Vec<Patient>,
    pub(super) claims: Vec<Claim>,
    pub(super) normal_budget: usize,
    pub(super) rng: SeededRng,
    pub(super) seed: u64,
}

impl ClaimBook {
    pub(super) fn new(world: World, n_rows: usize, normal_budget: usize, seed: u64) -> Self {
        Self {
            world,
            patients: Vec::new(),
            claims: Vec::with_capacity(n_rows),
            normal_budget,
            rng: SeededRng::new(SeededRng::derive_seed(seed, STREAM_CLAIMS)),
            seed,
        }
    }

    pub(super) fn add_patient(&mut self, age: u8, state: u8, payer: u8) -> u32 {
        self.patients.push(Patient { age, state, payer });
        (self.patients.len() - 1) as u32
    }

    pub(super) fn normal_age(&mut self) -> u8 {
        let bands = PATIENT_AGE_BANDS.map(|(low, high, share)| ((low, high), share));
        let band = pick_weighted(&mut self.rng, &bands).unwrap_or((45, 64));
        draw(&mut self.rng, band) as u8
    }

    pub(super) fn strength(&mut self) -> u8 {
        u8::from(!self.rng.chance(LOWER_STRENGTH_SHARE))
    }

    /// A therapy with normal habits for `patient`, from their home pharmacy and prescriber.
    pub(super) fn normal_therapy(
        &mut self,
        patient: u32,
        state: u8,
        day: i32,
        plan: Plan,
        scheme: Scheme,
    ) -> Option<Therapy> {
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
    pub(super) fn fill(&mut self, therapy: &mut Therapy, day: i32, pharmacy: u32, budget: usize) -> usize {
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
    pub(super) fn normal_gap(&mut self, ninety_day: bool) -> i32 {
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
    pub(super) fn monthly_fills(
        &mut self,
        therapy: &mut Therapy,
        start: i32,
        may_travel: bool,
        budget: usize,
    ) -> usize {
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
    pub(super) fn fill_site(&mut self, home: u32, state: u8, day: i32) -> u32 {
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

    pub(super) fn random_day(&mut self) -> i32 {
        self.world.first_day + self.rng.below(self.world.n_days.max(1) as u64) as i32
    }

    // -----------------------------------------------------------------------------------
    // Normal patients.

    pub(super) fn fill_normal_patients(&mut self) {
        let mut stalls = 0;
        while self.normal_budget > 0 && stalls < 1_000 {
            let written = self.normal_patient(self.normal_budget);
            self.normal_budget -= written;
            stalls = if written == 0 { stalls + 1 } else { 0 };
        }
    }

    pub(super) fn normal_patient(&mut self, budget: usize) -> usize {
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

    pub(super) fn plant_schemes(&mut self, quotas: &[usize; 6]) {
        self.plant_early_refills(quota_of(quotas, Scheme::EarlyRefill));
        self.plant_one_and_done(quota_of(quotas, Scheme::OneAndDone));
        self.plant_rings(quota_of(quotas, Scheme::Ring));
        self.plant_government_insured(quota_of(quotas, Scheme::GovernmentInsured));
        self.plant_cross_state(quota_of(quotas, Scheme::CrossState));
        self.plant_inactive_pharmacy(quota_of(quotas, Scheme::InactivePharmacy));
    }

    /// Runs `one_patient(remaining)` until it has written `quota` rows.
    pub(super) fn fill_quota(&mut self, quota: usize, mut one_patient: impl FnMut(&mut Self, usize) -> usize) {
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
    pub(super) fn plant_early_refills(&mut self, quota: usize) {
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
    pub(super) fn plant_one_and_done(&mut self, quota: usize) {
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
    pub(super) fn plant_rings(&mut self, quota: usize) {
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
    pub(super) fn plant_government_insured(&mut self, quota: usize) {
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
    pub(super) fn plant_cross_state(&mut self, quota: usize) {
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
    pub(super) fn plant_inactive_pharmacy(&mut self, quota: usize) {
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
