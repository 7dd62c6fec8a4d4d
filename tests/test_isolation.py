"""No library leaks global state into the next test: owlrl once swapped rdflib's literal
converters for its own and left some behind, so rdflib then called a five-digit xsd:gYear
ill-typed and the property test comparing mkgraph's literal checks with rdflib's failed, or not,
depending on which tests ran before it."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from mkgraph.store import reasoning


def test_owlrl_leaves_rdflib_literal_handling_as_it_found_it():
    years = [Literal(text, datatype=XSD.gYear) for text in ("2024", "12345", "-0044")]
    before = [(year.ill_typed, year.value) for year in years]
    graph = Graph()
    graph.add((URIRef("urn:a"), RDF.type, RDFS.Class))
    reasoning.infer(graph)
    fresh = [Literal(str(year), datatype=XSD.gYear) for year in years]
    assert [(year.ill_typed, year.value) for year in fresh] == before
