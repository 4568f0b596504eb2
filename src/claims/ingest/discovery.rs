//! Schema discovery: which header of a file is which canonical column, by vendor profile,
//! canonical name and synonyms, compared in compact form (case, spaces, underscores and
//! punctuation ignored).

use crate::claims::schema::{
    canonical_column, compact_header, is_word_char, known_role, match_by_words, synonyms_of, CanonicalColumn,
    VendorProfile, CANONICAL_COLUMNS, CONFIDENT,
};

use super::IngestError;
use crate::sorting::sort_stable_by;

/// How few of a profile's own headers must appear for `auto` to choose it.
pub const AUTO_PROFILE_MIN_HITS: usize = 2;

/// One header of the file and what it was matched to.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderMatch {
    /// The header as written.
    pub header: String,
    /// The canonical column, if any.
    pub canonical: Option<&'static CanonicalColumn>,
    /// How: "profile gsk_iqvia", "canonical name", "synonym PATIENT_ID", "words: rendering
    /// provider npi" or "--map".
    pub matched_by: Option<String>,
    /// A canonical column the header's words suggest without enough confidence to map it
    /// (one word unexplained, or the column already taken), for the user to confirm.
    pub suggested: Option<&'static CanonicalColumn>,
}

/// The outcome of discovery over one header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// The profile used (what `auto` chose).
    pub profile_used: &'static str,
    /// One match per header, in file order.
    pub matches: Vec<HeaderMatch>,
    /// Numbered families of headers read as one canonical column (`ICD10 Dx 1..12`,
    /// `ClmDiagnosisCode_1..10`), with at least two members each.
    pub families: Vec<Family>,
}

/// Headers that number the members of one canonical column: `Dx 1`, `Dx 2`, ...
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The canonical column they all read as.
    pub canonical: &'static str,
    /// Their positions in the header, lowest member number first.
    pub members: Vec<usize>,
}

impl Discovery {
    /// Canonical columns no header matched, in schema order.
    pub fn missing(&self) -> Vec<&'static CanonicalColumn> {
        CANONICAL_COLUMNS
            .iter()
            .filter(|column| !self.matches.iter().any(|m| m.canonical.is_some_and(|c| c.name == column.name)))
            .collect()
    }
}

/// Matches `headers` to canonical columns under `profile` (`auto`, `unknown` or a vendor
/// profile name). Each canonical column takes at most one header and each header at most
/// one column: the user's `mappings` (header = canonical name) first, then the profile's
/// names, the canonical name and synonyms in order, then headers read by their words
/// ([`match_by_words`]) with full confidence, the lowest-numbered member of a numbered
/// family first. A header the words suggest with less confidence is left unmapped and
/// carries the suggestion.
pub fn discover(headers: &[String], profile: &str, mappings: &[(String, String)]) -> Result<Discovery, IngestError> {
    let compact: Vec<String> = headers.iter().map(|header| compact_header(header)).collect();
    let profile = choose_profile(&compact, profile)?;
    let mut matches: Vec<HeaderMatch> = headers
        .iter()
        .map(|header| HeaderMatch { header: header.clone(), canonical: None, matched_by: None, suggested: None })
        .collect();
    // Headers the user mapped (or kept as they are, with an empty or "-" canonical name).
    let mut pinned = vec![false; headers.len()];
    for (header, canonical) in mappings {
        let position = headers
            .iter()
            .position(|h| h == header.trim())
            .ok_or_else(|| IngestError::MappedHeaderMissing { header: header.clone() })?;
        let column = match canonical.trim() {
            "" | "-" => None,
            name => Some(canonical_column(name).ok_or_else(|| IngestError::UnknownCanonical {
                name: canonical.clone(),
                known: CANONICAL_COLUMNS.iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
            })?),
        };
        if let (Some(slot), Some(pin)) = (matches.get_mut(position), pinned.get_mut(position)) {
            slot.canonical = column;
            slot.matched_by = Some(if column.is_some() { "--map" } else { "--map (kept as is)" }.to_owned());
            *pin = true;
        }
    }
    for column in &CANONICAL_COLUMNS {
        if matches.iter().any(|m| m.canonical.is_some_and(|c| c.name == column.name)) {
            continue;
        }
        let from_profile = profile.headers_for(column.name).iter().map(|name| (*name, Source::Profile));
        let candidates = from_profile
            .chain(std::iter::once((column.name, Source::Canonical)))
            .chain(synonyms_of(column.name).iter().map(|name| (*name, Source::Synonym)));
        for (candidate, source) in candidates {
            let free = (0..matches.len()).find(|&i| {
                !pinned[i]
                    && matches[i].canonical.is_none()
                    && compact.get(i).is_some_and(|c| same_compact(c, candidate))
            });
            if let Some(slot) = free.and_then(|position| matches.get_mut(position)) {
                slot.canonical = Some(column);
                slot.matched_by = Some(match source {
                    Source::Profile => format!("profile {}", profile.name),
                    Source::Canonical => "canonical name".to_owned(),
                    Source::Synonym => format!("synonym {candidate}"),
                });
                break;
            }
        }
    }
    match_remaining_by_words(&mut matches, &pinned);
    Ok(Discovery { profile_used: profile.name, matches, families: families(headers) })
}

