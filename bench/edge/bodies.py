"""Hostile-but-valid requests of issue 29, part 3, built deterministically.

Each builder returns (path, headers, body bytes). Used by probe_latency.py
and after_deadline.py; `python3 bodies.py NAME` writes one body to stdout.
"""

import json
import random
import sys


def _matrix(n, p, seed, missing=0.0):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        base = rng.random()
        row = []
        for j in range(p):
            if rng.random() < missing and j != i % p:
                row.append(None)
            else:
                row.append(round(min(1.0, max(0.0, base * 0.6 + rng.random() * 0.4)), 4))
        rows.append(row)
    return rows


def iterative_pca_small():
    """About 48 KB: 300 x 25, half the cells missing, iterative PCA with tol 0
    and max_iter 100000: seconds of work from a body under 64 KiB."""
    n, p = 300, 25
    body = {
        "models": [f"m{i}" for i in range(n)],
        "benchmarks": [f"b{j}" for j in range(p)],
        "scores": _matrix(n, p, 7, missing=0.5),
        "missing": "iterative_pca",
        "imputation": {"tol": 0, "max_iter": 100000},
        "n_components": 3,
    }
    return "/v1/pca", {"Content-Type": "application/json"}, json.dumps(body).encode()


def bootstrap_small():
    """About 47 KB: complete 120 x 40, bootstrap and parallel analysis at
    their largest."""
    n, p = 120, 40
    body = {
        "models": [f"m{i}" for i in range(n)],
        "benchmarks": [f"b{j}" for j in range(p)],
        "scores": _matrix(n, p, 11),
        "n_components": 3,
        "bootstrap": {"resamples": 10000},
        "parallel_analysis": {"iterations": 10000},
    }
    return "/v1/pca", {"Content-Type": "application/json"}, json.dumps(body).encode()


def skills_many_families(families=3000):
    """The skills law with `families` families of 2 models each."""
    rng = random.Random(3)
    benchmarks = ["IFEval", "BBH", "MATH", "GPQA", "MUSR", "MMLU-PRO"]
    models, params, tokens, fams, scores = [], [], [], [], []
    for f in range(families):
        for k in range(2):
            models.append(f"f{f}-m{k}")
            params.append(round(0.5 * (k + 1) * (1 + rng.random()), 3))
            tokens.append(round(1 + 10 * rng.random(), 3))
            fams.append(f"f{f}")
            scores.append([round(0.1 + 0.6 * rng.random(), 3) for _ in benchmarks])
    body = {
        "models": models,
        "benchmarks": benchmarks,
        "scores": scores,
        "params": params,
        "tokens": tokens,
        "families": fams,
    }
    return "/v1/scaling/skills", {"Content-Type": "application/json"}, json.dumps(body).encode()


def multipart_many_parts(parts=200_000):
    """A form of `parts` tiny parts to /v1/pca/transform."""
    boundary = "b0undary"
    chunks = [
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"p{i}\"\r\n\r\nx\r\n".encode()
        for i in range(parts)
    ]
    chunks.append(f"--{boundary}--\r\n".encode())
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return "/v1/pca/transform", headers, b"".join(chunks)


BUILDERS = {
    "iterative_pca_small": iterative_pca_small,
    "bootstrap_small": bootstrap_small,
    "skills_many_families": skills_many_families,
    "multipart_many_parts": multipart_many_parts,
}

if __name__ == "__main__":
    _, _, body = BUILDERS[sys.argv[1]]()
    sys.stdout.buffer.write(body)
