"""Loading the graph: every ontology and data file parsed into one rdflib Graph, with errors that
name the file, line and column instead of rdflib's tracebacks."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from mkgraph.core.errors import DataError, ResourceError
from mkgraph.core.literals import well_typed
from mkgraph.core.namespaces import bind_prefixes
from mkgraph.core.resources import Resources
from mkgraph.core.sourcetext import Source, read_source, read_sources
from mkgraph.core.sourcetext import line_of as _line_of
from mkgraph.core.sourcetext import position as _position
from mkgraph.store import sourcechecks
from mkgraph.store.names import shorten
from mkgraph.store.sourcechecks import RELATIVE_BASE, RELATIVE_WEB_BASE

# rdflib logs whole tracebacks for ill-typed literals; mkgraph reports them itself.
logging.getLogger("rdflib").setLevel(logging.CRITICAL)

_BAD_IRI_CHARS = re.compile(r'[\s<>"{}|^`\\]')


def _source(file: Path | Source) -> Source:
    return file if isinstance(file, Source) else read_source(Path(file))


def parse_turtle(file: Path | Source, into: Graph | None = None) -> Graph:
    """Parse one Turtle file, raising DataError with file, line and column on any problem."""
    return _parse_turtle_family(file, into, "turtle")


def parse_trig(file: Path | Source, into: Graph | None = None) -> Graph:
    """Parse one TriG file (facts in named graphs, one per source or annotation) and expand it
    into plain triples with reified provenance (mkgraph.store.expand), with the Turtle loader's errors."""
    return _parse_turtle_family(file, into, "trig")


def _rdflib_terms():
    from rdflib import BNode

    from mkgraph.store.expand import Terms

    return Terms(iri=URIRef, blank=BNode, is_blank=lambda term: isinstance(term, BNode))


def parse_text(text: str, syntax: str) -> Graph:
    """Text in Turtle or TriG (expanded into statement nodes); rdflib's own exceptions (the
    callers here turn them into DataErrors)."""
    if syntax == "turtle":
        graph = Graph()
        graph.parse(data=text, format="turtle", publicID=RELATIVE_BASE)
        return graph
    from rdflib import Dataset
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    from mkgraph.store.expand import expand

    dataset = Dataset()
    dataset.parse(data=text, format="trig", publicID=RELATIVE_BASE)
    quads = (
        (s, p, o, None if g == DATASET_DEFAULT_GRAPH_ID else g) for s, p, o, g in dataset.quads()
    )
    graph = Graph()
    for triple in expand(quads, _rdflib_terms()):
        graph.add(triple)
    return graph


def _parse_turtle_family(file: Path | Source, into: Graph | None, syntax: str) -> Graph:
    graph = into if into is not None else Graph()
    source = _source(file)
    path, text = source.path, source.text
    name = "Turtle" if syntax == "turtle" else "TriG"
    try:
        scratch = parse_text(text, syntax)
    except BadSyntax as exc:
        if "EOF" in str(exc._why):
            line, column = _position(text, len(text.rstrip()))
            raise DataError(
                path, f"{name} syntax error: unexpected end of file (missing '.'?)", line, column
            ) from None
        consumed = exc._str.decode("utf-8", "replace") if isinstance(exc._str, bytes) else exc._str
        line, column = _position(consumed, exc._i)
        raise DataError(path, f"{name} syntax error: {exc._why}", line, column) from None
    except (IndexError, EOFError):
        # rdflib's Turtle parser runs off the end of a statement that lacks its final dot.
        line, column = _position(text, len(text.rstrip()))
        raise DataError(
            path, f"{name} syntax error: unexpected end of file (missing '.'?)", line, column
        ) from None
    except RecursionError:
        raise DataError(path, f"{name} nested too deeply") from None
    except Exception as exc:  # any other parser failure still becomes one clean line
        raise DataError(
            path, f"cannot parse as {name}: {' '.join(str(exc).split())[:200]}"
        ) from None
    _check_terms(path, text, scratch)
    graph += scratch
    return graph


