"""Writes the POST /v1/pca request bodies used by scripts/bench-http.sh.

usage: python3 bench/make_bodies.py OUT_DIR
  OUT_DIR/small.json  100 x 10, n_components 3
  OUT_DIR/big.json    5000 x 200, n_components 10 (scores rounded to 6 decimals: ~9 MB)
"""

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from matgen import bench_matrix  # noqa: E402


def body(n: int, p: int, k: int) -> bytes:
    x = bench_matrix(n, p).round(6)
    return json.dumps(
        {
            "models": [f"org/model-{i:05d}" for i in range(n)],
            "benchmarks": [f"bench-{j:03d}" for j in range(p)],
            "scores": x.tolist(),
            "n_components": k,
        },
        separators=(",", ":"),
    ).encode()


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, shape in {"small": (100, 10, 3), "big": (5000, 200, 10)}.items():
        data = body(*shape)
        (out / f"{name}.json").write_bytes(data)
        print(f"{name}.json: {shape[0]}x{shape[1]} k={shape[2]}, {len(data)} bytes")


if __name__ == "__main__":
    main()
