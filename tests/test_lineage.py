"""Family trees in the terminal. The trees pinned from the bundled data are marked bundled_data;
the rest hold on any graph (every line a lineage fact, every path read descendant first)."""

from __future__ import annotations

import json
import re

import pytest

# A system's name as a tree line adds it: "L4/Fiasco (first appeared 1998)"
DATED_NAME = re.compile(
    r" \((started|first appeared|announced|first commit|first release|open-sourced) \d{4}\)"
)

SEL4_TREE = """\
seL4 (started 2004)
├── F9 (started 2012) re-implements seL4
├── Genode (started 2006) is based on seL4
│   └── Sculpt (first release 2018) is based on Genode
├── Helios (announced 2022) is inspired by seL4
│   ├── Ares (announced 2022) is based on Helios
│   └── Hermes (started 2025) is derived from Helios
│       └── Ares is based on Hermes (shown above)
├── Hermes is inspired by seL4 (shown above)
├── LionsOS (started 2023) is based on seL4
├── Redox (started 2015) is inspired by seL4
├── Robigalia (started 2015) is based on seL4
├── seL4 Microkit (started 2021) is based on seL4
│   └── LionsOS is based on seL4 Microkit (shown above)
└── UX/RT (announced 2010) is based on seL4
"""


@pytest.mark.bundled_data
def test_sel4_tree_is_pinned(invoke):
    result = invoke("lineage", "seL4")
    assert result.exit_code == 0
    assert result.output == SEL4_TREE


@pytest.mark.bundled_data
def test_ascii_tree(invoke):
    lines = invoke("lineage", "sel4", "--ascii").output.splitlines()
    assert lines[1] == "|-- F9 (started 2012) re-implements seL4"
    assert lines[-1] == "`-- UX/RT (announced 2010) is based on seL4"
    assert all(ord(ch) < 128 for line in lines for ch in line)


@pytest.mark.bundled_data
def test_ancestors_relation_filter_and_depth(invoke):
    assert invoke("lineage", "Ares", "--ancestors").output == (
        "Ares (announced 2022)\n"
        "├── Ares is based on Helios (announced 2022)\n"
        "│   └── Helios is inspired by seL4 (started 2004)\n"
        "│       └── seL4 is inspired by L4 (announced 1993)\n"
        "│           └── L4 is inspired by L3 (first appeared 1987)\n"
        "└── Ares is based on Hermes (started 2025)\n"
        "    ├── Hermes is derived from Helios (shown above)\n"
        "    └── Hermes is inspired by seL4 (shown above)\n"
    )
    only_based = invoke("lineage", "seL4", "-r", "based-on", "--depth", "1").output.splitlines()
    assert only_based[1:] == [
        "├── Genode (started 2006) is based on seL4",
        "├── LionsOS (started 2023) is based on seL4",
        "├── Robigalia (started 2015) is based on seL4",
        "├── seL4 Microkit (started 2021) is based on seL4",
        "└── UX/RT (announced 2010) is based on seL4",
    ]
    assert invoke("lineage", "Hedron", "--ancestors", "-r", "derived-from").output == (
        "Hedron (started 2016)\n└── Hedron is derived from NOVA (started 2005)\n"
    )


def test_every_tree_line_is_a_true_sentence(kg, invoke):
    """Each line under the root, in both directions, is a lineage triple read descendant first,
    a link that has ended in the past tense with its period (as "Ares was based on Helios
    until 2025" in tests/test_lineage_chains.py's fixture graph)."""
    from mkgraph.core.namespaces import LINEAGE_RELATIONS
    from mkgraph.store.names import label
    from mkgraph.views.lineage import RELATION_LABELS, ended_links, sentence

    ended = ended_links(kg.graph)
    facts = {
        sentence(label(kg.graph, s), RELATION_LABELS[p], label(kg.graph, o), ended.get((s, p, o)))
        for p in LINEAGE_RELATIONS
        for s, o in kg.graph.subject_objects(p)
    }
    for name, direction in (
        ("L4", "--descendants"),
        ("Sculpt", "--ancestors"),
        ("L3", "--descendants"),
        ("Ares", "--ancestors"),
    ):
        lines = invoke("lineage", name, direction).output.splitlines()[1:]
        assert lines
        for line in lines:
            said = DATED_NAME.sub("", line.lstrip("│├└─ ").removesuffix(" (shown above)"))
            assert said in facts, line


