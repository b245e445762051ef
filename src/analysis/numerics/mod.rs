//! The numerical building blocks the analyses share: the SVD, symmetric
//! eigen-solvers and dense linear solves on faer ([`linalg`], [`eigen`]),
//! moments in one pass ([`moments`]), least-squares lines ([`regression`]),
//! the one damped least-squares (Levenberg-Marquardt) iteration ([`lm`])
//! and the seeded random streams ([`rng`]).

pub mod eigen;
pub mod linalg;
pub mod lm;
pub mod moments;
pub mod regression;
pub mod rng;
