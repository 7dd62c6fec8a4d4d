"""The bundled graph, loaded once per test process (per worker under pytest-xdist): the `kg`
fixture, the `invoke` fixture and the modules that list its stored queries at collection time
share this one object."""

from __future__ import annotations

from functools import cache

from mkgraph.api import KnowledgeGraph


@cache
def bundled_graph() -> KnowledgeGraph:
    return KnowledgeGraph()
