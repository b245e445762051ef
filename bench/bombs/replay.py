#!/usr/bin/env python3
"""Replays memory bombs against the release binary, each eight at once, and
reports the peak RSS rise per bomb against the bound of issue 29:

    no request raises RSS by more than 4 x MAX_BODY_BYTES plus what its
    accepted cells need

usage: replay.py --bin BINARY [--bin BINARY ...] [--label NAME ...]
                 [--concurrency 8] [--max-body-bytes 33554432]
                 [--parquet-script bench/bombs/parquet.py] [--only NAME,...]
                 [--kill-above-mib 6144] [--json OUT]

Each bomb gets a fresh server (HOST=127.0.0.1, a free port, WORKERS=2,
MAX_BODY_BYTES as given), a warm-up request, its idle RSS, then
CONCURRENCY copies of the bomb sent at once. The rise is the process's
VmHWM (its peak resident memory) less the idle VmRSS, so it counts
everything the eight requests held at once. The bound is 4 x
MAX_BODY_BYTES for the eight together (the service holds large bodies in a
shared budget, so eight bombs must not cost eight times one), plus 16 bytes
per cell of an answered request (its matrix and one copy); a bomb that is
refused has no accepted cells. A server whose RSS passes --kill-above-mib is
killed (the machine is shared) and the bomb reported over the bound.

Compression bombs (made here: zstd and gzip by their command-line tools,
brotli by the `brotli` Python package, deflate by zlib):

  zstd_1gib          1 GiB of zeros, zstd -3 from a pipe (~32 KB)
  zstd_long31        1 GiB of zeros, zstd --long=31 (a 2 GiB window)
  br_1gib            1 GiB of zeros, brotli quality 5, window 2^24
  gzip_1gib          1 GiB of zeros, gzip -9 (~1 MB)
  xgzip_1gib         the same, sent as Content-Encoding: x-gzip
  deflate_1gib       1 GiB of zeros, zlib (Content-Encoding: deflate)
  gzip_multi_1gib    64 gzip members of 16 MiB of zeros each

and every Parquet bomb that --parquet-script writes (`--out DIR`), sent as
application/vnd.apache.parquet.

Exit status 1 when a bomb of the last binary is over the bound (or a
request got no answer), 0 otherwise. Only 127.0.0.1 is contacted.
"""

import argparse
import http.client
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

ZEROS_1GIB = 1 << 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


