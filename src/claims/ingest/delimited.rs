//! Delimited text as a stream of records: RFC 4180 quoting, any line ending, delimiter
//! sniffing, and UTF-8 (BOM or not) with a Windows-1252 fallback per record.
//!
//! The text is read in fixed chunks and split byte by byte (delimiters, quotes and line
//! breaks are ASCII, so this is safe for UTF-8); only the current record is ever held.

use std::io::Read;

use super::builder::MAX_COLUMNS;
use super::{IngestError, RecordSink};

/// How much is read from the source at a time.
const CHUNK_BYTES: usize = 256 * 1024;
/// The longest record accepted.
pub(crate) const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
/// The most fields of a record that are kept: one more than a header may have, so a wider
/// record is still seen as too wide.
const MAX_FIELDS: usize = MAX_COLUMNS + 1;
/// The separators that sniffing considers, in tie-breaking order.
const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Reads every record of `stream` into `sink`; `delimiter` `None` sniffs it from the header.
pub(crate) fn read_records(
    stream: &mut dyn Read,
    file: &str,
    delimiter: Option<u8>,
    sink: &mut dyn RecordSink,
) -> Result<(), IngestError> {
    let mut source = Chunks::new(stream, file);
    let first = source.fill()?;
    if first.is_empty() {
        return Err(IngestError::Empty { file: file.to_owned() });
    }
    let (encoding, bom_len) = match first {
        [0xEF, 0xBB, 0xBF, ..] => ("utf-8 with BOM", 3),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => {
            return Err(IngestError::UnsupportedEncoding { file: file.to_owned(), encoding: "UTF-16".into() })
        }
        _ => ("utf-8", 0),
    };
    if let Some(offset) = first.iter().position(|&b| b == 0) {
        return Err(IngestError::Binary { file: file.to_owned(), offset: offset as u64 });
    }
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&first[bom_len..]));
    sink.delimiter_chosen(delimiter);
    source.consume(bom_len);
    let mut splitter = Splitter::new(delimiter);
    let mut decoded = String::new();
    let mut used_fallback = false;
    let mut have_header = false;
    loop {
        let record = splitter.next_record(&mut source)?;
        let Some(row) = record else { break };
        if splitter.is_blank() {
            continue;
        }
        let fields = splitter.fields(&mut decoded, &mut used_fallback);
        if have_header {
            sink.record(row, &fields)?;
        } else {
            sink.header(row, &fields)?;
            have_header = true;
        }
    }
    if !have_header {
        return Err(IngestError::Empty { file: file.to_owned() });
    }
    sink.note_text(if used_fallback { "windows-1252" } else { encoding }, Some(delimiter));
    Ok(())
}

/// The candidate separator seen most often on the first line, outside quotes (comma on ties
/// and when there is none).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; CANDIDATE_DELIMITERS.len()];
    let mut in_quotes = false;
    for &byte in head {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            _ if !in_quotes => {
                if let Some(idx) = CANDIDATE_DELIMITERS.iter().position(|&d| d == byte) {
                    counts[idx] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for idx in 1..counts.len() {
        if counts[idx] > counts[best] {
            best = idx;
        }
    }
    CANDIDATE_DELIMITERS[best]
}

/// A source read in chunks, with the unread part of the current chunk.
struct Chunks<'a> {
    stream: &'a mut dyn Read,
    file: &'a str,
    buffer: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes read from the stream so far.
    offset: u64,
}

impl<'a> Chunks<'a> {
    fn new(stream: &'a mut dyn Read, file: &'a str) -> Self {
        Self { stream, file, buffer: vec![0; CHUNK_BYTES], start: 0, end: 0, eof: false, offset: 0 }
    }

    /// The unread bytes, reading more if none are left; empty only at the end.
    fn fill(&mut self) -> Result<&[u8], IngestError> {
        while self.start >= self.end && !self.eof {
            match self.stream.read(&mut self.buffer) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    // NUL never appears in text; one anywhere means binary (the first chunk is
                    // checked by the caller, after a UTF-16 byte order mark is ruled out).
                    if self.offset > 0 {
                        if let Some(position) = self.buffer[..n].iter().position(|&b| b == 0) {
                            let offset = self.offset + position as u64;
                            return Err(IngestError::Binary { file: self.file.to_owned(), offset });
                        }
                    }
                    self.offset += n as u64;
                    self.start = 0;
                    self.end = n;
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(IngestError::Read { file: self.file.to_owned(), detail: error.to_string() }),
            }
        }
        Ok(&self.buffer[self.start..self.end])
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }
}

