//! Randomness keyed to labels: every random number of the completion belongs
//! to a model, a benchmark or a fit, never to a position, so reordering the
//! leaderboard gives the same numbers to the same entities and threads need
//! no shared generator. FNV-1a 64 of the label, SplitMix64 counters,
//! Box-Muller normals (docs/complete.md, "Randomness").

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const STRIDE: u64 = 0xD1B5_4A32_D192_ED03;

/// FNV-1a 64 over the concatenated bytes of `parts`.
pub fn fnv1a64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

/// FNV-1a 64 of one label.
pub fn key(label: &str) -> u64 {
    fnv1a64(&[label.as_bytes()])
}

/// The SplitMix64 finaliser (wrapping arithmetic).
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream base of (key, counter).
fn base(key: u64, counter: u64) -> u64 {
    splitmix64(key ^ counter.wrapping_mul(GOLDEN))
}

/// Uniform in (0, 1): the idx-th number of a stream base.
fn uniform(base: u64, idx: u64) -> f64 {
    let x = splitmix64(base.wrapping_add(idx.wrapping_mul(STRIDE)));
    ((x >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0)
}

/// `out.len()` standard normals of (key, counter): Box-Muller on the
/// uniform streams 2 counter and 2 counter + 1.
pub fn normals(key: u64, counter: u64, out: &mut [f64]) {
    let b1 = base(key, 2 * counter);
    let b2 = base(key, 2 * counter + 1);
    for (i, o) in out.iter_mut().enumerate() {
        let u1 = uniform(b1, i as u64);
        let u2 = uniform(b2, i as u64);
        *o = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    }
}

/// A Gamma(shape, rate) draw from one standard normal (Wilson-Hilferty's
/// cube-root approximation): a fixed count of random numbers per sweep, no
/// rejection loop. Every shape here is at least 1.
pub fn gamma_wh(shape: f64, rate: f64, z: f64) -> f64 {
    let c = 1.0 / (9.0 * shape);
    shape / rate * (1.0 - c + z * c.sqrt()).max(0.05).powf(3.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_and_splitmix_match_their_published_values() {
        // FNV-1a 64 test vectors (Fowler, Noll, Vo): "" and "a".
        assert_eq!(key(""), 0xCBF2_9CE4_8422_2325);
        assert_eq!(key("a"), 0xAF63_DC4C_8601_EC8C);
        assert_eq!(
            fnv1a64(&[b"fold", b"0"]),
            key("fold0"),
            "parts hash as their concatenation"
        );
        // SplitMix64 from state 0: the first output of Vigna's reference generator.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn normals_have_the_moments_of_a_standard_normal() {
        let mut sum = 0.0;
        let mut sq = 0.0;
        let n = 20_000;
        let mut out = [0.0; 4];
        for c in 0..n / 4 {
            normals(key("model"), c as u64, &mut out);
            for v in out {
                sum += v;
                sq += v * v;
            }
        }
        let mean = sum / n as f64;
        let var = sq / n as f64 - mean * mean;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }

    #[test]
    fn wilson_hilferty_draws_centre_on_the_gamma_mean() {
        // The median of Gamma(k, rate) is close to (k - 1/3) / rate for k >= 1.
        let (k, rate) = (5.0, 2.0);
        let median = gamma_wh(k, rate, 0.0);
        assert!((median - (k - 1.0 / 3.0) / rate).abs() < 0.02, "{median}");
        assert!(
            gamma_wh(k, rate, -50.0) > 0.0,
            "the floor keeps draws positive"
        );
    }
}
