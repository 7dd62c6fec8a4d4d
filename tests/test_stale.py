"""The re-check list ages a source read in a stored copy from the day the copy was taken
(mk:copyTakenOn), not from the day it was read: a snapshot shows nothing after it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from mkgraph.core.namespaces import MK, PROV
from mkgraph.views import review

SYS = "https://w3id.org/mkgraph/system/"
SRC = "https://w3id.org/mkgraph/source/"
TODAY = dt.date(2026, 12, 2)


def _graph(sources: dict[str, tuple[str, str | None]], facts: list[tuple[str, str, list[str]]]):
    """Sources by name: (day read, day the copy was taken or None); facts: (system, latest
    activity, the names of the sources that state it)."""
    graph = Graph()
    for name, (read, copy) in sources.items():
        source = URIRef(SRC + name)
        graph.add((source, RDF.type, MK.Source))
        graph.add((source, RDFS.label, Literal(name)))
        graph.add((source, MK.readOn, Literal(read, datatype=XSD.date)))
        if copy:
            graph.add((source, MK.copyTakenOn, Literal(copy, datatype=XSD.date)))
    for index, (system, value, cited) in enumerate(facts):
        fact = (URIRef(SYS + system), MK.latestActivity, Literal(value, datatype=XSD.date))
        graph.add(fact)
        graph.add((fact[0], RDFS.label, Literal(system)))
        node = URIRef(f"urn:test:statement:{index}")
        graph.add((node, RDF.type, RDF.Statement))
        graph.add((node, RDF.subject, fact[0]))
        graph.add((node, RDF.predicate, fact[1]))
        graph.add((node, RDF.object, fact[2]))
        for name in cited:
            graph.add((node, PROV.wasDerivedFrom, URIRef(SRC + name)))
    return graph


def test_a_snapshot_read_today_is_as_old_as_the_snapshot():
    graph = _graph(
        {"snapshot": ("2026-12-01", "2024-03-28"), "fresh": ("2026-11-01", None)},
        [("old-os", "2023-08-21", ["snapshot"]), ("new-os", "2026-10-30", ["fresh"])],
    )
    stale = review.stale_facts(graph, 180, today=TODAY)
    assert [(f.system, f.read_on, f.copy_taken_on, f.age_days) for f in stale] == [
        ("old-os", dt.date(2026, 12, 1), dt.date(2024, 3, 28), (TODAY - dt.date(2024, 3, 28)).days)
    ]
    # by the day it was read alone, nothing would be stale
    assert review.stale_facts(graph, 180, today=TODAY)[0].as_of == dt.date(2024, 3, 28)
    table = review.as_table(stale, 180)
    assert "2024-03-28 copy" in table.splitlines()[2]
    row = json.loads(review.as_json(stale))[0]
    assert (row["read_on"], row["copy_taken_on"], row["as_of"]) == (
        "2026-12-01",
        "2024-03-28",
        "2024-03-28",
    )


def test_the_newest_content_keeps_a_fact_fresh():
    """A fact counts from its newest source by content: a fresher reading of an older copy
    does not hide a source whose content is newer, and vice versa."""
    graph = _graph(
        {"snapshot": ("2026-12-01", "2024-03-28"), "page": ("2026-09-01", None)},
        [("both-os", "2024-01-01", ["snapshot", "page"])],
    )
    assert review.stale_facts(graph, 180, today=TODAY) == []
    (only,) = review.stale_facts(graph, 60, today=TODAY)
    assert (only.source, only.copy_taken_on, only.age_days) == ("page", None, 92)


def test_a_source_without_a_copy_ages_from_the_day_read():
    graph = _graph({"page": ("2026-01-01", None)}, [("page-os", "2025-12-01", ["page"])])
    (only,) = review.stale_facts(graph, 300, today=TODAY)
    assert (only.as_of, only.age_days) == (dt.date(2026, 1, 1), 335)
    assert "2026-01-01  335" in review.as_table([only], 300)


@pytest.mark.bundled_data
def test_coverage_stale_uses_the_copy_dates_of_the_data(invoke):
    """lux's repository was read on 2026-11-28 in a snapshot taken on 2025-02-16."""
    result = invoke("coverage", "--stale", "300", "--format", "json")
    assert result.exit_code == 0
    rows = {(r["system"], r["property"]): r for r in json.loads(result.output)}
    lux = rows[("lux", "latest activity")]
    assert (lux["read_on"], lux["copy_taken_on"], lux["as_of"]) == (
        "2026-11-28",
        "2025-02-16",
        "2025-02-16",
    )
    # listed for its snapshot's age: read only days ago, it would not be by the day read
    assert (dt.date.today() - dt.date.fromisoformat(lux["read_on"])).days <= 300 < lux["age_days"]
    table = invoke("coverage", "--stale", "300").output
    assert any(line.startswith("lux ") and "2025-02-16 copy" in line for line in table.splitlines())
