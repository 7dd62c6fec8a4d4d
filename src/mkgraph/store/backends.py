"""One query interface over the SPARQL engines: the library picks an engine once and asks it
everything in the same words, so no caller guesses an engine from a class name.

An Engine binds a stored query's parameters (names resolved by the one resolver,
mkgraph.store.lookup.choose), runs a query under mkgraph's rules (the check in front, time limit,
no network) and turns its own answer into the one result type, mkgraph.store.engine.QueryResult
of rdflib terms. Each answers over a graph handed to it as a function, so nothing is loaded
before a query needs it.

- OxigraphEngine: the asserted graph in an Oxigraph store (mkgraph.store.oxengine); its own
  answers are OxResults, which the command line prints without importing rdflib.
- RdflibEngine: an rdflib Graph (mkgraph.store.engine); the inferred graph, and the reference
  the tests compare Oxigraph with. Its own answers are already QueryResults.

A remote store is not an Engine: it answers a text bound here by Oxigraph's terms
(KnowledgeGraph.query_remote), and its answer is an OxResult like a local one.

An engine's own answer and the one result type offer the same members (form, variables, rows,
boolean, triples, graph: mkgraph.store.results), so whatever prints or reads an answer asks it
those, never which engine gave it.
"""

from __future__ import annotations

from collections.abc import Callable

from mkgraph.core.limits import DEFAULT_TIMEOUT

# typing is imported only by type checkers: importing it cost a cold query a few ms
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Protocol

    from mkgraph.store.engine import QueryResult
else:
    Protocol = object  # at run time Engine is a plain base, documenting the interface


class Engine(Protocol):
    name: str

    def bind(self, kinds: dict[str, str], values: dict[str, str]) -> dict[str, Any]:
        """Each parameter's value (text) as this engine's RDF term, read by its kind."""
        ...

    def run(
        self,
        text: str,
        bindings: dict[str, Any] | None = None,
        source: str = "query",
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: tuple[str, ...] = (),
    ) -> Any:
        """The engine's own answer to a query, parameters bound to terms from `bind`."""
        ...

    def result(self, answer: Any) -> QueryResult:
        """The engine's own answer as the one result type (rdflib terms)."""
        ...


class OxigraphEngine:
    name = "oxigraph"

    def __init__(
        self,
        store: Callable[[], Any],
        candidates: Callable[[str], dict[str, list[str]]] | None = None,
    ):
        self._store = store  # the pyoxigraph Store, loaded (or opened from the cache) when asked
        # each kind's resources and names (lookup.store_candidates), where known without a query
        self._candidates = candidates

    def bind(self, kinds: dict[str, str], values: dict[str, str]) -> dict[str, Any]:
        from mkgraph.store import lookup

        store = self._store()
        return {
            name: lookup.store_value(store, kinds[name], v, self._candidates)
            for name, v in values.items()
        }

    def run(
        self,
        text: str,
        bindings: dict[str, Any] | None = None,
        source: str = "query",
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: tuple[str, ...] = (),
    ):
        from mkgraph.store import oxengine

        return oxengine.run(self._store(), text, bindings, source, timeout, allow_service)

    def result(self, answer) -> QueryResult:
        from mkgraph.store.engine import from_oxigraph

        return from_oxigraph(answer)

    def bound_text(self, text: str, bindings: dict[str, Any]) -> str:
        """The query with its parameters written in as Oxigraph's terms: what another store, or
        the server's workers, run as it stands."""
        from mkgraph.store import oxengine

        return oxengine.with_terms(text, bindings) or oxengine.with_values(text, bindings)


class RdflibEngine:
    name = "rdflib"

    def __init__(self, graph: Callable[[], Any], names: Callable[[], Any] | None = None):
        self._graph = graph  # the rdflib Graph queried
        self._names = names or graph  # the graph names are resolved in (the asserted one)

    def bind(self, kinds: dict[str, str], values: dict[str, str]) -> dict[str, Any]:
        from mkgraph.store import names

        graph = self._names()
        return {name: names.bind_value(graph, kinds[name], v) for name, v in values.items()}

    def run(
        self,
        text: str,
        bindings: dict[str, Any] | None = None,
        source: str = "query",
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: tuple[str, ...] = (),
    ):
        from mkgraph.store import engine

        return engine.run(self._graph(), text, bindings, source, timeout, allow_service)

    def result(self, answer) -> QueryResult:
        return answer
