#!/usr/bin/env python3
"""How long the probes wait while small heavy requests compute.

usage: probe_latency.py --bin BINARY [--bin BINARY ...] [--label NAME ...]
                        [--heavy 2] [--deadline-ms 10000] [--limit-ms 2000]

For each binary and each heavy request of bench/edge/bodies.py
(`iterative_pca_small`: 300 x 25, half missing, iterative PCA with tol 0
and max_iter 100000, ~55 KB; `bootstrap_small`: 120 x 40 with 10000
bootstrap resamples and parallel-analysis iterations, ~39 KB; both under
the 64 KiB that once decided where a request ran), a fresh server
(WORKERS=2, COMPUTE_DEADLINE_MS as given) gets HEAVY such requests at once;
while they are in flight, GET /healthz, /readyz and /metrics are sent in
turn, each on a new connection, every 50 ms. Reported: the heavy requests'
statuses and durations, and the probes' count, median and largest latency
(of the probes sent while every heavy request was in flight). Exit status 1 when the last
binary's largest probe latency is over LIMIT_MS (Kubernetes' default probe
timeout is 1 s, the manifests' 2 s). Only 127.0.0.1 is contacted.
"""

import argparse
import http.client
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import bodies  # noqa: E402  (bench/edge/bodies.py)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None, headers=None, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def start(binary, deadline_ms):
    port = free_port()
    env = dict(
        os.environ,
        HOST="127.0.0.1",
        PORT=str(port),
        WORKERS="2",
        COMPUTE_DEADLINE_MS=str(deadline_ms),
        LOG_FORMAT="text",
        RUST_LOG="warn",
    )
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            call(port, "GET", "/healthz", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{binary} did not start")


def scenario(binary, name, heavy, deadline_ms):
    path, headers, body = bodies.BUILDERS[name]()
    proc, port = start(binary, deadline_ms)
    try:
        done = []
        heavy_results = []

        def send():
            started = time.monotonic()
            try:
                status = call(port, "POST", path, body, headers)
            except OSError as err:
                status = f"no answer ({err})"
            heavy_results.append((status, time.monotonic() - started))
            done.append(1)

        threads = [threading.Thread(target=send) for _ in range(heavy)]
        for t in threads:
            t.start()
        time.sleep(0.2)  # the heavy requests are read and computing
        latencies = []
        probes = ["/healthz", "/readyz", "/metrics"]
        i = 0
        while len(done) < heavy:
            probe = probes[i % len(probes)]
            i += 1
            # Only probes sent while every heavy request was in flight.
            all_in_flight = len(done) == 0
            started = time.monotonic()
            status = call(port, "GET", probe, timeout=60)
            elapsed = time.monotonic() - started
            if all_in_flight:
                latencies.append((elapsed, probe, status))
            time.sleep(0.05)
        for t in threads:
            t.join()
        ms = sorted(1000 * e for e, _, _ in latencies) or [float("nan")]
        return {
            "scenario": name,
            "body_bytes": len(body),
            "heavy": sorted(f"{s} in {d:.2f} s" for s, d in heavy_results),
            "probes": len(latencies),
            "probe_median_ms": round(statistics.median(ms), 2),
            "probe_max_ms": round(ms[-1], 2),
            "probe_statuses": sorted({s for _, _, s in latencies}),
        }
    finally:
        proc.terminate()
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", action="append", required=True)
    parser.add_argument("--label", action="append")
    parser.add_argument("--heavy", type=int, default=2)
    parser.add_argument("--deadline-ms", type=int, default=10000)
    parser.add_argument("--limit-ms", type=float, default=2000)
    args = parser.parse_args()
    labels = args.label or args.bin
    worst = 0.0
    for binary, label in zip(args.bin, labels):
        worst = 0.0
        for name in ("iterative_pca_small", "bootstrap_small"):
            row = scenario(binary, name, args.heavy, args.deadline_ms)
            worst = max(worst, row["probe_max_ms"])
            print(
                f"{label[:28]:<28} {name:<20} {row['body_bytes']:>6} B  heavy: {', '.join(row['heavy'])}  "
                f"probes {row['probes']:>4}  median {row['probe_median_ms']:>8} ms  "
                f"max {row['probe_max_ms']:>9} ms  statuses {row['probe_statuses']}",
                flush=True,
            )
    sys.exit(1 if worst > args.limit_ms else 0)


if __name__ == "__main__":
    main()
