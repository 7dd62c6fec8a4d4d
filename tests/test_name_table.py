"""The names a parameter may take, remembered beside the cached store: a name in a new process is
looked up in that table instead of by a query, with the same candidates, so the same answers and
the same errors (one resolver, mkgraph.store.lookup.choose)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from servers import verdicts_only_cache

from mkgraph.api import KnowledgeGraph
from mkgraph.core.errors import AmbiguousNameError, UnknownNameError
from mkgraph.store import cache, lookup

FIASCO = Path(__file__).parent / "fixtures" / "names" / "fiasco.ttl"


@pytest.fixture
def root(small_root, tmp_path, monkeypatch):
    """A small root with two systems called Fiasco, and an empty cache folder of its own."""
    shutil.copy(FIASCO, small_root / "data" / FIASCO.name)
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(verdicts_only_cache(tmp_path / "cache")))
    assert len(KnowledgeGraph(small_root).store) > 0  # the cached store, as `mkgraph` writes it
    return small_root


def _no_query(monkeypatch):
    def refuse(store, kind):
        raise AssertionError("the names were looked up by a query")

    monkeypatch.setattr(lookup, "store_candidates", refuse)


@pytest.mark.parametrize("kind", [*lookup.KIND_CLASSES, "any"])
def test_the_table_is_what_the_query_finds(root, kind, monkeypatch):
    first = KnowledgeGraph(root)
    expected = lookup.store_candidates(first.store, kind)
    assert first._store_candidates(kind) == expected
    _no_query(monkeypatch)  # a new process: read from the table
    assert KnowledgeGraph(root)._store_candidates(kind) == expected


def test_answers_and_errors_are_the_same_from_the_table(root, monkeypatch):
    def outcomes(kg):
        found = []
        for name in ("Fiasco", "fiasco.oc", "L4/Fiasco", "sys:fiasco", "Fiasko", "nothing"):
            try:
                found.append(
                    [tuple(map(str, r)) for r in kg.query("descendants", {"of": name}).rows]
                )
            except (AmbiguousNameError, UnknownNameError) as error:
                found.append((type(error).__name__, str(error)))
        return found

    by_query = outcomes(KnowledgeGraph(root))  # writes the table
    assert by_query[0][:1] == ("AmbiguousNameError",)
    _no_query(monkeypatch)
    assert outcomes(KnowledgeGraph(root)) == by_query


def test_a_damaged_table_is_computed_again(root):
    kg = KnowledgeGraph(root)
    expected = kg._store_candidates("system")
    (table,) = (cache.cache_folder()).glob("store-*/mkgraph-names-system-*")
    whole = table.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"\xff" + whole, whole.replace(b"\n", b"\n\\", 1)):
        table.write_bytes(damaged)
        assert KnowledgeGraph(root)._store_candidates("system") == expected
        assert table.read_bytes() == whole


def test_without_a_cached_store_nothing_is_written(small_root, tmp_path, monkeypatch):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", "")
    kg = KnowledgeGraph(small_root)
    assert kg._store_candidates("system") == lookup.store_candidates(kg.store, "system")


@pytest.mark.parametrize(
    "names",
    [["plain"], [], ["tab\there", "new\nline", "back\\slash", "\\t", "line\u2028sep", "", "\r"]],
)
def test_any_name_is_written_and_read_back(names):
    table = {"https://w3id.org/mkgraph/system/x": names, "https://example.org/y": ["y"]}
    assert cache._read_names(cache._written_names(table)) == table
