"""Loading the sources straight into Oxigraph, for commands that never need an rdflib Graph.

rdflib's Turtle parser costs about a third of a second on the bundled data (and its import a
tenth); Oxigraph parses the same files in a few milliseconds. The checks stay the same: Oxigraph's
strict parser refuses bad IRIs, the typed literals are checked against their XSD lexical forms (mkgraph.literals), and any file Oxigraph refuses
is handed to the rdflib loader, whose messages (file:line:col, in plain words) are the ones users
and the bad-input corpus know. JSON-LD and RDF/XML always go through the rdflib loader, which
refuses remote contexts and DTDs.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from mkgraph.errors import DataError
from mkgraph.literals import LEXICAL, well_typed
from mkgraph.prefixes import shorten
from mkgraph.sourcetext import line_of, read_text

def _check_literals(path: Path, text: str, quads: list) -> None:
    for quad in quads:
        term = quad.object
        if isinstance(term, ox.Literal) and term.datatype.value in LEXICAL \
                and not well_typed(term.value, term.datatype.value):
            raise DataError(path, f"literal {term.value!r} is not a valid "
                                  f"{shorten(term.datatype.value)}", line_of(text, f'"{term.value}"'))


def _rdflib_triples(path: Path) -> list:
    """Parse with the rdflib loader (its checks, its messages) and hand the triples to Oxigraph."""
    from mkgraph import graph as graph_module

    ntriples = graph_module.parse_file(path).serialize(format="nt").encode("utf-8")
    return list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True))


def parse_file(path: Path) -> list:
    """One source file's triples as Oxigraph quads (default graph), checked."""
    if path.suffix.lower() != ".ttl":
        return _rdflib_triples(path)
    text = read_text(path)
    try:
        quads = list(ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                              rename_blank_nodes=True))
    except SyntaxError as exc:
        _rdflib_triples(path)  # raises the rdflib loader's DataError for the same problem
        line, column = (exc.args[1][1], exc.args[1][2]) if len(exc.args) > 1 else (None, None)
        message = str(exc.args[0]).split(": ", 1)[-1] if exc.args else str(exc)
        raise DataError(path, f"Turtle syntax error: {message}", line, column) from None
    except RecursionError:
        raise DataError(path, "Turtle nested too deeply") from None
    _check_literals(path, text, quads)
    return quads


def load_store(files: list[Path]) -> ox.Store:
    """Every file parsed and checked, in one in-memory Oxigraph store."""
    store = ox.Store()
    for path in files:
        store.bulk_extend(parse_file(path))
    return store

