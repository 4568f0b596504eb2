//! Members and providers: demographics, heavy-tailed volumes, primary care and usual specialists.

use super::*;
use crate::claims::synth::sampling::{
    distinct_numeric_ids, log_normal_factor, npi_like_ids, pareto_weight, pick_weighted, uniform, AliasTable,
    WeightedIndex,
};
use crate::claims::table::days_from_civil;

pub(super) struct Member {
    pub(super) age: u8,
    pub(super) female: bool,
    pub(super) paid_share: f64,
    pub(super) primary_provider: u32,
}

pub(super) struct Provider {
    pub(super) specialty: Specialty,
    pub(super) price_level: f64,
    pub(super) weekday_weights: [f64; 7],
    pub(super) max_weekday_weight: f64,
}

pub(super) struct Population {
    pub(super) members: Vec<Member>,
    pub(super) member_sampler: AliasTable,
    pub(super) providers: Vec<Provider>,
    /// Provider indices of each specialty, and a volume sampler over them.
    pub(super) by_specialty: Vec<(Vec<u32>, WeightedIndex)>,
    pub(super) member_ids: Vec<String>,
    pub(super) provider_ids: Vec<String>,
    pub(super) usual_specialist_seed: u64,
    pub(super) first_day: i32,
    pub(super) n_days: i32,
}

impl Population {
    pub(super) fn new(n_rows: usize, seed: u64) -> Self {
        let mut rng = SeededRng::new(SeededRng::derive_seed(seed, STREAM_POPULATION));
        let n_providers = (n_rows / LINES_PER_PROVIDER).max(MIN_PROVIDERS);
        let n_members = (n_rows / LINES_PER_MEMBER).max(MIN_MEMBERS);
        let (providers, provider_weights) = make_providers(&mut rng, n_providers);
        let by_specialty: Vec<(Vec<u32>, WeightedIndex)> = Specialty::ALL
            .iter()
            .map(|&s| {
                let (members, weights): (Vec<u32>, Vec<f64>) = providers
                    .iter()
                    .zip(&provider_weights)
                    .enumerate()
                    .filter(|(_, (provider, _))| provider.specialty == s)
                    .map(|(idx, (_, &weight))| (idx as u32, weight))
                    .unzip();
                (members, WeightedIndex::new(weights))
            })
            .collect();
        let first_day = days_from_civil(SERVICE_YEAR, 1, 1).unwrap_or_default();
        let n_days = days_from_civil(SERVICE_YEAR + 1, 1, 1).unwrap_or(first_day + 365) - first_day;
        let mut population = Self {
            members: Vec::with_capacity(n_members),
            member_sampler: AliasTable::default(),
            providers,
            by_specialty,
            member_ids: Vec::new(),
            provider_ids: npi_like_ids(&mut rng, n_providers),
            usual_specialist_seed: SeededRng::derive_seed(seed, STREAM_USUAL_SPECIALIST),
            first_day,
            n_days,
        };
        let mut member_weights = Vec::with_capacity(n_members);
        for _ in 0..n_members {
            let (member, weight) = population.make_member(&mut rng);
            population.members.push(member);
            member_weights.push(weight);
        }
        population.member_sampler = AliasTable::new(&member_weights);
        population.member_ids =
            distinct_numeric_ids(&mut rng, n_members, 8).into_iter().map(|id| format!("MBR{id}")).collect();
        population
    }

    pub(super) fn make_member(&self, rng: &mut SeededRng) -> (Member, f64) {
        let bands = MEMBER_AGE_BANDS.map(|(low, high, share, volume)| ((low, high, volume), share));
        let (low, high, age_factor) = pick_weighted(rng, &bands).unwrap_or((18, 64, 1.0));
        let age = rng.int_inclusive(low, high) as u8;
        let female = rng.chance(FEMALE_SHARE);
        let primary = primary_care_specialty(rng, age);
        let primary_provider = self.sample_provider(rng, primary).unwrap_or_default();
        let paid_share = uniform(rng, PAID_SHARE_MIN, PAID_SHARE_MAX);
        let weight = pareto_weight(rng, MEMBER_VOLUME_TAIL, MEMBER_VOLUME_CAP) * age_factor;
        (Member { age, female, paid_share, primary_provider }, weight)
    }

    pub(super) fn sample_provider(&self, rng: &mut SeededRng, specialty: Specialty) -> Option<u32> {
        let (providers, sampler) = self.by_specialty.get(specialty as usize)?;
        providers.get(sampler.sample(rng)?).copied()
    }

    /// The specialist of `specialty` a member usually sees: fixed per member and specialty.
    pub(super) fn usual_specialist(&self, member_idx: u32, specialty: Specialty) -> Option<u32> {
        let stream = u64::from(member_idx) * N_SPECIALTIES as u64 + specialty as u64;
        let mut rng = SeededRng::new(SeededRng::derive_seed(self.usual_specialist_seed, stream));
        self.sample_provider(&mut rng, specialty)
    }

    pub(super) fn member(&self, idx: u32) -> Option<&Member> {
        self.members.get(idx as usize)
    }

    pub(super) fn provider(&self, idx: u32) -> Option<&Provider> {
        self.providers.get(idx as usize)
    }
}

pub(super) fn make_providers(rng: &mut SeededRng, n_providers: usize) -> (Vec<Provider>, Vec<f64>) {
    let shares: Vec<(Specialty, f64)> = Specialty::ALL.iter().map(|&s| (s, s.spec().provider_share)).collect();
    let mut providers = Vec::with_capacity(n_providers);
    let mut weights = Vec::with_capacity(n_providers);
    for provider_idx in 0..n_providers {
        // Every specialty gets one provider first; the rest follow the shares.
        let specialty = Specialty::ALL
            .get(provider_idx)
            .copied()
            .or_else(|| pick_weighted(rng, &shares))
            .unwrap_or(Specialty::Family);
        let spec = specialty.spec();
        let weekday_weights = opening_days(rng, spec.setting);
        let max_weekday_weight = weekday_weights.iter().copied().fold(0.0, f64::max);
        providers.push(Provider {
            specialty,
            price_level: log_normal_factor(rng, PROVIDER_PRICE_SPREAD),
            weekday_weights,
            max_weekday_weight,
        });
        weights.push(pareto_weight(rng, PROVIDER_VOLUME_TAIL, PROVIDER_VOLUME_CAP) * spec.volume_boost);
    }
    (providers, weights)
}

/// Relative volume on Monday..Sunday.
pub(super) fn opening_days(rng: &mut SeededRng, setting: Setting) -> [f64; 7] {
    match setting {
        Setting::Emergency => [1.0; 7],
        Setting::Laboratory => LABORATORY_OPENING_DAYS,
        Setting::Imaging => IMAGING_OPENING_DAYS,
        Setting::Office | Setting::Therapy => {
            let saturday = rng.chance(SATURDAY_CLINIC_SHARE);
            let sunday = saturday && rng.chance(SUNDAY_CLINIC_SHARE);
            let sat = if saturday { SATURDAY_CLINIC_WEIGHT } else { 0.0 };
            let sun = if sunday { SUNDAY_CLINIC_WEIGHT } else { 0.0 };
            [1.0, 1.0, 1.0, 1.0, 1.0, sat, sun]
        }
    }
}
