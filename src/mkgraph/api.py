"""The library API: one object over one copy of the graph's sources. The command line is a thin
layer over this; scripts and notebooks can use it directly.

    from mkgraph.api import KnowledgeGraph
    kg = KnowledgeGraph()
    result = kg.query("descendants", {"of": "seL4"})
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef

from mkgraph import engine, graph as graph_module, lineage, names, queries
from mkgraph.engine import QueryResult
from mkgraph.errors import ParameterError, QueryError, UnknownNameError
from mkgraph.resources import Resources, locate


class KnowledgeGraph:
    """The microkernel graph: loaded lazily, queried, validated, reasoned over and exported."""

    def __init__(self, root=None):
        self.resources: Resources = locate(root)

    # ---------------------------------------------------------------- loading
    @cached_property
    def graph(self) -> Graph:
        """Ontology and data as asserted."""
        return graph_module.load(self.resources)

    @cached_property
    def inferred(self) -> Graph:
        """Only the triples that inference adds."""
        from mkgraph import reasoning

        return reasoning.infer(self.graph)

    def graph_with_inferences(self) -> Graph:
        combined = Graph()
        for prefix, namespace in self.graph.namespaces():
            combined.bind(prefix, namespace)
        combined += self.graph
        combined += self.inferred
        return combined

    def _target(self, inferred: bool) -> Graph:
        return self.graph_with_inferences() if inferred else self.graph

    # ---------------------------------------------------------------- queries
    def stored_queries(self) -> list[queries.StoredQuery]:
        return queries.list_stored_queries(self.resources.queries)

    def stored_query(self, name: str) -> queries.StoredQuery:
        return queries.find_stored_query(self.resources.queries, name)

    def bindings(self, stored: queries.StoredQuery, params: dict[str, str]) -> dict:
        """Each parameter's value (given or default) read as an RDF term."""
        for given in params:
            stored.parameter(given)  # unknown parameter names are an error
        bound = {}
        for parameter in stored.parameters:
            value = params.get(parameter.name, parameter.default)
            if value is None:
                raise ParameterError(
                    f"query {stored.name!r} needs parameter {parameter.name!r} "
                    f"({parameter.kind}): add -p {parameter.name}=VALUE"
                )
            bound[parameter.name] = names.bind_value(self.graph, parameter.kind, value)
        return bound

    def query(self, name: str, params: dict[str, str] | None = None, inferred: bool = False,
              timeout: float | None = engine.DEFAULT_TIMEOUT,
              allow_service: tuple[str, ...] = ()) -> QueryResult:
        """Run a stored query by name, its parameters given by name."""
        stored = self.stored_query(name)
        bound = self.bindings(stored, params or {})
        return engine.run(self._target(inferred), stored.text, bound, source=str(stored.path),
                          timeout=timeout, allow_service=allow_service)

    def query_file(self, path, inferred: bool = False,
                   timeout: float | None = engine.DEFAULT_TIMEOUT,
                   allow_service: tuple[str, ...] = ()) -> QueryResult:
        """Run the query in a file (a header, if it has one, is only comments to SPARQL)."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{path}: cannot read query file ({exc})") from None
        return engine.run(self._target(inferred), text, source=str(path), timeout=timeout,
                          allow_service=allow_service)

    def sparql(self, text: str, inferred: bool = False, source: str = "query",
               timeout: float | None = engine.DEFAULT_TIMEOUT,
               allow_service: tuple[str, ...] = ()) -> QueryResult:
        """Run an ad-hoc SPARQL query."""
        return engine.run(self._target(inferred), text, source=source, timeout=timeout,
                          allow_service=allow_service)

    # ---------------------------------------------------------------- checks
    def validate(self):
        from mkgraph import validation

        shapes = graph_module.load_shapes(self.resources)
        checks = [q for q in self.stored_queries() if q.is_violation_check]
        return validation.validate(self.graph, shapes, checks)

    # ---------------------------------------------------------------- export
    def export(self, fmt: str = "turtle", inferred: bool = False) -> str:
        from mkgraph import export

        context = export.load_context(self.resources.jsonld_context) if fmt == "jsonld" else None
        return export.serialize(self._target(inferred), fmt, context)

    # ---------------------------------------------------------------- systems
    def resolve(self, name: str, kind: str = "system") -> URIRef:
        return names.resolve(self.graph, kind, name)

    def resolve_any(self, name: str) -> URIRef:
        """A system, language, architecture, trait, ... whichever kind the name denotes; systems
        first, so "Linux" is the kernel rather than the interface of the same name."""
        for kind in names.KIND_CLASSES:
            try:
                return names.resolve(self.graph, kind, name)
            except UnknownNameError:
                continue
        return names.resolve(self.graph, "any", name)  # raises, with suggestions from every kind

    def lineage(self, name: str, direction: str = "descendants",
                relations: list[str] | None = None, depth: int | None = None) -> lineage.TreeNode:
        chosen = tuple(lineage.RELATION_NAMES[r] for r in relations) if relations \
            else lineage.RELATION_NAMES.values()
        return lineage.tree(self.graph, self.resolve(name), direction, tuple(chosen), depth)

    def lineage_view(self, names: list[str] | None = None, direction: str = "descendants",
                     relations: list[str] | None = None, depth: int | None = None):
        """The systems and links to draw around some systems, or the whole forest without names."""
        chosen = tuple(lineage.RELATION_NAMES[r] for r in relations) if relations \
            else tuple(lineage.RELATION_NAMES.values())
        roots = [self.resolve(name) for name in names or []]
        return lineage.view(self.graph, roots, direction, chosen, depth)

    def describe(self, name: str):
        from mkgraph import describe

        return describe.describe(self.graph, self.resolve_any(name))
