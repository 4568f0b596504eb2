//! Header synonyms: the raw names vendors use for each canonical column, and header
//! normalisation (case, spaces, underscores and punctuation).
//!
//! Lists are in order of preference: when two headers of one file match the same canonical
//! column, the one earlier in its list wins. Matching compares [`compact_header`] forms, so
//! `PATIENT_ID`, `Patient ID`, `patient-id` and `PATIENTID` are one name.

use super::names::*;

/// Whether a header character is part of a word: an ASCII letter or digit, or any non-ASCII
/// character (kept as it is). Case is folded for ASCII only: the Unicode case and letter
/// tables would add several KB to the page download, and no synonym has a non-ASCII letter.
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii()
}

/// The header in normal form: upper case, every run of non-alphanumerics one space, trimmed.
/// `" Patient_ID# "` becomes `"PATIENT ID"`.
pub fn normalize_header(header: &str) -> String {
    let mut normal = String::with_capacity(header.len());
    let mut pending_space = false;
    for c in header.chars() {
        if is_word_char(c) {
            if pending_space && !normal.is_empty() {
                normal.push(' ');
            }
            pending_space = false;
            normal.push(c.to_ascii_uppercase());
        } else {
            pending_space = true;
        }
    }
    normal
}

/// The header with only its letters and digits, upper case: the form synonyms are matched
/// in. `"Pat. ID"` and `"PATID"` are both `"PATID"`.
pub fn compact_header(header: &str) -> String {
    header.chars().filter(|&c| is_word_char(c)).map(|c| c.to_ascii_uppercase()).collect()
}

/// The synonyms of canonical column `name`, most preferred first (the canonical name itself
/// is always accepted and need not be listed). Empty for names that are not canonical.
pub fn synonyms_of(name: &str) -> &'static [&'static str] {
    SYNONYMS.iter().find(|(canonical, _)| *canonical == name).map_or(&[], |(_, list)| list)
}

