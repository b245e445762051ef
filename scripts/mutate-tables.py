#!/usr/bin/env python3
"""Single-byte mutants of the Arrow and Parquet fixtures, sent to a server.

usage: python3 scripts/mutate-tables.py [--binary PATH | --url URL]
                                        [--mutants N] [--seed S]
                                        [--path /v1/pca?missing=mean]
                                        [--save-500 DIR] [FIXTURE ...]

For each fixture (default: every tests/fixtures/tables/*.arrows and
*.parquet), makes N (default 1500) mutants, each the fixture with one byte at
a random position set to a different random value (random.Random(seed),
default seed 29, so a run is repeatable), POSTs each to PATH with the
fixture's content type, and prints per fixture how many answers had each
status, and the details of the 500s (grouped with their numbers left out). A malformed table must be a 4xx
(`invalid_arrow`, `invalid_parquet`, or whatever its cells are), never a 500.

--binary starts that server binary on a free port of 127.0.0.1 (and stops it
at the end); --url talks to a running one. --save-500 writes each mutant
answered 500 to DIR, named after its fixture, position and value (inputs for
the fuzz corpus). Exit status 1 if any mutant got a 500 or no answer.
Stdlib only.
"""

import argparse
import collections
import http.client
import json
import os
import pathlib
import random
import re
import socket
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
TABLES = REPO / "tests" / "fixtures" / "tables"
TYPES = {
    ".arrows": "application/vnd.apache.arrow.stream",
    ".arrow": "application/vnd.apache.arrow.stream",
    ".parquet": "application/vnd.apache.parquet",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary: str) -> tuple[subprocess.Popen, str, int]:
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), RUST_LOG="error")
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, "127.0.0.1", port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit(f"{binary} did not listen on port {port}")


def mutants(data: bytes, n: int, rng: random.Random):
    for _ in range(n):
        at = rng.randrange(len(data))
        value = rng.randrange(255)
        if value >= data[at]:
            value += 1  # any byte but the one there
        mutant = bytearray(data)
        mutant[at] = value
        yield at, value, bytes(mutant)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--binary")
    where.add_argument("--url", help="e.g. http://127.0.0.1:8080")
    parser.add_argument("--mutants", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--path", default="/v1/pca?missing=mean")
    parser.add_argument("--save-500", type=pathlib.Path)
    parser.add_argument("fixtures", nargs="*", type=pathlib.Path)
    args = parser.parse_args()
    fixtures = args.fixtures or sorted(
        p for p in TABLES.iterdir() if p.suffix in (".arrows", ".parquet")
    )
    proc = None
    if args.binary:
        proc, host, port = start(args.binary)
    else:
        url = args.url.removeprefix("http://").rstrip("/")
        host, _, port = url.partition(":")
        port = int(port or 80)
    failed = False
    try:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        for fixture in fixtures:
            data = fixture.read_bytes()
            rng = random.Random(f"{args.seed}:{fixture.name}")
            statuses = collections.Counter()
            details = collections.Counter()
            started = time.monotonic()
            for at, value, body in mutants(data, args.mutants, rng):
                try:
                    conn.request("POST", args.path, body=body,
                                 headers={"Content-Type": TYPES[fixture.suffix]})
                    response = conn.getresponse()
                    answer = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as err:
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=120)
                    status, answer = 0, str(err).encode()
                statuses[status] += 1
                if status >= 500 or status == 0:
                    if status != 503:
                        failed = True
                    try:
                        detail = json.loads(answer).get("detail", "")
                    except ValueError:
                        detail = answer[:200].decode(errors="replace")
                    # Grouped by message, numbers aside.
                    details[f"{status}: {re.sub(r'[0-9]+', 'N', detail)[:160]}"] += 1
                    if args.save_500 and status == 500:
                        args.save_500.mkdir(parents=True, exist_ok=True)
                        name = f"{fixture.stem}-{at}-{value:02x}{fixture.suffix}"
                        (args.save_500 / name).write_bytes(body)
            took = time.monotonic() - started
            counts = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
            print(f"{fixture.name}: {args.mutants} mutants in {took:.1f} s -> {counts}")
            for detail, n in details.most_common():
                print(f"    {n:5d} x {detail}")
    finally:
        if proc:
            proc.terminate()
            proc.wait()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
