//! Peer statistics: the group means, quantiles, spreads, shares and modes that claim-level
//! features compare a claim with (allowed amount against its procedure's mean, age against
//! its procedure's ages, quantity against its drug's usual one). Recorded from the claims a
//! model learned from and carried in its file, so a batch scored alone is compared with the
//! same peers as the training claims were. Only codes and aggregates are kept: no member,
//! provider or claim.

#![cfg_attr(target_arch = "wasm32", allow(dead_code))]

#[cfg(not(target_arch = "wasm32"))]
use std::cell::RefCell;
#[cfg(not(target_arch = "wasm32"))]
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Every peer statistic recorded from a population, each by the group text of its key
/// column (a procedure code, a diagnosis, an NDC; one group `""` for the whole population).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PeerReference {
    /// One entry per statistic.
    pub statistics: Vec<PeerStatistic>,
}

/// One statistic (for example the mean allowed amount by procedure) over each group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PeerStatistic {
    /// Which statistic, as [`PeerKind::name`] spells it.
    pub name: String,
    /// Its value in each group the population had.
    pub groups: Vec<PeerGroup>,
}

/// A statistic's value in one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PeerGroup {
    /// The group's text (empty for the whole population).
    pub key: String,
    /// The population's claims in the group.
    pub count: u64,
    /// The statistic's numbers (a mean; a mean and a standard deviation; the modes; a share
    /// per label), `None` where undefined.
    pub values: Vec<Option<f64>>,
    /// What each number is of, for statistics kept per label (a share per sex).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl PeerReference {
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.statistics.is_empty()
    }

    /// The recorded groups: how many statistics and how many groups in all.
    pub fn size(&self) -> (usize, usize) {
        (self.statistics.len(), self.statistics.iter().map(|statistic| statistic.groups.len()).sum())
    }

    /// The statistic `kind` by group text, if recorded (the first of a repeated group).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn lookup(&self, kind: PeerKind) -> Option<BTreeMap<&str, &PeerGroup>> {
        let statistic = self.statistics.iter().find(|statistic| statistic.name == kind.name())?;
        let mut groups = BTreeMap::new();
        for group in &statistic.groups {
            groups.entry(group.key.as_str()).or_insert(group);
        }
        Some(groups)
    }
}

/// The statistics features compare claims with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeerKind {
    AllowedMeanByProcedure,
    AllowedQuantileByProcedure,
    UnitsMeanByProcedure,
    AllowedMeanByDiagnosis,
    AgeByProcedure,
    SexShareByProcedure,
    Benefit,
    OutOfPocket,
    QuantityModesByNdc,
    DaysSupplyModesByNdc,
}

impl PeerKind {
    /// The statistic's name in a model file.
    pub(crate) fn name(self) -> &'static str {
        match self {
            PeerKind::AllowedMeanByProcedure => "allowed_amount mean by procedure_code",
            PeerKind::AllowedQuantileByProcedure => "allowed_amount p99 by procedure_code",
            PeerKind::UnitsMeanByProcedure => "units mean by procedure_code",
            PeerKind::AllowedMeanByDiagnosis => "allowed_amount mean by diagnosis_code",
            PeerKind::AgeByProcedure => "member_age mean and sd by procedure_code",
            PeerKind::SexShareByProcedure => "member_gender share by procedure_code",
            PeerKind::Benefit => "benefit_amount mean and sd",
            PeerKind::OutOfPocket => "out_of_pocket mean and sd",
            PeerKind::QuantityModesByNdc => "quantity modes by ndc",
            PeerKind::DaysSupplyModesByNdc => "days_supply modes by ndc",
        }
    }
}

/// Where features find their peers.
///
/// The page neither records nor uses peers (it scores new claims against the claims it
/// holds), so in wasm only `Own` exists and the rest compiles away, out of the download.
#[derive(Debug, Default)]
pub(crate) enum PeerMode<'r> {
    /// Among the table's own claims.
    #[default]
    Own,
    /// Among the table's own claims, recording every statistic used.
    #[cfg(not(target_arch = "wasm32"))]
    Record(RefCell<Vec<PeerStatistic>>),
    /// In a recorded population, for every group it had; a group it never saw is compared
    /// with the table's own claims of that group.
    #[cfg(not(target_arch = "wasm32"))]
    Use(&'r PeerReference),
    #[cfg(target_arch = "wasm32")]
    #[doc(hidden)]
    _Unused(std::marker::PhantomData<&'r PeerReference>),
}

/// A statistic's own per-group value: numbers, and labels for per-label statistics.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct GroupValue {
    pub(crate) values: Vec<f64>,
    pub(crate) labels: Vec<String>,
}

