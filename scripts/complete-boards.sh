#!/usr/bin/env bash
# The completion on other leaderboards, masked, over HTTP (issue 32, item 3):
# starts an optimised obscaling binary on a free 127.0.0.1 port and runs
# scripts/complete-boards.py against it (11 leaderboards, 6 masks each, 9
# fresh folds of the BenchPress matrix: 69 masks, each sent to /v1/complete
# and /v1/pca and given to BenchPress's method). Extra arguments go to the
# script, e.g. --check (exit 1 unless the completion beats BenchPress and the
# iterative PCA overall and is within 10 % of BenchPress on every board),
# --seeds 1,2 or --boards tall,agents. About 1.5 minutes on 2 cores (93 s
# with other work keeping the load average at 10-12).
#
#   scripts/complete-boards.sh [BINARY] [-- ARGS...]
#
# BINARY (or $OBSCALING_OPTIMISED_BIN): a release build of this tree; default
# ${CARGO_TARGET_DIR:-target}/release/obscaling, built if missing. Needs
# python3 with numpy and pyarrow (installed with pip if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${OBSCALING_OPTIMISED_BIN:-${CARGO_TARGET_DIR:-target}/release/obscaling}"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    binary="$1"
    shift
fi
[ "${1:-}" = "--" ] && shift
if [ ! -x "$binary" ]; then
    cargo build --release --locked
fi
python3 -c 'import numpy' 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check numpy
python3 -c 'import pyarrow' 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check pyarrow

. scripts/lib/serve-binary.sh

start=$(date +%s)
status=0
timeout 1800 python3 scripts/complete-boards.py "http://127.0.0.1:$port" --pid "$server" "$@" || status=$?
echo "boards time: $(( $(date +%s) - start )) s"
if [ "$status" -ne 0 ]; then
    echo "complete-boards failed ($status); service log:"
    tail -n 30 "$log"
fi
exit "$status"
