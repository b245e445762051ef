#!/usr/bin/env bash
# Small requests, two binaries in one run: the small section of
# scripts/bench-http.sh (POST /v1/pca of bench/make_bodies.py's 100 x 10
# body, k = 3; wrk, 2 threads, 32 connections, bench/post.lua, a 3 s
# warm-up) against each binary in turn, ROUNDS times (A B A B ...), so that
# the machine's drift falls on both alike. Prints each run's requests/s and
# p50/p99, and the median requests/s of each binary.
#
#   scripts/small-ab.sh BINARY_A BINARY_B [ROUNDS (3)] [DURATION s (10)]
#
# Installs wrk (apt) if missing. Only 127.0.0.1 is contacted.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { sed -n '2,12p' "$0"; exit 2; }
A="$1" B="$2" ROUNDS="${3:-3}" DURATION="${4:-10}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
WORK="$(mktemp -d /tmp/obscaling-small-ab.XXXXXX)"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
python3 "$REPO/bench/make_bodies.py" "$WORK" >/dev/null

run() { # BINARY LABEL
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    HOST=127.0.0.1 PORT="$port" WORKERS=2 RUST_LOG=warn "$1" >/dev/null 2>&1 &
    PID=$!
    for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
    WRK_BODY="$WORK/small.json" wrk -t2 -c32 -d3s -s "$REPO/bench/post.lua" "http://127.0.0.1:$port/v1/pca" >/dev/null
    WRK_BODY="$WORK/small.json" wrk -t2 -c32 -d"${DURATION}s" --timeout 10s -s "$REPO/bench/post.lua" \
        "http://127.0.0.1:$port/v1/pca" | sed -n 's/^WRK_JSON //p' > "$WORK/run.json"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
    python3 - "$WORK/run.json" "$2" "$WORK/all.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); errors = sum(d["errors"].values())
print(f"{sys.argv[2]:<40} {d['rps']:>10.0f} req/s  p50 {d['latency_us']['p50']:>6} us  p99 {d['latency_us']['p99']:>7} us  errors {errors}")
open(sys.argv[3], "a").write(f"{sys.argv[2]} {d['rps']}\n")
PY
}
for _ in $(seq "$ROUNDS"); do
    run "$A" "A $A"
    run "$B" "B $B"
done
python3 - "$WORK/all.txt" <<'PY'
import statistics, sys
rows = [l.rsplit(" ", 1) for l in open(sys.argv[1]).read().splitlines()]
med = {k: statistics.median(float(v) for n, v in rows if n == k) for k in dict.fromkeys(n for n, _ in rows)}
(a, ra), (b, rb) = med.items()
print(f"median: A {ra:.0f} req/s, B {rb:.0f} req/s, B/A = {rb / ra:.3f}")
PY
