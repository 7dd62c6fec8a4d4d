"""A pinned sample of the researched facts and their sources, and the coverage report."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from mkgraph.core.namespaces import AGENT, ARCHITECTURE, MK, SCHEMA, SPDX, SYSTEM
from mkgraph.views.describe import sources_of

# The whole module is about the bundled data: its facts, its sources, its coverage.
pytestmark = pytest.mark.bundled_data


@pytest.mark.parametrize(
    "subject, predicate, value, source",
    [
        (SYSTEM.sel4, DCTERMS.license, SPDX["GPL-2.0-only"], "seL4 LICENSE.md"),
        (SYSTEM.sel4, DCTERMS.license, SPDX["BSD-2-Clause"], "seL4 LICENSE.md"),
        (
            SYSTEM.sel4,
            MK.ownedBy,
            AGENT["general-dynamics-c4-systems"],
            "seL4 README in the 2014 release snapshot",
        ),
        (
            SYSTEM.sel4,
            MK.startYear,
            Literal("2004", datatype=XSD.gYear),
            "seL4 website: History page (About/history.html)",
        ),
        (SYSTEM.sel4, MK.firstCommit, Literal("2014-07-18", datatype=XSD.date), "seL4 git history"),
        (SYSTEM.sel4, MK.openSourced, Literal("2014-07-29", datatype=XSD.date), None),
        (SYSTEM.skiftos, DCTERMS.license, SPDX["MIT"], None),
        (SYSTEM.genode, MK.basedOn, SYSTEM["base-hw"], "Genode README"),
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


def test_successive_owners_carry_their_periods(kg):
    """seL4 passed to the seL4 Foundation in 2020; General Dynamics C4 Systems and Data61 keep
    the copyright their files still carry (recheck9 and the lead, 2026-12-02: no end); NICTA's
    copyright lines of 2014 were rewritten to Data61 in the kernel on 2017-06-23, but stood alone in
    seL4_tools' kbuild-tool files until 2018-08-10, so they last stood on 2018-08-09 (census21 2026-12-03);
    the Foundation's first notice in the kernel's own files is the manual's of 2021-06-17 (its website
    named it from 2020-06-30, but a notice covers only the files it stands in: lead, census20
    2026-12-03); Data61's first notice on master is f33ae44e1 of 2016-08-10 (census15 2026-12-03), but
    manual/extra.bib's "Copyright 2014 Data61" dates its part from Data61's first year, 2015
    (census16 2026-12-03)."""
    rows = kg.sparql("""
        SELECT ?owner ?from ?until WHERE {
            ?st rdf:subject sys:sel4 ; rdf:predicate mk:ownedBy ; rdf:object ?o .
            ?o rdfs:label ?owner .
            OPTIONAL { ?st mk:validFrom ?from } OPTIONAL { ?st mk:validUntil ?until }
        }""").rows
    periods = {(str(o), str(f) if f else None, str(u) if u else None) for o, f, u in rows}
    assert periods == {
        ("General Dynamics C4 Systems", "2014-07-18", None),
        ("Data61, CSIRO", "2015", None),
        ("seL4 Foundation", "2021-06-17", None),
        ("NICTA", "2014-07-18", "2018-08-09"),
    }


def test_a_licence_change_with_its_day(kg):
    rows = kg.sparql("""
        SELECT ?licence ?from ?until WHERE {
            ?st rdf:subject sys:skiftos ; rdf:predicate dct:license ; rdf:object ?l .
            BIND(REPLACE(STR(?l), "^.*/", "") AS ?licence)
            OPTIONAL { ?st mk:validFrom ?from } OPTIONAL { ?st mk:validUntil ?until }
        }""").rows
    changes = {(str(lic), str(f) if f else None, str(u) if u else None) for lic, f, u in rows}
    # the restarted main line carried no licence from 2022-04-25 to 2022-05-30 (census14 2026-12-03)
    assert changes == {
        ("MIT", None, "2022-04-24"),
        ("MIT", "2022-05-31", "2024-08-29"),
        ("LGPL-3.0-or-later", "2024-08-30", None),
    }


def test_a_port_made_of_stubs_is_not_support(kg):
    """skiftOS's RISC-V kernel port leaves init, the VMM and contexts unimplemented (issue 14)."""
    assert (SYSTEM.skiftos, MK.portInProgress, ARCHITECTURE.riscv64) in kg.graph
    assert (SYSTEM.skiftos, MK.supportsArchitecture, ARCHITECTURE.riscv64) not in kg.graph


