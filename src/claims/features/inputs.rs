//! The canonical columns features read, resolved once into typed views (keys, texts,
//! numbers, days), and the intermediate results several features share.
//!
//! Only the canonical columns named here are ever resolved, and a name whose schema role is
//! a label is refused, so no feature can see the ground truth.

use std::borrow::Cow;
use std::cell::OnceCell;

use crate::claims::schema::names::{
    ALLOWED_AMOUNT, BENEFIT_AMOUNT, BILLED_AMOUNT, DAYS_SUPPLY, DIAGNOSIS_CODE, MEMBER_AGE, MEMBER_GENDER, MEMBER_ID,
    MEMBER_STATE, NDC, OUT_OF_POCKET, PAID_AMOUNT, PAPER_SUBMISSION, PAYER_TYPE, PHARMACY_ID, PHARMACY_STATE,
    PROCEDURE_CODE, PROVIDER_ID, QUANTITY, REJECT_CODE, SERVICE_DATE, UNITS,
};
use crate::claims::schema::{known_role, ColumnRole};
use crate::claims::table::{
    format_day, format_number, ClaimsTable, ColumnData, Levels, Numbers, TableError, MISSING_DAY,
};

use super::groups::{group_sizes, intern, number_key, Keys, Pairs};
use super::peers::{GroupValue, PeerKind, PeerMode};
use super::timeline::Timeline;

/// Whether a column name is a label or explains one (never a feature input).
pub(crate) fn is_label(name: &str) -> bool {
    matches!(known_role(name), Some(ColumnRole::Label | ColumnRole::LabelDetail))
}

/// A text column: keys plus the text of each level.
#[derive(Debug, Clone)]
pub(crate) struct Texts<'t> {
    keys: Keys<'t>,
    levels: Cow<'t, Levels>,
}

impl Texts<'_> {
    /// The keys.
    pub(crate) fn keys(&self) -> &Keys<'_> {
        &self.keys
    }

    /// `f` of every level's text, in code order.
    pub(crate) fn per_level<T>(&self, f: impl Fn(&str) -> T) -> Vec<T> {
        self.levels.iter().map(f).collect()
    }
}

/// The resolved inputs of one table, and lazily computed shared results.
#[derive(Debug)]
pub(crate) struct Inputs<'t> {
    table: &'t ClaimsTable,
    peers: PeerMode<'t>,
    n_rows: usize,
    resolved: Vec<&'static str>,
    pub(crate) member: Option<Keys<'t>>,
    pub(crate) provider: Option<Keys<'t>>,
    pub(crate) pharmacy: Option<Keys<'t>>,
    pub(crate) procedure: Option<Keys<'t>>,
    pub(crate) diagnosis: Option<Keys<'t>>,
    pub(crate) gender: Option<Keys<'t>>,
    pub(crate) ndc: Option<Keys<'t>>,
    pub(crate) member_state: Option<Texts<'t>>,
    pub(crate) pharmacy_state: Option<Texts<'t>>,
    pub(crate) payer: Option<Texts<'t>>,
    pub(crate) reject: Option<Texts<'t>>,
    pub(crate) days: Option<Cow<'t, [i32]>>,
    pub(crate) age: Option<NumberInput<'t>>,
    pub(crate) billed: Option<NumberInput<'t>>,
    pub(crate) allowed: Option<NumberInput<'t>>,
    pub(crate) paid: Option<NumberInput<'t>>,
    pub(crate) units: Option<NumberInput<'t>>,
    pub(crate) quantity: Option<NumberInput<'t>>,
    pub(crate) days_supply: Option<NumberInput<'t>>,
    pub(crate) benefit: Option<NumberInput<'t>>,
    pub(crate) out_of_pocket: Option<NumberInput<'t>>,
    pub(crate) paper: Option<NumberInput<'t>>,
    shared: Shared,
}

/// Results more than one feature reads, computed on first use.
#[derive(Debug, Default)]
struct Shared {
    member_sizes: OnceCell<Option<Vec<u32>>>,
    timeline: OnceCell<Option<Timeline>>,
    provider_members: OnceCell<Option<Pairs>>,
    pharmacy_members: OnceCell<Option<Pairs>>,
    pharmacy_providers: OnceCell<Option<Pairs>>,
    values: [OnceCell<Option<Vec<f64>>>; SharedValues::COUNT],
}

