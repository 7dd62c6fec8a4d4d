"""Canonical text for the data files: one formatter, so a reviewer's diff shows only what changed.

A TriG file (the compact provenance form, mkgraph.store.trig) is written by mkgraph.store.trig. A Turtle file
is written by rdflib's longturtle, which sorts subjects and predicates; its blank nodes (reified
provenance statements) are first renamed in the order of their own contents, so their order does
not depend on how a parser named them, and two with the same contents become one.

`migrate` moves every Turtle data file that has reified provenance into the compact form
(x.ttl becomes x.trig), proved lossless by tests/test_compact_form.py.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph
from rdflib.compare import isomorphic
from rdflib.term import Node

from mkgraph.core.namespaces import bind_prefixes
from mkgraph.core.sourcetext import Source, read_source
from mkgraph.store.graph import parse_file, parse_text


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
    """The canonical text of one Turtle or TriG file (its triples, mkgraph's prefixes, sorted)."""
    path = file.path if isinstance(file, Source) else Path(file)
    return canonical_text_for(path, parse_file(file))


def _is_canonical(source: Source) -> bool:
    """Compared byte for byte: a byte order mark or a stray CR makes a file not canonical."""
    return source.data == canonical(source).encode("utf-8")


def unformatted(paths: list[Path]) -> list[Path]:
    """The files whose text is not canonical (each read once; an unreadable one is an error)."""
    return [path for path in paths if not _is_canonical(read_source(path))]


def format_files(paths: list[Path]) -> list[Path]:
    """Rewrite files into canonical form; returns the ones that changed."""
    from mkgraph.core.writing import write_file

    changed = []
    for path in paths:
        source = read_source(path)
        if not _is_canonical(source):
            write_file(path, canonical(source))
            changed.append(path)
    return changed


def migrate(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Rewrite each Turtle file with reified provenance as compact TriG beside it (x.ttl becomes
    x.trig) and remove the Turtle file; give every source without a kind its guessed kind
    (mkgraph.store.sourcekinds). Returns (old, new) pairs (the same path when only kinds were added).
    Every file is converted and checked before any is written, so a bad file stops the
    migration with nothing changed."""
    from mkgraph.core.errors import DataError
    from mkgraph.core.writing import write_file
    from mkgraph.store import sourcekinds, trig

    planned: list[tuple[Path, Path, str]] = []
    for path in paths:
        if path.suffix.lower() not in (".ttl", ".trig"):
            continue
        graph = parse_file(path)
        classified = sourcekinds.classify_graph(graph)
        if path.suffix.lower() == ".trig" or not trig.compact(graph).has_named_graphs:
            if classified:
                planned.append((path, path, canonical_text_for(path, graph)))
            continue
        target = path.with_suffix(".trig")
        if target.exists():
            raise DataError(target, "already exists: cannot migrate the .ttl file beside it")
        text = trig.write(graph)
        if not isomorphic(graph, parse_text(text, "trig")):
            raise DataError(
                path, "the compact form would not carry the same triples (not migrated)"
            )
        planned.append((path, target, text))
    for path, target, text in planned:
        write_file(target, text)
        if target != path:
            path.unlink()
    return [(path, target) for path, target, _ in planned]


def canonical_text_for(path: Path, graph: Graph) -> str:
    """A graph's canonical text in the form its file is in (TriG or Turtle)."""
    if path.suffix.lower() == ".trig":
        from mkgraph.store import trig

        return trig.write(graph)
    return canonical_text(graph)
