#!/usr/bin/env python3
"""Request bodies for scripts/load-test.sh (POST /v1/pca, JSON), stdlib only.

usage: python3 bench/load/make_bodies.py OUT_DIR
  OUT_DIR/small.json   100 x 10,   n_components 3   (~90% of the requests)
  OUT_DIR/medium.json  1000 x 50,  n_components 5   (~5%)
  OUT_DIR/large.json   2000 x 100, n_components 10  (~5%)
Scores are a rank-3 factor model squashed into (0, 1), plus noise, 6 decimals;
fixed seeds, so every run sends the same bytes.
"""

import json
import math
import pathlib
import random
import sys

SHAPES = {"small": (100, 10, 3), "medium": (1000, 50, 5), "large": (2000, 100, 10)}


def body(n, p, k, seed):
    rng = random.Random(seed)
    rank = 3
    loadings = [[rng.gauss(0, 1) for _ in range(p)] for _ in range(rank)]
    scores = []
    for _ in range(n):
        ability = [rng.gauss(0, 1) for _ in range(rank)]
        row = []
        for j in range(p):
            z = sum(a * l[j] for a, l in zip(ability, loadings)) + rng.gauss(0, 0.3)
            row.append(round(1 / (1 + math.exp(-z)), 6))
        scores.append(row)
    return json.dumps(
        {
            "models": [f"org/model-{i:05d}" for i in range(n)],
            "benchmarks": [f"bench-{j:03d}" for j in range(p)],
            "scores": scores,
            "n_components": k,
        },
        separators=(",", ":"),
    ).encode()


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for seed, (name, (n, p, k)) in enumerate(SHAPES.items()):
        data = body(n, p, k, seed)
        (out / f"{name}.json").write_bytes(data)
        print(f"{name}.json: {n}x{p} k={k}, {len(data)} bytes")


if __name__ == "__main__":
    main()
