"""Today's state on every path: a stored query without `as_of` answers from the facts that hold
today, exactly as the views (`show`, the drawings, the list) do. A fact whose period has ended
(Genode's GPL-2.0, a status bounded by a stored snapshot's day, ExectOS's C) is history and
appears in no such answer.

The reference is the definition in mkgraph.store.periods: each query is run on the whole graph
(what `mkgraph query` and a remote store answer) and, as it stands, on the graph without the facts
that do not hold today (periods.as_of); the answers must be the same, for the parameters' defaults
and for every known name of each parameter's kind. The queries that are about the record itself
(each fact's sources, the statistics of the files, the checks) read the whole graph by design."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from mkgraph.store import periods
from mkgraph.store.backends import OxigraphEngine
from mkgraph.store.lookup import KIND_CLASSES

# About the record, not the world today: they list every fact with its sources or count triples.
ABOUT_THE_RECORD = {"sources", "copy-only-facts", "statistics"}
# Lineage is descent: a link that has ended stays in these answers as in the drawings (README,
# "Lineage and time"; tests/test_lineage_chains.py checks the two agree and the link is kept).
LINEAGE = {"ancestors", "descendants", "lineage-edges", "l4-family"}
SAMPLE = 12


def _oxigraph_store(graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _values(kg, stored) -> list[dict[str, str]]:
    """The defaults, then each parameter in turn set to every name of its kind."""
    cases: list[dict[str, str]] = [{}]
    for parameter in stored.parameters:
        if parameter.kind not in KIND_CLASSES:
            continue
        names = kg.sparql(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT DISTINCT ?label WHERE { ?type rdfs:subClassOf* "
            f"<https://w3id.org/mkgraph/ontology#{KIND_CLASSES[parameter.kind]}> . "
            "?r a ?type ; rdfs:label ?label } ORDER BY ?label"
        ).rows
        chosen = [str(name) for (name,) in names]
        if len(chosen) > SAMPLE:  # every system is many lineage walks: a fixed sample of them
            chosen = random.Random(parameter.kind).sample(chosen, SAMPLE)
        cases += [{parameter.name: name} for name in chosen]
    return cases


@pytest.mark.bundled_data
def test_every_query_without_as_of_answers_with_todays_facts(kg):
    current = periods.as_of(kg.graph)
    assert len(current) < len(kg.graph), "the bundled data has facts whose period has ended"
    store = _oxigraph_store(current)
    today = OxigraphEngine(lambda: store)
    checked, differing = 0, []
    for stored in kg.stored_queries():
        if stored.is_violation_check or stored.name in ABOUT_THE_RECORD | LINEAGE:
            continue
        if any(parameter.kind == "date" for parameter in stored.parameters):
            continue  # the as_of queries: tests/test_periods.py checks them against the definition
        kinds = {parameter.name: parameter.kind for parameter in stored.parameters}
        for values in _values(kg, stored):
            asked = kg.query(stored.name, values)
            bindings = today.bind({name: kinds[name] for name in values}, values)
            defaults = {
                p.name: p.default for p in stored.parameters if p.name not in values and p.default
            }
            bindings.update(today.bind({name: kinds[name] for name in defaults}, defaults))
            expected = today.result(today.run(stored.text, bindings))
            checked += 1
            if asked.rows != expected.rows:
                differing.append(f"{stored.name} {values}")
    assert checked > 25
    assert differing == []
