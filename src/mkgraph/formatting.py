"""Canonical Turtle for the data files: one formatter, so a reviewer's diff shows only what changed.

rdflib's longturtle sorts subjects and predicates; blank nodes (the provenance statements) are first
renamed in the order of their own contents, so their order does not depend on how a parser named
them, and two with the same contents become one.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph
from rdflib.term import Node

from mkgraph.graph import parse_turtle
from mkgraph.namespaces import bind_prefixes
from mkgraph.sourcetext import Source, read_source


def _blank_nodes_in_content_order(graph: Graph) -> Graph:
    contents = {
        node: tuple(sorted((p.n3(), o.n3()) for p, o in graph.predicate_objects(node)))
        for node in {s for s in graph.subjects() if isinstance(s, BNode)}
    }
    # Nodes with the same contents get the same name: a statement given twice is kept once.
    order = {content: index for index, content in enumerate(sorted(set(contents.values())))}
    names: dict[Node, Node] = {
        node: BNode(f"b{order[content]:05d}") for node, content in contents.items()
    }
    renamed = Graph()
    bind_prefixes(renamed)
    for s, p, o in graph:
        renamed.add((names.get(s, s), p, names.get(o, o)))
    return renamed


def canonical_text(graph: Graph) -> str:
    return _blank_nodes_in_content_order(graph).serialize(format="longturtle")


def canonical(file: Path | Source) -> str:
    """The canonical text of one Turtle file (its triples, mkgraph's prefixes, sorted)."""
    graph = Graph()
    parse_turtle(file, into=graph)
    return canonical_text(graph)


def _is_canonical(source: Source) -> bool:
    """Compared byte for byte: a byte order mark or a stray CR makes a file not canonical."""
    return source.data == canonical(source).encode("utf-8")


def unformatted(paths: list[Path]) -> list[Path]:
    """The files whose text is not canonical (each read once; an unreadable one is an error)."""
    return [path for path in paths if not _is_canonical(read_source(path))]


def format_files(paths: list[Path]) -> list[Path]:
    """Rewrite files into canonical form; returns the ones that changed."""
    from mkgraph.writing import write_file

    changed = []
    for path in paths:
        source = read_source(path)
        if not _is_canonical(source):
            write_file(path, canonical(source))
            changed.append(path)
    return changed
