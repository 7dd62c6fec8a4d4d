"""The SPARQL engine: the one place that runs queries, so it can be replaced as a whole.

It refuses anything that would reach outside the graph (mkgraph.store.querycheck, and a hook inside
rdflib's evaluator for SERVICE), binds parameters as RDF terms, and returns an engine-neutral
QueryResult.
"""

from __future__ import annotations

import functools
import re
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql import CUSTOM_EVALS, prepareQuery
from rdflib.term import Identifier, Node

from mkgraph.core.errors import QueryError, QueryTimeout
from mkgraph.core.limits import DEFAULT_TIMEOUT
from mkgraph.core.namespaces import PREFIXES, bind_prefixes
from mkgraph.store import projection, querycheck

# rdflib's SPARQL parser (pyparsing) is not thread-safe: two threads parsing at once can break its
# parse actions for the rest of the process (every later parse fails: "postParse2() missing 1
# required positional argument"). mkgraph parses in threads (serve's workers, time limits), so
# every rdflib parse holds this lock (here and in mkgraph.store.queries).
RDFLIB_PARSER_LOCK = threading.Lock()

_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass
class QueryResult:
    """What a query returned: rows for SELECT, a boolean for ASK, a graph for CONSTRUCT/DESCRIBE.
    It offers the members every answer offers (mkgraph.store.results), in rdflib's terms."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    @property
    def triples(self) -> list[tuple[Node, Node, Node]]:
        """The graph's triples (CONSTRUCT, DESCRIBE); none for a table or a boolean."""
        return [] if self.graph is None else list(self.graph)


def _where(text: str, exc) -> str:
    line, column = getattr(exc, "lineno", None), getattr(exc, "col", None)
    return f"line {line}, column {column}: " if line is not None else ""


def _prefix_position(text: str, prefix: str) -> str:
    match = re.search(rf"(?<![\w:<]){re.escape(prefix)}:", text)
    if not match:
        return ""
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return f"line {line}, column {column}: "


def prepare(text: str, source: str = "query", allow_service: tuple[str, ...] = ()):
    """Parse a query (with mkgraph's prefixes predeclared) or raise a one-line QueryError.

    Queries that would reach outside the graph are refused: SPARQL Update (LOAD included),
    FROM / FROM NAMED, and SERVICE except to the endpoints named in allow_service.
    """
    from pyparsing import ParseBaseException

    querycheck.check(text, source, allow_service)
    try:
        prepared = _parsed(text)
    except ParseBaseException as exc:
        found = getattr(exc, "pstr", "")[getattr(exc, "loc", 0) :].split()
        token = f" near {found[0][:40]!r}" if found else " at the end of the query"
        raise QueryError(
            f"{source}: SPARQL syntax error at {_where(text, exc)}unexpected input{token}"
        ) from None
    except RecursionError:
        raise QueryError(f"{source}: the query is nested too deeply to parse") from None
    except Exception as exc:  # rdflib raises bare Exceptions, e.g. for an unknown prefix
        message = " ".join(str(exc).split())
        unknown = re.match(r"Unknown namespace prefix : (\S+)", message)
        if unknown:
            prefix = unknown.group(1)
            raise QueryError(
                f"{source}: {_prefix_position(text, prefix)}unknown prefix "
                f"'{prefix}:' (declare it with PREFIX {prefix}: <...>)"
            ) from None
        raise QueryError(f"{source}: {message[:300]}") from None
    return prepared


@functools.lru_cache(maxsize=512)
def _parsed(text: str):
    """rdflib's parse of a query text, kept: parsing costs more than evaluating most queries here,
    and the same texts come back (stored queries, parameters bound as terms, not as text). A parsed
    query is only read when evaluated, so one can serve every caller. Failures are not kept."""
    with RDFLIB_PARSER_LOCK:  # rdflib's parser is not thread-safe (see RDFLIB_PARSER_LOCK)
        return prepareQuery(text, initNs=PREFIXES)


# Defence in depth inside rdflib itself: its evaluator asks CUSTOM_EVALS first for every part of
# a query, so a SERVICE the check missed is stopped before rdflib's HTTP client is called. Active
# only while mkgraph evaluates (other rdflib users in the process are left alone). FROM needs no
# hook: over a plain Graph, all mkgraph hands rdflib, it never loads other graphs.
_evaluating = threading.local()


