//! The worksheet, streamed row by row into the record sink: cell references, types and values.

use super::*;

/// What a sheet needs from the rest of the workbook.
pub(super) struct SheetContext<'a> {
    pub(super) strings: &'a Option<SharedStrings>,
    /// Where the shared strings are (or would be), for messages.
    pub(super) strings_part: &'a str,
    pub(super) date_styles: &'a [bool],
    pub(super) date1904: bool,
    /// The file's budget (the sheet part's bytes count against it).
    pub(super) budget: &'a IngestBudget,
}

/// A cell's `t` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CellKind {
    Number,
    Shared,
    Text,
    Inline,
    Bool,
    Error,
    Date,
}

impl CellKind {
    pub(super) fn parse(kind: Option<&str>) -> Self {
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
pub(super) struct OpenCell {
    pub(super) column: usize,
    pub(super) kind: CellKind,
    pub(super) style: usize,
    pub(super) depth: usize,
}

/// Where the text of the current event goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Capture {
    Value,
    Inline,
}

/// The state of a sheet being streamed: the current row's fields, reused row after row.
pub(super) struct SheetReader<'a, 's> {
    pub(super) ctx: Ctx<'a>,
    pub(super) sheet: &'a SheetContext<'a>,
    pub(super) sink: &'s mut dyn RecordSink,
    pub(super) fields: Vec<String>,
    pub(super) width: usize,
    pub(super) row: Option<(usize, usize)>,
    pub(super) last_row: usize,
    pub(super) row_bytes: usize,
    pub(super) next_column: usize,
    pub(super) cell: Option<OpenCell>,
    pub(super) capture: Option<(Capture, usize)>,
    pub(super) inline_depth: Option<usize>,
    pub(super) phonetic_depth: Option<usize>,
    pub(super) value: String,
    pub(super) inline: String,
    pub(super) header_width: Option<usize>,
    pub(super) records: usize,
}

/// Streams the worksheet at `path` into `sink`.
pub(super) fn read_sheet<R: Read + Seek>(
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
    pub(super) fn start(&mut self, element: &BytesStart<'_>, level: usize, open: bool) -> Result<(), IngestError> {
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
    pub(super) fn end(&mut self, level: usize) -> Result<(), IngestError> {
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
    pub(super) fn text(&mut self, event: &Event<'_>) -> Result<(), IngestError> {
        let target = match self.capture {
            Some((Capture::Value, _)) => &mut self.value,
            Some((Capture::Inline, _)) => &mut self.inline,
            None => return Ok(()),
        };
        push_text(target, event, self.ctx)?;
        let pending = self.value.len().saturating_add(self.inline.len());
        self.check_row_size(pending)
    }

    pub(super) fn begin_row(&mut self, element: &BytesStart<'_>, level: usize) -> Result<(), IngestError> {
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

    pub(super) fn begin_cell(&mut self, element: &BytesStart<'_>, level: usize) -> Result<(), IngestError> {
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

    pub(super) fn end_cell(&mut self) -> Result<(), IngestError> {
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
    pub(super) fn render(&self, cell: &OpenCell, row: usize, out: &mut String) -> Result<(), IngestError> {
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

    pub(super) fn end_row(&mut self) -> Result<(), IngestError> {
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

    pub(super) fn row_number(&self) -> usize {
        self.row.map_or(self.last_row, |(number, _)| number)
    }

    pub(super) fn check_row_size(&self, pending: usize) -> Result<(), IngestError> {
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
pub(super) fn column_of(reference: &str) -> Result<usize, &'static str> {
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
pub(super) fn column_name(column: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = column + 1;
    while rest > 0 && letters.len() < 8 {
        let digit = (rest - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        rest = (rest - 1) / 26;
    }
    letters.iter().rev().collect()
}
