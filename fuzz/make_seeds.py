#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the test fixtures.

usage: python3 fuzz/make_seeds.py   (from anywhere; rewrites fuzz/seeds/)

  seeds/pca_csv/   tests/fixtures/data/*.csv as is, plus variants with a
                   first line "?<query string>" (see fuzz/src/lib.rs)
  seeds/pca_parquet/, seeds/pca_arrow/
                   tests/fixtures/tables/*.parquet and *.arrows (written by
                   tests/fixtures/tables/make_tables.py), as is and with
                   query lines (benchmark selection, layout=long)
  seeds/pca_lm_eval/
                   lm-evaluation-harness results of tests/fixtures/lm_eval
                   (six models, their bulky members dropped) as an array,
                   JSON Lines, a document and a form with a models part,
                   with query lines, and documents of odd shapes and values
  seeds/pca_json/  JSON bodies: the inputs of tests/fixtures/reference/
                   pca_cases.json, and bodies built from the CSVs with missing
                   cells under each policy, imputation options, supplementary
                   models, standardisation and the sign conventions
Stdlib only. Crash reproducers found later are added by hand as
seeds/<target>/crash-*, so they stay regression inputs.
"""

import csv
import io
import json
import pathlib
import shutil

FUZZ = pathlib.Path(__file__).resolve().parent
REPO = FUZZ.parent
DATA = REPO / "tests" / "fixtures" / "data"
TABLES = REPO / "tests" / "fixtures" / "tables"
CASES = REPO / "tests" / "fixtures" / "reference" / "pca_cases.json"
BENCH8 = ["MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K", "XWinograd", "HumanEval"]


def read_csv(path, columns=None, limit=None):
    rows = list(csv.DictReader(path.open(newline="")))[:limit]
    header = list(rows[0].keys())
    columns = columns or [c for c in header[1:] if any(_num(r[c]) is not None for r in rows)]
    models = [r[header[0]] for r in rows]
    scores = [[_num(r[c]) for c in columns] for r in rows]
    return models, columns, scores


def _num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def dump(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def clean(out_dir):
    if out_dir.exists():
        for f in out_dir.iterdir():
            if not f.name.startswith("crash-"):  # keep the regression inputs
                f.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def json_seeds(out):
    clean(out)
    n = 0

    def put(name, obj):
        nonlocal n
        (out / f"{n:02d}-{name}.json").write_bytes(dump(obj) if not isinstance(obj, bytes) else obj)
        n += 1

    for case in json.loads(CASES.read_text())["cases"]:
        if "input" not in case:
            continue
        body = dict(case["input"])
        if case.get("n_components") is not None:
            body["n_components"] = case["n_components"]
        if case.get("standardize"):
            body["standardize"] = True
        put(case["name"], body)

    models, benches, scores = read_csv(DATA / "paper_set_77.csv", BENCH8)
    put("paper77_missing_iterative", {
        "models": models, "benchmarks": benches, "scores": scores, "n_components": 3,
        "missing": "iterative_pca", "imputation": {"rank": 1, "bounds": [0, 1], "max_iter": 50, "tol": 1e-6},
    })
    put("paper77_missing_reject", {"models": models, "benchmarks": benches, "scores": scores})
    put("paper77_missing_drop_standardized", {
        "models": models, "benchmarks": benches, "scores": scores,
        "missing": "drop_models", "standardize": True, "sign": "max_abs_positive",
    })
    put("paper77_missing_mean_fraction", {
        "models": models, "benchmarks": benches, "scores": scores, "missing": "mean", "n_components": 0.9,
    })
    put("paper77_supplementary_iterative", {
        "models": models[:60], "benchmarks": benches, "scores": scores[:60], "n_components": 2,
        "imputation": {"rank": 2},
        "supplementary": {"models": models[60:], "scores": scores[60:]},
    })
    put("paper77_supplementary_mean", {
        "models": models[:40], "benchmarks": benches, "scores": scores[:40],
        "missing": "mean", "standardize": True,
        "supplementary": {"models": models[40:50], "scores": scores[40:50]},
    })

    models, benches, scores = read_csv(DATA / "base_llm_emergent_capability_eval_c10551f.csv", limit=25)
    put("emergent25_standardized_k4", {
        "models": models, "benchmarks": benches, "scores": scores, "n_components": 4,
        "standardize": True, "missing": "iterative_pca", "imputation": {"rank": 3},
    })
    models, benches, scores = read_csv(DATA / "base_llm_benchmark_eval.csv", BENCH8, limit=12)
    put("base12_small", {"models": models, "benchmarks": benches, "scores": scores, "n_components": 2})

    # The OpenAPI example: a missing cell, imputed.
    put("schema_example", {
        "models": ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-hf", "Qwen/Qwen1.5-14B",
                   "mistralai/Mistral-7B-v0.1", "EleutherAI/pythia-1b-deduped"],
        "benchmarks": ["MMLU", "ARC-C", "HellaSwag", "GSM8K"],
        "scores": [[0.438, 0.5307, 0.7774, 0.1448], [0.6983, 0.6732, 0.8733, 0.5406],
                   [0.6936, 0.5657, 0.8108, 0.6763], [0.6416, 0.5998, 0.8331, 0.3707],
                   [0.2427, 0.291, 0.4965, None]],
        "n_components": 2, "missing": "iterative_pca", "imputation": {"rank": 1, "bounds": [0, 1]},
    })
    # Edge shapes and numbers, small enough to mutate quickly.
    put("tiny_2x2", {"models": ["a", "b"], "benchmarks": ["x", "y"], "scores": [[0, 1], [1, 0]]})
    put("tiny_huge_values", {"models": ["a", "b", "c"], "benchmarks": ["x", "y"],
                             "scores": [[1e308, -1e308], [1e-308, 5e-324], [-1.7e308, 1.7e308]],
                             "standardize": True})
    put("tiny_constant_column", {"models": ["a", "b", "c"], "benchmarks": ["x", "y"],
                                 "scores": [[1, 0.5], [1, 0.25], [1, 0.75]], "standardize": True,
                                 "n_components": 1})
    put("tiny_mostly_missing", {"models": ["a", "b", "c", "d"], "benchmarks": ["x", "y", "z"],
                                "scores": [[1, None, None], [None, 2, None], [None, None, 3], [0.5, 0.5, 0.5]],
                                "missing": "iterative_pca", "imputation": {"rank": 1, "max_iter": 200, "tol": 0}})
    return n


def csv_seeds(out):
    clean(out)
    n = 0

    def put(name, data):
        nonlocal n
        (out / f"{n:02d}-{name}.csv").write_bytes(data)
        n += 1

    files = sorted(DATA.glob("*.csv"))
    for f in files:
        put(f.stem, f.read_bytes())
    paper = (DATA / "paper_set_77.csv").read_bytes()
    emergent = (DATA / "base_llm_emergent_capability_eval_c10551f.csv").read_bytes()
    head = b"\n".join(paper.split(b"\n")[:16]) + b"\n"  # 15 models
    for name, query, body in [
        ("paper_benchmarks_iterative", "benchmarks=MMLU,ARC-C,HellaSwag,GSM8K&missing=iterative_pca"
         "&imputation_rank=1&imputation_bounds=0,1&imputation_max_iter=50&imputation_tol=1e-6", paper),
        ("paper_drop_standardized", "model_column=Model&benchmarks=MMLU,ARC-C,Winograd,TruthfulQA,GSM8K"
         "&missing=drop_models&standardize=true&sign=max_abs_positive&n_components=2", paper),
        ("paper_mean_fraction", "missing=mean&n_components=0.95", paper),
        ("emergent_prefix", "benchmark_prefix=arithmetic&standardize=true&n_components=2", emergent),
        ("head15_semicolon", "delimiter=;&missing=iterative_pca&imputation_rank=2",
         head.replace(b",", b";")),
        ("head15_tab", "delimiter=tab&benchmarks=MMLU,GSM8K,HumanEval&n_components=1",
         head.replace(b",", b"\t")),
        ("quoted_cells", "", b'Model,"A, quoted",B\n"m,1",0.5,"0.25"\nm2,0.75,0.5\nm3,,0.1\n'),
        ("tiny_missing_reject", "missing=reject", b"Model,A,B,C\nm1,1,2,3\nm2,,2,1\nm3,3,1,2\n"),
        ("long_paper_iterative", "layout=long&benchmarks=MMLU,ARC-C,GSM8K,HumanEval&missing=iterative_pca",
         TABLES.joinpath("paper_long.csv").read_bytes()[:6000].rsplit(b"\n", 1)[0] + b"\n"),
        ("long_gaps_mean", "layout=long&benchmark_prefix=bench_&missing=mean&duplicates=mean",
         TABLES.joinpath("gaps_long.csv").read_bytes()[:4000].rsplit(b"\n", 1)[0] + b"\n"),
        ("long_duplicates", "layout=long&duplicates=last",
         b"model,benchmark,score\nm1,A,0.5\nm1,A,0.6\nm2,A,\nm2,B,0.1\nm1,B,0.2\nm3,A,0.3\nm3,B,NA\n"),
    ]:
        put(name, f"?{query}\n".encode() + body)
    return n


def table_seeds(out, suffix, queries):
    """The fixture files of one format, as is and with each query line."""
    clean(out)
    n = 0
    for f in sorted(TABLES.glob(f"*{suffix}")):
        for query in [None] + queries.get(f.name.split(".")[0], []):
            data = f.read_bytes() if query is None else f"?{query}\n".encode() + f.read_bytes()
            (out / f"{n:02d}-{f.name}").write_bytes(data)
            n += 1
    return n


TABLE_QUERIES = {
    "paper": ["benchmarks=MMLU,ARC-C,GSM8K&missing=iterative_pca&n_components=2"],
    "paper_long": ["layout=long&benchmarks=MMLU,GSM8K,HumanEval&missing=mean"],
    "gaps": ["model_column=model&benchmark_prefix=bench_&missing=iterative_pca", "model_column=id&missing=mean"],
    "gaps_long": ["layout=long&benchmark_prefix=bench_&missing=mean&duplicates=last"],
}


LM_EVAL = REPO / "tests" / "fixtures" / "lm_eval"


def lm_eval_seeds(out):
    """Inputs of pca_lm_eval: "?<query>" (format=lm_eval is added by the
    target), then a JSON body (a document, an array, JSON Lines) or, when it
    starts with "--b", a form with the boundary "b" (fuzz/src/lib.rs)."""
    clean(out)
    n = 0

    def put(name, query, body):
        nonlocal n
        (out / f"{n:02d}-{name}.txt").write_bytes(f"?{query}\n".encode() + body)
        n += 1

    def part(name, body, content_type="application/json"):
        head = f'--b\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.json"\r\n'
        return head.encode() + f"Content-Type: {content_type}\r\n\r\n".encode() + body + b"\r\n"

    folders = sorted((LM_EVAL / "paper_77").iterdir())[:6]
    texts = []
    for folder in folders:
        for path in sorted(folder.iterdir()):
            doc = json.loads(path.read_text())  # keeps NaN as float nan
            for member in ("configs", "versions", "n-shot", "higher_is_better"):
                doc.pop(member, None)
            texts.append(json.dumps(doc, separators=(",", ":")).encode())  # writes NaN bare
    lines = b"\n".join(texts) + b"\n"
    array = b"[" + b",".join(texts) + b"]"
    put("array", "missing=mean&n_components=2", array)
    put("lines", "missing=iterative_pca&imputation_bounds=0,1", lines)
    put("one_document", "", texts[0])
    put("tasks", "tasks=mmlu_abstract_algebra,arc_challenge,gsm8k&missing=mean", array)
    put("task_prefix", "task_prefix=xwinograd&missing=drop", lines)
    put("metrics", "metrics=gsm8k:exact_match,flexible-extract;hellaswag:acc&missing=mean", array)
    put("duplicates", "duplicates=mean&missing=mean", array + b"\n")
    models = b"Model,Model Family\n" + b"".join(
        folder.name.replace("__", "/").encode() + b",F" + str(i % 2).encode() + b"\n"
        for i, folder in enumerate(folders))
    form = b"".join(part(f"f{i}", t) for i, t in enumerate(texts)) + part("models", models, "text/csv") + b"--b--\r\n"
    put("form_models", "group_column=Model%20Family&missing=mean", form)
    odd = [
        b'{"model_name":"a","results":{"t":{"acc":0.5,"acc_stderr":0.1},"u":{"acc,none":NaN,"acc_stderr,none":"N/A"}}}',
        b'{"config":{"model_args":{"pretrained":"b"}},"results":{"t":{"acc":0.7},"u":{"acc,none":0.2}},"groups":{"g":{"acc,none":0.4}},"group_subtasks":{"g":["t","u"]}}',
        b'{"config":{"model":"c"},"results":{"t":{"acc":-Infinity},"u":{"acc,none":"x"}}}',
    ]
    put("odd_values", "missing=mean", b"\n".join(odd))
    put("not_results", "", b'[{"models":["a"]},{"results":[1]},7,"s",null]')
    return n


def main():
    seeds = FUZZ / "seeds"
    print(f"pca_lm_eval: {lm_eval_seeds(seeds / 'pca_lm_eval')} seeds")
    print(f"pca_json: {json_seeds(seeds / 'pca_json')} seeds")
    print(f"pca_csv: {csv_seeds(seeds / 'pca_csv')} seeds")
    print(f"pca_parquet: {table_seeds(seeds / 'pca_parquet', '.parquet', TABLE_QUERIES)} seeds")
    print(f"pca_arrow: {table_seeds(seeds / 'pca_arrow', '.arrows', TABLE_QUERIES)} seeds")


if __name__ == "__main__":
    main()
