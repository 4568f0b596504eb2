//! Normal claim lines: encounters from members, providers and visit types, and the anomaly quotas.

use super::*;
use crate::claims::synth::sampling::{log_normal_factor, pick_weighted, round_cents};
use crate::claims::table::weekday;

/// Which pattern a line belongs to; the discriminant indexes [`MEDICAL_ANOMALY_TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anomaly {
    None,
    Upcoding,
    Unbundling,
    ExcessiveUnits,
    Duplicate,
    ImpossibleDemographics,
    ProviderOverbilling,
    WeekendSurge,
}

impl Anomaly {
    /// The planted patterns, in quota order.
    pub(super) const PLANTED: [Anomaly; 7] = [
        Anomaly::Upcoding,
        Anomaly::Unbundling,
        Anomaly::ExcessiveUnits,
        Anomaly::Duplicate,
        Anomaly::ImpossibleDemographics,
        Anomaly::ProviderOverbilling,
        Anomaly::WeekendSurge,
    ];
}

#[derive(Debug, Clone, Copy)]
pub(super) struct ClaimLine {
    pub(super) member: u32,
    pub(super) provider: u32,
    pub(super) encounter: u32,
    pub(super) day: i32,
    pub(super) received: i32,
    pub(super) procedure: u16,
    pub(super) diagnosis: u16,
    pub(super) place: u8,
    pub(super) institutional: bool,
    pub(super) anomaly: Anomaly,
    pub(super) units: f64,
    pub(super) allowed: f64,
    pub(super) paid_share: f64,
    /// Random tie-break among lines received the same day.
    pub(super) order_key: u32,
}

/// How many lines each pattern labels, and how many normal lines to draw first.
pub(super) struct Quotas {
    pub(super) per_type: [usize; 7],
    /// Sizes of the unbundling events (component lines per replaced panel).
    pub(super) unbundling_events: Vec<usize>,
    pub(super) base_rows: usize,
}

impl Quotas {
    pub(super) fn new(options: &SynthOptions, rng: &mut SeededRng) -> Self {
        let n_anomalous = options.anomalous_rows();
        let n_types = Anomaly::PLANTED.len();
        let mut per_type = [n_anomalous / n_types; 7];
        for slot in per_type.iter_mut().take(n_anomalous % n_types) {
            *slot += 1;
        }
        let unbundling_events = plan_unbundling(rng, quota_of(&per_type, Anomaly::Unbundling));
        // Duplicates add a line each; an unbundling event turns one line into several.
        let added = quota_of(&per_type, Anomaly::Duplicate)
            + unbundling_events.iter().map(|size| size.saturating_sub(1)).sum::<usize>();
        Self { per_type, unbundling_events, base_rows: options.n_rows.saturating_sub(added) }
    }

    pub(super) fn of(&self, anomaly: Anomaly) -> usize {
        quota_of(&self.per_type, anomaly)
    }
}

pub(super) fn quota_of(per_type: &[usize; 7], anomaly: Anomaly) -> usize {
    Anomaly::PLANTED.iter().position(|&a| a == anomaly).and_then(|i| per_type.get(i)).copied().unwrap_or(0)
}

/// Splits `quota` component lines into events of 3..=4 components (a normal monitoring
/// visit bills at most two); smaller events only when the quota leaves no other way.
pub(super) fn plan_unbundling(rng: &mut SeededRng, quota: usize) -> Vec<usize> {
    let mut events = Vec::new();
    let mut remaining = quota;
    while remaining > 0 {
        let mut size = if remaining <= MAX_UNBUNDLED_COMPONENTS {
            remaining
        } else {
            rng.int_inclusive(MIN_UNBUNDLED_COMPONENTS as i64, MAX_UNBUNDLED_COMPONENTS as i64) as usize
        };
        if remaining > size && remaining - size < MIN_UNBUNDLED_COMPONENTS {
            size = remaining - MIN_UNBUNDLED_COMPONENTS;
        }
        events.push(size);
        remaining -= size;
    }
    events
}

/// Encounters that may find no provider before drawing stops (every specialty has one, so
/// this only guards against an endless loop).
const MAX_FAILED_ROUTES: usize = 10_000;

