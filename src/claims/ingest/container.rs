//! Containers: sniffing a source by its first bytes and opening gzip, zip and xlsx, so the
//! format readers only ever see a text stream or a workbook.

use std::io::{Read, Seek, SeekFrom};

use super::budget::{BudgetKind, ByteMeter, IngestBudget};
use super::report::SourceFormat;
use super::IngestOptions;
use super::{xlsx, IngestError, RecordSink};
use crate::sorting::sort_stable_by;

/// Reads a text stream into a sink (the delimited reader, passed in by the caller).
pub(crate) type TextReader<'a> = dyn FnMut(&mut dyn Read, &mut dyn RecordSink) -> Result<(), IngestError> + 'a;

/// Extensions of zip entries taken as delimited text, in no particular order.
const TEXT_EXTENSIONS: [&str; 7] = ["csv", "tsv", "txt", "psv", "dat", "tab", "text"];

/// How many entry names a "no data file" message lists.
const LISTED_ENTRIES: usize = 5;

/// Reads `source` into `sink`, handing any text stream to `read_text`. Returns what the
/// source turned out to be, and the container's other parts that could be read instead.
pub(crate) fn read<R: Read + Seek>(
    mut source: R,
    file: &str,
    options: &IngestOptions,
    sink: &mut dyn RecordSink,
    read_text: &mut TextReader<'_>,
) -> Result<(SourceFormat, Vec<String>), IngestError> {
    let budget = &options.budget;
    let magic = sniff(&mut source, file)?;
    match magic {
        Magic::Gzip => {
            let stream = flate2::read::MultiGzDecoder::new(source);
            read_metered(stream, file, budget, sink, read_text).map_err(|error| as_compressed(error, file))?;
            Ok((SourceFormat::Gzip, Vec::new()))
        }
        Magic::Zip => read_zip(source, file, options, sink, read_text),
        Magic::LegacyXls => Err(IngestError::LegacyXls { file: file.to_owned() }),
        Magic::Other => {
            read_metered(source, file, budget, sink, read_text)?;
            Ok((SourceFormat::Text, Vec::new()))
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
    options: &IngestOptions,
    sink: &mut dyn RecordSink,
    read_text: &mut TextReader<'_>,
) -> Result<(SourceFormat, Vec<String>), IngestError> {
    let mut archive = zip::ZipArchive::new(source).map_err(|error| compressed(file, &error))?;
    if archive.index_for_name("xl/workbook.xml").is_some() {
        let (sheet, other_sheets) =
            xlsx::read_workbook(&mut archive, file, &options.budget, options.sheet.as_deref(), sink)?;
        return Ok((SourceFormat::Xlsx { sheet }, other_sheets));
    }
    // The data files: delimited text outside hidden folders, never a readme. A name that
    // cannot be decoded is passed over.
    let mut names: Vec<(usize, String)> = Vec::new();
    let mut data: Vec<(usize, String, u64)> = Vec::new();
    for index in 0..archive.len() {
        if let Some(Ok(name)) = archive.name_for_index(index) {
            let name = name.into_owned();
            if is_data_entry(&name) && !is_documentation(&name) {
                let size = archive.by_index(index).map_or(0, |entry| entry.size());
                data.push((index, name.clone(), size));
            }
            names.push((index, name));
        }
    }
    let chosen = match options.entry.as_deref() {
        // The user's choice, by its path (or, if unique, its file name).
        Some(wanted) => {
            let by_path = names.iter().position(|(_, name)| name == wanted);
            let by_base = || {
                let matches: Vec<usize> = (0..names.len())
                    .filter(|&i| names[i].1.rsplit('/').next() == Some(wanted) && !names[i].1.ends_with('/'))
                    .collect();
                (matches.len() == 1).then(|| matches[0])
            };
            match by_path.or_else(by_base) {
                Some(position) => names.get(position).map(|(index, name)| (*index, name.clone())),
                None => {
                    return Err(IngestError::ZipEntryNotFound {
                        file: file.to_owned(),
                        entry: wanted.to_owned(),
                        entries: listed_entries(&names),
                    })
                }
            }
        }
        // The largest data file: the claims, not the provider list or the codebook beside them.
        None => {
            let mut best: Option<&(usize, String, u64)> = None;
            for candidate in &data {
                if best.is_none_or(|best| candidate.2 > best.2) {
                    best = Some(candidate);
                }
            }
            best.map(|(index, name, _)| (*index, name.clone()))
        }
    };
    let Some((index, entry)) = chosen else {
        return Err(IngestError::ZipWithoutData { file: file.to_owned(), entries: listed_entries(&names) });
    };
    let other_entries: Vec<String> = data.into_iter().map(|(_, name, _)| name).filter(|name| *name != entry).collect();
    let stream = archive.by_index(index).map_err(|error| compressed(file, &error))?;
    let inner = format!("{file}!{entry}");
    read_metered(stream, &inner, &options.budget, sink, read_text).map_err(|error| as_compressed(error, &inner))?;
    Ok((SourceFormat::Zip { entry }, other_entries))
}

/// The first few entry names, sorted, for messages (folders and hidden files left out).
fn listed_entries(names: &[(usize, String)]) -> Vec<String> {
    let mut listed: Vec<String> =
        names.iter().map(|(_, name)| name.clone()).filter(|name| !name.ends_with('/') && !is_hidden(name)).collect();
    sort_stable_by(&mut listed, &|a, b| a.cmp(b));
    listed.truncate(LISTED_ENTRIES);
    listed
}

/// Whether an entry is documentation that ships beside data (a readme, a licence, a
/// codebook), which is never the claims.
fn is_documentation(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let stem = base.split('.').next().unwrap_or(&base);
    ["readme", "read_me", "license", "licence"].iter().any(|doc| stem.starts_with(doc))
        || ["notes", "changelog", "manifest"].contains(&stem)
        || ["codebook", "dictionary"].iter().any(|doc| stem.ends_with(doc))
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
    fn documentation_is_never_the_claims() {
        for doc in
            ["readme.txt", "README.md", "data/LICENSE.txt", "claims_codebook.csv", "data_dictionary.csv", "notes.txt"]
        {
            assert!(is_documentation(doc), "{doc}");
        }
        for data in ["claims.tsv", "data/claims.csv", "inpatient.csv", "notes_2024_claims.csv"] {
            assert!(!is_documentation(data), "{data}");
        }
    }

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
