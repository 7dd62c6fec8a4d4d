"""The fast SPARQL engine: Oxigraph (pyoxigraph), used for queries over the asserted graph.

rdflib stays the engine for inference, validation and as the reference the tests compare against;
this module gives the same answers in milliseconds and without importing rdflib. It keeps mkgraph's
rules: SERVICE is refused unless the endpoint is allowed, FROM / FROM NAMED and updates are refused,
parameters enter as RDF terms serialised by Oxigraph itself, and a query stops at its time limit.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from mkgraph import projection
from mkgraph.errors import QueryError, QueryTimeout
from mkgraph.prefixes import PREFIXES

MAX_QUERY_LENGTH = 1_000_000
PROLOGUE = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
# Strings, IRIs and comments, which may contain keywords without being keywords.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


# A keyword, not part of a variable (?from), a prefixed name (ex:load) or a language tag (@add).
_KEYWORD = r"(?<![?$\w:@.-])(?:{})\b"


@dataclass
class OxResult:
    """Rows of pyoxigraph terms (SELECT), a boolean (ASK) or triples (CONSTRUCT / DESCRIBE)."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    text: str = ""  # the query as run, to serialise results with Oxigraph's own writers
    store: Any = None  # the pyoxigraph Store it came from; None for a remote answer

    def serialize(self, fmt: str) -> str:
        """W3C SPARQL result formats, written by Oxigraph: json, xml, csv, tsv."""
        formats = {
            "json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
        }
        return self.store.query(self.text).serialize(format=formats[fmt]).decode("utf-8")


def _masked(text: str) -> str:
    return _OPAQUE.sub(
        lambda m: (
            " " * len(m.group(0))
            if m.group(0).startswith("#")
            else m.group(0)[0] + " " * (len(m.group(0)) - 1)
        ),
        text,
    )


def check(text: str, source: str, allow_service: tuple[str, ...] = ()) -> None:
    """Refuse what would reach outside the graph, before Oxigraph sees the query."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"{source}: the query is too long ({len(text)} characters)")
    if not text.strip():
        raise QueryError(f"{source}: the query is empty")
    masked = _masked(text)
    if re.search(
        _KEYWORD.format("INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY"), masked, re.IGNORECASE
    ) and not re.search(_KEYWORD.format("SELECT|ASK|CONSTRUCT|DESCRIBE"), masked, re.IGNORECASE):
        raise QueryError(
            f"{source}: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) is "
            "refused: mkgraph's graph is read-only"
        )
    if re.search(_KEYWORD.format("FROM"), masked, re.IGNORECASE):
        raise QueryError(
            f"{source}: FROM / FROM NAMED is refused: mkgraph never loads graphs from elsewhere"
        )
    for match in re.finditer(_KEYWORD.format("SERVICE"), masked, re.IGNORECASE):
        rest = text[match.end() :]
        endpoint = re.match(r"\s*(?:SILENT\s+)?<([^>]*)>", rest, re.IGNORECASE)
        iri = endpoint.group(1) if endpoint else "?"
        if iri not in allow_service:
            raise QueryError(
                f"{source}: SERVICE <{iri}> is refused: mkgraph sends queries to no "
                "other endpoint unless you name it with --allow-service"
            )


def with_terms(text: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str | None:
    """The query with each parameter variable replaced by its term, or None where that is not
    safe (the variable is projected, assigned with AS, or given VALUES). Constants let Oxigraph
    start from the given node: five times faster than a VALUES block on 100k triples. The term is
    Oxigraph's own serialisation, never the user's text."""
    masked = _masked(text)
    where = re.search(r"\bWHERE\b", masked, re.IGNORECASE)
    if not bindings or where is None:
        return None
    pieces = []
    for name in bindings:
        variable = rf"[?$]{re.escape(name)}\b"
        if (
            re.search(variable, masked[: where.start()])
            or re.search(rf"\bAS\s+{variable}", masked, re.IGNORECASE)
            or re.search(r"\bVALUES\b", masked, re.IGNORECASE)
            or re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", masked, re.IGNORECASE)
        ):
            return None
        pieces.append((variable, str(bindings[name])))
    result, offset = [], 0
    spans = []
    for variable, term in pieces:
        spans += [(m.start(), m.end(), term) for m in re.finditer(variable, masked)]
    for start, end, term in sorted(spans):
        result.append(text[offset:start])
        result.append(term)
        offset = end
    result.append(text[offset:])
    return "".join(result)


def with_values(text: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with a VALUES block at the start of its WHERE clause: Oxigraph's serialisation of
    each term, never the user's text, so a parameter cannot change the query's structure."""
    if not bindings:
        return text
    values = "".join(f" VALUES ?{name} {{ {term} }}" for name, term in bindings.items())
    masked = _masked(text)
    where = re.search(r"\bWHERE\s*\{", masked, re.IGNORECASE) or re.search(r"\{", masked)
    if where is None:
        raise QueryError("the query has no WHERE clause to bind parameters in")
    return text[: where.end()] + values + text[where.end() :]


def _syntax_error(text: str, source: str) -> QueryError:
    """Oxigraph's parse errors are hard to read; rdflib's parser explains the same error well."""
    from mkgraph import engine

    try:
        engine.prepare(text, source)
    except QueryError as error:
        return error
    return QueryError(f"{source}: the query is not valid SPARQL")


def run(
    store: ox.Store,
    text: str,
    bindings: dict | None = None,
    source: str = "query",
    timeout: float | None = 30.0,
    allow_service: tuple[str, ...] = (),
) -> OxResult:
    check(text, source, allow_service)
    fallback = PROLOGUE + with_values(text, bindings or {})
    constant = with_terms(text, bindings or {})
    full = PROLOGUE + constant if constant is not None else fallback
    outcome: dict = {}

    def evaluate() -> None:
        nonlocal full
        try:
            try:
                answer = store.query(full)
            except SyntaxError:
                if full == fallback:
                    raise
                full = fallback  # a constant where SPARQL allows only a variable: use VALUES
                answer = store.query(full)
            if isinstance(answer, ox.QuerySolutions):
                variables = [v.value for v in answer.variables]
                ran = full
                if projection.star_position(full) is not None:  # columns in the query's order
                    variables = projection.in_order(full, variables)
                    ran = projection.explicit(full, variables)
                rows = [tuple(solution[v] for v in variables) for solution in answer]
                outcome["result"] = OxResult("SELECT", variables, rows, text=ran, store=store)
            elif isinstance(answer, ox.QueryBoolean):
                outcome["result"] = OxResult("ASK", boolean=bool(answer), text=full, store=store)
            else:
                outcome["result"] = OxResult(
                    "CONSTRUCT", triples=list(answer), text=full, store=store
                )
        except SyntaxError:
            outcome["syntax"] = True
        except Exception as exc:  # evaluation errors, SERVICE failures
            outcome["error"] = " ".join(str(exc).split())[:300]

    # Oxigraph evaluates without holding the GIL, so a worker thread can be abandoned at the limit.
    worker = threading.Thread(target=evaluate, daemon=True)
    worker.start()
    worker.join(timeout if timeout and timeout > 0 else None)
    if worker.is_alive():
        raise QueryTimeout(
            f"{source}: the query ran longer than {timeout:g} s and was stopped "
            "(raise the limit with --timeout)"
        )
    if "syntax" in outcome:
        raise _syntax_error(text, source)
    if "error" in outcome:
        raise QueryError(f"{source}: the query failed: {outcome['error']}")
    return outcome["result"]
