//! The built-in rule packs, embedded from `packs/*.json`.

use super::pack::{PackError, RulePack};

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
