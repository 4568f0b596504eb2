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

// ---------------------------------------------------------------------------------------
// Parts and XML events.

/// Where an error is: the file and the part inside it.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    file: &'a str,
    part: &'a str,
}

impl Ctx<'_> {
    fn damaged(&self, what: impl Display) -> IngestError {
        IngestError::XlsxDamaged { file: self.file.to_owned(), detail: format!("{}: {what}", self.part) }
    }
}

/// A byte stream that refuses to hand out more than a budget per XML event and per part, so
/// a hostile part cannot make one event (or the whole part) unboundedly large in memory.
struct Capped<B> {
    inner: B,
    event: u64,
    total: u64,
    total_limit: u64,
    /// The file's budget, when it applies to this part (the shared strings and the sheet);
    /// `total_limit` is then at most its byte limit.
    budget: Option<IngestBudget>,
}

impl<B: BufRead> Capped<B> {
    fn begin_event(&mut self) {
        self.event = 0;
    }
}

impl<B: BufRead> Read for Capped<B> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for Capped<B> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.total > self.total_limit {
            let message = format!("the part is larger than {} MB", self.total_limit >> 20);
            return Err(std::io::Error::other(message));
        }
        if self.event > MAX_EVENT_BYTES {
            let message = format!("one element or text is longer than {} MB", MAX_EVENT_BYTES >> 20);
            return Err(std::io::Error::other(message));
        }
        // Handing out bounded slices keeps the checks above within a slice of the limits,
        // whatever the inner reader's buffer size.
        let available = self.inner.fill_buf()?;
        Ok(&available[..available.len().min(CAPPED_SLICE_BYTES)])
    }

    fn consume(&mut self, amount: usize) {
        self.event = self.event.saturating_add(amount as u64);
        self.total = self.total.saturating_add(amount as u64);
        self.inner.consume(amount);
    }
}

/// One XML part being streamed, with its nesting depth.
struct XmlPart<B> {
    reader: Reader<Capped<B>>,
    buf: Vec<u8>,
    depth: usize,
}

impl<B: BufRead> XmlPart<B> {
    fn new(inner: B, total_limit: u64, budget: Option<&IngestBudget>) -> Self {
        let total_limit = budget.map_or(total_limit, |budget| total_limit.min(budget.max_bytes));
        let capped = Capped { inner, event: 0, total: 0, total_limit, budget: budget.copied() };
        Self { reader: Reader::from_reader(capped), buf: Vec::new(), depth: 0 }
    }

    /// The next event and the depth of the element it belongs to (1 for the root element;
    /// for text, the depth of the enclosing element).
    fn next(&mut self, ctx: Ctx<'_>) -> Result<(Event<'_>, usize), IngestError> {
        self.buf.clear();
        self.reader.get_mut().begin_event();
        let event = match self.reader.read_event_into(&mut self.buf) {
            Ok(event) => event,
            Err(error) => {
                let capped = self.reader.get_ref();
                if let Some(budget) = capped.budget.filter(|budget| capped.total > budget.max_bytes) {
                    return Err(IngestError::OverBudget {
                        file: ctx.file.to_owned(),
                        row: None,
                        kind: BudgetKind::Bytes,
                        detail: budget.describe(BudgetKind::Bytes),
                    });
                }
                return Err(ctx.damaged(format_args!("{error} (near byte {})", self.reader.error_position())));
            }
        };
        let level = match &event {
            Event::Start(_) => {
                self.depth += 1;
                self.depth
            }
            Event::Empty(_) => self.depth + 1,
            Event::End(_) => {
                let level = self.depth;
                self.depth = self.depth.saturating_sub(1);
                level
            }
            Event::Eof if self.depth > 0 => return Err(ctx.damaged("the XML ends inside an element")),
            _ => self.depth,
        };
        if level > MAX_DEPTH {
            return Err(ctx.damaged(format_args!("elements are nested more than {MAX_DEPTH} levels deep")));
        }
        Ok((event, level))
    }
}

/// The index of `path` in the archive, matched exactly or else ignoring ASCII case.
fn find_part<R: Read + Seek>(archive: &zip::ZipArchive<R>, path: &str) -> Option<usize> {
    archive.index_for_name(path).or_else(|| {
        (0..archive.len())
            .find(|&index| matches!(archive.name_for_index(index), Some(Ok(name)) if name.eq_ignore_ascii_case(path)))
    })
}

