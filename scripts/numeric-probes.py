#!/usr/bin/env python3
"""Hostile numbers and options against the analysis core, one line each.

Sends the inputs that once drew a 500, a fit that never moved, a prediction
far outside the data, or a message naming the wrong field, and prints what
the service answers: the status and code, and the figure that says whether
the answer is sound (ratios, the law's iterations and `converged`, a
prediction and its marks, the message). It also compares the law on the
paper's emergent task with scipy's reference
(tests/fixtures/reference/scaling_law_word_unscrambling.json).

    python3 scripts/numeric-probes.py target/release/obscaling
    python3 scripts/numeric-probes.py --url http://127.0.0.1:8080
    python3 scripts/numeric-probes.py --time 15 OLD_BINARY NEW_BINARY

With `--time N` it starts each binary in turn and times N sequential
requests of the law (the reference request) and of the skills law (the
spec's example), alternating the binaries request by request so that both
see the same load, and prints each one's median and the ratio.

Python 3 standard library only. With a binary it starts it on a free port
of 127.0.0.1 and stops it at the end. It asserts nothing: run it against
two binaries to compare them.
"""

import argparse
import copy
import csv
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
BENCHMARKS = ["MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K", "XWinograd", "HumanEval"]


class Service:
    """The binary on a free port of 127.0.0.1 (PORT=0; the port is read from
    its JSON "listening" log line)."""

    def __init__(self, binary):
        env = dict(os.environ, HOST="127.0.0.1", PORT="0", LOG_FORMAT="json", RUST_LOG="info")
        self.proc = subprocess.Popen(
            [binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        port = None
        for line in self.proc.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("message") == "listening":
                port = int(record["port"])
                break
        if port is None:
            self.stop()
            sys.exit(f"{binary} did not report a port")
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        sys.exit(f"{binary} did not answer /healthz")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def post(url, path, body, content_type="application/json"):
    """Status and JSON answer; `body` is an object, or bytes sent as they are."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, {"code": None, "detail": text.decode(errors="replace")}


def problem(answer):
    return f"{answer.get('code')}: {answer.get('detail')}"


def rounded(values, digits=4):
    return [round(v, digits) for v in values]


def number(cell):
    try:
        return float(cell)
    except ValueError:
        return None


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def law_request():
    """The scipy reference's request: the paper set's models with the target,
    iterative PCA within [0, 1], trained on FLOPs <= 84e21 (as tests/api/scaling.rs)."""
    reference = json.load(open(FIXTURES / "reference" / "scaling_law_word_unscrambling.json"))
    name = reference["target"]
    targets = {
        r["Model"]: r[name]
        for r in rows(FIXTURES / "data" / "base_llm_emergent_capability_eval_c10551f.csv")
        if r[name]
    }
    paper = [r for r in rows(FIXTURES / "data" / "paper_set_77.csv") if r["Model"] in targets]
    request = {
        "models": [r["Model"] for r in paper],
        "benchmarks": BENCHMARKS,
        "scores": [[number(r[b]) for b in BENCHMARKS] for r in paper],
        "families": [r["Model Family"] for r in paper],
        "flops": [number(r["FLOPs (1E21)"]) for r in paper],
        "missing": "iterative_pca",
        "imputation": {"rank": 1, "bounds": [0, 1]},
        "n_components": 3,
        "target": {"name": name, "values": [number(targets[r["Model"]]) for r in paper]},
        "split": {"by": "flops", "max_train_flops": reference["cutoff_flops_1e21"]},
    }
    return request, reference


def pca_probes(url):
    print("## PCA of tiny scores (models a..d, benchmarks x, y)")
    unit = [[1, 0], [2, 1], [3, 0], [4, 1]]
    for factor, label in [(1.0, "1"), (1e-300, "1e-300"), (1e-310, "1e-310"), (5e-324, "5e-324")]:
        scores = [[v * factor for v in row] for row in unit]
        for standardize in (False, True):
            body = {"models": list("abcd"), "benchmarks": ["x", "y"], "scores": scores,
                    "standardize": standardize}
            status, answer = post(url, "/v1/pca", body)
            shown = rounded(answer["explained_variance_ratio"], 6) if status == 200 else problem(answer)[:90]
            print(f"scores x {label}, standardize {standardize}: {status} {shown}")
        body = {"models": list("abcde"), "benchmarks": ["x", "y"], "scores": scores + [[None, factor]],
                "missing": "iterative_pca"}
        status, answer = post(url, "/v1/pca", body)
        shown = rounded([c["value"] / factor for c in answer["imputed"]], 6) if status == 200 else problem(answer)[:110]
        print(f"scores x {label}, iterative_pca (imputed / factor): {status} {shown}")


def law_probes(url):
    print("## Scaling law (word unscrambling, the scipy reference's request)")
    base, reference = law_request()
    status, answer = post(url, "/v1/scaling/law", base)
    worst = max(
        abs(p["predicted"] - reference["predictions"][p["model"]]["predicted"])
        for p in answer["predictions"]
    )
    law = answer["law"]
    print(f"plain: {status} iterations {law['iterations']} converged {law['converged']} "
          f"test_mse {answer['metrics']['test_mse']:.6f} (scipy {reference['test_mse']:.6f}) "
          f"largest |prediction - scipy's| {worst:.1e}")

    def run(label, edit):
        body = copy.deepcopy(base)
        edit(body)
        status, answer = post(url, "/v1/scaling/law", body)
        if status != 200:
            print(f"{label}: {status} {problem(answer)[:140]}")
            return
        law = answer["law"]
        print(f"{label}: 200 weights {rounded(law['weights'])} intercept {law['intercept']:.4f} "
              f"floor {law['floor']:.4f} iterations {law['iterations']} converged {law['converged']} "
              f"test_mae {answer['metrics']['test_mae']:.4g}")

    def scale_target(factor, range_=None):
        def edit(body):
            body["target"]["values"] = [v * factor if v is not None else None for v in body["target"]["values"]]
            if range_:
                body["target_range"] = range_
        return edit

    run("target x 10", scale_target(10))
    run("target negated", scale_target(-1))
    run("target x 1e300", scale_target(1e300))
    run("target x 1e300, target_range [0, 1e300]", scale_target(1e300, [0, 1e300]))
    for delta in [0.1, 1e-10, 1e-100, 1e-300]:
        run(f"huber_delta {delta:g}", lambda b, d=delta: b.update(loss="huber", huber_delta=d))

    def scores_times(factor):
        def edit(body):
            body["scores"] = [[v * factor if v is not None else None for v in r] for r in body["scores"]]
            body.pop("imputation")
        return edit

    run("scores x 1e-300 (no bounds)", scores_times(1e-300))
    run("scores x 1 (no bounds)", scores_times(1.0))

    def constant(body):
        body["target"]["values"] = [0.5 if v is not None else None for v in body["target"]["values"]]
        body["reference_family"] = "Llama-2"

    run("constant target, reference family", constant)


def skills_probes(url):
    print("## Skills law (the spec's example request)")
    example = json.load(open(ROOT / "src" / "api" / "examples" / "skills_request.json"))
    body = copy.deepcopy(example)
    for name, size in [("qwen2-0.001", 0.001), ("qwen2-1e-6", 1e-6), ("qwen2-1e6", 1e6)]:
        body["models"].append(name)
        body["params"].append(size)
        body["tokens"].append(size)
        body["families"].append("qwen2")
        body["scores"].append([None] * len(body["benchmarks"]))
    body["return_basis"] = True
    status, answer = post(url, "/v1/scaling/skills", body)
    bbh = body["benchmarks"].index("BBH")
    for p in answer["predictions"]:
        if p["model"] in ("qwen2-72b", "qwen2-0.001", "qwen2-1e-6", "qwen2-1e6"):
            marks = p.get("outside_fitted_range", "(no field)")
            print(f"{p['model']}: BBH {p['predicted'][bbh]:.3f} outside_fitted_range {json.dumps(marks)}")
    basis = answer["basis"]
    status, predicted = post(url, "/v1/scaling/predict", {
        "basis": basis, "models": ["qwen2-0.001"], "params": [0.001], "tokens": [0.001],
        "families": ["qwen2"]})
    p = predicted["predictions"][0]
    print(f"predict ({basis['format']}): {status} BBH {p['predicted'][bbh]:.3f} "
          f"outside_fitted_range {json.dumps(p.get('outside_fitted_range', '(no field)'))}")
    body = copy.deepcopy(example)
    body["floors"][0] = 0.99
    status, answer = post(url, "/v1/scaling/skills", body)
    if status == 200:
        ifeval = sorted({round(p["predicted"][0], 4) for p in answer["predictions"]})
        print(f"floors[0] = 0.99 (IFEval): 200 IFEval predictions {ifeval[:3]} ... {ifeval[-1]}")
    else:
        print(f"floors[0] = 0.99 (IFEval): {status} {problem(answer)}")


def option_probes(url):
    print("## Options and their messages")
    ok = {"models": ["a", "b", "c", "d"], "benchmarks": ["x", "y"],
          "scores": [[0.35, 0.5], [0.47, 0.56], [0.63, 0.63], [0.2, 0.3]]}

    def raw(member, text):
        return (json.dumps(ok)[:-1] + f', "{member}": {text}}}').encode()

    probes = [
        ("bootstrap.confidence = 1.5", dict(ok, bootstrap={"confidence": 1.5})),
        ("bootstrap.seed = -1", dict(ok, bootstrap={"seed": -1})),
        ("bootstrap.resamples = 18446744073709551617", raw("bootstrap", '{"resamples": 18446744073709551617}')),
        ("parallel_analysis.quantile = 2", dict(ok, parallel_analysis={"quantile": 2})),
        ("parallel_analysis.seed = -1", dict(ok, parallel_analysis={"seed": -1})),
        ("n_components = 18446744073709551617", raw("n_components", "18446744073709551617")),
        ("n_components = 1e29", raw("n_components", "1e29")),
        ("imputation.rank = 18446744073709551617", raw("imputation", '{"rank": 18446744073709551617}')),
    ]
    for label, body in probes:
        status, answer = post(url, "/v1/pca", body)
        print(f"{label}: {status} {problem(answer)}")
    table = b"Model,x,y\na,0.35,0.5\nb,0.47,0.56\nc,0.63,0.63\nd,0.2,0.3\n"
    for query in ["n_components=18446744073709551617", "imputation_tol=-1"]:
        status, answer = post(url, "/v1/pca?" + query, table, "text/csv")
        print(f"query {query}: {status} {problem(answer)}")
    design = dict(ok, families=["f", "f", "g", "g"], max_models=2, seed=-1)
    status, answer = post(url, "/v1/scaling/select-families", design)
    print(f"select-families seed = -1: {status} {problem(answer)}")


def timing(binaries, runs):
    """Median seconds per request of each binary, requests alternated."""
    services = [Service(b) for b in binaries]
    try:
        law, _ = law_request()
        skills = json.load(open(ROOT / "src" / "api" / "examples" / "skills_request.json"))
        for label, path, body in [("law", "/v1/scaling/law", law), ("skills", "/v1/scaling/skills", skills)]:
            times = [[] for _ in services]
            for service in services:
                post(service.url, path, body)  # warm-up
            for _ in range(runs):
                for service, kept in zip(services, times):
                    start = time.perf_counter()
                    status, answer = post(service.url, path, body)
                    kept.append(time.perf_counter() - start)
                    if status != 200:
                        sys.exit(f"{label}: {status} {problem(answer)}")
            medians = [sorted(t)[len(t) // 2] for t in times]
            shown = ", ".join(f"{b}: {m * 1000:.1f} ms" for b, m in zip(binaries, medians))
            ratio = medians[-1] / medians[0]
            print(f"{label}, median of {runs}: {shown}; last / first {ratio:.3f}")
    finally:
        for service in services:
            service.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", nargs="*", help="a built obscaling binary to start")
    parser.add_argument("--url", help="a running service instead")
    parser.add_argument("--time", type=int, metavar="N", help="time N requests of each binary")
    args = parser.parse_args()
    if args.time:
        if len(args.binary) < 1 or args.url:
            parser.error("--time takes binaries")
        timing(args.binary, args.time)
        return
    if len(args.binary) > 1 or bool(args.binary) == bool(args.url):
        parser.error("give a binary or --url")
    args.binary = args.binary[0] if args.binary else None
    service = Service(args.binary) if args.binary else None
    url = service.url if service else args.url.rstrip("/")
    try:
        pca_probes(url)
        law_probes(url)
        skills_probes(url)
        option_probes(url)
    finally:
        if service:
            service.stop()


if __name__ == "__main__":
    main()
