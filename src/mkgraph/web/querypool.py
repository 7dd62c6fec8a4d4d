"""Worker processes that answer SPARQL queries for `mkgraph serve`, each with a time limit and a
memory limit that really stop the query.

Oxigraph cannot cancel a query once it runs, and a thread cannot be killed; a process can. Each
worker opens the server's on-disk store read-only (and, with `in_memory`, copies it into a store in
its own memory, which Oxigraph answers from faster) and answers one query at a time: it first runs
the server's `prepare` function on the text (the refusal check, which may be slow on hostile text,
so it never runs on the server's event loop), then the query, writing the results in the requested
format with Oxigraph's own writers into a buffer that refuses to grow past the size limit
(evaluation is lazy, so a too-large result stops early).

Limits, each enforced outside the query's reach:
- time: a worker that passes the time limit is killed and replaced;
- memory: each worker runs under RLIMIT_DATA, so the kernel refuses it more memory than the limit
  and the allocation failure aborts it (Rust aborts on a failed allocation); it is replaced;
- the network: a worker forbids itself every socket (mkgraph.store.offline);
- a crash (a signal such as SIGSEGV) is noticed at once: the pipe closes, the worker is replaced.
The client always gets one line: 503 for the time and memory limits, 500 for a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, cast

RESULT_MEDIA_TYPES = {  # SELECT and ASK
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_MEDIA_TYPES = {  # CONSTRUCT and DESCRIBE
    "text/turtle": "TURTLE",
    "application/ld+json": "JSON_LD",
    "application/n-triples": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
}
# The least memory limit a worker starts with: Python, pyoxigraph, RocksDB's threads and the
# refusal check need about 100 MB of writable memory before any query runs.
MIN_MEMORY = 256 << 20
START_TIMEOUT = 60.0  # seconds a new worker may take to open the store


@dataclass
class Answer:
    status: int  # an HTTP status: 200, 400 (bad query), 413 (result too large), 500 (worker
    # crashed), 503 (time or memory limit, or no worker)
    content_type: str
    body: bytes


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain", message.encode("utf-8"))


def _over_memory(max_memory: int) -> Answer:
    return _text(
        503,
        f"the query needed more memory than this server's limit of {max_memory >> 20} MB "
        "per query and was stopped",
    )


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


def _answer(
    store,
    prepare: Callable[[str, str], str] | None,
    text: str,
    source: str,
    results_type: str,
    graph_type: str,
    max_bytes: int,
) -> Answer:
    import pyoxigraph as ox

    from mkgraph.core.errors import MkgraphError
    from mkgraph.core.prefixes import PREFIXES

    try:
        query = prepare(text, source) if prepare is not None else text
    except MkgraphError as error:
        return _text(400, str(error))
    try:  # the prefixes beside the query, not above it: error positions are the client's own
        outcome = store.query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        from mkgraph.store.oxengine import describe_syntax_error

        reason = describe_syntax_error(query, str(exc))
        return _text(400, f"the query is not valid SPARQL: {reason}")
    buffer = _Bounded(max_bytes)
    try:
        if isinstance(outcome, ox.QueryTriples):
            content_type = graph_type
            outcome.serialize(
                cast(IO[bytes], buffer), format=getattr(ox.RdfFormat, GRAPH_MEDIA_TYPES[graph_type])
            )
        else:
            content_type = results_type
            outcome.serialize(
                cast(IO[bytes], buffer),
                format=getattr(ox.QueryResultsFormat, RESULT_MEDIA_TYPES[results_type]),
            )
    except _TooLarge:
        return _text(
            413, f"the result is larger than this server's limit of {max_bytes} bytes: add a LIMIT"
        )
    except Exception as exc:  # evaluation errors: a type error in an aggregate, a bad regex, ...
        return _text(400, f"the query failed: {' '.join(str(exc).split())[:300]}")
    return Answer(200, content_type, b"".join(buffer.parts))


def _serve(location: str, connection, prepare, max_memory: int, in_memory: bool = False) -> None:
    """A worker's life: limit its memory, open the store, then answer queries until the
    connection closes (the server stopped, or died: a worker never outlives it)."""
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the server
    # stops its workers itself, without a traceback from each
    resource.setrlimit(resource.RLIMIT_DATA, (max_memory, max_memory))
    import pyoxigraph as ox

    from mkgraph.store import offline

    if offline.available():  # defence in depth: this process can open no socket
        offline.forbid_network(whole_process=True)
    store = ox.Store.read_only(location)
    if in_memory:  # a copy of its own: Oxigraph answers from memory in about 60% of the CPU time
        copy = ox.Store()  # it answers from RocksDB (measured), and this process never writes.
        # load, not bulk_load: the bulk loader asks for 200 MB at once, past --max-memory's least
        copy.load(store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        store = copy
    connection.send("ready")
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        try:
            answer = _answer(store, prepare, *request)
        except MemoryError:  # Python's own allocations; Rust's abort the worker instead
            answer = _over_memory(max_memory)
        connection.send(answer)


def _settle(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class QueryPool:
    """A fixed number of worker processes over one on-disk store.

    `run` blocks the calling thread until a worker is free; callers bound how many wait (the
    server's admission queue lets exactly `workers` requests in at a time)."""

    def __init__(
        self,
        location: str,
        workers: int,
        timeout: float,
        max_bytes: int,
        max_memory: int = 1 << 30,
        prepare: Callable[[str, str], str] | None = None,
        in_memory: bool = False,
    ):
        self.location, self.timeout, self.max_bytes = location, timeout, max_bytes
        self.in_memory = in_memory
        self.max_memory, self.prepare = max(max_memory, MIN_MEMORY), prepare
        self.workers = workers
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._all: list = []
        self._closed = False
        try:
            for _ in range(workers):
                self._idle.put(self._start())
        except BaseException:  # a worker that would not start, or SIGTERM: stop those started
            self.close()
            raise

    def _start(self):
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve,
            args=(self.location, child, self.prepare, self.max_memory, self.in_memory),
            daemon=True,
        )
        process.start()
        child.close()
        with self._lock:
            self._all.append(process)  # from now on close() stops it, even mid-start
        try:
            ready = parent.poll(START_TIMEOUT) and parent.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            process.kill()
            process.join()
            with self._lock:
                if process in self._all:
                    self._all.remove(process)
            raise RuntimeError("a query worker did not start")
        return process, parent

    def run(self, text: str, results_type: str, graph_type: str, source: str = "query") -> Answer:
        """Answer one query in a free worker; `source` names the query in a refusal."""
        for _ in range(self.workers + 1):
            try:
                worker = self._idle.get(timeout=START_TIMEOUT + self.timeout)
            except queue.Empty:
                return _text(503, "the server is busy: no query worker is free")
            if worker[0].is_alive():
                break
            self._replace(worker)  # died while idle (killed from outside): not this query's doing
        else:
            return _text(503, "the server is busy: its query workers keep dying")
        connection = worker[1]
        try:
            connection.send((text, source, results_type, graph_type, self.max_bytes))
            if connection.poll(self.timeout):
                answer = connection.recv()  # EOFError here: the worker died
                self._idle.put(worker)
                return answer
            return self._timed_out(worker)
        except (EOFError, OSError):
            return self._crashed(worker)

    async def run_async(
        self, text: str, results_type: str, graph_type: str, source: str = "query"
    ) -> Answer:
        """`run` for an event loop: the answer is awaited on the loop itself, so a query costs no
        thread hand-over (on a busy core the hand-over took about half of the server's main
        process CPU: py-spy under bench/load.py). What may block (no worker idle, one to replace)
        still goes to a thread."""
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            worker = None
        if worker is None or not worker[0].is_alive():
            if worker is not None:
                self._idle.put(worker)  # run() replaces it, off the loop
            return await asyncio.to_thread(self.run, text, results_type, graph_type, source)
        connection = worker[1]
        loop = asyncio.get_running_loop()
        answered = loop.create_future()
        try:
            connection.send((text, source, results_type, graph_type, self.max_bytes))
            loop.add_reader(connection.fileno(), _settle, answered)
            try:
                await asyncio.wait_for(answered, self.timeout)
            finally:
                loop.remove_reader(connection.fileno())
            # Readable: the worker has its whole answer in memory and writes it at once, so this
            # read never waits on a query (at most max_bytes, a few milliseconds).
            answer = connection.recv()  # EOFError here: the worker died
        except asyncio.TimeoutError:
            return await asyncio.to_thread(self._timed_out, worker)
        except (EOFError, OSError):
            return await asyncio.to_thread(self._crashed, worker)
        except asyncio.CancelledError:  # the client left, or the server stops: the worker's
            # answer is awaited (or the worker replaced) in a thread, so it is not lost
            threading.Thread(target=self._finish, args=(worker,), daemon=True).start()
            raise
        self._idle.put(worker)
        return answer

    def _finish(self, worker) -> None:
        """Wait for the answer of a query nobody waits for any more; then the worker is free."""
        try:
            if worker[1].poll(self.timeout):
                worker[1].recv()
                self._idle.put(worker)
                return
        except (EOFError, OSError):
            pass
        self._replace(worker)

    def _timed_out(self, worker) -> Answer:
        self._replace(worker)
        return _text(
            503,
            f"the query ran longer than this server's limit of {self.timeout:g} s and was stopped",
        )

    def _crashed(self, worker) -> Answer:
        process = worker[0]
        process.join(5)
        code = process.exitcode
        self._replace(worker)
        if code == -signal.SIGABRT:  # a failed allocation under RLIMIT_DATA
            return _over_memory(self.max_memory)
        how = _signal_name(-code) if code is not None and code < 0 else f"exit code {code}"
        return _text(500, f"the query worker crashed ({how}) and was replaced")

    def _replace(self, worker) -> None:
        process, connection = worker
        process.kill()
        process.join()
        connection.close()
        with self._lock:
            if process in self._all:
                self._all.remove(process)
            if self._closed:
                return
        with contextlib.suppress(RuntimeError):  # else the pool goes on with one worker fewer
            self._idle.put(self._start())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for process in self._all:
                process.kill()
            for process in self._all:
                process.join()
            self._all.clear()
