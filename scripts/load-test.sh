#!/usr/bin/env bash
# Load test of POST /v1/pca at saturation, with a memory check.
#
#   scripts/load-test.sh [--duration 60] [--connections 32] [--idle 10] [--warmup 5] [--no-build]
#
# Builds the release binary (CARGO_TARGET_DIR, default /tmp/load-target),
# starts it on a free port of 127.0.0.1 with WORKERS=2, warms it up with the
# same mix for WARMUP s, idles IDLE s and records the baseline RSS (VmRSS). Then
# wrk runs DURATION s with CONNECTIONS connections (one per wrk thread) of
# mixed bodies (bench/load/mixed.lua, bench/load/make_bodies.py): 90% small
# (100x10 k=3), 5% 1000x50 k=5, 5% 2000x100 k=10, by request count. RSS is
# sampled every 0.5 s during the run and once more after IDLE s of idling.
#
# Checks (PASS/FAIL lines, then "load: N passed, M failed"; exit 1 on a FAIL):
#   no socket errors (connect, read, write, timeout); no non-2xx response;
#   every body kind answered; the service alive and healthy afterwards;
#   RSS after idling within max(20 MiB, 50% of baseline) of the baseline.
# The environment passes through to the service, to try allocator settings:
# _RJEM_MALLOC_CONF=... overrides the options of the binary's jemalloc (see
# docs/operations.md, Memory).
# Installs wrk (apt) if missing. Only 127.0.0.1 is contacted. Writes
# bench/load/results/latest.json (untracked).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION=60
CONNECTIONS=32
IDLE=10
WARMUP=5
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION="$2"; shift 2 ;;
        --connections) CONNECTIONS="$2"; shift 2 ;;
        --idle) IDLE="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/load-target}"
BIN="$TARGET_DIR/release/obscaling"
WORK="$(mktemp -d /tmp/obscaling-load.XXXXXX)"
SERVER_PID=""
SAMPLER_PID=""
log() { printf '== %s\n' "$*" >&2; }

cleanup() {
    local rc=$? pid
    if [ "$rc" != 0 ] && [ -s "$WORK/server.log" ]; then
        echo "--- last lines of the service's log" >&2; tail -n 20 "$WORK/server.log" >&2
    fi
    for pid in "$SAMPLER_PID" "$SERVER_PID"; do
        [ -n "$pid" ] || continue
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- tools, build
if ! command -v wrk >/dev/null; then
    log "installing wrk (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
for tool in curl python3 wrk; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
if [ "$BUILD" = 1 ]; then
    log "building the release binary (CARGO_TARGET_DIR=$TARGET_DIR)"
    (cd "$REPO" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet --bin obscaling)
fi
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }
log "request bodies"
python3 "$REPO/bench/load/make_bodies.py" "$WORK/bodies" >&2

# ---------------------------------------------------------------- service
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
log "starting obscaling on $URL (WORKERS=2$(env | grep -E "^(_RJEM_MALLOC_CONF=|RAYON_NUM_THREADS=)" | sed "s/^/, /" | tr -d "\n"))"
HOST=127.0.0.1 PORT="$PORT" WORKERS=2 LOG_FORMAT=text RUST_LOG=warn "$BIN" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 150); do
    curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the service exited at start-up" >&2; exit 1; }
    [ "$i" = 150 ] && { echo "the service is not healthy after 15 s" >&2; exit 1; }
    sleep 0.1
done
for kind in small medium large; do
    code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 60 -H 'Content-Type: application/json' \
        -H 'Expect:' --data-binary @"$WORK/bodies/$kind.json" "$URL/v1/pca")"
    [ "$code" = 200 ] || { echo "$kind body: HTTP $code" >&2; exit 1; }
done

rss_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
run_wrk() { # SECONDS OUTPUT
    LOAD_BODIES="$WORK/bodies" timeout $(($1 + 60)) wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"$1s" \
        --timeout 20s -s "$REPO/bench/load/mixed.lua" "$URL/v1/pca" >"$2" 2>&1
}

FRESH="$(rss_kb VmRSS)"
# The baseline is taken as the final figure will be: after IDLE s of idling
# (thread pools and the allocator settle in that time), here after a warm-up.
log "warm-up: ${WARMUP} s of the mix, then ${IDLE} s idle (RSS at start: $FRESH kB)"
run_wrk "$WARMUP" "$WORK/warmup.txt" || true
sleep "$IDLE"
BASELINE="$(rss_kb VmRSS)"
log "baseline RSS: $BASELINE kB"

# RSS every 0.5 s while the load runs (bounded: DURATION + 30 s).
(
    for _ in $(seq $(( (DURATION + 30) * 2 ))); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        rss_kb VmRSS
        sleep 0.5
    done
) >"$WORK/rss.txt" &
SAMPLER_PID=$!

