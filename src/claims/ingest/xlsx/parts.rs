//! The parts of a workbook as XML streams: capped reads, nesting limits, names, attributes and text with OOXML escapes.

use super::*;

/// Where an error is: the file and the part inside it.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) part: &'a str,
}

impl Ctx<'_> {
    pub(super) fn damaged(&self, what: impl Display) -> IngestError {
        IngestError::XlsxDamaged { file: self.file.to_owned(), detail: format!("{}: {what}", self.part) }
    }
}

/// A byte stream that refuses to hand out more than a budget per XML event and per part, so
/// a hostile part cannot make one event (or the whole part) unboundedly large in memory.
pub(super) struct Capped<B> {
    pub(super) inner: B,
    pub(super) event: u64,
    pub(super) total: u64,
    pub(super) total_limit: u64,
    /// The file's budget, when it applies to this part (the shared strings and the sheet);
    /// `total_limit` is then at most its byte limit.
    pub(super) budget: Option<IngestBudget>,
}

impl<B: BufRead> Capped<B> {
    pub(super) fn begin_event(&mut self) {
        self.event = 0;
    }
}

impl<B: BufRead> Read for Capped<B> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for Capped<B> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.total > self.total_limit {
            let message = format!("the part is larger than {} MB", self.total_limit >> 20);
            return Err(std::io::Error::other(message));
        }
        if self.event > MAX_EVENT_BYTES {
            let message = format!("one element or text is longer than {} MB", MAX_EVENT_BYTES >> 20);
            return Err(std::io::Error::other(message));
        }
        // Handing out bounded slices keeps the checks above within a slice of the limits,
        // whatever the inner reader's buffer size.
        let available = self.inner.fill_buf()?;
        Ok(&available[..available.len().min(CAPPED_SLICE_BYTES)])
    }

    fn consume(&mut self, amount: usize) {
        self.event = self.event.saturating_add(amount as u64);
        self.total = self.total.saturating_add(amount as u64);
        self.inner.consume(amount);
    }
}

/// One XML part being streamed, with its nesting depth.
pub(super) struct XmlPart<B> {
    pub(super) reader: Reader<Capped<B>>,
    pub(super) buf: Vec<u8>,
    pub(super) depth: usize,
}

impl<B: BufRead> XmlPart<B> {
    pub(super) fn new(inner: B, total_limit: u64, budget: Option<&IngestBudget>) -> Self {
        let total_limit = budget.map_or(total_limit, |budget| total_limit.min(budget.max_bytes));
        let capped = Capped { inner, event: 0, total: 0, total_limit, budget: budget.copied() };
        Self { reader: Reader::from_reader(capped), buf: Vec::new(), depth: 0 }
    }

    /// The next event and the depth of the element it belongs to (1 for the root element;
    /// for text, the depth of the enclosing element).
    pub(super) fn next(&mut self, ctx: Ctx<'_>) -> Result<(Event<'_>, usize), IngestError> {
        self.buf.clear();
        self.reader.get_mut().begin_event();
        let event = match self.reader.read_event_into(&mut self.buf) {
            Ok(event) => event,
            Err(error) => {
                let capped = self.reader.get_ref();
                if let Some(budget) = capped.budget.filter(|budget| capped.total > budget.max_bytes) {
                    return Err(IngestError::OverBudget {
                        file: ctx.file.to_owned(),
                        row: None,
                        kind: BudgetKind::Bytes,
                        detail: budget.describe(BudgetKind::Bytes),
                    });
                }
                return Err(ctx.damaged(format_args!("{error} (near byte {})", self.reader.error_position())));
            }
        };
        let level = match &event {
            Event::Start(_) => {
                self.depth += 1;
                self.depth
            }
            Event::Empty(_) => self.depth + 1,
            Event::End(_) => {
                let level = self.depth;
                self.depth = self.depth.saturating_sub(1);
                level
            }
            Event::Eof if self.depth > 0 => return Err(ctx.damaged("the XML ends inside an element")),
            _ => self.depth,
        };
        if level > MAX_DEPTH {
            return Err(ctx.damaged(format_args!("elements are nested more than {MAX_DEPTH} levels deep")));
        }
        Ok((event, level))
    }
}

