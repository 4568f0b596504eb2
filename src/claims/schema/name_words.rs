//! What a column's name says about it when the schema does not know it: the words of a
//! header (`PotentialFraud` → potential, fraud; `insured_zip` → insured, zip), and whether
//! those words name a label or an identifier.

/// The lower-case words of a header: split at anything not a letter or digit, and where a
/// lower-case letter or digit meets an upper-case one (`FraudFound_P` → fraud, found, p).
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for ch in name.chars() {
        if !super::synonyms::is_word_char(ch) {
            previous_lower = false;
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        // ASCII case only: the word split is for Latin headers (`PotentialFraud`), and the
        // Unicode case tables would cost the page download more than they buy.
        if ch.is_ascii_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        word.push(ch.to_ascii_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Words that make a column a label: `fraud_reported`, `PotentialFraud`, `FraudFound_P`,
/// `is_fraud`, `fraud_flag`, `denied`, `is_anomaly`, `label`, `target`.
const LABEL_WORDS: [&str; 10] =
    ["fraud", "fraudulent", "denied", "denial", "anomaly", "anomalous", "label", "target", "chargeback", "sar"];

/// Words that make a column a decision whose values may say Denied or Fraud.
const DECISION_WORDS: [&str; 5] = ["status", "decision", "disposition", "outcome", "result"];

/// Whether the name reads like a label column.
pub fn looks_like_label_name(name: &str) -> bool {
    let words = name_words(name);
    words.iter().any(|word| LABEL_WORDS.contains(&word.as_str())) || words == ["y"]
}

/// Whether the name reads like a decision (a status column), which is a label when its
/// values say Denied, Paid, Fraud and the like.
pub fn looks_like_decision_name(name: &str) -> bool {
    name_words(name).iter().any(|word| DECISION_WORDS.contains(&word.as_str()))
}

/// Last words that make a column an identifier: `policy_number`, `claim_no`, `member_id`,
/// `Rendering Provider NPI`.
const IDENTIFIER_LAST_WORDS: [&str; 10] = ["id", "number", "num", "no", "nbr", "npi", "key", "uuid", "guid", "mrn"];
/// Words that make a column an identifier wherever they stand: `insured_zip`, `ZIP Code`.
const IDENTIFIER_WORDS: [&str; 7] = ["zip", "zipcode", "postal", "postcode", "ssn", "phone", "email"];

/// Whether the name reads like an identifier (or a near-identifier such as a zip code):
/// its last word is `id`, `number`, `no`, `npi`, ..., or any word is `zip`, `ssn`, `phone`.
/// Counts (`number_of_vehicles`) and codes (`procedure_code`) are not identifiers.
pub fn looks_like_identifier_name(name: &str) -> bool {
    let words = name_words(name);
    words.last().is_some_and(|last| IDENTIFIER_LAST_WORDS.contains(&last.as_str()))
        || words.iter().any(|word| IDENTIFIER_WORDS.contains(&word.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_into_words() {
        assert_eq!(name_words("PotentialFraud"), ["potential", "fraud"]);
        assert_eq!(name_words("FraudFound_P"), ["fraud", "found", "p"]);
        assert_eq!(name_words("Rendering Provider NPI"), ["rendering", "provider", "npi"]);
        assert_eq!(name_words("ClmDiagnosisCode_1"), ["clm", "diagnosis", "code", "1"]);
        assert_eq!(name_words("capital-gains"), ["capital", "gains"]);
        assert_eq!(name_words("_c39"), ["c39"]);
    }

    #[test]
    fn labels_and_identifiers_by_name() {
        for label in
            ["fraud_reported", "PotentialFraud", "FraudFound_P", "is_fraud", "fraud_flag", "denied", "is_denied", "y"]
        {
            assert!(looks_like_label_name(label), "{label}");
        }
        for other in ["policy_state", "age", "insured_hobbies", "total_claim_amount", "Days"] {
            assert!(!looks_like_label_name(other), "{other}");
        }
        assert!(looks_like_decision_name("claim_status") && looks_like_decision_name("Decision"));
        for id in ["policy_number", "insured_zip", "claim_no", "BeneID", "Rendering Provider NPI", "member_id"] {
            assert!(looks_like_identifier_name(id), "{id}");
        }
        for other in
            ["number_of_vehicles_involved", "procedure_code", "witnesses", "auto_year", "incident_hour_of_the_day"]
        {
            assert!(!looks_like_identifier_name(other), "{other}");
        }
    }
}
