"""Writing query results: an aligned table for people, the W3C SPARQL 1.1 result formats for machines.

Every query answer, whichever engine or store gave it, offers the same members, and the writers
here (and the command line's) read only those, never the answer's class:

- `form`: SELECT, ASK, CONSTRUCT or DESCRIBE;
- `variables` and `rows` (SELECT): the column names, and tuples of RDF terms, None where unbound;
- `boolean` (ASK);
- `triples` (CONSTRUCT, DESCRIBE): the graph's triples, each (subject, predicate, object);
- `graph`: the same triples as an rdflib Graph, built when asked (mkgraph.store.engine).

A term may be rdflib's or Oxigraph's; the writers read both alike (`oxigraph_term`), so one
answer prints byte for byte the same whoever gave it.
"""

from __future__ import annotations

from mkgraph.core.errors import ParameterError
from mkgraph.core.formats import SELECT_FORMATS
from mkgraph.core.prefixes import BASE, PREFIXES, shorten

XSD = PREFIXES["xsd"]
# the forms whose answer is a graph (its `triples`), not a table
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def _cell(term) -> str:
    """A term as a person reads it: prefixed IRIs, bare literal values. Works for rdflib and
    pyoxigraph terms alike."""
    if term is None:
        return ""
    kind = type(term).__name__
    if kind in ("URIRef", "NamedNode"):
        return shorten(str(term.value if kind == "NamedNode" else term))
    if kind == "BlankNode":
        return f"_:{term.value}"
    if kind == "Literal" and hasattr(term, "datatype") and not isinstance(term, str):
        return term.value  # pyoxigraph Literal
    return str(term)


def _fit(widths: list[int], limit: int) -> list[int]:
    """Shrink the widest columns until a row fits the terminal."""
    widths = list(widths)
    gaps = 2 * (len(widths) - 1)
    while sum(widths) + gaps > limit and max(widths, default=0) > 8:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def _wrap(text: str, width: int) -> list[str]:
    """A cell's text in lines of at most `width`: wrapped at spaces, long words (a path, an IRI)
    broken, never cut off."""
    text = " ".join(text.split())
    if len(text) <= width:
        return [text]
    return _wrapped(text, width) or [""]


def _wrapped(text: str, width: int) -> list[str]:
    """textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) for a text whose
    only whitespace is single spaces between words (as _wrap makes it), without importing
    textwrap (about 2 ms of a cold query): the same greedy filling, a word longer than a line
    broken to fill the current one, spaces dropped at the ends of lines. (tests/test_wrapping.py
    compares the two.)"""
    if width <= 0:  # textwrap's own error
        import textwrap

        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)
    chunks: list[str] = []
    for word in text.split(" "):
        chunks += [" ", word] if chunks else [word]
    chunks.reverse()
    lines: list[str] = []
    while chunks:
        line: list[str] = []
        length = 0
        if chunks[-1] == " " and lines:
            del chunks[-1]
        while chunks and length + len(chunks[-1]) <= width:
            length += len(chunks[-1])
            line.append(chunks.pop())
        if chunks and len(chunks[-1]) > width:
            room = width - length
            line.append(chunks[-1][:room])
            chunks[-1] = chunks[-1][room:]
        if line and line[-1] == " ":
            del line[-1]
        if line:
            lines.append("".join(line))
    return lines


def _lines(cells: list[str], widths: list[int]) -> list[str]:
    wrapped = [_wrap(c, w) for c, w in zip(cells, widths, strict=False)]
    height = max((len(w) for w in wrapped), default=1)
    return [
        "  ".join(
            (w[i] if i < len(w) else "").ljust(width)
            for w, width in zip(wrapped, widths, strict=False)
        ).rstrip()
        for i in range(height)
    ]


MIN_COLUMN = 12


