//! The workbook reader against hand-made workbooks: every part, every cell kind, every limit.

use super::*;

/// Collects what the reader sends.
#[derive(Default)]
struct Recorder {
    header: Option<(usize, Vec<String>)>,
    records: Vec<(usize, Vec<String>)>,
    notes: Vec<&'static str>,
}

impl RecordSink for Recorder {
    fn header(&mut self, row: usize, fields: &[&str]) -> Result<(), IngestError> {
        self.header = Some((row, fields.iter().map(|f| f.to_string()).collect()));
        Ok(())
    }
    fn record(&mut self, row: usize, fields: &[&str]) -> Result<(), IngestError> {
        self.records.push((row, fields.iter().map(|f| f.to_string()).collect()));
        Ok(())
    }
    fn note_text(&mut self, encoding: &'static str, delimiter: Option<u8>) {
        assert_eq!(delimiter, None);
        self.notes.push(encoding);
    }
}

const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write as _;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        writer.start_file(*name, options).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn workbook_xml(sheets: &[(&str, &str)], date1904: bool) -> String {
    let pr = if date1904 { r#"<workbookPr date1904="1"/>"# } else { "<workbookPr/>" };
    let list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, id))| format!(r#"<sheet name="{name}" sheetId="{}" r:id="{id}"/>"#, i + 1))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS}>{pr}<sheets>{list}</sheets></workbook>"#
    )
}

