#!/usr/bin/env python3
"""Writes assets/examples/paper_set_77_tasks.csv, the dashboard's second worked
example: the paper's 77-model benchmark file (paper_set_77.csv) with the
columns of its emergent-task file and a few of its post-training file joined
on `Model` (an empty cell where a file has no row for the model), the join
tests/api/tables.rs builds. Standard library only; run from the repository root:

    python3 scripts/make-example-tasks.py
"""
import csv
import io
from pathlib import Path

DATA = Path("tests/fixtures/data")
BASE = DATA / "paper_set_77.csv"
EMERGENT = DATA / "base_llm_emergent_capability_eval_c10551f.csv"
POST_TRAINING = DATA / "base_llm_post_training_eval_c10551f.csv"
OUT = Path("assets/examples/paper_set_77_tasks.csv")

# Every emergent-task column but the BLEU score (not in [0, 1]); of the 240
# post-training columns, the GSM8K and BIG-Bench Hard comparisons of the
# paper's post-training figure (few-shot against chain-of-thought).
EMERGENT_COLUMNS = [
    "word_unscrambling_2_exact_match",
    "arithmetic_3ds_2_acc",
    "arithmetic_3da_2_acc",
    "arithmetic_2dm_2_acc",
    "arithmetic_2da_2_acc",
    "parsinlu_qa_2_acc",
    "ipa_transliterate_2_exact_match",
]
POST_TRAINING_COLUMNS = [
    "gsm8k_5_exact_match,flexible-extract",
    "gsm8k_cot_8_exact_match,flexible-extract",
    "bbh_fewshot_overall_3_exact_match,flexible-extract",
    "bbh_cot_fewshot_overall_3_exact_match,flexible-extract",
]


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {r["Model"]: r for r in rows}, rows


def main():
    with open(BASE, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames)
        rows = list(reader)
    for path, columns in [(EMERGENT, EMERGENT_COLUMNS), (POST_TRAINING, POST_TRAINING_COLUMNS)]:
        by_model, _ = read(path)
        for column in columns:
            header.append(column)
            for row in rows:
                row[column] = by_model.get(row["Model"], {}).get(column, "")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[h] for h in header])
    OUT.write_text(out.getvalue(), encoding="utf-8")
    print(f"{OUT}: {len(rows)} models, {len(header)} columns, {len(out.getvalue().encode())} bytes")


if __name__ == "__main__":
    main()
