//! Planting the seven fraud, waste and abuse patterns into the normal lines.

use std::collections::HashSet;

use super::*;
use crate::claims::synth::sampling::{log_normal_factor, pick_weighted, round_cents, uniform};
use crate::claims::table::weekday;
use crate::sorting::sort_stable_by;

pub(super) struct Planter<'a> {
    catalog: &'a Catalog,
    population: &'a Population,
    lines: Vec<ClaimLine>,
    /// Line indices of each provider (base lines only).
    lines_by_provider: Vec<Vec<u32>>,
    /// Providers already running a provider-level scheme.
    scheme_provider: Vec<bool>,
    seed: u64,
}

impl<'a> Planter<'a> {
    pub(super) fn new(catalog: &'a Catalog, population: &'a Population, lines: Vec<ClaimLine>, seed: u64) -> Self {
        let mut lines_by_provider = vec![Vec::new(); population.providers.len()];
        for (idx, line) in lines.iter().enumerate() {
            if let Some(slot) = lines_by_provider.get_mut(line.provider as usize) {
                slot.push(idx as u32);
            }
        }
        let scheme_provider = vec![false; population.providers.len()];
        Self { catalog, population, lines, lines_by_provider, scheme_provider, seed }
    }

    fn rng_for(&self, anomaly: Anomaly) -> SeededRng {
        SeededRng::new(SeededRng::derive_seed(self.seed, STREAM_PLANTING + anomaly as u64))
    }

    /// Provider-level schemes first (they need clean providers), then line-level ones,
    /// then the patterns that add lines.
    pub(super) fn plant_all(&mut self, quotas: &Quotas) {
        self.plant_upcoding(quotas.of(Anomaly::Upcoding));
        self.plant_overbilling(quotas.of(Anomaly::ProviderOverbilling));
        self.plant_weekend_surge(quotas.of(Anomaly::WeekendSurge));
        self.plant_excessive_units(quotas.of(Anomaly::ExcessiveUnits));
        self.plant_impossible_demographics(quotas.of(Anomaly::ImpossibleDemographics));
        self.plant_unbundling(&quotas.unbundling_events);
        self.plant_duplicates(quotas.of(Anomaly::Duplicate));
    }

    /// Up to `count` distinct normal lines matching `keep`, in random order: random probes
    /// first (cheap when matches are common), then a full scan for whatever is missing.
    fn random_normal_lines(&self, rng: &mut SeededRng, count: usize, keep: impl Fn(&ClaimLine) -> bool) -> Vec<u32> {
        if count == 0 || self.lines.is_empty() {
            return Vec::new();
        }
        let matches = |i: u32| self.lines.get(i as usize).is_some_and(|l| l.anomaly == Anomaly::None && keep(l));
        let mut taken = HashSet::with_capacity(count);
        let mut chosen = Vec::with_capacity(count);
        for _ in 0..count.saturating_mul(RANDOM_PROBES_PER_LINE).saturating_add(RANDOM_PROBES_EXTRA) {
            if chosen.len() == count {
                return chosen;
            }
            let idx = rng.index(self.lines.len()) as u32;
            if matches(idx) && taken.insert(idx) {
                chosen.push(idx);
            }
        }
        let mut rest: Vec<u32> = (0..self.lines.len() as u32).filter(|&i| matches(i) && !taken.contains(&i)).collect();
        rng.shuffle(&mut rest);
        chosen.extend(rest.into_iter().take(count - chosen.len()));
        chosen
    }

    /// Providers not yet in a scheme whose specialty passes `keep`, in random order.
    fn shuffled_free_providers(&self, rng: &mut SeededRng, keep: impl Fn(Specialty) -> bool) -> Vec<u32> {
        let mut found: Vec<u32> = (0..self.population.providers.len() as u32)
            .filter(|&p| {
                !self.scheme_provider.get(p as usize).copied().unwrap_or(true)
                    && self.population.provider(p).is_some_and(|prov| keep(prov.specialty))
            })
            .collect();
        rng.shuffle(&mut found);
        found
    }

    fn provider_lines(&self, provider: u32) -> Vec<u32> {
        self.lines_by_provider.get(provider as usize).cloned().unwrap_or_default()
    }

    fn mark_scheme_provider(&mut self, provider: u32) {
        if let Some(flag) = self.scheme_provider.get_mut(provider as usize) {
            *flag = true;
        }
    }

