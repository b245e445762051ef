#!/usr/bin/env bash
# How long a request's work goes on after its 503: the server's threads read
# every 20 ms after the answer until none runs, for the skills law
# over 3000 families of 2 models, a form of 200 000 parts and a small
# iterative imputation, COMPUTE_DEADLINE_MS=2000 (bench/edge/after_deadline.py).
#
#   scripts/deadline-tail.sh [BINARY ...] [-- after_deadline.py options]
#
# Without BINARY, builds the release binary of this checkout into
# $CARGO_TARGET_DIR (default: the repo's target/). With several (a baseline
# first), each is measured in turn in one run. Exit status 1 when the last
# binary's work went on for more than 0.1 s after a 503 (--limit-s).
# Only 127.0.0.1 is contacted.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --) shift; break ;;
        -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
        *) BINS+=("$1"); shift ;;
    esac
done
if [ ${#BINS[@]} -eq 0 ]; then
    TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
    (cd "$REPO" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet --bin obscaling)
    BINS=("$TARGET_DIR/release/obscaling")
fi
ARGS=()
for bin in "${BINS[@]}"; do ARGS+=(--bin "$bin"); done
exec python3 "$REPO/bench/edge/after_deadline.py" "${ARGS[@]}" "$@"