log "load: ${DURATION} s, $CONNECTIONS connections (wrk -t$CONNECTIONS -c$CONNECTIONS), 90/5/5 small/1000x50/2000x100"
ticks0="$(cpu_ticks)"
WRK_RC=0
run_wrk "$DURATION" "$WORK/wrk.txt" || WRK_RC=$?
ticks1="$(cpu_ticks 2>/dev/null || echo "$ticks0")"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
PEAK="$(sort -n "$WORK/rss.txt" | tail -n 1)"
PEAK="${PEAK:-0}"
HWM="$(rss_kb VmHWM)"

log "idle ${IDLE} s"
sleep "$IDLE"
AFTER="$(rss_kb VmRSS)"
ALIVE=0
kill -0 "$SERVER_PID" 2>/dev/null && curl -fsS -o /dev/null --max-time 5 "$URL/healthz" && ALIVE=1

# ---------------------------------------------------------------- report
LOAD_JSON="$(grep '^LOAD_JSON ' "$WORK/wrk.txt" | sed 's/^LOAD_JSON //' || true)"
if [ -z "$LOAD_JSON" ]; then
    echo "wrk printed no result (exit $WRK_RC):" >&2; cat "$WORK/wrk.txt" >&2
    LOAD_JSON='{}'
fi
mkdir -p "$REPO/bench/load/results"
python3 - "$LOAD_JSON" "$FRESH" "$BASELINE" "$PEAK" "$HWM" "$AFTER" "$ALIVE" "$DURATION" "$CONNECTIONS" \
    "$((ticks1 - ticks0))" "$(getconf CLK_TCK)" "$REPO/bench/load/results/latest.json" <<'EOF'
import json, os, sys
w = json.loads(sys.argv[1])
fresh, base, peak, hwm, after, alive = (int(x) for x in sys.argv[2:8])
duration, conns, ticks, hz, out = int(sys.argv[8]), int(sys.argv[9]), int(sys.argv[10]), int(sys.argv[11]), sys.argv[12]
mib = lambda kb: kb / 1024
checks = []
def check(ok, what):
    checks.append(bool(ok))
    print(f"{'PASS' if ok else 'FAIL'}: {what}")

e = w.get("errors", {})
kinds = {k: w.get(k, {}) for k in ("small", "medium", "large")}
sock = sum(e.get(k, 0) for k in ("connect", "read", "write", "timeout"))
non2xx = max(e.get("status", 0), sum(v.get("non_2xx", 0) for v in kinds.values()))
if w:
    print(f"{w['requests']} requests in {w['duration_s']:.1f} s: {w['rps']:.1f} req/s "
          f"(service CPU {100 * ticks / hz / duration:.0f}% of one core; {os.cpu_count()} cores)")
    for k, v in {"all": w.get("all", {}), **kinds}.items():
        share = 100 * v.get("responses", 0) / max(1, sum(x.get("responses", 0) for x in kinds.values()))
        print(f"  {k:6s} {v.get('responses', 0):7d} responses ({share:4.1f}%), {v.get('rps', 0):8.1f} req/s, "
              f"mean {v.get('mean_ms', 0):7.2f} ms, p50 {v.get('p50_ms', 0):7.2f} ms, p99 {v.get('p99_ms', 0):8.2f} ms, non-2xx {v.get('non_2xx', 0)}")
tol = max(20 * 1024, base // 2)
print(f"RSS: at start {mib(fresh):.1f} MiB, baseline {mib(base):.1f} MiB, peak {mib(peak):.1f} MiB (VmHWM {mib(hwm):.1f} MiB), "
      f"after {mib(after):.1f} MiB ({mib(after - base):+.1f} MiB; tolerance {mib(tol):.1f} MiB)")
check(w and sock == 0, f"no socket errors ({json.dumps(e)})")
check(w and non2xx == 0, f"no non-2xx responses ({non2xx})")
check(w and all(v.get("responses", 0) > 0 for v in kinds.values()), "every body kind answered")
check(alive, "the service is alive and healthy after the run")
check(0 < after and after - base <= tol, f"RSS back to baseline: {mib(after):.1f} MiB vs {mib(base):.1f} MiB")
passed, failed = checks.count(True), checks.count(False)
json.dump({"wrk": w, "duration_s": duration, "connections": conns, "service_cpu_pct": 100 * ticks / hz / duration,
           "rss_kb": {"start": fresh, "baseline": base, "peak": peak, "hwm": hwm, "after": after},
           "env": {k: os.environ[k] for k in ("_RJEM_MALLOC_CONF", "RAYON_NUM_THREADS") if k in os.environ},
           "passed": passed, "failed": failed}, open(out, "w"), indent=1)
print(f"load: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
