//! Fuzz target: the xlsx reader's XML parsing, reached through a valid zip built from the input.
//!
//! The input is split on NUL bytes into the parts of a workbook, in this order: the first
//! worksheet, the shared strings, the styles, the workbook and its relationships. Parts the
//! input does not supply are fixed, minimal and valid, so a plain sheet body is enough to
//! reach the sheet parser; the zip layer itself is never what fails.
#![no_main]

use std::io::{Cursor, Write};

use claimforest::claims::ingest::{read_bytes, IngestOptions};
use libfuzzer_sys::fuzz_target;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const SHEET: &str = "xl/worksheets/sheet1.xml";
const STRINGS: &str = r#"<sst><si><t>claim_id</t></si><si><r><t>paid</t></r><rPh><t>x</t></rPh></si></sst>"#;
const STYLES: &str = r#"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>"#;
const WORKBOOK: &str =
    r#"<workbook xmlns:r="r"><workbookPr/><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="x/styles" Target="/xl/styles.xml"/></Relationships>"#;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(5, |&byte| byte == 0);
    let sheet = parts.next().unwrap_or_default();
    let strings = parts.next().unwrap_or(STRINGS.as_bytes());
    let styles = parts.next().unwrap_or(STYLES.as_bytes());
    let workbook = parts.next().unwrap_or(WORKBOOK.as_bytes());
    let rels = parts.next().unwrap_or(RELS.as_bytes());
    let entries = [
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/sharedStrings.xml", strings),
        ("xl/styles.xml", styles),
        (SHEET, sheet),
    ];
    let Some(bytes) = zip_of(&entries) else {
        return;
    };
    let _ = read_bytes(&bytes, "fuzz.xlsx", &IngestOptions::default());
});

/// A stored (uncompressed) zip holding `entries`.
fn zip_of(entries: &[(&str, &[u8])]) -> Option<Vec<u8>> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, content) in entries {
        writer.start_file(*name, options).ok()?;
        writer.write_all(content).ok()?;
    }
    Some(writer.finish().ok()?.into_inner())
}
