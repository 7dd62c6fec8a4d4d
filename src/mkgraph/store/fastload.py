"""Loading the sources straight into Oxigraph, for commands that never need an rdflib Graph.

rdflib's Turtle parser costs about a third of a second on the bundled data (and its import a
tenth); Oxigraph parses the same files in a few milliseconds. The checks stay the same: Oxigraph's
strict parser refuses bad IRIs, the typed literals are checked against their XSD lexical forms (mkgraph.core.literals), and any file Oxigraph refuses
is handed to the rdflib loader, whose messages (file:line:col, in plain words) are the ones users
and the bad-input corpus know. JSON-LD and RDF/XML always go through the rdflib loader, which
refuses remote contexts and DTDs.

Blank nodes (statement nodes, inline values) are named after their file's path and their order
in it: a file loads to the same names every time, and an edit that adds or removes no blank node
renames none (one that does renames those after it), so what a subject is in the graph reads the
same from load to load (validation remembers its findings by that: mkgraph.checks.incremental).
No two files share a name.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pyoxigraph as ox

from mkgraph.core.errors import DataError
from mkgraph.core.literals import LEXICAL, well_typed
from mkgraph.core.prefixes import shorten
from mkgraph.core.sourcetext import Source, line_of, read_source
from mkgraph.store import sourcechecks
from mkgraph.store.expand import Terms, expand
from mkgraph.store.sourcechecks import RDF_REST

_RDF_REST = ox.NamedNode(RDF_REST)


def _checked_literal(path: Path, text: str, term, long_terms_possible: bool) -> None:
    if long_terms_possible:
        sourcechecks.check_literal(path, text, term.value)
    if term.datatype.value in LEXICAL and not well_typed(term.value, term.datatype.value):
        raise DataError(
            path,
            f"literal {sourcechecks.shown(term.value)!r} is not a valid "
            f"{shorten(term.datatype.value)}",
            line_of(text, f'"{term.value}"'),
        )


def _rdflib_triples(source: Source) -> list:
    """Parse with the rdflib loader (its checks, its messages) and hand the triples to Oxigraph."""
    from mkgraph.store import graph as graph_module

    ntriples = graph_module.parse_file(source).serialize(format="nt").encode("utf-8")
    return list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True))


class _BlankNames:
    """Names for one file's blank nodes: a digest of the file's path, then a number in the order
    the nodes appear (the parser's own names for anonymous nodes are random)."""

    def __init__(self, source: Source):
        path = str(source.path).encode("utf-8", "surrogateescape")
        self._prefix = "b" + hashlib.sha256(path).hexdigest()[:20] + "n"
        self._numbers = itertools.count()
        self._names: dict[ox.BlankNode, ox.BlankNode] = {}
        self.terms = Terms(iri=ox.NamedNode, blank=self.fresh, is_blank=_is_blank)

    def fresh(self) -> ox.BlankNode:
        return ox.BlankNode(f"{self._prefix}{next(self._numbers)}")

    def of(self, term):
        if type(term) is not ox.BlankNode:
            return term
        name = self._names.get(term)
        if name is None:
            name = self._names[term] = self.fresh()
        return name


def _is_blank(term) -> bool:
    return isinstance(term, ox.BlankNode)


def _expanded(quads, names: _BlankNames):
    """A TriG file's quads with each named-graph fact reified (mkgraph.store.expand), as default-graph
    quads; a TriG file is read whole, since its annotations may follow the facts they annotate."""
    rename, default = names.of, ox.DefaultGraph
    plain = [
        (
            rename(q.subject),
            q.predicate,
            rename(q.object),
            None if type(q.graph_name) is default else rename(q.graph_name),
        )
        for q in quads
    ]
    quad = ox.Quad
    for s, p, o in expand(plain, names.terms):
        yield quad(s, p, o)


def iter_file(file: Path | Source):
    """One source file's triples as Oxigraph quads (default graph), checked as they stream by,
    so a million-triple file never sits in Python objects all at once. A path is read once; a
    Source is parsed from the bytes already read. A TriG file's named-graph facts are expanded
    into statement nodes (mkgraph.store.expand), as the rdflib loader does."""
    source = file if isinstance(file, Source) else read_source(Path(file))
    path = source.path
    suffix = path.suffix.lower()
    if suffix not in (".ttl", ".trig"):
        yield from _rdflib_triples(source)
        return
    text = source.text
    syntax = "Turtle" if suffix == ".ttl" else "TriG"
    # A term cannot be longer than its file: only a large file needs its literals measured.
    long_terms_possible = len(source.data) > sourcechecks.MAX_TERM_BYTES
    rest: dict[str, str] = {}
    try:
        # No base IRI: Oxigraph then refuses every relative IRI itself (a file's own @base still
        # applies), and the file goes to the rdflib loader, which names the IRI and its line.
        names = _BlankNames(source)
        parsed = ox.parse(
            text, format=ox.RdfFormat.TURTLE if suffix == ".ttl" else ox.RdfFormat.TRIG
        )
        turtle = suffix == ".ttl"  # a TriG file's blank nodes are renamed as it is expanded
        rename, blank, literal, make = names.of, ox.BlankNode, ox.Literal, ox.Quad
        for quad in parsed if turtle else _expanded(parsed, names):
            # each term read once (each read makes a new Python object): the hot loop at 1M
            subject, value = quad.subject, quad.object
            if turtle and (type(subject) is blank or type(value) is blank):
                subject, value = rename(subject), rename(value)
                quad = make(subject, quad.predicate, value)
            if type(value) is literal:
                _checked_literal(path, text, value, long_terms_possible)
            elif quad.predicate == _RDF_REST:
                rest[str(subject)] = str(value)
            yield quad
    except SyntaxError as exc:
        _rdflib_triples(source)  # raises the rdflib loader's DataError for the same problem
        line, column = (exc.args[1][1], exc.args[1][2]) if len(exc.args) > 1 else (None, None)
        message = str(exc.args[0]).split(": ", 1)[-1] if exc.args else str(exc)
        raise DataError(path, f"{syntax} syntax error: {message}", line, column) from None
    except MemoryError:  # Oxigraph's parser stops at a 16 MB token
        limit = sourcechecks.MAX_TERM_BYTES >> 20
        raise DataError(path, f"a literal or IRI is longer than {limit} MB") from None
    except RecursionError:
        raise DataError(path, f"{syntax} nested too deeply") from None
    sourcechecks.check_lists(path, rest)


def parse_file(file: Path | Source) -> list:
    """One source file's triples, checked, as a list."""
    return list(iter_file(file))


def load_store(files: list[Path] | list[Source], folder: Path | None = None) -> ox.Store:
    """Every file parsed and checked, in one in-memory Oxigraph store (a failure midway leaves
    only this new store half-filled, and it is dropped with the error). With a cache `folder`,
    a file parsed and checked before is read back from its remembered triples
    (mkgraph.store.parsecache), and a file parsed now is remembered."""
    if folder is None:
        store = ox.Store()
        for file in files:
            store.bulk_extend(iter_file(file))
        return store
    return _load_remembered(
        [file if isinstance(file, Source) else read_source(Path(file)) for file in files], folder
    )


def _load_remembered(sources: list[Source], folder: Path) -> ox.Store:
    from mkgraph.store import parsecache

    places = [parsecache.entry(folder, source) for source in sources]
    texts: list[bytes | None] = [parsecache.read(place) for place in places]
    fresh = [i for i, text in enumerate(texts) if text is None]
    # Each file parsed now goes into a store of its own, to be written out alone; the largest
    # one's store then takes in the rest, so no file is loaded twice at a million triples.
    largest = max(fresh, key=lambda i: len(sources[i].data), default=None)
    store = ox.Store()
    for i in fresh:  # in the files' order: the first bad file is the one reported
        own = ox.Store()
        own.bulk_extend(iter_file(sources[i]))
        text = own.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
        parsecache.write(places[i], text)
        texts[i] = None if i == largest else text
        if i == largest:
            store = own
    if fresh:
        parsecache.prune(folder)
    # In one parse (each file's blank node names are its own), lenient: these are Oxigraph's own
    # N-Triples of checked triples, their digest verified (a third faster than the strict parse).
    # parse() keeps the blank nodes' names, where Store.load would rename them.
    remembered = b"".join(text for text in texts if text)
    if remembered:
        store.bulk_extend(ox.parse(remembered, format=ox.RdfFormat.N_TRIPLES, lenient=True))
    return store
