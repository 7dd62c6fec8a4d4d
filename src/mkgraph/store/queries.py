"""Stored queries: a .rq file whose opening comment lines give its title, description and parameters.

    #+ title: Descendants of a system
    #+ description: Every system that descends from the given one, with the path and depth.
    #+ param: of = seL4 (system) the system whose descendants are listed

A parameter is a SPARQL variable of the same name (``?of``), bound as an RDF term before the query
runs — its value never becomes query text. What engines would bind differently (a parameter
assigned by BIND, VALUES or AS, used in a MINUS, or used in a subquery where its term cannot be
written in) is refused when the file is read (see check_parameters). Its kind says how a value is read: a name of a system,
language, architecture, trait, interface or family (matched against labels and alternative labels,
case-insensitively), or a plain string, integer, date (a year, a day or "today", see
mkgraph.store.periods) or IRI.
"""

from __future__ import annotations

import re
from collections import namedtuple
from functools import lru_cache
from pathlib import Path

from mkgraph.core.errors import QueryError, UnknownNameError

PARAM_KINDS = (
    "system",
    "language",
    "architecture",
    "trait",
    "interface",
    "family",
    "agent",
    "string",
    "integer",
    "date",
    "iri",
)
_HEADER = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*(?:=\s*(?P<default>[^()]*?))?\s*\((?P<kind>\w+)\)\s*(?P<doc>.*)$"
)


# Records as named tuples, not dataclasses: importing dataclasses (and inspect with it) cost a
# cold query about a tenth of its time (README, Performance).
class Parameter(namedtuple("Parameter", "name kind default description")):
    """A stored query's parameter: name, kind (one of PARAM_KINDS), default (or None), and its
    description."""

    __slots__ = ()


class StoredQuery(
    namedtuple("StoredQuery", "name path title description text parameters", defaults=((),))
):
    """A stored query: its name (the file's stem), path, title, description, text, and its
    Parameters (a tuple)."""

    __slots__ = ()

    @property
    def is_violation_check(self) -> bool:
        return self.name.endswith("-violation")

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise UnknownNameError(
            f"query {self.name!r} has no parameter {name!r} (its parameters: {known})"
        )


