#!/usr/bin/env python3
"""Scores a running obscaling service's POST /v1/complete on other leaderboards, masked, beside
BenchPress's method and the service's own iterative PCA on the same hidden cells (issue 32, item 3:
"averaged over several masks, it must beat both BenchPress's method and today's iterative PCA on
the same cells overall, and stay within 10 % of BenchPress on each leaderboard").

    python3 scripts/complete-boards.py http://127.0.0.1:8080 [--seeds 1,2,3] [--boards NAME,...]
                                       [--json FILE] [--check]

Leaderboards (all from tests/fixtures, see the SOURCE.md files there):
  - BenchPress (84 x 133: percentages, Elo ratings, dollars), on *fresh* folds made by the paper's
    own procedure (each model's observed cells shuffled by RandomState(100 + seed) and split in
    three; all three folds of each seed), not the 30 stored ones;
  - the Observational Scaling Laws boards: base (148 x 8), emergent (84 x 8, fractions and a BLEU
    column 0-65), Open LLM v2 (72 x 6), post-training (75 x 234 with a score, fractions, signed differences and
    constant columns), instruct (27 x 9, with normalised Arena Elo and MT-Bench), agents (27 x 29,
    0-100, 53 % filled);
  - Sloth's Open LLM v1 (152 x 6, dense) and v2 (113 x 6 with a score, 60 % filled);
  - the Open LLM leaderboard's `contents` table in miniature (14 x 6, the leaderboard's normalised
    0-100 scores, many zeros);
  - a tall synthetic board (2,000 x 6, 0-100, 65 % filled), drawn from a rank-2 model of the real
    Open LLM v2 rows (the research prototype's `synthetic_tall`, same seed, same numbers).

Masks, for every other board and every seed (the research harness's `masks`, unchanged): a
*per-model* mask (a third of each model's observed cells, models with >= 3) and a *uniform* mask
(20 % of all observed cells); then a benchmark keeps >= 3 observed cells and a model >= 1.

For each mask the hidden cells are blanked and the board is sent as JSON with nulls (benchmarks left
with no observed cell are left out, as scripts/complete-protocol.py does):
  - ours: POST /v1/complete {"interval": 0.9}; its `predictions` are read;
  - iterative PCA: POST /v1/pca {"missing": "iterative_pca", "standardize": true}; its `imputed`
    cells are read (the paper's algorithm as the service runs it today);
  - BenchPress: tests/fixtures/reference/benchpress_method.py in process, given the board in its own
    units (a fractions board x 100: its [-1, 101] percentage test and clip at 0.5 would otherwise
    flatten every fraction).
A hidden cell that a method leaves unpredicted is scored with the training column's median, as the
protocol does. Errors are in points: a fraction column's errors x 100 (the documented scale rule:
every observed value in [-0.01, 1.01], and at least half of the bounded-looking columns so), every
other column in its own units. Per board: the mean over its masks of each method's MedAE of the
hidden cells, the coverage of our 90 % intervals (mean over masks), and the median time of a
request. Overall: the geometric mean over boards of ours / BenchPress and ours / iterative PCA, and
the worst board's ratio to BenchPress.

With --check, exits 1 unless ours beats both overall (geometric mean of the ratios < 1) and is
within 10 % of BenchPress on every board. Needs numpy, and pyarrow for the Parquet board.
scripts/complete-boards.sh starts a release binary and runs this against it."""
import argparse, csv, json, math, os, sys, time, urllib.error, urllib.request

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's threaded BLAS is slower at these sizes
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "tests", "fixtures")
sys.path.insert(0, os.path.join(FIX, "reference"))
from benchpress_method import bp_complete  # noqa: E402

META = {"idx", "Model", "Model Family", "Model Size (B)", "Pretraining Data Size (T)", "FLOPs (1E21)",
        "Family", "Family2", "Instruct", "#Params (B)"}
OPEN_LLM = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"]


# ---------------------------------------------------------------- leaderboards
def load_csv(path):
    """A wide CSV: the `Model` column names the rows, metadata columns are left out, an empty or
    non-numeric cell is missing. Rows and columns with no score are dropped."""
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    head = rows[0]
    mcol = head.index("Model") if "Model" in head else 0
    keep = [k for k, h in enumerate(head) if h not in META and k != mcol]

    def num(v):
        try:
            return float(v)
        except ValueError:
            return np.nan

    M = np.array([[num(r[k]) if k < len(r) else np.nan for k in keep] for r in rows[1:]])
    return trim(M, [r[mcol] for r in rows[1:]], [head[k] for k in keep])


