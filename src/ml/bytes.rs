//! A little-endian byte format for work passed between Web Workers: a writer, and a
//! bounds-checked reader whose every failure is a typed error instead of a panic.

use super::MlError;

/// Appends fixed-width little-endian values to a buffer.
#[derive(Debug, Default)]
pub struct ByteWriter {
    bytes: Vec<u8>,
}

impl ByteWriter {
    /// A writer that starts with `magic`, the format's name and version.
    pub fn new(magic: &[u8; 4]) -> Self {
        Self { bytes: magic.to_vec() }
    }

    /// [`ByteWriter::new`] with room for `capacity` bytes in all, so a writer that knows
    /// its size never regrows (a regrown buffer is copied, and a wasm memory keeps that
    /// peak for good).
    pub fn with_capacity(magic: &[u8; 4], capacity: usize) -> Self {
        let mut bytes = Vec::with_capacity(capacity.max(magic.len()));
        bytes.extend_from_slice(magic);
        Self { bytes }
    }

    /// How many bytes [`ByteWriter::len`] writes.
    pub const LEN_BYTES: usize = 8;

    /// The bytes written so far.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }

    /// Writes one byte.
    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    /// Writes a u32.
    pub fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// Writes a u64.
    pub fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// Writes a length or index (as a u64, so 32- and 64-bit sides agree).
    pub fn len(&mut self, value: usize) {
        self.u64(value as u64);
    }

    /// Writes raw bytes with their length first.
    pub fn bytes(&mut self, value: &[u8]) {
        self.len(value.len());
        self.raw(value);
    }

    /// Writes raw bytes with no length (for a reader told their count some other way, such
    /// as a [`ByteWriter::len`] just before).
    pub fn raw(&mut self, value: &[u8]) {
        self.bytes.extend_from_slice(value);
    }

    /// The bytes written since the start or the last `take`; the writer goes on empty, so a
    /// long format can leave in parts (with large slices written out in between).
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }

    /// Writes a slice of f32 with its length first.
    pub fn f32s(&mut self, values: &[f32]) {
        self.len(values.len());
        self.bytes.reserve(values.len() * 4);
        values.iter().for_each(|v| self.bytes.extend_from_slice(&v.to_le_bytes()));
    }

    /// Writes a slice of f64 with its length first.
    pub fn f64s(&mut self, values: &[f64]) {
        self.len(values.len());
        self.bytes.reserve(values.len() * 8);
        values.iter().for_each(|v| self.bytes.extend_from_slice(&v.to_le_bytes()));
    }

    /// Writes a slice of u32 with its length first.
    pub fn u32s(&mut self, values: &[u32]) {
        self.len(values.len());
        self.bytes.reserve(values.len() * 4);
        values.iter().for_each(|v| self.bytes.extend_from_slice(&v.to_le_bytes()));
    }

    /// Writes a slice of i64 with its length first.
    pub fn i64s(&mut self, values: &[i64]) {
        self.len(values.len());
        self.bytes.reserve(values.len() * 8);
        values.iter().for_each(|v| self.bytes.extend_from_slice(&v.to_le_bytes()));
    }

    /// Writes a UTF-8 string with its length first.
    pub fn str(&mut self, value: &str) {
        self.bytes(value.as_bytes());
    }
}

/// Reads what a [`ByteWriter`] wrote; a short or malformed buffer is an error.
#[derive(Debug)]
pub struct ByteReader<'a> {
    bytes: &'a [u8],
    /// The whole buffer's length, format name included.
    total: usize,
    what: &'static str,
}

impl<'a> ByteReader<'a> {
    /// A reader over `bytes`, which must start with `magic`; `what` names the format in errors.
    pub fn new(bytes: &'a [u8], magic: &[u8; 4], what: &'static str) -> Result<Self, MlError> {
        match bytes.strip_prefix(magic.as_slice()) {
            Some(rest) => Ok(Self { bytes: rest, total: bytes.len(), what }),
            None => Err(MlError::BadBytes { what, reason: "it does not start with its format name".into() }),
        }
    }

    /// How far into the buffer (format name included) reading has come.
    pub fn offset(&self) -> usize {
        self.total - self.bytes.len()
    }

    /// An error about this buffer.
    pub fn error(&self, reason: impl Into<String>) -> MlError {
        MlError::BadBytes { what: self.what, reason: reason.into() }
    }

