"""The cache of loaded graphs: keyed by content, never stale, and harmless when broken."""

from __future__ import annotations

import os
import shutil
import string
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from servers import verdicts_only_cache

from mkgraph.api import KnowledgeGraph
from mkgraph.core import sourcetext
from mkgraph.core.sourcetext import read_sources
from mkgraph.store import cache, fastload


def _answer(root) -> set[str]:
    result = KnowledgeGraph(root, engine="oxigraph").query("descendants", {"of": "seL4"})
    return {str(row[0]) for row in result.rows}


def test_a_changed_source_file_is_never_served_stale(fixture_root, tmp_path, monkeypatch):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(verdicts_only_cache(tmp_path / "cache")))
    assert "Helios" in _answer(fixture_root)
    assert len(list((tmp_path / "cache").glob("store-*"))) == 1
    assert "Helios" in _answer(fixture_root)  # now from the cache
    helios = fixture_root / "data" / "systems" / "helios.trig"
    text = helios.read_text(encoding="utf-8")
    helios.write_text(
        text.replace("mk:inspiredBy sys:sel4", "mk:inspiredBy sys:nova"), encoding="utf-8"
    )
    assert "Helios" not in _answer(fixture_root)
    assert len(list((tmp_path / "cache").glob("store-*"))) == 2
    (fixture_root / "data" / "projects" / "tock.trig").unlink()  # a removed file too
    files = KnowledgeGraph(fixture_root).resources.graph_files()
    assert cache.open_store(read_sources(files)) is None


def test_a_corrupt_cache_falls_back_to_a_fresh_load(fixture_root, tmp_path, monkeypatch):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(verdicts_only_cache(tmp_path / "cache")))
    expected = _answer(fixture_root)
    (entry,) = (tmp_path / "cache").glob("store-*")
    triples = int((entry / "mkgraph-triples").read_text(encoding="ascii"))
    for damage in ("count", "missing count", "garbage"):
        if damage == "count":
            (entry / "mkgraph-triples").write_text("12", encoding="ascii")
        elif damage == "missing count":
            (entry / "mkgraph-triples").unlink()
        else:
            shutil.rmtree(entry)
            entry.mkdir()
            (entry / "CURRENT").write_text("not a database", encoding="ascii")
            (entry / "mkgraph-triples").write_text("9000", encoding="ascii")
        assert _answer(fixture_root) == expected
        (rebuilt,) = (tmp_path / "cache").glob("store-*")
        assert int((rebuilt / "mkgraph-triples").read_text(encoding="ascii")) == triples > 2000


def test_an_unwritable_cache_is_skipped(fixture_root, tmp_path, monkeypatch, invoke):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(blocked / "cache"))
    result = invoke("--root", str(fixture_root), "query", "ancestors", "-p", "of=Ares", "-f", "csv")
    assert result.exit_code == 0
    assert result.output.splitlines()[1].startswith("Helios,1,")


