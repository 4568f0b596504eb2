//! Containers: sniffing a source by its first bytes and opening gzip, zip and xlsx, so the
//! format readers only ever see a text stream or a workbook.

use std::io::{Read, Seek, SeekFrom};

use super::budget::{BudgetKind, ByteMeter, IngestBudget};
use super::report::SourceFormat;
use super::{xlsx, IngestError, RecordSink};
use crate::sorting::sort_stable_by;

/// Reads a text stream into a sink (the delimited reader, passed in by the caller).
pub(crate) type TextReader<'a> = dyn FnMut(&mut dyn Read, &mut dyn RecordSink) -> Result<(), IngestError> + 'a;

/// Extensions of zip entries taken as delimited text, in no particular order.
const TEXT_EXTENSIONS: [&str; 7] = ["csv", "tsv", "txt", "psv", "dat", "tab", "text"];

/// How many entry names a "no data file" message lists.
const LISTED_ENTRIES: usize = 5;

/// Reads `source` into `sink`, handing any text stream to `read_text`. Returns what the
/// source turned out to be.
pub(crate) fn read<R: Read + Seek>(
    mut source: R,
    file: &str,
    budget: &IngestBudget,
    sink: &mut dyn RecordSink,
    read_text: &mut TextReader<'_>,
) -> Result<SourceFormat, IngestError> {
    let magic = sniff(&mut source, file)?;
    match magic {
        Magic::Gzip => {
            let stream = flate2::read::MultiGzDecoder::new(source);
            read_metered(stream, file, budget, sink, read_text).map_err(|error| as_compressed(error, file))?;
            Ok(SourceFormat::Gzip)
        }
        Magic::Zip => read_zip(source, file, budget, sink, read_text),
        Magic::LegacyXls => Err(IngestError::LegacyXls { file: file.to_owned() }),
        Magic::Other => {
            read_metered(source, file, budget, sink, read_text)?;
            Ok(SourceFormat::Text)
        }
    }
}

/// `read_text` over `stream`, stopped at the byte budget with an error that names it.
fn read_metered(
    stream: impl Read,
    file: &str,
    budget: &IngestBudget,
    sink: &mut dyn RecordSink,
    read_text: &mut TextReader<'_>,
) -> Result<(), IngestError> {
    let mut metered = ByteMeter::new(stream, budget.max_bytes);
    let result = read_text(&mut metered, sink);
    if metered.exceeded() {
        return Err(IngestError::OverBudget {
            file: file.to_owned(),
            row: None,
            kind: BudgetKind::Bytes,
            detail: budget.describe(BudgetKind::Bytes),
        });
    }
    result
}

enum Magic {
    Gzip,
    Zip,
    LegacyXls,
    Other,
}

fn sniff<R: Read + Seek>(source: &mut R, file: &str) -> Result<Magic, IngestError> {
    let mut head = [0u8; 4];
    let mut filled = 0;
    while filled < head.len() {
        match source.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(read_error(file, &error)),
        }
    }
    source.seek(SeekFrom::Start(0)).map_err(|error| read_error(file, &error))?;
    Ok(match &head[..filled] {
        [0x1f, 0x8b, ..] => Magic::Gzip,
        [b'P', b'K', 3, 4] | [b'P', b'K', 5, 6] => Magic::Zip,
        [0xD0, 0xCF, 0x11, 0xE0] => Magic::LegacyXls,
        _ => Magic::Other,
    })
}

fn read_zip<R: Read + Seek>(
    source: R,
    file: &str,
    budget: &IngestBudget,
    sink: &mut dyn RecordSink,
    read_text: &mut TextReader<'_>,
) -> Result<SourceFormat, IngestError> {
    let mut archive = zip::ZipArchive::new(source).map_err(|error| compressed(file, &error))?;
    if archive.index_for_name("xl/workbook.xml").is_some() {
        let sheet = xlsx::read_workbook(&mut archive, file, budget, sink)?;
        return Ok(SourceFormat::Xlsx { sheet });
    }
    // Entries are taken in archive order; a name that cannot be decoded is passed over.
    let mut names: Vec<(usize, String)> = Vec::new();
    for index in 0..archive.len() {
        if let Some(Ok(name)) = archive.name_for_index(index) {
            names.push((index, name.into_owned()));
        }
    }
    let Some((index, entry)) = names.iter().find(|(_, name)| is_data_entry(name)).cloned() else {
        let mut listed: Vec<String> =
            names.into_iter().map(|(_, name)| name).filter(|name| !name.ends_with('/') && !is_hidden(name)).collect();
        sort_stable_by(&mut listed, &|a, b| a.cmp(b));
        listed.truncate(LISTED_ENTRIES);
        return Err(IngestError::ZipWithoutData { file: file.to_owned(), entries: listed });
    };
    let stream = archive.by_index(index).map_err(|error| compressed(file, &error))?;
    let inner = format!("{file}!{entry}");
    read_metered(stream, &inner, budget, sink, read_text).map_err(|error| as_compressed(error, &inner))?;
    Ok(SourceFormat::Zip { entry })
}

fn is_hidden(name: &str) -> bool {
    name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|base| base.starts_with('.'))
}

fn is_data_entry(name: &str) -> bool {
    if name.ends_with('/') || is_hidden(name) {
        return false;
    }
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rsplit_once('.').is_some_and(|(_, ext)| TEXT_EXTENSIONS.iter().any(|known| ext.eq_ignore_ascii_case(known)))
}

fn read_error(file: &str, error: &std::io::Error) -> IngestError {
    IngestError::Read { file: file.to_owned(), detail: error.to_string() }
}

fn compressed(file: &str, error: &dyn std::fmt::Display) -> IngestError {
    IngestError::Compressed { file: file.to_owned(), detail: error.to_string() }
}

/// A read failure inside a decompressor is damaged compressed data, not a disk problem.
fn as_compressed(error: IngestError, file: &str) -> IngestError {
    match error {
        IngestError::Read { detail, .. } => IngestError::Compressed { file: file.to_owned(), detail },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_entries_are_text_files_outside_hidden_folders() {
        assert!(is_data_entry("claims.csv"));
        assert!(is_data_entry("2025/Q1/CLAIMS.TXT"));
        assert!(!is_data_entry("__MACOSX/._claims.csv"));
        assert!(!is_data_entry(".hidden.csv"));
        assert!(!is_data_entry("readme.pdf"));
        assert!(!is_data_entry("folder/"));
        assert!(!is_data_entry("csv"));
    }
}
