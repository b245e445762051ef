#!/usr/bin/env bash
# Speed and memory of POST /v1/complete over HTTP (issue 32, item 5), on an
# optimised binary, beside POST /v1/pca with missing=iterative_pca on the same
# body (the imputation it replaces), measured in the same run:
#   1. the BenchPress matrix (tests/fixtures/benchpress, 84 x 133, 23 %
#      filled) as JSON: the full answer (cross-validation and intervals),
#      median of RUNS requests; /v1/pca with missing=iterative_pca and
#      standardize, median of RUNS; the ratio;
#   2. the same with probes=5, median of PROBE_RUNS;
#   3. a generated 2000 x 500 leaderboard at 20 % filled (800 000
#      predictions; rank 3 plus noise, percentages, seed 32) as CSV, on a
#      freshly started server: the time, the body and answer sizes, and the
#      server's peak RSS above its idle RSS (VmHWM - VmRSS from /proc), as a
#      multiple of body + answer.
#
#   scripts/bench-complete.sh [--runs 7] [--probe-runs 3] [--no-big] [BINARY]
#
# BINARY: default ${CARGO_TARGET_DIR:-target}/release/obscaling, built with
# `cargo build --release` if missing. Needs python3 and curl; contacts only
# 127.0.0.1. Prints a table; figures go to docs/performance.md#completion.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=7
PROBE_RUNS=3
BIG=1
BINARY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --probe-runs) PROBE_RUNS="$2"; shift 2 ;;
        --no-big) BIG=0; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) BINARY="$1"; shift ;;
    esac
done
BINARY="${BINARY:-${CARGO_TARGET_DIR:-target}/release/obscaling}"
[ -x "$BINARY" ] || cargo build --release --locked

WORK="$(mktemp -d /tmp/obscaling-bench-complete.XXXXXX)"
SERVER=""
cleanup() {
    [ -z "$SERVER" ] || { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
    rm -rf "$WORK"
}
trap cleanup EXIT

# Starts a fresh server; sets SERVER and BASE.
start() {
    [ -z "$SERVER" ] || { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    HOST=127.0.0.1 PORT="$port" COMPUTE_DEADLINE_MS=600000 MAX_BODY_BYTES=268435456 \
        "$BINARY" >"$WORK/server.log" 2>&1 &
    SERVER=$!
    BASE="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        curl -fsS "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the service did not start:"; cat "$WORK/server.log"; exit 1
}

# post PATH CONTENT_TYPE FILE: prints "seconds bytes_out http_code".
post() {
    curl -sS -o "$WORK/answer" -w '%{time_total} %{size_download} %{http_code}\n' \
        -X POST "$BASE$1" -H "Content-Type: $2" --data-binary @"$3"
}

# median_of N PATH CONTENT_TYPE FILE: the median seconds of N requests.
median_of() {
    local n="$1"; shift
    for _ in $(seq 1 "$n"); do
        read -r t _ code < <(post "$@")
        [ "$code" = 200 ] || { echo "$1 answered $code:" >&2; head -c 400 "$WORK/answer" >&2; exit 1; }
        echo "$t"
    done | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

python3 - "$WORK" <<'EOF'
import csv, json, random, sys
work = sys.argv[1]
rows = list(csv.reader(open("tests/fixtures/benchpress/matrix.csv", newline="")))
benchmarks, models = rows[0][1:], [r[0] for r in rows[1:]]
scores = [[None if v == "" else float(v) for v in r[1:]] for r in rows[1:]]
board = {"models": models, "benchmarks": benchmarks, "scores": scores}
json.dump(board, open(f"{work}/benchpress.json", "w"))
json.dump(dict(board, probes=5), open(f"{work}/benchpress-probes.json", "w"))
json.dump(dict(board, missing="iterative_pca", standardize=True), open(f"{work}/benchpress-pca.json", "w"))
# 2000 x 500 at 20 %: rank 3 plus noise, as percentages.
rng = random.Random(32)
n, p, r = 2000, 500, 3
u = [[rng.gauss(0, 1) for _ in range(r)] for _ in range(n)]
v = [[rng.gauss(0, 0.6) for _ in range(r)] for _ in range(p)]
b = [rng.uniform(30, 70) for _ in range(p)]
with open(f"{work}/big.csv", "w") as f:
    f.write("model," + ",".join(f"bench_{j}" for j in range(p)) + "\n")
    for i in range(n):
        cells = []
        for j in range(p):
            if rng.random() < 0.2:
                x = b[j] + 12 * sum(u[i][k] * v[j][k] for k in range(r)) + rng.gauss(0, 2)
                cells.append(f"{min(100.0, max(0.0, x)):.2f}")
            else:
                cells.append("")
        f.write(f"model_{i}," + ",".join(cells) + "\n")
EOF

start
printf '%-58s %s\n' "measure" "value"
c=$(median_of "$RUNS" /v1/complete application/json "$WORK/benchpress.json")
p=$(median_of "$RUNS" /v1/pca application/json "$WORK/benchpress-pca.json")
printf '%-58s %.0f ms\n' "BenchPress 84x133 /v1/complete, median of $RUNS" "$(echo "$c * 1000" | bc -l)"
printf '%-58s %.0f ms\n' "BenchPress 84x133 /v1/pca iterative_pca, median of $RUNS" "$(echo "$p * 1000" | bc -l)"
printf '%-58s %.2f\n' "ratio complete / pca" "$(echo "$c / $p" | bc -l)"
k=$(median_of "$PROBE_RUNS" /v1/complete application/json "$WORK/benchpress-probes.json")
printf '%-58s %.0f ms\n' "BenchPress /v1/complete probes=5, median of $PROBE_RUNS" "$(echo "$k * 1000" | bc -l)"

if [ "$BIG" = 1 ]; then
    start
    idle=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
    read -r t out code < <(post /v1/complete text/csv "$WORK/big.csv")
    [ "$code" = 200 ] || { echo "big answered $code:"; head -c 400 "$WORK/answer"; exit 1; }
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
    body=$(stat -c %s "$WORK/big.csv")
    predictions=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["predictions"]))' "$WORK/answer")
    peak=$(( (hwm - idle) * 1024 ))
    printf '%-58s %.1f s\n' "2000x500 at 20 % /v1/complete ($predictions predictions)" "$t"
    printf '%-58s %.1f MB\n' "  body (CSV)" "$(echo "$body / 1000000" | bc -l)"
    printf '%-58s %.1f MB\n' "  answer" "$(echo "$out / 1000000" | bc -l)"
    printf '%-58s %.0f MB\n' "  server peak RSS above idle (VmHWM - VmRSS)" "$(echo "$peak / 1000000" | bc -l)"
    printf '%-58s %.2f\n' "  peak / (body + answer)" "$(echo "$peak / ($body + $out)" | bc -l)"
fi
