//! The allocation guard of the table readers. A Parquet file or an Arrow IPC
//! body declares sizes that its readers allocate before they look at the
//! data behind them: a page's uncompressed size, a dictionary's value count,
//! a compressed buffer's decompressed length, a footer's column count. A few
//! bytes can declare gigabytes. Every such size is claimed here, from what
//! the body declares, before anything is decoded, and a claim past the
//! limits is a 413:
//!
//! - bytes a reader expands the body into (decompressed pages and buffers,
//!   decoded dictionaries, the footer's metadata) add up to at most
//!   MAX_BODY_BYTES, what a plain body may be (`payload_too_large`);
//! - the rows times the columns read are at most MAX_CELLS
//!   (`too_many_cells`).
//!
//! So a table costs at most its body, one more body of expansion, and what
//! its accepted cells need.

use crate::ingest::IngestError;
use crate::ingest::spec::ReadLimits;

/// What a table reader may still allocate.
#[derive(Debug)]
pub struct Guard {
    /// Bytes of expansion claimed so far, and the most there may be.
    claimed: u64,
    max_bytes: u64,
    max_cells: usize,
}

impl Guard {
    pub fn new(limits: &ReadLimits) -> Self {
        Self {
            claimed: 0,
            max_bytes: limits.max_body_bytes as u64,
            max_cells: limits.max_cells,
        }
    }

    /// Claims `bytes` of expansion for `what` (e.g. "the dictionary page of
    /// column 'MMLU'"), before they are allocated.
    pub fn claim(&mut self, bytes: u64, what: impl FnOnce() -> String) -> Result<(), IngestError> {
        self.claimed = self.claimed.saturating_add(bytes);
        if self.claimed > self.max_bytes {
            return Err(IngestError::TooLarge(format!(
                "the table expands to at least {} bytes once decoded ({} declares {bytes}), \
                     more than the limit of {} bytes (MAX_BODY_BYTES)",
                self.claimed,
                what(),
                self.max_bytes
            )));
        }
        Ok(())
    }

    /// Bytes of expansion still free.
    pub fn free(&self) -> u64 {
        self.max_bytes.saturating_sub(self.claimed)
    }

    /// 413 `too_many_cells` once `rows` rows of `columns` read columns are
    /// more cells than the limit allows.
    pub fn cells(&self, rows: usize, columns: usize) -> Result<(), IngestError> {
        check_read_cells(rows, columns, self.max_cells)
    }
}

/// 413 `too_many_cells` once a table of `rows` rows has more read cells than
/// `max_cells`.
pub(crate) fn check_read_cells(
    rows: usize,
    columns: usize,
    max_cells: usize,
) -> Result<(), IngestError> {
    let cells = rows.saturating_mul(columns);
    if cells > max_cells {
        return Err(IngestError::TooManyCells(format!(
            "the table has {rows} rows of {columns} columns to read, {cells} cells, more than \
                 the limit of {max_cells} (MAX_CELLS)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(bytes: usize, cells: usize) -> ReadLimits {
        ReadLimits {
            max_body_bytes: bytes,
            max_cells: cells,
        }
    }

    #[test]
    fn claims_add_up_to_the_body_limit() {
        let mut guard = Guard::new(&limits(100, 10));
        guard.claim(60, || "a".into()).unwrap();
        assert_eq!(guard.free(), 40);
        guard.claim(40, || "b".into()).unwrap();
        let err = guard.claim(1, || "page 3".into()).unwrap_err();
        assert!(matches!(err, IngestError::TooLarge(_)), "{err}");
        assert!(err.to_string().contains("page 3 declares 1"), "{err}");
        assert!(err.to_string().contains("at least 101 bytes"), "{err}");
        // A claim that overflows is refused, not wrapped.
        let mut guard = Guard::new(&limits(100, 10));
        assert!(guard.claim(u64::MAX, || "x".into()).is_err());
        assert!(guard.claim(1, || "y".into()).is_err());
    }

    #[test]
    fn cells_are_rows_times_columns() {
        let guard = Guard::new(&limits(100, 10));
        guard.cells(5, 2).unwrap();
        assert!(matches!(
            guard.cells(11, 1).unwrap_err(),
            IngestError::TooManyCells(_)
        ));
        assert!(matches!(
            guard.cells(usize::MAX, 2).unwrap_err(),
            IngestError::TooManyCells(_)
        ));
    }
}
