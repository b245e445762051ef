//! How many of a property's cases were skipped. A property test skips the
//! inputs it says nothing about (a constant matrix has no components, an
//! all-missing row cannot be imputed); if it skipped most of them, or all
//! of them through a bug (an imputation that always fails), it would pass
//! while testing little or nothing. So each property that skips counts its
//! cases and skips and states the share of skips it allows, and the test
//! fails above it.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::test_runner::TestCaseError;

pub struct Skips {
    property: &'static str,
    allowed: f64,
    cases: AtomicUsize,
    skipped: AtomicUsize,
}

impl Skips {
    /// A property that may skip at most `allowed` (a share) of its cases.
    pub fn allowing(property: &'static str, allowed: f64) -> Self {
        Skips {
            property,
            allowed,
            cases: AtomicUsize::new(0),
            skipped: AtomicUsize::new(0),
        }
    }

    /// Counts a case, and skips it unless `tested`.
    pub fn case(&self, tested: bool, why: &'static str) -> Result<(), TestCaseError> {
        self.cases.fetch_add(1, Ordering::Relaxed);
        self.skip_unless(tested, why)
    }

    /// Skips the case being tested unless `tested` (a decision after
    /// [`Skips::case`]). A skipped case is rejected, so that proptest draws
    /// another in its place: the cases it counts are all tested.
    pub fn skip_unless(&self, tested: bool, why: &'static str) -> Result<(), TestCaseError> {
        if tested {
            return Ok(());
        }
        self.skipped.fetch_add(1, Ordering::Relaxed);
        Err(TestCaseError::reject(why))
    }

    /// Fails when more than the allowed share of the cases were skipped
    /// (or when there was no case at all).
    pub fn check(&self) {
        let (cases, skipped) = (
            self.cases.load(Ordering::Relaxed),
            self.skipped.load(Ordering::Relaxed),
        );
        eprintln!(
            "{}: {skipped} of {cases} cases skipped (at most {:.0} % allowed)",
            self.property,
            100.0 * self.allowed
        );
        assert!(cases > 0, "{}: no case ran", self.property);
        let share = skipped as f64 / cases as f64;
        assert!(
            share <= self.allowed,
            "{}: {skipped} of {cases} cases skipped, more than the {:.0} % allowed",
            self.property,
            100.0 * self.allowed
        );
    }
}

#[test]
fn a_share_within_the_allowed_one_passes() {
    let skips = Skips::allowing("within", 0.5);
    for tested in [true, false, true, false] {
        let _ = skips.case(tested, "every other case");
    }
    skips.check();
}

#[test]
#[should_panic(expected = "3 of 4 cases skipped, more than the 50 % allowed")]
fn a_larger_share_fails() {
    let skips = Skips::allowing("above", 0.5);
    assert!(skips.case(true, "").is_ok());
    for _ in 0..3 {
        assert!(skips.case(false, "a skipped case").is_err());
    }
    skips.check();
}

#[test]
#[should_panic(expected = "no case ran")]
fn a_property_without_cases_fails() {
    Skips::allowing("empty", 1.0).check();
}
