//! Delimited text as a stream of records: csv-core finds the fields and records (RFC 4180
//! quoting with doubled quotes, CR, LF or CRLF); this module sniffs the delimiter, reads the
//! BOM, decodes each record as UTF-8 or Windows-1252, numbers lines and enforces the limits.
//!
//! The text is read in fixed chunks and handed to csv-core, which copies each record's
//! unquoted bytes out (delimiters, quotes and line breaks are ASCII, so this is safe for
//! UTF-8); only the current record is ever held.

use std::io::Read;

use csv_core::{ReadRecordResult, Reader, ReaderBuilder, Terminator};

use super::builder::MAX_COLUMNS;
use super::{IngestError, RecordSink};

/// How much is read from the source at a time.
const CHUNK_BYTES: usize = 256 * 1024;
/// The longest record accepted (its bytes once unquoted).
pub(crate) const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
/// The most fields of a record that are kept: one more than a header may have, so a wider
/// record is still seen as too wide.
const MAX_FIELDS: usize = MAX_COLUMNS + 1;
/// The separators that sniffing considers, in tie-breaking order.
const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];
/// How many field ends csv-core reports per call (more only cost another call).
const ENDS_PER_CALL: usize = 64;
/// The record buffer's first size; it doubles as records need, up to the limit.
const FIRST_RECORD_BYTES: usize = 4 * 1024;

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
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(first.get(bom_len..).unwrap_or(&[])));
    sink.delimiter_chosen(delimiter);
    source.consume(bom_len);
    let mut records = Records::new(delimiter);
    let mut decoded = String::new();
    let mut used_fallback = false;
    let mut have_header = false;
    while let Some(row) = records.next_record(&mut source)? {
        if records.is_blank() {
            continue;
        }
        let fields = records.fields(&mut decoded, &mut used_fallback);
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

/// csv-core's reader for `delimiter`: `"` quotes, a doubled `"` inside quotes is one, and
/// CR, LF or CRLF ends a record.
fn csv_reader(delimiter: u8) -> Reader {
    ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(b'"')
        .double_quote(true)
        .escape(None)
        .comment(None)
        .terminator(Terminator::CRLF)
        .build()
}

/// The candidate separator seen most often in the first record outside quotes, as csv-core
/// reads it with that separator (comma on ties and when there is none).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut best = (0, CANDIDATE_DELIMITERS[0]);
    for delimiter in CANDIDATE_DELIMITERS {
        let count = separators_in_first_record(head, delimiter);
        if count > best.0 {
            best = (count, delimiter);
        }
    }
    best.1
}

