"""A load benchmark of `mkgraph serve`: N concurrent clients for a bounded time, on loopback only.

    python bench/load.py                      # 8 clients, 10 s, a server started on a free port
    python bench/load.py --clients 32 --seconds 20 --workers 2

Starts `mkgraph serve` on 127.0.0.1 (never any other address), sends a mix of stored-query URLs
and protocol POSTs from threads using httpx, and prints throughput, p50 and p99 latency and the
error count (which should be zero). Every loop is bounded by the time limit and a request cap.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import threading
import time

import httpx

REQUESTS = [  # (method, path, form): the kinds of requests a notebook or a page sends
    ("GET", "/queries/descendants?of=seL4&format=json", None),
    ("GET", "/queries/by-language?language=Rust&format=csv", None),
    ("GET", "/queries/l4-family?format=json", None),
    (
        "POST",
        "/sparql",
        {"query": "SELECT ?name WHERE { ?s a mk:ListedProject ; rdfs:label ?name }"},
    ),
    (
        "POST",
        "/sparql",
        {
            "query": "SELECT ?lang (COUNT(?s) AS ?n) WHERE { ?s mk:implementedIn ?lang }"
            " GROUP BY ?lang"
        },
    ),
]
MAX_REQUESTS_PER_CLIENT = 100_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client(base: str, deadline: float, latencies: list, errors: list, offset: int) -> None:
    with httpx.Client(base_url=base, timeout=30) as http:
        for number in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            method, path, form = REQUESTS[(number + offset) % len(REQUESTS)]
            started = time.perf_counter()
            try:
                response = http.request(
                    method, path, data=form, headers={"Accept": "application/sparql-results+json"}
                )
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors.append(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="the server's query workers")
    args = parser.parse_args()
    if not 1 <= args.clients <= 256 or not 0 < args.seconds <= 300:
        parser.error("keep it bounded: 1-256 clients, at most 300 seconds")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkgraph",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/queries", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        latencies: list[float] = []
        errors: list[str] = []
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [
            threading.Thread(target=client, args=(base, deadline, latencies, errors, i))
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
    print(f"clients {args.clients}, server workers {args.workers}, {elapsed:.1f} s, loopback")
    print(f"requests {len(latencies)}, throughput {len(latencies) / elapsed:.0f} req/s")
    print(f"latency p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(f"errors {len(errors)}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
