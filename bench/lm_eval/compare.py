#!/usr/bin/env python3
"""What reading lm-evaluation-harness results costs, against reading the same leaderboard as a
wide CSV, in one run of one binary (so that the machine's load falls on both alike):

    python3 bench/lm_eval/compare.py BINARY [--rounds 15] [--models 2000] [--tasks 60]

1. the paper's 77 models (tests/fixtures/lm_eval/paper_77, 154 results files) as a form, a JSON
   array and JSON Lines, against tests/fixtures/data/paper_set_77.csv: POST /v1/pca with the
   paper's recipe, the median wall time of `--rounds` requests of each, alternated;
2. a large upload: `--models` models x `--tasks` tasks (each document with a `configs` member of
   the size the harness writes, about 1 KiB per task, so most of the bytes are not scores), as
   JSON Lines, against the same scores as a CSV: median time, and the server's peak RSS rise
   (VmHWM of a fresh server after one request, less its VmHWM before it).

Prints the figures and the ratios lm-eval / CSV. Stdlib only; only 127.0.0.1 is contacted.
"""
import argparse
import json
import math
import os
import pathlib
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures"
RECIPE = "missing=iterative_pca&imputation_bounds=0,1&n_components=3"
PAPER8 = "MMLU,ARC-C,HellaSwag,Winograd,TruthfulQA,GSM8K,XWinograd,HumanEval"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary):
        self.port = free_port()
        env = dict(os.environ, HOST="127.0.0.1", PORT=str(self.port), WORKERS="2", RUST_LOG="warn",
                   MAX_BODY_BYTES=str(256 << 20))
        self.proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the service did not start")

    def hwm_kib(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def post(self, path, body, content_type):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body,
                                         headers={"Content-Type": content_type}, method="POST")
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = response.read()
        elapsed = time.perf_counter() - start
        assert response.status == 200, answer[:300]
        return elapsed, answer

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def form(files):
    boundary = "----lm-eval-bench"
    out = bytearray()
    for name, data in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="{name}"\r\n'
                "Content-Type: application/json\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def paper_files():
    models = [line.split(",")[0] for line in (FIX / "data" / "paper_set_77.csv").read_text().splitlines()[1:]]
    files = []
    for model in models:
        folder = FIX / "lm_eval" / "paper_77" / model.replace("/", "__")
        for run in sorted(folder.iterdir()):
            files.append((str(run.relative_to(FIX / "lm_eval")), run.read_bytes()))
    return files


def one_line(data):
    return data.replace(b"\n", b"").replace(b"\r", b"")


def large(models, tasks, seed=31):
    """A JSON Lines upload and the CSV of the same scores."""
    rng = random.Random(seed)
    names = [f"task_{j:03d}" for j in range(tasks)]
    lines, rows = [], ["model," + ",".join(names)]
    for i in range(models):
        ability = rng.gauss(0, 1)
        scores = [1 / (1 + math.exp(-(ability + rng.gauss(0, 0.5)))) for _ in names]
        results = {t: {"alias": t, "acc,none": s, "acc_stderr,none": 0.01, "acc_norm,none": s / 2,
                       "acc_norm_stderr,none": "N/A"} for t, s in zip(names, scores)}
        configs = {t: {"task": t, "description": "x" * 900, "num_fewshot": 5} for t in names}
        doc = {"results": results, "configs": configs, "versions": {t: 1 for t in names},
               "config": {"model": "hf", "model_args": f"pretrained=org/model-{i},dtype=bfloat16"}}
        lines.append(json.dumps(doc))
        # The acc_norm of the default rule, as Python writes it (the shortest round trip).
        rows.append(f"org/model-{i}," + ",".join(repr(s / 2) for s in scores))
    return ("\n".join(lines) + "\n").encode(), ("\n".join(rows) + "\n").encode()


def alternate(server, cases, rounds):
    """The median time of each case, the cases taken in turn `rounds` times."""
    times = {name: [] for name, _ in cases}
    for _ in range(rounds):
        for name, (path, body, content_type) in cases:
            times[name].append(server.post(path, body, content_type)[0])
    return {name: statistics.median(t) for name, t in times.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=60)
    args = parser.parse_args()

    files = paper_files()
    form_body, form_type = form(files)
    array = b"[" + b",".join(data for _, data in files) + b"]"
    lines = b"\n".join(one_line(data) for _, data in files) + b"\n"
    csv = (FIX / "data" / "paper_set_77.csv").read_bytes()
    lm = f"/v1/pca?format=lm_eval&{RECIPE}"
    cases = [
        ("csv", (f"/v1/pca?benchmarks={PAPER8}&{RECIPE}", csv, "text/csv")),
        ("form", (lm, form_body, form_type)),
        ("array", (lm, array, "application/json")),
        ("lines", (lm, lines, "application/jsonl")),
    ]
    server = Server(args.binary)
    try:
        for _, (path, body, content_type) in cases:  # a warm-up
            server.post(path, body, content_type)
        medians = alternate(server, cases, args.rounds)
    finally:
        server.stop()
    print(f"paper 77 (bodies: csv {len(csv)} B, form {len(form_body)} B, array {len(array)} B, "
          f"lines {len(lines)} B), median of {args.rounds}:")
    for name, median in medians.items():
        print(f"  {name:6s} {median * 1000:8.2f} ms   ratio to csv {median / medians['csv']:.2f}")

    big_lines, big_csv = large(args.models, args.tasks)
    print(f"large: {args.models} models x {args.tasks} tasks; JSON Lines {len(big_lines) / 2**20:.1f} MiB, "
          f"CSV {len(big_csv) / 2**20:.1f} MiB")
    figures = {}
    for name, path, body, content_type in [
        ("csv", "/v1/pca?missing=reject&n_components=3", big_csv, "text/csv"),
        ("lines", "/v1/pca?format=lm_eval&missing=reject&n_components=3", big_lines, "application/jsonl"),
    ]:
        server = Server(args.binary)
        try:
            before = server.hwm_kib()
            first, answer = server.post(path, body, content_type)
            rise = server.hwm_kib() - before
            times = [first] + [server.post(path, body, content_type)[0] for _ in range(max(2, args.rounds // 5))]
            figures[name] = (statistics.median(times), rise, json.loads(answer)["explained_variance_ratio"])
        finally:
            server.stop()
    assert figures["csv"][2] == figures["lines"][2], "the same leaderboard gives the same answer"
    for name, (median, rise, _) in figures.items():
        print(f"  {name:6s} {median * 1000:8.1f} ms  peak RSS rise {rise / 1024:7.1f} MiB   "
              f"ratios to csv: time {median / figures['csv'][0]:.2f}, memory {rise / max(figures['csv'][1], 1):.2f}")


if __name__ == "__main__":
    sys.exit(main())