class _ServiceRefused(QueryError):
    pass


def _no_service(ctx, part):
    allowed = getattr(_evaluating, "allow_service", None)
    if allowed is not None and part.name == "ServiceGraphPattern":
        endpoint = str(part.get("term"))
        if endpoint not in allowed:
            raise _ServiceRefused(
                f"SERVICE <{endpoint}> is refused: mkgraph reaches no other endpoint"
            )
    raise NotImplementedError()


CUSTOM_EVALS["mkgraph-no-service"] = _no_service


class _Expired(BaseException):
    """Raised by the timer; a BaseException so that no `except Exception` inside rdflib eats it."""


@contextmanager
def _time_limit(seconds: float | None, source: str):
    """Stop a query that runs too long. rdflib evaluates in Python, so a timer signal can
    interrupt it; where signals are unavailable (another thread, Windows) no limit applies."""
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable or seconds is None:
        yield
        return

    def expire(signum, frame):
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise QueryTimeout(
            f"{source}: the query ran longer than {seconds:g} s and was stopped "
            "(raise the limit with --timeout)"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(
    graph: Graph,
    text: str,
    bindings: dict[str, Identifier] | None = None,
    source: str = "query",
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: tuple[str, ...] = (),
) -> QueryResult:
    """Run one SPARQL query over the graph, with variables pre-bound to RDF terms."""
    init: dict[str, Identifier] = {Variable(name): term for name, term in (bindings or {}).items()}
    _evaluating.allow_service = allow_service
    try:
        with _time_limit(timeout, source):  # the check and parsing a long query count too
            prepared = prepare(text, source, allow_service)
            form = _FORMS.get(prepared.algebra.name, prepared.algebra.name)
            return _collect(graph.query(prepared, initBindings=init), form, graph, text)
    except _ServiceRefused as error:  # the hook does not know the source
        raise QueryError(f"{source}: {error}") from None
    except QueryError:
        raise
    except RecursionError:
        raise QueryError(f"{source}: the query is nested too deeply to run") from None
    except Exception as exc:
        raise QueryError(
            f"{source}: the query failed: {' '.join(str(exc).split())[:300]}"
        ) from None
    finally:
        _evaluating.allow_service = None


def _collect(result, form: str, graph: Graph, text: str = "") -> QueryResult:
    """Materialise the rows (inside the time limit: rdflib evaluates lazily)."""
    if form == "SELECT":
        variables = [str(v) for v in (result.vars or [])]
        rows = [tuple(row) for row in result]
        if projection.star_position(text) is not None:  # columns in the query's order
            ordered = projection.in_order(text, variables)
            picks = [variables.index(v) for v in ordered]
            variables, rows = ordered, [tuple(row[i] for i in picks) for row in rows]
        return QueryResult(form, variables=variables, rows=rows)
    if form == "ASK":
        return QueryResult(form, boolean=bool(result.askAnswer))
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    for triple in result:
        out.add(triple)
    return QueryResult(form, graph=out)


_PLAIN = {
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
}


def rdflib_term(value) -> Node:
    """An Oxigraph term as the rdflib term with the same meaning."""
    kind = type(value).__name__
    if kind == "NamedNode":
        return URIRef(value.value)
    if kind == "BlankNode":
        return BNode(value.value)
    if value.language:
        return Literal(value.value, lang=value.language)
    datatype = value.datatype.value
    return Literal(value.value, datatype=None if datatype in _PLAIN else URIRef(datatype))


def rdflib_graph(triples) -> Graph:
    """Oxigraph triples as an rdflib Graph with mkgraph's prefixes bound."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in triples:
        graph.add(
            (
                rdflib_term(triple.subject),
                rdflib_term(triple.predicate),
                rdflib_term(triple.object),
            )
        )
    return graph


def from_oxigraph(result) -> QueryResult:
    """An Oxigraph answer (mkgraph.store.oxengine.OxResult, local or remote) as the same
    QueryResult of rdflib terms that `run` returns: one result type, whichever engine answered."""
    if result.form == "SELECT":
        return QueryResult(
            "SELECT",
            variables=list(result.variables),
            rows=[tuple(None if v is None else rdflib_term(v) for v in row) for row in result.rows],
        )
    if result.form == "ASK":
        return QueryResult("ASK", boolean=result.boolean)
    return QueryResult(result.form, graph=rdflib_graph(result.triples))
