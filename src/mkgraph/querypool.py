"""Worker processes that answer SPARQL queries for `mkgraph serve`, each with a time limit that
really stops the query.

Oxigraph cannot cancel a query once it runs, and a thread cannot be killed; a process can. Each
worker opens the server's on-disk store read-only and answers one query at a time, writing the
results in the requested format with Oxigraph's own writers into a buffer that refuses to grow
past the size limit (evaluation is lazy, so a too-large result stops early). A worker that passes
the time limit is killed and replaced. Only pyoxigraph is imported in a worker.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from dataclasses import dataclass
from typing import IO, cast

RESULT_FORMATS = {  # SELECT and ASK
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_FORMATS = {  # CONSTRUCT and DESCRIBE
    "text/turtle": "TURTLE",
    "application/ld+json": "JSON_LD",
    "application/n-triples": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
}


@dataclass
class Answer:
    status: int  # an HTTP status: 200, 400 (bad query), 413 (result too large), 503 (time limit)
    content_type: str
    body: bytes


class _TooLarge(Exception):
    pass


class _Bounded:
    """A write-only buffer that raises once more than `limit` bytes are written."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _answer(store, query: str, results_type: str, graph_type: str, max_bytes: int) -> Answer:
    import pyoxigraph as ox

    try:
        outcome = store.query(query)
    except SyntaxError as exc:
        return Answer(400, "text/plain", f"the query is not valid SPARQL: {exc}".encode())
    buffer = _Bounded(max_bytes)
    try:
        if isinstance(outcome, ox.QueryTriples):
            content_type = graph_type
            outcome.serialize(
                cast(IO[bytes], buffer), format=getattr(ox.RdfFormat, GRAPH_FORMATS[graph_type])
            )
        else:
            content_type = results_type
            outcome.serialize(
                cast(IO[bytes], buffer),
                format=getattr(ox.QueryResultsFormat, RESULT_FORMATS[results_type]),
            )
    except _TooLarge:
        return Answer(
            413,
            "text/plain",
            f"the result is larger than this server's limit of "
            f"{max_bytes} bytes: add a LIMIT".encode(),
        )
    except Exception as exc:  # evaluation errors: a type error in an aggregate, a bad regex, ...
        return Answer(
            400, "text/plain", f"the query failed: {' '.join(str(exc).split())[:300]}".encode()
        )
    return Answer(200, content_type, b"".join(buffer.parts))


def _serve(location: str, connection) -> None:
    """A worker's life: open the store, then answer queries until the connection closes."""
    import pyoxigraph as ox

    store = ox.Store.read_only(location)
    connection.send("ready")
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        connection.send(_answer(store, *request))


class QueryPool:
    """A fixed number of worker processes over one on-disk store."""

    def __init__(self, location: str, workers: int, timeout: float, max_bytes: int):
        self.location, self.timeout, self.max_bytes = location, timeout, max_bytes
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._all: list = []
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self):
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(self.location, child), daemon=True)
        process.start()
        child.close()
        if not parent.poll(60) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError("a query worker did not start")
        with self._lock:
            self._all.append(process)
        return process, parent

    def run(self, query: str, results_type: str, graph_type: str) -> Answer:
        """Answer one query in a free worker; blocks (in the caller's thread) until one is free."""
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, "text/plain", b"the server is busy: every query worker is in use")
        process, connection = worker
        timed_out = False
        try:
            connection.send((query, results_type, graph_type, self.max_bytes))
            if connection.poll(self.timeout):
                answer = connection.recv()
                self._idle.put(worker)
                return answer
            timed_out = True
        except (EOFError, OSError):
            pass  # the worker died (out of memory, say): replace it
        self._replace(process)
        if timed_out:
            return Answer(
                503,
                "text/plain",
                f"the query ran longer than this server's limit of "
                f"{self.timeout:g} s and was stopped".encode(),
            )
        return Answer(500, "text/plain", b"the query worker stopped unexpectedly")

    def _replace(self, process) -> None:
        process.kill()
        process.join()
        with self._lock:
            self._all.remove(process)
        self._idle.put(self._start())

    def close(self) -> None:
        with self._lock:
            for process in self._all:
                process.kill()
            for process in self._all:
                process.join()
            self._all.clear()