def test_cache_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", "")
    assert cache.cache_folder() is None
    monkeypatch.delenv("MKGRAPH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert str(cache.cache_folder()) == os.path.join("/somewhere", "mkgraph")


def test_the_hot_path_imports_no_heavy_library():
    import subprocess
    import sys

    from servers import warm_environment

    code = (
        "import sys, runpy; sys.argv = ['mkgraph', 'query', 'descendants', '-f', 'csv'];\n"
        "try:\n    runpy.run_module('mkgraph', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('rdflib', 'pyshacl', 'owlrl') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    # the session's cache, filled with the bundled graph and the stored queries' checks
    warm = subprocess.run(
        [sys.executable, "-c", code],
        env=warm_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "HEAVY []" in warm.stdout  # with the cache warm, nothing heavy is imported


@pytest.mark.parametrize(
    "args, unwanted",
    [
        (
            ["query", "descendants"],
            ("rdflib", "pyshacl", "owlrl", "pyrudof", "starlette", "uvicorn", "httpx"),
        ),
        (["validate"], ("rdflib", "pyshacl", "owlrl", "starlette", "uvicorn", "httpx")),
        (["export", "-f", "ntriples"], ("pyshacl", "owlrl", "pyrudof", "starlette", "uvicorn")),
    ],
    ids=["query", "validate", "export"],
)
def test_commands_import_only_what_they_use(args, unwanted):
    """pySHACL and owlrl only for --validator pyshacl / --reasoner owlrl, the server stack only
    for serve, HTTP only for --endpoint and publish (checked with the cache warm: the session's,
    filled with the bundled graph and the stored queries' checks, as a first run fills it)."""
    import subprocess
    import sys

    from servers import warm_environment

    code = (
        f"import sys, runpy; sys.argv = ['mkgraph', *{args!r}]\n"
        "try:\n    runpy.run_module('mkgraph', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {unwanted!r} if m in sys.modules])"
    )
    again = subprocess.run(
        [sys.executable, "-c", code],
        env=warm_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "LOADED []" in again.stdout, again.stdout[-500:]


LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABELS = st.lists(
    st.text(string.ascii_letters, min_size=1, max_size=6), min_size=1, max_size=4, unique=True
)


def _turtle(labels: list[str]) -> str:
    return "".join(f'<https://example.org/{name}> <{LABEL}> "{name}" .\n' for name in labels)


def _labels(kg: KnowledgeGraph) -> set[str]:
    query = (
        f"SELECT ?l WHERE {{ ?s <{LABEL}> ?l FILTER STRSTARTS(STR(?s), 'https://example.org/') }}"
    )
    return {solution["l"].value for solution in kg.store.query(query)}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    files=st.lists(LABELS, min_size=1, max_size=3),
    which=st.integers(0, 2),
    new=LABELS,
    moment=st.integers(0, 8),
)
def test_a_change_during_a_cold_load_is_never_served_stale(
    files, which, new, moment, tmp_path_factory, bundled
):
    """Whatever moment a file changes at during a cold load (before or after any file is read,
    after parsing, before or after the store is saved), every later load answers from the files
    as they are now."""
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(bundled.ontology, root / "ontology")
    for name in ("data", "shapes", "queries"):
        (root / name).mkdir()
    paths = [root / "data" / f"f{index}.ttl" for index in range(len(files))]
    for path, labels in zip(paths, files, strict=True):
        path.write_text(_turtle(labels), encoding="utf-8")
    changed = paths[which % len(paths)]
    events = {"count": 0}

    def moment_passes():
        if events["count"] == moment:
            changed.write_text(_turtle(new), encoding="utf-8")
        events["count"] += 1

    def hooked(real):
        def wrapper(*args, **kwargs):
            moment_passes()
            result = real(*args, **kwargs)
            moment_passes()
            return result

        return wrapper

    cache_folder = tmp_path_factory.mktemp("cache")
    with (
        mock.patch.dict(os.environ, {"MKGRAPH_CACHE_DIR": str(cache_folder)}),
        mock.patch.object(sourcetext, "read_bytes", hooked(sourcetext.read_bytes)),
        mock.patch.object(fastload, "load_store", hooked(fastload.load_store)),
        mock.patch.object(cache, "save_store", hooked(cache.save_store)),
    ):
        first = _labels(KnowledgeGraph(root))
    assert first <= {name for labels in files for name in labels} | set(new)
    if events["count"] <= moment:  # the moment came after the load: the change comes now
        changed.write_text(_turtle(new), encoding="utf-8")
    now = {name for path in paths for name in path.read_text(encoding="utf-8").split('"')[1::2]}
    with mock.patch.dict(os.environ, {"MKGRAPH_CACHE_DIR": str(cache_folder)}):
        assert _labels(KnowledgeGraph(root)) == now  # from the cache, or loaded afresh
        assert _labels(KnowledgeGraph(root)) == now  # and again, from the cache
