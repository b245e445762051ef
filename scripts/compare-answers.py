#!/usr/bin/env python3
"""Sends one fixed set of requests to two builds of the service and compares their answers byte
for byte: the check that a change which should not move any answer (a refactor, a speed-up)
moved none.

    python3 scripts/compare-answers.py BASE_BINARY NEW_BINARY [--only SUBSTRING] [--show N]

Each binary is started on a free 127.0.0.1 port. The requests (listed by `--list`) cover every
endpoint and body format: JSON, CSV, Parquet, Arrow and multipart, wide and long tables, every
missing-cell policy, k = 1 to 10 and p = 2 to 30, charts, bases, bootstrap and parallel analysis
with seeds, groups, escaped labels, percent-scale scores, completion (with probes and charts),
edited bases, errors, and the 5000 x 200 body of bench/make_bodies.py. Prints one line per request that differs (status or bytes) and exits 1 if
any does. Nothing here reads ../shared.
"""
import argparse
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = pathlib.Path(__file__).resolve().parent.parent
FIX = REPO / "tests" / "fixtures"
EX = REPO / "src" / "api" / "examples"
ASSETS = REPO / "assets" / "examples"

PAPER8 = "MMLU,ARC-C,HellaSwag,Winograd,TruthfulQA,GSM8K,XWinograd,HumanEval"
RECIPE = f"benchmarks={PAPER8}&missing=iterative_pca&imputation_bounds=0,1&n_components=3"
FAMILY = "family_column=Model%20Family&flops_column=FLOPs%20(1E21)"
CSV, JSON_T = "text/csv", "application/json"
PARQUET, ARROW = "application/vnd.apache.parquet", "application/vnd.apache.arrow.stream"


def read(path):
    return pathlib.Path(path).read_bytes()


def schema_example(name):
    doc = json.loads(read(REPO / "openapi" / "openapi.json"))
    return json.dumps(doc["components"]["schemas"][name]["example"]).encode()


def paper_json(k=None, p=8, **extra):
    """The paper set's complete rows as a JSON body (the first p benchmarks)."""
    lines = read(FIX / "data" / "paper_set_77.csv").decode().splitlines()
    head = lines[0].split(",")
    start = head.index("MMLU")
    models, scores = [], []
    for line in lines[1:]:
        cells = line.split(",")
        row = cells[start:start + p]
        if all(row):
            models.append(cells[0])
            scores.append([float(v) for v in row])
    body = {"models": models, "benchmarks": head[start:start + p], "scores": scores}
    if k is not None:
        body["n_components"] = k
    body.update(extra)
    return json.dumps(body).encode()


def synthetic(n, p, k, seed, gaps=0.0, percent=False, labels="plain", **extra):
    """A seeded low-rank leaderboard (no numpy needed)."""
    import random

    rng = random.Random(seed)
    factors = [[rng.gauss(0, 1) for _ in range(2)] for _ in range(n)]
    loads = [[rng.gauss(0, 1) for _ in range(2)] for _ in range(p)]
    scale = 100.0 if percent else 1.0
    scores = []
    for i in range(n):
        row = []
        for j in range(p):
            x = sum(a * b for a, b in zip(factors[i], loads[j])) + 0.3 * rng.gauss(0, 1)
            v = round(scale / (1.0 + 2.718281828 ** (-x)), 6)
            row.append(None if rng.random() < gaps else v)
        scores.append(row)
    name = {"plain": "m{}", "escaped": 'org/"m"\\{}\u00e9\t'}[labels]
    body = {"models": [name.format(i) for i in range(n)], "benchmarks": [f"b{j}" for j in range(p)],
            "scores": scores, "n_components": k}
    body.update(extra)
    return json.dumps(body).encode()


def multipart(parts):
    boundary = "compare-answers-boundary"
    out = b""
    for name, ctype, data, filename in parts:
        out += f"--{boundary}\r\n".encode()
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"Content-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