/// Draws normal encounters until exactly `n_lines` lines exist.
pub(super) fn base_lines(catalog: &Catalog, population: &Population, n_lines: usize, seed: u64) -> Vec<ClaimLine> {
    let mut rng = SeededRng::new(SeededRng::derive_seed(seed, STREAM_ENCOUNTERS));
    let mut lines = Vec::with_capacity(n_lines + n_lines / 8 + 8);
    let mut encounter = 0u32;
    let mut failed_routes = 0;
    while lines.len() < n_lines && failed_routes < MAX_FAILED_ROUTES {
        let Some(member_idx) = population.member_sampler.sample(&mut rng).map(|m| m as u32) else { break };
        let Some(member) = population.member(member_idx) else { break };
        let Some((provider_idx, provider)) = route_encounter(&mut rng, population, member_idx, member) else {
            failed_routes += 1;
            continue;
        };
        let planned = plan_visit(&mut rng, catalog, provider.specialty, member);
        let day = population.first_day + sample_day_offset(&mut rng, population, provider, planned.any_day);
        let received = day + receipt_lag(&mut rng);
        for &procedure in planned.procedures() {
            if lines.len() >= n_lines {
                break;
            }
            let mut claim_line = ClaimLine {
                member: member_idx,
                provider: provider_idx,
                encounter,
                day,
                received,
                procedure,
                diagnosis: planned.diagnosis,
                place: 0,
                institutional: false,
                anomaly: Anomaly::None,
                units: 1.0,
                allowed: 0.0,
                paid_share: member.paid_share,
                order_key: rng.next_u64() as u32,
            };
            fill_line_details(&mut rng, catalog, population, &mut claim_line, member, planned.diagnosis);
            lines.push(claim_line);
        }
        encounter += 1;
    }
    lines
}

pub(super) fn route_encounter<'p>(
    rng: &mut SeededRng,
    population: &'p Population,
    member_idx: u32,
    member: &Member,
) -> Option<(u32, &'p Provider)> {
    let provider_idx = if rng.chance(PRIMARY_CARE_SHARE) {
        member.primary_provider
    } else {
        let weights = referral_weights(member);
        let specialty = pick_weighted(rng, &std::array::from_fn::<_, N_SPECIALTIES, _>(|i| (i, weights[i])))
            .and_then(|i| Specialty::ALL.get(i).copied())
            .unwrap_or(Specialty::Family);
        if rng.chance(USUAL_SPECIALIST_SHARE) {
            population.usual_specialist(member_idx, specialty)?
        } else {
            population.sample_provider(rng, specialty)?
        }
    };
    population.provider(provider_idx).map(|p| (provider_idx, p))
}

/// A visit's diagnosis and procedures, before they become lines.
pub(super) struct PlannedVisit {
    pub(super) diagnosis: u16,
    pub(super) procedures: [u16; MAX_VISIT_LINES],
    pub(super) n_procedures: usize,
    pub(super) any_day: bool,
}

impl PlannedVisit {
    pub(super) fn procedures(&self) -> &[u16] {
        self.procedures.get(..self.n_procedures).unwrap_or(&[])
    }

    pub(super) fn contains(&self, procedure: u16) -> bool {
        self.procedures().contains(&procedure)
    }

    pub(super) fn push(&mut self, procedure: u16) {
        if let Some(slot) = self.procedures.get_mut(self.n_procedures) {
            *slot = procedure;
            self.n_procedures += 1;
        }
    }
}

/// Visit types tried before falling back to a plain office visit.
pub(super) const MAX_VISIT_TRIES: usize = 12;

/// Tries the specialty's visit types until one fits the member; falls back to a plain
/// office visit for a cold.
pub(super) fn plan_visit(
    rng: &mut SeededRng,
    catalog: &Catalog,
    specialty: Specialty,
    member: &Member,
) -> PlannedVisit {
    let visits = catalog.visits_of(specialty);
    let weights = catalog.visit_weights.get(specialty as usize).map_or(&[][..], Vec::as_slice);
    for _ in 0..MAX_VISIT_TRIES {
        let Some(visit) = pick_weighted(rng, weights).and_then(|i| visits.get(i)) else { break };
        if let Some(planned) = try_visit(rng, catalog, visit, member) {
            return planned;
        }
    }
    let diagnosis = catalog.fallback_diagnoses.first().map_or(0, |&(d, _)| d);
    let mut planned = PlannedVisit { diagnosis, procedures: [0; MAX_VISIT_LINES], n_procedures: 0, any_day: false };
    planned.push(pick_level(rng, &catalog.established, &office_level_weights(diagnosis_acuity(diagnosis))));
    planned
}

