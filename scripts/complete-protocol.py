#!/usr/bin/env python3
"""Scores a running obscaling service's POST /v1/complete on the BenchPress protocols.

    python3 scripts/complete-protocol.py http://127.0.0.1:8080 [--folds N] [--probes K] [--check]

A copy of the project's shared scoring tool (tools/complete-protocol.py, the one issue 32's figures
are measured with), unchanged but for the data directory and `--check`. Data:
tests/fixtures/benchpress/ (matrix.csv, folds.json; see SOURCE.md there). Needs numpy.

With --check, exits 1 unless the figures of issue 32 hold: mean per-fold MedAE <= 4.15, coverage in
[0.88, 0.92], median width <= 26, probe protocol MedAE <= 3.9 (scripts/complete-protocol.sh runs it
against a release binary; .ci/run does on the container's).

1. Held-out folds (the paper's section 4): for each stored fold, the matrix with that fold's test
   cells blanked is sent as JSON
       {"models": [...], "benchmarks": [...], "scores": [[number or null, ...], ...], "interval": 0.9}
   and the answer's `predictions` entries {model, benchmark, value, lower, upper} are read for the
   test cells. Printed: the mean over folds of the per-fold median absolute error (the headline),
   the pooled MedAE, the share of test cells inside [lower, upper], the median interval width, how
   many test cells got no prediction (scored with the training column's median instead), and the
   request latency.
2. Probes (section 5.1), with --probes K (default 5): the full matrix is sent with "probes": K and
   the answer's `probes.benchmarks` is read. Then, for every model in turn, its row keeps only those
   benchmarks (every other row stays whole) and the row's other observed cells are scored; the pooled
   MedAE over all observed cells, probe cells counting as zero error, is printed.
Columns left with no observed cell in a fold are left out of that fold's request."""
import argparse, csv, json, os, statistics, sys, time, urllib.error, urllib.request

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "fixtures", "benchpress")


def load():
    rows = list(csv.reader(open(os.path.join(DATA, "matrix.csv"), newline="")))
    benches, models = rows[0][1:], [r[0] for r in rows[1:]]
    M = np.array([[np.nan if v == "" else float(v) for v in r[1:]] for r in rows[1:]])
    folds = [np.array(f["test_cells"], dtype=int) for f in json.load(open(os.path.join(DATA, "folds.json")))["folds"]]
    return M, models, benches, folds


def post(base, body, timeout=300):
    req = urllib.request.Request(base.rstrip("/") + "/v1/complete", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read()), time.perf_counter() - t
    except urllib.error.HTTPError as e:
        return e.code, e.read()[:400], time.perf_counter() - t


def body_of(M, models, benches, **extra):
    keep = np.where(~np.all(np.isnan(M), axis=0))[0]
    scores = [[None if np.isnan(v) else float(v) for v in row[keep]] for row in M]
    return dict({"models": models, "benchmarks": [benches[j] for j in keep], "scores": scores}, **extra)


def complete(base, M, models, benches, **extra):
    st, out, dt = post(base, body_of(M, models, benches, **extra))
    if st != 200:
        sys.exit(f"POST /v1/complete answered {st}: {out!r}")
    pred = {(p["model"], p["benchmark"]): p for p in out.get("predictions", [])}
    return out, pred, dt


def folds_protocol(base, M, models, benches, folds, level):
    per_fold, ae_all, inside, widths, absent, times = [], [], 0, [], 0, []
    for cells in folds:
        Mt = M.copy()
        Mt[cells[:, 0], cells[:, 1]] = np.nan
        _, pred, dt = complete(base, Mt, models, benches, interval=level)
        times.append(dt)
        ae = []
        for i, j in cells:
            p = pred.get((models[i], benches[j]))
            truth = M[i, j]
            if p is None or p.get("value") is None:
                absent += 1
                col = Mt[:, j][~np.isnan(Mt[:, j])]
                ae.append(abs((np.median(col) if len(col) else 0.0) - truth))
                continue
            ae.append(abs(p["value"] - truth))
            lo, hi = p.get("lower"), p.get("upper")
            if lo is not None and hi is not None:
                inside += lo <= truth <= hi
                widths.append(hi - lo)
        per_fold.append(float(np.median(ae)))
        ae_all += ae
    n = len(ae_all)
    print(f"folds {len(folds)}: MedAE mean over folds {np.mean(per_fold):.3f} (median {np.median(per_fold):.3f}, "
          f"range {min(per_fold):.3f}-{max(per_fold):.3f}); pooled {np.median(ae_all):.3f}")
    print(f"intervals at {level}: coverage {inside / n:.4f}, median width "
          f"{(statistics.median(widths) if widths else float('nan')):.2f}; cells without a prediction {absent} of {n}")
    print(f"latency per request: median {1000 * np.median(times):.0f} ms, max {1000 * max(times):.0f} ms")
    return float(np.mean(per_fold)), inside / n, (statistics.median(widths) if widths else float("nan"))


def probes_protocol(base, M, models, benches, k):
    out, _, dt = complete(base, M, models, benches, probes=k)
    chosen = (out.get("probes") or {}).get("benchmarks") or []
    print(f"probes={k}: {chosen} ({1000 * dt:.0f} ms)")
    if len(chosen) != k or any(b not in benches for b in chosen):
        sys.exit("the answer's probes.benchmarks is not a list of k benchmarks of the request")
    probe = np.zeros(M.shape[1], bool)
    probe[[benches.index(b) for b in chosen]] = True
    ae = []
    for i in range(M.shape[0]):
        obs = np.where(~np.isnan(M[i]))[0]
        rest = obs[~probe[obs]]
        ae += [0.0] * int(probe[obs].sum())
        if not len(rest):
            continue
        Mt = M.copy()
        Mt[i, ~probe] = np.nan
        _, pred, _ = complete(base, Mt, models, benches)
        for j in rest:
            p = pred.get((models[i], benches[j]))
            ae.append(abs(p["value"] - M[i, j]) if p and p.get("value") is not None
                      else abs(np.nanmedian(M[:, j]) - M[i, j]))
    print(f"probe protocol, {len(ae)} observed cells: pooled MedAE {np.median(ae):.3f}")
    return float(np.median(ae))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base")
    ap.add_argument("--folds", type=int, default=30, help="how many of the stored folds (default all 30)")
    ap.add_argument("--probes", type=int, default=5, help="probe-set size; 0 skips the probe protocol")
    ap.add_argument("--interval", type=float, default=0.9)
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless the figures of issue 32 hold (all 30 folds, 5 probes, interval 0.9)")
    a = ap.parse_args()
    if a.check and (a.folds != 30 or a.probes != 5 or a.interval != 0.9):
        sys.exit("--check scores the figures of issue 32: all 30 folds, --probes 5, --interval 0.9")
    M, models, benches, folds = load()
    medae, coverage, width = folds_protocol(a.base, M, models, benches, folds[: a.folds], a.interval)
    probe = probes_protocol(a.base, M, models, benches, a.probes) if a.probes else None
    if a.check:
        failures = []
        if medae > 4.15:
            failures.append(f"mean per-fold MedAE {medae:.3f} > 4.15")
        if not 0.88 <= coverage <= 0.92:
            failures.append(f"coverage {coverage:.4f} outside [0.88, 0.92]")
        if not width <= 26:
            failures.append(f"median width {width:.2f} > 26")
        if probe is None or probe > 3.9:
            failures.append(f"probe protocol MedAE {probe} > 3.9 (or not run)")
        if failures:
            sys.exit("FAILED: " + "; ".join(failures))
        print("the figures of issue 32 hold")
