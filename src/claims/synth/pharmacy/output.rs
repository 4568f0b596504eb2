//! The table: the fills in date order with their claim ids, as the copay vendor's columns and the ground truth.

use super::*;

/// Digits of a claim id after its prefix ("RX0000001").
pub(super) const CLAIM_ID_DIGITS: usize = 7;

/// The claims by fill date, ties in random order. Sorting packed (day, tie-break, index)
/// keys and gathering once is much faster than sorting the claims themselves.
pub(super) fn in_date_order(claims: &[Claim], first_day: i32) -> Vec<Claim> {
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
pub(super) const CLAIM_INDEX_MASK: u64 = (1 << 20) - 1;

pub(super) fn build_table(book: &ClaimBook) -> Result<ClaimsTable, SynthError> {
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
