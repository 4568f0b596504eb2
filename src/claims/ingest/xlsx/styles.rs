//! The styles part: which cell formats show dates.

use super::*;

/// Reads the styles part: for each cell format (`cellXfs` index), whether it shows a date.
/// No styles part means no dates.
pub(super) fn read_styles<R: Read + Seek>(
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
pub(super) fn format_id(value: &str, ctx: Ctx<'_>) -> Result<u32, IngestError> {
    value.trim().parse().map_err(|_| ctx.damaged(format_args!("numFmtId '{value}' is not a number")))
}

/// Excel's built-in number formats that show a calendar date: 14–17 (dates) and 22 (date
/// and time). The built-in time-of-day and elapsed-time formats (18–21, 45–47) are not
/// dates: their cells keep their number.
pub(super) fn is_builtin_date(id: u32) -> bool {
    matches!(id, 14..=17 | 22)
}

/// Whether a custom format code shows a calendar date: it has a day or year part, or a
/// month part without hours or seconds (where `m` would be minutes), outside quoted text,
/// `[...]` sections (colours, locales, elapsed `[h]`), escapes and fill/padding characters.
pub(super) fn is_date_format(code: &str) -> bool {
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
pub(super) fn serial_to_date(serial: f64, date1904: bool) -> Option<String> {
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
