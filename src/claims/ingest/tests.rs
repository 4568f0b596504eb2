//! End-to-end tests of ingestion: bytes in, a canonical table and its report out.

use std::io::Write;

use super::report::{ColumnType, SourceFormat};
use super::*;
use crate::claims::table::{days_from_civil, ColumnData};

fn read(text: &str) -> Result<Ingested, IngestError> {
    read_bytes(text.as_bytes(), "claims.csv", &IngestOptions::default())
}

fn numbers(ingested: &Ingested, name: &str) -> Vec<f64> {
    match &ingested.table.column(name).map(|c| &c.data) {
        Some(ColumnData::Numeric { values }) => values.to_vec(),
        other => panic!("{name} is not numeric: {other:?}"),
    }
}

fn kind(ingested: &Ingested, name: &str) -> &'static str {
    match ingested.table.column(name).map(|c| &c.data) {
        Some(ColumnData::Numeric { .. }) => "number",
        Some(ColumnData::Categorical { .. }) => "text",
        Some(ColumnData::Date { .. }) => "date",
        None => "absent",
    }
}

#[test]
fn vendor_headers_stay_the_names_and_answer_to_canonical_ones_of_the_right_kind() {
    let ingested = read(
        "CLAIM_NUMBER;PAT ID;Prescriber NPI;Fill Date;NDC;QTY;Benefit Amt;OOP Cost;Region\n\
         1001;P01;1234567890;20250103;00173089314;1;$1,234.50;(12.00);North\n\
         1002;P02;1234567891;20250110;00173088714;1;$99;12%;South\n",
    )
    .unwrap();
    let table = &ingested.table;
    let headers = ["CLAIM_NUMBER", "PAT ID", "Prescriber NPI", "Fill Date", "NDC", "QTY", "Benefit Amt", "OOP Cost"];
    let mut expected: Vec<&str> = headers.to_vec();
    expected.push("Region");
    assert_eq!(table.column_names(), expected, "the file's own headers are the names");
    let canonical =
        ["claim_id", "member_id", "provider_id", "service_date", "ndc", "quantity", "benefit_amount", "out_of_pocket"];
    for (header, canonical) in headers.iter().zip(canonical) {
        assert_eq!(table.column(canonical).map(|c| c.name.as_str()), Some(*header), "{canonical} finds {header}");
        assert_eq!(table.column(header).and_then(|c| c.canonical.as_deref()), Some(canonical));
    }
    assert_eq!(table.column("Region").and_then(|c| c.canonical.as_deref()), None);
    assert_eq!(kind(&ingested, "claim_id"), "text", "identifiers stay text even when numeric");
    assert_eq!(kind(&ingested, "provider_id"), "text");
    assert_eq!(table.column("ndc").unwrap().data.display(0), "00173089314");
    assert_eq!(kind(&ingested, "service_date"), "date");
    assert_eq!(table.column("service_date").unwrap().data.number(0), f64::from(days_from_civil(2025, 1, 3).unwrap()));
    assert_eq!(numbers(&ingested, "benefit_amount"), vec![1234.5, 99.0]);
    assert_eq!(numbers(&ingested, "out_of_pocket"), vec![-12.0, 0.12]);
    let report = &ingested.report;
    assert_eq!(report.delimiter.as_deref(), Some("semicolon"));
    assert_eq!(report.rows_loaded, 2);
    assert_eq!(report.extra_columns, vec!["Region"]);
    assert_eq!(report.columns[1].matched_by.as_deref(), Some("synonym PAT_ID"));
    assert!(report.missing.iter().any(|m| m.canonical == "pharmacy_id"));
    assert!(!report.missing.iter().any(|m| m.canonical == "member_id"));
    let text = report.to_text();
    assert!(text.contains("PAT ID (also member_id, by synonym PAT_ID): text"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["rows_loaded"], 2);
    assert_eq!(json["columns"][3]["column_type"], "date");
}

#[test]
fn unknown_columns_are_inferred_and_widen_to_text_when_mixed() {
    let ingested = read("a,b,c,d,e,f\n1,2024-01-05,x,007,,1\n2.5,01/06/2024,y,8,,oops\n").unwrap();
    assert_eq!(kind(&ingested, "a"), "number");
    assert_eq!(kind(&ingested, "b"), "date");
    assert_eq!(kind(&ingested, "c"), "text");
    assert_eq!(kind(&ingested, "d"), "text", "a leading zero keeps identifiers as text");
    assert_eq!(ingested.report.columns[4].column_type, ColumnType::Empty);
    assert_eq!(kind(&ingested, "f"), "text");
    assert_eq!(ingested.table.column("f").unwrap().data.display(0), "1");
    assert!(
        ingested.report.notes.iter().any(|n| n.contains("column 'f' held numbers until 'oops'")),
        "{:?}",
        ingested.report.notes
    );
}

#[test]
fn cells_that_do_not_parse_are_missing_and_reported() {
    let ingested =
        read("member_id,allowed_amount,service_date\nA,10,2025-01-01\nB,pending,2025-02-30\nC,5,\n").unwrap();
    let allowed = numbers(&ingested, "allowed_amount");
    assert_eq!(allowed[0], 10.0);
    assert!(allowed[1].is_nan());
    let report = &ingested.report;
    assert_eq!(report.cell_problem_count, 2);
    assert_eq!(report.cell_problems[0].row, 3);
    assert_eq!(report.cell_problems[0].column, "allowed_amount");
    assert_eq!(report.cell_problems[0].value, "pending");
    assert_eq!(report.cell_problems[1].expected, ColumnType::Date);
    assert_eq!((report.columns[1].unparsed, report.columns[2].missing), (1, 1));
    assert!(report.to_text().contains("row 3, column allowed_amount: 'pending' is not a number"));
}

#[test]
fn ragged_rows_are_skipped_with_a_reason_until_there_are_too_many() {
    let mut text = String::from("a,b\n");
    for idx in 0..100 {
        text.push_str(&format!("{idx},{idx}\n"));
    }
    text.push_str("1,2,3\n");
    let ingested = read(&text).unwrap();
    assert_eq!((ingested.report.rows_loaded, ingested.report.rows_rejected), (100, 1));
    assert_eq!(ingested.report.rejected_rows[0].row, 102);
    assert_eq!(ingested.report.rejected_rows[0].reason, "expected 2 fields like the header, found 3");
    for _ in 0..30 {
        text.push_str("only-one\n");
    }
    let error = read(&text).unwrap_err();
    assert!(matches!(error, IngestError::TooManyRejected { rejected: 31, seen: 131, .. }), "{error}");
    assert!(error.to_string().contains("row 102: expected 2 fields"), "{error}");
    let error = read("a,b\n1\n2\n").unwrap_err();
    assert!(matches!(error, IngestError::TooManyRejected { rejected: 2, .. }), "no rows at all is refused: {error}");
}

#[test]
fn headers_are_cleaned_and_duplicates_renamed() {
    let ingested = read(" x ,x,,y\n1,2,3,4\n,,,\n").unwrap();
    assert_eq!(ingested.table.column_names(), vec!["x", "x_2", "column_3", "y"]);
    assert_eq!(ingested.table.n_rows(), 1, "a row of empty cells is skipped");
    assert!(ingested.report.notes[0].contains("repeats the header 'x'"));
}

#[test]
fn profiles_options_and_errors() {
    let options = IngestOptions { profile: "nope".into(), ..IngestOptions::default() };
    assert!(matches!(read_bytes(b"a\n1\n", "f.csv", &options), Err(IngestError::UnknownProfile { .. })));
    let options = IngestOptions { map_to_canonical: false, ..IngestOptions::default() };
    let ingested = read_bytes(b"PATIENT_ID,QTY\n1,2\n", "f.csv", &options).unwrap();
    assert_eq!(ingested.table.column_names(), vec!["PATIENT_ID", "QTY"]);
    assert_eq!(read("").unwrap_err(), IngestError::Empty { file: "claims.csv".into() });
    assert_eq!(read("a,b\n\n").unwrap_err(), IngestError::HeaderOnly { file: "claims.csv".into() });
    let wide = (0..5000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
    let error = read(&format!("{wide}\n")).unwrap_err();
    assert!(matches!(error, IngestError::TooManyColumns { found: 4097, limit: 4096, .. }), "{error:?}");
}

#[test]
fn gzip_and_zip_containers() {
    let csv = b"member_id,units\nA,1\nB,2\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(csv).unwrap();
    let gz = gz.finish().unwrap();
    let ingested = read_bytes(&gz, "claims.csv.gz", &IngestOptions::default()).unwrap();
    assert_eq!((ingested.table.n_rows(), &ingested.report.format), (2, &SourceFormat::Gzip));
    let truncated = read_bytes(&gz[..gz.len() - 12], "claims.csv.gz", &IngestOptions::default()).unwrap_err();
    assert!(matches!(truncated, IngestError::Compressed { .. }), "{truncated}");

    let zip_of = |entries: &[(&str, &[u8])]| {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    };
    let archive = zip_of(&[("__MACOSX/._x.csv", b"junk"), ("notes.pdf", b"%PDF"), ("data/claims.csv", csv)]);
    let ingested = read_bytes(&archive, "export.zip", &IngestOptions::default()).unwrap();
    assert_eq!(ingested.report.format, SourceFormat::Zip { entry: "data/claims.csv".into() });
    assert!(ingested.report.other_parts.is_empty());
    assert_eq!(ingested.table.n_rows(), 2);
    // A zipped folder: a readme, a provider list and the claims. The claims (the largest data
    // file) are read, never the readme; the rest are listed, and --entry picks one.
    let providers = b"provider_id,specialty\nP1,Surgeon\n";
    let claims = b"member_id,units\nA,1\nB,2\nC,3\nD,4\nE,5\n";
    let folder = zip_of(&[
        ("readme.txt", b"These are claims for 2025, one line per service; see the codebook.".as_slice()),
        ("__MACOSX/x", b"junk"),
        ("data/providers.csv", providers),
        ("data/claims.tsv", claims),
    ]);
    let ingested = read_bytes(&folder, "export.zip", &IngestOptions::default()).unwrap();
    assert_eq!(ingested.report.format, SourceFormat::Zip { entry: "data/claims.tsv".into() });
    assert_eq!(ingested.report.other_parts, ["data/providers.csv"]);
    assert_eq!(ingested.table.n_rows(), 5);
    let pick = |entry: &str| IngestOptions { entry: Some(entry.into()), ..IngestOptions::default() };
    assert_eq!(read_bytes(&folder, "export.zip", &pick("providers.csv")).unwrap().table.n_rows(), 1);
    let error = read_bytes(&folder, "export.zip", &pick("members.csv")).map(|_| ()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "export.zip: the zip archive has no entry 'members.csv' (found: data/claims.tsv, data/providers.csv, readme.txt)"
    );
    let archive = zip_of(&[("notes.pdf", b"%PDF"), ("logo.png", b"png")]);
    let error = read_bytes(&archive, "export.zip", &IngestOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "export.zip: the zip archive holds no CSV, TSV or text file (found: logo.png, notes.pdf)"
    );
    let error = read_bytes(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "old.xls", &IngestOptions::default()).unwrap_err();
    assert!(matches!(error, IngestError::LegacyXls { .. }));
}

#[test]
fn files_past_a_budget_are_refused_naming_it() {
    let budget =
        IngestBudget { max_bytes: 64 << 10, max_rows: 10_000, max_cells: 2_500, scope: BudgetScope::CommandLine };
    let options = IngestOptions { budget, ..IngestOptions::default() };
    let rows = |n: usize| {
        let mut text = b"member_id,units\n".to_vec();
        for idx in 0..n {
            text.extend_from_slice(format!("M{idx},1\n").as_bytes());
        }
        text
    };
    let gzip = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    };
    // Rows: the 1,001st data row (line 1,002) is refused.
    let no_cell_limit =
        IngestOptions { budget: IngestBudget { max_rows: 1_000, max_cells: u64::MAX, ..budget }, ..options.clone() };
    let error = read_bytes(&rows(5_000), "many.csv", &no_cell_limit).map(|i| i.table.n_rows()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "many.csv, row 1002: the file holds more than 1,000 rows, the budget for this run; raise it with --max-rows"
    );
    // Cells: two columns, so the 1,251st row would make 2,502.
    let error = read_bytes(&rows(1_500), "wide.csv", &options).map(|i| i.table.n_rows()).unwrap_err();
    assert!(matches!(error, IngestError::OverBudget { kind: BudgetKind::Cells, row: Some(1252), .. }), "{error}");
    // Bytes after decompression: a gzip of blank lines that never makes a row.
    let blank = [b"member_id,units\n".as_slice(), &vec![b'\n'; 1 << 20]].concat();
    let error = read_bytes(&gzip(&blank), "blank.csv.gz", &options).unwrap_err();
    assert!(matches!(error, IngestError::OverBudget { kind: BudgetKind::Bytes, row: None, .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "blank.csv.gz: the file holds more than 65,536 bytes of text, the budget for this run; raise it with --max-bytes"
    );
    // Within every budget, the same file loads.
    assert_eq!(read_bytes(&gzip(&rows(1_000)), "ok.csv.gz", &no_cell_limit).unwrap().table.n_rows(), 1_000);
    // The tab's budget is the default, and names the command line as the way further.
    let error =
        read_bytes(&rows(3_000_001), "huge.csv", &IngestOptions::default()).map(|i| i.table.n_rows()).unwrap_err();
    assert!(error.to_string().contains("more than 3,000,000 rows, the budget of a browser tab"), "{error}");
}

#[test]
fn decimal_commas_read_when_the_whole_column_agrees() {
    // A European export: `;`-separated, points between thousands, commas before decimals.
    // "1.234" alone could be either; the later "1.234,56" settles the column, and the earlier
    // cell is read again as 1234.
    let text = "claim_id;Betrag;units;rate\nC1;1.234;3;0.5\nC2;12,5;4;1.25\nC3;1.234,56;5;2\n";
    let ingested = read(text).unwrap();
    assert_eq!(numbers(&ingested, "Betrag"), vec![1234.0, 12.5, 1234.56]);
    assert_eq!(numbers(&ingested, "rate"), vec![0.5, 1.25, 2.0], "a column with decimal points keeps them");
    assert!(
        ingested.report.notes.iter().any(|n| n.contains("column 'Betrag' writes decimal commas")),
        "{:?}",
        ingested.report.notes
    );
    // A comma-separated file never reads decimal commas (a comma there is the delimiter).
    let ingested = read("claim_id,amount\nC1,\"1.234,5\"\nC2,7\n").unwrap();
    assert_eq!(kind(&ingested, "amount"), "text");
    // Mapped amount columns read them too.
    let ingested = read("CLAIM_ID;Paid Amt\nC1;1.000,25\nC2;3,5\n").unwrap();
    assert_eq!(numbers(&ingested, "paid_amount"), vec![1000.25, 3.5]);
}

#[test]
fn a_numbered_family_gives_its_first_member_the_name_and_counts_the_rest() {
    let text = "ClaimID,ClmDiagnosisCode_2,ClmDiagnosisCode_1,ClmDiagnosisCode_3,InscClaimAmtReimbursed\n\
                C1,E11,J45,,100\nC2,,I10,,20\nC3,E78,Z00,N18,5\n";
    let ingested = read(text).unwrap();
    let names = ingested.table.column_names();
    assert_eq!(names[1..4], ["ClmDiagnosisCode_2", "ClmDiagnosisCode_1", "ClmDiagnosisCode_3"]);
    let primary = ingested.table.column("diagnosis_code").map(|c| c.name.as_str());
    assert_eq!(primary, Some("ClmDiagnosisCode_1"), "the lowest-numbered member answers to the canonical name");
    assert_eq!(numbers(&ingested, "diagnosis_code_count"), vec![2.0, 1.0, 3.0]);
    assert!(
        ingested.report.notes.iter().any(|n| n.contains("(3 columns) are one family of diagnosis_code")),
        "{:?}",
        ingested.report.notes
    );
}

#[test]
fn nul_bytes_anywhere_mean_binary() {
    let mut text = b"member_id,units\n".to_vec();
    while text.len() < 600_000 {
        text.extend_from_slice(b"M1,1\n");
    }
    let offset = text.len() + 3;
    text.extend_from_slice(b"M2,\x001\n");
    let error = read_bytes(&text, "late_nul.csv", &IngestOptions::default()).unwrap_err();
    assert_eq!(error, IngestError::Binary { file: "late_nul.csv".into(), offset: offset as u64 });
}

#[test]
fn streaming_a_large_file_gives_the_same_table_as_bytes() {
    let mut text = String::from("claim_id,member_id,allowed_amount,service_date\n");
    for idx in 0..50_000 {
        text.push_str(&format!(
            "C{idx},M{},{}.25,2025-{:02}-{:02}\n",
            idx % 977,
            idx % 400,
            idx % 12 + 1,
            idx % 28 + 1
        ));
    }
    let from_bytes = read(&text).unwrap();
    let path = std::env::temp_dir().join(format!("claimforest-stream-{}.csv", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let streamed = read_source(std::io::BufReader::new(file), "claims.csv", &IngestOptions::default()).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(streamed, from_bytes);
    assert_eq!(streamed.table.n_rows(), 50_000);
}

#[cfg(not(target_arch = "wasm32"))]
mod no_panics {
    use super::*;
    use proptest::strategy::Strategy;

    /// A cell as files write them.
    fn cell() -> impl Strategy<Value = String> {
        proptest::prop_oneof![
            "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,3})?",
            "0[0-9]{1,4}",
            "\\$[1-9][0-9]{0,2}(,[0-9]{3})?\\.[0-9]{2}",
            "\\([0-9]{1,3}\\.[0-9]{2}\\)",
            "[0-9]{1,2}%",
            "[0-9]{1,2}/[0-9]{1,2}/(20)?[0-9]{2}",
            "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
            "20[0-9]{2}[01][0-9][0-3][0-9]",
            "(NA|N/A|null|\\?|-|)",
            " {0,2}[A-Za-z][A-Za-z ]{0,6} {0,2}",
            "1\\.234,5|1,5|1\\.000",
        ]
    }

    /// `cell` as a delimited field: quoted when it holds the delimiter, a quote or space at
    /// an end (so the reader keeps it whole).
    fn quoted(cell: &str, delimiter: char) -> String {
        if cell.contains([delimiter, '"']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_owned()
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = read_bytes(&bytes, "fuzz.csv", &IngestOptions::default());
        }

        /// Whatever the cells (amounts in any spelling, US, ISO and compact dates, missing
        /// tokens, padded and unreadable text, mixed in one column), writing the table back
        /// gives every cell as it was written (the formula guard's `'` aside).
        #[test]
        fn every_cell_is_written_back_as_it_was_read(
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 4), 1..25),
            semicolons in proptest::bool::ANY,
        ) {
            let delimiter = if semicolons { ';' } else { ',' };
            let header = ["amount", "service_date", "note", "units"].join(&delimiter.to_string());
            let mut text = format!("{header}\n");
            for row in &rows {
                let cells: Vec<String> = row.iter().map(|cell| quoted(cell, delimiter)).collect();
                text.push_str(&cells.join(&delimiter.to_string()));
                text.push('\n');
            }
            let Ok(ingested) = read(&text) else { return Ok(()) };
            proptest::prop_assume!(ingested.report.rows_rejected == 0);
            let mut out = Vec::new();
            crate::claims::csv_writer::write_csv(&ingested.table, &mut out).unwrap();
            let written = String::from_utf8(out).unwrap();
            let kept: Vec<&Vec<String>> = rows.iter().filter(|row| row.iter().any(|c| !c.trim().is_empty())).collect();
            let lines: Vec<Vec<String>> = crate::test_support::csv_records(&written).into_iter().skip(1).collect();
            proptest::prop_assert_eq!(lines.len(), kept.len());
            for (line, row) in lines.iter().zip(kept) {
                for (written, original) in line.iter().zip(row) {
                    let unguarded = written.strip_prefix('\'').filter(|_| original.starts_with(['=', '+', '-', '@']));
                    proptest::prop_assert_eq!(unguarded.unwrap_or(written), original.as_str());
                }
            }
        }

        #[test]
        fn never_panics_on_csv_like_text(text in "[a-c0-9,;\"\\n\\r\\t| .$%()/-]{0,300}") {
            if let Ok(ingested) = read(&text) {
                proptest::prop_assert!(ingested.table.n_rows() > 0);
                proptest::prop_assert_eq!(ingested.table.n_rows(), ingested.report.rows_loaded);
            }
        }
    }
}
