"""Remote stores: how closely the total deadline holds against a store that drips, and what a stored
query costs at a store compared with the bundled graph.

    python bench/remote.py                                # the deadline only
    python bench/remote.py http://127.0.0.1:7878/query    # and every stored SELECT at that store
                                                          # (publish the graph there first)
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import sys
import threading
import time

from mkgraph.api import KnowledgeGraph
from mkgraph.web import remote


def drip_server() -> tuple[str, threading.Event]:
    """A loopback store that sends headers, then one byte every 0.1 s, forever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                b"Content-Length: 100000000\r\n\r\n{"
            )
            try:
                while not stop.wait(0.1):
                    conn.sendall(b" ")
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", stop


def deadline() -> None:
    url, stop = drip_server()
    for limit in (0.5, 1.0, 2.0):
        overshoot = []
        for _ in range(5):
            start = time.monotonic()
            with contextlib.suppress(remote.RemoteTimeout):
                remote.query("ASK {}", url, timeout=limit)
            overshoot.append(time.monotonic() - start - limit)
        print(
            f"deadline {limit:g} s against a drip: stopped after the limit + "
            f"{statistics.median(overshoot) * 1000:.0f} ms (median of 5, max "
            f"{max(overshoot) * 1000:.0f} ms)"
        )
    stop.set()


def stored_queries(endpoint: str) -> None:
    kg = KnowledgeGraph()
    names = [q.name for q in kg.stored_queries() if "SELECT" in q.text.upper()]
    local, there = [], []
    for name in names:
        for runs, call in (
            (local, lambda name=name: kg.query(name, native=True)),
            (there, lambda name=name: kg.query_remote(endpoint, name, native=True)),
        ):
            times = []
            for _ in range(5):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            runs.append(statistics.median(times))
    print(
        f"{len(names)} stored SELECTs: bundled graph {sum(local) * 1000:.0f} ms in all, "
        f"{endpoint} {sum(there) * 1000:.0f} ms in all (median of 5 each)"
    )


if __name__ == "__main__":
    deadline()
    if len(sys.argv) > 1:
        stored_queries(sys.argv[1])
