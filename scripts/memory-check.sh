#!/usr/bin/env bash
# Memory of obscaling under large requests, beside a reference build, in one
# run (bench/memory_check.py does the measuring; see its docstring).
#
#   scripts/memory-check.sh [--base REV] [--rounds N] [--requests N]
#                           [--concurrent N] [--limit X]
#
# Builds the release binary of this checkout and of REV (default 5effe27, the
# last commit before the memory work; exported with `git archive` into a
# temporary directory, so no worktree is touched), then alternates the two
# fresh processes for ROUNDS rounds (default 1): REQUESTS (20) back-to-back
# POST /v1/pca of the 5000 x 200 body (k = 10, ~9 MB), RSS over idle after
# each, the peak over idle, then CONCURRENT (4) such requests at once and
# their peak. Exit status 1 if this checkout's peak exceeds LIMIT (4) times
# the body or a request failed. Builds into $CARGO_TARGET_DIR (default: the
# repo's target/); only 127.0.0.1 is contacted.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE=5effe27
ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --base) BASE="$2"; shift 2 ;;
        --rounds | --requests | --concurrent | --limit) ARGS+=("$1" "$2"); shift 2 ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
WORK="$(mktemp -d /tmp/obscaling-memory.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# Both builds share the target directory (and so its dependencies); each
# binary is copied out before the next build replaces it.
mkdir -p "$WORK/base-src"
git -C "$REPO" archive "$BASE" | tar -x -C "$WORK/base-src"
(cd "$WORK/base-src" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet --bin obscaling)
cp "$TARGET_DIR/release/obscaling" "$WORK/base"
(cd "$REPO" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet --bin obscaling)
cp "$TARGET_DIR/release/obscaling" "$WORK/branch"

python3 "$REPO/bench/make_bodies.py" "$WORK" >/dev/null
python3 "$REPO/bench/memory_check.py" --body "$WORK/big.json" \
    --labels "$BASE,this checkout" ${ARGS[@]+"${ARGS[@]}"} "$WORK/base" "$WORK/branch"
