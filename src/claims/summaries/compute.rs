//! The one pass over each entity's claims that fills its [`EntitySummary`], and the
//! counterparty each level's concentration is measured against.

use super::keys::{EntityKeys, Grouped, Tally};
use super::sort::peer_percentiles;
use super::{amount_column, provider_level, EntityLevel, EntitySummary, LevelSummary};
use crate::claims::schema::names::{MEMBER_ID, SERVICE_DATE};
use crate::claims::table::{ClaimsTable, ColumnData, Numbers, MISSING_DAY};

/// The per-claim inputs, already checked to be empty or as long as the table.
#[derive(Debug, Clone, Copy)]
pub(super) struct PerClaim<'a> {
    pub(super) priority: &'a [f64],
    pub(super) flagged: &'a [bool],
    pub(super) labels: Option<&'a [bool]>,
}

/// Summarises the entities of `level`, whose ids are `data`.
pub(super) fn summarize_level(
    table: &ClaimsTable,
    level: EntityLevel,
    data: &ColumnData,
    per_claim: PerClaim<'_>,
) -> LevelSummary {
    let keys = EntityKeys::new(data);
    let grouped = Grouped::new(&keys);
    let amount_name = amount_column(table);
    let amounts = amount_name.and_then(|name| numbers(table, name));
    let days = match table.column(SERVICE_DATE).map(|column| &column.data) {
        Some(ColumnData::Date { days }) => Some(days.as_slice()),
        _ => None,
    };
    let members = if level == EntityLevel::Member {
        None
    } else {
        table.column(MEMBER_ID).map(|column| Members::new(EntityKeys::new(&column.data)))
    };
    let counterparty = counterparty_of(table, level);
    let counterparty_keys =
        counterparty.and_then(|other| table.column(other.id_column())).map(|column| EntityKeys::new(&column.data));

    let context = Context { per_claim, amounts, days };
    let mut member_tally = members.as_ref().map(|members| Tally::new(members.keys.n_codes()));
    let mut counterparty_tally = counterparty_keys.as_ref().map(|keys| Tally::new(keys.n_codes()));
    let mut rows = Vec::new();
    for code in 0..keys.n_codes() {
        let claims = grouped.rows_of(code);
        if claims.is_empty() {
            continue;
        }
        let entity = code as u32;
        let mut summary = context.basic(keys.ids().get(code).map(str::to_owned).unwrap_or_default(), claims);
        summary.one_and_done_share = match (&members, member_tally.as_mut()) {
            (Some(members), Some(tally)) => members.one_and_done_share(tally, entity, claims),
            _ if level == EntityLevel::Member => Some(if claims.len() == 1 { 1.0 } else { 0.0 }),
            _ => None,
        };
        if let (Some(keys), Some(tally)) = (&counterparty_keys, counterparty_tally.as_mut()) {
            summary.top_counterparty_share = top_share(keys, tally, entity, claims);
        }
        rows.push(summary);
    }
    let means: Vec<Option<f64>> = rows.iter().map(|row| row.mean_priority).collect();
    for (row, percentile) in rows.iter_mut().zip(peer_percentiles(&means)) {
        row.peer_percentile = percentile;
    }

    let (missing_id_claims, missing_id_amount) = missing_ids(&keys, amounts);
    LevelSummary {
        level,
        amount_column: amount_name.map(str::to_owned),
        counterparty,
        has_priority: !per_claim.priority.is_empty(),
        has_flags: !per_claim.flagged.is_empty(),
        has_labels: per_claim.labels.is_some(),
        has_members: table.column(MEMBER_ID).is_some(),
        has_dates: days.is_some(),
        rows,
        missing_id_claims,
        missing_id_amount,
    }
}

/// Whose share the concentration of `level` measures, if the table has that column.
pub(super) fn counterparty_of(table: &ClaimsTable, level: EntityLevel) -> Option<EntityLevel> {
    let provider = provider_level(table);
    let preferences: &[EntityLevel] = match level {
        EntityLevel::Member => &[provider, EntityLevel::Pharmacy],
        EntityLevel::Provider | EntityLevel::Prescriber => &[EntityLevel::Member],
        EntityLevel::Pharmacy => &[provider, EntityLevel::Member],
    };
    preferences.iter().copied().find(|other| table.column(other.id_column()).is_some())
}

/// The columns every entity's basic figures read.
struct Context<'a> {
    per_claim: PerClaim<'a>,
    amounts: Option<&'a Numbers>,
    days: Option<&'a [i32]>,
}

