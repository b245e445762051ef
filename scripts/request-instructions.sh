#!/usr/bin/env bash
# Instructions the service executes per request, counted by valgrind's
# callgrind: user-space only, but nearly the same from run to run, so an A/B
# of two builds shows changes of a few percent that req/s on this shared
# 2-core machine cannot (its speed drifts by 20-30 %).
#
#   scripts/request-instructions.sh [BINARY ...]
#
# Each binary (default: a release build of this checkout) runs under
# callgrind with one worker; a keep-alive client sends N and then 5N
# requests (POST /v1/pca with the bench's 100 x 10 body, k = 3, and
# GET /healthz) to fresh processes, and the difference of the totals over 4N
# is the cost of one request, start-up and shutdown cancelled out.
# N = $REQUESTS (default 200). Installs valgrind (apt) if it is missing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${REQUESTS:-200}"
if ! command -v valgrind >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi
if [ $# -eq 0 ]; then
    (cd "$REPO" && cargo build --release --quiet --bin obscaling)
    set -- "${CARGO_TARGET_DIR:-$REPO/target}/release/obscaling"
fi
WORK="$(mktemp -d /tmp/obscaling-instructions.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
python3 "$REPO/bench/make_bodies.py" "$WORK" >/dev/null

# total BINARY COUNT PATH: callgrind's instruction total for one process
# that answered COUNT requests to PATH.
total() {
    local bin="$1" count="$2" path="$3" port pid
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    rm -f "$WORK"/callgrind.out.*
    HOST=127.0.0.1 PORT="$port" WORKERS=1 RAYON_NUM_THREADS=1 \
        valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out.%p" "$bin" \
        >/dev/null 2>"$WORK/valgrind.log" &
    pid=$!
    for _ in $(seq 300); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { cat "$WORK/valgrind.log" >&2; exit 1; }
        sleep 0.2
    done
    python3 - "$port" "$count" "$path" "$WORK/small.json" <<'PY'
import http.client, sys
port, count, path, body = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], open(sys.argv[4], "rb").read()
conn = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(count):
    if path == "/healthz":
        conn.request("GET", path)
    else:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    assert response.status == 200, response.status
PY
    kill "$pid"
    wait "$pid" || true
    awk '/^(summary|totals):/ { print $2; exit }' "$WORK"/callgrind.out.*
}

printf '%-50s %16s %16s\n' binary "POST /v1/pca" "GET /healthz"
for bin in "$@"; do
    row=()
    for path in /v1/pca /healthz; do
        low="$(total "$bin" "$N" "$path")"
        high="$(total "$bin" $((5 * N)) "$path")"
        row+=("$(( (high - low) / (4 * N) ))")
    done
    printf '%-50s %16s %16s\n' "$bin" "${row[0]}" "${row[1]}"
done
