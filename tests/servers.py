"""Real servers on loopback for the tests: `mkgraph serve`, Oxigraph's own server and Virtuoso,
each in a subprocess on a free port, logging to a file and stopped by its process id; and small
in-process servers that misbehave on purpose (drip, never end, ask for a password)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
from graphs import bundled_graph


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_client(**options) -> httpx.Client:
    """An HTTP client for loopback servers: no TLS context (the tests speak plain HTTP; building
    httpx's default one reads the CA bundle, ~60 ms of CPU per client, more than most requests
    cost) and no proxy settings from the environment (a loopback server is asked directly,
    wherever the tests run). Share one per module where connections may be kept alive."""
    return httpx.Client(verify=False, trust_env=False, **options)


def request(method: str, url: str, timeout: float = 5.0, **options) -> httpx.Response:
    """One request on a new connection, as `httpx.get` / `httpx.post` make it (same default
    time limit), from a client without a TLS context (see `http_client`)."""
    with http_client(timeout=timeout) as client:
        return client.request(method, url, **options)


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a server answers `url` (any status below 500)."""
    try:
        with http_client(timeout=timeout) as client:
            return client.get(url).status_code < 500
    except httpx.HTTPError:
        return False


class Server:
    """A server process started now and waited for later, so a slow start (Virtuoso creates its
    database: ~30 s) can overlap other tests. Its output goes to a log file, never to a pipe
    nobody reads (a full pipe would stop the server mid-test); stopped by its process id."""

    def __init__(self, command, ready_url, env=None, log=None, cwd=None):
        self.command, self.ready_url = command, ready_url
        if log is None:
            handle, name = tempfile.mkstemp(prefix="mkgraph-test-server-", suffix=".log")
            os.close(handle)
            log, self._own_log = Path(name), True
        else:
            self._own_log = False
        self.log = log
        self._output = log.open("wb")
        self.process = subprocess.Popen(
            command, env=env, stdout=self._output, stderr=subprocess.STDOUT, cwd=cwd
        )
        self.started = time.monotonic()

    def wait(self, limit: float = 60.0) -> None:
        """Return once `ready_url` answers; RuntimeError with the log's end if the process ends
        or `limit` seconds (from the start) pass first."""
        # one request at a time, each given the time left: a poll that gave up early while the
        # server still worked on it would pile concurrent requests onto a starting server
        while not answers(
            self.ready_url, timeout=max(1.0, limit - (time.monotonic() - self.started))
        ):
            if self.process.poll() is not None:
                said = self.log.read_bytes().decode(errors="replace")[-2000:]
                raise RuntimeError(f"{self.command[0]} exited: {said}")
            if time.monotonic() - self.started > limit:
                said = self.log.read_bytes().decode(errors="replace")[-2000:]
                raise RuntimeError(
                    f"{self.command[0]} did not answer {self.ready_url} within {limit:g} s; "
                    f"its log ends: {said}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._output.close()
        if self._own_log:
            self.log.unlink(missing_ok=True)


@contextmanager
def running(
    command: list[str],
    ready_url: str,
    env: dict | None = None,
    wait: float = 60.0,
    log: Path | None = None,
    cwd: Path | None = None,
):
    """Start a server process and yield it once `ready_url` answers; always stopped afterwards."""
    server = Server(command, ready_url, env, log, cwd)
    try:
        server.wait(wait)
        yield server.process
    finally:
        server.stop()


def oxigraph_program() -> str | None:
    """The `oxigraph` command from the PyPI package, beside this Python or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def mkgraph_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mkgraph", *args]


def environment(**extra: str) -> dict:
    return dict(os.environ, **extra)


def warm_environment(kg=None, **extra: str) -> dict:
    """The environment for a `mkgraph serve` of `kg` (by default the bundled graph): this
    process's private cache (MKGRAPH_CACHE_DIR), first filled with the loaded graph and the stored
    queries' checks, so the server starts in a fraction of a second instead of parsing them again
    (seconds of CPU)."""
    kg = kg if kg is not None else bundled_graph()
    kg.store  # noqa: B018
    kg.stored_queries()
    return environment(**extra)


def verdicts_only_cache(folder: Path) -> Path:
    """A new cache folder holding only this process's verdicts on the stored queries (an rdflib
    parse each, 3.4 s of CPU for all; the same code reached them): for a test about what an
    empty cache does with the graph (a store built, a name table written, a validation's
    findings), where the stored queries' checks are not the point."""
    bundled_graph().stored_queries()  # their verdicts are in this process's cache
    shutil.copytree(
        Path(os.environ["MKGRAPH_CACHE_DIR"]) / "checked-queries", folder / "checked-queries"
    )
    return folder