    /// Fails unless every byte was read.
    pub fn finish(self) -> Result<(), MlError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(self.error(format!("{} bytes are left over", self.bytes.len())))
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], MlError> {
        if n > self.bytes.len() {
            return Err(self.error(format!("it ends early (wanted {n} more bytes, {} left)", self.bytes.len())));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], MlError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, MlError> {
        Ok(self.take(1)?[0])
    }

    /// Reads a u32.
    pub fn u32(&mut self) -> Result<u32, MlError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// Reads a u64.
    pub fn u64(&mut self) -> Result<u64, MlError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Reads a length or index that must fit this platform. With `width` > 0 it counts
    /// elements of `width` bytes that must still be there, so a damaged length cannot ask
    /// for a huge allocation; with 0 it is a plain number.
    pub fn len(&mut self, width: usize) -> Result<usize, MlError> {
        let value = self.u64()?;
        let n = usize::try_from(value).map_err(|_| self.error("a count does not fit this platform"))?;
        if width > 0 && n.saturating_mul(width) > self.bytes.len() {
            return Err(self.error(format!("a length of {value} runs past the end")));
        }
        Ok(n)
    }

    /// Reads raw bytes written by [`ByteWriter::bytes`].
    pub fn bytes(&mut self) -> Result<&'a [u8], MlError> {
        let n = self.len(1)?;
        self.take(n)
    }

    /// The bytes of f32s written by [`ByteWriter::f32s`], left undecoded (four a value,
    /// little-endian).
    pub fn f32_bytes(&mut self) -> Result<&'a [u8], MlError> {
        let n = self.len(4)?;
        self.take(n * 4)
    }

    /// Reads f32s written by [`ByteWriter::f32s`].
    pub fn f32s(&mut self) -> Result<Vec<f32>, MlError> {
        Ok(self.f32_bytes()?.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    /// Reads f64s written by [`ByteWriter::f64s`].
    pub fn f64s(&mut self) -> Result<Vec<f64>, MlError> {
        let n = self.len(8)?;
        Ok(self.take(n * 8)?.chunks_exact(8).map(|c| f64::from_le_bytes(eight(c))).collect())
    }

    /// Reads u32s written by [`ByteWriter::u32s`].
    pub fn u32s(&mut self) -> Result<Vec<u32>, MlError> {
        let n = self.len(4)?;
        Ok(self.take(n * 4)?.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    /// Reads i64s written by [`ByteWriter::i64s`].
    pub fn i64s(&mut self) -> Result<Vec<i64>, MlError> {
        let n = self.len(8)?;
        Ok(self.take(n * 8)?.chunks_exact(8).map(|c| i64::from_le_bytes(eight(c))).collect())
    }

    /// Reads a string written by [`ByteWriter::str`].
    pub fn str(&mut self) -> Result<&'a str, MlError> {
        let bytes = self.bytes()?;
        std::str::from_utf8(bytes).map_err(|_| self.error("a text field is not UTF-8"))
    }
}

fn eight(c: &[u8]) -> [u8; 8] {
    [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind() {
        let mut writer = ByteWriter::new(b"TST1");
        writer.u8(7);
        writer.u32(u32::MAX);
        writer.u64(1 << 40);
        writer.f32s(&[1.5, f32::NAN]);
        writer.f64s(&[-0.0, 2.25]);
        writer.u32s(&[3, 4]);
        writer.i64s(&[-9]);
        writer.str("héllo");
        let bytes = writer.finish();
        let mut reader = ByteReader::new(&bytes, b"TST1", "test").unwrap();
        assert_eq!(reader.u8().unwrap(), 7);
        assert_eq!(reader.u32().unwrap(), u32::MAX);
        assert_eq!(reader.u64().unwrap(), 1 << 40);
        let floats = reader.f32s().unwrap();
        assert_eq!(floats[0], 1.5);
        assert!(floats[1].is_nan());
        assert_eq!(reader.f64s().unwrap()[0].to_bits(), (-0.0f64).to_bits());
        assert_eq!(reader.u32s().unwrap(), vec![3, 4]);
        assert_eq!(reader.i64s().unwrap(), vec![-9]);
        assert_eq!(reader.str().unwrap(), "héllo");
        reader.finish().unwrap();
    }

    #[test]
    fn every_truncation_and_a_wrong_magic_are_errors() {
        let mut writer = ByteWriter::new(b"TST1");
        writer.f64s(&[1.0, 2.0, 3.0]);
        writer.str("abc");
        let bytes = writer.finish();
        for cut in 0..bytes.len() {
            let result = ByteReader::new(&bytes[..cut], b"TST1", "test").and_then(|mut r| {
                r.f64s()?;
                r.str()?;
                r.finish()
            });
            assert!(matches!(result, Err(MlError::BadBytes { .. })), "cut at {cut}");
        }
        assert!(ByteReader::new(&bytes, b"XXX1", "test").is_err());
        let mut huge = ByteWriter::new(b"TST1");
        huge.u64(u64::MAX);
        let huge = huge.finish();
        assert!(ByteReader::new(&huge, b"TST1", "test").unwrap().f64s().is_err());
    }
}