@pytest.mark.bundled_data
def test_empty_answers_say_so(invoke):
    result = invoke("lineage", "L3", "--ancestors")
    assert result.exit_code == 0 and result.output == "L3 has no ancestors in the graph\n"
    assert invoke("lineage", "Sculpt").output == "Sculpt has no descendants in the graph\n"
    data = json.loads(invoke("lineage", "L3", "--ancestors", "-f", "json").output)
    assert data["note"] == "L3 has no ancestors in the graph" and data["links"] == []
    dot = invoke("lineage", "L3", "--ancestors", "-f", "dot").output
    assert "L3 has no ancestors in the graph" in dot


def test_unknown_system(invoke):
    result = invoke("lineage", "seL5")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "mkgraph: error: no system named 'seL5' in the graph; did you mean seL4"
    )
    assert result.stdout == ""


@pytest.mark.bundled_data
def test_l4_descendants_by_kind_of_inheritance(invoke):
    lines = invoke("lineage", "L4").output.splitlines()
    assert lines[0] == "L4 (announced 1993)"
    for child in (
        "L4/Fiasco (first appeared 1998)",
        "L4/MIPS (started 1996)",
        "L4Ka::Hazelnut (first appeared 2000)",
        "L4Ka::Pistachio (first appeared 2003)",
        "P4 (first appeared 1999)",
    ):
        assert any(line.endswith(f"{child} re-implements L4") for line in lines), child
    # code inherited
    assert any(line.endswith("L4/Alpha (started 1996) is derived from L4") for line in lines)
    assert any(
        line.endswith("L4-embedded (first appeared 2005) is derived from L4Ka::Pistachio")
        for line in lines
    )
    assert any(
        line.endswith("OKL4 (first appeared 2007) is derived from L4-embedded") for line in lines
    )
    assert any(
        line.endswith("Fiasco.OC (first appeared 2009) is derived from L4/Fiasco") for line in lines
    )


@pytest.mark.bundled_data
def test_ancestors_reach_l3_through_the_kinds_of_inheritance(invoke):
    assert invoke("lineage", "L4Re", "--ancestors").output == (
        "L4Re (started 1997)\n"
        "└── L4Re is based on Fiasco.OC (first appeared 2009)\n"
        "    └── Fiasco.OC is derived from L4/Fiasco (first appeared 1998)\n"
        "        └── L4/Fiasco re-implements L4 (announced 1993)\n"
        "            └── L4 is inspired by L3 (first appeared 1987)\n"
    )
    only = invoke("lineage", "OKL4", "--ancestors", "-r", "reimplements", "-r", "derived-from")
    assert only.output == (
        "OKL4 (first appeared 2007)\n"
        "├── OKL4 is derived from L4-embedded (first appeared 2005)\n"
        "│   └── L4-embedded is derived from L4Ka::Pistachio (first appeared 2003)\n"
        "│       └── L4Ka::Pistachio re-implements L4 (announced 1993)\n"
        "└── OKL4 is derived from L4Ka::Pistachio (shown above)\n"
    )


@pytest.mark.bundled_data
def test_stored_ancestors_query_follows_reimplements(kg):
    paths = {str(row[2]) for row in kg.query("ancestors", {"of": "OKL4"}).rows}
    assert "OKL4 → derived from → L4Ka::Pistachio → re-implements → L4" in paths
    assert "OKL4 → derived from → L4Ka::Pistachio → re-implements → L4 → inspired by → L3" in paths
    descendants = {str(row[0]) for row in kg.query("descendants", {"of": "L3"}).rows}
    assert {"L4", "L4/MIPS", "OKL4", "Fiasco.OC", "L4Re", "Genode"} <= descendants


def _lineage_facts(kg) -> set[tuple[str, str, str]]:
    """Every lineage triple as (descendant name, relation name, ancestor name), those that have
    ended included (lineage is descent)."""
    from mkgraph.core.namespaces import LINEAGE_RELATIONS
    from mkgraph.store.names import label
    from mkgraph.views.lineage import RELATION_LABELS

    return {
        (label(kg.graph, s), RELATION_LABELS[p], label(kg.graph, o))
        for p in LINEAGE_RELATIONS
        for s, o in kg.graph.subject_objects(p)
    }


def _steps(path: str) -> list[tuple[str, str, str]]:
    parts = path.split(" → ")
    assert len(parts) % 2 == 1, path
    return [tuple(parts[i : i + 3]) for i in range(0, len(parts) - 2, 2)]  # type: ignore[misc]


