//! placeholder: the streaming table builder.

use super::report::{SchemaReport, SourceFormat};
use super::{IngestError, IngestOptions, Ingested, RecordSink};

pub(crate) struct TableBuilder;

impl TableBuilder {
    pub(crate) fn new(file: &str, options: &IngestOptions) -> Result<Self, IngestError> {
        let _ = (file, options);
        Ok(Self)
    }

    pub(crate) fn finish(self, format: SourceFormat) -> Result<Ingested, IngestError> {
        let _ = format;
        Err(IngestError::Empty { file: String::new() })
    }
}

impl RecordSink for TableBuilder {
    fn header(&mut self, _row: usize, _fields: &[&str]) -> Result<(), IngestError> {
        Ok(())
    }
    fn record(&mut self, _row: usize, _fields: &[&str]) -> Result<(), IngestError> {
        Ok(())
    }
    fn note_text(&mut self, _encoding: &'static str, _delimiter: Option<u8>) {}
}

#[allow(dead_code)]
fn unused(_: SchemaReport) {}
