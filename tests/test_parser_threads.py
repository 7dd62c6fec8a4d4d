"""rdflib's SPARQL parser (pyparsing) is not thread-safe: threads that parse at once on a fresh
process can break its parse actions for good, after which every parse fails. mkgraph parses in
threads (serve's request workers, the time limits), so every rdflib parse holds one lock. Found
as setup errors: `mkgraph serve` answered its first, concurrent /queries requests with 500
forever, and the tests that start it never saw it ready."""

from __future__ import annotations

import concurrent.futures
import shutil
import subprocess
import sys

from servers import environment, free_port, http_client, mkgraph_command, running, warm_environment

from mkgraph.core.resources import ROOT_ENV, locate

# In a fresh process (the grammar not yet used): 4 threads check the parameters of the stored
# queries with parameters (rdflib's parseQuery, nothing cached) or prepare them (prepareQuery), all at once; then
# one thread parses them all again. The four by-*.rq queries are enough: without the lock every
# run of this breaks the parser (19 or 20 errors in 20 parses); descendants.rq, whose six-level
# UNION takes rdflib 1.2 s a parse, added 6 s of CPU and no power.
CONCURRENT_PARSES = r"""
import sys, threading
from mkgraph.store import engine, queries
from mkgraph.core.resources import locate
paths = sorted(locate().queries.glob("by-*.rq"))
errors = []
start = threading.Barrier(4)

def work(n):
    start.wait()
    for path in paths if n % 2 else reversed(paths):
        try:
            if n % 2:
                queries.parse_stored_query(path)
            else:
                engine.prepare(path.read_text(encoding="utf-8"), str(path))
        except Exception as exc:
            errors.append(f"{path.name}: {exc}")

threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
for path in paths:
    try:
        engine.prepare(path.read_text(encoding="utf-8"), str(path))
    except Exception as exc:
        errors.append(f"afterwards {path.name}: {exc}")
print(len(paths), "queries;", len(errors), "errors")
print("\n".join(errors[:5]))
"""


def test_threads_parsing_at_once_break_nothing(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_PARSES],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment(MKGRAPH_CACHE_DIR=str(tmp_path)),  # no remembered verdicts
    )
    assert done.returncode == 0, done.stderr
    count = int(done.stdout.split()[0])
    assert count >= 4
    assert done.stdout.startswith(f"{count} queries; 0 errors"), done.stdout


def test_a_fresh_server_answers_concurrent_first_requests(tmp_path):
    """The first requests that list the stored queries come at once, no verdict remembered (the
    loaded graph is: a copy of the session's cache without its checked queries). The server's
    root is the bundled graph with only the by-*.rq queries, as above (parsing all 29 cost the
    first requests 8 s of CPU)."""
    cache = tmp_path / "cache"
    shutil.copytree(
        warm_environment()["MKGRAPH_CACHE_DIR"],
        cache,
        ignore=shutil.ignore_patterns("checked-queries"),
    )
    root = tmp_path / "root"
    bundled = locate()
    for name in ("ontology", "data", "shapes"):
        shutil.copytree(bundled.root / name, root / name)
    (root / "queries").mkdir()
    for query in bundled.queries.glob("by-*.rq"):
        shutil.copy(query, root / "queries")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = mkgraph_command("serve", "--port", str(port), "--workers", "1")
    env = environment(MKGRAPH_CACHE_DIR=str(cache), **{ROOT_ENV: str(root)})
    # ready when a query answers: that path parses with Oxigraph, so /queries is still fresh
    with (
        running(command, f"{base}/sparql?query=ASK%7B%7D", env),
        http_client(timeout=120) as client,
    ):
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: client.get(f"{base}/queries"), range(4)))
        assert [s.status_code for s in statuses] == [200] * 4, statuses[0].text[:300]
        again = client.get(f"{base}/queries")
        assert again.status_code == 200
        assert "by-organisation" in again.text