    /// Re-prices line `idx` after its procedure or units changed.
    fn reprice(&mut self, rng: &mut SeededRng, idx: u32) {
        if let Some(line) = self.lines.get_mut(idx as usize) {
            price_line(rng, self.catalog, self.population, line);
        }
    }

    fn label(&mut self, idx: u32, anomaly: Anomaly) {
        if let Some(line) = self.lines.get_mut(idx as usize) {
            line.anomaly = anomaly;
        }
    }

    /// Upcoding: some office providers bill 99215/99205 where their visits were lower
    /// levels, keeping the diagnosis. Their 99215 lines are priced like anyone's.
    fn plant_upcoding(&mut self, quota: usize) {
        let mut rng = self.rng_for(Anomaly::Upcoding);
        let catalog = self.catalog;
        let eligible = |l: &ClaimLine| catalog.upcoded(l.procedure).is_some();
        let picks = self.scheme_lines(&mut rng, |s| s.spec().bills_office_visits, eligible, quota);
        let mut remaining = quota;
        for (provider, lines) in picks {
            self.mark_scheme_provider(provider);
            remaining -= lines.len();
            for idx in lines {
                self.upcode(&mut rng, idx);
            }
        }
        // Too few office visits (tiny tables, huge rates): upcode any normal line.
        for idx in self.random_normal_lines(&mut rng, remaining, |_| true) {
            self.upcode(&mut rng, idx);
        }
    }

    /// Free providers (in random order) and their normal lines that `eligible` accepts,
    /// adding up to at most `quota` lines: whole providers that fit first, then the latest
    /// lines of one more provider (a scheme that started part-way through the year).
    fn scheme_lines(
        &self,
        rng: &mut SeededRng,
        keep_specialty: impl Fn(Specialty) -> bool,
        eligible: impl Fn(&ClaimLine) -> bool,
        quota: usize,
    ) -> Vec<(u32, Vec<u32>)> {
        let mut remaining = quota;
        let mut picks = Vec::new();
        let mut too_big = None;
        for provider in self.shuffled_free_providers(rng, keep_specialty) {
            if remaining == 0 {
                break;
            }
            let lines: Vec<u32> = self
                .provider_lines(provider)
                .into_iter()
                .filter(|&i| self.lines.get(i as usize).is_some_and(|l| l.anomaly == Anomaly::None && eligible(l)))
                .collect();
            if lines.is_empty() {
                continue;
            }
            if lines.len() > remaining {
                // Keep the smallest provider that does not fit: the most of it is converted.
                if too_big.as_ref().is_none_or(|(_, smallest): &(u32, Vec<u32>)| lines.len() < smallest.len()) {
                    too_big = Some((provider, lines));
                }
                continue;
            }
            remaining -= lines.len();
            picks.push((provider, lines));
        }
        if let (Some((provider, mut lines)), true) = (too_big, remaining > 0) {
            let day_of = |i: u32| self.lines.get(i as usize).map_or(0, |l| l.day);
            sort_stable_by(&mut lines, &|&a, &b| day_of(b).cmp(&day_of(a)));
            lines.truncate(remaining);
            picks.push((provider, lines));
        }
        picks
    }

    fn upcode_target(&self, idx: u32) -> Option<u16> {
        self.lines.get(idx as usize).and_then(|l| self.catalog.upcoded(l.procedure))
    }

    fn upcode(&mut self, rng: &mut SeededRng, idx: u32) {
        let top_level = self.catalog.established.last().copied().unwrap_or_default();
        let target = self.upcode_target(idx).unwrap_or(top_level);
        if let Some(line) = self.lines.get_mut(idx as usize) {
            line.procedure = target;
            line.units = 1.0;
        }
        self.reprice(rng, idx);
        self.label(idx, Anomaly::Upcoding);
    }

    /// Provider overbilling: a few primary care providers bill 1.8–3x their peers for the
    /// same procedures (all year, or from some date on). Their mix is the commonest codes,
    /// so the inflated amounts hide among other procedures' prices.
    fn plant_overbilling(&mut self, quota: usize) {
        let mut rng = self.rng_for(Anomaly::ProviderOverbilling);
        let picks = self.scheme_lines(&mut rng, Specialty::is_adult_primary_care, |_| true, quota);
        let mut remaining = quota;
        for (provider, lines) in picks {
            remaining -= self.overbill(&mut rng, provider, lines);
        }
        // Tiny tables: overbill single lines of any provider.
        for idx in self.random_normal_lines(&mut rng, remaining, |_| true) {
            let provider = self.lines.get(idx as usize).map_or(0, |l| l.provider);
            self.overbill(&mut rng, provider, vec![idx]);
        }
    }

