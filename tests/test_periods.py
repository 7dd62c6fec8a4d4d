"""Current state by default, history on request: the definition of "a fact holds as of a date"
(mkgraph.store.periods), the stored queries that say it in SPARQL, and the views that use it."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sampling import FULL

from mkgraph.api import KnowledgeGraph
from mkgraph.core.errors import ParameterError
from mkgraph.store import periods
from mkgraph.store.periods import Period, holds, span


def test_a_year_covers_the_whole_year_and_a_day_itself():
    assert span("2017") == (date(2017, 1, 1), date(2017, 12, 31))
    assert span("2017-03-01") == (date(2017, 3, 1), date(2017, 3, 1))
    assert span("today") == (date.today(), date.today())


@pytest.mark.parametrize("bad", ["20x", "17", "2017-13-01", "2017-02-30", "", "2017/03/01"])
def test_a_value_that_is_not_a_date_is_one_clear_error(bad):
    with pytest.raises(ParameterError, match="is not a date: give a year"):
        span(bad)


@pytest.mark.parametrize(
    "period, asked, expected",
    [
        (Period(valid_until="2017"), "2016", True),
        (Period(valid_until="2017"), "2017", True),  # it held during 2017
        (Period(valid_until="2017"), "2018-01-01", False),
        (Period(valid_from="2017"), "2016-12-31", False),
        (Period(valid_from="2017"), "2017", True),
        (Period(valid_from="2017-03-01"), "2017-02-28", False),
        (Period(valid_from="2017-03-01"), "2017", True),  # some day of 2017
        (Period("2010", "2012"), "2011-06-30", True),
        (Period("2010", "2012"), "2013", False),
        (Period(), "1970", True),
    ],
)
def test_holds_is_valid_from_before_and_valid_until_not_before(period, asked, expected):
    assert holds([period], span(asked)) is expected


def test_a_port_dropped_on_no_known_day_is_history_from_today_on():
    dropped = Period(dropped=True)
    assert holds([dropped], span("2010"))
    assert not holds([dropped], span("today"))
    assert not holds([dropped], span(str(date.today().year)))
    assert holds([Period(valid_until="2020", dropped=True)], span("2019"))
    assert not holds([Period(valid_until="2020", dropped=True)], span("2021"))


def test_no_fact_that_changes_holds_before_its_system_began():
    began = date(2017, 6, 15)
    assert not holds([], span("2016"), began)
    assert not holds([], span("2017-06-14"), began)
    assert holds([], span("2017"), began)  # some day of 2017 is on or after its beginning
    assert holds([], span("2017-06-15"), began)
    assert not holds([Period(valid_from="2010")], span("2012"), began)  # a period cannot widen it
    assert holds([], span("1970"))  # a system with no date is not bounded


@pytest.mark.parametrize(
    "name", ["by-licence", "by-architecture", "by-organisation", "by-language", "by-status"]
)
def test_the_as_of_queries_name_every_beginning_date(name, bundled):
    """Each stored as_of query writes the beginning dates out as a property path: the same list
    as the definition's, so a date property added to one is added to the other."""
    import re

    text = (bundled.root / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    paths = re.findall(r"\?\w+ ((?:mk:\w+\|)+mk:\w+) \?born", text)
    assert len(paths) == 2, paths
    for path in paths:
        terms = path.split("|")
        assert sorted(terms) == sorted(f"mk:{term}" for term in periods.BEGINNING_PROPERTIES)


def test_spells_add_up():
    """A fact that held, stopped and held again: each statement with a period is a spell, and the
    fact holds where any of them covers the time asked about (no longer where all agree)."""
    spells = [Period("2009", "2015-07-01"), Period(valid_from="2019-02-11")]
    assert holds(spells, span("2012"))
    assert holds(spells, span("2015-07-01"))
    assert not holds(spells, span("2015-07-02"))
    assert not holds(spells, span("2017"))
    assert not holds(spells, span("2019-02-10"))
    assert holds(spells, span("2019"))  # some day of 2019 is in the second spell
    assert holds(spells, span("today"))
    assert not holds(spells, span("2008"))
    assert holds(spells, span("2012"), date(2009, 6, 1))
    assert not holds(spells, span("2012"), date(2013, 1, 1))  # never before its system began
    assert periods.text(spells) == "2009 to 2015-07-01; since 2019-02-11"
    assert periods.text(list(reversed(spells))) == "2009 to 2015-07-01; since 2019-02-11"


def test_a_spell_told_twice_is_one_spell():
    once = [Period("2017", "2019")]
    assert periods.spells(once * 2) == once
    assert periods.spells([Period("2017"), Period("2017-01-01")]) == [Period("2017")]
    assert periods.text([Period(valid_until="2010"), Period("2014", "2016")] * 2) == (
        "until 2010; 2014 to 2016"
    )
    assert periods.text([]) is None


@pytest.mark.parametrize(
    "one, other, expected",
    [
        (Period("2009", "2015-07-01"), Period("2015-07-02"), False),  # touching
        (Period("2009", "2015-07-01"), Period("2015-07-01"), True),  # one shared day
        (Period("2009", "2015"), Period("2015-07-02"), True),  # a year ends on its last day
        (Period("2014", "2016"), Period("2017"), False),
        (Period("2017", "2019"), Period("2017", "2019"), False),  # the same spell, told twice
        (Period("2017"), Period("2017-01-01"), False),  # the same days, written two ways
        (Period(valid_until="2020-06-26"), Period("2005", "2020-06-26"), True),
        (Period(valid_until="2010"), Period("2011"), False),
        (Period(dropped=True), Period("2019"), True),  # dropped before today, on no known day
        (Period("2005", dropped=True), Period(valid_until="2004"), False),
        (Period(dropped=True), Period(dropped=True), False),  # the same, told twice
        (Period(valid_until="2012", dropped=True), Period("2013", dropped=True), False),
    ],
)
def test_spells_overlap_when_they_share_a_day_and_differ(one, other, expected):
    assert periods.overlaps(one, other) is expected
    assert periods.overlaps(other, one) is expected


_BOUNDS = [None, "2015", "2017", "2019", "2017-06-15", "2018-01-01", "2016-12-31"]
_ASKED = [
    "2014",
    "2016",
    "2017",
    "2017-06-14",
    "2017-06-15",
    "2018",
    "2019-12-31",
    "2020",
    str(date.today().year),
    "today",
]
_HEADER = """@prefix mk: <https://w3id.org/mkgraph/ontology#> .
@prefix sys: <https://w3id.org/mkgraph/system/> .
@prefix arch: <https://w3id.org/mkgraph/architecture/> .
@prefix lang: <https://w3id.org/mkgraph/language/> .
@prefix source: <https://w3id.org/mkgraph/source/> .
@prefix agent: <https://w3id.org/mkgraph/agent/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix doap: <http://usefulinc.com/ns/doap#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix spdx: <http://spdx.org/licenses/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _literal(bound: str) -> str:
    return f'"{bound}"^^xsd:{"gYear" if len(bound) == 4 else "date"}'


# Dates a system began on, as years and days, some after some of the periods' bounds.
_BEGINNINGS = ["2014", "2016-12-31", "2017-06-15", "2017-06-16", "2018", "2019-12-31"]


# Spells a fact may have: none, disjoint ones open at both ends, touching ones, one told twice,
# an open end on each side of a gap, and overlapping ones (a data error, and still defined).
_PATTERNS = [
    [],
    [(None, "2015"), ("2017-06-15", "2018-01-01"), ("2019", None)],
    [("2015", "2016-12-31"), ("2017", None)],
    [("2017", "2019"), ("2017", "2019")],
    [(None, "2016-12-31"), ("2018-01-01", None)],
    [("2015", "2017-06-15"), ("2017", "2019")],
]


def _generated_root(small_root, count: int = 40, seed: int = 14):
    """Projects each with a licence and an architecture whose statements carry spells: the
    patterns above, each twice, then random periods; some statements give no period (they add a
    source, not time) and some ports are historic (dropped, with or without an end). Most
    projects have one to three beginning dates (start year, first commit, ...) of random values.
    The expected periods are a fact's spells, as periods_by_fact reads them."""
    rng = random.Random(seed)
    lines = [_HEADER, 'agent:owner a mk:Organisation ; rdfs:label "Owner Ltd" .']
    expected: dict[str, list[Period]] = {}
    ports: dict[str, list[Period]] = {}  # the architecture statements may also say "historic"
    begins: dict[str, date | None] = {}
    for index in range(count):
        name = f"P{index:02d}"
        dates = {
            term: rng.choice(_BEGINNINGS)
            for term in rng.sample(periods.BEGINNING_PROPERTIES, rng.randint(0, 3))
        }
        for year_only in ("startYear", "firstAppeared"):  # these are always years
            if year_only in dates:
                dates[year_only] = dates[year_only][:4]
        begins[name] = min((span(value)[0] for value in dates.values()), default=None)
        dated = "".join(f" ; mk:{term} {_literal(value)}" for term, value in dates.items())
        lines.append(
            f'sys:p{index} a mk:ListedProject, mk:Microkernel ; rdfs:label "{name}" ;\n'
            '    dct:description "A generated project for the period tests." ;\n'
            "    doap:homepage <https://example.org/> ; dct:source source:microkernel-info-list ;\n"
            "    dct:license spdx:MIT ; mk:supportsArchitecture arch:riscv64 ;\n"
            "    mk:implementedIn lang:rust ; mk:status <https://w3id.org/mkgraph/status/active> ;\n"
            f"    mk:ownedBy agent:owner{dated} ."
        )
        if index < 2 * len(_PATTERNS):
            stated = list(_PATTERNS[index % len(_PATTERNS)])
        else:
            stated = [(rng.choice(_BOUNDS), rng.choice(_BOUNDS)) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.3:
            stated.insert(rng.randint(0, len(stated)), (None, None))  # a source, no period
        found, port = [], []
        for start, end in stated:
            dropped = rng.random() < 0.3
            if start or end:
                found.append(Period(start, end))
            if start or end or dropped:
                port.append(Period(start, end, dropped))
            extra = "".join(
                f" ; mk:{term} {_literal(value)}"
                for term, value in (("validFrom", start), ("validUntil", end))
                if value
            )
            for predicate, value in (
                ("dct:license", "spdx:MIT"),
                ("mk:supportsArchitecture", "arch:riscv64"),
                ("mk:ownedBy", "agent:owner"),
                ("mk:implementedIn", "lang:rust"),
                ("mk:status", "<https://w3id.org/mkgraph/status/active>"),
            ):
                level = (
                    " ; mk:supportLevel <https://w3id.org/mkgraph/support/historic>"
                    if dropped and predicate == "mk:supportsArchitecture"
                    else ""
                )
                lines.append(
                    f"[] a rdf:Statement ; rdf:subject sys:p{index} ; rdf:predicate {predicate} ;"
                    f" rdf:object {value} ; prov:wasDerivedFrom source:microkernel-info-list"
                    f"{extra}{level} ."
                )
        expected[name] = found
        ports[name] = port
    (small_root / "data" / "generated.ttl").write_text("\n".join(lines), encoding="utf-8")
    return expected, ports, begins


# What rdflib, the slow engine (two seconds of CPU a date, a third of it parsing the query text
# the date is written into), is asked in CI: one date of each kind the queries tell apart (a year,
# a day, the word `today`; the day on a bound, where an off-by-one would show); Oxigraph is asked
# every date of _ASKED, and rdflib too with MKGRAPH_TEST_FULL=1.
_ASKED_OF_RDFLIB = _ASKED if FULL else ["2016", "2017-06-15", "today"]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_stored_queries_say_what_the_definition_says(engine, small_root):
    """by-licence, by-architecture, by-organisation, by-language and by-status, on both engines, against periods.holds on generated
    spells (several per fact: disjoint, touching, told twice, open-ended, overlapping, historic;
    years against days; statements without a period). Oxigraph is asked every date of _ASKED,
    rdflib each kind of date (_ASKED_OF_RDFLIB)."""
    expected, ports, begins = _generated_root(small_root)
    assert len(set(begins.values())) > 3 and None in begins.values()  # the generator's spread
    assert sum(len(periods.spells(found)) > 1 for found in expected.values()) > 8
    assert any(not found for found in expected.values())
    kg = KnowledgeGraph(small_root, engine=engine)
    for asked in _ASKED if engine == "oxigraph" else _ASKED_OF_RDFLIB:
        wanted = {
            name for name, found in expected.items() if holds(found, span(asked), begins[name])
        }
        licence = kg.query("by-licence", {"as_of": asked})
        listed = {
            name.strip()
            for row in licence.rows
            if str(row[3]).endswith("/MIT")
            for name in str(row[2]).split(",")
        }
        assert listed == wanted, asked
        running = kg.query("by-architecture", {"architecture": "riscv64", "as_of": asked})
        supported = {
            name for name, found in ports.items() if holds(found, span(asked), begins[name])
        }
        assert {str(row[0]) for row in running.rows} == supported, asked
        owners = kg.query("by-organisation", {"as_of": asked})
        assert _grouped(owners.rows, "Owner Ltd") == wanted, asked
        written = kg.query("by-language", {"language": "Rust", "as_of": asked})
        assert {str(row[0]) for row in written.rows} == wanted, asked
        statuses = kg.query("by-status", {"as_of": asked})
        assert _grouped(statuses.rows, "active") == wanted, asked


def _grouped(rows, group: str) -> set[str]:
    """The names listed for one group by a query whose rows are (group, count, names, ...)."""
    return {name.strip() for row in rows if str(row[0]) == group for name in str(row[2]).split(",")}


def test_the_graph_as_of_a_date_says_what_the_definition_says(small_root):
    """kg.as_of (the views' history) leaves out exactly the licence facts the definition ends,
    the beginnings included, so it agrees with the stored queries above."""
    from rdflib import URIRef

    expected, _, begins = _generated_root(small_root)
    kg = KnowledgeGraph(small_root)
    mit = URIRef("http://spdx.org/licenses/MIT")
    licence = URIRef("http://purl.org/dc/terms/license")
    for asked in _ASKED:
        graph = kg.as_of(asked)
        kept = {
            str(graph.value(system, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
            for system in graph.subjects(licence, mit)
        }
        wanted = {
            name for name, found in expected.items() if holds(found, span(asked), begins[name])
        }
        assert kept == wanted, asked


@pytest.mark.bundled_data
def test_a_system_runs_on_no_architecture_before_it_began(kg):
    """LionsOS began in 2023 and supports RISC-V (64-bit) with no start to that fact: it is no
    answer to "which kernels supported RISC-V in 2020?" (it was, before the beginning bound)."""
    from mkgraph.core.namespaces import MK, SYSTEM

    assert str(kg.graph.value(SYSTEM.lionsos, MK.startYear)) == "2023"
    now = {str(row[0]) for row in kg.query("by-architecture", {"architecture": "RISC-V"}).rows}
    then = {
        str(row[0])
        for row in kg.query("by-architecture", {"architecture": "RISC-V", "as_of": "2020"}).rows
    }
    assert "LionsOS" in now and "LionsOS" not in then
    assert "seL4" in then  # begun long before


@pytest.mark.bundled_data
def test_genode_licence_is_history_by_default_and_shown_with_history(invoke):
    today = invoke("show", "Genode")
    assert today.exit_code == 0
    licences = [line for line in today.output.splitlines() if "GPL" in line]
    assert any("AGPL-3.0" in line for line in licences)
    assert not any("GPL-2.0" in line for line in licences), licences
    assert "fact of history not shown" in today.output or "facts of history" in today.output
    history = invoke("show", "Genode", "--history")
    assert history.exit_code == 0
    assert any(
        "GPL-2.0" in line and "(2008-08-06 to 2017-02-27)" in line
        for line in history.output.splitlines()
    )


@pytest.mark.bundled_data
def test_by_licence_today_and_as_of_a_year_before_the_change(kg):
    def genode(asked=None):
        result = kg.query("by-licence", {"as_of": asked} if asked else {})
        return sorted(str(row[0]) for row in result.rows if "Genode" in str(row[2]))

    assert all("GPL-2.0" not in name or "AGPL" in name for name in genode())
    assert any(name.startswith("GPL-2.0") for name in genode("2016"))
    assert not any(name.startswith("AGPL") for name in genode("2016"))


@pytest.mark.bundled_data
def test_views_leave_out_history(kg):
    """render list, coverage and the drawings read the current graph."""
    from mkgraph.core.namespaces import SPDX, SYSTEM
    from mkgraph.views import listing

    ended = periods.not_holding(kg.graph)
    assert ended, "the bundled data has dated facts that have ended"
    for fact in ended:
        assert fact not in kg.current
    markdown = listing.to_markdown(kg.current)
    assert markdown  # the list is drawn from the same current graph
    genode = kg.lineage_view(["Genode"], "ancestors").nodes[SYSTEM.genode]
    licences = genode.facts.get("licences", [])
    assert licences and not any(name in {str(SPDX["GPL-2.0"]), "GPL-2.0"} for name in licences)


def test_a_date_parameter_is_checked_where_it_is_bound(invoke):
    result = invoke("query", "by-licence", "-p", "as_of=next week")
    assert result.exit_code == 2
    assert "is not a date" in result.stderr
    assert "Traceback" not in result.output


def _future_values() -> list[str]:
    today = date.today()
    tomorrow = date.fromordinal(today.toordinal() + 1)
    return [tomorrow.isoformat(), str(today.year + 1), str(today.year + 900), f" {tomorrow} "]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_date_after_today_is_refused_on_every_path(engine, fixture_kg):
    """The graph records what held up to today: asked about a later day, it would answer with
    today's state as if it were known. Refused where the value is bound (the library's query and
    as_of, on both engines, and so the CLI and the server, which bind through it); today and this
    year are answered."""
    kg = KnowledgeGraph(fixture_kg.resources.root, engine=engine)
    for value in _future_values():
        with pytest.raises(ParameterError, match="is in the future: give a year or a day up to"):
            kg.query("by-licence", {"as_of": value})
        with pytest.raises(ParameterError, match="is in the future"):
            kg.as_of(value)
    for value in ("today", str(date.today().year), date.today().isoformat()):
        assert kg.query("by-licence", {"as_of": value}).rows == kg.query("by-licence").rows


def test_the_command_line_refuses_a_future_date_in_one_line(fixture_kg, invoke):
    root = ("--root", str(fixture_kg.resources.root))
    for value in _future_values():
        result = invoke(*root, "query", "by-architecture", "-p", f"as_of={value}")
        assert result.exit_code == 2
        assert result.stderr.strip() == (
            f"mkgraph: error: {value.strip()!r} is in the future: give a year or a day up to "
            "today, or today"
        )


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_the_overlap_check_says_what_the_definition_says(engine, small_root):
    """spell-overlap-violation (what `mkgraph validate` runs) reports exactly the pairs of spells
    that periods.overlapping finds, on the generated spells, with both periods in its words."""
    _generated_root(small_root)
    kg = KnowledgeGraph(small_root, engine=engine)
    wanted = {
        (str(fact[0]), f"{one.text()} and {other.text()}")
        for fact, one, other in periods.overlapping(kg.graph)
    }
    assert len(wanted) > 3
    # what is tested is the answer, not the speed: rdflib's engine needs seconds for this query and
    # a loaded CI machine once took over the default 30 s limit
    found = kg.query("spell-overlap-violation", timeout=None).rows
    assert {(str(row[0]), str(row[1])) for row in found} == wanted
    assert all("in two spells that overlap" in str(row[2]) for row in found)


def test_todays_queries_say_what_the_definition_says(small_root):
    """The stored queries that answer with today's facts (here `projects` and
    `language-and-architecture`) keep a language or a port exactly where periods.holds says it
    holds today, on the generated spells."""
    expected, ports, _ = _generated_root(small_root)
    kg = KnowledgeGraph(small_root)
    today = span("today")
    rows = {str(row[0]): row for row in kg.query("projects").rows}
    for name in expected:
        assert (rows[name][1] is not None) is holds(expected[name], today), name
        assert (rows[name][2] is not None) is holds(ports[name], today), name
    both = {
        str(row[0])
        for row in kg.query(
            "language-and-architecture", {"language": "Rust", "architecture": "riscv64"}
        ).rows
    }
    assert both == {
        name for name in expected if holds(expected[name], today) and holds(ports[name], today)
    }


def test_every_stored_query_writes_holds_as_the_definition_does(bundled):
    """Each stored query that decides whether a fact holds (as of a date or today) carries
    periods.sparql_holds's filter as it is written there (spaces aside), and no other period
    test: one definition, written out once."""
    import re

    def flat(text: str) -> str:
        return " ".join(text.split())

    deciding = {}
    for path in sorted((bundled.root / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        facts = re.findall(
            r"\?spell rdf:subject (\S+) ; rdf:predicate (\S+) ; rdf:object (\S+) \.", text
        )
        if not facts:
            assert (
                "rdf:subject" not in text
                or path.stem.endswith("-violation")
                or (path.stem in {"sources", "copy-only-facts", "statistics", "wikidata"})
            ), path.stem
            continue
        as_of = "?as_of" in text
        for fact in sorted(set(facts)):
            assert flat(periods.sparql_holds(*fact, as_of=as_of)) in flat(text), (path.stem, fact)
        assert len(facts) == 2 * len(set(facts))  # the two patterns of each filter, no other
        deciding[path.stem] = as_of
    assert {name for name, as_of in deciding.items() if as_of} == {
        "by-licence",
        "by-architecture",
        "by-organisation",
        "by-language",
        "by-status",
    }
    assert len(deciding) >= 10
