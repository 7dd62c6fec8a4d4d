"""Two independent RDF implementations check each other: the exported Turtle and N-Triples parse in
Oxigraph with the same triples, and every stored SELECT gives the same answers under rdflib's SPARQL
engine as under Oxigraph's (run directly here, not through mkgraph's fast path). On the fixture
graph (tests/fixtures/root), where every stored SELECT but the checks and unix-like has answers."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest
from rdfcompare import canonical_triples
from rdflib import BNode, Literal, URIRef

from mkgraph.api import KnowledgeGraph
from mkgraph.core.resources import locate
from mkgraph.store.queries import list_stored_queries

# One worker runs this whole module (pytest-xdist's --dist loadfile): rdflib answers once.

SELECTS = [q for q in list_stored_queries(locate().queries) if "SELECT" in q.text]


@pytest.fixture(scope="module")
def kg(fixture_kg):
    """The rdflib engine, the reference implementation."""
    return KnowledgeGraph(fixture_kg.resources.root, engine="rdflib")


@pytest.fixture(scope="module")
def fast(fixture_kg):
    """mkgraph's fast path (Oxigraph)."""
    return KnowledgeGraph(fixture_kg.resources.root, engine="oxigraph")


@pytest.fixture(scope="module")
def rdflib_answer(kg):
    """Each stored query's answer on the rdflib engine, computed once for the module and without a
    time limit: rdflib is the slow reference here, and a loaded machine must not fail it."""
    answers: dict = {}

    def answer(name: str):
        if name not in answers:
            answers[name] = kg.query(name, timeout=None)
        return answers[name]

    return answer


@pytest.fixture(scope="module")
def store(kg):
    store = ox.Store()
    store.load(kg.export("ntriples").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _ox_term(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(term)


def _normal(value: str) -> str:
    # GROUP_CONCAT's order is not defined by SPARQL: compare concatenations as sorted parts.
    return ", ".join(sorted(value.split(", "))) if ", " in value else value


def _rdflib_rows(result) -> Counter:
    rows = Counter()
    for row in result.rows:
        rows[tuple(None if t is None else _normal(str(t)) for t in row)] += 1
    return rows


def _oxigraph_rows(solutions, variables) -> Counter:
    rows = Counter()
    for solution in solutions:
        values = []
        for name in variables:
            term = solution[name]
            values.append(None if term is None else _normal(term.value))
        rows[tuple(values)] += 1
    return rows


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_exports_parse_in_oxigraph_with_the_same_triples(fmt, kg):
    text = kg.export(fmt).encode("utf-8")
    rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
    dataset = ox.Dataset()
    for triple in ox.parse(text, format=rdf_format):
        dataset.add(ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert len(dataset) == len(kg.graph)
    assert {str(q) for q in dataset} == canonical_triples(kg.graph)


@pytest.mark.parametrize("stored", SELECTS, ids=lambda q: q.name)
def test_stored_selects_agree_with_oxigraph(stored, kg, store, rdflib_answer):
    ours = rdflib_answer(stored.name)
    bindings = kg.bindings(stored, {})
    assert kg.engine == "rdflib"
    # Oxigraph only substitutes projected variables, so parameters enter as a VALUES block at the
    # start of the WHERE clause: the same solutions as pre-binding for these queries.
    values = "".join(f" VALUES ?{name} {{ {_ox_term(term)} }}" for name, term in bindings.items())
    text = stored.text.replace("WHERE {", "WHERE {" + values, 1)
    solutions = store.query(text)
    theirs = _oxigraph_rows(solutions, ours.variables)
    assert _rdflib_rows(ours) == theirs
    assert not any(isinstance(t, BNode) for row in ours.rows for t in row)


@pytest.mark.parametrize("stored", SELECTS, ids=lambda q: q.name)
def test_the_fast_path_agrees_with_rdflib(stored, fast, rdflib_answer):
    answer = fast.query(stored.name)
    assert _rdflib_rows(answer) == _rdflib_rows(rdflib_answer(stored.name))


# Stored SELECTs the fixture graph has no answer to (no Unix-like system among its nine).
EMPTY_ON_THE_FIXTURE = {"unix-like"}


def test_the_fixture_gives_the_comparisons_something_to_compare(rdflib_answer):
    """Every stored SELECT but the checks has rows on the fixture graph: a new stored query
    needs data in tests/fixtures/root that it finds (or a place in EMPTY_ON_THE_FIXTURE)."""
    empty = {
        stored.name
        for stored in SELECTS
        if not stored.is_violation_check and not rdflib_answer(stored.name).rows
    }
    assert empty == EMPTY_ON_THE_FIXTURE
