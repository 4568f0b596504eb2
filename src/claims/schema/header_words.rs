//! Headers understood by their words, not looked up: `Rendering Provider NPI`,
//! `ICD9_DGNS_CD_3`, `LINE_ALOWD_CHRG_AMT_7` and `CLP04 Claim Payment Amount` are read as
//! words (abbreviations spelled out, record numbers and X12 element ids set aside) and
//! matched to the canonical column whose vocabulary explains every word.
//!
//! A match needs each of the column's required word groups and no word the column cannot
//! explain; one unexplained word still matches, at lower confidence, and the schema report
//! flags it. Numbered families (`Dx 1..12`, `HCPCS_CD_1..13`) match member by member; the
//! caller gives the canonical name to the lowest-numbered one.

use super::name_words::name_words;
use super::names::*;
use super::synonyms::{compact_header, synonyms_of};
use super::CANONICAL_COLUMNS;

/// A header read as a canonical column.
#[derive(Debug, Clone, PartialEq)]
pub struct WordMatch {
    /// The canonical column.
    pub canonical: &'static str,
    /// 1.0 when every word is explained, 0.6 with one word the column cannot explain.
    pub confidence: f32,
    /// The member number of a numbered family (`ICD9_DGNS_CD_3` is 3), if any.
    pub family_index: Option<u32>,
    /// The words the match read, spelled out ("rendering provider npi").
    pub words: String,
}

/// Below this confidence a match is flagged for the user to confirm.
pub const CONFIDENT: f32 = 0.9;

/// How a header was read.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderReading {
    /// The canonical column.
    pub canonical: &'static str,
    /// 1.0 for a canonical name, a listed synonym or words all explained; less when not.
    pub confidence: f32,
    /// The member number of a numbered family, if any.
    pub family_index: Option<u32>,
    /// How: "canonical name", "synonym PATIENT_ID" or "words: rendering provider npi".
    pub how: String,
}

/// Reads one header: its canonical name or a listed synonym exactly (compared in compact
/// form), else by its words ([`match_by_words`]).
pub fn read_header(header: &str) -> Option<HeaderReading> {
    let compact = compact_header(header);
    for column in &CANONICAL_COLUMNS {
        if compact_header(column.name) == compact {
            return Some(HeaderReading {
                canonical: column.name,
                confidence: 1.0,
                family_index: None,
                how: "canonical name".into(),
            });
        }
        if let Some(synonym) = synonyms_of(column.name).iter().find(|synonym| compact_header(synonym) == compact) {
            let how = format!("synonym {synonym}");
            return Some(HeaderReading { canonical: column.name, confidence: 1.0, family_index: None, how });
        }
    }
    match_by_words(header).map(|found| HeaderReading {
        canonical: found.canonical,
        confidence: found.confidence,
        family_index: found.family_index,
        how: format!("words: {}", found.words),
    })
}

/// Reads `header` by its words. `None` when no canonical column explains it.
pub fn match_by_words(header: &str) -> Option<WordMatch> {
    let (words, family_index) = header_words(header);
    if words.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    for (rule_idx, rule) in RULES.iter().enumerate() {
        let Some(unexplained) = rule.unexplained(&words) else { continue };
        if unexplained <= 1 && best.is_none_or(|(_, fewest)| unexplained < fewest) {
            best = Some((rule_idx, unexplained));
        }
    }
    let (rule_idx, unexplained) = best?;
    let rule = RULES.get(rule_idx)?;
    Some(WordMatch {
        canonical: rule.canonical,
        confidence: if unexplained == 0 { 1.0 } else { 0.6 },
        family_index,
        words: words.join(" "),
    })
}

/// The header's words, spelled out, with a trailing member number (and a leading X12
/// element id such as `CLP04` or `SV101`) set aside.
fn header_words(header: &str) -> (Vec<&'static str>, Option<u32>) {
    let mut named = name_words(header);
    // A leading X12 element id: two or three letters and two or three digits ("clp04", "sv101",
    // "clm05" of "CLM05-1", whose "1" goes too).
    if named.len() > 1 && named.first().is_some_and(|w| is_element_id(w)) {
        named.remove(0);
        if named.first().is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit())) {
            named.remove(0);
        }
    }
    let mut raw: Vec<String> = Vec::new();
    for word in named {
        raw.extend(split_digits(&word));
    }
    // "1ST" splits as "1" and "st"; it is one word.
    while let Some(at) = raw.windows(2).position(|pair| pair[0] == "1" && pair[1] == "st") {
        raw.splice(at..at + 2, ["1st".to_owned()]);
    }
    let mut family_index = None;
    let mut words = Vec::new();
    for (idx, word) in raw.iter().enumerate() {
        if word.len() == 1 && !word.bytes().all(|b| b.is_ascii_digit()) {
            continue; // "Submitter's" leaves an "s"; "FraudFound_P" a "p".
        }
        if word.bytes().all(|b| b.is_ascii_digit()) {
            // A number after the first word is a family member's index (Dx 1, CD 10, DIAGNOSIS4).
            if idx > 0 {
                family_index = family_index.or_else(|| word.parse().ok());
            }
            continue;
        }
        words.extend(spell_out(word).into_iter().filter(|word| *word != FILLER));
    }
    (words, family_index)
}

