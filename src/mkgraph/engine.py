"""The SPARQL engine: the one place that runs queries, so it can be replaced as a whole.

It refuses anything that would reach outside the graph (SERVICE, FROM / FROM NAMED), binds
parameters as RDF terms, and returns an engine-neutral QueryResult.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Identifier, Node

from mkgraph.errors import QueryError
from mkgraph.namespaces import PREFIXES

_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass
class QueryResult:
    """What a query returned: rows for SELECT, a boolean for ASK, a graph for CONSTRUCT/DESCRIBE."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


def _where(text: str, exc) -> str:
    line, column = getattr(exc, "lineno", None), getattr(exc, "col", None)
    return f"line {line}, column {column}: " if line is not None else ""


def prepare(text: str, source: str = "query"):
    """Parse a query (with mkgraph's prefixes predeclared) or raise a one-line QueryError."""
    try:
        from pyparsing import ParseBaseException
    except ImportError:  # pragma: no cover - pyparsing always comes with rdflib
        ParseBaseException = ()  # type: ignore[assignment]
    try:
        prepared = prepareQuery(text, initNs=PREFIXES)
    except ParseBaseException as exc:
        found = getattr(exc, "pstr", "")[getattr(exc, "loc", 0):].split()
        token = f" near {found[0]!r}" if found else " at the end of the query"
        raise QueryError(f"{source}: SPARQL syntax error at {_where(text, exc)}"
                         f"unexpected input{token}") from None
    except Exception as exc:  # rdflib raises bare Exceptions, e.g. for an unknown prefix
        raise QueryError(f"{source}: {exc}") from None
    _refuse_outside_access(prepared.algebra, source)
    return prepared


def _refuse_outside_access(algebra: CompValue, source: str) -> None:
    if getattr(algebra, "datasetClause", None):
        raise QueryError(
            f"{source}: FROM / FROM NAMED is refused: mkgraph never loads graphs from elsewhere"
        )
    stack: list[object] = [algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                raise QueryError(
                    f"{source}: SERVICE is refused: mkgraph never sends queries to other endpoints"
                )
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)


def run(
    graph: Graph,
    text: str,
    bindings: dict[str, Identifier] | None = None,
    source: str = "query",
) -> QueryResult:
    """Run one SPARQL query over the graph, with variables pre-bound to RDF terms."""
    prepared = prepare(text, source)
    form = _FORMS.get(prepared.algebra.name, prepared.algebra.name)
    init = {Variable(name): term for name, term in (bindings or {}).items()}
    try:
        result = graph.query(prepared, initBindings=init)
        if form == "SELECT":
            variables = [str(v) for v in (result.vars or [])]
            rows = [tuple(row) for row in result]
            return QueryResult(form, variables=variables, rows=rows)
        if form == "ASK":
            return QueryResult(form, boolean=bool(result.askAnswer))
        out = Graph()
        for prefix, namespace in graph.namespaces():
            out.bind(prefix, namespace)
        for triple in result:
            out.add(triple)
        return QueryResult(form, graph=out)
    except QueryError:
        raise
    except Exception as exc:
        raise QueryError(f"{source}: the query failed: {exc}") from None
