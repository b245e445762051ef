#!/usr/bin/env python3
"""The skills law's default configuration on benchmark sets other than the
one its defaults were chosen on, under the paper's protocol, over HTTP
(docs/skills.md, "On benchmark sets the defaults never saw", which says how
unseen each set is).

    python3 scripts/skills-unseen.py target/release/obscaling
    python3 scripts/skills-unseen.py --url http://127.0.0.1:8080

With a binary it starts it on a free port of 127.0.0.1 (with a compute
deadline of an hour) and stops it at the end; with --url it uses a running
service. Use an optimised build: each request fits the law once per group.

For every set and n_train_models in {1, 2} it sends two evaluation requests
to POST /v1/scaling/skills: the default configuration (neither `skills` nor
`link` sent) and the paper's sigmoid link with d = 2. Both baselines
(`flops_sigmoid`, `pca_flops`) come from the same answers (they do not
depend on the law's options; the script says so if the two answers differ).
It prints mean absolute errors in percentage points, overall (a markdown
table) and per benchmark, and with --json PATH writes every figure. Exits
non-zero only when a request fails (an HTTP error, or no answer at all); it
goes on with the others.

The sets, all from tests/fixtures/ (sources and licences in SOURCE.md):

- `obscaling`: the 8 benchmarks of the Observational Scaling Laws base
  models (data/base_llm_benchmark_eval.csv);
- `obscaling-emergent`: its emergent tasks
  (data/base_llm_emergent_capability_eval.csv), the score columns in [0, 1]
  (not the BLEU column), with families, parameters and tokens joined on
  `Model` from the file above;
- `obscaling-v2`: the Open LLM Leaderboard v2 benchmarks on the same
  project's base models (data/base_llm_leaderboard_v2_eval.csv, joined the
  same way); the same scores as much of the leaderboard the defaults were
  chosen on (docs/skills.md);
- `sloth-v1`: the Sloth paper's Open LLM Leaderboard v1 data
  (sloth/leaderboard_v1.csv) with its own test groups and floors
  (sloth/protocol_v1.json). Its training families were looked at when the
  defaults were chosen: it is reported apart.

The protocol, as the paper's (tests/fixtures/sloth/protocol.json): keep the
models with parameters, tokens and every score; keep the families with more
than n_train_models such models; rows sorted by (family, parameters). Test
groups: the paper's for `sloth-v1`; the other sets publish none, so every
kept family is a group of its own (leave one family out). Floors: each
benchmark's chance level, FLOORS below.

Python 3.11, standard library only.
"""

import argparse
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

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
ENDPOINT = "/v1/scaling/skills"

OBS_BASE = FIXTURES / "data" / "base_llm_benchmark_eval.csv"
OBS_V2 = FIXTURES / "data" / "base_llm_leaderboard_v2_eval.csv"
OBS_EMERGENT = FIXTURES / "data" / "base_llm_emergent_capability_eval.csv"
SLOTH_V2_PROTOCOL = FIXTURES / "sloth" / "protocol.json"
SLOTH_V1 = FIXTURES / "sloth" / "leaderboard_v1.csv"
SLOTH_V1_PROTOCOL = FIXTURES / "sloth" / "protocol_v1.json"

# Chance floors. Four-way multiple choice 0.25 (MMLU, ARC-C, HellaSwag,
# GPQA, ParsiNLU QA), two-way Winograd-style 0.5 (Winograd, XWinograd), ten-way
# MMLU-Pro 0.1, generated answers 0 (GSM8K, HumanEval, IFEval, MATH, the
# arithmetic, unscrambling and transliteration tasks). TruthfulQA (MC2) has
# no single count of choices: 0.31, the floor the Sloth paper uses for it
# (protocol_v1.json). BBH and MuSR mix subtasks with different numbers of
# choices: the Sloth paper's averages (protocol.json).
_V2_FLOORS = json.loads(SLOTH_V2_PROTOCOL.read_text())["floors"]
FLOORS = {
    "MMLU": 0.25,
    "ARC-C": 0.25,
    "HellaSwag": 0.25,
    "Winograd": 0.5,
    "TruthfulQA": json.loads(SLOTH_V1_PROTOCOL.read_text())["floors"]["TruthfulQA"],
    "GSM8K": 0.0,
    "XWinograd": 0.5,
    "HumanEval": 0.0,
    "leaderboard_bbh": _V2_FLOORS["BBH"],
    "leaderboard_gpqa": 0.25,
    "leaderboard_ifeval": 0.0,
    "leaderboard_math_hard": 0.0,
    "leaderboard_mmlu_pro": 0.1,
    "leaderboard_musr": _V2_FLOORS["MUSR"],
    "parsinlu_qa_2_acc": 0.25,
    "word_unscrambling_2_exact_match": 0.0,
    "ipa_transliterate_2_exact_match": 0.0,
    "arithmetic_3ds_2_acc": 0.0,
    "arithmetic_3da_2_acc": 0.0,
    "arithmetic_2dm_2_acc": 0.0,
    "arithmetic_2da_2_acc": 0.0,
}

