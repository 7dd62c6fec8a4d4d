"""The cache of loaded graphs: keyed by content, never stale, and harmless when broken."""

from __future__ import annotations

import os
import shutil

import pytest

from mkgraph import cache
from mkgraph.api import KnowledgeGraph


def _answer(root) -> set[str]:
    result = KnowledgeGraph(root, engine="oxigraph").query("descendants", {"of": "seL4"})
    return {str(row[0]) for row in result.rows}


def test_a_changed_source_file_is_never_served_stale(scratch_root, tmp_path, monkeypatch):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    assert "Robigalia" in _answer(scratch_root)
    assert len(list((tmp_path / "cache").glob("store-*"))) == 1
    assert "Robigalia" in _answer(scratch_root)  # now from the cache
    robigalia = next((scratch_root / "data" / "projects").glob("robigalia.*"))  # .ttl or .trig
    text = robigalia.read_text(encoding="utf-8")
    robigalia.write_text(
        text.replace("mk:basedOn sys:sel4", "mk:basedOn sys:nova").replace(
            "rdf:object sys:sel4 ;\n    rdf:predicate mk:basedOn",
            "rdf:object sys:nova ;\n    rdf:predicate mk:basedOn",
        ),
        encoding="utf-8",
    )
    assert "Robigalia" not in _answer(scratch_root)
    assert len(list((tmp_path / "cache").glob("store-*"))) == 2
    next((scratch_root / "data" / "projects").glob("tock.*")).unlink()  # a removed file too
    files = KnowledgeGraph(scratch_root).resources.graph_files()
    assert cache.open_store(files) is None


def test_a_corrupt_cache_falls_back_to_a_fresh_load(scratch_root, tmp_path, monkeypatch):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    expected = _answer(scratch_root)
    (entry,) = (tmp_path / "cache").glob("store-*")
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
        assert _answer(scratch_root) == expected
        (rebuilt,) = (tmp_path / "cache").glob("store-*")
        assert int((rebuilt / "mkgraph-triples").read_text(encoding="ascii")) > 8000


def test_an_unwritable_cache_is_skipped(scratch_root, tmp_path, monkeypatch, invoke):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(blocked / "cache"))
    result = invoke("--root", str(scratch_root), "query", "ancestors", "-p", "of=Ares", "-f", "csv")
    assert result.exit_code == 0
    assert result.output.splitlines()[1].startswith("Helios,1,")


def test_cache_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", "")
    assert cache.cache_folder() is None
    monkeypatch.delenv("MKGRAPH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert str(cache.cache_folder()) == os.path.join("/somewhere", "mkgraph")


def test_the_hot_path_imports_no_heavy_library(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, runpy; sys.argv = ['mkgraph', 'query', 'descendants', '-f', 'csv'];\n"
        "try:\n    runpy.run_module('mkgraph', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('rdflib', 'pyshacl', 'owlrl') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    env = dict(os.environ, MKGRAPH_CACHE_DIR=str(tmp_path))
    subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    warm = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
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
def test_commands_import_only_what_they_use(args, unwanted, tmp_path):
    """pySHACL and owlrl only for --validator pyshacl / --reasoner owlrl, the server stack only
    for serve, HTTP only for --endpoint and publish (checked after a first run fills the cache)."""
    import subprocess
    import sys

    code = (
        f"import sys, runpy; sys.argv = ['mkgraph', *{args!r}]\n"
        "try:\n    runpy.run_module('mkgraph', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {unwanted!r} if m in sys.modules])"
    )
    env = dict(os.environ, MKGRAPH_CACHE_DIR=str(tmp_path))
    subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    again = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert "LOADED []" in again.stdout, again.stdout[-500:]
