//! A seekable writer that keeps the tail of a file in memory.
//!
//! The zip writer goes back to each entry's local header once the entry is
//! written (to fill in its checksum and sizes). Through a `BufWriter` every
//! such seek is a flush and two `lseek`s per entry; through [`SeekBuffer`] the
//! seeks land in memory and the file sees one large write per mebibyte
//! (passed on when the writer asks for its position at the end of the data,
//! which the zip writer does at every entry boundary).

use std::io::{self, Seek, SeekFrom, Write};

/// Bytes held before a seek to the end passes them on.
const SPILL_AT: usize = 1 << 20;

/// Writes to `inner` through an in-memory window `[base, base + buf.len())`.
pub(crate) struct SeekBuffer<W: Write + Seek> {
    inner: W,
    /// The window; `inner`'s cursor is at `base`.
    buf: Vec<u8>,
    base: u64,
    /// The logical cursor, always inside the window or at its end.
    pos: u64,
    /// The logical length of the file.
    end: u64,
    /// Set by the first failed write to `inner`: the output is abandoned
    /// (its temporary file deleted), so what follows is discarded — in
    /// particular the zip writer's own attempt to finish the archive when it
    /// is dropped, which would otherwise print the same error a second time.
    failed: bool,
}

impl<W: Write + Seek> SeekBuffer<W> {
    /// Wraps `inner`, positioned at its start.
    pub(crate) fn new(inner: W) -> Self {
        SeekBuffer {
            inner,
            buf: Vec::with_capacity(SPILL_AT + (64 << 10)),
            base: 0,
            pos: 0,
            end: 0,
            failed: false,
        }
    }

    /// Writes the window out and returns `inner`.
    pub(crate) fn into_inner(mut self) -> io::Result<W> {
        if self.failed {
            return Err(io::Error::other("an earlier write to the file failed"));
        }
        self.spill()?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    /// Writes the window to `inner` and starts an empty one where it ended.
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if !self.failed {
            let written = self.inner.write_all(&self.buf);
            self.check(written)?;
        }
        self.base += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Passes on the result of an operation on `inner`, remembering a failure.
    fn check<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        self.failed |= result.is_err();
        result
    }

    fn window_end(&self) -> u64 {
        self.base + self.buf.len() as u64
    }
}

impl<W: Write + Seek> Write for SeekBuffer<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let Ok(at) = usize::try_from(self.pos - self.base) else {
            return Err(io::Error::other("window offset overflow"));
        };
        let overlap = data.len().min(self.buf.len() - at);
        if let (Some(dst), Some(src)) = (self.buf.get_mut(at..at + overlap), data.get(..overlap)) {
            dst.copy_from_slice(src);
        }
        self.buf
            .extend_from_slice(data.get(overlap..).unwrap_or_default());
        self.pos += data.len() as u64;
        self.end = self.end.max(self.pos);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.spill()?;
        if self.failed {
            self.base = self.pos;
            return Ok(());
        }
        if self.pos != self.base {
            // The new, empty window starts at the cursor.
            let sought = self.inner.seek(SeekFrom::Start(self.pos));
            self.check(sought)?;
            self.base = self.pos;
        }
        let flushed = self.inner.flush();
        self.check(flushed)
    }
}

impl<W: Write + Seek> Seek for SeekBuffer<W> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.end.checked_add_signed(d),
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?;
        if target < self.base || target > self.window_end() {
            // Outside the window: write it out and open a new one at `target`.
            self.spill()?;
            if !self.failed {
                let sought = self.inner.seek(SeekFrom::Start(target));
                self.check(sought)?;
            }
            self.base = target;
        } else if target == self.window_end() && self.buf.len() >= SPILL_AT {
            // At the end of a large window (an entry boundary): pass it on.
            self.spill()?;
        }
        self.pos = target;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Write(Vec<u8>),
        Seek(u64),
        SeekEnd(i64),
        Flush,
    }

    fn op() -> impl Strategy<Value = Op> {
        // Writes are never empty: after a seek past the end, `Cursor` pads
        // with zeros even for an empty write, where a file (what the window
        // stands in for) does not grow; the two agree on every other write.
        prop_oneof![
            prop::collection::vec(any::<u8>(), 1..3000).prop_map(Op::Write),
            (0u64..20_000).prop_map(Op::Seek),
            (-3000i64..=0).prop_map(Op::SeekEnd),
            Just(Op::Flush),
        ]
    }

    proptest! {
        /// Any sequence of writes, seeks and flushes leaves exactly the bytes
        /// a plain in-memory file would hold.
        #[test]
        fn same_bytes_as_a_plain_file(ops in prop::collection::vec(op(), 0..60)) {
            let mut plain = Cursor::new(Vec::new());
            let mut window = SeekBuffer::new(Cursor::new(Vec::new()));
            for op in ops {
                match op {
                    Op::Write(data) => {
                        plain.write_all(&data).unwrap();
                        window.write_all(&data).unwrap();
                    }
                    Op::Seek(n) => {
                        let at = plain.seek(SeekFrom::Start(n)).unwrap();
                        prop_assert_eq!(at, window.seek(SeekFrom::Start(n)).unwrap());
                    }
                    Op::SeekEnd(d) => {
                        let at = plain.seek(SeekFrom::End(d)).ok();
                        prop_assert_eq!(at, window.seek(SeekFrom::End(d)).ok());
                    }
                    Op::Flush => window.flush().unwrap(),
                }
                let at = plain.stream_position().unwrap();
                prop_assert_eq!(at, window.stream_position().unwrap());
            }
            prop_assert_eq!(plain.into_inner(), window.into_inner().unwrap().into_inner());
        }
    }

    /// A file that takes `room` bytes, then fails like a full disk.
    struct Full {
        room: usize,
        inner: Cursor<Vec<u8>>,
    }

    impl Write for Full {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            if self.inner.get_ref().len() + data.len() > self.room {
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "No space left on device",
                ));
            }
            self.inner.write(data)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Seek for Full {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.inner.seek(to)
        }
    }

    #[test]
    fn after_a_failed_write_the_rest_is_discarded_and_the_file_refused() {
        let mut window = SeekBuffer::new(Full {
            room: 1000,
            inner: Cursor::new(Vec::new()),
        });
        window.write_all(&vec![1u8; SPILL_AT]).unwrap();
        let err = window.seek(SeekFrom::End(0)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        // What follows (a zip writer finishing in its drop) does not fail again...
        window.write_all(b"central directory").unwrap();
        window.seek(SeekFrom::Start(0)).unwrap();
        window.flush().unwrap();
        // ...and the file is never handed on as if complete.
        assert!(window.into_inner().is_err());
    }

    #[test]
    fn large_writes_spill_at_entry_boundaries() {
        let mut window = SeekBuffer::new(Cursor::new(Vec::new()));
        let block = vec![7u8; SPILL_AT];
        window.write_all(&block).unwrap();
        window.seek(SeekFrom::Current(-10)).unwrap();
        assert_eq!(
            window.buf.len(),
            SPILL_AT,
            "a seek inside the window keeps it"
        );
        window.seek(SeekFrom::End(0)).unwrap();
        assert!(
            window.buf.is_empty(),
            "a seek to the end of a large window spills it"
        );
        assert_eq!(window.inner.get_ref().len(), SPILL_AT);
        assert_eq!(window.into_inner().unwrap().into_inner(), block);
    }
}