/// The bytes that end a run inside quotes: the quote and LF (which counts a line).
const QUOTED_SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    special[b'"' as usize] = true;
    special[b'\n' as usize] = true;
    special
};

/// Every byte goes through the slow path (the states right after a quote).
const ALL_SPECIAL: [bool; 256] = [true; 256];

/// Where the splitter is inside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// Inside an unquoted field.
    Unquoted,
    /// Inside quotes.
    Quoted,
    /// Just saw a quote inside quotes: a second quote is a literal, anything else closes.
    QuoteInQuoted,
    /// After a closing quote, before the delimiter (stray text is kept, leniently).
    AfterQuoted,
}

/// Splits records out of chunks, keeping the current record's bytes and field ends.
struct Splitter {
    delimiter: u8,
    /// The bytes that end a run outside quotes: the delimiter, CR, LF and the quote.
    unquoted_special: [bool; 256],
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// 1-based line the splitter is on.
    line: usize,
    /// A '\r' ended the last record; a '\n' right after it belongs to the same break.
    pending_cr: bool,
}

impl Splitter {
    fn new(delimiter: u8) -> Self {
        let mut unquoted_special = [false; 256];
        for byte in [delimiter, b'\n', b'\r', b'"'] {
            unquoted_special[usize::from(byte)] = true;
        }
        Self {
            delimiter,
            unquoted_special,
            bytes: Vec::with_capacity(1024),
            ends: Vec::with_capacity(64),
            line: 1,
            pending_cr: false,
        }
    }

    /// Reads the next record; returns the line it starts on, or `None` at the end of input.
    fn next_record(&mut self, source: &mut Chunks<'_>) -> Result<Option<usize>, IngestError> {
        self.bytes.clear();
        self.ends.clear();
        let mut state = State::FieldStart;
        let mut start_line = self.line;
        let mut quote_line = self.line;
        let mut started = false;
        loop {
            let chunk = source.fill()?;
            if chunk.is_empty() {
                return match state {
                    State::Quoted => Err(IngestError::UnclosedQuote { file: source.file.to_owned(), row: quote_line }),
                    _ if !started => Ok(None),
                    _ => {
                        self.end_field();
                        Ok(Some(start_line))
                    }
                };
            }
            let mut consumed = 0;
            let mut finished = false;
            while consumed < chunk.len() {
                // Fast path: copy a run of ordinary bytes in one go.
                if !self.pending_cr {
                    let special: &[bool; 256] = match state {
                        State::FieldStart | State::Unquoted => &self.unquoted_special,
                        State::Quoted => &QUOTED_SPECIAL,
                        State::QuoteInQuoted | State::AfterQuoted => &ALL_SPECIAL,
                    };
                    let rest = chunk.get(consumed..).unwrap_or(&[]);
                    let run = rest.iter().position(|&b| special[usize::from(b)]).unwrap_or(rest.len());
                    if run > 0 {
                        self.bytes.extend_from_slice(rest.get(..run).unwrap_or(&[]));
                        consumed += run;
                        started = true;
                        if state == State::FieldStart {
                            state = State::Unquoted;
                        }
                        continue;
                    }
                }
                let Some(&byte) = chunk.get(consumed) else { break };
                consumed += 1;
                if self.pending_cr {
                    self.pending_cr = false;
                    if byte == b'\n' {
                        start_line = self.line;
                        quote_line = self.line;
                        continue;
                    }
                }
                started = true;
                match state {
                    State::Quoted => match byte {
                        b'"' => state = State::QuoteInQuoted,
                        b'\n' => {
                            self.line += 1;
                            self.bytes.push(byte);
                        }
                        _ => self.bytes.push(byte),
                    },
                    State::QuoteInQuoted if byte == b'"' => {
                        self.bytes.push(b'"');
                        state = State::Quoted;
                    }
                    State::FieldStart | State::Unquoted | State::QuoteInQuoted | State::AfterQuoted => {
                        if byte == self.delimiter {
                            self.end_field();
                            state = State::FieldStart;
                        } else if byte == b'\n' || byte == b'\r' {
                            self.line += 1;
                            self.pending_cr = byte == b'\r';
                            self.end_field();
                            finished = true;
                            break;
                        } else if byte == b'"' && state == State::FieldStart {
                            state = State::Quoted;
                            quote_line = self.line;
                        } else {
                            self.bytes.push(byte);
                            state = match state {
                                State::FieldStart | State::Unquoted => State::Unquoted,
                                _ => State::AfterQuoted,
                            };
                        }
                    }
                }
            }
            source.consume(consumed);
            if finished {
                return Ok(Some(start_line));
            }
            if self.bytes.len() > MAX_RECORD_BYTES {
                return Err(IngestError::RowTooLong {
                    file: source.file.to_owned(),
                    row: start_line,
                    limit_mb: MAX_RECORD_BYTES / (1024 * 1024),
                });
            }
        }
    }