def test_stored_query_paths_read_descendant_first_for_every_system(kg):
    """Every path the descendants and ancestors queries give reads in words as the facts do:
    each "A → relation → B" is "A is <relation> B", the descendant first, the path running from
    the row's system to the asked one (descendants) or from the asked one to it (ancestors).
    Each query runs once with its parameter left unbound, so it answers for every system."""
    from mkgraph.store.queries import list_stored_queries

    facts = _lineage_facts(kg)
    stored = {q.name: q for q in list_stored_queries(kg.resources.queries)}
    for direction in ("descendants", "ancestors"):
        text = stored[direction].text.replace(
            "SELECT DISTINCT ?name ?depth ?path", "SELECT DISTINCT ?ofName ?name ?depth ?path"
        )
        rows = kg.sparql(text).rows
        assert len(rows) > 100, direction
        for asked, name, depth, path in rows:
            steps = _steps(str(path))
            assert len(steps) == int(depth), path
            assert all(step in facts for step in steps), (direction, path)
            first, last = steps[0][0], steps[-1][2]
            ends = (str(name), str(asked))
            assert (first, last) == (ends if direction == "descendants" else ends[::-1]), path


def test_descendant_paths_are_the_same_in_the_cli_and_the_server(kg, invoke):
    import asyncio
    import csv
    import io

    import httpx

    from mkgraph.web import server

    expected = "Ares → based on → Helios → inspired by → seL4"
    cli = invoke("query", "descendants", "-p", "of=seL4", "-f", "csv").output
    endpoint = server.Endpoint(kg, workers=1)
    try:

        async def fetch() -> str:
            transport = httpx.ASGITransport(app=server.create_app(endpoint))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                answer = await http.get("/queries/descendants?of=seL4&format=csv")
                return answer.text

        served = asyncio.run(fetch())
    finally:
        endpoint.close()
    rows = [list(csv.reader(io.StringIO(text))) for text in (cli, served)]
    assert rows[0] == rows[1]
    assert ["Ares", "2", expected] in rows[0]
    table = invoke("query", "descendants", "-p", "of=seL4").output
    assert expected in " ".join(table.split())


def test_tree_years_are_the_drawings_years(kg, invoke):
    """Each system a tree line adds carries the year and kind of date the drawings place it
    by; a system shown again carries none."""
    from mkgraph.store.names import label
    from mkgraph.views.lineage import dated

    placed = {}
    for system in kg.current.subjects():
        found = dated(kg.current, system)
        if found:
            placed[label(kg.current, system)] = f"{found[1]} {found[0]}"
    lines = invoke("lineage", "L3").output.splitlines()
    assert len(lines) > 5
    for line in lines[1:]:
        annotation = DATED_NAME.search(line)
        if line.endswith("(shown above)"):
            assert annotation is None, line
        elif annotation:
            # the annotated name is the descendant, first in the sentence
            name = line.lstrip("│├└─ ")[: annotation.start() - len(line)]
            assert placed[name.strip()] == annotation.group(0)[2:-1], line


def test_dated_prefers_the_start_year_then_the_earliest_bound():
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import XSD

    from mkgraph.core.namespaces import MK
    from mkgraph.views.lineage import dated

    graph, system = Graph(), URIRef("https://w3id.org/mkgraph/system/testos")
    assert dated(graph, system) is None
    graph.add((system, MK.firstRelease, Literal("2001-05-01", datatype=XSD.date)))
    graph.add((system, MK.firstAppeared, Literal("2001", datatype=XSD.gYear)))
    assert dated(graph, system) == (2001, "first appeared")  # same year: the earlier kind
    graph.add((system, MK.announced, Literal("1999", datatype=XSD.gYear)))
    assert dated(graph, system) == (1999, "announced")  # the earliest bound
    graph.add((system, MK.startYear, Literal("2000", datatype=XSD.gYear)))
    assert dated(graph, system) == (2000, "started")  # a start year wins, though later


@pytest.mark.bundled_data
def test_l4_family_appearance_years_are_not_start_years(kg, invoke):
    """The years of the seL4 whitepaper's family-tree figure date appearances, not starts."""
    from mkgraph.core.namespaces import MK

    expected = {
        "l4-fiasco": 1998,
        "p4": 1999,
        "l4ka-hazelnut": 2000,
        "l4ka-pistachio": 2003,
        "l4-embedded": 2005,
        "okl4": 2007,
        "fiasco-oc": 2009,
    }
    data = json.loads(invoke("lineage", "L4", "-f", "json").output)
    nodes = {node["iri"].rsplit("/", 1)[-1]: node for node in data["nodes"]}
    for slug, year in expected.items():
        system = kg.resolve(nodes[slug]["name"])
        assert [int(str(y)) for y in kg.current.objects(system, MK.firstAppeared)] == [year]
        assert list(kg.current.objects(system, MK.startYear)) == [], slug
        assert (nodes[slug]["year"], nodes[slug]["yearKind"]) == (year, "first appeared")
        assert nodes[slug]["facts"]["first appeared"] == [str(year)]
        assert "start year" not in nodes[slug]["facts"]