# ---------------------------------------------------------------- bombs
def make_compression_bombs(work: pathlib.Path):
    """(name, content type, content encoding, path) of each compression bomb."""
    bombs = []

    def zeros_into(cmd, out):
        with open(out, "wb") as f:
            producer = subprocess.Popen(
                ["head", "-c", str(ZEROS_1GIB), "/dev/zero"], stdout=subprocess.PIPE
            )
            subprocess.run(cmd, stdin=producer.stdout, stdout=f, check=True)
            producer.stdout.close()
            producer.wait()

    path = work / "zstd_1gib.zst"
    zeros_into(["zstd", "-q", "-3", "-c"], path)
    bombs.append(("zstd_1gib", "application/json", "zstd", path))
    path = work / "zstd_long31.zst"
    zeros_into(["zstd", "-q", "-3", "--long=31", "-c"], path)
    bombs.append(("zstd_long31", "application/json", "zstd", path))

    try:
        import brotli  # noqa: PLC0415 (optional: installed by scripts/bombs.sh)

        compressor = brotli.Compressor(quality=5, lgwin=24)
        chunk = bytes(16 << 20)
        parts = [compressor.process(chunk) for _ in range(ZEROS_1GIB // len(chunk))]
        parts.append(compressor.finish())
        path = work / "br_1gib.br"
        path.write_bytes(b"".join(parts))
        bombs.append(("br_1gib", "text/csv", "br", path))
    except ImportError:
        print("note: no brotli module, the br bomb is skipped", file=sys.stderr)

    path = work / "gzip_1gib.gz"
    zeros_into(["gzip", "-9", "-c"], path)
    bombs.append(("gzip_1gib", "application/json", "gzip", path))
    bombs.append(("xgzip_1gib", "text/csv", "x-gzip", path))

    compressor = zlib.compressobj(9, zlib.DEFLATED, 15)
    chunk = bytes(16 << 20)
    parts = [compressor.compress(chunk) for _ in range(ZEROS_1GIB // len(chunk))]
    parts.append(compressor.flush())
    path = work / "deflate_1gib.zz"
    path.write_bytes(b"".join(parts))
    bombs.append(("deflate_1gib", "application/json", "deflate", path))

    member = subprocess.run(
        ["gzip", "-9", "-c"], input=bytes(16 << 20), stdout=subprocess.PIPE, check=True
    ).stdout
    path = work / "gzip_multi_1gib.gz"
    path.write_bytes(member * (ZEROS_1GIB // (16 << 20)))
    bombs.append(("gzip_multi_1gib", "application/json", "gzip", path))
    return bombs


def make_parquet_bombs(script, work: pathlib.Path):
    if not script or not pathlib.Path(script).exists():
        return []
    out = work / "parquet"
    out.mkdir(exist_ok=True)
    subprocess.run([sys.executable, script, "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return [
        (p.stem, "application/vnd.apache.parquet", None, p) for p in sorted(out.glob("*.parquet"))
    ]


# ---------------------------------------------------------------- replay
class Server:
    def __init__(self, binary, max_body_bytes, log):
        self.port = free_port()
        env = dict(
            os.environ,
            HOST="127.0.0.1",
            PORT=str(self.port),
            WORKERS="2",
            MAX_BODY_BYTES=str(max_body_bytes),
            LOG_FORMAT="text",
            RUST_LOG="warn",
        )
        self.proc = subprocess.Popen([binary], env=env, stdout=log, stderr=log)
        for _ in range(300):
            try:
                self.request("GET", "/healthz", None, {}, timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{binary} exited with {self.proc.returncode}")
                time.sleep(0.05)
        raise RuntimeError(f"{binary} did not answer /healthz")

    def request(self, method, path, body, headers, timeout=120):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, data
        finally:
            conn.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


WARM_UP = json.dumps(
    {"models": ["a", "b", "c"], "benchmarks": ["x", "y"], "scores": [[0.1, 0.2], [0.3, 0.5], [0.2, 0.2]]}
).encode()


def replay(binary, bomb, concurrency, max_body_bytes, kill_above_kib, log):
    name, content_type, encoding, path = bomb
    body = path.read_bytes()
    server = Server(binary, max_body_bytes, log)
    pid = server.proc.pid
    try:
        server.request("POST", "/v1/pca", WARM_UP, {"Content-Type": "application/json"})
        time.sleep(1.5)  # the allocator's background purge settles
        idle = status_kib(pid, "VmRSS")
        headers = {"Content-Type": content_type}
        if encoding:
            headers["Content-Encoding"] = encoding
        results = [None] * concurrency
        killed = []

        def send(i):
            started = time.monotonic()
            try:
                status, data = server.request("POST", "/v1/pca", body, headers)
                try:
                    code = json.loads(data).get("code", "")
                except ValueError:
                    code = ""
                cells = 0
                if status == 200:
                    answer = json.loads(data)
                    cells = len(answer.get("models", [])) * len(answer.get("benchmarks", []))
                results[i] = (status, code, time.monotonic() - started, cells)
            except OSError as err:
                results[i] = (0, f"no answer: {err}", time.monotonic() - started, 0)

        def watch():
            while any(r is None for r in results) and not killed:
                rss = status_kib(pid, "VmRSS")
                if rss is not None and rss > kill_above_kib:
                    killed.append(rss)
                    server.proc.kill()
                    return
                time.sleep(0.01)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(concurrency)]
        watcher = threading.Thread(target=watch)
        for t in threads:
            t.start()
        watcher.start()
        for t in threads:
            t.join()
        watcher.join()
        hwm = killed[0] if killed else status_kib(pid, "VmHWM")
        rise_mib = (hwm - idle) / 1024
        cells = sum(r[3] for r in results)
        bound_mib = (4 * max_body_bytes + 16 * cells) / (1 << 20)
        over = bool(killed) or rise_mib > bound_mib or any(r[0] == 0 for r in results)
        return {
            "bomb": name,
            "bytes": len(body),
            "encoding": encoding or "identity",
            "statuses": sorted({f"{r[0]} {r[1]}".strip() for r in results}),
            "slowest_s": round(max(r[2] for r in results), 2),
            "idle_mib": round(idle / 1024, 1),
            "rise_mib": round(rise_mib, 1),
            "rise_per_request_mib": round(rise_mib / concurrency, 1),
            "bound_mib": round(bound_mib, 1),
            "killed_at_mib": round(killed[0] / 1024, 1) if killed else None,
            "over": over,
        }
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", action="append", required=True)
    parser.add_argument("--label", action="append")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-body-bytes", type=int, default=32 << 20)
    parser.add_argument("--parquet-script", default=str(pathlib.Path(__file__).with_name("parquet.py")))
    parser.add_argument("--only", help="comma-separated bomb names")
    parser.add_argument("--kill-above-mib", type=int, default=6144)
    parser.add_argument("--json")
    args = parser.parse_args()
    labels = args.label or args.bin
    with tempfile.TemporaryDirectory(prefix="obscaling-bombs.") as tmp:
        work = pathlib.Path(tmp)
        bombs = make_compression_bombs(work) + make_parquet_bombs(args.parquet_script, work)
        if args.only:
            wanted = set(args.only.split(","))
            bombs = [b for b in bombs if b[0] in wanted]
        report = {}
        with open(work / "server.log", "ab") as log:
            for binary, label in zip(args.bin, labels):
                rows = []
                for bomb in bombs:
                    row = replay(
                        binary, bomb, args.concurrency, args.max_body_bytes, args.kill_above_mib * 1024, log
                    )
                    rows.append(row)
                    print(
                        f"{label[:24]:<24} {row['bomb']:<18} {row['bytes']:>10} B  "
                        f"{', '.join(row['statuses'])[:46]:<46} {row['slowest_s']:>6} s  "
                        f"rise {row['rise_mib']:>7} MiB ({row['rise_per_request_mib']} each)  "
                        f"bound {row['bound_mib']} MiB  {'OVER' if row['over'] else 'ok'}"
                        + (f" (killed at {row['killed_at_mib']} MiB)" if row["killed_at_mib"] else ""),
                        flush=True,
                    )
                report[label] = rows
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=1))
    last = report[labels[-1]]
    sys.exit(1 if any(r["over"] for r in last) else 0)


if __name__ == "__main__":
    main()
