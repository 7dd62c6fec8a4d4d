"""Splitting a large graph into pieces rudof can validate one at a time, so validation's memory is
bounded by the piece, not the graph (rudof keeps its own in-memory copy of whatever it is given).

This is sound only for shapes whose every constraint looks at the focus node's own triples and at
the types of its values (validation.shapes_are_local decides): a piece holds whole subjects (every
triple of each), the rdf:type triples of the nodes its triples point at, and every rdfs:subClassOf
triple. A problem counts only for a focus node whose triples are in the piece; the other nodes a
piece mentions (typed values can be focus nodes too) are validated in their own piece.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUB_CLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
CHUNK_TRIPLES = 25_000  # rudof needs about 8 KB a triple: pieces this size keep 1M under 1 GB


def pieces(store: ox.Store, size: int = CHUNK_TRIPLES) -> Iterator[tuple[set[str], str]]:
    """(the nodes whose triples are in the piece, the piece as N-Triples) for each piece."""
    hierarchy = [q.triple for q in store.quads_for_pattern(None, SUB_CLASS_OF, None)]
    current: list = []
    # Subject by subject (Oxigraph's in-memory store does not return a subject's triples together).
    for row in cast(ox.QuerySolutions, store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")):
        current += [
            q.triple for q in store.quads_for_pattern(row[0], None, None, ox.DefaultGraph())
        ]
        if len(current) >= size:
            yield _piece(store, current, hierarchy)
            current = []
    if current:
        yield _piece(store, current, hierarchy)


def name(term) -> str:
    """A node as rudof names it in its report: the IRI, _:label for a blank node (rudof keeps
    our labels), the text of a literal."""
    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value


def _piece(store: ox.Store, triples: list, hierarchy: list) -> tuple[set[str], str]:
    subjects = {name(t.subject) for t in triples}
    values = {t.object for t in triples if isinstance(t.object, (ox.NamedNode, ox.BlankNode))}
    types = [q.triple for value in values for q in store.quads_for_pattern(value, RDF_TYPE, None)]
    text = ox.serialize(triples + types + hierarchy, format=ox.RdfFormat.N_TRIPLES) or b""
    return subjects, text.decode("utf-8")
