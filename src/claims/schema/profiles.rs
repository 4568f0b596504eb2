//! Vendor profiles: presets of the raw header names a known vendor format uses.
//!
//! A profile's names are tried before the general synonyms, so a file in a known format
//! maps the way its vendor means it even where a general synonym would say otherwise.
//! `auto` picks the profile whose names match most headers; `unknown` uses synonyms only.

use super::names::*;

/// A known vendor file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorProfile {
    /// The name users pass with `--profile`.
    pub name: &'static str,
    /// What the format is.
    pub description: &'static str,
    /// Canonical column → the raw headers this vendor uses for it, most likely first.
    pub headers: &'static [(&'static str, &'static [&'static str])],
}

impl VendorProfile {
    /// The profile called `name` (case-insensitive), if there is one.
    pub fn named(name: &str) -> Option<&'static VendorProfile> {
        VENDOR_PROFILES.iter().find(|profile| profile.name.eq_ignore_ascii_case(name))
    }

    /// The raw headers this profile expects for canonical column `canonical`.
    pub fn headers_for(&self, canonical: &str) -> &'static [&'static str] {
        self.headers.iter().find(|(name, _)| *name == canonical).map_or(&[], |(_, headers)| headers)
    }

    /// Every profile name, for help texts and error messages.
    pub fn names() -> Vec<&'static str> {
        VENDOR_PROFILES.iter().map(|profile| profile.name).collect()
    }
}

/// The known profiles. `auto` and `unknown` carry no headers of their own.
pub const VENDOR_PROFILES: [VendorProfile; 6] = [
    VendorProfile { name: "auto", description: "Scan the header and use the best-matching profile", headers: &[] },
    VendorProfile {
        name: "generic_csv",
        description: "Lower-case canonical names, as ClaimForest writes them",
        headers: &[],
    },
    VendorProfile {
        name: "gsk_iqvia",
        description: "IQVIA-style copay transactions (IQVIA_PATIENT_ID, IQVIA_PRESCRIBER_ID, ...)",
        headers: &[
            (CLAIM_ID, &["IQVIA_CLAIM_ID", "CLAIM_NUMBER"]),
            (MEMBER_ID, &["IQVIA_PATIENT_ID"]),
            (PROVIDER_ID, &["IQVIA_PRESCRIBER_ID"]),
            (PROVIDER_SPECIALTY, &["PRESCRIBER_SPECIALTY"]),
            (PHARMACY_ID, &["PHARMACY_NABP_NUMBER"]),
            (SERVICE_DATE, &["FILL_DATE", "DATE_FILLED"]),
            (NDC, &["NDC", "DRUG_NDC"]),
            (BENEFIT_AMOUNT, &["PROGRAM_BENEFIT", "BENEFIT_AMOUNT"]),
            (OUT_OF_POCKET, &["COPAY_AFTER_BENEFIT"]),
            (BILLED_AMOUNT, &["USUAL_AND_CUSTOMARY"]),
            (REJECT_CODE, &["REJECT_CODE"]),
            (PAYER_TYPE, &["PLAN_TYPE"]),
        ],
    },
    VendorProfile {
        name: "cms_dmr",
        description: "CMS claim extracts (DESY_SORT_KEY, CLM_FROM_DT, PRF_PHYSN_NPI, ...)",
        headers: &[
            (CLAIM_ID, &["CLM_ID"]),
            (MEMBER_ID, &["DESY_SORT_KEY", "BENE_ID"]),
            (SERVICE_DATE, &["CLM_FROM_DT"]),
            (PROVIDER_ID, &["PRF_PHYSN_NPI"]),
            (PROVIDER_SPECIALTY, &["PRVDR_SPCLTY"]),
            (PROCEDURE_CODE, &["HCPCS_CD"]),
            (DIAGNOSIS_CODE, &["ICD9_DGNS_CD_1", "LINE_ICD_DGNS_CD"]),
            (PLACE_OF_SERVICE, &["LINE_PLACE_OF_SRVC_CD"]),
            (BILLED_AMOUNT, &["LINE_SBMTD_CHRG_AMT"]),
            (ALLOWED_AMOUNT, &["LINE_ALOWD_CHRG_AMT"]),
            (PAID_AMOUNT, &["LINE_NCH_PMT_AMT", "CLM_PMT_AMT"]),
            (UNITS, &["LINE_SRVC_CNT"]),
            (MEMBER_GENDER, &["BENE_SEX_IDENT_CD"]),
        ],
    },
    VendorProfile {
        name: "elaad_apld",
        description: "ELAAD/APLD copay files (MEMBER_ID, HCP_ID, PHARMACY_ID, ...)",
        headers: &[
            (MEMBER_ID, &["MEMBER_ID", "PATIENT_ID"]),
            (PROVIDER_ID, &["HCP_ID", "HCP_NPI"]),
            (PROVIDER_SPECIALTY, &["HCP_SPECIALTY"]),
            (PHARMACY_ID, &["PHARMACY_ID", "NCPDP_ID"]),
            (SERVICE_DATE, &["DATE_OF_SERVICE", "FILL_DATE"]),
            (CLAIM_ID, &["CLAIM_NUMBER", "TRANSACTION_ID"]),
            (OUT_OF_POCKET, &["OOP_COST", "PATIENT_PAY"]),
            (BENEFIT_AMOUNT, &["BENEFIT_AMOUNT", "COPAY_BENEFIT"]),
            (PAYER_TYPE, &["INSURANCE_TYPE"]),
        ],
    },
    VendorProfile { name: "unknown", description: "No preconceptions: synonyms only", headers: &[] },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::schema::{canonical_column, compact_header, synonyms_of};

    #[test]
    fn profiles_are_found_by_name_and_name_canonical_columns() {
        assert_eq!(VendorProfile::named("GSK_IQVIA").map(|p| p.name), Some("gsk_iqvia"));
        assert!(VendorProfile::named("acme").is_none());
        for profile in VENDOR_PROFILES {
            for (canonical, headers) in profile.headers {
                assert!(canonical_column(canonical).is_some(), "{} names {canonical}", profile.name);
                for header in *headers {
                    let known = synonyms_of(canonical).iter().any(|s| compact_header(s) == compact_header(header));
                    assert!(known, "{}: {header} should also be a synonym of {canonical}", profile.name);
                }
            }
        }
    }
}