    fn overbill(&mut self, rng: &mut SeededRng, provider: u32, lines: Vec<u32>) -> usize {
        self.mark_scheme_provider(provider);
        let factor = uniform(rng, OVERBILLING_MIN_FACTOR, OVERBILLING_MAX_FACTOR);
        let n_lines = lines.len();
        for idx in lines {
            let jitter = log_normal_factor(rng, LINE_PRICE_SPREAD);
            if let Some(line) = self.lines.get_mut(idx as usize) {
                line.allowed = round_cents(line.allowed * factor * jitter);
            }
            self.label(idx, Anomaly::ProviderOverbilling);
        }
        n_lines
    }

    /// Weekend surge: primary care offices whose visits move onto Saturdays and Sundays
    /// (normal offices see some weekend visits too).
    fn plant_weekend_surge(&mut self, quota: usize) {
        let mut rng = self.rng_for(Anomaly::WeekendSurge);
        let mut remaining = quota;
        let office_place = place_index("11").unwrap_or(0);
        let mut too_big = None;
        for provider in self.shuffled_free_providers(&mut rng, Specialty::is_adult_primary_care) {
            if remaining == 0 {
                break;
            }
            let mut moved = self.weekday_office_encounters(provider, office_place);
            moved.retain(|_| rng.chance(WEEKEND_SURGE_SHARE));
            let size: usize = moved.iter().map(Vec::len).sum();
            if size == 0 {
                continue;
            }
            if size > remaining {
                let smaller = |(_, kept): &(u32, Vec<Vec<u32>>)| size < kept.iter().map(Vec::len).sum::<usize>();
                if too_big.as_ref().is_none_or(smaller) {
                    too_big = Some((provider, moved));
                }
                continue;
            }
            self.mark_scheme_provider(provider);
            remaining -= size;
            for encounter_lines in moved {
                self.move_to_weekend(&mut rng, &encounter_lines);
            }
        }
        // One more provider surges for the last weeks of the year.
        if let (Some((provider, mut moved)), true) = (too_big, remaining > 0) {
            self.mark_scheme_provider(provider);
            let day_of =
                |lines: &Vec<u32>| lines.first().and_then(|&i| self.lines.get(i as usize)).map_or(0, |l| l.day);
            sort_stable_by(&mut moved, &|a, b| day_of(b).cmp(&day_of(a)));
            for encounter_lines in moved {
                if encounter_lines.len() <= remaining {
                    remaining -= encounter_lines.len();
                    self.move_to_weekend(&mut rng, &encounter_lines);
                }
            }
        }
        // Whatever is left (tiny tables): single weekday lines anywhere.
        for idx in self.random_normal_lines(&mut rng, remaining, |l| weekday(l.day) < 5) {
            self.move_to_weekend(&mut rng, &[idx]);
        }
    }

    /// The provider's normal weekday encounters with an office line, each as its lines.
    fn weekday_office_encounters(&self, provider: u32, office_place: u8) -> Vec<Vec<u32>> {
        let mut encounters: Vec<Vec<u32>> = Vec::new();
        for idx in self.provider_lines(provider) {
            let Some(line) = self.lines.get(idx as usize) else { continue };
            match encounters.last_mut() {
                Some(current)
                    if current.first().and_then(|&f| self.lines.get(f as usize)).map(|f| f.encounter)
                        == Some(line.encounter) =>
                {
                    current.push(idx)
                }
                _ => encounters.push(vec![idx]),
            }
        }
        let line = |i: &u32| self.lines.get(*i as usize);
        encounters.retain(|lines| {
            lines.iter().all(|i| line(i).is_some_and(|l| l.anomaly == Anomaly::None && weekday(l.day) < 5))
                && lines.iter().any(|i| line(i).is_some_and(|l| l.place == office_place))
        });
        encounters
    }

    fn move_to_weekend(&mut self, rng: &mut SeededRng, lines: &[u32]) {
        let Some(day) = lines.first().and_then(|&i| self.lines.get(i as usize)).map(|l| l.day) else { return };
        let sunday = rng.chance(WEEKEND_SURGE_SUNDAY_SHARE);
        let new_day = weekend_of_week(day, sunday, self.population.first_day, self.population.n_days);
        for &idx in lines {
            if let Some(line) = self.lines.get_mut(idx as usize) {
                line.received += new_day - line.day;
                line.day = new_day;
                line.anomaly = Anomaly::WeekendSurge;
            }
        }
    }