/// "icd9" stays whole (a known word); "cd1" is "cd" and "1"; "diagnosis4" is "diagnosis" and "4".
fn split_digits(word: &str) -> Vec<String> {
    if ["icd9", "icd10", "1st"].contains(&word) {
        return vec![word.to_owned()];
    }
    let split =
        word.find(|c: char| c.is_ascii_digit()).filter(|&at| at > 0 && word[at..].bytes().all(|b| b.is_ascii_digit()));
    match split {
        Some(at) => vec![word[..at].to_owned(), word[at..].to_owned()],
        None => vec![word.to_owned()],
    }
}

fn is_element_id(word: &str) -> bool {
    if word.starts_with("icd") {
        return false;
    }
    let letters = word.bytes().take_while(u8::is_ascii_alphabetic).count();
    let digits = word.len() - letters;
    (2..=3).contains(&letters) && (2..=3).contains(&digits) && word.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

/// Words that say nothing about which column it is ("or", "the").
const FILLER: &str = "";
/// Words that qualify a column without changing which it is: the source system (NCH, FI),
/// an average, Medicare, "covered", "generic", "current"; every rule explains them.
const QUALIFIER: &str = "qualifier";

/// What each known word means in the vocabulary: abbreviations spelled out, a few compounds
/// split (`dos` is date and service). A table rather than a `match`, which would compile to far
/// more code than these bytes of data.
const SPELLINGS: &[(&[&str], &[&str])] = &[
    (&["of", "or", "and", "the", "for", "per"], &[FILLER]),
    (
        &[
            "nch",
            "fi",
            "doc",
            "cur",
            "current",
            "avg",
            "average",
            "mdcr",
            "medicare",
            "cvrd",
            "covered",
            "gnrc",
            "generic",
            "instnl",
            "institutional",
            "hic",
            "mbi",
            "hicn",
        ],
        &[QUALIFIER],
    ),
    (&["amt", "amount", "amounts"], &["amount"]),
    (&["dt", "date"], &["date"]),
    (&["dos"], &["date", "service"]),
    (&["svc", "srvc", "service", "services"], &["service"]),
    (&["proc", "prcdr", "procedure"], &["procedure"]),
    (&["dx", "dgns", "diag", "diagnosis", "diagnoses"], &["diagnosis"]),
    (&["cd", "code", "cde"], &["code"]),
    (
        &[
            "mbr",
            "member",
            "bene",
            "beneficiary",
            "subscriber",
            "insured",
            "cardholder",
            "enrollee",
            "desynpuf",
            "patient",
            "ptnt",
            "pat",
            "pt",
        ],
        &["member"],
    ),
    (&["prvdr", "prov", "provider", "providers"], &["provider"]),
    (&["physn", "phys", "physician", "prescriber", "prscrbr", "prsbng", "doctor"], &["physician"]),
    (
        &[
            "rndrg",
            "rndrng",
            "rendering",
            "atndg",
            "attending",
            "oprtg",
            "operating",
            "prf",
            "performing",
            "blg",
            "billing",
            "payto",
            "referring",
            "op",
            "org",
            "organization",
            "fac",
            "facility",
        ],
        &["role"],
    ),
    (&["id", "identifier", "ident", "num", "number", "no", "nbr", "key", "uniq", "unique"], &["id"]),
    (&["npi"], &["npi"]),
    (&["clm", "claim", "claims", "carr", "pde"], &["claim"]),
    (&["cntl", "control", "reference", "ref", "icn", "dcn", "tcn"], &["control"]),
    (&["ndc"], &["ndc"]),
    (&["pos"], &["place", "service"]),
    (&["place"], &["place"]),
    (&["hcpcs", "cpt"], &["hcpcs"]),
    (&["icd", "icd9", "icd10"], &["icd"]),
    (
        &["admtg", "admtng", "admit", "admitting", "principal", "prncpal", "prncpl", "primary", "prmry", "princ"],
        &["principal"],
    ),
    (&["chrg", "charge", "charges", "chg"], &["charge"]),
    (&["sbmtd", "submitted", "billed", "bill", "gross"], &["billed"]),
    (&["tot", "total"], &["total"]),
    (&["alowd", "allowed", "allow", "repriced"], &["allowed"]),
    (&["pmt", "pymt", "payment", "paid", "pd", "reimbursed", "reimb", "pay", "insc", "ins"], &["paid"]),
    (&["line", "item", "rev", "cntr", "center"], &["line"]),
    (&["qty", "quantity", "dspnsd", "dispensed"], &["quantity"]),
    (&["supply", "suply", "supp"], &["supply"]),
    (&["days", "day"], &["days"]),
    (&["unit", "units", "cnt", "count"], &["units"]),
    (&["sex", "gender"], &["sex"]),
    (&["age"], &["age"]),
    (&["state", "province", "usps", "fips", "geo", "sp", "address"], &["state"]),
    (&["spclty", "specialty", "speciality", "taxonomy", "type", "typ"], &["kind"]),
    (&["reject", "rejection", "rjct"], &["reject"]),
    (&["copay", "copayment"], &["member", "paid"]),
    (&["responsibility", "rspnsblty", "oop", "pocket", "out"], &["share"]),
    (&["filing", "indicator", "payer", "plan"], &["payer"]),
    (&["prescription", "rx"], &["rx"]),
    (&["from", "start", "1st", "expns", "fill", "filled", "dispense"], &["from"]),
    (&["product", "prod", "drug", "national", "universal"], &["drug"]),
    (&["pharmacy", "pharm", "ncpdp", "nabp"], &["pharmacy"]),
];

/// One word as the vocabulary's words ([`SPELLINGS`]), or itself when a rule allows it as is.
fn spell_out(word: &str) -> Vec<&'static str> {
    match SPELLINGS.iter().find(|(forms, _)| forms.contains(&word)) {
        Some((_, meaning)) => meaning.to_vec(),
        None => vec![leak(word)],
    }
}

