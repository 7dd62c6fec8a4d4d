"""`mkgraph serve` cannot be locked out or frozen: idle and slow connections are cut off without
turning real clients away, concurrent clients queue fairly and are shed only past the stated bound,
hostile text never stalls other clients, a memory-hungry query stops at the memory limit, and the
temporary store never outlives the server. Every server runs on loopback; every wait is bounded."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from servers import (
    environment,
    free_port,
    http_client,
    mkgraph_command,
    request,
    running,
    verdicts_only_cache,
    warm_environment,
)

# One worker runs this whole module (pytest-xdist's --dist loadfile): the server starts once.

TIMEOUT = 3.0  # the server's query time limit
REQUEST_TIMEOUT = 3.0  # the server's deadline for a request to arrive whole (generous: a loaded
# machine may not schedule a client between its connect and its send for a second)
MAX_MEMORY = 300  # MB per query worker
MEMORY_TEST_TIMEOUT = 120.0  # the time limit of the server that must stop a query for memory
QUICK = "/queries/descendants?format=csv"
# An ORDER BY over a cartesian product: it needs memory without bound, ~0.5 GB/s.
HUNGRY = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a"
# Holds a worker until the time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ORDINARY = "SELECT ?name WHERE { ?s a mk:ListedProject ; rdfs:label ?name }"
# Quadratic for a refusal check built on a regular expression of strings (~20 s for 45 KB).
HOSTILE = ('"a\\' * 20_000)[:60_000]


# The servers serve the fixture root (tests/fixtures/root): each start copies a quarter of the
# bundled graph into its temporary store, and no limit here depends on the data.
@pytest.fixture(scope="module")
def root(fixture_kg) -> Path:
    return fixture_kg.resources.root


@pytest.fixture(scope="module")
def warm(fixture_kg):
    """`warm_environment` for the fixture root: its store and checks in this worker's cache."""
    return lambda **extra: warm_environment(fixture_kg, **extra)


def _serve_command(root: Path, port: int, *extra: str) -> list[str]:
    return mkgraph_command("--root", str(root), "serve", "--port", str(port), *extra)


def _server(root: Path, env: dict, timeout: float):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = _serve_command(
        root,
        port,
        "--workers",
        "2",
        "--timeout",
        str(timeout),
        "--max-memory",
        str(MAX_MEMORY),
        "--request-timeout",
        str(REQUEST_TIMEOUT),
    )
    return running(command, f"{base}/queries", env), base


@pytest.fixture(scope="module")
def endpoint(root, warm):
    server, base = _server(root, warm(), TIMEOUT)
    with server:
        yield base


@pytest.fixture(scope="module")
def roomy_endpoint(root, warm):
    """A server whose time limit is far off, so that only the memory limit can stop a query: on
    a loaded machine the hungry query once reached the 3 s limit before 300 MB."""
    server, base = _server(root, warm(), MEMORY_TEST_TIMEOUT)
    with server:
        yield base


def _quick(base: str) -> float:
    started = time.perf_counter()
    response = request("GET", base + QUICK, timeout=60)
    assert response.status_code == 200, response.text
    return time.perf_counter() - started


