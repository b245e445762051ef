#!/usr/bin/env python3
"""Asks a running obscaling service for every chart it draws, on the paper's
own files, and saves each Vega-Lite spec as a JSON file for charts.test.mjs.

    python3 make_specs.py http://127.0.0.1:PORT OUT_DIR

Each file holds {"spec": ..., "expect": ...}: the spec as the API returned it,
and the marks it must render, counted from the answer's own fields (the
models, families, predictions and designs it reports), not from the spec.
The requests send CSV bodies (the paper set, with the emergent-capability and
post-training files joined on Model, as tests/api/tables.rs does), so that
the `charts` query parameter is what asks for the charts. The completion's
charts (/v1/complete) are asked for on the BenchPress matrix, and on a
generated leaderboard larger than the charts' caps (docs/charts.md), whose
heatmap and calibration must come cut down to what a browser draws.
"""

import csv
import io
import json
import math
import os
import random
import sys
import urllib.parse
import urllib.request
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
BENCHPRESS = Path(__file__).resolve().parents[2] / "assets" / "examples" / "benchpress_matrix.csv"
# The charts' caps (src/charts/complete.rs, docs/charts.md).
HEATMAP_MODELS, HEATMAP_BENCHMARKS, CALIBRATION_BENCHMARKS = 100, 150, 500
# The generated leaderboard: models x benchmarks, the share of cells
# observed. Wider than CALIBRATION_BENCHMARKS so that each cap is reached.
# LARGE_BOARD=2000x500x0.2 (say) asks for another size.
# The most bytes a chart of the completion may take: a spec's fixed part,
# and each heatmap cell's or calibration point's record (about 190 bytes for
# a heatmap cell with a prediction's interval).
SPEC_BYTES, CELL_BYTES = 64 * 1024, 256
# Seconds one request may take: the debug binary completes the large board
# in about a minute.
TIMEOUT = 240
LARGE_BOARD = os.environ.get("LARGE_BOARD", "300x520x0.2")
PAPER_SET = FIXTURES / "paper_set_77.csv"
EMERGENT = FIXTURES / "base_llm_emergent_capability_eval_c10551f.csv"
POST_TRAINING = FIXTURES / "base_llm_post_training_eval_c10551f.csv"
WORD_UNSCRAMBLING = "word_unscrambling_2_exact_match"
GSM8K_COT = "gsm8k_cot_8_exact_match,flexible-extract"
BENCHMARKS = ["MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K", "XWinograd", "HumanEval"]
OPTIONS = {
    "benchmarks": ",".join(BENCHMARKS),
    "n_components": "3",
    "missing": "iterative_pca",
    "imputation_bounds": "0,1",
    "charts": "true",
}


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def joined(columns):
    """The paper set with the given (file, column) pairs joined on Model (an
    empty cell where a file has no row for the model), as CSV bytes."""
    header, rows = read(PAPER_SET)
    for path, column in columns:
        _, others = read(path)
        by_model = {r["Model"]: r[column] for r in others}
        for row in rows:
            row[column] = by_model.get(row["Model"], "")
        header.append(column)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return rows, out.getvalue().encode("utf-8")


def quoted(*names):
    """A comma-separated query list; names with commas in double quotes."""
    return ",".join(f'"{n}"' if "," in n else n for n in names)


def post(base, path, params, body):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{path}: {error.code} {error.read().decode()}") from error


def post_json(base, path, body):
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{path}: {error.code} {error.read().decode()}") from error


def save(out, name, spec, expect, data=None):
    """`data`: named datasets charts.test.mjs fills before rendering."""
    text = json.dumps({"spec": spec, "expect": expect, "data": data or {}})
    (out / f"{name}.json").write_text(text)
    print(f"  {name}: expects {expect} ({len(text) / 1e6:.2f} MB)")


def generated_board(n, p, filled, seed=32):
    """A leaderboard of n models x p benchmarks (percentages, rank 2 on the
    logit scale plus noise) with a `filled` share of its cells observed,
    drawn at random, and at least 3 scores per benchmark and one per model
    so that every missing cell can be predicted. CSV bytes and the number of
    observed cells."""
    rng = random.Random(seed)
    ability = [(rng.gauss(0, 1), rng.gauss(0, 1)) for _ in range(n)]
    loading = [(rng.uniform(0.5, 1.5), rng.uniform(-0.5, 0.5), rng.gauss(0, 1)) for _ in range(p)]
    observed = [[rng.random() < filled for _ in range(p)] for _ in range(n)]
    for j in range(p):
        for i in rng.sample(range(n), 3):
            observed[i][j] = True
    for i in range(n):
        observed[i][rng.randrange(p)] = True
    out = io.StringIO()
    out.write("model," + ",".join(f"b{j}" for j in range(p)) + "\n")
    count = 0
    for i, (a1, a2) in enumerate(ability):
        cells = []
        for j, (w1, w2, bias) in enumerate(loading):
            if not observed[i][j]:
                cells.append("")
                continue
            logit = w1 * a1 + w2 * a2 + bias + rng.gauss(0, 0.3)
            cells.append(f"{100 / (1 + math.exp(-logit)):.1f}")
            count += 1
        out.write(f"m{i}," + ",".join(cells) + "\n")
    return out.getvalue().encode("utf-8"), count