def trim(M, models, benches):
    r = (~np.isnan(M)).any(1)
    c = (~np.isnan(M)).any(0)
    return M[r][:, c], [m for m, k in zip(models, r) if k], [b for b, k in zip(benches, c) if k]


def load_benchpress():
    return load_csv_plain(os.path.join(FIX, "benchpress", "matrix.csv"))


def load_csv_plain(path):
    rows = list(csv.reader(open(path, newline="")))
    M = np.array([[np.nan if v == "" else float(v) for v in r[1:]] for r in rows[1:]])
    return M, [r[0] for r in rows[1:]], rows[0][1:]


def load_open_llm():
    import pyarrow.parquet as pq
    t = pq.read_table(os.path.join(FIX, "open_llm", "contents.parquet")).to_pydict()
    M = np.array([[np.nan if t[b][i] is None else float(t[b][i]) for b in OPEN_LLM] for i in range(len(t["fullname"]))])
    return trim(M, list(t["fullname"]), list(OPEN_LLM))


def synthetic_tall(n=2000, seed=7, hidden=0.35):
    """The research prototype's tall board (harness.py `synthetic_tall`, unchanged but for the paths):
    the complete rows of Sloth's and ObsScaling's Open LLM v2 leaderboards on a logit scale, a rank-2
    PCA of them; each synthetic model is a random real model's factor scores plus N(0, 0.5^2 x factor
    variance), plus per-cell noise of the rank-2 fit's residual sd; 35 % of cells (`hidden`) hidden at
    random, rows keeping at least 2."""
    rng = np.random.RandomState(seed)
    A, _, b1 = load_csv_raw(os.path.join(FIX, "sloth", "leaderboard_v2.csv"))
    B, _, b2 = load_csv_raw(os.path.join(FIX, "data", "base_llm_leaderboard_v2_eval.csv"))
    order = {"IFEval": "leaderboard_ifeval", "BBH": "leaderboard_bbh", "MATH Lvl 5": "leaderboard_math_hard",
             "GPQA": "leaderboard_gpqa", "MUSR": "leaderboard_musr", "MMLU-PRO": "leaderboard_mmlu_pro"}
    B = B[:, [b2.index(order[c]) for c in b1]]
    X = np.concatenate([A, B])
    X = X[~np.isnan(X).any(1)] * 100
    L = np.log((np.clip(X, 0, 100) + 0.5) / (100.5 - np.clip(X, 0, 100)))
    mu = L.mean(0)
    U, s, Vt = np.linalg.svd(L - mu, full_matrices=False)
    F = U[:, :2] * s[:2]
    resid = (L - mu) - F @ Vt[:2]
    rsd = resid.std(0)
    pick = rng.randint(0, len(F), n)
    Fn = F[pick] + rng.normal(0, 1, (n, 2)) * 0.5 * F.std(0)
    Ln = mu + Fn @ Vt[:2] + rng.normal(0, 1, (n, 6)) * rsd
    Xn = np.clip(np.round((101 / (1 + np.exp(-Ln)) - 0.5), 2), 0, 100)
    hide = rng.rand(n, 6) < hidden
    for i in range(n):
        if (~hide[i]).sum() < 2:
            hide[i, rng.choice(6, 2, replace=False)] = False
    Xn[hide] = np.nan
    return Xn, [f"synthetic-{i:05d}" for i in range(n)], list(b1)


def load_csv_raw(path):
    """As the research harness's loader (no trimming), for synthetic_tall's exact numbers."""
    rows = list(csv.reader(open(path, newline="")))
    head = rows[0]
    keep = [k for k, h in enumerate(head) if h not in META]

    def f(v):
        try:
            return float(v)
        except ValueError:
            return np.nan

    return (np.array([[f(r[k]) if k < len(r) else np.nan for k in keep] for r in rows[1:]]),
            [r[0] for r in rows[1:]], [head[k] for k in keep])