OBS_BENCHMARKS = ["MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K", "XWinograd", "HumanEval"]
OBS_V2_BENCHMARKS = [
    "leaderboard_bbh",
    "leaderboard_gpqa",
    "leaderboard_ifeval",
    "leaderboard_math_hard",
    "leaderboard_mmlu_pro",
    "leaderboard_musr",
]
OBS_EMERGENT_BENCHMARKS = [
    "parsinlu_qa_2_acc",
    "word_unscrambling_2_exact_match",
    "ipa_transliterate_2_exact_match",
    "arithmetic_3ds_2_acc",
    "arithmetic_3da_2_acc",
    "arithmetic_2dm_2_acc",
    "arithmetic_2da_2_acc",
]

# The two configurations: what the request adds to the leaderboard.
CONFIGS = [("default", {}), ("sigmoid_d2", {"skills": 2, "link": "sigmoid"})]
BASELINES = ["flops_sigmoid", "pca_flops"]


def number(cell):
    try:
        value = float(cell)
    except (TypeError, ValueError):
        return None
    return value if value == value else None


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def obscaling_meta():
    """Family, parameters (B) and tokens (T) of every model of the base file."""
    return {
        r["Model"]: (r["Model Family"], number(r["Model Size (B)"]), number(r["Pretraining Data Size (T)"]))
        for r in read_csv(OBS_BASE)
    }


def obscaling_rows(path, benchmarks):
    """(model, family, params, tokens, scores) of a file of the Observational
    Scaling Laws project, sizes and families joined from the base file."""
    meta = obscaling_meta()
    rows = []
    for r in read_csv(path):
        family, params, tokens = meta.get(r["Model"], (None, None, None))
        rows.append((r["Model"], family, params, tokens, [number(r.get(b)) for b in benchmarks]))
    return rows


def sloth_v1_rows():
    protocol = json.loads(SLOTH_V1_PROTOCOL.read_text())
    family = protocol["family_column"]
    return [
        (
            r["Model"],
            r[family],
            number(r["#Params (B)"]),
            number(r["Pretraining Data Size (T)"]),
            [number(r[b]) for b in protocol["benchmarks"]],
        )
        for r in read_csv(SLOTH_V1)
    ]


def sets():
    """(name, note, benchmarks, floors, rows, groups_for(n) or None)."""
    v1 = json.loads(SLOTH_V1_PROTOCOL.read_text())
    yield (
        "obscaling",
        "8 benchmarks of the Observational Scaling Laws base models",
        OBS_BENCHMARKS,
        [FLOORS[b] for b in OBS_BENCHMARKS],
        obscaling_rows(OBS_BASE, OBS_BENCHMARKS),
        None,
    )
    yield (
        "obscaling-emergent",
        "emergent tasks, Observational Scaling Laws base models",
        OBS_EMERGENT_BENCHMARKS,
        [FLOORS[b] for b in OBS_EMERGENT_BENCHMARKS],
        obscaling_rows(OBS_EMERGENT, OBS_EMERGENT_BENCHMARKS),
        None,
    )
    yield (
        "obscaling-v2",
        "Open LLM Leaderboard v2 benchmarks, Observational Scaling Laws base models",
        OBS_V2_BENCHMARKS,
        [FLOORS[b] for b in OBS_V2_BENCHMARKS],
        obscaling_rows(OBS_V2, OBS_V2_BENCHMARKS),
        None,
    )
    yield (
        "sloth-v1",
        "Sloth's Open LLM Leaderboard v1 data and test groups (partly seen)",
        v1["benchmarks"],
        [v1["floors"][b] for b in v1["benchmarks"]],
        sloth_v1_rows(),
        lambda n: v1["test_groups"][f"n_train_models_{n}"],
    )


def protocol_table(rows, n_train):
    """The protocol's models: every size and score present, families with
    more than n_train of them, sorted by (family, params) (stable)."""
    complete = [
        r
        for r in rows
        if r[1] and r[2] is not None and r[2] > 0 and r[3] is not None and r[3] > 0 and all(s is not None for s in r[4])
    ]
    counts = {}
    for r in complete:
        counts[r[1]] = counts.get(r[1], 0) + 1
    kept = [r for r in complete if counts[r[1]] > n_train]
    return sorted(kept, key=lambda r: (r[1], r[2]))


def request_body(benchmarks, floors, rows, groups, n_train, options):
    body = {
        "models": [r[0] for r in rows],
        "benchmarks": benchmarks,
        "scores": [r[4] for r in rows],
        "params": [r[2] for r in rows],
        "tokens": [r[3] for r in rows],
        "families": [r[1] for r in rows],
        "floors": floors,
        "evaluate": {"groups": groups, "n_train_models": n_train},
    }
    body.update(options)
    return body