/// Opens `path` as an XML stream, or `None` if the archive has no such part.
fn open_part<'a, R: Read + Seek>(
    archive: &'a mut zip::ZipArchive<R>,
    ctx: Ctx<'_>,
    total_limit: u64,
    budget: Option<&IngestBudget>,
) -> Result<Option<XmlPart<BufReader<zip::read::ZipFile<'a, R>>>>, IngestError> {
    let Some(index) = find_part(archive, ctx.part) else {
        return Ok(None);
    };
    let entry = archive.by_index(index).map_err(|error| ctx.damaged(error))?;
    Ok(Some(XmlPart::new(BufReader::new(entry), total_limit, budget)))
}

/// Whether an element's local name (without a namespace prefix) is `expected`.
fn is_named(element: &BytesStart<'_>, expected: &str) -> bool {
    local_name(element) == expected
}

/// The local name of an element, without its namespace prefix.
fn local_name<'e>(element: &'e BytesStart<'_>) -> &'e str {
    let full: &str = element.name().0;
    full.rsplit_once(':').map_or(full, |(_, local)| local)
}

/// The value of the attribute whose local name is `key` (any namespace prefix), unescaped.
fn attribute<'e>(element: &'e BytesStart<'_>, key: &str, ctx: Ctx<'_>) -> Result<Option<Cow<'e, str>>, IngestError> {
    let [value] = attributes(element, [key], ctx)?;
    Ok(value)
}

/// The values of the attributes whose local names are `keys`, unescaped, in one pass that
/// allocates nothing for plain values (the first of duplicated attributes wins).
fn attributes<'e, const N: usize>(
    element: &'e BytesStart<'_>,
    keys: [&str; N],
    ctx: Ctx<'_>,
) -> Result<[Option<Cow<'e, str>>; N], IngestError> {
    let mut found: [Option<Cow<'e, str>>; N] = std::array::from_fn(|_| None);
    let mut all = element.attributes();
    all.with_checks(false);
    for attr in all {
        let attr = attr.map_err(|error| ctx.damaged(error))?;
        let full: &str = attr.key.0;
        let local = full.rsplit_once(':').map_or(full, |(_, local)| local);
        let Some(slot) = keys.iter().position(|key| *key == local).and_then(|at| found.get_mut(at)) else {
            continue;
        };
        if slot.is_none() {
            *slot = Some(attr.normalized_value(XmlVersion::Implicit1_0).map_err(|error| ctx.damaged(error))?);
        }
    }
    Ok(found)
}

/// Appends the character data of `event` (text, CDATA or an entity) to `out`, decoding
/// OOXML's `_xHHHH_` escapes.
fn push_text(out: &mut String, event: &Event<'_>, ctx: Ctx<'_>) -> Result<(), IngestError> {
    match event {
        Event::Text(text) => push_unescaped_ooxml(out, &text.xml10_content()),
        Event::CData(data) => push_unescaped_ooxml(out, &data.xml10_content()),
        Event::GeneralRef(reference) => match reference.resolve_char_ref() {
            Ok(Some(ch)) => out.push(ch),
            Ok(None) => {
                let name = reference.xml10_content();
                match predefined_entity(&name) {
                    Some(ch) => out.push(ch),
                    // An undeclared entity is kept as written rather than refusing the file.
                    None => {
                        out.push('&');
                        out.push_str(&name);
                        out.push(';');
                    }
                }
            }
            Err(error) => return Err(ctx.damaged(error)),
        },
        _ => {}
    }
    Ok(())
}

fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// Appends `text`, turning OOXML's `_xHHHH_` escapes (used for control characters, and
/// `_x005F_` for a literal underscore) back into characters.
fn push_unescaped_ooxml(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let decoded = from
            .get(2..6)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()) && from.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(ch) => {
                out.push(ch);
                rest = from.get(7..).unwrap_or("");
            }
            None => {
                out.push('_');
                rest = from.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
}

// ---------------------------------------------------------------------------------------
// The workbook and its relationships.

/// What a relationship points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RelKind {
    Worksheet,
    SharedStrings,
    Styles,
    Other,
}

/// One relationship of the workbook part.
#[derive(Debug)]
struct Relationship {
    id: String,
    kind: RelKind,
    /// The target's path inside the archive.
    path: String,
}

/// The sheet to read.
#[derive(Debug)]
struct SheetRef {
    name: String,
    path: String,
}

/// What the workbook part says.
#[derive(Debug)]
struct WorkbookInfo {
    /// The worksheets, in workbook order (chart and macro sheets left out).
    sheets: Vec<SheetRef>,
    date1904: bool,
}

