#!/usr/bin/env bash
# Memory bombs, each sent eight at once to a fresh release binary: the peak
# RSS rise per bomb against the bound "4 x MAX_BODY_BYTES plus what the
# accepted cells need" (bench/bombs/replay.py does the work; see its
# docstring for the bombs and how the rise is measured).
#
#   scripts/bombs.sh [BINARY ...] [-- replay.py options]
#
# Without BINARY, builds the release binary of this checkout into
# $CARGO_TARGET_DIR (default: the repo's target/). With several, each is
# replayed in turn (a baseline first, for a before/after in one run); the
# exit status is the last one's: 1 when any of its bombs is over the bound.
# Compression bombs are made here (zstd and gzip command-line tools, the
# `brotli` Python package, installed into a venv at $BENCH_VENV, default
# /tmp/obscaling-bench-venv); Parquet bombs come from bench/bombs/parquet.py
# when it exists. A server past 6 GiB is killed (--kill-above-mib). Only
# 127.0.0.1 is contacted.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --) shift; break ;;
        -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
        *) BINS+=("$1"); shift ;;
    esac
done
for tool in zstd gzip python3; do
    command -v "$tool" >/dev/null || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zstd gzip >/dev/null
        break
    }
done
VENV="${BENCH_VENV:-/tmp/obscaling-bench-venv}"
if ! "$VENV/bin/python" -c 'import brotli' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q brotli
fi
if [ ${#BINS[@]} -eq 0 ]; then
    TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
    (cd "$REPO" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet --bin obscaling)
    BINS=("$TARGET_DIR/release/obscaling")
fi
ARGS=()
for bin in "${BINS[@]}"; do ARGS+=(--bin "$bin"); done
exec "$VENV/bin/python" "$REPO/bench/bombs/replay.py" "${ARGS[@]}" "$@"