    /// Excessive units: several times the procedure's norm, on procedures whose units
    /// already vary (therapy minutes, drug doses, vaccine administrations).
    fn plant_excessive_units(&mut self, quota: usize) {
        let mut rng = self.rng_for(Anomaly::ExcessiveUnits);
        let catalog = self.catalog;
        let varying = |l: &ClaimLine| catalog.procedure(l.procedure).is_some_and(|p| p.units_vary);
        let mut chosen = self.random_normal_lines(&mut rng, quota, varying);
        if chosen.len() < quota {
            let more = self.random_normal_lines(&mut rng, quota - chosen.len(), |l| !varying(l));
            chosen.extend(more);
        }
        for idx in chosen {
            let Some(line) = self.lines.get_mut(idx as usize) else { continue };
            let Some(procedure) = catalog.procedure(line.procedure) else { continue };
            let factor = uniform(&mut rng, EXCESS_UNITS_MIN_FACTOR, EXCESS_UNITS_MAX_FACTOR);
            let units = (procedure.mean_units * factor).round().max(procedure.max_units + 1.0);
            let per_unit = line.allowed / line.units.max(1.0);
            line.allowed = round_cents(per_unit * units);
            line.units = units;
            line.anomaly = Anomaly::ExcessiveUnits;
        }
    }

    /// Impossible demographics: a sex-specific procedure on a member of the other sex, a
    /// preventive visit of a distant age band, or a pediatric vaccine on an elderly member.
    /// Codes are weighted by their normal volume, so no code becomes a giveaway.
    fn plant_impossible_demographics(&mut self, quota: usize) {
        let mut rng = self.rng_for(Anomaly::ImpossibleDemographics);
        let volume = self.normal_volume_by_procedure();
        for idx in self.random_normal_lines(&mut rng, quota, |_| true) {
            let Some(line) = self.lines.get(idx as usize) else { continue };
            let Some(member) = self.population.member(line.member) else { continue };
            let plants = self.impossible_plants(&mut rng, member);
            let options: Vec<(u16, f64)> =
                plants.into_iter().map(|p| (p, 1.0 + volume.get(p as usize).copied().unwrap_or(0.0))).collect();
            let Some(procedure_idx) = pick_weighted(&mut rng, &options) else { continue };
            let Some(procedure) = self.catalog.procedure(procedure_idx) else { continue };
            let diagnosis = pick_weighted(&mut rng, &procedure.diagnoses).unwrap_or(line.diagnosis);
            let place = pick_weighted(&mut rng, &procedure.places).unwrap_or(line.place);
            let units = pick_weighted(&mut rng, procedure.spec.units).unwrap_or(1.0);
            if let Some(line) = self.lines.get_mut(idx as usize) {
                line.procedure = procedure_idx;
                line.diagnosis = diagnosis;
                line.units = units;
                set_place(&mut rng, line, place);
            }
            self.reprice(&mut rng, idx);
            self.label(idx, Anomaly::ImpossibleDemographics);
        }
    }

    /// Candidate codes that cannot fit `member`.
    fn impossible_plants(&self, rng: &mut SeededRng, member: &Member) -> Vec<u16> {
        if member.age >= ELDERLY_AGE && rng.chance(ELDERLY_PEDIATRIC_VACCINE_SHARE) {
            return self.catalog.pediatric_vaccine_plants.clone();
        }
        if rng.chance(WRONG_AGE_BAND_SHARE) {
            let far_bands: Vec<u16> = self
                .catalog
                .age_band_plants
                .iter()
                .copied()
                .filter(|&p| {
                    self.catalog
                        .procedure(p)
                        .is_some_and(|proc_| age_gap(proc_.spec.who, member.age) >= IMPOSSIBLE_AGE_GAP)
                })
                .collect();
            if !far_bands.is_empty() {
                return far_bands;
            }
        }
        if member.female {
            self.catalog.male_only_plants.clone()
        } else {
            self.catalog.female_only_plants.clone()
        }
    }

    /// Normal lines per procedure code.
    fn normal_volume_by_procedure(&self) -> Vec<f64> {
        let mut volume = vec![0.0; self.catalog.procedures.len()];
        for line in self.lines.iter().filter(|l| l.anomaly == Anomaly::None) {
            if let Some(slot) = volume.get_mut(line.procedure as usize) {
                *slot += 1.0;
            }
        }
        volume
    }

