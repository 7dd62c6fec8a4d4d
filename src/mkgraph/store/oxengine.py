"""The fast SPARQL engine: Oxigraph (pyoxigraph), used for queries over the asserted graph.

rdflib stays the engine for inference, validation and as the reference the tests compare against;
this module gives the same answers in milliseconds and without importing rdflib. It keeps mkgraph's
rules: SERVICE is refused unless the endpoint is allowed, FROM / FROM NAMED and updates are refused
(mkgraph.store.querycheck), Oxigraph evaluates in a thread that cannot open a socket (mkgraph.store.offline),
parameters enter as RDF terms serialised by Oxigraph itself, and a query stops at its time limit.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from mkgraph.core.errors import QueryError, QueryTimeout
from mkgraph.core.limits import DEFAULT_TIMEOUT
from mkgraph.core.prefixes import PREFIXES
from mkgraph.store import offline, projection, querycheck

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms of a cold query)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

# For other endpoints (query --endpoint), which know none of mkgraph's prefixes; locally the
# prefixes are handed to Oxigraph beside the query, so error positions are the user's own.
PROLOGUE = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
# Strings, IRIs and comments, which may contain keywords without being keywords.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


class OxResult:
    """Rows of pyoxigraph terms (SELECT), a boolean (ASK) or triples (CONSTRUCT / DESCRIBE): the
    members every answer offers (mkgraph.store.results), in Oxigraph's terms.
    (A plain class: importing dataclasses cost a cold query a few ms.)"""

    def __init__(
        self,
        form: str,
        variables: list[str] | None = None,
        rows: list[tuple] | None = None,
        boolean: bool | None = None,
        triples: list | None = None,
        text: str = "",
        store: Any = None,
        allow_service: tuple[str, ...] = (),
    ):
        self.form = form
        self.variables = [] if variables is None else variables
        self.rows = [] if rows is None else rows
        self.boolean = boolean
        self.triples = [] if triples is None else triples
        self.text = text  # the query as run, to serialise results with Oxigraph's own writers
        self.store = store  # the pyoxigraph Store it came from; None for a remote answer
        # as the query was run: confined unless some endpoints were allowed
        self.allow_service = allow_service

    @property
    def graph(self) -> Any:
        """The triples as an rdflib Graph (CONSTRUCT, DESCRIBE; None otherwise), as the
        library's QueryResult offers them; built when asked, so rdflib is imported only then."""
        if self.form not in ("CONSTRUCT", "DESCRIBE"):
            return None
        from mkgraph.store.engine import rdflib_graph

        return rdflib_graph(self.triples)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"OxResult({fields})"

    def serialize(self, fmt: str) -> str:
        """W3C SPARQL result formats, written by Oxigraph: json, xml, csv, tsv."""
        formats = {
            "json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
        }
        return offline.run(
            lambda: (
                self.store.query(self.text, prefixes=PREFIXES)
                .serialize(format=formats[fmt])
                .decode("utf-8")
            ),
            confined=not self.allow_service,
        )


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
    """Refuse what would reach outside the graph, before Oxigraph sees the query (one check for
    every path: mkgraph.store.querycheck)."""
    querycheck.check(text, source, allow_service)