const SYNONYMS: [(&str, &[&str]); 29] = [
    (
        CLAIM_ID,
        &[
            "CLAIM_ID",
            "CLAIM_NUMBER",
            "CLAIM_NUM",
            "CLAIM_NO",
            "CLAIMID",
            "CLM_ID",
            "CLM_NUM",
            "CLAIM_KEY",
            "TRANSACTION_ID",
            "TRANS_ID",
            "TXN_ID",
            "RX_CLAIM_ID",
            "RX_CLAIM_NUMBER",
            "CLAIM_REFERENCE",
            "CLAIM_CONTROL_NUMBER",
            "ICN",
            "DCN",
            "CLAIM_LINE_ID",
            "RECORD_ID",
            "IQVIA_CLAIM_ID",
        ],
    ),
    (
        SERVICE_DATE,
        &[
            "SERVICE_DATE",
            "DATE_OF_SERVICE",
            "DOS",
            "SVC_DATE",
            "SVC_DT",
            "SERVICE_DT",
            "FROM_DATE",
            "SERVICE_FROM_DATE",
            "CLM_FROM_DT",
            "FILL_DATE",
            "FILL_DT",
            "DATE_FILLED",
            "RX_FILL_DATE",
            "DISPENSE_DATE",
            "DISPENSED_DATE",
            "DATE_OF_FILL",
            "TRANSACTION_DATE",
            "TRANS_DATE",
            "TXN_DATE",
            "CLAIM_DATE",
            "CLAIM_DT",
            "PROCESS_DATE",
            "ADJUDICATION_DATE",
        ],
    ),
    (
        MEMBER_ID,
        &[
            "MEMBER_ID",
            "PATIENT_ID",
            "IQVIA_PATIENT_ID",
            "PAT_ID",
            "PATIENT_KEY",
            "PATIENT_NUMBER",
            "PT_ID",
            "MBR_ID",
            "MEMBER_NUMBER",
            "MEMBER_KEY",
            "MEMBER_NO",
            "SUBSCRIBER_ID",
            "SUB_ID",
            "ENROLLEE_ID",
            "BENEFICIARY_ID",
            "BENE_ID",
            "DESY_SORT_KEY",
            "INSURED_ID",
            "CARDHOLDER_ID",
            "CARD_ID",
            "PERSON_ID",
            "PATIENT",
        ],
    ),
    (
        MEMBER_AGE,
        &["MEMBER_AGE", "PATIENT_AGE", "PAT_AGE", "MBR_AGE", "AGE_AT_SERVICE", "AGE_YEARS", "BENE_AGE", "AGE_YRS"],
    ),
    (
        MEMBER_GENDER,
        &[
            "MEMBER_GENDER",
            "PATIENT_GENDER",
            "GENDER",
            "SEX",
            "PATIENT_SEX",
            "MEMBER_SEX",
            "PAT_GENDER",
            "MBR_GENDER",
            "GENDER_CD",
            "SEX_CD",
            "BENE_SEX_IDENT_CD",
        ],
    ),
    (
        MEMBER_STATE,
        &[
            "MEMBER_STATE",
            "PATIENT_STATE",
            "PAT_STATE",
            "MBR_STATE",
            "PATIENT_ST",
            "MEMBER_ST",
            "STATE_OF_RESIDENCE",
            "BENE_STATE",
            "PATIENT_STATE_CODE",
            "SUBSCRIBER_STATE",
        ],
    ),
    (
        PROVIDER_ID,
        &[
            "PROVIDER_ID",
            "PRESCRIBER_ID",
            "IQVIA_PRESCRIBER_ID",
            "PRESCRIBER_NPI",
            "HCP_ID",
            "HCP_NPI",
            "DOCTOR_ID",
            "PHYSICIAN_ID",
            "PRESCRIBER",
            "PRESCRIBER_KEY",
            "PROV_ID",
            "PROVIDER_NPI",
            "BILLING_PROVIDER_ID",
            "BILLING_NPI",
            "BILLING_PROVIDER_NPI",
            "RENDERING_PROVIDER_ID",
            "RENDERING_NPI",
            "PRF_PHYSN_NPI",
            "NPI",
            "PROVIDER",
            "PRESCRIBER_NUMBER",
        ],
    ),
    (
        PROVIDER_SPECIALTY,
        &[
            "PROVIDER_SPECIALTY",
            "PRESCRIBER_SPECIALTY",
            "HCP_SPECIALTY",
            "SPECIALTY",
            "SPECIALTY_DESC",
            "PROVIDER_TYPE_DESC",
            "PRESCRIBER_SPECIALTY_DESC",
            "PRVDR_SPCLTY",
            "PROV_SPECIALTY",
            "SPECIALTY_CODE",
            "TAXONOMY",
            "PROVIDER_TAXONOMY",
        ],
    ),
    (
        PHARMACY_ID,
        &[
            "PHARMACY_ID",
            "PHARMACY_NABP_NUMBER",
            "PHARMACY_NABP",
            "NABP",
            "NABP_NUMBER",
            "NCPDP_ID",
            "NCPDP",
            "PHARMACY_NPI",
            "PHARMACY_NUMBER",
            "PHARMACY_KEY",
            "PHARM_ID",
            "PHARMACY",
            "STORE_ID",
            "STORE_NUMBER",
            "DISPENSER_ID",
            "SERVICE_PROVIDER_ID",
        ],
    ),
    (
        PHARMACY_STATE,
        &["PHARMACY_STATE", "PHARMACY_ST", "PHARM_STATE", "STORE_STATE", "DISPENSER_STATE", "PHARMACY_STATE_CODE"],
    ),
    (
        PHARMACY_ACTIVE,
        &[
            "PHARMACY_ACTIVE",
            "PHARMACY_ACTIVE_FLAG",
            "PHARMACY_STATUS",
            "PHARM_ACTIVE",
            "STORE_ACTIVE",
            "ACTIVE_FLAG",
            "PHARMACY_IS_ACTIVE",
        ],
    ),
    (
        PROCEDURE_CODE,
        &[
            "PROCEDURE_CODE",
            "PROC_CODE",
            "PROC_CD",
            "CPT",
            "CPT_CODE",
            "CPT_CD",
            "HCPCS",
            "HCPCS_CODE",
            "HCPCS_CD",
            "SERVICE_CODE",
            "SVC_CODE",
            "PROCEDURE",
            "LINE_PROCEDURE_CODE",
        ],
    ),
    (
        DIAGNOSIS_CODE,
        &[
            "DIAGNOSIS_CODE",
            "DIAG_CODE",
            "DIAG_CD",
            "DX",
            "DX_CODE",
            "DX_CD",
            "ICD10",
            "ICD_10",
            "ICD10_CODE",
            "ICD_CODE",
            "PRINCIPAL_DIAGNOSIS",
            "PRIMARY_DIAGNOSIS",
            "PRIMARY_DX",
            "DIAGNOSIS",
            "ICD9_DGNS_CD_1",
            "LINE_ICD_DGNS_CD",
        ],
    ),
    (
        PLACE_OF_SERVICE,
        &[
            "PLACE_OF_SERVICE",
            "POS",
            "POS_CODE",
            "POS_CD",
            "PLACE_OF_SERVICE_CODE",
            "PLACE_OF_SVC",
            "LINE_PLACE_OF_SRVC_CD",
        ],
    ),
    (BILLING_TYPE, &["BILLING_TYPE", "BILL_TYPE", "CLAIM_TYPE", "CLM_TYPE", "TYPE_OF_BILL", "TOB", "FORM_TYPE"]),
    (
        NDC,
        &[
            "NDC",
            "DRUG_NDC",
            "NDC_CODE",
            "NDC11",
            "NDC_11",
            "NATIONAL_DRUG_CODE",
            "PRODUCT_NDC",
            "PROD_SRVC_ID",
            "PRODUCT_SERVICE_ID",
            "DRUG_CODE",
        ],
    ),
    (
        PAYER_TYPE,
        &[
            "PAYER_TYPE",
            "INSURANCE_TYPE",
            "PLAN_TYPE",
            "PAYER_CHANNEL",
            "COVERAGE_TYPE",
            "PAY_TYPE",
            "PAYMENT_TYPE",
            "PRIMARY_PAYER_TYPE",
            "LINE_OF_BUSINESS",
            "LOB",
            "PAYER_CATEGORY",
        ],
    ),
    (
        REJECT_CODE,
        &[
            "REJECT_CODE",
            "REJECTION_CODE",
            "REJECT_CD",
            "REJ_CODE",
            "DENIAL_CD",
            "DENIAL_CODE",
            "REJECT_REASON_CODE",
            "NCPDP_REJECT_CODE",
            "REJECT_CODE_1",
        ],
    ),
    (
        PAPER_SUBMISSION,
        &["PAPER_SUBMISSION", "PAPER_CLAIM", "PAPER_FLAG", "IS_PAPER", "PAPER_SUBMISSION_FLAG", "MANUAL_CLAIM"],
    ),
    (
        BILLED_AMOUNT,
        &[
            "BILLED_AMOUNT",
            "BILLED_AMT",
            "CHARGE_AMOUNT",
            "CHARGE_AMT",
            "CHARGES",
            "SUBMITTED_CHARGE",
            "SUBMITTED_AMOUNT",
            "LINE_SBMTD_CHRG_AMT",
            "TOTAL_CHARGE",
            "USUAL_AND_CUSTOMARY",
            "USUAL_CUSTOMARY",
        ],
    ),
    (
        ALLOWED_AMOUNT,
        &["ALLOWED_AMOUNT", "ALLOWED_AMT", "ALLOWED", "ALLOWED_CHARGE", "LINE_ALOWD_CHRG_AMT", "ALLOWABLE_AMOUNT"],
    ),
    (
        PAID_AMOUNT,
        &[
            "PAID_AMOUNT",
            "PAID_AMT",
            "PAID",
            "PAYMENT_AMOUNT",
            "PAYMENT_AMT",
            "NET_PAID",
            "PLAN_PAID",
            "LINE_NCH_PMT_AMT",
            "CLM_PMT_AMT",
            "AMOUNT_PAID",
        ],
    ),
    (UNITS, &["UNITS", "UNIT_COUNT", "SERVICE_UNITS", "SVC_UNITS", "UNITS_BILLED", "LINE_SRVC_CNT", "NUM_UNITS"]),
    (
        QUANTITY,
        &[
            "QUANTITY",
            "QTY",
            "QUANTITY_DISPENSED",
            "QTY_DISPENSED",
            "DISPENSED_QUANTITY",
            "METRIC_QUANTITY",
            "FILL_QTY",
        ],
    ),
    (DAYS_SUPPLY, &["DAYS_SUPPLY", "DAY_SUPPLY", "DAYS_SUPPLY_QTY", "DAYS_SUP", "DS", "SUPPLY_DAYS", "DAYSSUPPLY"]),
    (
        BENEFIT_AMOUNT,
        &[
            "BENEFIT_AMOUNT",
            "BENEFIT_AMT",
            "COPAY_BENEFIT",
            "PROGRAM_BENEFIT",
            "PROGRAM_PAID",
            "MANUFACTURER_PAID",
            "COPAY_CARD_BENEFIT",
            "BENEFIT",
            "SAVINGS_AMOUNT",
            "OFFER_AMOUNT",
        ],
    ),
    (
        OUT_OF_POCKET,
        &[
            "OUT_OF_POCKET",
            "OOP",
            "OOP_COST",
            "OOP_AMOUNT",
            "COPAY_AFTER_BENEFIT",
            "COPAY_AFTER",
            "PATIENT_PAY",
            "PATIENT_PAY_AMOUNT",
            "PATIENT_RESPONSIBILITY",
            "PATIENT_PAID",
            "FINAL_COPAY",
            "MEMBER_PAID",
        ],
    ),
    (
        IS_ANOMALY,
        &["IS_ANOMALY", "ANOMALY", "IS_FRAUD", "FRAUD", "FRAUD_FLAG", "IS_FRAUDULENT", "FRAUD_LABEL", "FWA_FLAG"],
    ),
    (ANOMALY_TYPE, &["ANOMALY_TYPE", "FRAUD_TYPE", "FRAUD_SCHEME", "SCHEME", "FWA_TYPE", "ANOMALY_REASON"]),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::schema::CANONICAL_COLUMNS;

    #[test]
    fn normal_and_compact_forms() {
        assert_eq!(normalize_header(" Patient_ID# "), "PATIENT ID");
        assert_eq!(normalize_header("pat.  id"), "PAT ID");
        // ASCII letters fold; any other character is kept as part of the word, as written.
        assert_eq!(normalize_header("Días_supply"), "DíAS SUPPLY");
        assert_eq!(compact_header("Días_supply"), "DíASSUPPLY");
        assert_eq!(compact_header("Pat. ID"), "PATID");
        assert_eq!(compact_header("PATIENT_ID"), compact_header("patient id"));
        assert_eq!(compact_header("___"), "");
    }

    #[test]
    fn every_canonical_column_has_synonyms_and_no_synonym_is_shared() {
        let mut seen = std::collections::HashMap::new();
        for column in CANONICAL_COLUMNS {
            let list = synonyms_of(column.name);
            assert!(!list.is_empty(), "{} has no synonyms", column.name);
            for synonym in list.iter().copied().chain([column.name]) {
                if let Some(previous) = seen.insert(compact_header(synonym), column.name) {
                    assert_eq!(previous, column.name, "{synonym} is claimed by {previous} and {}", column.name);
                }
            }
        }
        assert!(synonyms_of(MEMBER_ID).len() >= 20);
        assert!(synonyms_of("nonsense").is_empty());
    }
}