def _check_terms(path: Path, text: str, graph: Graph) -> None:
    """rdflib accepts IRIs with spaces and literals that do not fit their datatype; we do not."""
    rest: dict[str, str] = {}
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                sourcechecks.check_iri(path, text, str(term))
                if _BAD_IRI_CHARS.search(str(term)):
                    raise DataError(path, f"bad IRI <{term}>", _line_of(text, str(term)))
            if isinstance(term, Literal):
                sourcechecks.check_literal(path, text, str(term))
                if term.ill_typed or not well_typed(
                    str(term), str(term.datatype) if term.datatype else ""
                ):
                    raise DataError(
                        path,
                        f"literal {sourcechecks.shown(str(term))!r} is not a valid "
                        f"{shorten(term.datatype)}",
                        _line_of(text, f'"{term}"'),
                    )
        if str(triple[1]) == sourcechecks.RDF_REST:
            rest[str(triple[0])] = str(triple[2])
    sourcechecks.check_lists(path, rest)


def remote_contexts(value) -> list[str]:
    """Every context in a JSON-LD document (or context) that would have to be fetched: a context
    given by its address, at any depth (scoped contexts too), and every @import."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                contexts = item if isinstance(item, list) else [item]
                found += [c for c in contexts if isinstance(c, str)]
            elif key == "@import":
                found.append(item if isinstance(item, str) else json.dumps(item))
            found += remote_contexts(item)
    elif isinstance(value, list):
        for item in value:
            found += remote_contexts(item)
    return found


def parse_jsonld(file: Path | Source, into: Graph | None = None) -> Graph:
    """Parse a JSON-LD file; a context that would be fetched from elsewhere is refused."""
    graph = into if into is not None else Graph()
    source = _source(file)
    path, text = source.path, source.text
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise DataError(path, "JSON nested too deeply") from None
    remote = remote_contexts(document)
    if remote:
        raise DataError(
            path,
            f"remote JSON-LD context {remote[0][:100]!r} refused: "
            "mkgraph never fetches anything; inline the context",
        )
    scratch = Graph()
    try:
        scratch.parse(data=text, format="json-ld", publicID=RELATIVE_WEB_BASE)
    except Exception as exc:
        raise DataError(
            path, f"cannot read as JSON-LD: {' '.join(str(exc).split())[:200]}"
        ) from None
    _check_terms(path, text, scratch)
    graph += scratch
    return graph


def parse_rdfxml(file: Path | Source, into: Graph | None = None) -> Graph:
    """Parse an RDF/XML file; DTDs and entities (expansion bombs, external files) are refused."""
    from xml.sax import SAXParseException

    graph = into if into is not None else Graph()
    source = _source(file)
    path, text = source.path, source.text
    match = re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE)
    if match:
        line, column = _position(text, match.start())
        raise DataError(
            path,
            "XML DTDs and entities are refused (they can expand without bound or read other files)",
            line,
            column,
        )
    scratch = Graph()
    try:
        scratch.parse(data=text, format="xml", publicID=RELATIVE_WEB_BASE)
    except SAXParseException as exc:
        raise DataError(
            path,
            f"not well-formed XML: {exc.getMessage()}",
            exc.getLineNumber(),
            exc.getColumnNumber(),
        ) from None
    except Exception as exc:
        raise DataError(
            path, f"cannot read as RDF/XML: {' '.join(str(exc).split())[:200]}"
        ) from None
    _check_terms(path, text, scratch)
    graph += scratch
    return graph


PARSERS = {
    ".ttl": parse_turtle,
    ".trig": parse_trig,
    ".jsonld": parse_jsonld,
    ".rdf": parse_rdfxml,
    ".owl": parse_rdfxml,
}


def parse_file(file: Path | Source, into: Graph | None = None) -> Graph:
    """Parse one file (a path, read once, or bytes already read) by its extension: Turtle,
    TriG, JSON-LD or RDF/XML."""
    path = file.path if isinstance(file, Source) else Path(file)
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise DataError(
            path, f"unknown file type {path.suffix!r} (use .ttl, .trig, .jsonld or .rdf)"
        )
    return parser(file, into)


def load_files(files: list[Path] | list[Source]) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for file in files:
        parse_file(file, into=graph)
    return graph


def load(resources: Resources, sources: list[Source] | None = None) -> Graph:
    """The whole graph: ontology and data, as asserted (no inference); from `sources` when the
    files were already read (so every loader sees the same bytes)."""
    if sources is None:
        if not resources.data_files(resources.data):
            raise ResourceError(f"{resources.data}: no data files (.ttl, .trig, .jsonld or .rdf)")
        sources = read_sources(resources.graph_files())
    return load_files(sources)


def load_shapes(resources: Resources) -> Graph:
    files = resources.turtle_files(resources.shapes)
    if not files:
        raise ResourceError(f"{resources.shapes}: no .ttl shapes files")
    return load_files(files)