def _records(header: list[str], body: list[list[str]], limit: int) -> str:
    """One block per row, "name: value" per line: for results too wide for a table."""
    key_width = max(len(h) for h in header)
    lines = []
    for number, row in enumerate(body, start=1):
        lines.append(f"-[ row {number} ]" + "-" * max(0, min(limit, 40) - 12 - len(str(number))))
        for name, value in zip(header, row, strict=False):
            lines.append(f"{name.ljust(key_width)}  {' '.join(value.split())}".rstrip())
    lines.append(_count(len(body)))
    return "\n".join(lines)


def _own_iri(term) -> bool:
    """Whether a term is one of the graph's own identifiers (sys:sel4, lang:rust, ...)."""
    kind = type(term).__name__
    if kind not in ("URIRef", "NamedNode"):
        return False
    return str(term.value if kind == "NamedNode" else term).startswith(BASE)


def iri_columns(result) -> list[int]:
    """The columns that hold only the graph's own IRIs: identifiers a person reads by the name
    beside them. Homepages, Wikidata items and other outside IRIs are data and stay; a table
    whose every column is such a column keeps them all."""
    found = [
        index
        for index in range(len(result.variables))
        if any(row[index] is not None for row in result.rows)
        and all(row[index] is None or _own_iri(row[index]) for row in result.rows)
    ]
    return found if len(found) < len(result.variables) else []


def terminal_columns() -> int:
    """The terminal's width as shutil.get_terminal_size((80, 24)) gives it ($COLUMNS, else the
    width of the terminal on standard output, else 80), without importing shutil: its archive
    formats (zlib, bz2, lzma) cost a cold query a few ms."""
    import os
    import sys

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _count(rows: int) -> str:
    return f"({rows} row{'s' if rows != 1 else ''})"


def format_table(result, width: int | None = None, iris: bool = False) -> str:
    """Aligned columns that fit the terminal, long cells wrapped (never cut off); rows as records
    when columns would be unreadable. Columns of the graph's own IRIs are left out (a last line
    says which) unless `iris` asks for them."""
    if result.form == "ASK":
        return "yes" if result.boolean else "no"
    limit = width or terminal_columns()
    hidden = [] if iris else iri_columns(result)
    shown = [i for i in range(len(result.variables)) if i not in hidden]
    header = [result.variables[i] for i in shown]
    body = [[_cell(row[i]) for i in shown] for row in result.rows]
    note = ""
    if hidden:
        names = ", ".join(result.variables[i] for i in hidden)
        note = f"\n(IRI column{'s' if len(hidden) > 1 else ''} not shown: {names}; add --iris)"
    natural = [
        max([len(h)] + [len(" ".join(r[i].split())) for r in body]) for i, h in enumerate(header)
    ]
    widths = _fit(natural, limit)
    if any(w < min(n, MIN_COLUMN) for w, n in zip(widths, natural, strict=False)):
        return _records(header, body, limit) + note
    # A cell wider than its column wraps onto more lines: no answer is ever cut off.
    lines = _lines(header, widths)
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines += _lines(row, widths)
    lines.append(_count(len(body)))
    return "\n".join(lines) + note