    /// Unbundling: a panel billed as its components on the same member, provider and date.
    fn plant_unbundling(&mut self, event_sizes: &[usize]) {
        let mut rng = self.rng_for(Anomaly::Unbundling);
        let catalog = self.catalog;
        let mut panels = self.random_normal_lines(&mut rng, event_sizes.len(), |l| catalog.is_panel(l.procedure));
        if panels.len() < event_sizes.len() {
            let others = self
                .random_normal_lines(&mut rng, event_sizes.len() - panels.len(), |l| !catalog.is_panel(l.procedure));
            panels.extend(others);
        }
        for (&size, idx) in event_sizes.iter().zip(panels) {
            self.unbundle(&mut rng, idx, size);
        }
    }

    fn unbundle(&mut self, rng: &mut SeededRng, idx: u32, size: usize) {
        let Some(&original) = self.lines.get(idx as usize) else { return };
        let panel = self
            .catalog
            .panels
            .iter()
            .find(|(panel, _)| *panel == original.procedure)
            .or_else(|| self.catalog.panels.get(rng.index(self.catalog.panels.len())));
        let Some((_, components)) = panel else { return };
        let mut parts = components.clone();
        rng.shuffle(&mut parts);
        for (part_idx, &component) in parts.iter().take(size).enumerate() {
            let mut part = original;
            part.procedure = component;
            part.units = 1.0;
            part.anomaly = Anomaly::Unbundling;
            part.order_key = rng.next_u64() as u32;
            price_line(rng, self.catalog, self.population, &mut part);
            if part_idx == 0 {
                if let Some(slot) = self.lines.get_mut(idx as usize) {
                    *slot = part;
                }
            } else {
                self.lines.push(part);
            }
        }
    }

    /// Duplicates: exact copies of earlier normal lines, resubmitted weeks later under a new claim id.
    fn plant_duplicates(&mut self, quota: usize) {
        let mut rng = self.rng_for(Anomaly::Duplicate);
        for idx in self.random_normal_lines(&mut rng, quota, |_| true) {
            let Some(&original) = self.lines.get(idx as usize) else { continue };
            let mut copy = original;
            copy.received =
                original.received + rng.int_inclusive(DUPLICATE_MIN_LAG_DAYS, DUPLICATE_MAX_LAG_DAYS) as i32;
            copy.order_key = rng.next_u64() as u32;
            copy.anomaly = Anomaly::Duplicate;
            self.lines.push(copy);
        }
    }

    /// The lines, and their indices in the order claims were received (claim ids follow it).
    pub(super) fn into_ordered_lines(self) -> (Vec<ClaimLine>, Vec<u32>) {
        let lines = self.lines;
        let order = if lines.len() > LINE_INDEX_MASK as usize {
            let mut order: Vec<u32> = (0..lines.len() as u32).collect();
            order.sort_unstable_by_key(|&i| lines.get(i as usize).map(|l| (l.received, l.order_key)));
            order
        } else {
            // Sorting packed (day, tie-break, index) keys is much faster than sorting lines.
            let first = lines.iter().map(|l| l.received).min().unwrap_or(0);
            let mut keys: Vec<u64> = lines
                .iter()
                .enumerate()
                .map(|(idx, l)| {
                    let day = u64::from((l.received - first).clamp(0, 0xFFF) as u32);
                    (day << 52) | (u64::from(l.order_key) << 20) | idx as u64
                })
                .collect();
            keys.sort_unstable();
            keys.iter().map(|key| (key & LINE_INDEX_MASK) as u32).collect()
        };
        (lines, order)
    }
}

/// Years between `age` and the age band of `who` (0 inside the band).
fn age_gap(who: Who, age: u8) -> u8 {
    who.min_age.saturating_sub(age).max(age.saturating_sub(who.max_age))
}

/// The low 20 bits of a sort key hold the line index (tables have at most a million rows).
const LINE_INDEX_MASK: u64 = (1 << 20) - 1;

/// The Saturday (or Sunday) of `day`'s week, kept inside the service year.
fn weekend_of_week(day: i32, sunday: bool, first_day: i32, n_days: i32) -> i32 {
    let saturday = day + 5 - weekday(day) as i32;
    let target = if sunday { saturday + 1 } else { saturday };
    if target >= first_day + n_days {
        target - 7
    } else {
        target
    }
}
