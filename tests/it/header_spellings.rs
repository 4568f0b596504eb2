//! The header table: real-world spellings of claims headers from public file formats and
//! data sets (tests/fixtures/header_spellings.tsv: spelling, canonical column, source), each
//! read as its canonical column with confidence, and no spelling listed for two columns.

use std::collections::BTreeMap;
use std::path::Path;

use claimforest::claims::schema::{compact_header, read_header, CONFIDENT};

fn table() -> Vec<(String, String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/header_spellings.tsv");
    let text = std::fs::read_to_string(path).expect("the header table is readable");
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 3, "want spelling<TAB>canonical<TAB>source: {line:?}");
            (fields[0].to_owned(), fields[1].to_owned(), fields[2].to_owned())
        })
        .collect()
}

#[test]
fn the_table_has_300_spellings_none_listed_twice() {
    let rows = table();
    assert!(rows.len() >= 300, "only {} spellings", rows.len());
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (spelling, canonical, _) in &rows {
        if let Some(previous) = seen.insert(compact_header(spelling), canonical) {
            panic!("{spelling} is listed twice ({previous}, {canonical})");
        }
    }
}

#[test]
fn every_spelling_reads_as_its_canonical_column() {
    let mut misread = Vec::new();
    for (spelling, canonical, source) in table() {
        match read_header(&spelling) {
            Some(reading) if reading.canonical == canonical && reading.confidence >= CONFIDENT => {}
            other => misread.push(format!("{spelling} ({source}): expected {canonical}, read {other:?}")),
        }
    }
    assert!(misread.is_empty(), "{} of the table's spellings misread:\n{}", misread.len(), misread.join("\n"));
}
