//! Writing bytes straight into a JavaScript array a slice at a time, so a million claims
//! go to the page without first sitting whole in this worker's wasm memory.

use std::io::{Error, ErrorKind, Write};

use js_sys::Uint8Array;

/// A fixed-size `Uint8Array` as a [`Write`] sink; each write copies one slice out of wasm
/// memory. Writing past its end is an error, never a resize.
pub struct JsArrayWriter {
    array: Uint8Array,
    position: u32,
}

impl JsArrayWriter {
    /// A writer that fills a new array of `len` bytes from its start.
    pub fn with_len(len: usize) -> Result<Self, String> {
        let len = u32::try_from(len).map_err(|_| format!("{len} bytes do not fit in one JavaScript array"))?;
        Ok(Self { array: Uint8Array::new_with_length(len), position: 0 })
    }

    /// The array, once every byte of it is written.
    pub fn into_filled(self) -> Result<Uint8Array, String> {
        if self.position == self.array.length() {
            Ok(self.array)
        } else {
            Err(format!("wrote {} of {} bytes", self.position, self.array.length()))
        }
    }
}

impl Write for JsArrayWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let room = self.array.length() - self.position;
        let n = u32::try_from(bytes.len()).unwrap_or(u32::MAX).min(room);
        if n == 0 && !bytes.is_empty() {
            return Err(Error::new(ErrorKind::WriteZero, "the array is full"));
        }
        self.array.subarray(self.position, self.position + n).copy_from(&bytes[..n as usize]);
        self.position += n;
        Ok(n as usize)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