D = os.path.join(FIX, "data")
BOARDS = [  # name, loader, mask kind
    ("benchpress fresh folds (84x133, 0-100 + Elo, $)", load_benchpress, "folds"),
    ("obs base (148x8, 0-1)", lambda: load_csv(os.path.join(D, "base_llm_benchmark_eval.csv")), "masks"),
    ("obs emergent (84x8, 0-1 + BLEU)", lambda: load_csv(os.path.join(D, "base_llm_emergent_capability_eval.csv")), "masks"),
    ("obs open llm v2 (72x6, 0-1)", lambda: load_csv(os.path.join(D, "base_llm_leaderboard_v2_eval.csv")), "masks"),
    ("obs post-training (75x234, 0-1, signed)", lambda: load_csv(os.path.join(D, "base_llm_post_training_eval_c10551f.csv")), "masks"),
    ("obs instruct (27x9, 0-1)", lambda: load_csv(os.path.join(D, "instruct_llm_benchmark_eval.csv")), "masks"),
    ("obs agents (27x29, 0-100)", lambda: load_csv(os.path.join(D, "instruct_llm_agent_eval.csv")), "masks"),
    ("sloth v1 (152x6, 0-1, dense)", lambda: load_csv(os.path.join(FIX, "sloth", "leaderboard_v1.csv")), "masks"),
    ("sloth v2 (113x6, 0-1, 60%)", lambda: load_csv(os.path.join(FIX, "sloth", "leaderboard_v2.csv")), "masks"),
    ("open llm contents (14x6, 0-100)", load_open_llm, "masks"),
    ("tall synthetic (2000x6, 0-100)", synthetic_tall, "masks"),
]


