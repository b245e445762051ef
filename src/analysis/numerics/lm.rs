//! The one damped least-squares (Levenberg-Marquardt) iteration of the core:
//! the damping schedule, which trial step is accepted, when to stop and the
//! request's deadline live here; what a step is lives with each problem.
//!
//! The problems build and solve their damped normal equations in their own
//! ways (the sigmoid law a small dense system with its floor held at a
//! bound, the skills law sparse residual rows with a Schur complement over
//! its family blocks), so a problem is a [`DampedProblem`]: it linearises at
//! a point and then answers the step for any damping, and it costs a trial
//! point. The numbers of a [`Schedule`] are each caller's own (the research
//! code's `lm_solve` and `lm` for the skills law, scipy-like ones for the
//! sigmoid law): they are kept as they were, since every one of them moves
//! the answers' bits.

use crate::analysis::{AnalysisError, budget};

/// A least-squares problem as the iteration sees it.
pub trait DampedProblem {
    /// Builds what the steps at `theta` need (the normal equations), or says
    /// that `theta` is already a minimum ([`Linearised::Converged`]).
    /// `theta` is the starting point or the last accepted trial.
    fn linearise(&mut self, theta: &[f64]) -> Linearised;

    /// The step for damping `mu` from the point last linearised; `None`
    /// when the damped system is singular (its solution not finite).
    fn step(&mut self, mu: f64) -> Option<Vec<f64>>;

    /// The cost at `theta` (a trial, or the starting point).
    fn cost(&mut self, theta: &[f64]) -> f64;

    /// Moves a trial point onto the problem's bounds before it is costed.
    fn project(&self, _trial: &mut [f64]) {}

    /// The point last costed has been accepted (the starting point counts):
    /// a problem that keeps what its cost computed (the residuals) keeps it
    /// for the next linearisation.
    fn accept(&mut self) {}
}

/// What a linearisation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linearised {
    /// Search for a step.
    Step,
    /// The point is a minimum by the problem's own test (a gradient
    /// orthogonal to the residuals); no step is searched.
    Converged,
}

/// When the damping is too large to go on with an iteration's search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ceiling {
    /// Give up at mu >= the value (the research code's `lm_solve`).
    AtLeast(f64),
    /// Give up at mu > the value (its `lm`, and the sigmoid law).
    Above(f64),
}

impl Ceiling {
    fn reached(self, mu: f64) -> bool {
        match self {
            Ceiling::AtLeast(c) => mu >= c,
            Ceiling::Above(c) => mu > c,
        }
    }
}

/// What a singular damped system does to the search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Singular {
    /// It counts as a rejected step (damping grown by `Schedule::grow`,
    /// the ceiling checked).
    Reject,
    /// The damping grows by this factor and the search goes on (the ceiling
    /// is not checked; the trial counts towards `max_trials`).
    Grow(f64),
}

/// When an accepted step ends the iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// (f - f_new) / max(f, 1e-300) < tol: the research code's test.
    RelativeDecrease(f64),
    /// f - f_new <= decrease max(f, smallest normal), or the step's largest
    /// entry <= step (the point's largest entry + step): MINPACK-like
    /// `ftol` and `xtol`.
    DecreaseOrStep { decrease: f64, step: f64 },
}

/// The damping schedule and the limits of one minimisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// Iterations (linearisations) at most.
    pub max_iterations: usize,
    /// The damping of the first trial.
    pub mu0: f64,
    /// Damping times this after a rejected trial.
    pub grow: f64,
    /// Damping divided by this after an accepted one ...
    pub shrink: f64,
    /// ... but not below this.
    pub mu_min: f64,
    pub ceiling: Ceiling,
    pub singular: Singular,
    /// Trials per iteration at most (`usize::MAX`: the ceiling alone ends a search).
    pub max_trials: usize,
    pub stop: Stop,
    /// Whether a cost that is not a finite number ends the minimisation
    /// before an iteration (else no trial can be accepted against a NaN,
    /// and one iteration's search runs to the ceiling).
    pub finite_cost_only: bool,
}