    /// Ends the current field. Past [`MAX_FIELDS`] fields only the first are kept: the
    /// record is refused or rejected for its width anyway, and a 16 MB line of commas must
    /// not become sixteen million field ends.
    #[inline]
    fn end_field(&mut self) {
        if self.ends.len() < MAX_FIELDS {
            self.ends.push(self.bytes.len());
        }
    }

    /// Whether the record is a blank line (one empty field).
    fn is_blank(&self) -> bool {
        self.ends.len() == 1 && self.bytes.iter().all(u8::is_ascii_whitespace)
    }

    /// The record's fields as text: UTF-8 when the record is valid UTF-8, else each byte
    /// read as Windows-1252 (decoded into `decoded`).
    fn fields<'s>(&'s self, decoded: &'s mut String, used_fallback: &mut bool) -> Vec<&'s str> {
        let mut fields = Vec::with_capacity(self.ends.len());
        if let Ok(text) = std::str::from_utf8(&self.bytes) {
            let mut start = 0;
            for &end in &self.ends {
                fields.push(text.get(start..end).unwrap_or(""));
                start = end;
            }
            return fields;
        }
        *used_fallback = true;
        decoded.clear();
        let mut char_ends = Vec::with_capacity(self.ends.len());
        let mut start = 0;
        for &end in &self.ends {
            for &byte in self.bytes.get(start..end).unwrap_or(&[]) {
                decoded.push(windows_1252(byte));
            }
            char_ends.push(decoded.len());
            start = end;
        }
        let mut start = 0;
        for end in char_ends {
            fields.push(decoded.get(start..end).unwrap_or(""));
            start = end;
        }
        fields
    }
}