def parse_stored_query(path: Path) -> StoredQuery:
    """Read a .rq file and its header; a malformed header is an error, not ignored. The file is
    read at every call (an edit is seen at once: a server answers it as edited), its header
    parsed and checked once per content (a server's stored-query requests read the same few
    files again and again)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read stored query ({exc})") from None
    return _parsed(path, text)


@lru_cache(maxsize=256)
def _parsed(path: Path, text: str) -> StoredQuery:
    """A stored query from its file's text; keyed by the text, an entry is never stale (errors,
    raised, are not kept)."""
    fields: dict[str, str] = {}
    parameters: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break  # the header ends where the query begins
            continue
        match = _HEADER.match(line)
        if not match:
            raise QueryError(f"{path}:{number}: malformed header line {line!r}")
        key, value = match.group(1), match.group(2).strip()
        if key == "param":
            parameters.append(_parse_parameter(path, number, value))
        elif key in ("title", "description"):
            if key in fields:
                raise QueryError(f"{path}:{number}: second {key!r} in the header")
            fields[key] = value
        else:
            raise QueryError(f"{path}:{number}: unknown header field {key!r}")
    for required in ("title", "description"):
        if not fields.get(required):
            raise QueryError(f"{path}: the header has no {required!r} line")
    check_parameters(path, text, [p.name for p in parameters])
    return StoredQuery(
        name=path.stem,
        path=path,
        title=fields["title"],
        description=fields["description"],
        text=text,
        parameters=tuple(parameters),
    )


def _parse_parameter(path: Path, number: int, value: str) -> Parameter:
    match = _PARAM.match(value)
    if not match:
        raise QueryError(
            f"{path}:{number}: malformed parameter {value!r} (expected 'name = default (kind) text')"
        )
    kind = match.group("kind")
    if kind not in PARAM_KINDS:
        raise QueryError(f"{path}:{number}: unknown parameter kind {kind!r}")
    default = match.group("default")
    return Parameter(
        name=match.group("name"),
        kind=kind,
        default=default.strip() if default and default.strip() else None,
        description=match.group("doc").strip(),
    )


def list_stored_queries(folder: Path) -> list[StoredQuery]:
    return [parse_stored_query(path) for path in sorted(folder.glob("*.rq"))]


def find_stored_query(folder: Path, name: str) -> StoredQuery:
    path = folder / f"{name}.rq"
    if re.fullmatch(r"[A-Za-z0-9_.-]+", name) and path.is_file():
        return parse_stored_query(path)
    from difflib import get_close_matches

    names = [p.stem for p in sorted(folder.glob("*.rq"))]
    close = get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see 'mkgraph queries'"
    raise UnknownNameError(f"no stored query named {name!r}{hint}")


_CHECKED_VERSION = "1"  # bump when check_parameters refuses more


def check_parameters(path: Path, text: str, names: list[str]) -> None:
    """Refuse a parameter that engines would bind differently. Oxigraph binds a parameter by
    writing its term into the query, or by a VALUES block joined with the outer WHERE clause;
    rdflib binds it before evaluation. Inside a subquery only the first agrees with rdflib (a
    VALUES block joined outside is not seen there: 26 rows against 5 in the issue that found
    it), so a subquery may use a parameter only where its term can be written in; in a MINUS the
    two differ too, and BIND, VALUES or AS would assign it a second time. Decided on rdflib's parse of the
    query, not on its text; a verdict is remembered by the query's content hash, so the parse is
    paid once per version of the file."""
    if not names:
        return
    from mkgraph.store.cache import blake2b  # not hashlib: see there

    digest = blake2b(f"{_CHECKED_VERSION}\0{' '.join(names)}\0{text}".encode()).hexdigest()
    marker = _verdict_marker(digest)
    if marker is not None and marker.is_file():
        return
    from rdflib import Variable
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    from mkgraph.core.prefixes import PREFIXES
    from mkgraph.store.engine import RDFLIB_PARSER_LOCK

    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    try:
        with RDFLIB_PARSER_LOCK:
            tree = parseQuery(prologue + text)
    except Exception:
        from mkgraph.store import engine

        engine.prepare(text, str(path))  # raises the parser's error, one line, with its position
        raise QueryError(f"{path}: the query is not valid SPARQL") from None
    wanted = {Variable(name) for name in names}

    def refuse(variable, where: str):
        raise QueryError(
            f"{path}: parameter ?{variable} cannot be bound the same way on every engine: it is "
            f"{where} (never assign a parameter with BIND, VALUES or AS, use it in a MINUS, or use it "
            "in a subquery of a query that has VALUES or SELECT * or projects or groups by it)"
        )

    in_subquery: set[Variable] = set()
    projected: set[Variable] = set()
    found = {"values": False, "star": False}

    def walk(node, where: str | None) -> None:
        if isinstance(node, Variable):
            if node in wanted and where == "used inside a MINUS":
                refuse(node, where)
            if node in wanted and where is not None:
                in_subquery.add(node)
            return
        if isinstance(node, CompValue):
            if node.name in ("SelectQuery", "SubSelect") and "projection" not in node:
                found["star"] = True
            if node.name == "SubSelect":
                where = where or "used inside a subquery"
            elif node.name == "MinusGraphPattern":
                where = "used inside a MINUS"
            elif node.name in ("InlineData", "ValuesClause"):
                found["values"] = True
            elif node.name == "GroupClause":
                projected.update(v for v in _variables(node) if v in wanted)
            assigned = {
                "Bind": "assigned by BIND ... AS",
                "InlineData": "given VALUES",
                "ValuesClause": "given VALUES",
                "vars": "assigned by ... AS in the projection",
            }.get(node.name)
            for key, value in node.items():
                if assigned and key in ("var", "evar") and (key == "evar" or node.name != "vars"):
                    for variable in value if isinstance(value, list) else [value]:
                        if variable in wanted:
                            refuse(variable, assigned)
                if node.name == "vars" and key == "var" and value in wanted:
                    projected.add(value)
                walk(value, where)
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            for item in node:
                walk(item, where)

    def _variables(node) -> list:
        if isinstance(node, Variable):
            return [node]
        items = node.values() if isinstance(node, CompValue) else node
        if isinstance(node, (CompValue, list, tuple)) or type(node).__name__ == "ParseResults":
            return [v for item in items for v in _variables(item)]
        return []

    walk(list(tree), None)
    # Inside a subquery a parameter is bound only by writing its term into the query text (as
    # rdflib binds it before evaluation); that is impossible, and Oxigraph would join a VALUES
    # block with the outer query instead, when the query has a VALUES block or a SELECT *, or
    # projects or groups by the parameter.
    for variable in sorted(in_subquery):
        if found["values"] or found["star"] or variable in projected:
            refuse(
                variable,
                "used inside a subquery of a query with VALUES, SELECT * or the "
                "parameter projected or grouped by",
            )
    if marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # no cache: checked again next time


def _verdict_marker(digest: str) -> Path | None:
    from mkgraph.store.cache import cache_folder

    folder = cache_folder()
    return None if folder is None else folder / "checked-queries" / digest[:32]
