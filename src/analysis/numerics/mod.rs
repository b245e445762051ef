//! The numerical building blocks the analyses share: the SVD and symmetric
//! eigen-solvers on faer ([`linalg`], [`eigen`]), moments in one pass
//! ([`moments`]), least-squares lines ([`regression`]) and the seeded
//! random streams ([`rng`]).

pub mod eigen;
pub mod linalg;
pub mod moments;
pub mod regression;
pub mod rng;
