"""Canonical Turtle for the data files: one formatter (rdflib's longturtle, which sorts subjects and
predicates and canonicalises blank nodes), so a reviewer's diff shows only what changed."""

from __future__ import annotations

from pathlib import Path

from mkgraph.graph import parse_turtle
from mkgraph.namespaces import bind_prefixes


def canonical(path: Path) -> str:
    """The canonical text of one Turtle file (its triples, mkgraph's prefixes, sorted)."""
    from rdflib import Graph

    graph = Graph()
    bind_prefixes(graph)
    parse_turtle(path, into=graph)
    return graph.serialize(format="longturtle")


def unformatted(paths: list[Path]) -> list[Path]:
    """The files whose text is not canonical."""
    return [p for p in paths if p.read_text(encoding="utf-8") != canonical(p)]


def format_files(paths: list[Path]) -> list[Path]:
    """Rewrite files into canonical form; returns the ones that changed."""
    from mkgraph.export import write_atomically

    changed = []
    for path in paths:
        text = canonical(path)
        if path.read_text(encoding="utf-8") != text:
            write_atomically(path, text)
            changed.append(path)
    return changed
