"""One query interface, one result type: whichever engine answers (Oxigraph, rdflib, the
inferred graph, another store), the library returns mkgraph.store.engine.QueryResult holding
rdflib terms, and the same question gives equal rows."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from mkgraph.api import KnowledgeGraph
from mkgraph.store import oxengine
from mkgraph.store.engine import QueryResult, from_oxigraph

# Every kind of term a cell can hold: an IRI, plain, language-tagged and typed literals (one of a
# datatype rdflib knows, one it does not), and an unbound cell (OPTIONAL, as rdflib drops a
# VALUES row that is only UNDEF).
TERMS = """
SELECT ?term ?unbound WHERE {
  VALUES ?term {
    <https://w3id.org/mkgraph/system/sel4> "plain" "Mikrokern"@de "7"^^xsd:integer
    "1999"^^xsd:gYear "x"^^<https://example.org/own-type>
  }
  OPTIONAL { ?term <urn:mkgraph:nothing> ?unbound }
}
"""


@pytest.fixture(scope="module")
def engines(fixture_kg):
    """The fixture graph (tests/fixtures/root) on each engine."""
    root = fixture_kg.resources.root
    return {name: KnowledgeGraph(root, engine=name) for name in ("oxigraph", "rdflib")}


def _cells(result) -> list:
    return [cell for row in result.rows for cell in row]


def test_every_engine_gives_one_type_and_equal_rows(engines):
    answers = {name: kg.sparql(TERMS) for name, kg in engines.items()}
    for name, result in answers.items():
        assert type(result) is QueryResult, name
        assert all(cell is None or isinstance(cell, Node) for cell in _cells(result)), name
    assert answers["oxigraph"].rows == answers["rdflib"].rows
    assert len(answers["oxigraph"].rows) == 6
    assert answers["oxigraph"].rows[1] == (Literal("plain"), None)
    assert answers["oxigraph"].rows[2] == (Literal("Mikrokern", lang="de"), None)


def test_stored_and_inferred_answers_have_the_same_type(engines):
    kg = engines["oxigraph"]
    asserted = kg.query("descendants", {"of": "L4"})
    inferred = kg.query("descendants", {"of": "L4"}, inferred=True)
    assert type(asserted) is type(inferred) is QueryResult
    assert asserted.variables == inferred.variables
    assert asserted.rows and all(isinstance(row[0], Literal) for row in asserted.rows)
    assert sorted(asserted.rows) == sorted(inferred.rows)  # inference adds no descendant here


def test_native_is_the_only_way_to_get_engine_terms(engines):
    native = engines["oxigraph"].query("descendants", {"of": "L4"}, native=True)
    assert isinstance(native, oxengine.OxResult)
    assert from_oxigraph(native) == engines["oxigraph"].query("descendants", {"of": "L4"})


def test_a_remote_answer_converts_like_a_local_one():
    """What kg.query_remote returns: Oxigraph's parse of the store's answer (no store attached),
    converted by the same function; blank nodes and graphs included."""
    remote = oxengine.OxResult(
        "SELECT",
        variables=["s", "o"],
        rows=[(ox.BlankNode("b0"), ox.Literal("3", datatype=ox.NamedNode(str(XSD_INT))))],
    )
    converted = from_oxigraph(remote)
    assert converted.rows == [(BNode("b0"), Literal("3", datatype=XSD_INT))]
    graph = from_oxigraph(
        oxengine.OxResult(
            "CONSTRUCT",
            triples=[
                ox.Triple(
                    ox.NamedNode("https://e.org/a"),
                    ox.NamedNode("https://e.org/p"),
                    ox.Literal("v"),
                )
            ],
        )
    ).graph
    assert graph is not None
    assert set(graph) == {(URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal("v"))}
    assert from_oxigraph(oxengine.OxResult("ASK", boolean=True)) == QueryResult("ASK", boolean=True)


XSD_INT = URIRef("http://www.w3.org/2001/XMLSchema#integer")