def with_terms(text: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str | None:
    """The query with each parameter variable replaced by its term, or None where that is not
    safe (the variable is projected, assigned with AS, or given VALUES). Constants let Oxigraph
    start from the given node: five times faster than a VALUES block on 100k triples. The term is
    Oxigraph's own serialisation, never the user's text."""
    return _with_terms(text, bindings, _masked(text))


def _with_terms(text: str, bindings: dict, masked: str) -> str | None:
    # In an ASCII text (as stored queries are) each case-insensitive pattern is tried only where
    # its keyword stands (_keyword_search): the same matches as a search of the whole text, five
    # such searches of a stored query's 9,000 characters being most of this function's time.
    upper = masked.upper() if masked.isascii() else None
    where = _keyword_search(r"\bWHERE\b", "WHERE", masked, upper)
    if not bindings or where is None:
        return None
    # every projection, a subquery's included: a constant there is not SPARQL
    projections = []
    for select in _keyword_finditer(r"\bSELECT\b", "SELECT", masked, upper):
        # the projection ends at the next WHERE or "{" (re.search(r"\bWHERE\b|\{", ...))
        ends = [
            found.start()
            for found in (_keyword_search(r"\bWHERE\b", "WHERE", masked, upper, select.end()),)
            if found is not None
        ]
        brace = masked.find("{", select.end())
        if brace >= 0:
            ends.append(brace)
        if ends:
            projections.append(masked[select.end() : min(ends)])
    pieces = []
    for name in bindings:
        variable = rf"[?$]{re.escape(name)}\b"
        if (
            re.search(variable, masked[: where.start()])
            or any(re.search(variable, projection) for projection in projections)
            or _keyword_search(rf"\bAS\s+{variable}", "AS", masked, upper)
            or _keyword_search(r"\bVALUES\b", "VALUES", masked, upper)
            or _keyword_search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", "SELECT", masked, upper)
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


def _keyword_search(pattern: str, keyword: str, text: str, upper: str | None, start: int = 0):
    """re.compile(pattern, re.IGNORECASE).search(text, start), for a pattern whose every match
    begins with `keyword` (in capitals) in any case. With `upper` (the text in capitals, given
    only for an ASCII text, so that its positions are the text's) the pattern is matched only
    where the keyword stands, leftmost first: the same match as the search's."""
    compiled = re.compile(pattern, re.IGNORECASE)
    if upper is None:
        return compiled.search(text, start)
    at = upper.find(keyword, start)
    while at >= 0:
        found = compiled.match(text, at)
        if found is not None:
            return found
        at = upper.find(keyword, at + 1)
    return None


def _keyword_finditer(pattern: str, keyword: str, text: str, upper: str | None):
    """re.finditer(pattern, text, re.IGNORECASE) as _keyword_search finds each match (for a
    pattern that never matches the empty string)."""
    found = _keyword_search(pattern, keyword, text, upper)
    while found is not None:
        yield found
        found = _keyword_search(pattern, keyword, text, upper, found.end())


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


_POSITION = re.compile(r"error at (\d+):(\d+)")


def describe_syntax_error(text: str, message: str) -> str:
    """One line from Oxigraph's own parse error, its position in the user's text (the prefixes
    are handed over beside the query, so no hidden line shifts it)."""
    position = _POSITION.search(message)
    if position is None:
        return "the query is not valid SPARQL"
    line, column = int(position.group(1)), int(position.group(2))
    lines = text.splitlines() or [""]
    current = lines[line - 1] if line <= len(lines) else ""
    if "Prefix not found" in message:
        name = re.search(r"([^\s:(){}\[\];,.^/|]*):[^\s:]*$", current[: column - 1])
        if name:
            prefix = name.group(1)
            return (
                f"line {line}, column {name.start() + 1}: unknown prefix '{prefix}:' "
                f"(declare it with PREFIX {prefix}: <...>)"
            )
    found = current[column - 1 :].split()
    near = f" near {found[0][:40]!r}" if found else " at the end of the query"
    return f"SPARQL syntax error at line {line}, column {column}: unexpected input{near}"


# rdflib's parser points at the start of what it could not read, which reads better than
# Oxigraph's furthest position; it is quick on short texts only, so longer ones get Oxigraph's.
EXPLAIN_WITH_RDFLIB_UP_TO = 5_000


def _syntax_error(text: str, source: str, message: str) -> QueryError:
    if len(text) <= EXPLAIN_WITH_RDFLIB_UP_TO:
        from mkgraph.store import engine

        try:
            engine.prepare(text, source)
        except QueryError as error:
            return error
    return QueryError(f"{source}: {describe_syntax_error(text, message)}")


def run(
    store: ox.Store,
    text: str,
    bindings: dict | None = None,
    source: str = "query",
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: tuple[str, ...] = (),
) -> OxResult:
    check(text, source, allow_service)
    bindings = bindings or {}
    masked = _masked(text)
    constant = _with_terms(text, bindings, masked)
    if constant is None:
        full = fallback = with_values(text, bindings)
    else:
        # the VALUES form only if Oxigraph refuses the constants (rare): not written beforehand,
        # but its one failure (no "{" at all) is still found here, before the query runs
        if "{" not in masked:
            with_values(text, bindings)  # raises the QueryError
        full, fallback = constant, None
    outcome: dict = {}
    abandoned: list = []  # not empty once the caller gave up (a list: no threading.Event)

    def evaluate() -> None:
        nonlocal full
        try:
            try:
                answer = store.query(full, prefixes=PREFIXES)
            except SyntaxError:
                if fallback is not None:
                    raise
                # a constant where SPARQL allows only a variable: use VALUES
                full = with_values(text, bindings)
                answer = store.query(full, prefixes=PREFIXES)
            if isinstance(answer, ox.QuerySolutions):
                variables = [v.value for v in answer.variables]
                ran = full
                if projection.star_position(full) is not None:  # columns in the query's order
                    variables = projection.in_order(full, variables)
                    ran = projection.explicit(full, variables)
                rows = []
                for count, solution in enumerate(answer):
                    # Reading rows takes the GIL: once the caller has given up (time limit),
                    # stop, or an abandoned query starves every other thread of the process.
                    if count % 1024 == 0 and abandoned:
                        return
                    rows.append(tuple(solution[v] for v in variables))
                outcome["result"] = OxResult("SELECT", variables, rows, text=ran, store=store)
            elif isinstance(answer, ox.QueryBoolean):
                outcome["result"] = OxResult("ASK", boolean=bool(answer), text=full, store=store)
            else:
                triples = []
                for count, triple in enumerate(answer):
                    if count % 1024 == 0 and abandoned:
                        return
                    triples.append(triple)
                outcome["result"] = OxResult("CONSTRUCT", triples=triples, text=full, store=store)
            outcome["result"].allow_service = allow_service
        except SyntaxError as exc:
            outcome["syntax"] = str(exc)
        except Exception as exc:  # evaluation errors, SERVICE failures
            outcome["error"] = " ".join(str(exc).split())[:300]

    # Oxigraph evaluates without holding the GIL, so the thread can be abandoned at the limit;
    # it cannot open a socket (mkgraph.store.offline) unless the user allowed SERVICE endpoints, which
    # the check has made sure are the only ones named.
    try:
        offline.run(
            evaluate, timeout if timeout and timeout > 0 else None, confined=not allow_service
        )
    except TimeoutError:
        abandoned.append(True)
        raise QueryTimeout(
            f"{source}: the query ran longer than {timeout:g} s and was stopped "
            "(raise the limit with --timeout)"
        ) from None
    if "syntax" in outcome:
        raise _syntax_error(full, source, outcome["syntax"])
    if "error" in outcome:
        raise QueryError(f"{source}: the query failed: {outcome['error']}")
    return outcome["result"]
