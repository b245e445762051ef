#!/usr/bin/env bash
# Benchmarks of the analysis core alone:
#   1. criterion: PCA fit + transform, k = 10, at 100x10, 1000x50, 5000x200,
#      20000x500 (benches/core.rs; reports in $CARGO_TARGET_DIR/criterion);
#   2. target 3 of the performance issue: fit at 20000x500 against
#      scikit-learn's default solver at the same thread count, with results
#      checked against svd_solver="full" (scripts/bench-http.sh --sections core).
#
#   scripts/bench-core.sh [--threads 2] [--no-criterion]
# Builds into $CARGO_TARGET_DIR (default: the repo's target/).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS=2
CRITERION=1
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) THREADS="$2"; shift 2 ;;
        --no-criterion) CRITERION=0; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
if [ "$CRITERION" = 1 ]; then
    (cd "$REPO" && RAYON_NUM_THREADS="$THREADS" timeout 900 cargo bench --bench core)
fi
exec "$REPO/scripts/bench-http.sh" --sections core --threads "$THREADS"