/// Why a minimisation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The problem's linearisation called the point a minimum.
    Minimum,
    /// An accepted step met [`Stop`].
    Stopped,
    /// No trial of the last iteration lowered the cost.
    NoDecrease,
    /// The cost was not a finite number (with `finite_cost_only`).
    NotFinite,
    MaxIterations,
}

/// Where a minimisation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub theta: Vec<f64>,
    pub cost: f64,
    /// Iterations begun, the last one included.
    pub iterations: usize,
    pub end: End,
}

/// Minimises `problem` from `theta0`: each iteration linearises at the
/// current point, then tries the steps for mu, grown on every rejection,
/// until one does not raise the cost; mu shrinks after it. Checks the
/// request's deadline before each iteration, after each linearisation (a
/// linearisation cut short by the deadline is no linearisation) and after a
/// search that found no step (which the deadline may have cut short too).
pub fn minimise<P: DampedProblem + ?Sized>(
    problem: &mut P,
    theta0: &[f64],
    schedule: &Schedule,
) -> Result<Outcome, AnalysisError> {
    let mut theta = theta0.to_vec();
    let mut f = problem.cost(&theta);
    problem.accept();
    let mut mu = schedule.mu0;
    let mut iterations = 0;
    let mut end = End::MaxIterations;
    while iterations < schedule.max_iterations {
        if schedule.finite_cost_only && !f.is_finite() {
            end = End::NotFinite;
            break;
        }
        budget::check()?;
        iterations += 1;
        let linearised = problem.linearise(&theta);
        budget::check()?;
        if linearised == Linearised::Converged {
            end = End::Minimum;
            break;
        }
        let Some((trial, f_trial)) = search(problem, &theta, f, &mut mu, schedule) else {
            budget::check()?;
            end = End::NoDecrease;
            break;
        };
        let stop = match schedule.stop {
            Stop::RelativeDecrease(tol) => (f - f_trial) / f.max(1e-300) < tol,
            Stop::DecreaseOrStep { decrease, step } => {
                let step_norm = theta
                    .iter()
                    .zip(&trial)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                let theta_norm = theta.iter().map(|v| v.abs()).fold(0.0, f64::max);
                f - f_trial <= decrease * f.max(f64::MIN_POSITIVE)
                    || step_norm <= step * (theta_norm + step)
            }
        };
        problem.accept();
        theta = trial;
        f = f_trial;
        mu = (mu / schedule.shrink).max(schedule.mu_min);
        if stop {
            end = End::Stopped;
            break;
        }
    }
    Ok(Outcome {
        theta,
        cost: f,
        iterations,
        end,
    })
}

