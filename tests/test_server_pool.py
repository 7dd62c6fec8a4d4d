"""The query workers behind `mkgraph serve`, driven directly: a worker that crashes, runs out of
memory or passes the time limit is replaced, its caller gets one line, and the next query works."""

from __future__ import annotations

import os
import signal
import time

import pyoxigraph as ox
import pytest

from mkgraph.core.errors import QueryError
from mkgraph.web.querypool import MIN_MEMORY, QueryPool

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


def crashing_prepare(text: str, source: str) -> str:
    """Runs in the worker: the text "crash" makes it die as a segmentation fault would."""
    if text == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if text == "exit":
        os._exit(3)
    if text == "sleep":  # a query that takes a second, whatever the machine
        time.sleep(1)
        return "ASK {}"
    if text == "refuse":
        raise QueryError(f"{source}: SERVICE <http://127.0.0.1:9/> is refused")
    return text


@pytest.fixture(scope="module")
def location(tmp_path_factory):
    location = str(tmp_path_factory.mktemp("pool") / "store")
    store = ox.Store(location)
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode(f"urn:p{i % 7}"), ox.Literal(f"v{i}"))
        for i in range(300)
    )
    store.flush()
    del store
    return location


@pytest.fixture(scope="module")
def pool(location):
    workers = QueryPool(location, 1, 5.0, 1 << 20, MIN_MEMORY, crashing_prepare)
    yield workers
    workers.close()


@pytest.fixture(scope="module")
def short_pool(location):
    """Workers with a time limit of 2 s, for the query that must pass it: the worker computes
    until it is stopped (5 s of a core with `pool`'s limit)."""
    workers = QueryPool(location, 1, 2.0, 1 << 20, MIN_MEMORY, crashing_prepare)
    yield workers
    workers.close()


def _works(pool: QueryPool) -> None:
    answer = pool.run("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", JSON, TURTLE)
    assert answer.status == 200 and b'"300"' in answer.body


@pytest.mark.parametrize(
    "text, status, message",
    [
        ("crash", 500, "the query worker crashed (SIGSEGV) and was replaced"),
        ("exit", 500, "the query worker crashed (exit code 3) and was replaced"),
        (
            "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a",
            503,
            f"the query needed more memory than this server's limit of {MIN_MEMORY >> 20} MB "
            "per query and was stopped",
        ),
        (
            "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
            503,
            "the query ran longer than this server's limit of 2 s and was stopped",
        ),
    ],
    ids=["segfault", "exit", "memory", "time"],
)
def test_a_lost_worker_is_replaced_and_the_caller_gets_one_line(text, status, message, request):
    pool = request.getfixturevalue("short_pool" if "limit of 2 s" in message else "pool")
    _works(pool)
    answer = pool.run(text, JSON, TURTLE)
    assert (answer.status, answer.content_type, answer.body.decode()) == (
        status,
        "text/plain",
        message,
    )
    _works(pool)  # the only worker was replaced: the next query is answered


def test_a_worker_killed_while_idle_is_replaced_before_it_is_given_a_query(pool):
    (process,) = pool._all
    process.kill()
    process.join()
    _works(pool)
    assert pool._all and pool._all[0] is not process


def test_refusals_and_syntax_errors_are_400_and_the_worker_stays(pool):
    refused = pool.run("refuse", JSON, TURTLE)
    assert (refused.status, refused.body) == (
        400,
        b"query: SERVICE <http://127.0.0.1:9/> is refused",
    )
    broken = pool.run("SELECT * WHERE {", JSON, TURTLE)
    assert broken.status == 400
    assert broken.body.decode().startswith("the query is not valid SPARQL")
    _works(pool)


def test_a_query_whose_caller_leaves_still_gives_its_worker_back(pool):
    # On the event loop (the server's path) a request may be cancelled mid-query (the client left,
    # the server stops): the worker finishes or is replaced meanwhile, and the next query is answered.
    import asyncio

    async def leave_then_ask():
        task = asyncio.create_task(pool.run_async("sleep", JSON, TURTLE))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return await pool.run_async("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", JSON, TURTLE)

    answer = asyncio.run(leave_then_ask())
    assert answer.status == 200 and b'"300"' in answer.body


def test_a_worker_with_a_copy_in_memory_starts_under_the_least_memory_limit(tmp_path):
    # A small graph is copied into each worker's memory; the copy must fit the least limit that
    # --max-memory allows (Oxigraph's bulk loader alone asks for 200 MB at once: not that).
    location = str(tmp_path / "store")
    store = ox.Store(location)
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(f"v{i}"))
        for i in range(300)
    )
    store.flush()
    del store
    workers = QueryPool(location, 1, 5.0, 1 << 20, MIN_MEMORY, in_memory=True)
    try:
        _works(workers)
    finally:
        workers.close()
