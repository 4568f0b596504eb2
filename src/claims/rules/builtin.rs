//! The built-in rule packs, embedded from `packs/*.json`.

use super::pack::{PackError, RulePack};
use crate::claims::table::ClaimsTable;

/// The built-in packs: (name, JSON text).
pub const BUILTIN_PACKS: [(&str, &str); 3] = [
    ("denial", include_str!("packs/denial.json")),
    ("medical", include_str!("packs/medical.json")),
    ("pharmacy", include_str!("packs/pharmacy.json")),
];

/// The built-in pack called `name` (`denial`, `medical` or `pharmacy`).
pub fn builtin_pack(name: &str) -> Result<RulePack, PackError> {
    match BUILTIN_PACKS.iter().find(|(pack, _)| *pack == name) {
        Some((_, json)) => RulePack::from_json(json),
        None => Err(PackError::UnknownBuiltin {
            name: name.to_owned(),
            choices: BUILTIN_PACKS.iter().map(|(pack, _)| *pack).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// The built-in pack that fits `table` best: the one with the most rules whose columns the
/// table has (ties go to the earlier of denial, medical, pharmacy), or `None` when no
/// built-in rule can run. Only column names are checked; nothing is evaluated.
pub fn suggested_pack(table: &ClaimsTable) -> Option<RulePack> {
    let mut best: Option<(usize, RulePack)> = None;
    for (name, _) in BUILTIN_PACKS {
        let Ok(pack) = builtin_pack(name) else { continue };
        let runnable = pack
            .rules
            .iter()
            .filter(|rule| rule.parsed_condition().is_ok_and(|condition| condition.missing_columns(table).is_empty()))
            .count();
        if runnable > 0 && best.as_ref().is_none_or(|(most, _)| runnable > *most) {
            best = Some((runnable, pack));
        }
    }
    best.map(|(_, pack)| pack)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::features::add_features;
    use crate::claims::synth::{generate, Scenario, SynthOptions};

    #[test]
    fn each_scenario_suggests_its_own_pack() {
        for (scenario, expected) in
            [(Scenario::Denial, "denial"), (Scenario::Medical, "medical"), (Scenario::Pharmacy, "pharmacy")]
        {
            let raw = generate(scenario, &SynthOptions { n_rows: 300, seed: 3, fraud_rate: 0.05 }).unwrap();
            let (table, _) = add_features(&raw).unwrap();
            let pack = suggested_pack(&table).unwrap();
            assert_eq!(pack.name, expected, "{scenario}");
        }
        assert!(suggested_pack(&ClaimsTable::new()).is_none());
    }
}