/// Words some rule allows as they are; any other word is "?" (unexplained by every rule).
fn leak(word: &str) -> &'static str {
    const KEPT: [&str; 8] = ["at", "end", "yr", "upc", "due", "benefit", "submitter", "other"];
    KEPT.iter().find(|kept| **kept == word).copied().unwrap_or("?")
}

/// A canonical column's vocabulary: every group in `required` must have a word in the
/// header; the header's other words must be in `allowed` (or a required group).
struct Rule {
    canonical: &'static str,
    required: &'static [&'static [&'static str]],
    allowed: &'static [&'static str],
}

impl Rule {
    /// How many of `words` this rule cannot explain, or `None` if a required group is absent.
    fn unexplained(&self, words: &[&'static str]) -> Option<usize> {
        if !self.required.iter().all(|group| group.iter().any(|word| words.contains(word))) {
            return None;
        }
        let explains = |word: &&str| {
            *word == QUALIFIER || self.allowed.contains(word) || self.required.iter().any(|group| group.contains(word))
        };
        Some(words.iter().filter(|word| !explains(word)).count())
    }
}

const RULES: &[Rule] = &[
    Rule {
        canonical: CLAIM_ID,
        required: &[&["claim"], &["id", "control"]],
        allowed: &["member", "line", "paid", "code", "submitter"],
    },
    Rule {
        canonical: CLAIM_ID,
        required: &[&["control", "claim"], &["id", "control"]],
        allowed: &["member", "payer", "rx", "service", "submitter"],
    },
    Rule { canonical: SERVICE_DATE, required: &[&["date"]], allowed: &["service", "from", "line", "claim"] },
    Rule { canonical: MEMBER_ID, required: &[&["member"], &["id"]], allowed: &["claim", "principal", "code"] },
    Rule { canonical: MEMBER_AGE, required: &[&["age"]], allowed: &["member", "at", "end", "control", "yr"] },
    Rule { canonical: MEMBER_GENDER, required: &[&["sex"]], allowed: &["member", "code", "id"] },
    Rule { canonical: MEMBER_STATE, required: &[&["state"]], allowed: &["member", "code"] },
    Rule {
        canonical: PROVIDER_ID,
        required: &[&["provider", "physician", "npi"]],
        allowed: &["role", "id", "npi", "claim", "line", "principal", "at"],
    },
    Rule {
        canonical: PROVIDER_SPECIALTY,
        required: &[&["kind"], &["provider", "physician", "role"]],
        allowed: &["code", "claim"],
    },
    Rule { canonical: PHARMACY_ID, required: &[&["pharmacy"]], allowed: &["id", "npi", "provider"] },
    Rule { canonical: PHARMACY_ID, required: &[&["service"], &["provider"], &["id"]], allowed: &["claim"] },
    Rule {
        canonical: PROCEDURE_CODE,
        required: &[&["procedure", "hcpcs"]],
        allowed: &["code", "line", "claim", "icd", "principal"],
    },
    Rule {
        canonical: DIAGNOSIS_CODE,
        required: &[&["diagnosis"]],
        allowed: &["code", "line", "claim", "icd", "principal", "charge"],
    },
    Rule { canonical: PLACE_OF_SERVICE, required: &[&["place"], &["service"]], allowed: &["code", "line", "claim"] },
    Rule { canonical: BILLING_TYPE, required: &[&["claim"], &["kind"]], allowed: &["code", "id"] },
    Rule { canonical: NDC, required: &[&["ndc"]], allowed: &["code", "line", "claim", "drug"] },
    Rule { canonical: NDC, required: &[&["drug"], &["code", "id"]], allowed: &["service", "upc"] },
    Rule { canonical: PAYER_TYPE, required: &[&["payer"]], allowed: &["claim", "code", "kind"] },
    Rule { canonical: REJECT_CODE, required: &[&["reject"]], allowed: &["code", "payer", "other"] },
    Rule {
        canonical: BILLED_AMOUNT,
        required: &[&["billed", "charge"]],
        allowed: &["amount", "total", "claim", "line", "due"],
    },
    Rule {
        canonical: ALLOWED_AMOUNT,
        required: &[&["allowed"]],
        allowed: &["amount", "charge", "claim", "line", "total"],
    },
    Rule {
        canonical: PAID_AMOUNT,
        required: &[&["paid"]],
        allowed: &["amount", "claim", "line", "provider", "total", "role", "payer"],
    },
    Rule { canonical: UNITS, required: &[&["units"]], allowed: &["service", "line", "paid", "claim"] },
    Rule { canonical: QUANTITY, required: &[&["quantity"]], allowed: &["drug", "units", "rx", "id"] },
    Rule { canonical: QUANTITY, required: &[&["drug"], &["units"]], allowed: &[] },
    Rule {
        canonical: DAYS_SUPPLY,
        required: &[&["days"], &["supply"]],
        allowed: &["id", "quantity", "rx", "claim", "line"],
    },
    Rule { canonical: OUT_OF_POCKET, required: &[&["share"]], allowed: &["member", "amount", "paid", "line"] },
    Rule { canonical: OUT_OF_POCKET, required: &[&["member"], &["paid"]], allowed: &["amount", "share", "billed"] },
    Rule { canonical: BENEFIT_AMOUNT, required: &[&["benefit"]], allowed: &["amount", "paid"] },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical_of(header: &str) -> Option<&'static str> {
        match_by_words(header).map(|found| found.canonical)
    }

