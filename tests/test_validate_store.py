"""Validation parses the graph into memory and leaves the graph cache alone: reading rudof's input
and answering the violation queries from the cache's on-disk store was slower than parsing afresh,
and saving a changed graph cost a validate more than it returned (README, Performance)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from servers import verdicts_only_cache

from mkgraph.api import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
DATA = """@prefix mk: <https://w3id.org/mkgraph/ontology#> .
@prefix sys: <https://w3id.org/mkgraph/system/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
sys:tiny a mk:Microkernel ; rdfs:label "Tiny" .
"""


@pytest.fixture
def root(tmp_path) -> Path:
    folder = tmp_path / "root"
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, folder / name)
    (folder / "data").mkdir()
    (folder / "data" / "tiny.ttl").write_text(DATA, encoding="utf-8")
    return folder


def stores(cache: Path) -> list[Path]:
    return sorted(cache.glob("store-*")) + sorted(cache.glob(".store-*"))


def test_validate_writes_no_graph_cache_entry(root, tmp_path, monkeypatch):
    cache = verdicts_only_cache(tmp_path / "cache")  # the graph store is the point
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(cache))
    report = KnowledgeGraph(root).validate()
    assert any("Tiny" in str(problem.focus_label) for problem in report.problems)
    assert stores(cache) == []
    KnowledgeGraph(root).query("descendants", {"of": "Tiny"})  # a query fills the cache
    assert len(stores(cache)) == 1