def _closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing the connection, or None if it was still open."""
    sock.settimeout(0.2)
    received = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    return None


def test_idle_connections_do_not_turn_clients_away_and_are_closed(endpoint):
    port = int(endpoint.rsplit(":", 1)[1])
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(70)]
    try:
        for _ in range(3):
            assert request("GET", endpoint + QUICK, timeout=30).status_code == 200
        for sock in idle:  # never sent a byte: closed silently at the request deadline
            assert _closed_within(sock, REQUEST_TIMEOUT + 10) == b""
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.parametrize(
    "head, drip",
    [
        (b"", b"GET /queries HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: 1\r\n" * 10),
        (
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 200\r\n\r\n",
            b"SELECT * WHERE { ?s ?p ?o } LIMIT 1 " * 5,
        ),
        (  # a whole request, then a pipelined one that stops half-way through its body
            b"GET /queries HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 200\r\n\r\nSELECT",
            b"",
        ),
    ],
    ids=["headers", "body", "pipelined"],
)
def test_a_client_that_drips_its_request_is_cut_off_with_408(endpoint, head, drip):
    port = int(endpoint.rsplit(":", 1)[1])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head)
        try:
            for byte in drip:  # a byte every 0.1 s: the whole would take seconds
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = _closed_within(sock, REQUEST_TIMEOUT + 10)
    assert received is not None, "the connection was never closed"
    assert received.count(b"HTTP/1.1 408 ") == 1
    assert received.startswith(b"HTTP/1.1 200 " if b"GET" in head else b"HTTP/1.1 408 ")
    assert received.rstrip().endswith(
        f"did not arrive within this server's limit of {REQUEST_TIMEOUT:g} s".encode()
    )
    assert time.monotonic() - started < REQUEST_TIMEOUT + 10
    assert request("GET", endpoint + QUICK, timeout=30).status_code == 200


def test_65_concurrent_clients_all_wait_their_turn_and_are_served(endpoint):
    clients = 65
    start, finish = threading.Barrier(clients), threading.Barrier(clients)
    statuses: list[int] = []

    def client():
        with http_client(timeout=120) as http:  # each holds its connection open to the end
            start.wait(30)
            statuses.append(http.post(f"{endpoint}/sparql", data={"query": ORDINARY}).status_code)
            finish.wait(120)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(150)
    assert statuses == [200] * clients


def test_hostile_text_does_not_slow_other_clients(endpoint):
    for _ in range(2):
        _quick(endpoint)  # warm
    quiet = statistics.median(_quick(endpoint) for _ in range(5))
    outcome: list[httpx.Response] = []

    def attack():
        outcome.append(
            request(
                "POST",
                f"{endpoint}/sparql",
                content=HOSTILE.encode(),
                headers={"Content-Type": "application/sparql-query"},
                timeout=TIMEOUT + 60,
            )
        )

    attacker = threading.Thread(target=attack)
    attacker.start()
    time.sleep(0.3)  # its text is being checked now
    loaded = [_quick(endpoint) for _ in range(5)]
    attacker.join(TIMEOUT + 60)
    bound = 5 * quiet + 1.0
    assert max(loaded) < bound, f"quiet {quiet:.3f} s, while attacked {loaded}"
    (response,) = outcome
    assert response.status_code in (400, 503)  # refused, or stopped at the time limit
    assert len(response.text.strip().splitlines()) == 1


def test_a_memory_hungry_query_stops_at_the_limit_and_the_worker_is_replaced(roomy_endpoint):
    started = time.monotonic()
    response = request(
        "POST", f"{roomy_endpoint}/sparql", data={"query": HUNGRY}, timeout=MEMORY_TEST_TIMEOUT
    )
    assert response.status_code == 503
    assert response.text == (
        f"the query needed more memory than this server's limit of {MAX_MEMORY} MB "
        "per query and was stopped\n"
    )
    assert time.monotonic() - started < MEMORY_TEST_TIMEOUT
    for _ in range(4):  # both workers answer: the stopped one was replaced
        _quick(roomy_endpoint)


def test_a_query_that_crashes_its_worker_gets_one_line_and_the_worker_is_replaced(endpoint):
    # Nesting this deep overflows the stack of Oxigraph's parser (SIGSEGV), unless a check
    # before parsing refuses it (400): either way one line, no hang, and the next query works.
    deep = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
    response = request("POST", f"{endpoint}/sparql", data={"query": deep}, timeout=TIMEOUT + 30)
    assert response.status_code in (400, 500)
    assert len(response.text.strip().splitlines()) == 1
    if response.status_code == 500:
        assert response.text == "the query worker crashed (SIGSEGV) and was replaced\n"
    for _ in range(4):
        _quick(endpoint)


def test_past_the_bounds_idle_connections_make_room_and_requests_are_shed(root, warm):
    from mkgraph.web.server import MAX_CONNECTIONS

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = _serve_command(
        root,
        port,
        "--workers",
        "1",
        "--max-queue",
        "2",
        "--timeout",
        "4",
        "--request-timeout",
        "60",
    )
    with running(command, f"{base}/queries", warm()):
        # More idle connections than the cap, each long within its deadline: the oldest make room.
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(MAX_CONNECTIONS + 8)]
        try:
            assert request("GET", base + QUICK, timeout=30).status_code == 200
            assert _closed_within(idle[0], 10) == b""
            assert _closed_within(idle[-1], 0.5) is None  # the newest are still open
        finally:
            for sock in idle:
                sock.close()

        results: dict[str, httpx.Response] = {}

        def send(name: str, query: str) -> threading.Thread:
            def go():
                results[name] = request("POST", f"{base}/sparql", data={"query": query}, timeout=60)

            thread = threading.Thread(target=go)
            thread.start()
            return thread

        threads = [send("slow", SLOW)]
        time.sleep(1)  # the slow query holds the only worker for 4 s
        threads += [send("queued-1", "ASK { ?s ?p ?o }"), send("queued-2", "ASK { ?s ?p ?o }")]
        time.sleep(1)
        shed = request("POST", f"{base}/sparql", data={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        for thread in threads:
            thread.join(60)
    assert shed.status_code == 503
    assert int(shed.headers["retry-after"]) >= 1
    assert shed.text.startswith("the server is busy: 2 queries are waiting")
    assert len(shed.text.strip().splitlines()) == 1
    assert results["slow"].status_code == 503 and "longer than" in results["slow"].text
    assert results["queued-1"].status_code == results["queued-2"].status_code == 200


def _serve_folders(parent: Path) -> list[Path]:
    return sorted(parent.glob("mkgraph-serve-*"))


def _start(root: Path, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        _serve_command(root, port, "--workers", "1"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            if request("GET", f"http://127.0.0.1:{port}/queries", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def test_signals_remove_the_store_and_a_killed_servers_store_is_pruned(tmp_path, root, warm):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = warm(TMPDIR=str(temp))
    killed = _start(root, free_port(), env)
    killed.kill()  # SIGKILL: no chance to clean up
    killed.wait(10)
    (left,) = _serve_folders(temp)
    for stop in (signal.SIGINT, signal.SIGTERM):
        server = _start(root, free_port(), env)
        assert left not in _serve_folders(temp)  # pruned: its owner is gone
        assert len(_serve_folders(temp)) == 1
        server.send_signal(stop)
        assert server.wait(20) == 0
        assert server.stderr.read() == b""
        assert _serve_folders(temp) == []


def test_only_folders_nobody_holds_are_pruned(tmp_path):
    import fcntl

    from mkgraph.store import cache
    from mkgraph.web import server

    def folder(name: str, *files: str, age: float = 0.0) -> Path:
        path = tmp_path / name
        path.mkdir()
        for file in files:
            (path / file).touch()
        if age:
            os.utime(path, (time.time() - age, time.time() - age))
        return path

    dead = folder("mkgraph-serve-dead", "lock", "store")
    half_started = folder("mkgraph-serve-half", ".lock-new")
    never_locked = folder("mkgraph-serve-empty", age=120)  # killed between mkdtemp and lock
    folder("mkgraph-serve-young")  # empty but new: being created right now
    folder("mkgraph-serve-older-version", "store", age=10 * 86400)  # no lock: not ours to judge
    folder("unrelated", "lock")
    live = folder("mkgraph-serve-live", "lock", "store")
    holder = os.open(live / "lock", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        assert sorted(server.prune_stale_folders(str(tmp_path))) == sorted(
            [dead, half_started, never_locked]
        )
    finally:
        os.close(holder)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mkgraph-serve-live",
        "mkgraph-serve-older-version",
        "mkgraph-serve-young",
        "unrelated",
    ]

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    cached = tmp_path / "cache"
    cached.mkdir()
    for name in (f".store-abc.{gone.pid}", f".store-def.{os.getpid()}", "store-ghi", ".store-x.y"):
        (cached / name).mkdir()
    assert cache.prune_unfinished(cached) == [cached / f".store-abc.{gone.pid}"]
    assert sorted(p.name for p in cached.iterdir()) == [
        f".store-def.{os.getpid()}",
        ".store-x.y",
        "store-ghi",
    ]


def test_the_next_start_prunes_what_a_killed_load_left(tmp_path, monkeypatch, invoke, root):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(tmp_path))
    query = ("--root", str(root), "query", "l4-family", "-f", "csv")
    assert invoke(*query).exit_code == 0  # cold: builds the store
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    left = tmp_path / f".store-0123.{gone.pid}"
    (left / "half").mkdir(parents=True)
    result = invoke(*query)  # warm: opens the store built above
    assert result.exit_code == 0
    assert not left.exists()


def test_sigterm_while_starting_leaves_nothing(tmp_path, root):
    temp = tmp_path / "tmp"
    temp.mkdir()
    cache = verdicts_only_cache(tmp_path / "cache")  # no store: it is built as the signal comes
    env = environment(TMPDIR=str(temp), MKGRAPH_CACHE_DIR=str(cache))
    server = subprocess.Popen(
        _serve_command(root, free_port(), "--workers", "2"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not _serve_folders(temp) and server.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    server.send_signal(signal.SIGTERM)  # its store is being built, or its workers started
    assert server.wait(30) == 0
    assert server.stderr.read() == b""
    assert _serve_folders(temp) == []
