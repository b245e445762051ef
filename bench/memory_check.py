"""Memory of obscaling under back-to-back and concurrent large requests.

usage: python3 bench/memory_check.py [options] BINARY [BINARY ...]
(scripts/memory-check.sh builds the binaries and calls this.)

Each binary is started fresh on 127.0.0.1 (WORKERS=2, RUST_LOG=warn) and
measured in turn, in rounds that alternate the binaries (the machine's
speed drifts). Per binary and round:
  idle    VmRSS after start-up, one /healthz and IDLE_S seconds of rest
  back-to-back  REQUESTS POST /v1/pca of the 5000 x 200 body (k = 10), one
          after another, each on a new connection as curl sends them; VmRSS
          right after each answer, and VmHWM over the whole phase (the
          kernel's peak, reset at the start of the phase through
          /proc/PID/clear_refs)
  concurrent  after IDLE_S seconds of rest, CONCURRENT of the same requests
          at once: VmHWM over them
Prints RSS over idle after each request, the peaks over idle in MiB and as
multiples of the body, and the median end-to-end time. The last binary is
the one checked: exit 1 if its back-to-back or concurrent peak exceeds
LIMIT x the body, or any request failed.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def reset_peak(pid: int) -> None:
    # "5" resets VmHWM to the current RSS (Linux >= 4.0).
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def post(port: int, body: bytes) -> tuple[int, float]:
    """One request on a new connection; (status, seconds end to end)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", "/v1/pca", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - start


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def measure(binary: str, body: bytes, requests: int, concurrent: int, idle_s: float) -> dict:
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), WORKERS="2", RUST_LOG="warn")
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(150):
            try:
                if get(port, "/healthz") == 200:
                    break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"{binary} exited: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        else:
            raise SystemExit(f"{binary} not healthy after 15 s")
        time.sleep(idle_s)
        idle = status_kb(proc.pid, "VmRSS")

        reset_peak(proc.pid)
        after, times, errors = [], [], 0
        for _ in range(requests):
            code, seconds = post(port, body)
            after.append(status_kb(proc.pid, "VmRSS") - idle)
            times.append(seconds)
            errors += code != 200
        back_to_back_peak = status_kb(proc.pid, "VmHWM") - idle

        time.sleep(idle_s)
        idle_before_concurrent = status_kb(proc.pid, "VmRSS")
        reset_peak(proc.pid)
        results = []
        threads = [
            threading.Thread(target=lambda: results.append(post(port, body)))
            for _ in range(concurrent)
        ]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent_s = time.perf_counter() - start
        concurrent_peak = status_kb(proc.pid, "VmHWM") - idle
        errors += sum(code != 200 for code, _ in results) + concurrent - len(results)
        return {
            "binary": binary,
            "idle_kb": idle,
            "rss_over_idle_kb": after,
            "back_to_back_peak_kb": back_to_back_peak,
            "idle_before_concurrent_kb": idle_before_concurrent,
            "concurrent_peak_kb": concurrent_peak,
            "concurrent_s": concurrent_s,
            "times_s": times,
            "errors": errors,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--body", required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--idle", type=float, default=3.0)
    parser.add_argument("--limit", type=float, default=4.0)
    parser.add_argument("--labels", default="")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    body = open(args.body, "rb").read()
    labels = args.labels.split(",") if args.labels else [os.path.basename(b) for b in args.binaries]
    runs = {label: [] for label in labels}
    for _ in range(args.rounds):
        for label, binary in zip(labels, args.binaries):
            runs[label].append(measure(binary, body, args.requests, args.concurrent, args.idle))

    size = len(body)
    mib = lambda kb: kb / 1024  # noqa: E731
    times_x = lambda kb: kb * 1024 / size  # noqa: E731
    print(f"body {size} bytes ({size / MIB:.1f} MiB); {args.requests} back-to-back requests, "
          f"then {args.concurrent} concurrent; rounds: {args.rounds}")
    # One column per binary and round: RSS over idle (MiB) after each request.
    columns = [(label, r, run) for label in labels for r, run in enumerate(runs[label])]
    head = " ".join(f"{label + (f' #{r + 1}' if args.rounds > 1 else ''):>16}" for label, r, _ in columns)
    print(f"\nRSS over idle after each request, MiB\n{'request':>8} {head}")
    for i in range(args.requests):
        print(f"{i + 1:>8} " + " ".join(f"{mib(run['rss_over_idle_kb'][i]):16.1f}" for _, _, run in columns))
    rows = [
        ("idle RSS, MiB", lambda run: f"{mib(run['idle_kb']):.1f}"),
        ("back-to-back peak over idle, MiB", lambda run: f"{mib(run['back_to_back_peak_kb']):.1f}"),
        ("  x body", lambda run: f"{times_x(run['back_to_back_peak_kb']):.2f}"),
        (f"{args.concurrent} concurrent: peak over idle, MiB", lambda run: f"{mib(run['concurrent_peak_kb']):.1f}"),
        ("  x body", lambda run: f"{times_x(run['concurrent_peak_kb']):.2f}"),
        ("  x the bodies in flight", lambda run: f"{times_x(run['concurrent_peak_kb']) / args.concurrent:.2f}"),
        ("  wall time of all, ms", lambda run: f"{1000 * run['concurrent_s']:.0f}"),
        ("end to end, median ms", lambda run: f"{1000 * statistics.median(run['times_s']):.1f}"),
        ("end to end, best ms", lambda run: f"{1000 * min(run['times_s']):.1f}"),
        ("errors", lambda run: str(run["errors"])),
    ]
    print()
    for name, cell in rows:
        print(f"{name:>36} " + " ".join(f"{cell(run):>16}" for _, _, run in columns))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"body_bytes": size, "runs": runs}, f, indent=1)

    checked = runs[labels[-1]]
    worst = max(max(r["back_to_back_peak_kb"], r["concurrent_peak_kb"]) for r in checked)
    failed = sum(r["errors"] for r in checked)
    ok = times_x(worst) <= args.limit and failed == 0
    print(f"\n{'PASS' if ok else 'FAIL'}: {labels[-1]}: largest peak over idle {times_x(worst):.2f}x the body "
          f"(limit {args.limit}x), {failed} failed requests")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