/// Per-row or per-group results that several features read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SharedValues {
    /// Per row: 1 on Saturdays and Sundays.
    Weekend,
    /// Per row: allowed amount over the procedure's mean allowed.
    AllowedVsProcedure,
    /// Per row: allowed amount over the diagnosis' mean allowed.
    AllowedVsDiagnosis,
    /// Per row: days since the member's previous dated claim.
    DaysSincePrevious,
    /// Per row: the member's claims in the trailing window.
    MemberFillsInWindow,
    /// Per row: the member's claim count.
    MemberClaimCount,
    /// Per pharmacy: the reject rate.
    PharmacyRejectRate,
    /// Per pharmacy: the paper submission rate.
    PharmacyPaperRate,
    /// Per pharmacy: the top prescriber's share.
    PharmacyPrescriberConcentration,
    /// Per pharmacy: the share of one-and-done patients.
    PharmacyOneAndDone,
}

impl SharedValues {
    const COUNT: usize = SharedValues::PharmacyOneAndDone as usize + 1;
}

impl<'t> Inputs<'t> {
    /// Resolves every canonical input `table` has. Fails only if a column's length differs
    /// from the table's.
    #[cfg(test)]
    pub(crate) fn new(table: &'t ClaimsTable) -> Result<Self, TableError> {
        Self::with_peers(table, PeerMode::Own)
    }

    /// [`Self::new`], with features finding their peers as `peers` says.
    pub(crate) fn with_peers(table: &'t ClaimsTable, peers: PeerMode<'t>) -> Result<Self, TableError> {
        let mut resolved = Vec::new();
        let mut find = |name: &'static str| -> Result<Option<&'t ColumnData>, TableError> {
            let found = resolve(table, name)?;
            if found.is_some() {
                resolved.push(name);
            }
            Ok(found)
        };
        let member = find(MEMBER_ID)?.map(keys_of);
        let provider = find(PROVIDER_ID)?.map(keys_of);
        let pharmacy = find(PHARMACY_ID)?.map(keys_of);
        let procedure = find(PROCEDURE_CODE)?.map(keys_of);
        let diagnosis = find(DIAGNOSIS_CODE)?.map(keys_of);
        let gender = find(MEMBER_GENDER)?.map(keys_of);
        let ndc = find(NDC)?.map(keys_of);
        let member_state = find(MEMBER_STATE)?.map(texts_of);
        let pharmacy_state = find(PHARMACY_STATE)?.map(texts_of);
        let payer = find(PAYER_TYPE)?.map(texts_of);
        let reject = find(REJECT_CODE)?.map(texts_of);
        let days = find(SERVICE_DATE)?.map(days_of);
        let age = find(MEMBER_AGE)?.map(numbers_of);
        let billed = find(BILLED_AMOUNT)?.map(numbers_of);
        let allowed = find(ALLOWED_AMOUNT)?.map(numbers_of);
        let paid = find(PAID_AMOUNT)?.map(numbers_of);
        let units = find(UNITS)?.map(numbers_of);
        let quantity = find(QUANTITY)?.map(numbers_of);
        let days_supply = find(DAYS_SUPPLY)?.map(numbers_of);
        let benefit = find(BENEFIT_AMOUNT)?.map(numbers_of);
        let out_of_pocket = find(OUT_OF_POCKET)?.map(numbers_of);
        let paper = find(PAPER_SUBMISSION)?.map(numbers_of);
        Ok(Self {
            table,
            peers,
            n_rows: table.n_rows(),
            resolved,
            member,
            provider,
            pharmacy,
            procedure,
            diagnosis,
            gender,
            ndc,
            member_state,
            pharmacy_state,
            payer,
            reject,
            days,
            age,
            billed,
            allowed,
            paid,
            units,
            quantity,
            days_supply,
            benefit,
            out_of_pocket,
            paper,
            shared: Shared::default(),
        })
    }