def format_markdown(result) -> str:
    if result.form == "ASK":
        return "yes" if result.boolean else "no"

    def esc(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    lines = ["| " + " | ".join(result.variables) + " |"]
    lines.append("|" + "|".join(" --- " for _ in result.variables) + "|")
    for row in result.rows:
        lines.append("| " + " | ".join(esc(_cell(t)) for t in row) + " |")
    return "\n".join(lines)


def oxigraph_term(term):
    """An RDF term as Oxigraph's: its own pass as they are (and None, an unbound cell); rdflib's,
    which are str subclasses, by their kind. Asked of the term, never of the answer holding it."""
    if term is None or not isinstance(term, str):
        return term
    import pyoxigraph as ox
    from rdflib.term import BNode, Literal, URIRef  # loaded already: the term is rdflib's

    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def oxigraph_triples(triples) -> list:
    """A graph answer's triples (rdflib's tuples or Oxigraph's Triples) as Oxigraph Triples."""
    import pyoxigraph as ox

    return [
        t
        if isinstance(t, ox.Triple)
        else ox.Triple(*(oxigraph_term(term) for term in t))  # (subject, predicate, object)
        for t in triples
    ]


def _json_term(term) -> dict:
    """An RDF term in the SPARQL 1.1 Query Results JSON Format."""
    import pyoxigraph as ox

    term = oxigraph_term(term)
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


# Up to this many rows the JSON handed to Oxigraph is written here (json's import was 6M of a cold
# query's 270M instructions); a longer answer pays for it, whose C encoder is the faster.
_SMALL_ANSWER = 2000


def _json_text(data: dict) -> str:
    """json.dumps(data), the same text, for the strings, booleans, lists and dicts of a results
    document; with the C string encoder json itself uses (_json), not the package."""
    rows = data.get("results", {}).get("bindings", ())
    try:
        from _json import encode_basestring_ascii as string
    except ImportError:  # pragma: no cover  (another Python)
        rows = None
    if rows is None or len(rows) > _SMALL_ANSWER:
        import json

        return json.dumps(data)

    def text(value) -> str:
        if isinstance(value, str):
            return string(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{string(k)}: {text(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(text(item) for item in value) + "]"
        import json  # anything else, as json writes it

        return json.dumps(value)

    return text(data)


def w3c_results(result, fmt: str) -> str:
    """A SELECT or ASK result in a W3C result format (json, xml, csv, tsv), written by Oxigraph's
    writers from the terms themselves, so the same answer prints byte for byte alike whichever
    engine or store gave it."""
    import pyoxigraph as ox

    if result.form == "ASK":
        data: dict = {"head": {}, "boolean": bool(result.boolean)}
    else:
        data = {
            "head": {"vars": list(result.variables)},
            "results": {
                "bindings": [
                    {
                        v: _json_term(t)
                        for v, t in zip(result.variables, row, strict=False)
                        if t is not None
                    }
                    for row in result.rows
                ]
            },
        }
    parsed = ox.parse_query_results(_json_text(data).encode(), format=ox.QueryResultsFormat.JSON)
    formats = {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }
    return (parsed.serialize(format=formats[fmt]) or b"").decode("utf-8")


def format_select(result, fmt: str, width: int | None = None, iris: bool = False) -> str:
    """Render a SELECT or ASK result in one of SELECT_FORMATS (`iris`: see format_table)."""
    if fmt == "table":
        return format_table(result, width, iris)
    if fmt == "markdown":
        return format_markdown(result)
    if fmt not in ("csv", "tsv", "json", "xml"):
        choices = ", ".join(SELECT_FORMATS)
        raise ParameterError(f"unknown result format {fmt!r} (choose from {choices})")
    if fmt in ("csv", "tsv") and result.form == "ASK":
        return "true" if result.boolean else "false"
    text = w3c_results(result, fmt)
    # CSV keeps its \r\n line ends (RFC 4180) but, like the rest, ends without a newline
    return text.rstrip("\r\n") if fmt in ("csv", "tsv") else text.rstrip("\n")


def format_graph(result, fmt: str, context: dict | None = None) -> str:
    """A CONSTRUCT or DESCRIBE answer's triples in one of GRAPH_FORMATS (`context`: JSON-LD's).
    The triples are taken in sorted order: rdflib's writers follow the order they were added
    in, so whichever engine gave them, and in whatever order, one process prints them alike.
    N-Triples and N-Quads are written line by line by Oxigraph (the same, run after run); the
    other formats by rdflib (Turtle, JSON-LD with the context, RDF/XML), mkgraph's prefixes bound."""
    triples = sorted(oxigraph_triples(result.triples), key=str)
    if fmt in ("ntriples", "nquads"):
        from mkgraph.store.export import serialize_triples

        return serialize_triples(triples, fmt).rstrip("\n")
    from mkgraph.store.engine import rdflib_graph
    from mkgraph.store.export import serialize

    return serialize(rdflib_graph(triples), fmt, context)