impl GroupValue {
    #[cfg(not(target_arch = "wasm32"))]
    fn of(group: &PeerGroup) -> Self {
        Self {
            values: group.values.iter().map(|value| value.unwrap_or(f64::NAN)).collect(),
            labels: group.labels.clone(),
        }
    }
}

impl PeerMode<'_> {
    /// `own` (one value per group, `texts[g]` naming group `g`, `counts[g]` its claims), as
    /// the mode says: recorded, returned, or replaced group by group by the reference's.
    pub(crate) fn resolve(
        &self,
        kind: PeerKind,
        texts: &[String],
        counts: &[u32],
        own: Vec<GroupValue>,
    ) -> Vec<GroupValue> {
        match self {
            #[cfg(target_arch = "wasm32")]
            PeerMode::Own | PeerMode::_Unused(_) => {
                let _ = (kind, texts, counts);
                own
            }
            #[cfg(not(target_arch = "wasm32"))]
            PeerMode::Own => own,
            #[cfg(not(target_arch = "wasm32"))]
            PeerMode::Record(recorded) => {
                // Sorted by text (and each group's labels too), so the record does not depend
                // on the order the claims were listed in.
                let mut groups: Vec<PeerGroup> = own
                    .iter()
                    .enumerate()
                    .filter(|&(group, _)| counts.get(group).is_some_and(|&count| count > 0))
                    .filter_map(|(group, value)| {
                        let finite = |v: f64| v.is_finite().then_some(v);
                        let (values, labels) = if value.labels.is_empty() {
                            (value.values.iter().map(|&v| finite(v)).collect(), Vec::new())
                        } else {
                            let mut labelled: Vec<(&String, f64)> =
                                value.labels.iter().zip(value.values.iter().copied()).collect();
                            labelled.sort_by(|a, b| a.0.cmp(b.0));
                            labelled.into_iter().map(|(label, v)| (finite(v), label.clone())).unzip()
                        };
                        Some(PeerGroup {
                            key: texts.get(group)?.clone(),
                            count: u64::from(counts.get(group).copied().unwrap_or(0)),
                            values,
                            labels,
                        })
                    })
                    .collect();
                groups.sort_by(|a, b| a.key.cmp(&b.key));
                let mut recorded = recorded.borrow_mut();
                if !recorded.iter().any(|statistic| statistic.name == kind.name()) {
                    recorded.push(PeerStatistic { name: kind.name().to_owned(), groups });
                }
                own
            }
            #[cfg(not(target_arch = "wasm32"))]
            PeerMode::Use(reference) => {
                let Some(known) = reference.lookup(kind) else { return own };
                own.into_iter()
                    .enumerate()
                    .map(|(group, value)| match texts.get(group).and_then(|text| known.get(text.as_str())) {
                        Some(recorded) => GroupValue::of(recorded),
                        None => value,
                    })
                    .collect()
            }
        }
    }

    /// [`Self::resolve`] for a statistic of `width` numbers per group, flattened.
    pub(crate) fn resolve_numbers(
        &self,
        kind: PeerKind,
        texts: &[String],
        counts: &[u32],
        width: usize,
        own: &[f64],
    ) -> Vec<f64> {
        if matches!(self, PeerMode::Own) || width == 0 {
            return own.to_vec();
        }
        let groups = own.chunks(width).map(|values| GroupValue { values: values.to_vec(), labels: Vec::new() });
        self.resolve(kind, texts, counts, groups.collect())
            .into_iter()
            .flat_map(|value| (0..width).map(move |idx| value.values.get(idx).copied().unwrap_or(f64::NAN)))
            .collect()
    }

    /// The statistics recorded, in the order first used.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn into_recorded(self) -> PeerReference {
        match self {
            PeerMode::Record(recorded) => PeerReference { statistics: recorded.into_inner() },
            PeerMode::Own | PeerMode::Use(_) => PeerReference::default(),
        }
    }
}
