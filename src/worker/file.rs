//! A browser `File` read as a seekable stream, slice by slice, so a large claims file is
//! never copied whole into the worker's memory.

use std::io::{self, Read, Seek, SeekFrom};

use web_sys::{File, FileReaderSync};

/// Each read fetches at most this much of the file (each slice is a round trip to the
/// browser's blob store, so a 100 MB file takes about a dozen).
pub const SLICE_BYTES: usize = 8 << 20;

/// A `File` read synchronously (workers may) from its current position.
pub struct FileSlices {
    file: File,
    reader: FileReaderSync,
    size: u64,
    position: u64,
}

impl FileSlices {
    /// Opens `file` at its start.
    pub fn new(file: File) -> Result<Self, String> {
        let reader = FileReaderSync::new()
            .map_err(|error| format!("{}: the browser could not read the file ({error:?})", file.name()))?;
        let size = file.size() as u64;
        Ok(Self { file, reader, size, position: 0 })
    }
}

impl Read for FileSlices {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.size.saturating_sub(self.position);
        let n = (buf.len().min(SLICE_BYTES) as u64).min(remaining) as usize;
        if n == 0 {
            return Ok(0);
        }
        let start = self.position as f64;
        let slice = self.file.slice_with_f64_and_f64(start, start + n as f64).map_err(browser_error)?;
        let buffer = self.reader.read_as_array_buffer(&slice).map_err(browser_error)?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        let n = n.min(bytes.length() as usize);
        bytes.subarray(0, n as u32).copy_to(&mut buf[..n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for FileSlices {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.size.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position =
            target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the file's start"))?;
        Ok(self.position)
    }
}

fn browser_error(error: wasm_bindgen::JsValue) -> io::Error {
    io::Error::other(format!("the browser could not read the file ({error:?})"))
}