fn rels_xml(targets: &[(&str, &str, &str)]) -> String {
    let list: String = targets
        .iter()
        .map(|(id, kind, target)| format!(r#"<Relationship Id="{id}" Type="{REL}/{kind}" Target="{target}"/>"#))
        .collect();
    format!(
        r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{list}</Relationships>"#
    )
}

fn sheet_xml(rows: &str) -> String {
    format!(r#"<?xml version="1.0"?><worksheet {NS}><dimension ref="A1"/><sheetData>{rows}</sheetData></worksheet>"#)
}

const STRINGS: &str = r#"<sst xmlns="x" count="4" uniqueCount="4"><si><t>claim_id</t></si><si><t xml:space="preserve"> paid </t></si><si><r><rPr><b/></rPr><t>service</t></r><r><t>_date</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t>R&amp;D_x000D_</t></si></sst>"#;
const STYLES_XML: &str = r#"<styleSheet xmlns="x"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>"#;

fn standard(sheet: &str, date1904: bool) -> Vec<u8> {
    zip_of(&[
        ("xl/workbook.xml", &workbook_xml(&[("Claims", "rId1"), ("Other", "rId2")], date1904)),
        (
            "xl/_rels/workbook.xml.rels",
            &rels_xml(&[
                ("rId1", "worksheet", "worksheets/sheet1.xml"),
                ("rId2", "worksheet", "/xl/worksheets/sheet2.xml"),
                ("rId3", "sharedStrings", "sharedStrings.xml"),
                ("rId4", "styles", "styles.xml"),
            ]),
        ),
        ("xl/sharedStrings.xml", STRINGS),
        ("xl/styles.xml", STYLES_XML),
        ("xl/worksheets/sheet1.xml", sheet),
        (
            "xl/worksheets/sheet2.xml",
            &sheet_xml(r#"<row r="1"><c t="inlineStr"><is><t>wrong sheet</t></is></c></row>"#),
        ),
    ])
}

fn read(bytes: Vec<u8>) -> (Result<String, IngestError>, Recorder) {
    read_sheet_named(bytes, None)
}

/// Reads the sheet called `sheet` (the first without one); returns its name.
fn read_sheet_named(bytes: Vec<u8>, sheet: Option<&str>) -> (Result<String, IngestError>, Recorder) {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut recorder = Recorder::default();
    let result = read_workbook(&mut archive, "book.xlsx", &IngestBudget::TAB, sheet, &mut recorder);
    (result.map(|(name, _)| name), recorder)
}

#[test]
fn a_sheet_is_chosen_by_name_and_the_others_are_listed() {
    let rows = r#"<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c><v>1</v></c></row>"#;
    let book = standard(&sheet_xml(rows), false);
    // The other sheet holds only a header: read (names match ignoring case), then refused.
    let (result, recorder) = read_sheet_named(book.clone(), Some("other"));
    assert_eq!(result, Err(IngestError::HeaderOnly { file: "book.xlsx".into() }));
    assert_eq!(recorder.header.map(|(_, fields)| fields), Some(strings(&["wrong sheet"])));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(book.clone())).unwrap();
    let (_, others) =
        read_workbook(&mut archive, "book.xlsx", &IngestBudget::TAB, None, &mut Recorder::default()).expect("reads");
    assert_eq!(others, ["Other"]);
    let (result, _) = read_sheet_named(book, Some("Providers"));
    assert_eq!(
        result.unwrap_err().to_string(),
        "book.xlsx: the workbook has no worksheet 'Providers' (found: Claims, Other)"
    );
}

#[test]
fn a_sheet_past_the_byte_budget_is_refused_naming_it() {
    let rows: String =
        (1..=2_000).map(|r| format!(r#"<row r="{r}"><c t="inlineStr"><is><t>C{r}</t></is></c></row>"#)).collect();
    let budget = IngestBudget { max_bytes: 16 << 10, ..IngestBudget::TAB };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(standard(&sheet_xml(&rows), false))).unwrap();
    let result = read_workbook(&mut archive, "book.xlsx", &budget, None, &mut Recorder::default());
    assert!(matches!(result, Err(IngestError::OverBudget { kind: BudgetKind::Bytes, .. })), "{result:?}");
    let (result, _) = read(standard(&sheet_xml(&rows), false));
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn row_numbers_must_increase() {
    let rows = r#"<row r="1"><c t="inlineStr"><is><t>a</t></is></c></row><row r="2"><c><v>1</v></c></row><row r="2"><c><v>2</v></c></row>"#;
    let (result, _) = read(standard(&sheet_xml(rows), false));
    assert_eq!(damaged_detail(result), "xl/worksheets/sheet1.xml: row 2 comes after row 2; rows must increase");
}

fn strings(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| f.to_string()).collect()
}

fn damaged_detail(result: Result<String, IngestError>) -> String {
    match result {
        Err(IngestError::XlsxDamaged { file, detail }) => {
            assert_eq!(file, "book.xlsx");
            detail
        }
        other => panic!("expected a damaged workbook, got {other:?}"),
    }
}

#[test]
fn reads_strings_numbers_dates_booleans_and_gaps() {
    let rows = r#"
        <row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="inlineStr"><is><t>flag</t></is></c><c r="E1" t="s"><v>3</v></c><c r="F1" s="1"/></row>
        <row r="2"><c r="A2" t="str"><v>C-1</v></c><c r="B2"><v>1234.5</v></c><c r="C2" s="1"><v>45366</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><v>#N/A</v></c></row>
        <row r="4"><c r="A4"><f>1+1</f><v>2</v></c><c r="C4" s="2"><v>45366.75</v></c><c r="D4" t="b"><v>0</v></c><c r="G4" s="3"/></row>
        <row r="5"><c r="A5" s="3"><v>1.5</v></c><c r="B5"><v>1E-3</v></c><c t="inlineStr"><is><r><t>rich</t></r><r><t> text</t></r></is></c></row>
        <row r="6"><c r="A6" t="d"><v>2024-03-15T00:00:00Z</v></c><c r="B6"><v>-0</v></c><c r="C6"><v>100000000000000000000</v></c></row>
        <row r="7"><c r="A7"><v></v></c></row>
    "#;
    let (result, recorder) = read(standard(&sheet_xml(rows), false));
    assert_eq!(result.unwrap(), "Claims");
    assert_eq!(recorder.notes, vec!["xlsx"]);
    assert_eq!(recorder.header, Some((1, strings(&["claim_id", " paid ", "service_date", "flag", "R&D\r"]))));
    assert_eq!(
        recorder.records,
        vec![
            (2, strings(&["C-1", "1234.5", "2024-03-15", "1", ""])),
            (4, strings(&["2", "", "2024-03-15", "0", ""])),
            (5, strings(&["1.5", "0.001", "rich text", "", ""])),
            (6, strings(&["2024-03-15", "0", "100000000000000000000", "", ""])),
        ]
    );
}

#[test]
fn gaps_in_the_header_are_empty_fields_and_wide_rows_pass_as_they_are() {
    let rows = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="C1" t="inlineStr"><is><t>c</t></is></c><c r="D1" t="inlineStr"><is><t></t></is></c></row>
        <row r="2"><c r="B2"><v>2</v></c></row>
        <row r="3"><c r="A3"><v>1</v></c><c r="E3"><v>5</v></c></row>
        <row r="4"><c r="C4"><v>3</v></c><c r="A4"><v>1</v></c></row>"#;
    let (result, recorder) = read(standard(&sheet_xml(rows), false));
    assert!(result.is_ok());
    assert_eq!(recorder.header, Some((1, strings(&["a", "", "c"]))));
    assert_eq!(
        recorder.records,
        vec![(2, strings(&["", "2", ""])), (3, strings(&["1", "", "", "", "5"])), (4, strings(&["1", "", "3"])),]
    );
}

#[test]
fn blank_rows_are_skipped_and_rows_without_numbers_follow_the_previous() {
    let rows = r#"<row r="3"><c r="A3" t="inlineStr"><is><t> </t></is></c></row>
        <row><c t="inlineStr"><is><t>h</t></is></c></row>
        <row/>
        <row><c><v>7</v></c></row>"#;
    let (result, recorder) = read(standard(&sheet_xml(rows), false));
    assert!(result.is_ok());
    assert_eq!(recorder.header, Some((4, strings(&["h"]))));
    assert_eq!(recorder.records, vec![(6, strings(&["7"]))]);
}

#[test]
fn a_1904_workbook_counts_days_from_1904() {
    let rows = r#"<row r="1"><c t="inlineStr"><is><t>d</t></is></c></row><row r="2"><c s="1"><v>0</v></c></row><row r="3"><c s="1"><v>43904</v></c></row>"#;
    let (result, recorder) = read(standard(&sheet_xml(rows), true));
    assert!(result.is_ok());
    assert_eq!(recorder.records, vec![(2, strings(&["1904-01-01"])), (3, strings(&["2024-03-15"]))]);
}

#[test]
fn serials_follow_excels_1900_leap_year_bug() {
    assert_eq!(serial_to_date(1.0, false).as_deref(), Some("1900-01-01"));
    assert_eq!(serial_to_date(59.0, false).as_deref(), Some("1900-02-28"));
    assert_eq!(serial_to_date(60.0, false).as_deref(), Some("1900-02-29"));
    assert_eq!(serial_to_date(61.0, false).as_deref(), Some("1900-03-01"));
    assert_eq!(serial_to_date(45366.99, false).as_deref(), Some("2024-03-15"));
    assert_eq!(serial_to_date(2_958_465.0, false).as_deref(), Some("9999-12-31"));
    assert_eq!(serial_to_date(2_958_466.0, false), None);
    assert_eq!(serial_to_date(0.5, false), None);
    assert_eq!(serial_to_date(-1.0, false), None);
    assert_eq!(serial_to_date(f64::NAN, false), None);
    assert_eq!(serial_to_date(2_957_003.0, true).as_deref(), Some("9999-12-31"));
}

#[test]
fn date_formats_are_told_from_times_and_numbers() {
    for code in ["yyyy-mm-dd", "d/m/yy h:mm", "mmm", "[$-409]mmmm d, yyyy", "DD.MM.YYYY", "mm/dd/yyyy;@"] {
        assert!(is_date_format(code), "{code} is a date");
    }
    for code in ["General", "0.00", "h:mm", "[h]:mm:ss", "mm:ss", "#,##0 \"days\"", "0\\d", "[Red]0.0", "@"] {
        assert!(!is_date_format(code), "{code} is not a date");
    }
    assert!(is_builtin_date(14) && is_builtin_date(22) && !is_builtin_date(20) && !is_builtin_date(46));
}

#[test]
fn column_references_are_checked() {
    assert_eq!(column_of("A1"), Ok(0));
    assert_eq!(column_of("z9"), Ok(25));
    assert_eq!(column_of("AA1"), Ok(26));
    assert_eq!(column_of("$XFD$1048576"), Ok(16_383));
    assert!(column_of("XFE1").is_err());
    assert!(column_of("AAAAAAAAAAAAAAAAAAAAAAAA1").is_err());
    assert!(column_of("12").is_err());
    assert!(column_of("A1B").is_err());
    assert_eq!(column_name(0), "A");
    assert_eq!(column_name(27), "AB");
    assert_eq!(column_name(16_383), "XFD");
}

#[test]
fn ooxml_escapes_are_decoded() {
    let mut out = String::new();
    push_unescaped_ooxml(&mut out, "a_x000D_b_x005F_x0041_ _x12 _xZZZZ_ end_");
    assert_eq!(out, "a\rb_x0041_ _x12 _xZZZZ_ end_");
}

#[test]
fn a_workbook_without_sheets_is_refused() {
    let bytes =
        zip_of(&[("xl/workbook.xml", &workbook_xml(&[], false)), ("xl/_rels/workbook.xml.rels", &rels_xml(&[]))]);
    let (result, _) = read(bytes);
    assert_eq!(result, Err(IngestError::XlsxWithoutSheets { file: "book.xlsx".into() }));
    let charts_only = zip_of(&[
        ("xl/workbook.xml", &workbook_xml(&[("Chart1", "rId1")], false)),
        ("xl/_rels/workbook.xml.rels", &rels_xml(&[("rId1", "chartsheet", "chartsheets/sheet1.xml")])),
    ]);
    assert!(matches!(read(charts_only).0, Err(IngestError::XlsxWithoutSheets { .. })));
}

#[test]
fn without_relationships_the_first_sheet_is_sheet1() {
    let rows = r#"<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c><v>1</v></c></row>"#;
    let bytes = zip_of(&[
        ("xl/workbook.xml", &workbook_xml(&[("Mine", "rId9")], false)),
        ("xl/worksheets/sheet1.xml", &sheet_xml(rows)),
    ]);
    let (result, recorder) = read(bytes);
    assert_eq!(result.unwrap(), "Mine");
    assert_eq!(recorder.records, vec![(2, strings(&["1"]))]);
}

#[test]
fn a_missing_shared_strings_part_is_named() {
    let rows = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let bytes = zip_of(&[
        ("xl/workbook.xml", &workbook_xml(&[("S", "rId1")], false)),
        ("xl/_rels/workbook.xml.rels", &rels_xml(&[("rId1", "worksheet", "worksheets/sheet1.xml")])),
        ("xl/worksheets/sheet1.xml", &sheet_xml(rows)),
    ]);
    let detail = damaged_detail(read(bytes).0);
    assert!(detail.starts_with("xl/sharedStrings.xml: the part is missing"), "{detail}");
    assert!(detail.contains("A1"), "{detail}");
}

#[test]
fn an_out_of_range_shared_string_is_damage() {
    let rows = r#"<row r="1"><c r="B1" t="s"><v>99</v></c></row>"#;
    let detail = damaged_detail(read(standard(&sheet_xml(rows), false)).0);
    assert!(detail.starts_with("xl/worksheets/sheet1.xml: cell B1"), "{detail}");
}

#[test]
fn garbage_xml_is_damage_naming_the_part() {
    for garbage in [
        "<worksheet><sheetData><row><c></row></sheetData></worksheet>",
        "<<<>>>",
        "not xml at all",
        "<worksheet><sheetData>",
    ] {
        let detail = damaged_detail(read(standard(garbage, false)).0);
        assert!(detail.starts_with("xl/worksheets/sheet1.xml: "), "{garbage}: {detail}");
    }
    let bytes = zip_of(&[("xl/workbook.xml", "\u{0}\u{1}garbage")]);
    assert!(damaged_detail(read(bytes).0).starts_with("xl/workbook.xml: "));
    let strings = zip_of(&[
        ("xl/workbook.xml", &workbook_xml(&[("S", "rId1")], false)),
        ("xl/worksheets/sheet1.xml", &sheet_xml("")),
        ("xl/sharedStrings.xml", "<sst><si><t>open"),
    ]);
    assert!(damaged_detail(read(strings).0).starts_with("xl/sharedStrings.xml: "));
}

#[test]
fn hostile_sheets_are_refused_without_panicking() {
    let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    let detail = damaged_detail(read(standard(&sheet_xml(&deep), false)).0);
    assert!(detail.contains("nested"), "{detail}");
    let wide = r#"<row r="1"><c r="XFE1"><v>1</v></c></row>"#;
    assert!(damaged_detail(read(standard(&sheet_xml(wide), false)).0).contains("XFD"));
    let past = r#"<row r="1"><c r="XFD1"><v>1</v></c><c><v>2</v></c></row>"#;
    assert!(damaged_detail(read(standard(&sheet_xml(past), false)).0).contains("XFD"));
    let row = r#"<row r="99999999999999999999999"><c><v>1</v></c></row>"#;
    assert!(damaged_detail(read(standard(&sheet_xml(row), false)).0).contains("row number"));
}

#[test]
fn empty_and_header_only_sheets_are_refused() {
    let (result, _) = read(standard(&sheet_xml(""), false));
    assert_eq!(result, Err(IngestError::Empty { file: "book.xlsx".into() }));
    let header = r#"<row r="1"><c t="s"><v>0</v></c><c/></row><row r="2"><c t="e"><v>#REF!</v></c></row>"#;
    let (result, _) = read(standard(&sheet_xml(header), false));
    assert_eq!(result, Err(IngestError::HeaderOnly { file: "book.xlsx".into() }));
}

#[test]
fn events_and_parts_are_capped() {
    let ctx = Ctx { file: "book.xlsx", part: "xl/worksheets/sheet1.xml" };
    let mut huge = b"<a>".to_vec();
    huge.resize(huge.len() + (MAX_EVENT_BYTES as usize) + 2 * CAPPED_SLICE_BYTES, b'x');
    huge.extend_from_slice(b"</a>");
    let mut part = XmlPart::new(&huge[..], u64::MAX, None);
    assert!(matches!(part.next(ctx), Ok((Event::Start(_), 1))));
    let error = part.next(ctx).map(|_| ()).unwrap_err().to_string();
    assert!(error.contains("longer than 16 MB"), "{error}");
    let many = "<a>".to_owned() + &"<b/>".repeat(1 << 20) + "</a>";
    let mut part = XmlPart::new(many.as_bytes(), 1 << 20, None);
    let error = loop {
        match part.next(ctx) {
            Ok((Event::Eof, _)) => panic!("the cap was not applied"),
            Ok(_) => {}
            Err(error) => break error.to_string(),
        }
    };
    assert!(error.contains("larger than 1 MB"), "{error}");
}

#[test]
fn an_overlong_row_is_refused() {
    let long = "x".repeat(1 << 20);
    let cells: String = (0..17).map(|_| format!(r#"<c t="inlineStr"><is><t>{long}</t></is></c>"#)).collect();
    let rows = format!(r#"<row r="1">{cells}</row>"#);
    let (result, _) = read(standard(&sheet_xml(&rows), false));
    assert!(matches!(result, Err(IngestError::RowTooLong { row: 1, .. })), "{result:?}");
}
