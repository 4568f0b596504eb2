//! Pharmacies and prescribers: the world a year of fills happens in, with the scheme pharmacies and their prescribers.

use super::*;

pub(super) struct Pharmacy {
    pub(super) state: u8,
    /// Day offset from which the pharmacy is closed (it is then flagged inactive).
    pub(super) closed_from: Option<i32>,
    pub(super) price_factor: f64,
    /// Open to normal patients (ring pharmacies only serve their ring).
    pub(super) serves_public: bool,
}

pub(super) struct Prescriber {
    pub(super) state: u8,
    pub(super) specialty: &'static str,
}

pub(super) struct World {
    pub(super) pharmacies: Vec<Pharmacy>,
    pub(super) prescribers: Vec<Prescriber>,
    /// Public pharmacies of each state, with a volume sampler.
    pub(super) pharmacies_by_state: Vec<(Vec<u32>, AliasTable)>,
    /// Prescribers of each state, with a volume sampler.
    pub(super) prescribers_by_state: Vec<(Vec<u32>, AliasTable)>,
    pub(super) state_sampler: AliasTable,
    pub(super) pharmacy_ids: Vec<String>,
    pub(super) prescriber_ids: Vec<String>,
    pub(super) first_day: i32,
    pub(super) n_days: i32,
    /// Pharmacies running each concentrated scheme.
    pub(super) churn_pharmacies: Vec<u32>,
    pub(super) churn_prescribers: Vec<u32>,
    pub(super) rings: Vec<(u32, u32)>,
    pub(super) hubs: Vec<u32>,
    pub(super) zombies: Vec<u32>,
}

/// Rings, hubs, zombie and churn pharmacies are sized so each carries about this many rows.
pub(super) const ROWS_PER_SCHEME_PHARMACY: usize = 60;
/// Most pharmacies one scheme uses.
pub(super) const MAX_SCHEME_PHARMACIES: usize = 40;

pub(super) fn scheme_pharmacy_count(quota: usize) -> usize {
    if quota == 0 {
        0
    } else {
        quota.div_ceil(ROWS_PER_SCHEME_PHARMACY).clamp(1, MAX_SCHEME_PHARMACIES)
    }
}

impl World {
    pub(super) fn new(n_rows: usize, seed: u64, quotas: &[usize; 6]) -> Self {
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
    pub(super) fn choose_scheme_sites(&mut self, rng: &mut SeededRng, quotas: &[usize; 6], pharmacy_weights: &[f64]) {
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

    pub(super) fn sample_state(&self, rng: &mut SeededRng) -> u8 {
        self.state_sampler.sample(rng).unwrap_or(0) as u8
    }

    pub(super) fn pharmacy(&self, idx: u32) -> Option<&Pharmacy> {
        self.pharmacies.get(idx as usize)
    }

    /// Whether `pharmacy` still operates on `day` (a day number).
    pub(super) fn is_open(&self, pharmacy: u32, day: i32) -> bool {
        self.pharmacy(pharmacy).is_some_and(|p| p.closed_from.is_none_or(|closed| day < self.first_day + closed))
    }

    /// A public pharmacy of `state` open on `day`, by volume (any open one if the state has none).
    pub(super) fn open_pharmacy_in(&self, rng: &mut SeededRng, state: u8, day: i32) -> Option<u32> {
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
    pub(super) fn prescriber_in(&self, rng: &mut SeededRng, state: u8) -> u32 {
        self.prescribers_by_state
            .get(state as usize)
            .and_then(|(members, sampler)| sampler.sample(rng).and_then(|i| members.get(i)).copied())
            .unwrap_or_else(|| rng.index(self.prescribers.len()) as u32)
    }

    /// A state other than `state`, by population.
    pub(super) fn other_state(&self, rng: &mut SeededRng, state: u8) -> u8 {
        for _ in 0..32 {
            let other = self.sample_state(rng);
            if other != state {
                return other;
            }
        }
        ((state as usize + 1) % STATES.len()) as u8
    }
}

pub(super) fn normal_specialty(rng: &mut SeededRng) -> &'static str {
    if rng.chance(NORMAL_SUSPICIOUS_PRESCRIBER_SHARE) {
        return suspicious_specialty(rng);
    }
    pick_weighted(rng, &VALID_SPECIALTIES).unwrap_or("Pulmonology")
}

pub(super) fn suspicious_specialty(rng: &mut SeededRng) -> &'static str {
    SUSPICIOUS_SPECIALTIES.get(rng.index(SUSPICIOUS_SPECIALTIES.len())).copied().unwrap_or("Dermatology")
}
