"""A fact that held, stopped and held again: its spells add up (mkgraph.store.periods; README,
"Periods"). The fixture graph's TestOS was active from 2009 to 2015-07-01, dormant from 2015-07-02
to 2019-02-10 and active again since 2019-02-11 (that spell told by two sources); its licence held
until 2010, from 2014 to 2016 and since 2017; its x86-32 port worked until 2012 and again from
2013 until a day before today (historic). Every path answers alike: the command line, the library
and the server, which bind and run the same stored queries and read the same graph as of a date."""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
from datetime import date
from pathlib import Path

import httpx
import pytest
from commands import invoke_on

from mkgraph.api import KnowledgeGraph
from mkgraph.core.namespaces import MK, SYSTEM
from mkgraph.store import periods
from mkgraph.views import lineage
from mkgraph.web import server

DEMO = Path(__file__).parent / "fixtures" / "shapes" / "spells-apart.ttl"
TESTOS = SYSTEM.testos
# What TestOS's status was on each day or in each year asked about (a year with a change in it
# has both: some day of it had each).
STATUS = {
    "2008": set(),
    "2009": {"active"},
    "2012": {"active"},
    "2015-07-01": {"active"},
    "2015-07-02": {"dormant"},
    "2015": {"active", "dormant"},
    "2017": {"dormant"},
    "2019-02-10": {"dormant"},
    "2019-02-11": {"active"},
    "2019": {"active", "dormant"},
    "2024": {"active"},
    "today": {"active"},
}
LICENSED = {"2009": True, "2012": False, "2015": True, "2016-12-31": True, "today": True}
PORTED = {"2012": True, "2013": True, "2020": True, "today": False}


@pytest.fixture
def demo(small_root) -> KnowledgeGraph:
    shutil.copy(DEMO, small_root / "data" / DEMO.name)
    return KnowledgeGraph(small_root)


def _statuses(rows) -> set[str]:
    """TestOS's statuses in by-status's rows (status, count, projects, IRI)."""
    return {str(row[0]) for row in rows if "TestOS" in str(row[2]).split(", ")}


def _csv_statuses(text: str) -> set[str]:
    return _statuses(list(csv.reader(io.StringIO(text)))[1:])


def test_the_fixture_is_the_example():
    """Expected days and years are the definition's, from the fixture's own spells."""
    from rdflib import Graph

    graph = Graph().parse(DEMO, format="turtle")
    found = periods.periods_by_fact(graph)
    for status, expected in (("active", STATUS), ("dormant", STATUS)):
        spells = found[(TESTOS, MK.status, periods_status(status))]
        for asked, statuses in expected.items():
            assert periods.holds(spells, periods.span(asked)) is (status in statuses), asked
    assert periods.overlapping(graph) == []


def periods_status(name: str):
    from rdflib import URIRef

    return URIRef(f"https://w3id.org/mkgraph/status/{name}")


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_the_library_answers_each_spell(demo, engine):
    kg = KnowledgeGraph(demo.resources.root, engine=engine)
    for asked, statuses in STATUS.items():
        assert _statuses(kg.query("by-status", {"as_of": asked}).rows) == statuses, asked
    for asked, licensed in LICENSED.items():
        rows = kg.query("by-licence", {"as_of": asked}).rows
        assert any("TestOS" in str(row[2]) for row in rows) is licensed, asked
    for asked, ported in PORTED.items():
        rows = kg.query("by-architecture", {"architecture": "x86-32", "as_of": asked}).rows
        assert any(str(row[0]) == "TestOS" for row in rows) is ported, asked


def test_the_graph_as_of_a_date_keeps_the_spell_that_covers_it(demo):
    for asked, statuses in STATUS.items():
        graph = demo.as_of(asked)
        held = {str(value).rsplit("/", 1)[-1] for value in graph.objects(TESTOS, MK.status)}
        assert held == statuses, asked


def test_the_command_line_answers_each_spell(demo):
    for asked, statuses in STATUS.items():
        result = invoke_on(demo, "query", "by-status", "-p", f"as_of={asked}", "-f", "csv")
        assert result.exit_code == 0, result.output
        assert _csv_statuses(result.stdout) == statuses, asked
    today = invoke_on(demo, "query", "by-status", "-f", "csv")
    assert _csv_statuses(today.stdout) == {"active"}


def _get(app, path: str) -> httpx.Response:
    async def fetch():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.get(path)

    return asyncio.run(fetch())


def test_the_server_answers_each_spell_and_shows_both(demo):
    endpoint = server.Endpoint(demo, workers=1)
    try:
        app = server.create_app(endpoint)
        for asked, statuses in STATUS.items():
            response = _get(app, f"/queries/by-status?as_of={asked}&format=csv")
            assert response.status_code == 200, response.text
            assert _csv_statuses(response.text) == statuses, asked
        page = _get(app, "/system/testos")
        assert page.status_code == 200
        assert "(2009 to 2015-07-01; since 2019-02-11)" in page.text
        assert "(2015-07-02 to 2019-02-10)" in page.text
        assert "(until 2010; 2014 to 2016; since 2017)" in page.text
    finally:
        endpoint.close()


