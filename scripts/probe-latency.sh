#!/usr/bin/env bash
# Probe latency while small heavy requests compute: /healthz, /readyz and
# /metrics every 50 ms while two requests of under 64 KiB (iterative
# imputation run to its deadline; bootstrap and parallel analysis at their
# largest) are in flight (bench/edge/probe_latency.py; see its docstring).
#
#   scripts/probe-latency.sh [BINARY ...] [-- probe_latency.py options]
#
# Without BINARY, builds the release binary of this checkout into
# $CARGO_TARGET_DIR (default: the repo's target/). With several (a baseline
# first), each is measured in turn in one run. Exit status 1 when the last
# binary's slowest probe took over 2 s (--limit-ms), Kubernetes' probe
# timeout in deploy/kubernetes. Only 127.0.0.1 is contacted.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --) shift; break ;;
        -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
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
exec python3 "$REPO/bench/edge/probe_latency.py" "${ARGS[@]}" "$@"