/// One iteration's search: the trial for mu, mu grown, ... until a trial
/// does not raise the cost above `f` (answered with its cost, `mu` left at
/// the damping that gave it), or the schedule gives up.
fn search<P: DampedProblem + ?Sized>(
    problem: &mut P,
    theta: &[f64],
    f: f64,
    mu: &mut f64,
    schedule: &Schedule,
) -> Option<(Vec<f64>, f64)> {
    for _ in 0..schedule.max_trials {
        match problem.step(*mu) {
            Some(step) => {
                let mut trial: Vec<f64> = theta.iter().zip(&step).map(|(t, s)| t + s).collect();
                problem.project(&mut trial);
                let f_trial = problem.cost(&trial);
                if f_trial <= f {
                    return Some((trial, f_trial));
                }
            }
            None => {
                if let Singular::Grow(factor) = schedule.singular {
                    *mu *= factor;
                    continue;
                }
            }
        }
        *mu *= schedule.grow;
        if schedule.ceiling.reached(*mu) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock as residuals r = (10 (x1 - x0^2), 1 - x0), minimum 0 at
    /// (1, 1), with its 2 x 2 normal equations solved by Cramer's rule.
    #[derive(Default)]
    struct Rosenbrock {
        jtj: [[f64; 2]; 2],
        jtr: [f64; 2],
        linearisations: usize,
    }

    fn residuals(t: &[f64]) -> [f64; 2] {
        [10.0 * (t[1] - t[0] * t[0]), 1.0 - t[0]]
    }

    impl DampedProblem for Rosenbrock {
        fn linearise(&mut self, t: &[f64]) -> Linearised {
            self.linearisations += 1;
            let r = residuals(t);
            let j = [[-20.0 * t[0], 10.0], [-1.0, 0.0]];
            for a in 0..2 {
                self.jtr[a] = j[0][a] * r[0] + j[1][a] * r[1];
                for b in 0..2 {
                    self.jtj[a][b] = j[0][a] * j[0][b] + j[1][a] * j[1][b];
                }
            }
            Linearised::Step
        }
        fn step(&mut self, mu: f64) -> Option<Vec<f64>> {
            let [[a, b], [c, d]] = self.jtj;
            let (a, d) = (a + mu * a, d + mu * d);
            let det = a * d - b * c;
            let [g0, g1] = self.jtr;
            let x = vec![-(d * g0 - b * g1) / det, -(a * g1 - c * g0) / det];
            x.iter().all(|v| v.is_finite()).then_some(x)
        }
        fn cost(&mut self, t: &[f64]) -> f64 {
            let r = residuals(t);
            0.5 * (r[0] * r[0] + r[1] * r[1])
        }
    }

    fn schedule(max_iterations: usize) -> Schedule {
        Schedule {
            max_iterations,
            mu0: 1e-3,
            grow: 4.0,
            shrink: 3.0,
            mu_min: 1e-12,
            ceiling: Ceiling::Above(1e16),
            singular: Singular::Reject,
            max_trials: usize::MAX,
            stop: Stop::RelativeDecrease(1e-16),
            finite_cost_only: false,
        }
    }

    #[test]
    fn minimises_rosenbrock_from_the_classic_start() {
        let mut problem = Rosenbrock::default();
        let out = minimise(&mut problem, &[-1.2, 1.0], &schedule(500)).unwrap();
        assert!(
            (out.theta[0] - 1.0).abs() < 1e-6 && (out.theta[1] - 1.0).abs() < 1e-6,
            "{out:?}"
        );
        assert!(out.cost < 1e-12 && out.end != End::MaxIterations, "{out:?}");
        assert_eq!(out.iterations, problem.linearisations);
    }

    #[test]
    fn the_iteration_limit_and_the_stopping_rule_end_it() {
        let mut problem = Rosenbrock::default();
        let out = minimise(&mut problem, &[-1.2, 1.0], &schedule(3)).unwrap();
        assert_eq!((out.iterations, out.end), (3, End::MaxIterations));
        // A loose relative decrease stops at the first small gain.
        let loose = Schedule {
            stop: Stop::RelativeDecrease(0.5),
            ..schedule(500)
        };
        let out = minimise(&mut Rosenbrock::default(), &[-1.2, 1.0], &loose).unwrap();
        assert_eq!(out.end, End::Stopped);
        assert!(out.iterations < 500, "{out:?}");
    }

    /// A problem whose every step is singular: `Reject` gives up at the
    /// ceiling, `Grow` after `max_trials`; either way no step, the point kept.
    struct NoStep;
    impl DampedProblem for NoStep {
        fn linearise(&mut self, _: &[f64]) -> Linearised {
            Linearised::Step
        }
        fn step(&mut self, _: f64) -> Option<Vec<f64>> {
            None
        }
        fn cost(&mut self, t: &[f64]) -> f64 {
            t[0] * t[0]
        }
    }

    #[test]
    fn a_search_without_a_step_ends_without_moving() {
        for singular in [Singular::Reject, Singular::Grow(10.0)] {
            let s = Schedule {
                singular,
                max_trials: 60,
                ..schedule(100)
            };
            let out = minimise(&mut NoStep, &[2.0], &s).unwrap();
            assert_eq!(
                (out.theta, out.iterations, out.end),
                (vec![2.0], 1, End::NoDecrease)
            );
        }
        // A NaN cost ends before any iteration when asked to.
        let s = Schedule {
            finite_cost_only: true,
            ..schedule(100)
        };
        let out = minimise(&mut NoStep, &[f64::NAN], &s).unwrap();
        assert_eq!((out.iterations, out.end), (0, End::NotFinite));
    }
}
