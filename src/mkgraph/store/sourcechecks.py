"""Checks both loaders (rdflib's and Oxigraph's) apply to every parsed file, in the same words.

- Relative IRIs are refused. Oxigraph parses Turtle without a base, so it refuses them itself; the
  rdflib loader parses against RELATIVE_BASE (Turtle: a scheme no real IRI uses) or
  RELATIVE_WEB_BASE (JSON-LD, RDF/XML: a reserved host), so every relative reference (``<foo>``,
  ``<#x>``, ``</a/b>``, ``<//host/x>``) comes out starting with it and is caught here. Resolving them against the file's own location would
  put a local path (``file:///home/...``) into every export and make the same bytes mean different
  IRIs in two folders; resolving them against any fixed public base would silently mint IRIs
  nobody governs (a ``<sel4>`` typo would become a new resource). A file that declares its own
  base (``@base``, JSON-LD ``@base``, ``xml:base``) resolves against that, as written.
- Text that is not Unicode (a lone surrogate written as ``\\uD800``) is refused, since no writer
  can put it out again.
- A term is at most MAX_TERM_BYTES long (Oxigraph's Turtle parser stops at 16 MB; both loaders
  refuse from half that, so they agree).
- An RDF list whose rdf:rest chain loops back on itself is refused (pySHACL and rudof fail on it).
"""

from __future__ import annotations

import re
from pathlib import Path

from mkgraph.core.errors import DataError
from mkgraph.core.sourcetext import line_of

RELATIVE_SCHEME = "mkgraph-relative-iri"
RELATIVE_BASE = RELATIVE_SCHEME + ":/"  # for Turtle: both parsers resolve any reference against it
# rdflib's JSON-LD and RDF/XML parsers resolve only against http(s) bases (an unknown scheme drops
# the triple); .invalid is a reserved name that never resolves.
RELATIVE_WEB_BASE = "https://relative-iri.invalid/"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
MAX_TERM_BYTES = 8 << 20
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"


def shown(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _relative(iri: str) -> list[str]:
    """The ways the reference may have been written, if the IRI came from a relative one."""
    for base in (RELATIVE_SCHEME + ":", RELATIVE_WEB_BASE[:-1]):
        if iri.startswith(base):
            written = iri[len(base) :]  # "/x" came from "x" or "/x"; "//h/x" from "//h/x"
            if written.startswith("/") and written[1:2] != "/":
                return [written[1:], written]
            return [written]
    return [] if _SCHEME.match(iri) else [iri]


def check_iri(path: Path, text: str, iri: str) -> None:
    spellings = _relative(iri)
    if spellings:
        found = [
            (line, written)
            for written in spellings
            for line in (line_of(text, f"<{written}>") or line_of(text, f'"{written}"'),)
            if line is not None
        ]
        line, written = found[0] if found else (None, spellings[0])
        raise DataError(
            path,
            f"relative IRI <{shown(written)}> refused: write the IRI in full "
            "(or declare @base in the file)",
            line,
        )
    _check_text(path, text, iri, "IRI")


def check_literal(path: Path, text: str, value: str) -> None:
    _check_text(path, text, value, "literal")


def _check_text(path: Path, text: str, value: str, kind: str) -> None:
    if len(value) > MAX_TERM_BYTES // 4 and len(value.encode("utf-8", "surrogatepass")) > (
        MAX_TERM_BYTES
    ):
        raise DataError(path, f"a {kind} is longer than {MAX_TERM_BYTES >> 20} MB")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ord(value[exc.start])
        raise DataError(
            path,
            f"{kind} {shown(value[:40])!r} holds \\u{bad:04X}, a lone surrogate (not a character)",
            line_of(text, f"\\u{bad:04X}") or line_of(text, f"\\u{bad:04x}"),
        ) from None


def check_lists(path: Path, rest: dict[str, str]) -> None:
    """`rest` maps each list node to its rdf:rest; a chain that comes back to a node is refused."""
    finished: set[str] = set()
    for start in rest:
        trail: set[str] = set()
        node: str | None = start
        while node is not None and node in rest and node not in finished:
            if node in trail:
                raise DataError(path, "an RDF list's rdf:rest chain loops back on itself")
            trail.add(node)
            node = rest[node]
        finished |= trail
