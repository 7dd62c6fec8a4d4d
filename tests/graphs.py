"""The bundled graph, loaded once per test process (per worker under pytest-xdist): the `kg`
fixture, the `invoke` fixture and the modules that list its stored queries at collection time
share this one object."""

from __future__ import annotations

from functools import cache

from mkgraph.api import KnowledgeGraph


@cache
def bundled_graph() -> KnowledgeGraph:
    return KnowledgeGraph()


class KeptParses:
    """rdflib's parse of each text (`mkgraph.store.graph.parse_text`), kept by the text for the
    tests of one module that load the same files again and again (a copy of the fixture root per
    test, the revision a diff compares with): each call hands out a new graph of the same
    triples with blank nodes of its own, as a new parse would. Only a parse that succeeded is
    kept (an error is raised anew), and mkgraph's checks of the terms, which run on the graph
    handed out, still run on every load."""

    def __init__(self) -> None:
        from mkgraph.store import graph

        self._parse = graph.parse_text
        self._kept: dict = {}

    def __call__(self, text: str, syntax: str):
        from collections import defaultdict

        from rdflib import BNode, Graph

        key = (text, syntax)
        if key not in self._kept:
            self._kept[key] = self._parse(text, syntax)
        fresh: defaultdict = defaultdict(BNode)
        copy = Graph()
        for triple in self._kept[key]:
            copy.add(tuple(fresh[t] if isinstance(t, BNode) else t for t in triple))
        return copy