@contextmanager
def recording_server(status: int = 204, challenge: str | None = None, account=("alice", "s3cret")):
    """A loopback HTTP server that answers every GET, PUT and POST with `status` and records
    (method, path, Authorization header) of each; yields (its base URL, the records).

    With `challenge` ("basic", "digest" or "basic+digest") it asks for credentials the way a
    store does (401 with WWW-Authenticate) and accepts only a correct answer for `account`:
    Basic checked against the password, Digest (RFC 7616, MD5, qop=auth) recomputed here."""
    import base64
    import hashlib
    import http.server
    import threading

    seen: list[tuple[str, str, str | None]] = []
    realm, nonce = "mkgraph-test", "b1f0a4c2d3e4f5a6"

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    def accepted(method: str, header: str | None) -> bool:
        user, password = account
        if not header:
            return False
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic" and "basic" in challenge.split("+"):
            return base64.b64decode(value).decode() == f"{user}:{password}"
        if scheme.lower() == "digest" and "digest" in challenge.split("+"):
            fields = dict(
                (k.strip(), v.strip().strip('"'))
                for k, _, v in (part.partition("=") for part in value.split(","))
            )
            ha1 = md5(f"{user}:{realm}:{password}")
            ha2 = md5(f"{method}:{fields.get('uri')}")
            expected = md5(f"{ha1}:{nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
            return fields.get("username") == user and fields.get("response") == expected
        return False

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            header = self.headers.get("Authorization")
            seen.append((self.command, self.path, header))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if challenge and not accepted(self.command, header):
                self.send_response(401)
                if "digest" in challenge:
                    self.send_header(
                        "WWW-Authenticate",
                        f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm="MD5"',
                    )
                if "basic" in challenge:
                    self.send_header("WWW-Authenticate", f'Basic realm="{realm}"')
            else:
                self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_PUT = do_POST = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def read_request(conn: socket.socket) -> bytes:
    """Read one HTTP request (head and Content-Length body) from a raw connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return data
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            break
        body += piece
    return head


@contextmanager
def raw_server(handle):
    """A loopback TCP server that gives each connection to `handle(conn, stop)` in a thread of its
    own; `stop` is set when the test is over, so a handler that drips or never ends stops then.
    Yields the base URL."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def serve_one(conn: socket.socket) -> None:
        # OSError: the client gave up, which is what these servers are for
        with conn, suppress(OSError):
            handle(conn, stop)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=serve_one, args=(conn,), daemon=True)
            workers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for worker in workers:
            worker.join(5)


# ---------------------------------------------------------------------------- Virtuoso
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ServerThreads = 10
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 5
MaxClientConnections = 5

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def virtuoso_programs() -> tuple[str, str] | None:
    """virtuoso-t and isql-vt from Debian's virtuoso-opensource-7-bin, or None."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


class Virtuoso:
    """A fresh Virtuoso database in `folder`, its HTTP and SQL ports on 127.0.0.1 only, run in
    the foreground. Starting returns at once (the database takes ~30 s to create); `ready()`
    waits for it and sets the dba account's password through the SQL port (a fresh database
    has dba/dba), then gives the HTTP base URL. `stop()` ends it by its process id."""

    def __init__(self, folder: Path, password: str):
        programs = virtuoso_programs()
        assert programs is not None
        server, self._isql = programs
        http_port, self._sql_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(folder=folder, sql_port=self._sql_port, http_port=http_port)
        )
        self.base = f"http://127.0.0.1:{http_port}"
        self._password = password
        self._ready = False
        self._server = Server(
            [server, "+configfile", str(ini), "+foreground"],
            f"{self.base}/sparql?query=ASK%7B%7D",
            log=folder / "console.log",
            cwd=folder,
        )

    def ready(self, wait: float = 180.0) -> str:
        if not self._ready:
            self._server.wait(wait)
            subprocess.run(
                [
                    self._isql,
                    f"127.0.0.1:{self._sql_port}",
                    "dba",
                    "dba",
                    f"exec=USER_SET_PASSWORD('dba', '{self._password}');",
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
            self._ready = True
        return self.base

    def stop(self) -> None:
        self._server.stop()


@contextmanager
def virtuoso(folder: Path, password: str):
    """A fresh Virtuoso (see `Virtuoso`), ready; yields its HTTP base URL, stopped afterwards."""
    server = Virtuoso(folder, password)
    try:
        yield server.ready()
    finally:
        server.stop()