/// The numbered families among `headers`: members read with full confidence as the same
/// canonical column, each with its number, two or more of them.
fn families(headers: &[String]) -> Vec<Family> {
    let mut numbered: Vec<(&'static str, u32, usize)> = Vec::new();
    for (position, header) in headers.iter().enumerate() {
        if let Some(found) = match_by_words(header).filter(|found| found.confidence >= CONFIDENT) {
            if let Some(index) = found.family_index {
                numbered.push((found.canonical, index, position));
            }
        }
    }
    sort_stable_by(&mut numbered, &|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let mut families: Vec<Family> = Vec::new();
    for (canonical, _, position) in numbered {
        match families.last_mut() {
            Some(family) if family.canonical == canonical => family.members.push(position),
            _ => families.push(Family { canonical, members: vec![position] }),
        }
    }
    families.retain(|family| family.members.len() >= 2);
    families
}

/// Reads the unmatched headers by their words. Confident readings take free canonical
/// columns (a numbered family's lowest member first); the rest become suggestions. Names of
/// the teaching scenario's schema (`age`, `provider_type`) are its own and are left alone.
fn match_remaining_by_words(matches: &mut [HeaderMatch], pinned: &[bool]) {
    let mut readings: Vec<(usize, &'static CanonicalColumn, f32, u32, String)> = Vec::new();
    for (position, header_match) in matches.iter().enumerate() {
        let pinned = pinned.get(position).copied().unwrap_or(true);
        if pinned || header_match.canonical.is_some() || known_role(&header_match.header).is_some() {
            continue;
        }
        if let Some(found) = match_by_words(&header_match.header) {
            if let Some(column) = canonical_column(found.canonical) {
                let index = found.family_index.unwrap_or(0);
                readings.push((position, column, found.confidence, index, found.words));
            }
        }
    }
    // The lowest family member first (Dx 1 before Dx 2), then file order.
    sort_stable_by(&mut readings, &|a, b| (a.3, a.0).cmp(&(b.3, b.0)));
    for (position, column, confidence, _, words) in readings {
        let taken = matches.iter().any(|m| m.canonical.is_some_and(|c| c.name == column.name));
        let Some(slot) = matches.get_mut(position) else { continue };
        if confidence >= CONFIDENT && !taken {
            slot.canonical = Some(column);
            slot.matched_by = Some(format!("words: {words}"));
        } else {
            slot.suggested = Some(column);
        }
    }
}

/// Where a candidate name came from.
#[derive(Clone, Copy)]
enum Source {
    Profile,
    Canonical,
    Synonym,
}

/// Whether `compact` (already in compact form) is `name` in compact form, without allocating.
fn same_compact(compact: &str, name: &str) -> bool {
    let mut wanted = name.chars().filter(|&c| is_word_char(c)).map(|c| c.to_ascii_uppercase());
    compact.chars().all(|c| wanted.next() == Some(c)) && wanted.next().is_none()
}

/// The profile called `name`, or the error listing the known ones.
pub fn profile_named(name: &str) -> Result<&'static VendorProfile, IngestError> {
    VendorProfile::named(name)
        .ok_or_else(|| IngestError::UnknownProfile { name: name.to_owned(), known: VendorProfile::names().join(", ") })
}

fn choose_profile(compact_headers: &[String], requested: &str) -> Result<&'static VendorProfile, IngestError> {
    let profile = profile_named(requested)?;
    if profile.name != "auto" {
        return Ok(profile);
    }
    // Only a profile's distinctive names count: a header that is the canonical name itself
    // says nothing about the vendor.
    let hits = |candidate: &VendorProfile| {
        candidate
            .headers
            .iter()
            .filter(|(canonical, names)| {
                names.iter().any(|name| {
                    compact_header(name) != compact_header(canonical)
                        && compact_headers.iter().any(|c| same_compact(c, name))
                })
            })
            .count()
    };
    let mut best: Option<(&'static VendorProfile, usize)> = None;
    for candidate in crate::claims::schema::VENDOR_PROFILES.iter().filter(|p| !p.headers.is_empty()) {
        let score = hits(candidate);
        if score >= AUTO_PROFILE_MIN_HITS && best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((candidate, score));
        }
    }
    if let Some((chosen, _)) = best {
        return Ok(chosen);
    }
    let canonical_hits =
        CANONICAL_COLUMNS.iter().filter(|column| compact_headers.iter().any(|c| same_compact(c, column.name))).count();
    let fallback = if canonical_hits > 0 { "generic_csv" } else { "unknown" };
    Ok(VendorProfile::named(fallback).unwrap_or(profile))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn mapped(discovery: &Discovery) -> Vec<(String, Option<&'static str>)> {
        discovery.matches.iter().map(|m| (m.header.clone(), m.canonical.map(|c| c.name))).collect()
    }

    #[test]
    fn synonyms_match_whatever_the_spelling() {
        for spelling in ["MEMBER_ID", "PATIENT_ID", "PAT ID", "Patient ID", "MBR_ID", "SUBSCRIBER_ID", "patientid"] {
            let discovery = discover(&headers(&[spelling, "amount"]), "auto", &[]).unwrap();
            assert_eq!(discovery.matches[0].canonical.map(|c| c.name), Some("member_id"), "{spelling}");
            assert_eq!(discovery.matches[1].canonical, None);
        }
    }

    #[test]
    fn canonical_names_win_over_synonyms_and_each_header_maps_once() {
        let discovery = discover(&headers(&["PATIENT_ID", "member_id", "Fill Date", "qty"]), "unknown", &[]).unwrap();
        assert_eq!(
            mapped(&discovery),
            vec![
                ("PATIENT_ID".into(), None),
                ("member_id".into(), Some("member_id")),
                ("Fill Date".into(), Some("service_date")),
                ("qty".into(), Some("quantity")),
            ]
        );
        assert_eq!(discovery.matches[2].matched_by.as_deref(), Some("synonym FILL_DATE"));
    }

    #[test]
    fn auto_detects_vendor_profiles() {
        let iqvia = headers(&["IQVIA_PATIENT_ID", "IQVIA_PRESCRIBER_ID", "PHARMACY_NABP_NUMBER", "FILL_DATE"]);
        let discovery = discover(&iqvia, "auto", &[]).unwrap();
        assert_eq!(discovery.profile_used, "gsk_iqvia");
        assert_eq!(discovery.matches[0].matched_by.as_deref(), Some("profile gsk_iqvia"));
        let cms = headers(&["DESY_SORT_KEY", "CLM_FROM_DT", "HCPCS_CD", "LINE_NCH_PMT_AMT"]);
        assert_eq!(discover(&cms, "auto", &[]).unwrap().profile_used, "cms_dmr");
        assert_eq!(discover(&headers(&["a", "b"]), "auto", &[]).unwrap().profile_used, "unknown");
        assert_eq!(discover(&headers(&["claim_id", "units", "x"]), "auto", &[]).unwrap().profile_used, "generic_csv");
        assert_eq!(discover(&cms, "unknown", &[]).unwrap().profile_used, "unknown");
    }

    #[test]
    fn unknown_profiles_are_refused_with_the_known_names() {
        let error = discover(&headers(&["a"]), "acme", &[]).unwrap_err();
        assert!(error.to_string().contains("gsk_iqvia"), "{error}");
    }

    #[test]
    fn missing_lists_unmatched_canonical_columns() {
        let discovery = discover(&headers(&["claim_id", "member_id"]), "auto", &[]).unwrap();
        let missing: Vec<&str> = discovery.missing().iter().map(|c| c.name).collect();
        assert!(!missing.contains(&"member_id"));
        assert!(missing.contains(&"provider_id"));
        assert_eq!(missing.len(), CANONICAL_COLUMNS.len() - 2);
    }

    #[test]
    fn headers_are_read_by_their_words_and_families_give_their_first_member() {
        let file = headers(&["CLM_ID", "ICD10 Dx 2", "ICD10 Dx 1", "Rendering Provider NPI", "policy_state", "age"]);
        let discovery = discover(&file, "unknown", &[]).unwrap();
        let mapped: Vec<Option<&str>> = discovery.matches.iter().map(|m| m.canonical.map(|c| c.name)).collect();
        assert_eq!(mapped, [Some("claim_id"), None, Some("diagnosis_code"), Some("provider_id"), None, None]);
        assert_eq!(discovery.matches[2].matched_by.as_deref(), Some("words: icd diagnosis"));
        // The second family member and the low-confidence reading are suggestions only; the
        // teaching scenario's own `age` is left alone.
        let suggested: Vec<Option<&str>> = discovery.matches.iter().map(|m| m.suggested.map(|c| c.name)).collect();
        assert_eq!(suggested, [None, Some("diagnosis_code"), None, None, Some("member_state"), None]);
        assert_eq!(discovery.families, [Family { canonical: "diagnosis_code", members: vec![2, 1] }]);
    }

    #[test]
    fn the_users_mappings_win_and_name_what_is_wrong() {
        let file = headers(&["policy_state", "State"]);
        let mapping = vec![("policy_state".to_owned(), "member_state".to_owned())];
        let discovery = discover(&file, "auto", &mapping).unwrap();
        assert_eq!(discovery.matches[0].canonical.map(|c| c.name), Some("member_state"));
        assert_eq!(discovery.matches[0].matched_by.as_deref(), Some("--map"));
        assert_eq!(discovery.matches[1].canonical, None, "the canonical column is taken");
        let wrong = vec![("policy_state".to_owned(), "state_of_mind".to_owned())];
        assert!(discover(&file, "auto", &wrong)
            .unwrap_err()
            .to_string()
            .starts_with("--map: 'state_of_mind' is not a canonical column"));
        let kept = vec![("State".to_owned(), "-".to_owned())];
        let discovery = discover(&file, "auto", &kept).unwrap();
        assert_eq!(discovery.matches[1].canonical, None, "kept as is, though it is the canonical name's synonym");
        assert_eq!(discovery.matches[1].matched_by.as_deref(), Some("--map (kept as is)"));
        let missing = vec![("zip".to_owned(), "member_state".to_owned())];
        assert_eq!(discover(&file, "auto", &missing).unwrap_err().to_string(), "--map: the file has no header 'zip'");
    }
}
