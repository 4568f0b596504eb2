//! The workbook and its relationships: which part is which sheet, the date system, and the sheet a user asked for.

use super::*;

/// What a relationship points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RelKind {
    Worksheet,
    SharedStrings,
    Styles,
    Other,
}

/// One relationship of the workbook part.
#[derive(Debug)]
pub(super) struct Relationship {
    pub(super) id: String,
    pub(super) kind: RelKind,
    /// The target's path inside the archive.
    pub(super) path: String,
}

/// The sheet to read.
#[derive(Debug)]
pub(super) struct SheetRef {
    pub(super) name: String,
    pub(super) path: String,
}

/// What the workbook part says.
#[derive(Debug)]
pub(super) struct WorkbookInfo {
    /// The worksheets, in workbook order (chart and macro sheets left out).
    pub(super) sheets: Vec<SheetRef>,
    pub(super) date1904: bool,
}

/// The workbook's relationships, or `None` when the part is absent.
pub(super) fn read_relationships<R: Read + Seek>(
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
pub(super) fn relationship(element: &BytesStart<'_>, ctx: Ctx<'_>) -> Result<Option<Relationship>, IngestError> {
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
pub(super) fn resolve_target(target: &str) -> String {
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
pub(super) fn part_of_kind(rels: &[Relationship], kind: RelKind) -> Option<String> {
    rels.iter().find(|rel| rel.kind == kind).map(|rel| rel.path.clone())
}

/// Reads `xl/workbook.xml`: the first worksheet (resolved through `rels`) and the date system.
pub(super) fn read_workbook_part<R: Read + Seek>(
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
pub(super) fn worksheet_of(
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

pub(super) fn is_true(flag: &str) -> bool {
    flag == "1" || flag.eq_ignore_ascii_case("true")
}