impl Context<'_> {
    /// Counts, money, priority, flags, labels and dates of one entity's `claims`.
    fn basic(&self, id: String, claims: &[u32]) -> EntitySummary {
        let PerClaim { priority, flagged, labels } = self.per_claim;
        let (mut amount_sum, mut amount_known) = (0.0, 0usize);
        let (mut priority_sum, mut priority_known, mut priority_max) = (0.0, 0usize, 0.0);
        let (mut n_flagged, mut n_positive) = (0usize, 0usize);
        let (mut first_day, mut last_day): (Option<i32>, Option<i32>) = (None, None);
        for &row in claims {
            let row = row as usize;
            if let Some(amount) = self.amounts.and_then(|amounts| amounts.get(row)).filter(|a| a.is_finite()) {
                amount_sum += amount;
                amount_known += 1;
            }
            if let Some(&value) = priority.get(row).filter(|p| p.is_finite()) {
                if priority_known == 0 || value > priority_max {
                    priority_max = value;
                }
                priority_sum += value;
                priority_known += 1;
            }
            n_flagged += usize::from(flagged.get(row).copied().unwrap_or(false));
            n_positive += usize::from(labels.and_then(|labels| labels.get(row)).copied().unwrap_or(false));
            if let Some(&day) = self.days.and_then(|days| days.get(row)).filter(|&&day| day != MISSING_DAY) {
                first_day = Some(first_day.map_or(day, |first| if day < first { day } else { first }));
                last_day = Some(last_day.map_or(day, |last| if day > last { day } else { last }));
            }
        }
        let n_claims = claims.len();
        let share = |part: usize| part as f64 / n_claims as f64;
        EntitySummary {
            id,
            n_claims,
            total_paid: (amount_known > 0).then_some(amount_sum + 0.0),
            mean_priority: (priority_known > 0).then(|| priority_sum / priority_known as f64 + 0.0),
            max_priority: (priority_known > 0).then_some(priority_max + 0.0),
            flagged_share: (!flagged.is_empty()).then(|| share(n_flagged)),
            label_rate: labels.map(|_| share(n_positive)),
            one_and_done_share: None,
            top_counterparty_share: None,
            peer_percentile: None,
            first_service_day: first_day,
            last_service_day: last_day,
        }
    }
}

/// The member column and each member's claim count in the whole table.
struct Members<'t> {
    keys: EntityKeys<'t>,
    sizes: Vec<u32>,
}

impl<'t> Members<'t> {
    fn new(keys: EntityKeys<'t>) -> Self {
        let mut sizes = vec![0u32; keys.n_codes()];
        for row in 0..keys.n_rows() {
            if let Some(size) = keys.code_of(row).and_then(|code| sizes.get_mut(code)) {
                *size += 1;
            }
        }
        Self { keys, sizes }
    }

    /// The share of the entity's distinct members with exactly one claim in the table.
    fn one_and_done_share(&self, tally: &mut Tally, entity: u32, claims: &[u32]) -> Option<f64> {
        let (mut distinct, mut once) = (0usize, 0usize);
        for &row in claims {
            let Some(member) = self.keys.code_of(row as usize) else { continue };
            if tally.add(entity, member) == 1 {
                distinct += 1;
                once += usize::from(self.sizes.get(member) == Some(&1));
            }
        }
        (distinct > 0).then(|| once as f64 / distinct as f64)
    }
}

/// The largest share of the entity's claims with a known counterparty that go to one.
fn top_share(keys: &EntityKeys<'_>, tally: &mut Tally, entity: u32, claims: &[u32]) -> Option<f64> {
    let (mut known, mut top) = (0usize, 0u32);
    for &row in claims {
        let Some(other) = keys.code_of(row as usize) else { continue };
        known += 1;
        let count = tally.add(entity, other);
        if count > top {
            top = count;
        }
    }
    (known > 0).then(|| f64::from(top) / known as f64)
}

/// The claims with no id, and the sum of their known amounts.
fn missing_ids(keys: &EntityKeys<'_>, amounts: Option<&Numbers>) -> (usize, f64) {
    let (mut claims, mut amount) = (0usize, 0.0);
    for row in (0..keys.n_rows()).filter(|&row| keys.code_of(row).is_none()) {
        claims += 1;
        if let Some(value) = amounts.and_then(|amounts| amounts.get(row)).filter(|a| a.is_finite()) {
            amount += value;
        }
    }
    (claims, amount + 0.0)
}

/// The values of a numeric column.
fn numbers<'t>(table: &'t ClaimsTable, name: &str) -> Option<&'t Numbers> {
    match &table.column(name)?.data {
        ColumnData::Numeric { values } => Some(values),
        _ => None,
    }
}