def post(url, body, timeout):
    data = json.dumps(body).encode()
    req = urllib.request.Request(url + ENDPOINT, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, text
    except (urllib.error.URLError, OSError) as e:
        return None, str(e)


class Service:
    """The binary on a free port of 127.0.0.1 (PORT=0; the port is read from
    its JSON "listening" log line)."""

    def __init__(self, binary):
        env = dict(os.environ)
        env.update(
            HOST="127.0.0.1",
            PORT="0",
            LOG_FORMAT="json",
            RUST_LOG="info",
            COMPUTE_DEADLINE_MS="3600000",
        )
        self.proc = subprocess.Popen(
            [binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        port = None
        for line in self.proc.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                record = {}
            if record.get("message") == "listening":
                port = int(record["port"])
                break
        if port is None:
            self.stop()
            sys.exit(f"{binary} did not report a port")
        # Keep draining its log so that it never blocks on a full pipe.
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


def evaluate(url, timeout, only):
    results, failed = [], False
    for name, note, benchmarks, floors, all_rows, groups_for in sets():
        if only and name not in only:
            continue
        for n_train in (1, 2):
            rows = protocol_table(all_rows, n_train)
            families = list(dict.fromkeys(r[1] for r in rows))
            if groups_for is None:
                groups = [[f] for f in families]
            else:
                # The paper's groups, without the families the filter left out.
                groups = [[f for f in g if f in families] for g in groups_for(n_train)]
                groups = [g for g in groups if g]
            entry = {
                "set": name,
                "note": note,
                "n_train_models": n_train,
                "benchmarks": benchmarks,
                "floors": floors,
                "models": len(rows),
                "families": len(families),
                "groups_sent": len(groups),
            }
            answers = {}
            for config, options in CONFIGS:
                body = request_body(benchmarks, floors, rows, groups, n_train, options)
                started = time.monotonic()
                status, answer = post(url, body, timeout)
                seconds = time.monotonic() - started
                if status != 200:
                    failed = True
                    what = f"HTTP {status}" if status else "no answer"
                    print(f"{name} n={n_train} {config}: {what}: {json.dumps(answer)[:2000]}", file=sys.stderr)
                    continue
                print(f"{name} n={n_train} {config}: {seconds:.1f} s", file=sys.stderr)
                answers[config] = answer
                ev = answer["evaluation"]
                entry[config] = {
                    "skills": answer["skills"],
                    "link": answer["link"],
                    "mae_pp": ev["skills"]["mae_pp"],
                    "per_benchmark_pp": ev["skills"]["per_benchmark_pp"],
                    "seconds": round(seconds, 1),
                }
                tested = [g for g in ev["groups"] if g["test_models"]]
                entry["groups"] = len(tested)
                entry["test_models"] = sum(len(g["test_models"]) for g in tested)
                for base in BASELINES:
                    figures = {"mae_pp": ev[base]["mae_pp"], "per_benchmark_pp": ev[base]["per_benchmark_pp"]}
                    if base in entry and entry[base] != figures:
                        print(f"{name} n={n_train}: {base} differs between configurations", file=sys.stderr)
                    entry.setdefault(base, figures)
            results.append(entry)
    return results, failed


def cell(entry, key):
    return f"{entry[key]['mae_pp']:.2f}" if key in entry else "error"


def table(results):
    lines = [
        "| set | n_train_models | models | groups | test models | default (d = 4, monotone) | sigmoid, d = 2 | flops_sigmoid | pca_flops |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e in results:
        lines.append(
            f"| {e['set']} | {e['n_train_models']} | {e['models']} | {e.get('groups', '-')} | {e.get('test_models', '-')} "
            f"| {cell(e, 'default')} | {cell(e, 'sigmoid_d2')} | {cell(e, 'flops_sigmoid')} | {cell(e, 'pca_flops')} |"
        )
    return "\n".join(lines)


def per_benchmark(results):
    """Each set's mean absolute error per benchmark and method."""
    out = []
    for e in results:
        out.append(f"\n{e['set']}, n_train_models = {e['n_train_models']} (pp per benchmark)")
        width = max(len(b) for b in e["benchmarks"])
        out.append(f"  {'':{width}}  default  sigmoid_d2  flops_sigmoid  pca_flops")
        for i, b in enumerate(e["benchmarks"]):
            figures = [
                f"{e[k]['per_benchmark_pp'][i]:.2f}" if k in e else "error"
                for k in ("default", "sigmoid_d2", "flops_sigmoid", "pca_flops")
            ]
            out.append(f"  {b:{width}}  {figures[0]:>7}  {figures[1]:>10}  {figures[2]:>13}  {figures[3]:>9}")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", nargs="?", help="the obscaling binary to start (an optimised build)")
    parser.add_argument("--url", help="a running service instead of a binary")
    parser.add_argument("--sets", help="comma-separated subset of: obscaling, obscaling-emergent, obscaling-v2, sloth-v1")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per request (default 3600)")
    args = parser.parse_args()
    if bool(args.binary) == bool(args.url):
        parser.error("give either a binary or --url")
    only = set(args.sets.split(",")) if args.sets else None
    service = Service(args.binary) if args.binary else None
    try:
        results, failed = evaluate(service.url if service else args.url.rstrip("/"), args.timeout, only)
    finally:
        if service:
            service.stop()
    print(table(results))
    print(per_benchmark(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
