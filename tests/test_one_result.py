"""One result interface (issue 12): printing never guesses an engine from a class name.

Every answer offers the same members (mkgraph.store.results): the library's QueryResult, the
Oxigraph engine's own OxResult (native=True), the rdflib engine's answer, another store's. The
writers read only those, so an answer of a kind they have never seen, offering nothing but
form, variables, rows, boolean and triples, prints the same as the others, in every format.
On the fixture graph (tests/fixtures/root)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from mkgraph import commands
from mkgraph.api import KnowledgeGraph
from mkgraph.core.errors import ParameterError
from mkgraph.core.formats import GRAPH_FORMATS, SELECT_FORMATS
from mkgraph.core.prefixes import GRAPH_IRI
from mkgraph.store import results
from mkgraph.store.engine import QueryResult
from mkgraph.store.oxengine import OxResult

# Every kind of cell: IRIs (the graph's own and another), plain, language-tagged and typed
# literals (a datatype rdflib knows, one it does not), and unbound cells.
SELECT = """
SELECT ?name ?term ?unbound WHERE {
  VALUES (?name ?term) {
    ("own" <https://w3id.org/mkgraph/system/sel4>) ("outside" <https://example.org/a>)
    ("plain" "plain") ("tagged" "Mikrokern"@de) ("number" "7"^^xsd:integer)
    ("year" "1999"^^xsd:gYear) ("own-type" "x"^^<https://example.org/own-type>)
    ("with, comma" "a \\"quoted\\"\\tcell")
  }
  OPTIONAL { ?term <urn:mkgraph:nothing> ?unbound }
}
"""
ASK_TRUE = "ASK { ?s a mk:Microkernel }"
ASK_FALSE = "ASK { ?s a <urn:mkgraph:nothing> }"
CONSTRUCT = """
CONSTRUCT { ?s rdfs:label ?name ; mk:startYear ?year ; rdfs:comment "Mikrokern"@de }
WHERE { ?s a mk:Microkernel ; rdfs:label ?name OPTIONAL { ?s mk:startYear ?year } }
"""

# The members the writers read; the one result type and the engine's own offer `graph` too.
PRINTED_FROM = ("form", "variables", "rows", "boolean", "triples")


class Members:
    """An answer of a third kind: the members every answer offers and nothing else (no store,
    no query text, no graph), so a writer that asks for more, or asks for a class, fails."""

    __slots__ = PRINTED_FROM

    def __init__(self, answer) -> None:
        for name in PRINTED_FROM:
            setattr(self, name, getattr(answer, name))


@pytest.fixture(scope="module")
def engines(fixture_kg):
    root = fixture_kg.resources.root
    return {name: KnowledgeGraph(root, engine=name) for name in ("oxigraph", "rdflib")}


def _answers(engines, text: str) -> dict:
    """The same question answered by every kind of result there is."""
    native = engines["oxigraph"].sparql(text, native=True)
    from_rdflib = engines["rdflib"].sparql(text)
    return {
        "oxigraph native": native,
        "oxigraph library": engines["oxigraph"].sparql(text),
        "rdflib": from_rdflib,
        "third kind, Oxigraph's terms": Members(native),
        "third kind, rdflib's terms": Members(from_rdflib),
    }


def _printed(kg, answers: dict, fmt: str | None) -> dict:
    return {
        kind: commands.render_result(lambda: kg, answer, fmt, width=100)
        for kind, answer in answers.items()
    }


def _one_text(printed: dict) -> str:
    first = next(iter(printed.values()))
    assert all(text == first for text in printed.values()), {
        kind: text[:300] for kind, text in printed.items()
    }
    return first


@pytest.mark.parametrize("fmt", [None, *SELECT_FORMATS])
def test_every_kind_of_answer_prints_a_table_alike(engines, fmt):
    answers = _answers(engines, SELECT)
    assert type(answers["oxigraph native"]) is OxResult
    assert type(answers["rdflib"]) is QueryResult
    text = _one_text(_printed(engines["oxigraph"], answers, fmt))
    assert "Mikrokern" in text and "own-type" in text
    if fmt == "json":
        data = json.loads(text)
        cells = {b["name"]["value"]: b["term"] for b in data["results"]["bindings"]}
        assert cells["tagged"] == {"type": "literal", "value": "Mikrokern", "xml:lang": "de"}
        assert cells["own-type"]["datatype"] == "https://example.org/own-type"
        assert cells["plain"] == {"type": "literal", "value": "plain"}
        assert all("unbound" not in b for b in data["results"]["bindings"])
    if fmt == "tsv":
        assert text.splitlines()[0] == "?name\t?term\t?unbound"
        assert "\t7\t" in text  # an integer written bare, as SPARQL's TSV says


@pytest.mark.parametrize("fmt", [None, *SELECT_FORMATS])
@pytest.mark.parametrize("text, expected", [(ASK_TRUE, True), (ASK_FALSE, False)])
def test_every_kind_of_answer_prints_a_boolean_alike(engines, fmt, text, expected):
    answers = _answers(engines, text)
    printed = _one_text(_printed(engines["oxigraph"], answers, fmt))
    if fmt in (None, "table", "markdown"):
        assert printed == ("yes" if expected else "no")
    elif fmt == "json":
        assert json.loads(printed)["boolean"] is expected
    elif fmt in ("csv", "tsv"):
        assert printed == ("true" if expected else "false")


@pytest.mark.parametrize("fmt", [None, "json", *GRAPH_FORMATS])
def test_every_kind_of_answer_prints_a_graph_alike(engines, fmt):
    answers = _answers(engines, CONSTRUCT)
    text = _one_text(_printed(engines["oxigraph"], answers, fmt))
    parse_as = {None: "turtle", "json": "json-ld", "ntriples": "nt", "jsonld": "json-ld"}
    read = Dataset().parse(data=text, format=parse_as.get(fmt, fmt))
    quads = set(read.quads((None, None, None, None)))
    # N-Quads puts the graph into mkgraph's own named graph; the others have no graph name
    assert {str(g) for *_, g in quads} == {
        GRAPH_IRI if fmt == "nquads" else str(DATASET_DEFAULT_GRAPH_ID)
    }
    # what the rdflib engine answered, read back from the printed text
    expected = set(answers["rdflib"].graph)
    assert {(s, p, o) for s, p, o, _ in quads} == expected and len(expected) > 10
    if fmt == "ntriples":
        assert text.splitlines() == sorted(text.splitlines())  # the same, run after run


@pytest.mark.parametrize("text", [SELECT, ASK_TRUE, CONSTRUCT])
def test_the_one_result_type_and_the_engines_own_offer_the_same_members(engines, text):
    native = engines["oxigraph"].sparql(text, native=True)
    library = engines["oxigraph"].sparql(text)
    for name in PRINTED_FROM:
        assert hasattr(native, name) and hasattr(library, name), name
    assert native.form == library.form and native.boolean == library.boolean
    assert native.variables == library.variables and len(native.rows) == len(library.rows)
    assert len(native.triples) == len(library.triples)
    if text is CONSTRUCT:
        assert set(native.graph) == set(library.graph) == set(library.triples)
    else:
        assert native.graph is None and library.graph is None
        assert native.triples == [] and library.triples == []


def test_a_blank_node_and_a_triple_of_either_library_print_alike(fixture_kg):
    """Terms are converted by their kind (never by the answer's class): a blank node and a
    literal of each library give the same line."""
    oxigraph = Members(
        OxResult(
            "CONSTRUCT",
            triples=[
                ox.Triple(ox.BlankNode("b0"), ox.NamedNode("https://e.org/p"), ox.Literal("v"))
            ],
        )
    )
    rdflib = Members(
        QueryResult(
            "CONSTRUCT",
            graph=Graph().add((BNode("b0"), URIRef("https://e.org/p"), Literal("v"))),
        )
    )
    for fmt in ("ntriples", "nquads"):
        texts = {
            commands.render_result(lambda: fixture_kg, answer, fmt) for answer in (oxigraph, rdflib)
        }
        assert len(texts) == 1, texts
        assert texts.pop().startswith('_:b0 <https://e.org/p> "v" ')
    assert results.oxigraph_term(BNode("b0")) == ox.BlankNode("b0")
    assert results.oxigraph_term(Literal("7", datatype=URIRef(XSD_INT))) == ox.Literal(
        "7", datatype=ox.NamedNode(XSD_INT)
    )
    assert results.oxigraph_term(None) is None


def test_a_table_format_for_a_graph_is_refused_in_one_line(engines):
    answer = Members(engines["oxigraph"].sparql(CONSTRUCT, native=True))
    with pytest.raises(ParameterError, match="returns a graph: use --format turtle"):
        commands.render_result(lambda: engines["oxigraph"], answer, "csv")
    table = Members(engines["oxigraph"].sparql(SELECT, native=True))
    with pytest.raises(ParameterError, match="returns a table: use --format table"):
        commands.render_result(lambda: engines["oxigraph"], table, "turtle")


XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