    /// Number of rows.
    pub(crate) fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Whether the canonical column `name` was found.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.resolved.contains(&name)
    }

    /// Each member group's claim count.
    pub(crate) fn member_sizes(&self) -> Option<&[u32]> {
        self.shared.member_sizes.get_or_init(|| self.member.as_ref().map(group_sizes)).as_deref()
    }

    /// Each member's dated claims sorted by (day, provider, procedure).
    pub(crate) fn timeline(&self) -> Option<&Timeline> {
        self.shared
            .timeline
            .get_or_init(|| {
                let members = self.member.as_ref()?;
                let days = self.days.as_deref()?;
                Some(Timeline::new(members, days, self.provider.as_ref(), self.procedure.as_ref()))
            })
            .as_ref()
    }

    /// (provider, member) pairs.
    pub(crate) fn provider_members(&self) -> Option<&Pairs> {
        let init = || Some(Pairs::count(self.provider.as_ref()?, self.member.as_ref()?));
        self.shared.provider_members.get_or_init(init).as_ref()
    }

    /// (pharmacy, member) pairs.
    pub(crate) fn pharmacy_members(&self) -> Option<&Pairs> {
        let init = || Some(Pairs::count(self.pharmacy.as_ref()?, self.member.as_ref()?));
        self.shared.pharmacy_members.get_or_init(init).as_ref()
    }

    /// (pharmacy, provider) pairs.
    pub(crate) fn pharmacy_providers(&self) -> Option<&Pairs> {
        let init = || Some(Pairs::count(self.pharmacy.as_ref()?, self.provider.as_ref()?));
        self.shared.pharmacy_providers.get_or_init(init).as_ref()
    }

    /// The statistics recorded while building features (see [`PeerMode::Record`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn into_recorded_peers(self) -> super::peers::PeerReference {
        self.peers.into_recorded()
    }

    /// The text of each group of the canonical column `name`, in the code order of its keys
    /// (empty if the column is absent).
    pub(crate) fn group_texts(&self, name: &str) -> Vec<String> {
        match resolve(self.table, name) {
            Ok(Some(data)) => texts_of(data).per_level(str::to_owned),
            _ => Vec::new(),
        }
    }

    /// A peer statistic of `width` numbers per group of `keys` (groups of the canonical
    /// column `key_column`; the whole table as one group when `None`), as this table's own
    /// claims give it (`own`), or as the recorded population does.
    pub(crate) fn peer_numbers(
        &self,
        kind: PeerKind,
        group_by: Option<(&str, &Keys<'_>)>,
        width: usize,
        own: Vec<f64>,
    ) -> Vec<f64> {
        // The page compares claims with their own table only (see `PeerMode`).
        if cfg!(target_arch = "wasm32") || matches!(self.peers, PeerMode::Own) {
            return own;
        }
        let (texts, counts) = self.groups_of(group_by);
        self.peers.resolve_numbers(kind, &texts, &counts, width, &own)
    }

    /// A peer statistic kept per label (a share per sex, the modes), as [`Self::peer_numbers`].
    pub(crate) fn peer_values(
        &self,
        kind: PeerKind,
        group_by: (&str, &Keys<'_>),
        own: impl FnOnce() -> Vec<GroupValue>,
    ) -> Option<Vec<GroupValue>> {
        if cfg!(target_arch = "wasm32") || matches!(self.peers, PeerMode::Own) {
            return None;
        }
        let (texts, counts) = self.groups_of(Some(group_by));
        Some(self.peers.resolve(kind, &texts, &counts, own()))
    }

    /// The texts and claim counts of the groups of `group_by` (one group, "", without it).
    fn groups_of(&self, group_by: Option<(&str, &Keys<'_>)>) -> (Vec<String>, Vec<u32>) {
        match group_by {
            Some((column, keys)) => (self.group_texts(column), group_sizes(keys)),
            None => (vec![String::new()], vec![u32::try_from(self.n_rows).unwrap_or(u32::MAX)]),
        }
    }

    /// A shared result, computed by `compute` the first time it is asked for.
    pub(crate) fn shared(
        &self,
        which: SharedValues,
        compute: impl FnOnce(&Self) -> Option<Vec<f64>>,
    ) -> Option<&[f64]> {
        self.shared.values.get(which as usize)?.get_or_init(|| compute(self)).as_deref()
    }
}

/// The column `name` of `table`, unless it is absent or a label; its length is checked.
fn resolve<'t>(table: &'t ClaimsTable, name: &str) -> Result<Option<&'t ColumnData>, TableError> {
    if is_label(name) {
        return Ok(None);
    }
    let Some(column) = table.column(name) else { return Ok(None) };
    if column.data.len() != table.n_rows() {
        return Err(TableError::LengthMismatch {
            name: column.name.clone(),
            expected: table.n_rows(),
            actual: column.data.len(),
        });
    }
    Ok(Some(&column.data))
}