def completion_expectations(answer, n, p, observed):
    """Marks of the completion's charts, from the answer's own counts: the
    heatmap a rect per observed or predicted cell of the models and
    benchmarks it shows (every cell of a cut-down board, which the callers
    make fully predictable), the calibration a point per benchmark
    cross-validated (at most the cap) and its two rules, the probe curve a
    vertex, a point and a label per probe. Each chart's spec must also stay
    within the bytes of its caps."""
    predicted = len(answer["predictions"])
    shown_models, shown_benchmarks = min(n, HEATMAP_MODELS), min(p, HEATMAP_BENCHMARKS)
    if (shown_models, shown_benchmarks) == (n, p):
        cells = observed + predicted
    else:
        assert not answer["not_predicted"], "a cut-down board must be fully predictable to count its cells"
        cells = shown_models * shown_benchmarks
    benchmarks = min(len(answer["cross_validation"]["per_benchmark"]), CALIBRATION_BENCHMARKS)
    # However large the leaderboard, a spec stays the size of its caps.
    expect = {
        "heatmap": {"items": {"rect": cells}, "max_bytes": SPEC_BYTES + CELL_BYTES * HEATMAP_MODELS * HEATMAP_BENCHMARKS},
        "calibration": {"items": {"symbol": benchmarks, "rule": 2}, "max_bytes": SPEC_BYTES + CELL_BYTES * CALIBRATION_BENCHMARKS},
    }
    if answer.get("probes"):
        k = len(answer["probes"]["benchmarks"])
        expect["probes"] = {"items": {"line": k, "symbol": k, "text": k}, "marks": {"line": 1}}
    return expect


def completion_charts(base, out):
    """The completion's charts on the BenchPress matrix (with five probes,
    as the page asks) and on a generated board larger than the caps."""
    body = BENCHPRESS.read_bytes()
    header, rows = read(BENCHPRESS)
    n, p = len(rows), len(header) - 1
    observed = sum(1 for r in rows for b in header[1:] if r[b] != "")
    answer = post(base, "/v1/complete", {"probes": "5", "charts": "true"}, body)
    assert (len(answer["predictions"]) + len(answer["not_predicted"])) == n * p - observed
    expect = completion_expectations(answer, n, p, observed)
    assert set(answer["charts"]) == set(expect), sorted(answer["charts"])
    for name, spec in answer["charts"].items():
        save(out, f"complete-{name}", spec, expect[name])

    n, p, filled = LARGE_BOARD.split("x")
    n, p, filled = int(n), int(p), float(filled)
    body, observed = generated_board(n, p, filled)
    answer = post(base, "/v1/complete", {"charts": "true"}, body)
    expect = completion_expectations(answer, n, p, observed)
    assert set(answer["charts"]) == set(expect), sorted(answer["charts"])
    for name, spec in answer["charts"].items():
        save(out, f"complete-large-{name}", spec, expect[name])


def law_expectations(results, reference, by_flops):
    """Marks of the two law charts, from the predictions of each result."""
    predictions = [p for r in results for p in r["predictions"]]
    labelled = [p for p in predictions if p["observed"] is not None]
    cutoff = 1 if reference and by_flops else 0
    law = {
        "items": {"symbol": len(predictions), "rule": cutoff, "text": cutoff},
        # One curve per target.
        "marks": {"line": len(results)},
    }
    fit = {"items": {"symbol": len(labelled), "line": 2}, "marks": {"line": 1}}
    return law, fit