# ---------------------------------------------------------------- masks
def masks(M, seed):
    """The research harness's masks, unchanged: per model (a third of each model with >= 3 cells)
    and uniform (20 % of all observed cells); a column keeps >= 3 observed cells, a row >= 1."""
    rng = np.random.RandomState(seed)
    out = []
    O = ~np.isnan(M)
    hide = np.zeros_like(O)
    for i in range(M.shape[0]):
        js = np.where(O[i])[0]
        if len(js) >= 3:
            rng.shuffle(js)
            hide[i, js[: len(js) // 3]] = True
    out.append(("per-model", hide))
    cells = np.argwhere(O)
    pick = cells[rng.rand(len(cells)) < 0.2]
    hide = np.zeros_like(O)
    hide[pick[:, 0], pick[:, 1]] = True
    out.append(("uniform", hide))
    for kind, h in out:
        for j in range(M.shape[1]):
            kept = O[:, j] & ~h[:, j]
            while kept.sum() < 3 and h[:, j].any():
                i = np.where(h[:, j])[0][0]
                h[i, j] = False
                kept[i] = True
        for i in range(M.shape[0]):
            if O[i].any() and not (O[i] & ~h[i]).any():
                h[i, np.where(O[i])[0][0]] = False
    return out


def paper_folds(M, seed, n_folds=3):
    """The BenchPress paper's folds (holdout_per_model): each model's observed benchmarks shuffled by
    RandomState(seed), split in 3 disjoint parts of len // 3, the last taking the remainder."""
    rng = np.random.RandomState(seed)
    O = ~np.isnan(M)
    assign = []
    for i in range(M.shape[0]):
        js = list(np.where(O[i])[0])
        rng.shuffle(js)
        assign.append(js)
    out = []
    for k in range(n_folds):
        h = np.zeros_like(O)
        for i, js in enumerate(assign):
            size = max(1, len(js) // n_folds)
            a = k * size
            b = a + size if k < n_folds - 1 else len(js)
            h[i, js[a:b]] = True
        out.append((f"fold {k}", h))
    return out


def units(M):
    """Points per unit of each column: 100 for fractions, 1 otherwise (the documented scale rule)."""
    frac, pct = [], []
    for j in range(M.shape[1]):
        v = M[:, j][~np.isnan(M[:, j])]
        frac.append(len(v) > 0 and v.min() >= -0.01 and v.max() <= 1.01)
        pct.append(len(v) > 0 and not frac[-1] and v.min() >= -1 and v.max() <= 101)
    nf, npct = sum(frac), sum(pct)
    fracboard = nf > 0 and nf >= (nf + npct) / 2
    return np.array([100.0 if (f and fracboard) else 1.0 for f in frac]), fracboard


# ---------------------------------------------------------------- requests
SERVER_PID = None  # with --pid, the server's CPU time per request is read from /proc


def cpu_seconds():
    if SERVER_PID is None:
        return float("nan")
    with open(f"/proc/{SERVER_PID}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def post(base, path, body, timeout=600):
    """(status, answer, wall seconds, server CPU seconds) of one request."""
    req = urllib.request.Request(base.rstrip("/") + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    c, t = cpu_seconds(), time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            out = json.loads(r.read())
            return r.status, out, time.perf_counter() - t, cpu_seconds() - c
    except urllib.error.HTTPError as e:
        return e.code, e.read()[:600], time.perf_counter() - t, cpu_seconds() - c


def body_of(Mt, models, benches, keep, **extra):
    scores = [[None if np.isnan(v) else float(v) for v in row[keep]] for row in Mt]
    return dict({"models": models, "benchmarks": [benches[j] for j in keep], "scores": scores}, **extra)


def ours(base, Mt, models, benches, keep):
    st, out, dt, cpu = post(base, "/v1/complete", body_of(Mt, models, benches, keep, interval=0.9))
    if st != 200:
        sys.exit(f"POST /v1/complete answered {st}: {out!r}")
    n, p = Mt.shape
    P, lo, hi = (np.full((n, p), np.nan) for _ in range(3))
    mi, bi = {m: i for i, m in enumerate(models)}, {b: j for j, b in enumerate(benches)}
    for e in out.get("predictions", []):
        i, j = mi[e["model"]], bi[e["benchmark"]]
        P[i, j], lo[i, j], hi[i, j] = e["value"], e["lower"], e["upper"]
    return P, lo, hi, dt, cpu


def ipca(base, Mt, models, benches, keep):
    st, out, dt, _ = post(base, "/v1/pca", body_of(Mt, models, benches, keep, missing="iterative_pca", standardize=True))
    if st != 200:
        sys.exit(f"POST /v1/pca answered {st}: {out!r}")
    P = np.full(Mt.shape, np.nan)
    mi, bi = {m: i for i, m in enumerate(models)}, {b: j for j, b in enumerate(benches)}
    for e in out.get("imputed", []):
        P[mi[e["model"]], bi[e["benchmark"]]] = e["value"]
    conv = (out.get("imputation") or {}).get("converged")
    return P, dt, conv


def benchpress(Mt, keep, scale):
    P = np.full(Mt.shape, np.nan)
    P[:, keep] = bp_complete(Mt[:, keep] * scale) / scale
    return P


def abs_errors(P, M, Mt, cells):
    """|prediction - truth| at the hidden cells; an unpredicted cell gets the training column median."""
    i, j = cells[:, 0], cells[:, 1]
    v = P[i, j].copy()
    miss = np.isnan(v)
    for k in np.where(miss)[0]:
        col = Mt[:, j[k]][~np.isnan(Mt[:, j[k]])]
        v[k] = np.median(col) if len(col) else 0.0
    return np.abs(v - M[i, j]), int(miss.sum())


# ---------------------------------------------------------------- the run
def run_board(base, name, M, models, benches, kind, seeds):
    unit, fracboard = units(M)
    rows = []
    for seed in seeds:
        ms = paper_folds(M, 100 + seed) if kind == "folds" else masks(M, seed)
        for mname, hide in ms:
            Mt = M.copy()
            Mt[hide] = np.nan
            cells = np.argwhere(hide)
            keep = np.where(~np.all(np.isnan(Mt), 0))[0]
            P, lo, hi, t_ours, cpu_ours = ours(base, Mt, models, benches, keep)
            Pi, t_pca, conv = ipca(base, Mt, models, benches, keep)
            t = time.perf_counter()
            Pb = benchpress(Mt, keep, 100.0 if fracboard else 1.0)
            t_bp = time.perf_counter() - t
            u = unit[cells[:, 1]]
            e_o, miss_o = abs_errors(P, M, Mt, cells)
            e_b, _ = abs_errors(Pb, M, Mt, cells)
            e_i, miss_i = abs_errors(Pi, M, Mt, cells)
            i, j = cells[:, 0], cells[:, 1]
            ok = ~np.isnan(lo[i, j])
            inside = (lo[i, j] <= M[i, j]) & (M[i, j] <= hi[i, j])
            row = dict(seed=seed, mask=mname, cells=len(cells), ours=float(np.median(e_o * u)),
                       bp=float(np.median(e_b * u)), ipca=float(np.median(e_i * u)),
                       coverage=float(inside[ok].mean()) if ok.any() else float("nan"),
                       not_predicted=miss_o, ipca_not_imputed=miss_i, ipca_converged=conv,
                       t_complete=t_ours, cpu_complete=cpu_ours, t_pca=t_pca, t_bp=t_bp)
            rows.append(row)
            print(f"  {name} seed {seed} {mname}: {len(cells)} cells, ours {row['ours']:.3f} bp {row['bp']:.3f} "
                  f"ipca {row['ipca']:.3f} cover {row['coverage']:.3f} | complete {1000 * t_ours:.0f} ms "
                  f"(CPU {1000 * cpu_ours:.0f} ms), "
                  f"pca {1000 * t_pca:.0f} ms, bp {1000 * t_bp:.0f} ms", flush=True)
    return rows


def summary(results):
    out = {}
    for name, rows in results.items():
        o, b, i = (float(np.mean([r[k] for r in rows])) for k in ("ours", "bp", "ipca"))
        out[name] = dict(masks=len(rows), cells=int(sum(r["cells"] for r in rows)), ours=o, bp=b, ipca=i,
                         ours_bp=o / b, ours_ipca=o / i, coverage=float(np.nanmean([r["coverage"] for r in rows])),
                         masks_lost_to_bp=sum(r["ours"] > r["bp"] for r in rows),
                         masks_lost_to_ipca=sum(r["ours"] > r["ipca"] for r in rows),
                         not_predicted=int(sum(r["not_predicted"] for r in rows)),
                         t_complete_ms=1000 * float(np.median([r["t_complete"] for r in rows])),
                         cpu_complete_ms=1000 * float(np.median([r["cpu_complete"] for r in rows])),
                         t_pca_ms=1000 * float(np.median([r["t_pca"] for r in rows])),
                         t_bp_ms=1000 * float(np.median([r["t_bp"] for r in rows])))
    return out


def gmean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base")
    ap.add_argument("--seeds", default="1,2,3", help="mask seeds (default 1,2,3: 6 masks a board, 9 BenchPress folds)")
    ap.add_argument("--boards", default="", help="comma-separated substrings of board names (default all)")
    ap.add_argument("--json", help="write every mask's figures and the summary here")
    ap.add_argument("--pid", type=int, help="the server's process id: also report its CPU time per /v1/complete")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless ours beats both overall and is within 10 %% of BenchPress on every board")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    SERVER_PID = a.pid
    want = [w for w in a.boards.split(",") if w]
    t0 = time.perf_counter()
    results = {}
    for name, loader, kind in BOARDS:
        if want and not any(w in name for w in want):
            continue
        M, models, benches = loader()
        print(f"{name}: {M.shape[0]} x {M.shape[1]}, {int((~np.isnan(M)).sum())} scores", flush=True)
        results[name] = run_board(a.base, name, M, models, benches, kind, seeds)
    s = summary(results)
    print()
    print("MedAE of the hidden cells in points (fractions x 100), mean over masks; time: median per request "
          "(wall, and the server's CPU time with --pid)")
    hdr = (f"{'leaderboard':48s} {'masks':>5s} {'cells':>6s} {'ours':>7s} {'BP':>7s} {'iPCA':>7s} {'o/BP':>6s} "
           f"{'o/iPCA':>6s} {'cover':>6s} {'complete':>9s} {'(CPU)':>8s} {'pca':>7s}")
    print(hdr)
    for name, r in s.items():
        print(f"{name:48s} {r['masks']:5d} {r['cells']:6d} {r['ours']:7.3f} {r['bp']:7.3f} {r['ipca']:7.3f} "
              f"{r['ours_bp']:6.3f} {r['ours_ipca']:6.3f} {r['coverage']:6.3f} {r['t_complete_ms']:7.0f}ms "
              f"{r['cpu_complete_ms']:6.0f}ms {r['t_pca_ms']:5.0f}ms")
    g_bp, g_i = gmean([r["ours_bp"] for r in s.values()]), gmean([r["ours_ipca"] for r in s.values()])
    worst = max(s, key=lambda k: s[k]["ours_bp"])
    worst_i = max(s, key=lambda k: s[k]["ours_ipca"])
    print(f"geometric mean over {len(s)} boards: ours/BenchPress {g_bp:.3f}, ours/iPCA {g_i:.3f}")
    print(f"worst board vs BenchPress: {worst} {s[worst]['ours_bp']:.3f}; vs iPCA: {worst_i} {s[worst_i]['ours_ipca']:.3f}")
    print(f"masks where ours loses: to BenchPress {sum(r['masks_lost_to_bp'] for r in s.values())}, "
          f"to iPCA {sum(r['masks_lost_to_ipca'] for r in s.values())}, of {sum(r['masks'] for r in s.values())}")
    print(f"run time {time.perf_counter() - t0:.0f} s")
    if a.json:
        json.dump(dict(seeds=seeds, per_mask=results, per_board=s, gmean_ours_bp=g_bp, gmean_ours_ipca=g_i),
                  open(a.json, "w"), indent=1)
    if a.check:
        failures = []
        if g_bp >= 1:
            failures.append(f"geometric mean ours/BenchPress {g_bp:.3f} >= 1")
        if g_i >= 1:
            failures.append(f"geometric mean ours/iPCA {g_i:.3f} >= 1")
        failures += [f"{k}: ours/BenchPress {r['ours_bp']:.3f} > 1.10" for k, r in s.items() if r["ours_bp"] > 1.10]
        if failures:
            sys.exit("FAILED: " + "; ".join(failures))
        print("ours beats BenchPress and iterative PCA overall, and is within 10 % of BenchPress on every board")