/// One Windows-1252 byte as a char (bytes 0x80–0x9F are its printable extras; the five
/// undefined ones map to their C1 control points, as browsers do).
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every call, for assertions.
    #[derive(Debug, Default)]
    struct Recorder {
        rows: Vec<(usize, Vec<String>)>,
        encoding: Option<&'static str>,
        delimiter: Option<u8>,
    }

    impl RecordSink for Recorder {
        fn header(&mut self, row: usize, fields: &[&str]) -> Result<(), IngestError> {
            self.record(row, fields)
        }

        fn record(&mut self, row: usize, fields: &[&str]) -> Result<(), IngestError> {
            self.rows.push((row, fields.iter().map(|f| (*f).to_owned()).collect()));
            Ok(())
        }

        fn note_text(&mut self, encoding: &'static str, delimiter: Option<u8>) {
            self.encoding = Some(encoding);
            self.delimiter = delimiter;
        }
    }

    fn split(bytes: &[u8]) -> Result<Recorder, IngestError> {
        let mut recorder = Recorder::default();
        read_records(&mut &bytes[..], "f.csv", None, &mut recorder)?;
        Ok(recorder)
    }

    fn rows(recorder: &Recorder) -> Vec<(usize, Vec<&str>)> {
        recorder.rows.iter().map(|(row, fields)| (*row, fields.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn quotes_line_endings_and_blank_lines() {
        let recorder = split(b"a,b\r\n1,\"x, \"\"y\"\"\"\r\n\r\n2,\"two\nlines\"\n3,z\r4,w").unwrap();
        assert_eq!(
            rows(&recorder),
            vec![
                (1, vec!["a", "b"]),
                (2, vec!["1", "x, \"y\""]),
                (4, vec!["2", "two\nlines"]),
                (6, vec!["3", "z"]),
                (7, vec!["4", "w"]),
            ]
        );
        assert_eq!((recorder.encoding, recorder.delimiter), (Some("utf-8"), Some(b',')));
    }

    #[test]
    fn sniffs_the_delimiter_from_the_header() {
        for (text, delimiter) in [
            (&b"a;b;c\n1;2,5;3\n"[..], b';'),
            (b"a\tb\n1\t2\n", b'\t'),
            (b"a|b\n1|2\n", b'|'),
            (b"\"x;y\",b\n1,2\n", b','),
            (b"single\n1\n", b','),
        ] {
            let recorder = split(text).unwrap();
            assert_eq!(recorder.delimiter, Some(delimiter), "{}", String::from_utf8_lossy(text));
            assert_eq!(recorder.rows[1].1.len(), recorder.rows[0].1.len());
        }
    }

    #[test]
    fn bom_and_windows_1252_fallback() {
        let recorder = split(b"\xEF\xBB\xBFname\nJos\xC3\xA9\n").unwrap();
        assert_eq!(rows(&recorder), vec![(1, vec!["name"]), (2, vec!["José"])]);
        assert_eq!(recorder.encoding, Some("utf-8 with BOM"));
        let recorder = split(b"name,price\nJos\xE9,\x80 5\n\x93quoted\x94,1\n").unwrap();
        assert_eq!(rows(&recorder)[1], (2, vec!["José", "€ 5"]));
        assert_eq!(rows(&recorder)[2], (3, vec!["“quoted”", "1"]));
        assert_eq!(recorder.encoding, Some("windows-1252"));
    }

    #[test]
    fn errors_name_the_file_and_row() {
        assert_eq!(split(b"").unwrap_err(), IngestError::Empty { file: "f.csv".into() });
        assert_eq!(split(b"\n\r\n  \n").unwrap_err(), IngestError::Empty { file: "f.csv".into() });
        assert_eq!(
            split(b"a\n1\n\"open\nmore\n").unwrap_err(),
            IngestError::UnclosedQuote { file: "f.csv".into(), row: 3 }
        );
        assert!(matches!(split(b"a,b\n\x00\x01").unwrap_err(), IngestError::Binary { offset: 4, .. }));
        assert!(matches!(split(b"\xFF\xFEa\x00").unwrap_err(), IngestError::UnsupportedEncoding { .. }));
    }

    #[test]
    fn records_split_across_chunks_are_whole() {
        let mut text = String::from("id,note\n");
        for idx in 0..40_000 {
            text.push_str(&format!("{idx},\"line {idx}, with comma\"\r\n"));
        }
        let recorder = split(text.as_bytes()).unwrap();
        assert_eq!(recorder.rows.len(), 40_001);
        assert_eq!(recorder.rows[40_000], (40_001, vec!["39999".to_owned(), "line 39999, with comma".to_owned()]));
    }

    #[test]
    fn a_record_longer_than_the_limit_is_refused() {
        let mut text = b"a\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + CHUNK_BYTES + 1));
        assert!(matches!(split(&text).unwrap_err(), IngestError::RowTooLong { row: 2, .. }));
    }
}