/// The workbook's relationships, or `None` when the part is absent.
fn read_relationships<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    file: &str,
) -> Result<Option<Vec<Relationship>>, IngestError> {
    let ctx = Ctx { file, part: WORKBOOK_RELS };
    let Some(mut part) = open_part(archive, ctx, MAX_SMALL_PART_BYTES, None)? else {
        return Ok(None);
    };
    let mut rels = Vec::new();
    let mut saw_root = false;
    loop {
        let (event, level) = part.next(ctx)?;
        match event {
            Event::Start(element) | Event::Empty(element) => {
                if level == 1 {
                    saw_root = is_named(&element, "Relationships");
                    if !saw_root {
                        return Err(ctx.damaged("the root element is not Relationships"));
                    }
                } else if level == 2 && is_named(&element, "Relationship") {
                    if rels.len() >= MAX_RELATIONSHIPS {
                        return Err(ctx.damaged(format_args!("more than {MAX_RELATIONSHIPS} relationships")));
                    }
                    if let Some(rel) = relationship(&element, ctx)? {
                        rels.push(rel);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(ctx.damaged("no Relationships element"));
    }
    Ok(Some(rels))
}

/// One `<Relationship>`, or `None` for an external link.
fn relationship(element: &BytesStart<'_>, ctx: Ctx<'_>) -> Result<Option<Relationship>, IngestError> {
    let [id, kind, target, mode] = attributes(element, ["Id", "Type", "Target", "TargetMode"], ctx)?;
    if mode.is_some_and(|mode| mode.eq_ignore_ascii_case("external")) {
        return Ok(None);
    }
    let (Some(id), Some(target)) = (id, target) else {
        return Err(ctx.damaged("a relationship has no Id or Target"));
    };
    let kind = match kind.as_deref().and_then(|kind| kind.rsplit('/').next()) {
        Some("worksheet") => RelKind::Worksheet,
        Some("sharedStrings") => RelKind::SharedStrings,
        Some("styles") => RelKind::Styles,
        _ => RelKind::Other,
    };
    Ok(Some(Relationship { id: id.into_owned(), kind, path: resolve_target(&target) }))
}

/// The archive path of a relationship target: relative to `xl/`, or absolute from `/`.
fn resolve_target(target: &str) -> String {
    let target = target.replace('\\', "/");
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{target}"),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    segments.join("/")
}

/// The path of the first relationship of `kind`.
fn part_of_kind(rels: &[Relationship], kind: RelKind) -> Option<String> {
    rels.iter().find(|rel| rel.kind == kind).map(|rel| rel.path.clone())
}

/// Reads `xl/workbook.xml`: the first worksheet (resolved through `rels`) and the date system.
fn read_workbook_part<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    file: &str,
    rels: Option<&[Relationship]>,
) -> Result<WorkbookInfo, IngestError> {
    let ctx = Ctx { file, part: WORKBOOK };
    let Some(mut part) = open_part(archive, ctx, MAX_SMALL_PART_BYTES, None)? else {
        return Err(ctx.damaged("the part is missing"));
    };
    let mut info = WorkbookInfo { sheets: Vec::new(), date1904: false };
    let mut saw_root = false;
    loop {
        let (event, level) = part.next(ctx)?;
        match event {
            Event::Start(element) | Event::Empty(element) => {
                if level == 1 {
                    saw_root = is_named(&element, "workbook");
                    if !saw_root {
                        return Err(ctx.damaged("the root element is not workbook"));
                    }
                } else if level == 2 && is_named(&element, "workbookPr") {
                    info.date1904 = attribute(&element, "date1904", ctx)?.is_some_and(|flag| is_true(&flag));
                } else if level == 3 && is_named(&element, "sheet") {
                    if info.sheets.len() >= MAX_SHEETS {
                        return Err(ctx.damaged(format_args!("more than {MAX_SHEETS} sheets")));
                    }
                    info.sheets.extend(worksheet_of(&element, rels, ctx)?);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(ctx.damaged("no workbook element"));
    }
    Ok(info)
}

/// The worksheet a `<sheet>` entry names, or `None` if it is a chart or macro sheet.
fn worksheet_of(
    element: &BytesStart<'_>,
    rels: Option<&[Relationship]>,
    ctx: Ctx<'_>,
) -> Result<Option<SheetRef>, IngestError> {
    let name = attribute(element, "name", ctx)?.map_or_else(|| "Sheet1".to_owned(), Cow::into_owned);
    let Some(rels) = rels else {
        return Ok(Some(SheetRef { name, path: FALLBACK_SHEET.to_owned() }));
    };
    let Some(id) = attribute(element, "id", ctx)? else {
        return Err(ctx.damaged(format_args!("sheet '{name}' has no relationship id")));
    };
    let Some(rel) = rels.iter().find(|rel| rel.id == id) else {
        return Err(ctx.damaged(format_args!("sheet '{name}' refers to a missing relationship '{id}'")));
    };
    Ok((rel.kind == RelKind::Worksheet).then(|| SheetRef { name, path: rel.path.clone() }))
}

fn is_true(flag: &str) -> bool {
    flag == "1" || flag.eq_ignore_ascii_case("true")
}

// ---------------------------------------------------------------------------------------
// Shared strings.

/// The shared strings, held as one text with the end offset of each string.
#[derive(Debug, Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Closes the string being built at the end of `text`.
    fn close(&mut self, ctx: Ctx<'_>) -> Result<(), IngestError> {
        if self.ends.len() >= MAX_SHARED_STRINGS {
            return Err(ctx.damaged(format_args!("more than {MAX_SHARED_STRINGS} shared strings")));
        }
        if self.text.len() > MAX_SHARED_TEXT {
            return Err(ctx.damaged(format_args!("the shared strings hold more than {} MB", MAX_SHARED_TEXT >> 20)));
        }
        // MAX_SHARED_TEXT is far below u32::MAX.
        self.ends.push(u32::try_from(self.text.len()).map_err(|_| ctx.damaged("too much shared text"))?);
        Ok(())
    }
}

/// Reads the shared strings part, or `None` when the workbook has none.
fn read_shared_strings<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    file: &str,
    path: &str,
    budget: &IngestBudget,
) -> Result<Option<SharedStrings>, IngestError> {
    let ctx = Ctx { file, part: path };
    let Some(mut part) = open_part(archive, ctx, MAX_STRINGS_PART_BYTES, Some(budget))? else {
        return Ok(None);
    };
    let mut strings = SharedStrings::default();
    let mut saw_root = false;
    // Depths of the open <si>, <t> and <rPh> elements.
    let mut item: Option<usize> = None;
    let mut text: Option<usize> = None;
    let mut phonetic: Option<usize> = None;
    loop {
        let (event, level) = part.next(ctx)?;
        match &event {
            Event::Start(element) | Event::Empty(element) => {
                let open = matches!(event, Event::Start(_));
                if level == 1 {
                    saw_root = is_named(element, "sst");
                    if !saw_root {
                        return Err(ctx.damaged("the root element is not sst"));
                    }
                } else if level == 2 && is_named(element, "si") {
                    if open {
                        item = Some(level);
                    } else {
                        strings.close(ctx)?;
                    }
                } else if item.is_some() && open && is_named(element, "rPh") {
                    phonetic = phonetic.or(Some(level));
                } else if item.is_some() && phonetic.is_none() && open && is_named(element, "t") {
                    text = Some(level);
                }
            }
            Event::End(_) => {
                if text == Some(level) {
                    text = None;
                } else if phonetic == Some(level) {
                    phonetic = None;
                } else if item == Some(level) {
                    item = None;
                    strings.close(ctx)?;
                }
            }
            Event::Eof => break,
            _ if text.is_some() => {
                push_text(&mut strings.text, &event, ctx)?;
                if strings.text.len() > MAX_SHARED_TEXT {
                    return Err(
                        ctx.damaged(format_args!("the shared strings hold more than {} MB", MAX_SHARED_TEXT >> 20))
                    );
                }
            }
            _ => {}
        }
    }
    if !saw_root {
        return Err(ctx.damaged("no sst element"));
    }
    Ok(Some(strings))
}

// ---------------------------------------------------------------------------------------
// Styles: which cell formats are dates.

/// Reads the styles part: for each cell format (`cellXfs` index), whether it shows a date.
/// No styles part means no dates.
fn read_styles<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    file: &str,
    path: &str,
) -> Result<Vec<bool>, IngestError> {
    let ctx = Ctx { file, part: path };
    let Some(mut part) = open_part(archive, ctx, MAX_SMALL_PART_BYTES, None)? else {
        return Ok(Vec::new());
    };
    let mut custom: KeyedMap<u32, bool> = KeyedMap::default();
    let mut formats: Vec<u32> = Vec::new();
    let mut saw_root = false;
    // Depths of the open <numFmts> and <cellXfs>.
    let mut in_num_fmts: Option<usize> = None;
    let mut in_cell_xfs: Option<usize> = None;
    loop {
        let (event, level) = part.next(ctx)?;
        match &event {
            Event::Start(element) | Event::Empty(element) => {
                let open = matches!(event, Event::Start(_));
                if level == 1 {
                    saw_root = is_named(element, "styleSheet");
                    if !saw_root {
                        return Err(ctx.damaged("the root element is not styleSheet"));
                    }
                } else if level == 2 && open && is_named(element, "numFmts") {
                    in_num_fmts = Some(level);
                } else if level == 2 && open && is_named(element, "cellXfs") {
                    in_cell_xfs = Some(level);
                } else if in_num_fmts.is_some_and(|at| level == at + 1) && is_named(element, "numFmt") {
                    if custom.len() >= MAX_CELL_FORMATS {
                        return Err(ctx.damaged(format_args!("more than {MAX_CELL_FORMATS} number formats")));
                    }
                    let [id, code] = attributes(element, ["numFmtId", "formatCode"], ctx)?;
                    custom.insert(
                        format_id(id.as_deref().unwrap_or(""), ctx)?,
                        is_date_format(&code.unwrap_or_default()),
                    );
                } else if in_cell_xfs.is_some_and(|at| level == at + 1) && is_named(element, "xf") {
                    if formats.len() >= MAX_CELL_FORMATS {
                        return Err(ctx.damaged(format_args!("more than {MAX_CELL_FORMATS} cell formats")));
                    }
                    let id = attribute(element, "numFmtId", ctx)?;
                    formats.push(id.map_or(Ok(0), |id| format_id(&id, ctx))?);
                }
            }
            Event::End(_) => {
                if in_num_fmts == Some(level) {
                    in_num_fmts = None;
                } else if in_cell_xfs == Some(level) {
                    in_cell_xfs = None;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(ctx.damaged("no styleSheet element"));
    }
    Ok(formats.into_iter().map(|id| custom.get(&id).copied().unwrap_or_else(|| is_builtin_date(id))).collect())
}

/// A `numFmtId` value.
fn format_id(value: &str, ctx: Ctx<'_>) -> Result<u32, IngestError> {
    value.trim().parse().map_err(|_| ctx.damaged(format_args!("numFmtId '{value}' is not a number")))
}

/// Excel's built-in number formats that show a calendar date: 14–17 (dates) and 22 (date
/// and time). The built-in time-of-day and elapsed-time formats (18–21, 45–47) are not
/// dates: their cells keep their number.
fn is_builtin_date(id: u32) -> bool {
    matches!(id, 14..=17 | 22)
}

/// Whether a custom format code shows a calendar date: it has a day or year part, or a
/// month part without hours or seconds (where `m` would be minutes), outside quoted text,
/// `[...]` sections (colours, locales, elapsed `[h]`), escapes and fill/padding characters.
fn is_date_format(code: &str) -> bool {
    let (mut day_or_year, mut month, mut time) = (false, false, false);
    let mut chars = code.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '"' => {
                for quoted in chars.by_ref() {
                    if quoted == '"' {
                        break;
                    }
                }
            }
            '[' => {
                for bracketed in chars.by_ref() {
                    if bracketed == ']' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            'd' | 'D' | 'y' | 'Y' => day_or_year = true,
            'm' | 'M' => month = true,
            'h' | 'H' | 's' | 'S' => time = true,
            _ => {}
        }
    }
    day_or_year || (month && !time)
}

/// The ISO date of an Excel serial, or `None` if it is not a date Excel can show.
fn serial_to_date(serial: f64, date1904: bool) -> Option<String> {
    if !serial.is_finite() {
        return None;
    }
    let whole = serial.floor();
    let (base, offset) = if date1904 {
        if !(0.0..=MAX_SERIAL_1904).contains(&whole) {
            return None;
        }
        (days_from_civil(1904, 1, 1)?, 0)
    } else {
        if !(1.0..=MAX_SERIAL_1900).contains(&whole) {
            return None;
        }
        // Excel counts 1900-02-29 (serial 60), which never was: later serials are one ahead.
        if whole == 60.0 {
            return Some("1900-02-29".to_owned());
        }
        (days_from_civil(1899, 12, 31)?, if whole > 60.0 { -1 } else { 0 })
    };
    // `whole` is within a few million, so it fits i32 exactly.
    let days = base.checked_add(whole as i32)?.checked_add(offset)?;
    let (year, month, day) = civil_from_days(days);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

// ---------------------------------------------------------------------------------------
// The worksheet.

/// What a sheet needs from the rest of the workbook.
struct SheetContext<'a> {
    strings: &'a Option<SharedStrings>,
    /// Where the shared strings are (or would be), for messages.
    strings_part: &'a str,
    date_styles: &'a [bool],
    date1904: bool,
    /// The file's budget (the sheet part's bytes count against it).
    budget: &'a IngestBudget,
}

/// A cell's `t` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Number,
    Shared,
    Text,
    Inline,
    Bool,
    Error,
    Date,
}

impl CellKind {
    fn parse(kind: Option<&str>) -> Self {
        match kind {
            None | Some("n") => Self::Number,
            Some("s") => Self::Shared,
            Some("inlineStr") => Self::Inline,
            Some("b") => Self::Bool,
            Some("e") => Self::Error,
            Some("d") => Self::Date,
            Some(_) => Self::Text,
        }
    }
}

/// The cell being read.
struct OpenCell {
    column: usize,
    kind: CellKind,
    style: usize,
    depth: usize,
}

/// Where the text of the current event goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    Value,
    Inline,
}

/// The state of a sheet being streamed: the current row's fields, reused row after row.
struct SheetReader<'a, 's> {
    ctx: Ctx<'a>,
    sheet: &'a SheetContext<'a>,
    sink: &'s mut dyn RecordSink,
    fields: Vec<String>,
    width: usize,
    row: Option<(usize, usize)>,
    last_row: usize,
    row_bytes: usize,
    next_column: usize,
    cell: Option<OpenCell>,
    capture: Option<(Capture, usize)>,
    inline_depth: Option<usize>,
    phonetic_depth: Option<usize>,
    value: String,
    inline: String,
    header_width: Option<usize>,
    records: usize,
}

/// Streams the worksheet at `path` into `sink`.
fn read_sheet<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    file: &str,
    path: &str,
    sheet: &SheetContext<'_>,
    sink: &mut dyn RecordSink,
) -> Result<(), IngestError> {
    let ctx = Ctx { file, part: path };
    let Some(mut part) = open_part(archive, ctx, u64::MAX, Some(sheet.budget))? else {
        return Err(ctx.damaged("the worksheet part is missing"));
    };
    sink.note_text("xlsx", None);
    let mut reader = SheetReader {
        ctx,
        sheet,
        sink,
        fields: Vec::new(),
        width: 0,
        row: None,
        last_row: 0,
        row_bytes: 0,
        next_column: 0,
        cell: None,
        capture: None,
        inline_depth: None,
        phonetic_depth: None,
        value: String::new(),
        inline: String::new(),
        header_width: None,
        records: 0,
    };
    let mut sheet_data: Option<usize> = None;
    let mut saw_sheet_data = false;
    loop {
        let (event, level) = part.next(ctx)?;
        match &event {
            Event::Start(element) | Event::Empty(element) => {
                let open = matches!(event, Event::Start(_));
                if level == 1 && !is_named(element, "worksheet") {
                    return Err(ctx.damaged("the root element is not worksheet"));
                }
                if level == 2 && is_named(element, "sheetData") {
                    saw_sheet_data = true;
                    sheet_data = open.then_some(level);
                } else if sheet_data.is_some() {
                    reader.start(element, level, open)?;
                }
            }
            Event::End(_) => {
                if sheet_data == Some(level) {
                    sheet_data = None;
                } else if sheet_data.is_some() {
                    reader.end(level)?;
                }
            }
            Event::Eof => break,
            _ => reader.text(&event)?,
        }
    }
    if !saw_sheet_data {
        return Err(ctx.damaged("no sheetData element"));
    }
    match reader.header_width {
        None => Err(IngestError::Empty { file: file.to_owned() }),
        Some(_) if reader.records == 0 => Err(IngestError::HeaderOnly { file: file.to_owned() }),
        Some(_) => Ok(()),
    }
}

impl SheetReader<'_, '_> {
    /// An element opens (or is empty, when `open` is false) inside `<sheetData>`.
    fn start(&mut self, element: &BytesStart<'_>, level: usize, open: bool) -> Result<(), IngestError> {
        let name = local_name(element);
        match name {
            "row" if self.row.is_none() => {
                self.begin_row(element, level)?;
                if !open {
                    self.end_row()?;
                }
            }
            "c" if self.row.is_some() && self.cell.is_none() => {
                self.begin_cell(element, level)?;
                if !open {
                    self.end_cell()?;
                }
            }
            "v" if open && self.cell.is_some() && self.capture.is_none() => {
                self.capture = Some((Capture::Value, level));
            }
            "is" if open && self.cell.is_some() && self.inline_depth.is_none() => self.inline_depth = Some(level),
            "rPh" if open && self.inline_depth.is_some() && self.phonetic_depth.is_none() => {
                self.phonetic_depth = Some(level);
            }
            "t" if open && self.inline_depth.is_some() && self.phonetic_depth.is_none() && self.capture.is_none() => {
                self.capture = Some((Capture::Inline, level));
            }
            _ => {}
        }
        Ok(())
    }

    /// The element at depth `level` closes.
    fn end(&mut self, level: usize) -> Result<(), IngestError> {
        if self.capture.is_some_and(|(_, at)| at == level) {
            self.capture = None;
        } else if self.phonetic_depth == Some(level) {
            self.phonetic_depth = None;
        } else if self.inline_depth == Some(level) {
            self.inline_depth = None;
        } else if self.cell.as_ref().is_some_and(|cell| cell.depth == level) {
            self.end_cell()?;
        } else if self.row.is_some_and(|(_, at)| at == level) {
            self.end_row()?;
        }
        Ok(())
    }

    /// Character data: kept only inside a `<v>` or an inline string's `<t>`.
    fn text(&mut self, event: &Event<'_>) -> Result<(), IngestError> {
        let target = match self.capture {
            Some((Capture::Value, _)) => &mut self.value,
            Some((Capture::Inline, _)) => &mut self.inline,
            None => return Ok(()),
        };
        push_text(target, event, self.ctx)?;
        let pending = self.value.len().saturating_add(self.inline.len());
        self.check_row_size(pending)
    }

    fn begin_row(&mut self, element: &BytesStart<'_>, level: usize) -> Result<(), IngestError> {
        let number = match attribute(element, "r", self.ctx)? {
            Some(text) => match text.trim().parse::<usize>() {
                // Rows must increase: a sheet repeating r="2" would otherwise pass the row
                // limit as often as it likes.
                Ok(number) if number <= self.last_row && self.last_row > 0 => {
                    let last = self.last_row;
                    return Err(self
                        .ctx
                        .damaged(format_args!("row {number} comes after row {last}; rows must increase")));
                }
                Ok(number) if (1..=MAX_ROW).contains(&number) => number,
                _ => return Err(self.ctx.damaged(format_args!("row number '{text}' is not between 1 and {MAX_ROW}"))),
            },
            None if self.last_row < MAX_ROW => self.last_row + 1,
            None => return Err(self.ctx.damaged(format_args!("more than {MAX_ROW} rows"))),
        };
        for field in &mut self.fields[..self.width] {
            field.clear();
        }
        self.width = 0;
        self.row_bytes = 0;
        self.next_column = 0;
        self.row = Some((number, level));
        self.last_row = number;
        Ok(())
    }

    fn begin_cell(&mut self, element: &BytesStart<'_>, level: usize) -> Result<(), IngestError> {
        let row = self.row_number();
        let [reference, kind, style] = attributes(element, ["r", "t", "s"], self.ctx)?;
        let column = match reference {
            Some(reference) => column_of(&reference).map_err(|problem| {
                self.ctx.damaged(format_args!("row {row}: cell reference '{reference}' {problem}"))
            })?,
            None => self.next_column,
        };
        if column >= MAX_COLUMNS {
            return Err(self.ctx.damaged(format_args!("row {row} has a cell beyond column XFD")));
        }
        let kind = CellKind::parse(kind.as_deref());
        // An unreadable style index is the default style (a number, not a date).
        let style = style.and_then(|style| style.trim().parse::<usize>().ok()).unwrap_or(0);
        self.cell = Some(OpenCell { column, kind, style, depth: level });
        self.value.clear();
        self.inline.clear();
        self.capture = None;
        self.inline_depth = None;
        self.phonetic_depth = None;
        Ok(())
    }

    fn end_cell(&mut self) -> Result<(), IngestError> {
        let Some(cell) = self.cell.take() else {
            return Ok(());
        };
        self.capture = None;
        self.inline_depth = None;
        self.phonetic_depth = None;
        self.next_column = cell.column + 1;
        if self.fields.len() <= cell.column {
            self.fields.resize_with(cell.column + 1, String::new);
        }
        self.width = self.width.max(cell.column + 1);
        let row = self.row_number();
        let mut field = std::mem::take(&mut self.fields[cell.column]);
        field.clear();
        let rendered = self.render(&cell, row, &mut field);
        let added = field.len();
        self.fields[cell.column] = field;
        rendered?;
        self.row_bytes = self.row_bytes.saturating_add(added);
        self.check_row_size(0)
    }

    /// Writes the cell's text into `out`.
    fn render(&self, cell: &OpenCell, row: usize, out: &mut String) -> Result<(), IngestError> {
        let value = self.value.trim();
        match cell.kind {
            CellKind::Shared => {
                let at = || format!("{}{row}", column_name(cell.column));
                let Some(strings) = self.sheet.strings else {
                    return Err(IngestError::XlsxDamaged {
                        file: self.ctx.file.to_owned(),
                        detail: format!(
                            "{}: the part is missing, but cell {} of {} uses a shared string",
                            self.sheet.strings_part,
                            at(),
                            self.ctx.part
                        ),
                    });
                };
                let text = value.parse::<usize>().ok().and_then(|index| strings.get(index)).ok_or_else(|| {
                    self.ctx.damaged(format_args!(
                        "cell {} uses shared string '{value}', but there are {}",
                        at(),
                        strings.len()
                    ))
                })?;
                out.push_str(text);
            }
            CellKind::Text => out.push_str(&self.value),
            CellKind::Inline => out.push_str(if self.inline.is_empty() { &self.value } else { &self.inline }),
            CellKind::Bool if value.is_empty() => {}
            CellKind::Bool => out.push_str(if is_true(value) { "1" } else { "0" }),
            CellKind::Error => {}
            CellKind::Date => out.push_str(value.split_once('T').map_or(value, |(date, _)| date)),
            CellKind::Number if value.is_empty() => out.push_str(&self.inline),
            CellKind::Number => match value.parse::<f64>() {
                Ok(number) => {
                    let is_date = self.sheet.date_styles.get(cell.style).copied().unwrap_or(false);
                    match serial_to_date(number, self.sheet.date1904).filter(|_| is_date) {
                        Some(date) => out.push_str(&date),
                        None => out.push_str(&format_number(number)),
                    }
                }
                // Not a number after all: kept as written, for the table to judge.
                Err(_) => out.push_str(value),
            },
        }
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), IngestError> {
        self.end_cell()?;
        let Some((number, _)) = self.row.take() else {
            return Ok(());
        };
        let used = self.fields[..self.width].iter().rposition(|field| !field.trim().is_empty()).map_or(0, |at| at + 1);
        if used == 0 {
            return Ok(());
        }
        let mut view: Vec<&str> = self.fields[..used].iter().map(String::as_str).collect();
        match self.header_width {
            None => {
                self.header_width = Some(used);
                self.sink.header(number, &view)
            }
            Some(width) => {
                if view.len() < width {
                    view.resize(width, "");
                }
                self.records += 1;
                self.sink.record(number, &view)
            }
        }
    }

    fn row_number(&self) -> usize {
        self.row.map_or(self.last_row, |(number, _)| number)
    }

    fn check_row_size(&self, pending: usize) -> Result<(), IngestError> {
        if self.row_bytes.saturating_add(pending) > MAX_ROW_MB << 20 {
            return Err(IngestError::RowTooLong {
                file: self.ctx.file.to_owned(),
                row: self.row_number(),
                limit_mb: MAX_ROW_MB,
            });
        }
        Ok(())
    }
}

/// The 0-based column of a cell reference such as `B3` (the row part is not used).
fn column_of(reference: &str) -> Result<usize, &'static str> {
    let reference = reference.trim().trim_start_matches('$');
    let letters = reference.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 {
        return Err("has no column letters");
    }
    if letters > 3 {
        return Err("is beyond column XFD");
    }
    let rest = reference.get(letters..).unwrap_or("");
    let rest = rest.strip_prefix('$').unwrap_or(rest);
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return Err("is not a cell reference");
    }
    let number = reference
        .bytes()
        .take(letters)
        .fold(0usize, |number, letter| number * 26 + usize::from(letter.to_ascii_uppercase() - b'A') + 1);
    if number > MAX_COLUMNS {
        return Err("is beyond column XFD");
    }
    Ok(number - 1)
}

/// The letters of a 0-based column (`0` → `A`, `27` → `AB`).
fn column_name(column: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = column + 1;
    while rest > 0 && letters.len() < 8 {
        let digit = (rest - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        rest = (rest - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
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
        format!(
            r#"<?xml version="1.0"?><worksheet {NS}><dimension ref="A1"/><sheetData>{rows}</sheetData></worksheet>"#
        )
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
        let (_, others) = read_workbook(&mut archive, "book.xlsx", &IngestBudget::TAB, None, &mut Recorder::default())
            .expect("reads");
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
}