def requests(big_dir):
    """(name, method, path, content type, body) for every request compared."""
    paper = FIX / "data" / "paper_set_77.csv"
    tables = FIX / "tables"
    tasks = ASSETS / "paper_set_77_tasks.csv"
    out = [
        ("healthz", "GET", "/healthz", None, None),
        ("pca readme json", "POST", "/v1/pca", JSON_T, schema_example("PcaRequest")),
        ("pca csv recipe", "POST", f"/v1/pca?{RECIPE}", CSV, read(paper)),
        ("pca csv recipe charts basis", "POST", f"/v1/pca?{RECIPE}&charts=true&return_basis=true"
         "&group_column=Model%20Family", CSV, read(paper)),
        ("pca csv drop_models", "POST", f"/v1/pca?benchmarks={PAPER8}&missing=drop_models", CSV, read(paper)),
        ("pca csv mean standardize", "POST", f"/v1/pca?benchmarks={PAPER8}&missing=mean&standardize=true",
         CSV, read(paper)),
        ("pca csv fraction", "POST", f"/v1/pca?{RECIPE.replace('n_components=3', 'n_components=0.9')}",
         CSV, read(paper)),
        ("pca json groups charts", "POST", "/v1/pca", JSON_T,
         paper_json(3, charts=True, return_basis=True, sign="max_abs_positive")),
        ("pca json bootstrap parallel", "POST", "/v1/pca", JSON_T,
         paper_json("auto", bootstrap={"resamples": 50, "seed": 7}, parallel_analysis={"iterations": 20, "seed": 3})),
        ("pca json escaped standardize", "POST", "/v1/pca", JSON_T,
         synthetic(40, 9, 3, 1, labels="escaped", standardize=True)),
        ("pca json percent scale", "POST", "/v1/pca", JSON_T, synthetic(60, 12, 4, 2, percent=True)),
        ("pca json iterative missing", "POST", "/v1/pca", JSON_T,
         synthetic(80, 15, 3, 3, gaps=0.15, missing="iterative_pca")),
        ("pca json supplementary", "POST", "/v1/pca", JSON_T,
         json.dumps(dict(json.loads(paper_json(2)), supplementary={"models": ["x", "y"], "scores": [
             [0.5, 0.5, 0.7, 0.6, 0.3, 0.2, 0.6, 0.1], [0.4, None, 0.6, 0.6, 0.3, 0.1, 0.6, 0.05]]},
             missing="mean")).encode()),
        ("transform example", "POST", "/v1/pca/transform", JSON_T, schema_example("TransformRequest")),
        ("compute-fit example", "POST", "/v1/scaling/compute-fit", JSON_T, schema_example("ComputeFitRequest")),
        ("compute-fit csv", "POST", f"/v1/scaling/compute-fit?{RECIPE}&{FAMILY}&charts=true", CSV, read(paper)),
        ("law example", "POST", "/v1/scaling/law", JSON_T, schema_example("ScalingLawRequest")),
        ("law csv", "POST", f"/v1/scaling/law?{RECIPE}&target_columns=word_unscrambling_2_exact_match&{FAMILY}"
         "&max_train_flops=84&reference_family=Llama-2&charts=true&return_basis=true", CSV, read(tasks)),
        ("predict law example", "POST", "/v1/scaling/predict", JSON_T, schema_example("PredictRequest")),
        ("select-families csv", "POST", f"/v1/scaling/select-families?{RECIPE}&family_column=Model%20Family"
         "&max_models=25&required_families=Llama-2,Qwen1.5&top=1&charts=true", CSV, read(paper)),
        ("skills example", "POST", "/v1/scaling/skills", JSON_T, schema_example("SkillsRequest")),
        ("skills csv", "POST", "/v1/scaling/skills?params_column=%23Params%20(B)&tokens_column=Pretraining"
         "%20Data%20Size%20(T)&family_column=Family2&benchmarks=IFEval,BBH,MATH%20Lvl%205,GPQA,MUSR,MMLU-PRO&charts=true&return_basis=true", CSV,
         read(ASSETS / "leaderboard_v2_skills.csv")),
        ("predict skills example", "POST", "/v1/scaling/predict", JSON_T, schema_example("SkillsPredictRequest")),
        ("inspect csv", "POST", "/v1/inspect", CSV, read(tasks)),
        ("inspect parquet", "POST", "/v1/inspect", PARQUET, read(tables / "gaps.polars.parquet")),
        ("error bad json", "POST", "/v1/pca", JSON_T, b'{"models": ['),
        ("error missing", "POST", "/v1/pca", JSON_T, synthetic(10, 4, 2, 5, gaps=0.3)),
        ("error media", "POST", "/v1/pca", "text/plain", b"x"),
    ]
    for name in ["paper.pyarrow-snappy.parquet", "paper.duckdb.parquet", "paper.pyarrow.arrows",
                 "gaps.polars.parquet", "gaps.pyarrow.arrows"]:
        ctype = PARQUET if name.endswith(".parquet") else ARROW
        query = RECIPE if name.startswith("paper") else "missing=iterative_pca&n_components=2&model_column=model"
        out.append((f"pca {name}", "POST", f"/v1/pca?{query}", ctype, read(tables / name)))
    out.append(("pca long csv", "POST", f"/v1/pca?layout=long&{RECIPE}", CSV, read(tables / "paper_long.csv")))
    out.append(("pca long parquet", "POST", f"/v1/pca?layout=long&{RECIPE}", PARQUET,
                read(tables / "paper_long.polars.parquet")))
    for k in range(1, 11):
        out.append((f"pca k={k}", "POST", "/v1/pca", JSON_T, synthetic(50, 12, k, 10 + k)))
    for p in (2, 3, 5, 8, 13, 21, 30):
        out.append((f"pca p={p}", "POST", "/v1/pca", JSON_T, synthetic(70, p, min(2, p), 30 + p)))
    ctype, body = multipart([("basis", JSON_T, json.dumps(json.loads(schema_example("TransformRequest"))["basis"]).encode(), None),
                             ("scores", CSV, b"Model,MMLU,ARC-C,HellaSwag,GSM8K\nm1,0.5,0.5,0.7,0.3\nm2,0.6,,0.8,0.4\n", "s.csv")])
    out.append(("transform multipart", "POST", "/v1/pca/transform?model_column=Model", ctype, body))
    gappy = {k: v for k, v in json.loads(synthetic(60, 10, 2, 9, gaps=0.25)).items() if k != "n_components"}
    out += [
        ("complete example", "POST", "/v1/complete", JSON_T, schema_example("CompleteRequest")),
        ("complete csv probes charts", "POST", "/v1/complete?probes=3&charts=true&interval=0.8", CSV, read(paper)),
        ("complete json gaps", "POST", "/v1/complete", JSON_T, json.dumps(gappy).encode()),
    ]
    # The example basis edited: each edit is refused before the fingerprint is checked.
    bad_bases = {
        "ragged components": lambda b: b["components"][1].append(0.0),
        "short components": lambda b: [row.pop() for row in b["components"]],
        "no components": lambda b: b.__setitem__("components", []),
        "short mean": lambda b: b["mean"].pop(),
        "duplicate benchmark": lambda b: b["benchmarks"].__setitem__(1, b["benchmarks"][0]),
        "ratio above 1": lambda b: b["explained_variance_ratio"].__setitem__(0, 1.5),
        "edited number": lambda b: b["mean"].__setitem__(0, b["mean"][0] + 1e-9),
    }
    for name, edit in bad_bases.items():
        request = json.loads(schema_example("TransformRequest"))
        edit(request["basis"])
        out.append((f"transform bad basis: {name}", "POST", "/v1/pca/transform", JSON_T,
                    json.dumps(request).encode()))
    if big_dir:
        out.append(("pca 5000x200", "POST", "/v1/pca", JSON_T, read(pathlib.Path(big_dir) / "big.json")))
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary):
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="warn")
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc, port
        except Exception:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"{binary} did not become healthy")


