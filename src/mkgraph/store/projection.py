"""The columns of SELECT *: the query's variables in the order they first appear in it, on every
engine. SPARQL leaves that order open; Oxigraph sorts the names and rdflib follows its own
internal order, so the same query printed different tables on the two engines."""

from __future__ import annotations

import re

# Strings, IRIs and comments: their text may look like variables or keywords without being either.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(\*)", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)


def _masked(text: str) -> str:
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), text)


def star_position(text: str) -> int | None:
    """Where the * of the outer query's SELECT * is, or None when it names its columns."""
    masked = _masked(text)
    first = _SELECT.search(masked)
    # where a SELECT * matches, a SELECT does: the first SELECT * is the first SELECT only if it
    # matches there (not a search of the whole text, case-insensitive: most of this function)
    star = None if first is None else _STAR.match(masked, first.start())
    if star is None:
        return None
    return star.start(1)


def in_order(text: str, variables: list[str]) -> list[str]:
    """The variables by their first appearance in the query (those not found keep their order,
    after the others)."""
    masked = _masked(text)
    found: dict[str, int] = {}
    for match in re.finditer(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\uffff]+)", masked):
        found.setdefault(match.group(1), match.start())
    position = {name: found.get(name, len(masked) + index) for index, name in enumerate(variables)}
    return sorted(variables, key=position.__getitem__)


def explicit(text: str, variables: list[str]) -> str:
    """The query with its SELECT * replaced by the variables in order, so a writer that runs it
    again (Oxigraph's JSON, XML, CSV, TSV) puts the columns in the same order."""
    star = star_position(text)
    if star is None or not variables:
        return text
    return text[:star] + " ".join(f"?{v}" for v in variables) + text[star + 1 :]