    #[test]
    fn words_are_spelled_out_and_numbers_set_aside() {
        assert_eq!(header_words("ICD9_DGNS_CD_3"), (vec!["icd", "diagnosis", "code"], Some(3)));
        assert_eq!(header_words("CLP04 Claim Payment Amount"), (vec!["claim", "paid", "amount"], None));
        assert_eq!(header_words("DIAGNOSIS4"), (vec!["diagnosis"], Some(4)));
        assert_eq!(header_words("ICD_DGNS_CD12"), (vec!["icd", "diagnosis", "code"], Some(12)));
    }

    #[test]
    fn common_vendor_headers_are_understood() {
        for (header, canonical) in [
            ("Rendering Provider NPI", PROVIDER_ID),
            ("ICD10 Dx 1", DIAGNOSIS_CODE),
            ("Billed Amt", BILLED_AMOUNT),
            ("Svc Date", SERVICE_DATE),
            ("Mbr ID", MEMBER_ID),
            ("Days Supply", DAYS_SUPPLY),
            ("Place of Service", PLACE_OF_SERVICE),
        ] {
            assert_eq!(canonical_of(header), Some(canonical), "{header}");
        }
        for other in [
            "policy_state",
            "incident_severity",
            "diagnosis_match",
            "claim_amount_ratio",
            "total_claim_amount",
            "witnesses",
        ] {
            let found = match_by_words(other);
            assert!(found.as_ref().is_none_or(|f| f.confidence < CONFIDENT), "{other}: {found:?}");
        }
    }
}