def send(port, method, path, ctype, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method)
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def first_difference(a, b):
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at byte {n}: {a[max(0, n - 60):n + 60]!r} vs {b[max(0, n - 60):n + 60]!r}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base", nargs="?")
    ap.add_argument("new", nargs="?")
    ap.add_argument("--only", default="", help="only requests whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the requests and exit")
    ap.add_argument("--no-big", action="store_true", help="leave out the 5000 x 200 body")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = None
        if not a.no_big and not a.list:
            subprocess.run([sys.executable, str(REPO / "bench" / "make_bodies.py"), tmp], check=True,
                           stdout=subprocess.DEVNULL)
            big = tmp
        todo = [r for r in requests(big) if a.only in r[0]]
        if a.list:
            for name, method, path, ctype, body in todo:
                print(f"{name}: {method} {path} ({ctype}, {len(body or b'')} bytes)")
            return 0
        if not (a.base and a.new):
            ap.error("give BASE_BINARY and NEW_BINARY")
        servers = [start(a.base), start(a.new)]
        try:
            differ = 0
            for name, method, path, ctype, body in todo:
                (s1, b1), (s2, b2) = (send(port, method, path, ctype, body) for _, port in servers)
                if (s1, b1) == (s2, b2):
                    print(f"same    {name} ({s1}, {len(b1)} bytes)")
                else:
                    differ += 1
                    print(f"DIFFERS {name}: status {s1} vs {s2}; {first_difference(b1, b2)}")
            print(f"{len(todo) - differ} of {len(todo)} answers byte-identical")
            return 1 if differ else 0
        finally:
            for proc, _ in servers:
                proc.terminate()
                proc.wait()


if __name__ == "__main__":
    sys.exit(main())