def main():
    base, out = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json"):
        stale.unlink()
    family = {"family_column": "Model Family"}
    compute = {"flops_column": "FLOPs (1E21)"}

    rows, paper = joined([])
    completion_charts(base, out)

    answer = post(base, "/v1/pca", OPTIONS, paper)
    k, n, p = answer["n_components"], len(answer["models"]), len(answer["benchmarks"])
    expect = {
        "scree": {"items": {"rect": k, "line": k}},
        "loadings": {"items": {"rect": p * k, "text": p * k}},
        "scatter": {"items": {"symbol": n}},
    }
    for name, spec in answer["charts"].items():
        save(out, f"pca-{name}", spec, expect[name])
    # The scatter coloured by family (group_column): still a point per model.
    grouped = post(base, "/v1/pca", {**OPTIONS, "group_column": "Model Family"}, paper)
    save(out, "pca-scatter-grouped", grouped["charts"]["scatter"], expect["scatter"])
    # Models placed on the basis (/v1/pca/transform), as the page places
    # them: the answer in the scatter's `placed` dataset, a diamond each.
    basis = post(base, "/v1/pca", {**OPTIONS, "return_basis": "true"}, paper)["basis"]
    placed_rows = [r for r in rows if all(r[b] for b in BENCHMARKS)][:3]
    placed = post_json(base, "/v1/pca/transform", {
        "basis": basis,
        "models": [f"placed-{i}" for i in range(len(placed_rows))],
        "benchmarks": BENCHMARKS,
        "scores": [[float(r[b]) for b in BENCHMARKS] for r in placed_rows],
    })
    save(out, "pca-scatter-placed", grouped["charts"]["scatter"],
         {"items": {"symbol": n + len(placed["models"])}, "marks": {"symbol": 2}}, {"placed": [placed]})

    answer = post(base, "/v1/scaling/compute-fit", {**OPTIONS, **family, **compute}, paper)
    k = answer["pca"]["n_components"]
    # Points: every model of a family with known compute, fitted or not.
    points = sum(f["n_models"] for f in answer["families"] + answer["excluded_families"])
    fitted = len(answer["families"])
    save(out, "compute-fit", answer["charts"]["pc_vs_compute"], {
        "items": {"symbol": k * points, "line": k * fitted * 2},
        "marks": {"line": k * fitted},
    })

    rows, table = joined([(EMERGENT, WORD_UNSCRAMBLING), (POST_TRAINING, GSM8K_COT)])
    split = {"max_train_flops": "84", "target_range": "0,1"}
    cases = [
        ("one", quoted(WORD_UNSCRAMBLING)),
        ("two", quoted(WORD_UNSCRAMBLING, GSM8K_COT)),
    ]
    for targets_name, targets in cases:
        for reference in [False, True]:
            params = {**OPTIONS, **family, **compute, **split, "target_columns": targets}
            if reference:
                params["reference_family"] = "Llama-2"
            answer = post(base, "/v1/scaling/law", params, table)
            results = answer.get("results", [answer])
            law, fit = law_expectations(results, reference, by_flops=True)
            name = f"law-{targets_name}-target{'s' if targets_name == 'two' else ''}" + (
                "-reference" if reference else ""
            )
            save(out, name, answer["charts"]["law"], law)
            save(out, f"{name}-predicted", answer["charts"]["predicted_vs_observed"], fit)

    # Seven families required, so that the exhaustive search over the other
    # fourteen stays small for a debug build (as tests/api/tables.rs).
    required = []
    for r in rows:
        if r["Model Family"] not in required and len(required) < 7:
            required.append(r["Model Family"])
    params = {
        **OPTIONS, **family, "max_models": "25,40", "required_families": quoted(*required),
        "top": "3", "baseline_samples": "200", "seed": "7",
    }
    answer = post(base, "/v1/scaling/select-families", params, paper)
    bars = sum(
        len(b["best"])
        + sum(b["random_baseline"][m] is not None for m in ["mean_criterion", "median_criterion"])
        for b in answer["budgets"]
    )
    save(out, "select-families", answer["charts"]["designs"], {"items": {"rect": bars, "rule": 1}})

    # The skills law on the paper set's models with known size and tokens,
    # Llama-2 and Qwen1.5 held out (each family's smallest model trains).
    # The sigmoid link is the faster fit for a debug build; the charts are
    # the same for either link.
    header, rows = read(PAPER_SET)
    rows = [r for r in rows if r["Model Size (B)"] and r["Pretraining Data Size (T)"]]
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    params = {
        "benchmarks": ",".join(BENCHMARKS), "params_column": "Model Size (B)",
        "tokens_column": "Pretraining Data Size (T)", "family_column": "Model Family",
        "link": "sigmoid", "evaluate_groups": "Llama-2;Qwen1.5", "charts": "true",
    }
    answer = post(base, "/v1/scaling/skills", params, body.getvalue().encode("utf-8"))
    d, j, f = answer["skills"], len(answer["benchmarks"]), len(answer["families"])
    scored = sum(1 for r in rows for b in BENCHMARKS if r[b] != "")
    held_out = sum(
        e is not None
        for g in answer["evaluation"]["groups"]
        for errors in (g["skills"] or {"abs_errors": []})["abs_errors"]
        for e in errors
    )
    charts = answer["charts"]
    # A point per scored cell and per held-out cell, a diagonal per benchmark.
    save(out, "skills-predicted-vs-observed", charts["predicted_vs_observed"],
         {"items": {"symbol": scored + held_out, "rule": j}})
    save(out, "skills-loadings", charts["loadings"], {"items": {"rect": j * d, "text": j * d}})
    save(out, "skills-efficiencies", charts["efficiencies"], {"items": {"rect": f * d, "text": f * d}})


if __name__ == "__main__":
    main()
