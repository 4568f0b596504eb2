//! The shared strings part, read whole under its caps.

use super::*;

/// The shared strings, held as one text with the end offset of each string.
#[derive(Debug, Default)]
pub(super) struct SharedStrings {
    pub(super) text: String,
    pub(super) ends: Vec<u32>,
}

impl SharedStrings {
    pub(super) fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Closes the string being built at the end of `text`.
    pub(super) fn close(&mut self, ctx: Ctx<'_>) -> Result<(), IngestError> {
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
pub(super) fn read_shared_strings<R: Read + Seek>(
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