def test_each_date_has_one_meaning_and_one_value(kg):
    rows = kg.sparql("""
        SELECT ?s ?p (COUNT(DISTINCT ?v) AS ?n) WHERE {
            VALUES ?p { mk:startYear mk:firstAppeared mk:firstCommit mk:announced mk:firstRelease
                        mk:openSourced mk:latestActivity }
            ?s a/rdfs:subClassOf* mk:System ; ?p ?v .
        } GROUP BY ?s ?p HAVING (COUNT(DISTINCT ?v) > 1)""").rows
    assert rows == []


def test_a_licence_change_is_dated(kg):
    rows = kg.sparql("""
        SELECT ?licence ?from ?until WHERE {
            ?st rdf:subject sys:l4re ; rdf:predicate dct:license ; rdf:object ?l .
            BIND(REPLACE(STR(?l), "^.*/", "") AS ?licence)
            OPTIONAL { ?st mk:validFrom ?from } OPTIONAL { ?st mk:validUntil ?until }
        }""").rows
    changes = {(str(lic), str(f) if f else None, str(u) if u else None) for lic, f, u in rows}
    assert ("MIT", "2024-11-26", None) in changes  # tinit went MIT first (census21)
    # libvcpu still declares GPL-2.0-only (with the GCC exception 2.0), so the GPL has no end (census22)
    assert ("GPL-2.0-only", "2003", None) in changes


def test_a_status_read_from_an_old_snapshot_is_bounded_by_it(kg):
    """A stored snapshot shows nothing after the day it was taken: where that day is long past, the
    status it gives ends there, and no current status is claimed (issue 14: axle was called dormant
    from a snapshot taken the day after its newest commit)."""
    rows = kg.sparql("""
        SELECT ?p ?status ?until WHERE {
            VALUES ?p { sys:axle sys:brutal sys:escape sys:hedron sys:luxos sys:m3 sys:minix3 sys:redleaf }
            ?st rdf:subject ?p ; rdf:predicate mk:status ; rdf:object ?s .
            BIND(REPLACE(STR(?s), "^.*/", "") AS ?status)
            OPTIONAL { ?st mk:validUntil ?until }
        }""").rows
    # the status of each project's last stretch: the one with the latest end (a project may also
    # have earlier, ended stretches: RedLeaf active 2019-2023, sweep9)
    last = {}
    for p, s, u in rows:
        key, until = str(p).rsplit("/", 1)[1], str(u) if u else None
        if key not in last or (until or "9999") > (last[key][1] or "9999"):
            last[key] = (str(s), until)
    bounded = last
    assert bounded == {
        "axle": ("active", "2024-03-28"),
        "brutal": ("active", "2024-10-10"),  # the library repository's snapshot (census20)
        "escape": ("active", "2024-03-28"),
        "hedron": ("active", "2024-03-27"),
        "luxos": ("active", "2025-03-22"),  # the servers snapshot (census14)
        "m3": ("active", "2025-03-15"),  # the TCU-if snapshot, a component repository (census16)
        "minix3": ("dormant", "2024-03-28"),
        "redleaf": ("dormant", "2024-03-28"),
    }


def test_a_value_replaced_on_a_day_ends_the_day_before(kg):
    """Where a value of a system's property gives way to another (a licence, a language, an
    owner), the old one's last day is the day before the new one's first, not the same day: both
    never hold at once (README "How a period is read from the record")."""
    rows = kg.sparql("""
        SELECT ?s ?p ?old ?new ?until WHERE {
            ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?old ; mk:validUntil ?until .
            ?b rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?new ; mk:validFrom ?from .
            FILTER (?old != ?new && STR(?until) = STR(?from) && STRLEN(STR(?until)) = 10)
        }""").rows
    assert rows == []
    handoffs = kg.sparql("""
        SELECT ?until ?from WHERE {
            ?a rdf:subject sys:genode ; rdf:predicate dct:license ; mk:validUntil ?until .
            ?b rdf:subject sys:genode ; rdf:predicate dct:license ; mk:validFrom ?from .
        }""").rows
    assert {(str(u), str(f)) for u, f in handoffs} >= {("2017-02-27", "2017-02-28")}


