//! xlsx workbooks: the first worksheet's rows, as text records, streamed from the zip's XML parts.
//!
//! Our own small reader on `zip` and `quick-xml` (no DOM, no recursion): the workbook and its
//! relationships name the first worksheet, the shared strings and styles are read whole
//! (capped), and the sheet is streamed row by row into the [`RecordSink`]. Cells become text
//! fields: strings as written, numbers in their shortest round-trip form, date-styled numbers
//! as ISO dates, booleans as `1`/`0`, errors as empty. Every malformed part is an
//! [`IngestError::XlsxDamaged`] naming the part; nothing here panics on hostile input.

use std::borrow::Cow;
use std::fmt::Display;
use std::io::{BufRead, BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::budget::{BudgetKind, IngestBudget};
use super::{IngestError, RecordSink};
use crate::claims::table::{civil_from_days, days_from_civil, format_number};
use crate::hashing::KeyedMap;

/// Reads the first worksheet of an xlsx `archive` into `sink`; returns the sheet's name.
///
/// The first row with a non-blank cell is the header; later non-blank rows are records,
/// padded with empty fields up to the header's width.
pub(crate) fn read_workbook<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    file: &str,
    budget: &IngestBudget,
    wanted_sheet: Option<&str>,
    sink: &mut dyn RecordSink,
) -> Result<(String, Vec<String>), IngestError> {
    let rels = read_relationships(archive, file)?;
    let workbook = read_workbook_part(archive, file, rels.as_deref())?;
    if workbook.sheets.is_empty() {
        return Err(IngestError::XlsxWithoutSheets { file: file.to_owned() });
    }
    let position = match wanted_sheet {
        None => 0,
        Some(wanted) => workbook
            .sheets
            .iter()
            .position(|sheet| sheet.name == wanted)
            .or_else(|| workbook.sheets.iter().position(|sheet| sheet.name.eq_ignore_ascii_case(wanted)))
            .ok_or_else(|| IngestError::SheetNotFound {
                file: file.to_owned(),
                sheet: wanted.to_owned(),
                sheets: workbook.sheets.iter().take(LISTED_SHEETS).map(|sheet| sheet.name.clone()).collect(),
            })?,
    };
    let mut sheets = workbook.sheets;
    let sheet = sheets.swap_remove(position);
    let other_sheets: Vec<String> = sheets.into_iter().map(|sheet| sheet.name).collect();
    let strings_part = rels.as_deref().and_then(|rels| part_of_kind(rels, RelKind::SharedStrings));
    let strings_part = strings_part.as_deref().unwrap_or(SHARED_STRINGS);
    let strings = read_shared_strings(archive, file, strings_part, budget)?;
    let styles_part = rels.as_deref().and_then(|rels| part_of_kind(rels, RelKind::Styles));
    let styles = read_styles(archive, file, styles_part.as_deref().unwrap_or(STYLES))?;
    let context =
        SheetContext { strings: &strings, strings_part, date_styles: &styles, date1904: workbook.date1904, budget };
    read_sheet(archive, file, &sheet.path, &context, sink)?;
    Ok((sheet.name, other_sheets))
}

/// How many sheet names a "no such sheet" message lists.
const LISTED_SHEETS: usize = 10;
/// The most worksheets a workbook may list.
const MAX_SHEETS: usize = 4_096;

/// The workbook part.
const WORKBOOK: &str = "xl/workbook.xml";
/// The workbook's relationships.
const WORKBOOK_RELS: &str = "xl/_rels/workbook.xml.rels";
/// Where the shared strings are when the relationships do not say.
const SHARED_STRINGS: &str = "xl/sharedStrings.xml";
/// Where the styles are when the relationships do not say.
const STYLES: &str = "xl/styles.xml";
/// The first sheet when the workbook has no relationships part.
const FALLBACK_SHEET: &str = "xl/worksheets/sheet1.xml";

/// Excel's last column (XFD).
const MAX_COLUMNS: usize = 16_384;
/// Excel's last row.
const MAX_ROW: usize = 1_048_576;
/// Elements nested deeper than this are refused (real parts nest fewer than 15 levels).
const MAX_DEPTH: usize = 100;
/// The longest single XML event (a tag or a run of text).
const MAX_EVENT_BYTES: u64 = 16 << 20;
/// The most a capped stream hands out at once.
const CAPPED_SLICE_BYTES: usize = 64 << 10;
/// The largest workbook, relationships or styles part, decompressed.
const MAX_SMALL_PART_BYTES: u64 = 64 << 20;
/// The largest shared strings part, decompressed.
const MAX_STRINGS_PART_BYTES: u64 = 1 << 30;
/// At most this many shared strings...
const MAX_SHARED_STRINGS: usize = 10_000_000;
/// ...holding at most this much text.
const MAX_SHARED_TEXT: usize = 256 << 20;
/// At most this many cell formats.
const MAX_CELL_FORMATS: usize = 1 << 20;
/// At most this many relationships.
const MAX_RELATIONSHIPS: usize = 100_000;
/// The most text one sheet row may hold, in MB.
const MAX_ROW_MB: usize = 16;
/// Excel's last date, 9999-12-31, as a serial in the 1900 system.
const MAX_SERIAL_1900: f64 = 2_958_465.0;
/// Excel's last date as a serial in the 1904 system.
const MAX_SERIAL_1904: f64 = 2_957_003.0;

mod parts;
mod sheet;
mod strings;
mod styles;
#[cfg(test)]
mod tests;
mod workbook;

use parts::*;
use sheet::*;
use strings::*;
use styles::*;
use workbook::*;
