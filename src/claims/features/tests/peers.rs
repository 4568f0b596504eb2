//! Peer statistics recorded from a population compare a batch's claims with the same peers
//! their training file gave them.

use crate::claims::population::gather_rows;
use crate::claims::synth::{generate, Scenario, SynthOptions};
use crate::claims::table::ClaimsTable;

use super::super::{append_features, append_features_against, record_peers, PEER_FEATURES};

fn rows_of(table: &ClaimsTable, rows: &[usize]) -> ClaimsTable {
    let mut out = ClaimsTable::new();
    for column in table.columns() {
        out.push_aliased_column(column.name.clone(), column.canonical.clone(), gather_rows(&column.data, rows))
            .unwrap();
    }
    out
}

fn values(table: &ClaimsTable, name: &str) -> Vec<u64> {
    let column = table.column(name).unwrap_or_else(|| panic!("{name} was built"));
    (0..table.n_rows()).map(|row| column.data.number(row).to_bits()).collect()
}

fn batch_compares_with_the_recorded_peers(scenario: Scenario) {
    let claims = generate(scenario, &SynthOptions { n_rows: 4_000, seed: 11, ..SynthOptions::default() }).unwrap();
    let peers = record_peers(&claims).unwrap();
    let (inside, _) = append_features(claims.clone()).unwrap();
    // A batch of 300 claims from the middle, backwards.
    let batch_rows: Vec<usize> = (1_000..1_300).rev().collect();
    let batch = rows_of(&claims, &batch_rows);
    let (alone, _) = append_features(batch.clone()).unwrap();
    let (against, _) = append_features_against(batch, &peers).unwrap();
    let (mut compared, mut differ_alone) = (0, 0);
    for name in PEER_FEATURES {
        if inside.column(name).is_none() {
            continue;
        }
        compared += 1;
        let expected: Vec<u64> = batch_rows.iter().map(|&row| values(&inside, name)[row]).collect();
        let against = values(&against, name);
        let same = against.iter().zip(&expected).filter(|(a, b)| a == b).count();
        assert!(same == expected.len(), "{name}: {same} of {} claims match their training-file values", expected.len());
        differ_alone += usize::from(values(&alone, name) != expected);
    }
    assert!(compared >= 4, "{compared} peer features compared");
    assert!(differ_alone >= 2, "a batch alone is its own population: only {differ_alone} features differ");
}

#[test]
fn a_medical_batch_is_compared_with_the_recorded_peers() {
    batch_compares_with_the_recorded_peers(Scenario::Medical);
}

#[test]
fn a_pharmacy_batch_is_compared_with_the_recorded_peers() {
    batch_compares_with_the_recorded_peers(Scenario::Pharmacy);
}

#[test]
fn the_record_holds_codes_and_aggregates_in_an_order_free_of_the_rows() {
    let claims =
        generate(Scenario::Medical, &SynthOptions { n_rows: 3_000, seed: 2, ..SynthOptions::default() }).unwrap();
    let reversed: Vec<usize> = (0..claims.n_rows()).rev().collect();
    let peers = record_peers(&claims).unwrap();
    let json = serde_json::to_string(&peers).unwrap();
    let reversed_json = serde_json::to_string(&record_peers(&rows_of(&claims, &reversed)).unwrap()).unwrap();
    assert!(json == reversed_json, "the record changed with the row order");
    let (n_statistics, n_groups) = peers.size();
    assert!(n_statistics >= 6 && n_groups > 20, "{n_statistics} statistics over {n_groups} groups");
    // No member, provider or claim id is in the record.
    for id_column in ["member_id", "provider_id", "claim_id"] {
        let column = claims.column(id_column).unwrap();
        for row in [0, 1, 2_999] {
            let id = column.data.display(row);
            assert!(!json.contains(&format!("\"{id}\"")), "{id_column} {id} is in the record");
        }
    }
}

#[test]
fn a_group_the_population_never_had_is_compared_with_the_batch_itself() {
    let claims =
        generate(Scenario::Medical, &SynthOptions { n_rows: 2_000, seed: 5, ..SynthOptions::default() }).unwrap();
    let mut peers = record_peers(&claims).unwrap();
    // Forget every procedure: the batch's procedure features are its own again.
    peers.statistics.iter_mut().filter(|s| s.name.ends_with("by procedure_code")).for_each(|s| s.groups.clear());
    let batch = rows_of(&claims, &(0..200).collect::<Vec<_>>());
    let (alone, _) = append_features(batch.clone()).unwrap();
    let (against, _) = append_features_against(batch, &peers).unwrap();
    for name in ["allowed_vs_procedure_mean", "allowed_vs_procedure_p99", "procedure_age_zscore"] {
        assert_eq!(values(&against, name), values(&alone, name), "{name}");
    }
    assert_ne!(values(&against, "allowed_vs_diagnosis_mean"), values(&alone, "allowed_vs_diagnosis_mean"));
}