pub(super) fn try_visit(
    rng: &mut SeededRng,
    catalog: &Catalog,
    visit: &Visit,
    member: &Member,
) -> Option<PlannedVisit> {
    let diagnosis = pick_where(rng, &visit.diagnoses, |d| diagnosis_fits(d, member))?;
    let acuity = diagnosis_acuity(diagnosis);
    let mut planned =
        PlannedVisit { diagnosis, procedures: [0; MAX_VISIT_LINES], n_procedures: 0, any_day: visit.any_day };
    let mut previous_billed = false;
    for spec in &visit.lines {
        if (spec.after_previous && !previous_billed) || !rng.chance(spec.chance) {
            previous_billed = false;
            continue;
        }
        let chosen = match &spec.choice {
            ResolvedChoice::Established => Some(pick_level(rng, &catalog.established, &office_level_weights(acuity))),
            ResolvedChoice::NewPatient => Some(pick_level(rng, &catalog.new_patient, &office_level_weights(acuity))),
            ResolvedChoice::EmergencyVisit => {
                Some(pick_level(rng, &catalog.emergency, &emergency_level_weights(acuity)))
            }
            ResolvedChoice::Pick(options) => {
                pick_where(rng, options, |p| catalog.procedure(p).is_some_and(|proc_| proc_.spec.who.allows(member)))
            }
        };
        match chosen {
            Some(procedure)
                if !planned.contains(procedure) && !catalog.completes_a_panel(planned.procedures(), procedure) =>
            {
                planned.push(procedure);
                previous_billed = true;
            }
            None if spec.chance >= 1.0 && !spec.after_previous => return None,
            _ => previous_billed = false,
        }
    }
    (planned.n_procedures > 0).then_some(planned)
}

pub(super) fn pick_level<const N: usize>(rng: &mut SeededRng, levels: &[u16; N], weights: &[f64; N]) -> u16 {
    let options: [(u16, f64); N] = std::array::from_fn(|i| (levels[i], weights[i]));
    pick_weighted(rng, &options).unwrap_or(levels[0])
}

/// A day offset in the year, following the provider's opening days.
pub(super) fn sample_day_offset(
    rng: &mut SeededRng,
    population: &Population,
    provider: &Provider,
    any_day: bool,
) -> i32 {
    let n_days = population.n_days.max(1);
    let mut offset = rng.below(n_days as u64) as i32;
    if any_day || provider.max_weekday_weight <= 0.0 {
        return offset;
    }
    for _ in 0..64 {
        let day_of_week = weekday(population.first_day + offset) as usize;
        let weight = provider.weekday_weights.get(day_of_week).copied().unwrap_or(0.0);
        if rng.next_f64() * provider.max_weekday_weight < weight {
            break;
        }
        offset = rng.below(n_days as u64) as i32;
    }
    offset
}

/// Days between service and receipt: mostly a week or two, sometimes over a month.
pub(super) fn receipt_lag(rng: &mut SeededRng) -> i32 {
    let draw = rng.next_f64();
    1 + (draw * draw * MAX_RECEIPT_LAG_DAYS) as i32
}

/// Sets a line's diagnosis (if the procedure needs its own), place, billing type, units
/// and amounts from the catalog.
pub(super) fn fill_line_details(
    rng: &mut SeededRng,
    catalog: &Catalog,
    population: &Population,
    line: &mut ClaimLine,
    member: &Member,
    encounter_diagnosis: u16,
) {
    let Some(procedure) = catalog.procedure(line.procedure) else { return };
    line.diagnosis = line_diagnosis(rng, procedure, encounter_diagnosis, member);
    let setting = population.provider(line.provider).map(|p| p.specialty.spec().setting);
    let place = match setting {
        Some(Setting::Emergency) => place_index("23"),
        Some(Setting::Laboratory) => place_index("81"),
        _ => pick_weighted(rng, &procedure.places),
    };
    set_place(rng, line, place.unwrap_or(0));
    line.units = pick_weighted(rng, procedure.spec.units).unwrap_or(1.0);
    price_line(rng, catalog, population, line);
}

pub(super) fn line_diagnosis(
    rng: &mut SeededRng,
    procedure: &Procedure,
    encounter_diagnosis: u16,
    member: &Member,
) -> u16 {
    if procedure.diagnoses.is_empty() || procedure.diagnoses.iter().any(|&(d, _)| d == encounter_diagnosis) {
        return encounter_diagnosis;
    }
    pick_where(rng, &procedure.diagnoses, |d| diagnosis_fits(d, member))
        .or_else(|| pick_weighted(rng, &procedure.diagnoses))
        .unwrap_or(encounter_diagnosis)
}

pub(super) fn set_place(rng: &mut SeededRng, line: &mut ClaimLine, place: u8) {
    line.place = place;
    let institutional_share = PLACES.get(place as usize).map_or(0.0, |&(_, share)| share);
    line.institutional = rng.chance(institutional_share);
}

/// The allowed amount: catalog price x units x the provider's price level x line noise.
pub(super) fn price_line(rng: &mut SeededRng, catalog: &Catalog, population: &Population, line: &mut ClaimLine) {
    let price = catalog.procedure(line.procedure).map_or(0.0, |p| p.spec.price);
    let level = population.provider(line.provider).map_or(1.0, |p| p.price_level);
    line.allowed = round_cents(price * line.units * level * log_normal_factor(rng, LINE_PRICE_SPREAD)).max(0.01);
}
