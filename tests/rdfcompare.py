"""Comparing RDF graphs as graphs, never as text.

rdflib's own isomorphism test can take minutes on our thousand blank provenance nodes, so graphs are
canonicalised with Oxigraph's RDF canonicalisation (a second, independent implementation) and
compared as sets of canonical triples.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph


def canonical_triples(graph: Graph) -> set[str]:
    dataset = ox.Dataset()
    for triple in ox.parse(
        graph.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES
    ):
        dataset.add(ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(quad) for quad in dataset}


def same_graph(first: Graph, second: Graph) -> bool:
    return len(first) == len(second) and canonical_triples(first) == canonical_triples(second)
