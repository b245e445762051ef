#!/usr/bin/env bash
# The completion's published protocols over HTTP (issue 32): starts an
# optimised obscaling binary on a free 127.0.0.1 port and runs
# scripts/complete-protocol.py --check against it (the paper's 30 folds of
# the BenchPress matrix, then the 5-probe protocol: 115 requests), which
# fails unless the figures hold. About a minute on 2 cores.
#
#   scripts/complete-protocol.sh [BINARY]
#
# BINARY (or $OBSCALING_OPTIMISED_BIN): a release build of this tree; default
# ${CARGO_TARGET_DIR:-target}/release/obscaling, built if missing. Needs
# python3 with numpy (installed with pip if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-${OBSCALING_OPTIMISED_BIN:-${CARGO_TARGET_DIR:-target}/release/obscaling}}"
if [ ! -x "$binary" ]; then
    cargo build --release --locked
fi
python3 -c 'import numpy' 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check numpy

. scripts/lib/serve-binary.sh

start=$(date +%s)
status=0
timeout 1200 python3 scripts/complete-protocol.py "http://127.0.0.1:$port" --check || status=$?
echo "protocol time: $(( $(date +%s) - start )) s"
if [ "$status" -ne 0 ]; then
    echo "completion protocol failed ($status); service log:"
    tail -n 30 "$log"
fi
exit "$status"
