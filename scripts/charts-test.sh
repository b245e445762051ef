#!/usr/bin/env bash
# Render check of the charts: starts the service on 127.0.0.1, asks every
# endpoint that draws charts for them on the paper's files
# (tests/charts/make_specs.py), then compiles each Vega-Lite spec and renders
# it headless to SVG with vega (tests/charts/charts.test.mjs, no browser).
# Installs the npm packages if they are missing. Every step is bounded in time.
# SPECS_DIR (default tests/charts/specs) keeps the spec files; with SVG_DIR
# set, the SVGs are written there too.
set -euo pipefail
cd "$(dirname "$0")/.."

export SPECS_DIR="$(realpath -m "${SPECS_DIR:-tests/charts/specs}")"
[ -z "${SVG_DIR:-}" ] || export SVG_DIR="$(realpath -m "$SVG_DIR")"

if [ ! -d tests/charts/node_modules ]; then
    (cd tests/charts && timeout 300 npm ci --no-audit --no-fund --ignore-scripts)
fi

# The debug binary completes make_specs.py's generated board (300 x 520)
# in about 45 s on a loaded machine, past the 30 s default compute
# deadline: the check gives it more, as browser-test.sh does.
export COMPUTE_DEADLINE_MS="${COMPUTE_DEADLINE_MS:-180000}"
. scripts/lib/serve-debug.sh

status=0
timeout 300 python3 tests/charts/make_specs.py "http://127.0.0.1:$port" "$SPECS_DIR" || status=$?
if [ "$status" -eq 0 ]; then
    (cd tests/charts && timeout 300 node --test --test-reporter=spec charts.test.mjs) || status=$?
fi
if [ "$status" -ne 0 ]; then
    echo "chart test failed ($status); service log:"
    tail -n 50 "$log"
fi
exit "$status"