def test_a_system_has_one_status_at_a_time(kg):
    """Statuses that change are stretches: two different statuses of one system never share a
    day (README "Status and latest activity"), and a stretch never ends before it starts."""
    from mkgraph.store.periods import span

    rows = kg.sparql("""
        SELECT ?p ?status ?from ?until WHERE {
            ?st rdf:subject ?p ; rdf:predicate mk:status ; rdf:object ?status .
            OPTIONAL { ?st mk:validFrom ?from } OPTIONAL { ?st mk:validUntil ?until }
        }""").rows
    stretches: dict[str, list[tuple[str, object, object]]] = {}
    for p, status, start, end in rows:
        first = span(str(start))[0] if start else None
        last = span(str(end))[1] if end else None
        assert first is None or last is None or first <= last, (p, status, start, end)
        stretches.setdefault(str(p), []).append((str(status), first, last))
    assert any(len(found) > 1 for found in stretches.values())  # NOVA, F9, axle, ...
    for p, found in stretches.items():
        for a, a_first, a_last in found:
            for b, b_first, b_last in found:
                if a >= b:
                    continue
                # two different statuses share a day unless one ends before the other starts
                apart = (a_last is not None and b_first is not None and a_last < b_first) or (
                    b_last is not None and a_first is not None and b_last < a_first
                )
                assert apart, (p, a, a_first, a_last, b, b_first, b_last)


def test_a_status_judged_from_a_history_agrees_with_its_latest_activity(kg):
    """Where a status and the latest activity rest on the same history, the status is `active`
    exactly when the latest activity falls in the twelve months before the day it is judged on:
    the end of its period, or else the day its source was read."""
    rows = kg.sparql("""
        SELECT ?p ?status ?latest ?day ?until WHERE {
            ?st rdf:subject ?p ; rdf:predicate mk:status ; rdf:object ?s ; prov:wasDerivedFrom ?src .
            ?la rdf:subject ?p ; rdf:predicate mk:latestActivity ; rdf:object ?latest ;
                prov:wasDerivedFrom ?src .
            ?src mk:readOn ?read .
            OPTIONAL { ?st mk:validUntil ?until }
            BIND(STR(COALESCE(?until, ?read)) AS ?day)
            BIND(REPLACE(STR(?s), "^.*/", "") AS ?status)
        }""").rows
    assert len(rows) >= 20, rows
    for project, status, latest, day, until in rows:
        if str(latest) > str(day):
            # a stretch that ended before the newest commit (F9 dormant 2021-2026): the newest
            # commit says nothing of it, but only a stretch with an end can be before it
            assert until is not None, (project, status, latest, day)
            continue
        year, rest = str(day)[:4], str(day)[4:]
        within = str(latest) > f"{int(year) - 1}{rest}"
        assert (str(status) == "active") == within, (project, status, latest, day)


def test_sources_query_traces_every_fact_about_sel4(invoke, kg):
    result = kg.query("sources", {"of": "seL4"})
    assert {"property", "value", "source", "url", "read"} <= set(result.variables)
    facts = {(str(r[0]), str(r[1])) for r in result.rows}
    assert ("implemented in", "C") in facts
    assert ("licence", "GPL-2.0-only") in facts or ("license", "GPL-2.0-only") in facts
    for row in result.rows:
        # every fact names its source and the day it was read (a date, not before the first reading)
        assert row[2] is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(row[4]))
        assert str(row[4]) >= "2026-11-28"


def test_coverage_meets_the_promise(invoke):
    report = json.loads(invoke("coverage", "--format", "json").output)
    assert len(report["projects"]) == 28
    for field in ("repository", "licence", "languages", "architectures"):
        assert report["totals"][field]["percent"] >= 90, field
    # Start years that were really announcements or open-sourcing moved to properties of their own
    # (issue 14), so fewer projects have one.
    assert report["totals"]["start year"]["percent"] >= 85


def test_a_licence_named_only_in_its_expression_counts_as_known(kg):
    """MINIX 3's licence today is `LicenseRef-MINIX-3` (BSD-3-Clause with an extra clause), which the
    SPDX list lacks, so no licence is linked: coverage counts the sourced expression as known."""
    minix3 = SYSTEM.minix3
    assert not list(kg.current.objects(minix3, DCTERMS.license))
    assert str(kg.current.value(minix3, MK.licenceExpression)) == "LicenseRef-MINIX-3"
    states = dict(kg.coverage().rows)["MINIX 3"]
    assert states["licence"] == "sourced"


def test_coverage_table(invoke):
    lines = invoke("coverage").output.splitlines()
    assert lines[0].split()[:3] == ["project", "repository", "licence"]
    seL4 = next(line for line in lines if line.startswith("seL4 "))
    assert seL4.split()[1:6] == ["✓"] * 5
    assert any(line.startswith("share") for line in lines)
    assert invoke("coverage", "-f", "markdown").output.startswith("| project | repository |")
