//! Reading a JavaScript byte array a slice at a time, so the claims the worker posts are
//! decoded without first being copied whole into the page's wasm memory.

use std::io::Read;

use js_sys::Uint8Array;

/// A `Uint8Array` as a [`Read`] stream; each read copies one slice into wasm memory.
pub struct JsBytes {
    array: Uint8Array,
    position: u32,
}

impl JsBytes {
    /// A stream over every byte of `array`.
    pub fn new(array: Uint8Array) -> Self {
        Self { array, position: 0 }
    }
}

impl Read for JsBytes {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let remaining = self.array.length().saturating_sub(self.position);
        let n = remaining.min(u32::try_from(out.len()).unwrap_or(u32::MAX));
        if n > 0 {
            self.array.subarray(self.position, self.position + n).copy_to(&mut out[..n as usize]);
            self.position += n;
        }
        Ok(n as usize)
    }
}
