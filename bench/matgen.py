"""Deterministic benchmark matrices: the numpy twin of benches/common/matgen.rs, the one
generator of the Rust tests and benchmarks, bit for bit, for the Python benchmarks
(bench/core_sklearn.py's scikit-learn timings, bench/make_bodies.py's HTTP bodies).

The generator is the one documented in tests/fixtures/reference/pca_cases.json
(`generator`): splitmix64 draws A (n x rank), then B (rank x p), then E (n x p);
X = 0.0 + A[:,0]B[0] + ... + A[:,r-1]B[r-1] + noise (E - 0.5), left to right.
Running this file checks it against that file's checksum, as tests/api/reference.rs
checks the Rust one. Other scripts that send leaderboards (scripts/compare-answers.py,
bench/load/, bench/edge/) draw their own with Python's `random`: their bodies only need
to be fixed, not equal to anything Rust generates.
"""

import numpy as np

RANK, NOISE, SEED = 12, 0.05, 2024  # the benchmark matrices (benches/common/matgen.rs)

_GAMMA = np.uint64(0x9E3779B97F4A7C15)


def _uniform(seed: int, start: int, count: int) -> np.ndarray:
    """Draws start+1 .. start+count of a splitmix64 stream, as floats in [0, 1)."""
    idx = np.arange(start + 1, start + count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + idx * _GAMMA
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def generated_matrix(n: int, p: int, rank: int, noise: float, seed: int) -> np.ndarray:
    a = _uniform(seed, 0, n * rank).reshape(n, rank)
    b = _uniform(seed, n * rank, rank * p).reshape(rank, p)
    e = _uniform(seed, n * rank + rank * p, n * p).reshape(n, p)
    x = np.zeros((n, p))
    for r in range(rank):
        x = x + a[:, r : r + 1] * b[r]
    return x + noise * (e - 0.5)


def bench_matrix(n: int, p: int) -> np.ndarray:
    return generated_matrix(n, p, min(RANK, p), NOISE, SEED)


if __name__ == "__main__":
    # Self-check against the checked-in reference case's checksum.
    import json
    import pathlib

    ref = pathlib.Path(__file__).resolve().parents[1] / "tests/fixtures/reference/pca_cases.json"
    case = next(c for c in json.loads(ref.read_text())["cases"] if c["name"] == "big_5000x200_k10")
    g = case["generated"]
    x = generated_matrix(g["n"], g["p"], g["rank"], g["noise"], g["seed"])
    total = 0.0
    for v in x.ravel().tolist():
        total += v
    assert total == case["checksum"]["sum"], (total, case["checksum"]["sum"])
    assert x[0, :5].tolist() == case["checksum"]["first_row"]
    print("matgen.py reproduces big_5000x200_k10 bit for bit")
