//! A per-request compute deadline, checked cooperatively by the iterative
//! algorithms (imputation, law fitting) between iterations.
//!
//! The deadline lives in a thread-local set around one request's computation
//! (`with_deadline`), so the analysis functions keep their plain signatures:
//! a request is computed on exactly one thread, start to finish.

use std::cell::Cell;
use std::time::Instant;

use super::AnalysisError;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `work` with `deadline` in force on this thread (restored afterwards,
/// even if `work` panics).
pub fn with_deadline<T>(deadline: Option<Instant>, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(DEADLINE.with(|d| d.replace(deadline)));
    work()
}

/// The deadline in force on this thread, to carry into worker threads
/// (`with_deadline(current(), ..)` inside a parallel task).
pub fn current() -> Option<Instant> {
    DEADLINE.with(Cell::get)
}

/// Err once the deadline in force has passed.
pub fn check() -> Result<(), AnalysisError> {
    match DEADLINE.with(Cell::get) {
        Some(deadline) if Instant::now() >= deadline => Err(AnalysisError::DeadlineExceeded),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_passed_deadline_stops_work_and_is_restored_afterwards() {
        assert!(check().is_ok());
        let past = Instant::now() - Duration::from_millis(1);
        assert_eq!(
            with_deadline(Some(past), check),
            Err(AnalysisError::DeadlineExceeded)
        );
        let future = Instant::now() + Duration::from_secs(60);
        assert!(with_deadline(Some(future), check).is_ok());
        assert!(check().is_ok());
    }
}
