"""Times scikit-learn's DEFAULT PCA solver on the benchmark matrix, and
optionally checks obscaling's results (from `fit_timing fit ... OUT.json`).

usage: python3 bench/core_sklearn.py [--n 20000] [--p 500] [--k 10]
           [--threads 2] [--reps 5] [--compare rust.json]

Prints one JSON object: best/median seconds of
`PCA(n_components=k).fit_transform(X)` under threadpoolctl's limit, the solver
that 'auto' chose, the BLAS kernel threadpoolctl reports, and with --compare
the largest deviations of the Rust results from scikit-learn's exact
`svd_solver="full"` (tolerances: 1e-9 ratios, 1e-7 components and projections,
1e-9 relative singular values, as tests/api/reference.rs).
"""

import argparse
import json
import pathlib
import sys
import time

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from matgen import bench_matrix  # noqa: E402

RATIO_TOL, VECTOR_TOL, VALUE_REL_TOL = 1e-9, 1e-7, 1e-9


def timed(reps, f):
    times, out = [], None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[0], times[len(times) // 2], out


def deviations(rust: dict, ref: PCA, proj: np.ndarray) -> dict:
    comps = np.asarray(rust["components"])
    k = comps.shape[0]
    # Up to sign: obscaling orients by loading sum, scikit-learn by max |loading|.
    signs = np.sign(np.sum(comps * ref.components_[:k], axis=1))
    head = np.asarray(rust["projections_head"])
    ratio_dev = float(np.max(np.abs(np.asarray(rust["explained_variance_ratio"]) - ref.explained_variance_ratio_[:k])))
    sv = np.asarray(rust["singular_values"])
    sv_dev = float(np.max(np.abs(sv - ref.singular_values_[:k])) / ref.singular_values_[0])
    comp_dev = float(np.max(np.abs(comps * signs[:, None] - ref.components_[:k])))
    proj_dev = float(np.max(np.abs(head * signs[None, :] - proj[: head.shape[0], :k])))
    return {
        "explained_variance_ratio": ratio_dev,
        "singular_values_rel": sv_dev,
        "components": comp_dev,
        "projections_head": proj_dev,
        "within_tolerance": ratio_dev <= RATIO_TOL
        and sv_dev <= VALUE_REL_TOL
        and comp_dev <= VECTOR_TOL
        and proj_dev <= VECTOR_TOL,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--p", type=int, default=500)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--compare", help="JSON written by `fit_timing fit N P K REPS OUT.json`")
    args = ap.parse_args()

    x = bench_matrix(args.n, args.p)
    with threadpool_limits(limits=args.threads):
        info = [
            {key: i.get(key) for key in ("internal_api", "version", "architecture", "num_threads", "threading_layer")}
            for i in threadpool_info()
        ]
        PCA(n_components=args.k).fit_transform(x)  # warm-up (BLAS thread start, page faults)
        best, median, _ = timed(args.reps, lambda: PCA(n_components=args.k).fit_transform(x))
        solver = PCA(n_components=args.k).fit(x)._fit_svd_solver
        out = {
            "n": args.n,
            "p": args.p,
            "k": args.k,
            "threads": args.threads,
            "reps": args.reps,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "threadpool": info,
            "default_solver": solver,
            "best_s": best,
            "median_s": median,
        }
        if args.compare:
            rust = json.loads(pathlib.Path(args.compare).read_text())
            g = rust["generator"]
            assert (g["n"], g["p"]) == (args.n, args.p), "the Rust run used another shape"
            full_best, _, (full, full_proj) = timed(
                1, lambda: (lambda m: (m, m.transform(x)))(PCA(n_components=args.k, svd_solver="full").fit(x))
            )
            default = PCA(n_components=args.k).fit(x)
            out["full_solver_s"] = full_best
            out["rust_vs_full"] = deviations(rust, full, full_proj)
            # For information: how far the default solver itself is from the exact one.
            out["default_vs_full"] = deviations(
                {
                    "components": default.components_.tolist(),
                    "projections_head": default.transform(x[:50]).tolist(),
                    "explained_variance_ratio": default.explained_variance_ratio_.tolist(),
                    "singular_values": default.singular_values_.tolist(),
                },
                full,
                full_proj,
            )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