/// How many delimiters csv-core finds outside quotes in the first record of `head` (or in as
/// much of the record as `head` holds): it ends a field at each.
fn separators_in_first_record(head: &[u8], delimiter: u8) -> usize {
    let mut reader = csv_reader(delimiter);
    let mut output = [0u8; 1024];
    let mut ends = [0usize; ENDS_PER_CALL];
    let mut input = head;
    let mut count = 0;
    loop {
        let (result, nin, _, nend) = reader.read_record(input, &mut output, &mut ends);
        input = input.get(nin..).unwrap_or(&[]);
        count += nend;
        match result {
            ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            // The record's last field ends at its terminator, not at a delimiter.
            ReadRecordResult::Record => return count.saturating_sub(1),
            ReadRecordResult::InputEmpty | ReadRecordResult::End => return count,
        }
    }
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

/// The records of a chunked source, as csv-core splits them: the current record's unquoted
/// bytes and field ends, and the line count.
struct Records {
    reader: Reader,
    /// `bytes[..len]` is the current record's unquoted bytes; the rest is room for csv-core
    /// to write into.
    bytes: Vec<u8>,
    len: usize,
    /// `ends[..n_ends]`: where each kept field ends in `bytes`. Only the first [`MAX_FIELDS`]
    /// are kept: the record is refused or rejected for its width anyway, and a 16 MB line of
    /// commas must not become sixteen million field ends.
    ends: Vec<usize>,
    n_ends: usize,
    /// Where csv-core writes the ends of fields past [`MAX_FIELDS`].
    dropped_ends: [usize; ENDS_PER_CALL],
    /// Where the record's last ended field ends, kept or not (an open field starts there).
    last_end: usize,
    /// The 1-based line of the next byte to read.
    line: usize,
    /// The last byte read was a CR (a LF right after it ends the same line).
    after_cr: bool,
}

impl Records {
    fn new(delimiter: u8) -> Self {
        Self {
            reader: csv_reader(delimiter),
            bytes: vec![0; FIRST_RECORD_BYTES],
            len: 0,
            ends: vec![0; MAX_FIELDS],
            n_ends: 0,
            dropped_ends: [0; ENDS_PER_CALL],
            last_end: 0,
            line: 1,
            after_cr: false,
        }
    }

    /// Reads the next record; returns the line it starts on, or `None` at the end of input.
    ///
    /// Each call's consumed bytes are the blank lines csv-core skipped (only CR and LF, as a
    /// record never starts with one), then the record's own bytes and its terminator; every
    /// line break in them, quoted or not, moves the line on.
    fn next_record(&mut self, source: &mut Chunks<'_>) -> Result<Option<usize>, IngestError> {
        self.len = 0;
        self.n_ends = 0;
        self.last_end = 0;
        let mut start_line = None;
        loop {
            if self.len == self.bytes.len() {
                self.grow(start_line, source.file)?;
            }
            let chunk = source.fill()?;
            if chunk.is_empty() {
                return self.finish(start_line, source.file);
            }
            let (result, nin, nout) = self.read(chunk);
            let mut consumed = chunk.get(..nin).unwrap_or(&[]);
            if start_line.is_none() {
                let blank = consumed.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(consumed.len());
                self.count_lines(consumed.get(..blank).unwrap_or(&[]));
                consumed = consumed.get(blank..).unwrap_or(&[]);
                if !consumed.is_empty() {
                    start_line = Some(self.line);
                }
            }
            self.count_lines(consumed);
            source.consume(nin);
            self.len += nout;
            match result {
                ReadRecordResult::Record => return Ok(Some(start_line.unwrap_or(self.line))),
                ReadRecordResult::InputEmpty if self.len > MAX_RECORD_BYTES => {
                    return Err(self.too_long(start_line, source.file))
                }
                ReadRecordResult::InputEmpty
                | ReadRecordResult::OutputFull
                | ReadRecordResult::OutputEndsFull
                | ReadRecordResult::End => {}
            }
        }
    }

    /// Has csv-core read on from `input` into the record; returns its result and the bytes
    /// read and written (the field ends are kept as they come).
    fn read(&mut self, input: &[u8]) -> (ReadRecordResult, usize, usize) {
        let output = self.bytes.get_mut(self.len..).unwrap_or(&mut []);
        let keep = self.n_ends < MAX_FIELDS;
        let ends: &mut [usize] =
            if keep { self.ends.get_mut(self.n_ends..).unwrap_or(&mut []) } else { &mut self.dropped_ends };
        let (result, nin, nout, nend) = self.reader.read_record(input, output, ends);
        if let Some(&last) = ends.get(..nend).and_then(<[usize]>::last) {
            self.last_end = last;
        }
        if keep {
            self.n_ends += nend;
        }
        (result, nin, nout)
    }

    /// At the end of input: the last record, if one was begun, unless a quote is still open.
    /// csv-core ends an open quoted field at the end of input as if it were closed, so it is
    /// asked first what a line break would do: inside quotes it is text (and the field
    /// started on the line that many line breaks back), anywhere else it ends the record.
    fn finish(&mut self, start_line: Option<usize>, file: &str) -> Result<Option<usize>, IngestError> {
        let Some(start_line) = start_line else { return Ok(None) };
        let (result, _, _) = self.read(b"\n");
        if result == ReadRecordResult::Record {
            return Ok(Some(start_line));
        }
        let open_field = self.bytes.get(self.last_end..self.len).unwrap_or(&[]);
        let row = self.line.saturating_sub(line_breaks(open_field, false));
        Err(IngestError::UnclosedQuote { file: file.to_owned(), row })
    }

    /// Doubles the room for the record's bytes, up to one byte past the limit.
    fn grow(&mut self, start_line: Option<usize>, file: &str) -> Result<(), IngestError> {
        if self.len > MAX_RECORD_BYTES {
            return Err(self.too_long(start_line, file));
        }
        let size = (self.bytes.len() * 2).clamp(FIRST_RECORD_BYTES, MAX_RECORD_BYTES + 1);
        self.bytes.resize(size, 0);
        Ok(())
    }

    fn too_long(&self, start_line: Option<usize>, file: &str) -> IngestError {
        IngestError::RowTooLong {
            file: file.to_owned(),
            row: start_line.unwrap_or(self.line),
            limit_mb: MAX_RECORD_BYTES / (1024 * 1024),
        }
    }

    /// Moves the line on past `bytes`, the next bytes of the file.
    fn count_lines(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else { return };
        self.line += line_breaks(bytes, self.after_cr);
        self.after_cr = last == b'\r';
    }

    /// The kept field ends.
    fn ends(&self) -> &[usize] {
        self.ends.get(..self.n_ends).unwrap_or(&[])
    }

    /// Whether the record is a blank line (one empty field).
    fn is_blank(&self) -> bool {
        self.n_ends == 1 && self.bytes.get(..self.len).unwrap_or(&[]).iter().all(u8::is_ascii_whitespace)
    }

    /// The record's fields as text: UTF-8 when the record is valid UTF-8, else each byte
    /// read as Windows-1252 (decoded into `decoded`).
    fn fields<'s>(&'s self, decoded: &'s mut String, used_fallback: &mut bool) -> Vec<&'s str> {
        let bytes = self.bytes.get(..self.len).unwrap_or(&[]);
        let mut fields = Vec::with_capacity(self.n_ends);
        if let Ok(text) = std::str::from_utf8(bytes) {
            let mut start = 0;
            for &end in self.ends() {
                fields.push(text.get(start..end).unwrap_or(""));
                start = end;
            }
            return fields;
        }
        *used_fallback = true;
        decoded.clear();
        let mut char_ends = Vec::with_capacity(self.n_ends);
        let mut start = 0;
        for &end in self.ends() {
            for &byte in bytes.get(start..end).unwrap_or(&[]) {
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

/// The line breaks in `bytes`: each LF, CR and CRLF is one (a LF first is the second half of
/// a CRLF when `after_cr`, the previous byte being a CR).
fn line_breaks(bytes: &[u8], after_cr: bool) -> usize {
    let (mut breaks, mut after_cr, mut rest) = (0, after_cr, bytes);
    while let Some(at) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
        let cr = rest.get(at) == Some(&b'\r');
        breaks += usize::from(cr || at > 0 || !after_cr);
        after_cr = cr;
        rest = rest.get(at + 1..).unwrap_or(&[]);
    }
    breaks
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
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::strategy::Strategy;

    use super::*;

    /// Records every call, for assertions.
    #[derive(Debug, Default, PartialEq)]
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

    /// A source that gives at most `piece` bytes per read, so records, quotes and CRLF pairs
    /// straddle reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        piece: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.piece.min(out.len()).min(self.bytes.len());
            let (head, rest) = self.bytes.split_at(n);
            out[..n].copy_from_slice(head);
            self.bytes = rest;
            Ok(n)
        }
    }

    fn split_in_pieces(bytes: &[u8], piece: usize, delimiter: u8) -> Result<Recorder, IngestError> {
        let mut recorder = Recorder::default();
        read_records(&mut Trickle { bytes, piece }, "f.csv", Some(delimiter), &mut recorder)?;
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

    /// The edges csv-core decides, as this reader documents them (RFC 4180, read leniently).
    #[test]
    fn csv_core_edges_behave_as_documented() {
        // A quoted delimiter, doubled quotes, a quote inside an unquoted field (literal) and
        // text after a closing quote (kept, as if the quotes were not there).
        let recorder = split(b"a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"\"\"\"\nab\"c,\"ab\"cd,\"a\"b\"c\"\n").unwrap();
        assert_eq!(
            rows(&recorder),
            vec![(1, vec!["a", "b", "c"]), (2, vec!["x,y", "say \"hi\"", "\""]), (3, vec!["ab\"c", "abcd", "ab\"c\""])]
        );
        // Quoted line breaks (LF, CRLF, and a lone CR, which is a line break outside quotes too)
        // count their lines, so the rows after them keep their file line numbers.
        let recorder =
            split(b"a,b\r\n\"two\nlines\",1\r\n\"crlf\r\ninside\",2\r\n\"cr\rinside\",3\r\n4,5\r\n").unwrap();
        assert_eq!(
            rows(&recorder),
            vec![
                (1, vec!["a", "b"]),
                (2, vec!["two\nlines", "1"]),
                (4, vec!["crlf\r\ninside", "2"]),
                (6, vec!["cr\rinside", "3"]),
                (8, vec!["4", "5"]),
            ]
        );
        // Blank and whitespace-only lines are skipped but counted; a CR-only file numbers
        // its lines the same.
        let recorder = split(b"a,b\n\n  \n\r\n1,2\r\r3,4").unwrap();
        assert_eq!(rows(&recorder), vec![(1, vec!["a", "b"]), (5, vec!["1", "2"]), (7, vec!["3", "4"])]);
        // A BOM is read (and only one is stripped: csv-core strips a second, which would
        // otherwise stick to the first header), CRLF after it, and a Windows-1252 record
        // among UTF-8 ones decodes alone.
        let recorder = split(b"\xEF\xBB\xBFname,city\r\nJos\xC3\xA9,K\xC3\xB6ln\r\nJos\xE9,\x93Paris\x94\r\n").unwrap();
        assert_eq!(
            rows(&recorder),
            vec![(1, vec!["name", "city"]), (2, vec!["José", "Köln"]), (3, vec!["José", "“Paris”"])]
        );
        assert_eq!(recorder.encoding, Some("windows-1252"));
        let recorder = split(b"\xEF\xBB\xBF\xEF\xBB\xBFname\n1\n").unwrap();
        assert_eq!((rows(&recorder)[0].clone(), recorder.encoding), ((1, vec!["name"]), Some("utf-8 with BOM")));
        // An unclosed quote is reported on the line where its field starts, after quoted
        // and unquoted line breaks of every kind.
        let error = split(b"a,b\r\n\"x\r\ny\",1\r\n2,\"open\r\nmore\rstill\nend").unwrap_err();
        assert_eq!(error, IngestError::UnclosedQuote { file: "f.csv".into(), row: 4 });
        // Sniffing counts delimiters as the reader will split the header: quoted ones and
        // blank lines before it do not count.
        let recorder = split(b"\n\n\"a,b\";c;d\n1;2;3\n").unwrap();
        assert_eq!((recorder.delimiter, rows(&recorder)[0].clone()), (Some(b';'), (3, vec!["a,b", "c", "d"])));
    }

    #[test]
    fn records_read_the_same_however_the_source_is_cut() {
        let text = b"a,b\r\n\"x\r\ny\",\"q\"\"\"\r\n\r\n\"cr\r\",2\r3,4\n\xE9,5\r\n\"open\r\n";
        let whole = split_in_pieces(text, CHUNK_BYTES, b',');
        for piece in 1..8 {
            assert_eq!(split_in_pieces(text, piece, b','), whole, "{piece}-byte reads");
        }
        assert_eq!(whole, Err(IngestError::UnclosedQuote { file: "f.csv".into(), row: 9 }));
        let closed = [&text[..text.len() - 2], b"\"\n"].concat();
        let whole = split_in_pieces(&closed, CHUNK_BYTES, b',').unwrap();
        assert_eq!(whole.rows.iter().map(|(row, _)| *row).collect::<Vec<_>>(), [1, 2, 5, 7, 8, 9]);
        for piece in 1..8 {
            assert_eq!(split_in_pieces(&closed, piece, b',').unwrap(), whole, "{piece}-byte reads");
        }
    }

    #[test]
    fn a_record_longer_than_the_limit_is_refused() {
        let mut text = b"a\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + CHUNK_BYTES + 1));
        assert!(matches!(split(&text).unwrap_err(), IngestError::RowTooLong { row: 2, .. }));
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// However the source is cut into reads, the records, their line numbers and the
        /// errors are the same.
        #[test]
        fn any_cut_of_the_source_reads_the_same(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"ab,;\"\r\n \t\xE9\xC3\xA9".to_vec()),
                0..300,
            ),
            piece in 1usize..9,
        ) {
            let whole = split_in_pieces(&bytes, CHUNK_BYTES, b',');
            proptest::prop_assert_eq!(split_in_pieces(&bytes, piece, b','), whole);
        }

        /// Cells written by the CSV writer read back as they were (the formula guard's `'`
        /// aside), on the lines the written text puts them.
        #[test]
        fn written_cells_read_back_as_they_were(
            rows in (2usize..5).prop_flat_map(|width| proptest::collection::vec(
                proptest::collection::vec("[a-z =+@'\\-\t\r\n\",;|é€]{0,6}", width),
                1..12,
            )),
        ) {
            let mut text = String::new();
            for row in &rows {
                crate::claims::csv_writer::push_csv_line(&mut text, row);
            }
            let recorder = split_in_pieces(text.as_bytes(), CHUNK_BYTES, b',').unwrap();
            proptest::prop_assert_eq!(recorder.rows.len(), rows.len());
            let mut line = 1;
            for ((row, fields), cells) in recorder.rows.iter().zip(&rows) {
                proptest::prop_assert_eq!(*row, line);
                proptest::prop_assert_eq!(fields.len(), cells.len());
                for (field, cell) in fields.iter().zip(cells) {
                    let guarded = field.strip_prefix('\'').filter(|_| cell.starts_with(['=', '+', '-', '@', '\t', '\r']));
                    proptest::prop_assert_eq!(guarded.unwrap_or(field), cell.as_str());
                }
                let breaks: usize = cells.iter().map(|cell| cell.replace("\r\n", "\n").matches(['\r', '\n']).count()).sum();
                line += breaks + 1;
            }
        }
    }
}
