"""A load benchmark of `mkgraph serve`: N concurrent clients for a bounded time, on loopback only.

    python bench/load.py                      # 8 clients, 10 s, a server started on a free port
    python bench/load.py --clients 32 --seconds 20 --workers 2
    python bench/load.py --clients 65 --idle 70    # 70 idle connections open all along

Starts `mkgraph serve` on 127.0.0.1 (never any other address), sends a mix of stored-query URLs
and protocol POSTs from threads using httpx, and prints throughput, p50 and p99 latency and the
error count by status (which should be zero). `--idle N` keeps N connections open that never send
a request, reopened as the server closes them: they must not turn any client away. Every loop is
bounded by the time limit and a request cap.
"""

from __future__ import annotations

import argparse
import collections
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
                status = str(response.status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            latencies.append(time.perf_counter() - started)
            if status != "200":
                errors.append(status)


def idle_connections(port: int, count: int, deadline: float) -> None:
    """Hold `count` connections that never send a byte, reopening each one the server closes."""
    sockets: list[socket.socket | None] = [None] * count
    while time.monotonic() < deadline:
        for index, sock in enumerate(sockets):
            if sock is not None:
                sock.setblocking(False)
                try:
                    if sock.recv(1) != b"":
                        continue
                except BlockingIOError:
                    continue  # still open
                except OSError:
                    pass
                sock.close()
            try:
                sockets[index] = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                sockets[index] = None
        time.sleep(0.5)
    for sock in sockets:
        if sock is not None:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="the server's query workers")
    parser.add_argument("--idle", type=int, default=0, help="idle connections held open")
    args = parser.parse_args()
    if not 1 <= args.clients <= 256 or not 0 < args.seconds <= 300 or not 0 <= args.idle <= 400:
        parser.error("keep it bounded: 1-256 clients, 0-400 idle, at most 300 seconds")
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
        if args.idle:
            threads.append(
                threading.Thread(target=idle_connections, args=(port, args.idle, deadline))
            )
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
    idle = f", {args.idle} idle connections" if args.idle else ""
    print(f"clients {args.clients}{idle}, server workers {args.workers}, {elapsed:.1f} s, loopback")
    print(f"requests {len(latencies)}, throughput {len(latencies) / elapsed:.0f} req/s")
    print(f"latency p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    by_status = ", ".join(f"{k}: {n}" for k, n in sorted(collections.Counter(errors).items()))
    print(f"errors {len(errors)}" + (f" ({by_status})" if errors else ""))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
