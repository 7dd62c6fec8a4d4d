"""A pinned sample of the researched facts and their sources, and the coverage report."""

from __future__ import annotations

import json

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from mkgraph.describe import sources_of
from mkgraph.namespaces import AGENT, MK, SCHEMA, SPDX, SYSTEM


@pytest.mark.parametrize(
    "subject, predicate, value, source",
    [
        (SYSTEM.sel4, DCTERMS.license, SPDX["GPL-2.0-only"], "seL4 LICENSE.md"),
        (SYSTEM.sel4, DCTERMS.license, SPDX["BSD-2-Clause"], "seL4 LICENSE.md"),
        (
            SYSTEM.sel4,
            MK.ownedBy,
            AGENT["general-dynamics-c4-systems"],
            "microkernel.info: the list of active free and open-source microkernel projects",
        ),
        (SYSTEM.sel4, MK.ownedBy, AGENT["sel4-foundation"], "seL4 CHANGES.md (release notes)"),
        (SYSTEM.hedron, MK.derivedFrom, SYSTEM.nova, "Hedron README.md"),
        (
            SYSTEM.tock,
            SCHEMA.codeRepository,
            URIRef("https://github.com/tock/tock"),
            "Tock README.md",
        ),
        (SYSTEM.genode, MK.startYear, Literal("2006", datatype=XSD.gYear), None),
        (SYSTEM.muen, MK.developedBy, AGENT["codelabs-gmbh"], None),
    ],
)
def test_pinned_facts_and_their_sources(kg, subject, predicate, value, source):
    assert (subject, predicate, value) in kg.graph
    sources = sources_of(kg.graph, subject, predicate, value)
    assert sources, "every fact has a source"
    if source:
        assert source in sources


def test_disagreeing_sources_are_both_recorded_with_dates(kg):
    """The list says General Dynamics owns seL4; the release notes date its move to the foundation."""
    rows = kg.sparql("""
        SELECT ?owner ?from WHERE {
            ?st rdf:subject sys:sel4 ; rdf:predicate mk:ownedBy ; rdf:object ?o .
            ?o rdfs:label ?owner . OPTIONAL { ?st mk:validFrom ?from }
        }""").rows
    owners = {str(owner): (str(start) if start else None) for owner, start in rows}
    assert owners["General Dynamics C4 Systems"] is None
    assert owners["seL4 Foundation"] == "2020-10-30"


def test_a_licence_change_is_dated(kg):
    rows = kg.sparql("""
        SELECT ?licence ?from ?until WHERE {
            ?st rdf:subject sys:l4re ; rdf:predicate dct:license ; rdf:object ?l .
            BIND(REPLACE(STR(?l), "^.*/", "") AS ?licence)
            OPTIONAL { ?st mk:validFrom ?from } OPTIONAL { ?st mk:validUntil ?until }
        }""").rows
    changes = {(str(lic), str(f) if f else None, str(u) if u else None) for lic, f, u in rows}
    assert ("MIT", "2025-09-08", None) in changes
    assert ("GPL-2.0-only", None, "2025-09-08") in changes


def test_sources_query_traces_every_fact_about_sel4(invoke, kg):
    result = kg.query("sources", {"of": "seL4"})
    assert {"property", "value", "source", "url", "read"} <= set(result.variables)
    facts = {(str(r[0]), str(r[1])) for r in result.rows}
    assert ("implemented in", "C") in facts
    assert ("licence", "GPL-2.0-only") in facts or ("license", "GPL-2.0-only") in facts
    for row in result.rows:
        assert row[2] is not None and str(row[4]) == "2026-11-28"


def test_coverage_meets_the_promise(invoke):
    report = json.loads(invoke("coverage", "--format", "json").output)
    assert len(report["projects"]) == 28
    for field in ("repository", "licence", "languages", "architectures", "start year"):
        assert report["totals"][field]["percent"] >= 90, field


def test_coverage_table(invoke):
    lines = invoke("coverage").output.splitlines()
    assert lines[0].split()[:3] == ["project", "repository", "licence"]
    seL4 = next(line for line in lines if line.startswith("seL4 "))
    assert seL4.split()[1:6] == ["✓"] * 5
    assert any(line.startswith("share") for line in lines)
    assert invoke("coverage", "-f", "markdown").output.startswith("| project | repository |")