def test_show_prints_every_spell_in_the_order_of_time(demo):
    history = invoke_on(demo, "show", "TestOS", "--history").output
    lines = history.splitlines()
    assert any(
        "active" in line and "(2009 to 2015-07-01; since 2019-02-11)" in line for line in lines
    )
    assert any("dormant" in line and "(2015-07-02 to 2019-02-10)" in line for line in lines)
    assert any("MIT" in line and "(until 2010; 2014 to 2016; since 2017)" in line for line in lines)
    assert any(
        "x86" in line and "(historic)" in line and "(until 2012; since 2013)" in line
        for line in lines
    )
    today = invoke_on(demo, "show", "TestOS").output
    assert "active" in today and "dormant" not in today
    assert "2 facts of history not shown" in today  # dormant, and the dropped port


def test_a_port_whose_spells_differ_in_level_gives_each_its_own(demo):
    """TestOS's AArch64 port was historic in 2010-2011 and is experimental since 2020: today's
    view says experimental only, the history and the facts panel say each spell's level."""
    today = [
        line for line in invoke_on(demo, "show", "TestOS").output.splitlines() if "AArch64" in line
    ]
    assert len(today) == 1 and "(experimental)" in today[0] and "historic" not in today[0]
    history = invoke_on(demo, "show", "TestOS", "--history").output
    assert "AArch64 (2010 to 2011 (historic); since 2020 (experimental))" in history
    view = demo.lineage_view(["TestOS"], "ancestors")
    ports = {value["value"]: value for value in view.nodes[TESTOS].statements["architectures"]}
    assert ports["AArch64"]["period"] == "2010 to 2011 (historic); since 2020 (experimental)"
    assert ports["AArch64"]["level"] is None
    assert ports["x86 (32-bit)"]["level"] == "historic"  # one level for both spells


def test_the_facts_panel_prints_every_spell(demo):
    view = demo.lineage_view(["TestOS"], "ancestors")
    said = view.nodes[TESTOS].statements
    statuses = {value["value"]: value for value in said["status"]}
    assert statuses["active"]["period"] == "2009 to 2015-07-01; since 2019-02-11"
    assert statuses["active"]["current"] and not statuses["dormant"]["current"]


def test_an_ended_link_with_two_spells_reads_as_both():
    assert lineage.sentence("Ares", "based on", "Helios", "until 2009; 2015 to 2020") == (
        "Ares was based on Helios until 2009 and from 2015 to 2020"
    )
    assert lineage.sentence("Ares", "based on", "Helios", "2009 to 2020") == (
        "Ares was based on Helios from 2009 to 2020"
    )


def test_diff_words_a_spell_added_as_the_fact_s_spells(demo, tmp_path):
    """A curator adds the second spell of a status: `diff` shows when the fact held, before and
    after, beside the statement that changed."""
    from mkgraph.views import diff

    old_root = tmp_path / "old"
    shutil.copytree(demo.resources.root, old_root)
    fixture = old_root / "data" / DEMO.name
    text = fixture.read_text(encoding="utf-8")
    kept = [
        line
        for line in text.splitlines()
        if not ('mk:validFrom "2019-02-11"' in line and "source:microkernel-info-list" in line)
    ]
    fixture.write_text("\n".join(kept) + "\n", encoding="utf-8")
    shown = diff.compare(KnowledgeGraph(old_root).graph, demo.graph).as_text()
    assert "~ spells of status: active: 2009 to 2015-07-01 -> " not in shown  # one source aside
    assert "No change" not in shown
    kept = [line for line in kept if 'mk:validFrom "2019-02-11"' not in line]
    fixture.write_text("\n".join(kept) + "\n", encoding="utf-8")
    shown = diff.compare(KnowledgeGraph(old_root).graph, demo.graph).as_text()
    assert (
        "~ spells of status: active: 2009 to 2015-07-01 -> 2009 to 2015-07-01; since 2019-02-11"
    ) in shown, shown
    # the statement that tells the new spell had no counterpart: not "always" before
    assert "~ period of status: active: no statement -> since 2019-02-11  [TestOS README]" in shown
    assert shown.endswith("Facts: 2 periods changed, 1 spell changed.")


def test_a_port_dropped_on_no_known_day_ended_before_any_today(demo, monkeypatch):
    """The port dropped on no known day ended before today: asked on a later calendar, still so."""
    monkeypatch.setattr(periods, "today", lambda: date(2030, 1, 1))
    spells = periods.periods_by_fact(demo.graph)[(TESTOS, MK.supportsArchitecture, _x86_32())]
    assert periods.text(spells) == "until 2012; since 2013"
    assert periods.holds(spells, periods.span("2029"))
    assert not periods.holds(spells, periods.span("2030"))


def _x86_32():
    from rdflib import URIRef

    return URIRef("https://w3id.org/mkgraph/architecture/x86-32")
