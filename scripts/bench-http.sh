#!/usr/bin/env bash
# Side-by-side benchmark of obscaling against a FastAPI + scikit-learn peer
# (bench/peer/app.py), one run, ratios against the peer measured in the same run.
#
#   scripts/bench-http.sh [--sections small,big,mem,core] [--duration 20]
#                         [--connections 32] [--runs 7] [--threads 2] [--no-install]
#
# Sections (targets of the performance issue):
#   small  1. POST /v1/pca 100x10 k=3, wrk 2 threads x 32 connections, DURATION s each
#          (after a short warm-up): req/s ratio >= 30, our p99 < 5 ms, zero errors;
#          also each server's and the whole machine's CPU time per request, and
#          the harness's ceiling: examples/canned_server.rs (no middleware, no
#          work: it reads each body and answers our response to it) under the
#          same wrk
#   big    2. one 5000x200 k=10 request (~9 MB JSON), RUNS sequential curl runs each:
#          median end-to-end ratio >= 5
#   mem    4. peak RSS of a fresh obscaling over its idle RSS during one big request
#          (VmHWM - VmRSS from /proc): <= 4x the body size
#   core   3. fit+transform at 20000x500 k=10, THREADS threads on both sides
#          (RAYON_NUM_THREADS / threadpoolctl) vs scikit-learn's default solver,
#          results checked against svd_solver="full"
#
# Installs what it needs: wrk (apt), the peer's Python deps (pip, into a venv at
# $BENCH_VENV, default /tmp/obscaling-bench-venv). Builds with cargo into
# $CARGO_TARGET_DIR (default: the repo's target/). Only 127.0.0.1 is contacted.
# Writes bench/results/latest.json (untracked) and prints a table.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECTIONS="small,big,mem,core"
DURATION=20
CONNECTIONS=32
RUNS=7
THREADS=2
INSTALL=1
while [ $# -gt 0 ]; do
    case "$1" in
        --sections) SECTIONS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --connections) CONNECTIONS="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --no-install) INSTALL=0; shift ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
has() { [[ ",$SECTIONS," == *",$1,"* ]]; }

TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
VENV="${BENCH_VENV:-/tmp/obscaling-bench-venv}"
PY="$VENV/bin/python"
WORK="$(mktemp -d /tmp/obscaling-bench.XXXXXX)"
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
PIDS=()

log() { printf '== %s\n' "$*" >&2; }

cleanup() {
    local rc=$? pid
    if [ "$rc" != 0 ]; then
        for f in "$WORK"/ours.log "$WORK"/peer.log; do
            [ -s "$f" ] && { echo "--- tail of $f" >&2; tail -n 20 "$f" >&2; }
        done
    fi
    for pid in "${PIDS[@]:-}"; do
        if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    done
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] || continue
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- installs
if [ "$INSTALL" = 1 ]; then
    if has small && ! command -v wrk >/dev/null; then
        log "installing wrk (apt)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    fi
    if ! "$PY" -c 'import fastapi, uvicorn, sklearn, orjson, threadpoolctl' 2>/dev/null; then
        log "installing the peer's Python deps into $VENV (pip)"
        python3 -m venv "$VENV"
        "$PY" -m pip install -q -r "$REPO/bench/peer/requirements.txt"
    fi
fi
for tool in curl python3; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }; done

# ---------------------------------------------------------------- build
log "building (CARGO_TARGET_DIR=$TARGET_DIR)"
(cd "$REPO" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet --bin obscaling)
if has core; then
    (cd "$REPO" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet --example fit_timing)
fi
if has small; then
    (cd "$REPO" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet --example canned_server)
fi
CANNED_BIN="$TARGET_DIR/release/examples/canned_server"
BIN="$TARGET_DIR/release/obscaling"
FIT_TIMING="$TARGET_DIR/release/examples/fit_timing"