/// Group keys of any column: categorical codes as they are, numbers and dates interned.
fn keys_of(data: &ColumnData) -> Keys<'_> {
    match data {
        ColumnData::Categorical { levels, codes } => Keys::new(Cow::Borrowed(codes), levels.len()),
        ColumnData::Numeric { values } => intern(values.iter().map(number_key)).0,
        ColumnData::Date { days } => intern(days.iter().map(|&day| Some(day).filter(|&d| d != MISSING_DAY))).0,
    }
}

/// Texts of any column: categorical levels as they are, numbers and dates interned and
/// written out once per distinct value.
fn texts_of(data: &ColumnData) -> Texts<'_> {
    match data {
        ColumnData::Categorical { levels, codes } => {
            Texts { keys: Keys::new(Cow::Borrowed(codes), levels.len()), levels: Cow::Borrowed(levels) }
        }
        ColumnData::Numeric { values } => {
            let (keys, distinct) = intern(values.iter().map(number_key));
            let levels = distinct.iter().map(|&bits| format_number(f64::from_bits(bits))).collect::<Levels>();
            Texts { keys, levels: Cow::Owned(levels) }
        }
        ColumnData::Date { days } => {
            let (keys, distinct) = intern(days.iter().map(|&day| Some(day).filter(|&d| d != MISSING_DAY)));
            Texts { keys, levels: Cow::Owned(distinct.iter().map(|&day| format_day(day)).collect()) }
        }
    }
}

/// A numeric input: a numeric column, read as `f64`s only while a feature uses it (a
/// compact column is not copied for the whole derivation), or numbers made from another
/// kind of column.
#[derive(Debug)]
pub(crate) enum NumberInput<'t> {
    /// A numeric column.
    Column(&'t Numbers),
    /// Dates as day numbers, or text parsed as numbers.
    Made(Vec<f64>),
}

impl NumberInput<'_> {
    /// The numbers as `f64`s, for one feature's use.
    pub(crate) fn values(&self) -> Cow<'_, [f64]> {
        match self {
            NumberInput::Column(numbers) => numbers.as_f64s(),
            NumberInput::Made(values) => Cow::Borrowed(values),
        }
    }
}

/// Numbers of any column: numbers as they are, dates as day numbers, text parsed once
/// per level (NaN where it is not a number).
fn numbers_of(data: &ColumnData) -> NumberInput<'_> {
    match data {
        ColumnData::Numeric { values } => NumberInput::Column(values),
        ColumnData::Date { .. } => NumberInput::Made((0..data.len()).map(|row| data.number(row)).collect()),
        ColumnData::Categorical { levels, codes } => {
            let parsed: Vec<f64> = levels.iter().map(|level| level.trim().parse().unwrap_or(f64::NAN)).collect();
            NumberInput::Made(
                codes.iter().map(|&code| parsed.get(code as usize).copied().unwrap_or(f64::NAN)).collect(),
            )
        }
    }
}

/// Days of any column: dates as they are, whole numbers as day numbers, text as missing.
fn days_of(data: &ColumnData) -> Cow<'_, [i32]> {
    match data {
        ColumnData::Date { days } => Cow::Borrowed(days),
        ColumnData::Numeric { values } => Cow::Owned(values.iter().map(day_from_number).collect()),
        ColumnData::Categorical { codes, .. } => Cow::Owned(vec![MISSING_DAY; codes.len()]),
    }
}

fn day_from_number(value: f64) -> i32 {
    let in_range =
        value.is_finite() && value.fract() == 0.0 && value > f64::from(i32::MIN) && value <= f64::from(i32::MAX);
    if in_range {
        value as i32
    } else {
        MISSING_DAY
    }
}
