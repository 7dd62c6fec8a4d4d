"""The cold query path: a stored query from the command line, with the cache present, loads only
what answering it needs (figures in the README's Performance section)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from servers import warm_environment

from mkgraph.core import resources

# Libraries and mkgraph modules a query never needs: the other engine and the validators, the
# server stack, the packaged copy's look-up, the loader that runs only when the cache misses.
NOT_ON_THE_QUERY_PATH = (
    "rdflib",
    "pyshacl",
    "pyrudof",
    "owlrl",
    "starlette",
    "uvicorn",
    "httpx",
    "importlib.resources",
    "mkgraph.checks",
    "mkgraph.store.fastload",
    "mkgraph.store.graph",
    "mkgraph.store.engine",
    "mkgraph.web",
    "mkgraph.views",
)


def _loaded_by(args: list[str]) -> list[str]:
    """The modules a `mkgraph ARGS` process has loaded, run twice on the worker's warm cache
    (the loaded bundled graph and the stored queries' checks, `warm_environment`): the first run
    writes whatever else a query keeps, the second is the everyday cold query."""
    code = (
        f"import sys, runpy; sys.argv = ['mkgraph', *{args!r}]\n"
        "try:\n    runpy.run_module('mkgraph', run_name='__main__')\nexcept SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('LOADED', sorted(m for m in sys.modules))"
    )
    env = warm_environment()
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
    again = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    line = next(x for x in again.stdout.splitlines() if x.startswith("LOADED "))
    return eval(line[len("LOADED ") :])  # a list of module names printed by repr


@pytest.mark.parametrize(
    "args",
    [
        ["query", "descendants", "-p", "of=seL4", "-f", "csv"],
        ["query", "by-language", "-p", "language=Rust"],
        ["sparql", "SELECT ?s WHERE { ?s a mk:System } LIMIT 1", "-f", "json"],
    ],
    ids=["descendants-csv", "by-language-table", "sparql-json"],
)
def test_a_query_loads_nothing_it_does_not_use(args):
    loaded = _loaded_by(args)
    unwanted = [
        m
        for m in loaded
        if any(m == name or m.startswith(name + ".") for name in NOT_ON_THE_QUERY_PATH)
    ]
    assert unwanted == []
    assert "pyoxigraph" in loaded  # it did answer, on Oxigraph


def test_inside_a_checkout_the_packaged_copy_is_not_looked_for(monkeypatch, tmp_path):
    """The packaged copy's look-up (importlib.resources) runs only when no checkout is found."""
    looked = []
    monkeypatch.setattr(resources, "_packaged_root", lambda: looked.append(1))
    found = resources.locate()
    assert found.origin in ("working-directory", "package-checkout")
    assert looked == []


# ---------------------------------------------------------------- the check's verdict remembered

LONG = "SELECT ?s WHERE { ?s ?p ?o }\n" + "# a long comment that makes the text long\n" * 60


@pytest.fixture
def fresh_check(monkeypatch, tmp_path):
    """An empty cache folder, and the process's own memory of passed texts forgotten."""
    from mkgraph.store import querycheck

    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(querycheck, "_PASSED", {})
    return querycheck


def _reading_forbidden(querycheck, monkeypatch):
    def read(*args):
        raise AssertionError("the text was read again")

    monkeypatch.setattr(querycheck, "_refuse_if_outside", read)


def test_a_long_text_that_passed_is_not_read_again_by_another_process(fresh_check, monkeypatch):
    querycheck = fresh_check
    assert len(LONG) >= querycheck.REMEMBER_FROM
    querycheck.check(LONG, "q.rq")
    monkeypatch.setattr(querycheck, "_PASSED", {})  # as a new process starts
    _reading_forbidden(querycheck, monkeypatch)
    querycheck.check(LONG, "q.rq")
    with pytest.raises(AssertionError, match="read again"):  # another text, or other endpoints
        querycheck.check(LONG + "#", "q.rq")
    with pytest.raises(AssertionError, match="read again"):
        querycheck.check(LONG, "q.rq", allow_service=("http://127.0.0.1:9/sparql",))


def test_a_refused_or_short_text_is_never_remembered(fresh_check, tmp_path):
    from mkgraph.core.errors import QueryError

    querycheck = fresh_check
    refused = LONG.replace("?s ?p ?o", "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }")
    for _ in range(2):
        with pytest.raises(QueryError, match="SERVICE"):
            querycheck.check(refused, "q.rq")
    querycheck.check("ASK {}", "q.rq")
    assert list((tmp_path / "checked-texts").glob("*")) == []
    querycheck.check(LONG, "q.rq")
    assert len(list((tmp_path / "checked-texts").iterdir())) == 1


def test_without_a_cache_folder_nothing_is_remembered(fresh_check, monkeypatch, tmp_path):
    querycheck = fresh_check
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", "")
    querycheck.check(LONG, "q.rq")
    monkeypatch.setattr(querycheck, "_PASSED", {})
    _reading_forbidden(querycheck, monkeypatch)
    with pytest.raises(AssertionError, match="read again"):
        querycheck.check(LONG, "q.rq")
    assert list(tmp_path.iterdir()) == []


def test_the_plain_query_leaves_out_what_costs_more_than_it_gives():
    """The installed `mkgraph` command's plain query (not runpy's `python -m`, which imports
    contextlib itself) imports neither shutil (the table's width is read from os) with its archive
    formats, nor contextlib, nor json (the remembered name table is plain text)."""
    code = (
        "import sys\nfrom mkgraph.__main__ import run\n"
        "try:\n    run(['query', 'descendants', '-p', 'of=seL4'])\nexcept SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('LOADED', sorted(sys.modules))"
    )
    env = warm_environment()
    for _ in range(2):  # the second run finds the cached store and its name table
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
    line = next(x for x in done.stdout.splitlines() if x.startswith("LOADED "))
    loaded = eval(line[len("LOADED ") :])
    assert "pyoxigraph" in loaded and "mkgraph.store.lookup" in loaded  # it did look a name up
    assert [m for m in ("shutil", "bz2", "lzma", "contextlib", "json") if m in loaded] == []
