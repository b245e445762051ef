//! A per-request compute deadline, checked cooperatively by every loop a
//! request's work runs: the iterative algorithms between iterations, the
//! setup loops over models and families, body decoding and form parsing.
//!
//! The deadline lives in a thread-local set around one request's computation
//! (`with_deadline`), so the analysis functions keep their plain signatures:
//! a request is computed on exactly one thread, start to finish, and
//! parallel parts carry it into their tasks (`with_deadline(current(), ..)`).
//!
//! [`check`] is cheap enough for inner loops (a thread-local read and one
//! relaxed atomic load, about a nanosecond): it compares the deadline with a
//! coarse clock that a background thread advances every [`TICK`] while
//! deadlines are in force, instead of reading the system clock (about 20 ns)
//! on every call. Counting calls and reading the clock every N of them would
//! be as cheap, but a loop whose iterations are slow (an SVD each) would
//! then notice the deadline N iterations late; the coarse clock is late by
//! at most one tick whatever a loop does between its checks.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

use super::AnalysisError;

/// How often the coarse clock advances, so how late a deadline may be noticed.
pub const TICK: Duration = Duration::from_millis(5);

/// The instant the coarse clock counts from.
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
/// Nanoseconds since [`EPOCH`], as last read by the ticker (or by a scope
/// starting): never ahead of the real clock, behind it by at most a tick.
static COARSE_NOW: AtomicU64 = AtomicU64::new(0);
/// Scopes with a deadline in force, over all threads.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// Whether the ticker sleeps (parked, no wake-ups): it parks after a second
/// without any deadline in force, so that an idle service does not wake
/// 200 times a second, while a busy one does not pay a wake-up per request.
static PARKED: AtomicBool = AtomicBool::new(false);
static TICKER: OnceLock<Thread> = OnceLock::new();
/// Idle ticks before the ticker parks.
const IDLE_TICKS: u32 = 200;

thread_local! {
    /// The deadline in force, as an instant and as the coarse clock's reading.
    static DEADLINE: Cell<Option<(Instant, u64)>> = const { Cell::new(None) };
}

fn nanos_since_epoch(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(*EPOCH).as_nanos()).unwrap_or(u64::MAX)
}

fn advance() {
    COARSE_NOW.fetch_max(nanos_since_epoch(Instant::now()), Ordering::Relaxed);
}

fn ticker() -> &'static Thread {
    TICKER.get_or_init(|| {
        std::thread::Builder::new()
            .name("obscaling-deadline-clock".into())
            .spawn(|| {
                let mut idle = 0;
                loop {
                    std::thread::sleep(TICK);
                    advance();
                    if ACTIVE.load(Ordering::SeqCst) > 0 {
                        idle = 0;
                        continue;
                    }
                    idle += 1;
                    if idle >= IDLE_TICKS {
                        // With SeqCst on both sides, either this sees the
                        // scope that starts meanwhile, or that scope sees
                        // PARKED and unparks (an unpark before the park
                        // makes it return at once).
                        PARKED.store(true, Ordering::SeqCst);
                        if ACTIVE.load(Ordering::SeqCst) == 0 {
                            std::thread::park();
                        }
                        PARKED.store(false, Ordering::SeqCst);
                        idle = 0;
                    }
                }
            })
            .expect("the deadline clock's thread starts")
            .thread()
            .clone()
    })
}

/// Runs `work` with `deadline` in force on this thread (restored afterwards,
/// even if `work` panics).
pub fn with_deadline<T>(deadline: Option<Instant>, work: impl FnOnce() -> T) -> T {
    struct Restore {
        previous: Option<(Instant, u64)>,
        counted: bool,
    }
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.previous));
            if self.counted {
                ACTIVE.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
    let entry = deadline.map(|at| (at, nanos_since_epoch(at)));
    if entry.is_some() {
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        let ticker = ticker();
        if PARKED.load(Ordering::SeqCst) {
            ticker.unpark();
        }
        // The clock may have stood still while no deadline was in force.
        advance();
    }
    let _restore = Restore {
        previous: DEADLINE.with(|d| d.replace(entry)),
        counted: entry.is_some(),
    };
    work()
}

/// The deadline in force on this thread, to carry into worker threads
/// (`with_deadline(current(), ..)` inside a parallel task).
pub fn current() -> Option<Instant> {
    DEADLINE.with(Cell::get).map(|(at, _)| at)
}

/// Err once the deadline in force has passed (noticed within [`TICK`]).
/// Cheap enough to call once per row, model or family of an inner loop.
#[inline]
pub fn check() -> Result<(), AnalysisError> {
    match DEADLINE.with(Cell::get) {
        Some((_, at)) if COARSE_NOW.load(Ordering::Relaxed) >= at => {
            Err(AnalysisError::DeadlineExceeded)
        }
        _ => Ok(()),
    }
}

/// The error of a deadline that passed, for a caller that noticed it by a
/// timer of its own (a request answered while its work still runs).
pub fn exceeded() -> AnalysisError {
    AnalysisError::DeadlineExceeded
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_deadline_passing_during_work_is_noticed() {
        let deadline = Instant::now() + Duration::from_millis(30);
        // The loop gives up long after the deadline, so that a clock that
        // never advances fails the test instead of hanging it; how late the
        // deadline is noticed is not asserted (the machine is shared).
        let give_up = deadline + Duration::from_secs(20);
        let noticed = with_deadline(Some(deadline), || {
            loop {
                if check().is_err() {
                    return Some(Instant::now());
                }
                if Instant::now() > give_up {
                    return None;
                }
            }
        });
        let noticed = noticed.expect("the deadline was never noticed");
        assert!(noticed >= deadline, "noticed before the deadline");
    }

    #[test]
    fn nested_scopes_restore_the_outer_deadline() {
        let outer = Instant::now() + Duration::from_secs(60);
        with_deadline(Some(outer), || {
            let past = Instant::now() - Duration::from_millis(1);
            assert!(with_deadline(Some(past), check).is_err());
            assert_eq!(current(), Some(outer));
            assert!(check().is_ok());
            with_deadline(None, || assert!(check().is_ok()));
        });
        assert_eq!(current(), None);
    }
}