/// The index of `path` in the archive, matched exactly or else ignoring ASCII case.
pub(super) fn find_part<R: Read + Seek>(archive: &zip::ZipArchive<R>, path: &str) -> Option<usize> {
    archive.index_for_name(path).or_else(|| {
        (0..archive.len())
            .find(|&index| matches!(archive.name_for_index(index), Some(Ok(name)) if name.eq_ignore_ascii_case(path)))
    })
}

/// Opens `path` as an XML stream, or `None` if the archive has no such part.
pub(super) fn open_part<'a, R: Read + Seek>(
    archive: &'a mut zip::ZipArchive<R>,
    ctx: Ctx<'_>,
    total_limit: u64,
    budget: Option<&IngestBudget>,
) -> Result<Option<XmlPart<BufReader<zip::read::ZipFile<'a, R>>>>, IngestError> {
    let Some(index) = find_part(archive, ctx.part) else {
        return Ok(None);
    };
    let entry = archive.by_index(index).map_err(|error| ctx.damaged(error))?;
    Ok(Some(XmlPart::new(BufReader::new(entry), total_limit, budget)))
}

/// Whether an element's local name (without a namespace prefix) is `expected`.
pub(super) fn is_named(element: &BytesStart<'_>, expected: &str) -> bool {
    local_name(element) == expected
}

/// The local name of an element, without its namespace prefix.
pub(super) fn local_name<'e>(element: &'e BytesStart<'_>) -> &'e str {
    let full: &str = element.name().0;
    full.rsplit_once(':').map_or(full, |(_, local)| local)
}

/// The value of the attribute whose local name is `key` (any namespace prefix), unescaped.
pub(super) fn attribute<'e>(
    element: &'e BytesStart<'_>,
    key: &str,
    ctx: Ctx<'_>,
) -> Result<Option<Cow<'e, str>>, IngestError> {
    let [value] = attributes(element, [key], ctx)?;
    Ok(value)
}

/// The values of the attributes whose local names are `keys`, unescaped, in one pass that
/// allocates nothing for plain values (the first of duplicated attributes wins).
pub(super) fn attributes<'e, const N: usize>(
    element: &'e BytesStart<'_>,
    keys: [&str; N],
    ctx: Ctx<'_>,
) -> Result<[Option<Cow<'e, str>>; N], IngestError> {
    let mut found: [Option<Cow<'e, str>>; N] = std::array::from_fn(|_| None);
    let mut all = element.attributes();
    all.with_checks(false);
    for attr in all {
        let attr = attr.map_err(|error| ctx.damaged(error))?;
        let full: &str = attr.key.0;
        let local = full.rsplit_once(':').map_or(full, |(_, local)| local);
        let Some(slot) = keys.iter().position(|key| *key == local).and_then(|at| found.get_mut(at)) else {
            continue;
        };
        if slot.is_none() {
            *slot = Some(attr.normalized_value(XmlVersion::Implicit1_0).map_err(|error| ctx.damaged(error))?);
        }
    }
    Ok(found)
}

/// Appends the character data of `event` (text, CDATA or an entity) to `out`, decoding
/// OOXML's `_xHHHH_` escapes.
pub(super) fn push_text(out: &mut String, event: &Event<'_>, ctx: Ctx<'_>) -> Result<(), IngestError> {
    match event {
        Event::Text(text) => push_unescaped_ooxml(out, &text.xml10_content()),
        Event::CData(data) => push_unescaped_ooxml(out, &data.xml10_content()),
        Event::GeneralRef(reference) => match reference.resolve_char_ref() {
            Ok(Some(ch)) => out.push(ch),
            Ok(None) => {
                let name = reference.xml10_content();
                match predefined_entity(&name) {
                    Some(ch) => out.push(ch),
                    // An undeclared entity is kept as written rather than refusing the file.
                    None => {
                        out.push('&');
                        out.push_str(&name);
                        out.push(';');
                    }
                }
            }
            Err(error) => return Err(ctx.damaged(error)),
        },
        _ => {}
    }
    Ok(())
}

pub(super) fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// Appends `text`, turning OOXML's `_xHHHH_` escapes (used for control characters, and
/// `_x005F_` for a literal underscore) back into characters.
pub(super) fn push_unescaped_ooxml(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let decoded = from
            .get(2..6)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()) && from.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(ch) => {
                out.push(ch);
                rest = from.get(7..).unwrap_or("");
            }
            None => {
                out.push('_');
                rest = from.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
}
