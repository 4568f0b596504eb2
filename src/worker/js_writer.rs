//! Writing bytes straight into a JavaScript array a slice at a time, so a million claims
//! go to the page without first sitting whole in this worker's wasm memory; and letting go
//! of an array's memory as soon as it has been read.

use std::io::{Error, ErrorKind, Write};

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// Frees `array`'s whole buffer now, once its bytes have been copied where they are needed,
/// rather than whenever the garbage collector next runs: a busy worker may not collect for
/// many seconds, and at a million claims the buffers are tens of MB. Uses
/// `ArrayBuffer.prototype.transfer(0)` (which detaches the buffer, so every view of it reads
/// as empty afterwards); where a browser lacks it, the buffer waits for the collector.
pub fn release(array: &Uint8Array) {
    let buffer = array.buffer();
    let transfer = Reflect::get(&buffer, &"transfer".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    if let Some(transfer) = transfer {
        let _ = transfer.call1(&buffer, &JsValue::from(0));
    }
}

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