# The machine is shared: wait (up to 90 s) for a quiet second before measuring.
busy_pct() { # CPU busy share over one second, from /proc/stat
    local a b
    read -ra a < /proc/stat; sleep 1; read -ra b < /proc/stat
    local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
    for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
    echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
for _ in $(seq 90); do
    BUSY="$(busy_pct)"
    [ "$BUSY" -lt 20 ] && break
done
if [ "$BUSY" -ge 20 ]; then
    log "WARNING: the CPUs are ${BUSY}% busy with other work: numbers will be noisy"
fi
"$PY" - "$RESULTS/machine.json" "$THREADS" "$BUSY" <<'EOF'
import json, os, sys, datetime, platform
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
json.dump({"cpu": cpu, "nproc": os.cpu_count(), "threads": int(sys.argv[2]),
           "cpu_busy_pct_before": int(sys.argv[3]), "loadavg_at_start": os.getloadavg(),
           "kernel": platform.release(), "date": datetime.datetime.now().isoformat(timespec="seconds"),
           "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
           "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}, open(sys.argv[1], "w"))
EOF

log "generating request bodies"
"$PY" "$REPO/bench/make_bodies.py" "$WORK" >&2
SMALL="$WORK/small.json"
BIG="$WORK/big.json"

# ---------------------------------------------------------------- services
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_healthy() { # URL PID
    for _ in $(seq 150); do
        curl -fsS -o /dev/null "$1/healthz" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || { echo "service at $1 died" >&2; return 1; }
        sleep 0.1
    done
    echo "service at $1 not healthy after 15 s" >&2
    return 1
}

OURS_PID=""; PEER_PID=""
start_ours() {
    local port; port="$(free_port)"
    HOST=127.0.0.1 PORT="$port" WORKERS=2 "$BIN" >>"$WORK/ours.log" 2>&1 &
    OURS_PID=$!; PIDS+=("$OURS_PID")
    OURS="http://127.0.0.1:$port"
    wait_healthy "$OURS" "$OURS_PID"
}
start_peer() {
    local port; port="$(free_port)"
    "$VENV/bin/uvicorn" app:app --app-dir "$REPO/bench/peer" --host 127.0.0.1 --port "$port" \
        --workers 2 --timeout-worker-healthcheck 60 --no-access-log --log-level warning >>"$WORK/peer.log" 2>&1 &
    PEER_PID=$!; PIDS+=("$PEER_PID")
    PEER="http://127.0.0.1:$port"
    wait_healthy "$PEER" "$PEER_PID"
}
stop() { # PID
    kill "$1" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
}

still_up() { # PID NAME: a service that stopped mid-run invalidates what follows
    kill -0 "$1" 2>/dev/null && return 0
    echo "$2 (pid $1) exited during the run; last lines of its log:" >&2
    tail -n 5 "$WORK/$2.log" >&2
    exit 1
}

post() { # URL BODY -> "http_code time_total"
    curl -sS -o "$WORK/last_response.json" -w '%{http_code} %{time_total}\n' --max-time 120 \
        -H 'Content-Type: application/json' -H 'Expect:' --data-binary @"$2" "$1/v1/pca" || true
}

if has small || has big; then
    log "starting obscaling (WORKERS=2) and the peer (uvicorn --workers 2)"
    start_ours
    start_peer
    # Same answer from both (ratios to 1e-9), so the comparison is like for like.
    for body in "$SMALL" "$BIG"; do
        read -r code _ < <(post "$OURS" "$body"); [ "$code" = 200 ] || { echo "obscaling: HTTP $code" >&2; exit 1; }
        cp "$WORK/last_response.json" "$WORK/ours_response.json"
        [ "$body" = "$SMALL" ] && cp "$WORK/last_response.json" "$WORK/canned.json"
        read -r code _ < <(post "$PEER" "$body"); [ "$code" = 200 ] || { echo "peer: HTTP $code" >&2; exit 1; }
        "$PY" - "$WORK/ours_response.json" "$WORK/last_response.json" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert set(b) <= set(a), set(b) - set(a)  # every peer field is one of ours
dev = max(abs(x - y) for x, y in zip(a["explained_variance_ratio"], b["explained_variance_ratio"]))
assert a["n_components"] == b["n_components"] and dev < 1e-9, dev
EOF
    done
fi

# ---------------------------------------------------------------- 1. small
# CPU seconds (user + system) used so far by a process and its children
# (uvicorn's workers are children of its master).
cpu_seconds() { # PID
    local pids="$1 $(pgrep -P "$1" | tr '\n' ' ')" total=0 pid
    for pid in $pids; do
        [ -r "/proc/$pid/stat" ] || continue
        total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat") ))
    done
    "$PY" -c "import os, sys; print(int(sys.argv[1]) / os.sysconf('SC_CLK_TCK'))" "$total"
}
# CPU seconds the whole machine spent busy so far (every process, wrk and
# the kernel included), from /proc/stat.
machine_cpu_seconds() {
    "$PY" -c "import os; f = [int(x) for x in open('/proc/stat').readline().split()[1:9]]; print((sum(f) - f[3] - f[4]) / os.sysconf('SC_CLK_TCK'))"
}
# wrk_small NAME URL PID: warm-up, then the measured run; writes small_NAME.json
wrk_small() {
    local name="$1" url="$2" pid="$3" cpu_before cpu_after machine_before machine_after
    log "wrk $name: warm-up 3 s, then ${DURATION} s, 2 threads, $CONNECTIONS connections"
    WRK_BODY="$SMALL" timeout 30 wrk -t2 -c"$CONNECTIONS" -d3s -s "$REPO/bench/post.lua" "$url/v1/pca" >/dev/null
    cpu_before="$(cpu_seconds "$pid")"
    machine_before="$(machine_cpu_seconds)"
    WRK_BODY="$SMALL" timeout $((DURATION + 30)) wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
        -s "$REPO/bench/post.lua" "$url/v1/pca" > "$WORK/wrk_$name.txt"
    machine_after="$(machine_cpu_seconds)"
    cpu_after="$(cpu_seconds "$pid")"
    grep '^WRK_JSON ' "$WORK/wrk_$name.txt" | sed 's/^WRK_JSON //' \
        | "$PY" -c 'import json, sys; a = [float(x) for x in sys.argv[1:]]; d = json.load(sys.stdin); d["server_cpu_s"] = a[1] - a[0]; d["machine_cpu_s"] = a[3] - a[2]; print(json.dumps(d))' \
            "$cpu_before" "$cpu_after" "$machine_before" "$machine_after" > "$RESULTS/small_$name.json"
}
if has small; then
    still_up "$OURS_PID" ours
    still_up "$PEER_PID" peer
    wrk_small ours "$OURS" "$OURS_PID"
    still_up "$PEER_PID" peer
    wrk_small peer "$PEER" "$PEER_PID"
    # The harness's ceiling on this machine: the same wrk, bytes in and out,
    # against a server that does no work. No server that parses and
    # computes can answer faster.
    port="$(free_port)"
    PORT="$port" CANNED="$WORK/canned.json" WORKERS=2 "$CANNED_BIN" >>"$WORK/canned.log" 2>&1 &
    CANNED_PID=$!; PIDS+=("$CANNED_PID")
    wait_healthy "http://127.0.0.1:$port" "$CANNED_PID"
    wrk_small canned "http://127.0.0.1:$port" "$CANNED_PID"
    stop "$CANNED_PID"
fi

# ---------------------------------------------------------------- 2. big
if has big; then
    still_up "$OURS_PID" ours
    still_up "$PEER_PID" peer
    for who in ours peer; do
        url="$OURS"; [ "$who" = peer ] && url="$PEER"
        log "big body: $RUNS sequential requests to $who"
        for _ in $(seq "$RUNS"); do post "$url" "$BIG"; done > "$WORK/big_$who.txt"
    done
    "$PY" - "$WORK" "$RESULTS/big.json" "$(stat -c %s "$BIG")" <<'EOF'
import json, statistics, sys, pathlib
d = pathlib.Path(sys.argv[1]); out = {"body_bytes": int(sys.argv[3])}
for who in ("ours", "peer"):
    runs = [l.split() for l in (d / f"big_{who}.txt").read_text().split("\n") if l.strip()]
    times = sorted(float(t) for c, t in runs if c == "200") or [float("nan")]
    out[who] = {"runs": len(runs), "errors": sum(c != "200" for c, _ in runs),
                "best_s": times[0], "median_s": statistics.median(times), "all_s": times}
json.dump(out, open(sys.argv[2], "w"))
EOF
fi
if [ -n "$OURS_PID" ]; then stop "$OURS_PID"; OURS_PID=""; fi
if [ -n "$PEER_PID" ]; then stop "$PEER_PID"; PEER_PID=""; fi

# ---------------------------------------------------------------- 4. memory
rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
if has mem; then
    log "peak memory: fresh obscaling, one big request"
    start_ours
    curl -fsS -o /dev/null "$OURS/healthz"
    ours_idle="$(rss_kb "$OURS_PID" VmRSS)"
    read -r code _ < <(post "$OURS" "$BIG")
    ours_hwm="$(rss_kb "$OURS_PID" VmHWM)"
    stop "$OURS_PID"; OURS_PID=""
    log "peak memory: fresh peer (1 worker), one big request"
    port="$(free_port)"
    "$VENV/bin/uvicorn" app:app --app-dir "$REPO/bench/peer" --host 127.0.0.1 --port "$port" \
        --workers 1 --timeout-worker-healthcheck 60 --no-access-log --log-level warning >>"$WORK/peer.log" 2>&1 &
    PEER_PID=$!; PIDS+=("$PEER_PID"); PEER="http://127.0.0.1:$port"
    wait_healthy "$PEER" "$PEER_PID"
    peer_idle="$(rss_kb "$PEER_PID" VmRSS)"
    read -r pcode _ < <(post "$PEER" "$BIG")
    peer_hwm="$(rss_kb "$PEER_PID" VmHWM)"
    stop "$PEER_PID"; PEER_PID=""
    cat > "$RESULTS/mem.json" <<EOF
{"body_bytes": $(stat -c %s "$BIG"), "ours": {"status": $code, "idle_rss_kb": $ours_idle, "hwm_kb": $ours_hwm},
 "peer": {"status": $pcode, "idle_rss_kb": $peer_idle, "hwm_kb": $peer_hwm}}
EOF
fi

# ---------------------------------------------------------------- 3. core
if has core; then
    log "core: obscaling fit+transform 20000x500 k=10, RAYON_NUM_THREADS=$THREADS"
    RAYON_NUM_THREADS="$THREADS" timeout 300 "$FIT_TIMING" fit 20000 500 10 5 "$WORK/core_rust_full.json" \
        > "$RESULTS/core_rust.json"
    log "core: scikit-learn default solver, $THREADS threads (OPENBLAS_CORETYPE/L2_SIZE unset for this command)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE timeout 300 "$PY" "$REPO/bench/core_sklearn.py" \
        --n 20000 --p 500 --k 10 --threads "$THREADS" --reps 5 --compare "$WORK/core_rust_full.json" \
        > "$RESULTS/core_sklearn.json"
fi

"$PY" "$REPO/bench/report.py" "$RESULTS" "$REPO/bench/results/latest.json"
