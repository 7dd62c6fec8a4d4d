"""A load benchmark of `mkgraph serve`: N concurrent clients for a bounded time, on loopback only.

    python bench/load.py                      # 8 clients, 10 s, a server started on a free port
    python bench/load.py --clients 32 --seconds 20 --workers 2
    python bench/load.py --clients 65 --idle 70    # 70 idle connections open all along
    python bench/load.py --against-oxigraph        # the same three questions, then Oxigraph's server

Starts `mkgraph serve` on 127.0.0.1 (never any other address), sends a mix of stored-query URLs
and protocol POSTs from threads using httpx, and prints throughput, p50 and p99 latency and the
error count by status (which should be zero). `--idle N` keeps N connections open that never send
a request, reopened as the server closes them: they must not turn any client away. Every loop is
bounded by the time limit and a request cap.

`--against-oxigraph` measures the anchor in the same run: the three stored queries alone (the
mix of three), first at `mkgraph serve` (GET /queries/NAME), then at Oxigraph's own server
(`oxigraph serve-read-only` on a store loaded with mkgraph's export) sent as POST /query with the
very text mkgraph runs (the parameter written in by mkgraph's own binding code), and prints the
ratio of the throughputs.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

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
THREE = REQUESTS[:3]  # the mix of three stored queries
MAX_REQUESTS_PER_CLIENT = 100_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client(
    base: str, deadline: float, latencies: list, errors: list, offset: int, mix: list
) -> None:
    with httpx.Client(base_url=base, timeout=30) as http:
        for number in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            method, path, form = mix[(number + offset) % len(mix)]
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


def wait_until_up(url: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    sys.exit(f"the server at {url} did not start")


def load(base: str, port: int, args, mix: list) -> tuple[list[float], list[str], float]:
    """Run the clients (and idle connections) against one server; latencies, errors, seconds."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + args.seconds
    started = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(base, deadline, latencies, errors, i, mix))
        for i in range(args.clients)
    ]
    if args.idle:
        threads.append(threading.Thread(target=idle_connections, args=(port, args.idle, deadline)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.monotonic() - started


def report(who: str, latencies: list[float], errors: list[str], elapsed: float) -> float:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
    throughput = len(latencies) / elapsed
    print(f"{who}: requests {len(latencies)}, throughput {throughput:.0f} req/s")
    print(f"{who}: latency p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    by_status = ", ".join(f"{k}: {n}" for k, n in sorted(collections.Counter(errors).items()))
    print(f"{who}: errors {len(errors)}" + (f" ({by_status})" if errors else ""))
    return throughput


def oxigraph_mix() -> list:
    """The three stored queries as Oxigraph's server is sent them: the text mkgraph runs, its
    parameter written in by mkgraph's own binding code."""
    from urllib.parse import parse_qsl, urlsplit

    from mkgraph.api import KnowledgeGraph
    from mkgraph.store import oxengine

    kg = KnowledgeGraph()
    mix = []
    for _method, path, _form in THREE:
        url = urlsplit(path)
        params = {k: v for k, v in parse_qsl(url.query) if k != "format"}
        stored = kg.stored_query(url.path.rsplit("/", 1)[-1])
        bindings = kg._store_bindings(stored, params)
        text = oxengine.with_terms(stored.text, bindings) or oxengine.with_values(
            stored.text, bindings
        )
        mix.append(("POST", "/query", {"query": text}))
    return mix


def start_oxigraph(folder: Path, port: int) -> subprocess.Popen:
    """Oxigraph's own server, read-only, on a store loaded with mkgraph's export."""
    program = shutil.which("oxigraph") or shutil.which(
        "oxigraph", path=str(Path(sys.executable).parent)
    )
    if program is None:
        sys.exit("--against-oxigraph needs the `oxigraph` program (pip install oxigraph)")
    data = folder / "graph.nt"
    subprocess.run(
        [sys.executable, "-m", "mkgraph", "export", "-f", "ntriples", "-o", str(data)], check=True
    )
    store = folder / "store"
    subprocess.run(
        [program, "load", "--location", str(store), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    return subprocess.Popen(
        [program, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="the server's query workers")
    parser.add_argument("--idle", type=int, default=0, help="idle connections held open")
    parser.add_argument(
        "--against-oxigraph",
        action="store_true",
        help="the three stored queries only, then the same at Oxigraph's server; print the ratio",
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 256 or not 0 < args.seconds <= 300 or not 0 <= args.idle <= 400:
        parser.error("keep it bounded: 1-256 clients, 0-400 idle, at most 300 seconds")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "mkgraph", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(args.workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mix = THREE if args.against_oxigraph else REQUESTS
    try:
        wait_until_up(f"{base}/queries")
        latencies, errors, elapsed = load(base, port, args, mix)
    finally:
        server.terminate()
        server.wait(10)
    idle = f", {args.idle} idle connections" if args.idle else ""
    print(f"clients {args.clients}{idle}, server workers {args.workers}, {elapsed:.1f} s, loopback")
    print(f"mix: {len(mix)} kinds of request, each client in turn")
    ours = report("mkgraph serve", latencies, errors, elapsed)
    if args.against_oxigraph:
        with tempfile.TemporaryDirectory(prefix="mkgraph-load-") as folder:
            oxigraph_port = free_port()
            anchor = start_oxigraph(Path(folder), oxigraph_port)
            try:
                oxigraph_base = f"http://127.0.0.1:{oxigraph_port}"
                wait_until_up(f"{oxigraph_base}/query?query=ASK%7B%7D")
                mix = oxigraph_mix()
                more = load(oxigraph_base, oxigraph_port, args, mix)
            finally:
                anchor.terminate()
                anchor.wait(10)
        theirs = report("oxigraph serve-read-only", *more)
        errors += more[1]
        print(f"ratio mkgraph serve / oxigraph server: {ours / theirs:.2f}x (target >= 0.8x)")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
