"""Lineage drawings: DOT, SVG, PNG, Mermaid, JSON, the self-contained HTML page, and the list view.

The drawing code is tested on the fixture graph (tests/fixtures/root: L3 <- L4 <- seL4 <- Helios <-
Ares, L4Ka::Pistachio, NOVA <- Hedron, Tock); the tests marked bundled_data are about the bundled
graph's own lineage (the L4 family, Genode's licences, the committed drawings)."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pydot
import pytest
from browser import chromium
from commands import invoke_on

from mkgraph.core.namespaces import LINEAGE_RELATIONS
from mkgraph.views import drawing, listing

# rdflib's parse of each text kept for the module (its tests draw copies of the fixture root):
# conftest.kept_parses
pytestmark = pytest.mark.usefixtures("kept_parses")

DOCS = Path(__file__).parent.parent / "docs"
STYLE_OF = {
    "based on": "solid",
    "derived from": "bold",
    "re-implements": "dotted",
    "inspired by": "dashed",
}


def _system_nodes(graph: pydot.Dot) -> dict[str, pydot.Node]:
    """System nodes by name; a node also named bare in a rank subgraph keeps its attributes."""
    found = {}
    for sub in graph.get_subgraphs():
        found.update(_system_nodes(sub))
    for node in graph.get_nodes():
        found[node.get_name().strip('"')] = node
    return {name: node for name, node in found.items() if name.startswith("n_")}


def _system_edges(graph: pydot.Dot) -> list[pydot.Edge]:
    found = list(graph.get_edges())
    for sub in graph.get_subgraphs():
        found += _system_edges(sub)
    # the invisible edges only lay out the undated band
    return [
        e for e in found if e.get_source().strip('"').startswith("n_") and e.get("style") != "invis"
    ]


@pytest.fixture(scope="module")
def forest(fixture_kg):
    return fixture_kg.lineage_view()


@pytest.fixture(scope="module")
def bundled_forest(kg):
    return kg.lineage_view()


@pytest.fixture
def lineage(fixture_kg, invoke):
    """`mkgraph --root FIXTURE lineage ...`, handed the session's fixture graph."""

    def run(*args):
        return invoke("--root", str(fixture_kg.resources.root), "lineage", *args)

    return run


@cache
def parsed_dot(text: str) -> pydot.Dot:
    """pydot's parse of a DOT text, once per text: several tests read the same whole forest."""
    (graph,) = pydot.graph_from_dot_data(text)
    return graph


def test_dot_has_one_node_per_system_and_one_edge_per_lineage_triple(fixture_kg, forest, lineage):
    kg = fixture_kg
    result = lineage("--format", "dot")
    assert result.exit_code == 0
    graph = parsed_dot(result.output)
    nodes = _system_nodes(graph)
    assert set(nodes) == {node.key for node in forest.nodes.values()}
    triples = [(s, p, o) for p in LINEAGE_RELATIONS for s, o in kg.graph.subject_objects(p)]
    edges = _system_edges(graph)
    assert len(edges) == len(triples)
    for edge in edges:
        relation = edge.get("label").strip('"')
        assert edge.get("style").strip('"') == STYLE_OF[relation]
    hedron = nodes["n_hedron"]
    assert hedron.get("shape") == "box" and hedron.get("URL").strip('"').startswith("https://")
    assert nodes["n_helios"].get("shape") == "ellipse"  # mentioned, not listed


@pytest.mark.bundled_data
def test_dot_for_one_system_ranks_by_start_year(invoke):
    (graph,) = pydot.graph_from_dot_data(invoke("lineage", "seL4", "-f", "dot").output)
    ranked = [sub for sub in graph.get_subgraphs() if sub.get("rank") == "same"]
    sel4_rank = next(sub for sub in ranked if "n_sel4" in {n.get_name() for n in sub.get_nodes()})
    assert "y2004" in {n.get_name() for n in sel4_rank.get_nodes()}
    assert set(_system_nodes(graph)) == {
        "n_sel4",
        "n_f9",
        "n_genode",
        "n_sculpt",
        "n_helios",
        "n_ares",
        "n_hermes",
        "n_lionsos",
        "n_redox",
        "n_robigalia",
        "n_sel4_microkit",
        "n_uxrt",
    }


@pytest.mark.bundled_data
def test_an_appearance_year_places_a_system_and_says_what_it_is(invoke):
    """L4/Fiasco has no start year: the family tree's year of its first appearance places it on
    the time axis, the tooltip names that date for what it is, and the legend explains the axis."""
    (graph,) = pydot.graph_from_dot_data(invoke("lineage", "L4", "-f", "dot").output)
    ranked = [sub for sub in graph.get_subgraphs() if sub.get("rank") == "same"]
    fiasco_rank = next(s for s in ranked if "n_l4_fiasco" in {n.get_name() for n in s.get_nodes()})
    assert "y1998" in {n.get_name() for n in fiasco_rank.get_nodes()}
    nodes = {n.get_name(): n for n in graph.get_nodes()}
    assert nodes["n_l4_fiasco"].get("tooltip").strip('"').startswith("first appeared 1998. ")
    assert nodes["n_sel4"].get("tooltip").strip('"').startswith("started ")
    legend = next(s for s in graph.get_subgraphs() if s.get_name() == "cluster_legend")
    years = {n.get_name(): n for n in legend.get_nodes()}["legend_years"].get("label")
    assert "the start year, or without one the earliest" in years and "first appeared" in years


def test_svg_is_well_formed_and_names_every_node(forest, lineage, tmp_path):
    out = tmp_path / "forest.svg"
    assert lineage("-o", str(out)).exit_code == 0
    root = ET.parse(out).getroot()
    titles = {el.text for el in root.iter("{http://www.w3.org/2000/svg}title")}
    texts = {el.text for el in root.iter("{http://www.w3.org/2000/svg}text")}
    for node in forest.nodes.values():
        assert node.key in titles
        assert node.name in texts


def test_png(lineage, tmp_path):
    out = tmp_path / "sel4.png"
    assert lineage("seL4", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    result = lineage("seL4", "-f", "png")
    assert result.exit_code == 2 and "PNG is binary: give -o FILE.png" in result.stderr


def test_missing_dot_program_is_a_one_line_error(lineage, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = lineage("seL4", "-f", "svg")
    assert result.exit_code == 2
    assert result.stderr == (
        "mkgraph: error: rendering SVG needs Graphviz's 'dot' program: install it "
        "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)\n"
    )


def test_mermaid_names_every_edge(forest, lineage):
    text = lineage("-f", "mermaid").output
    assert text.startswith("flowchart BT\n")
    for edge in forest.edges:
        relation = forest.relation_name(edge)
        arrow = drawing.EDGE_STYLES[relation][2]
        line = f"    {forest.nodes[edge.child].key} {arrow}|{relation}| {forest.nodes[edge.parent].key}"
        assert line in text.splitlines()
    assert '        n_helios(["Helios"])' in text and '        n_sel4["seL4"]' in text


def test_json_nodes_and_links(lineage):
    data = json.loads(lineage("Hedron", "--ancestors", "-f", "json").output)
    assert [n["name"] for n in data["nodes"]] == ["Hedron", "NOVA"]
    assert data["links"] == [
        {
            "source": "n_hedron",
            "relation": "derived from",
            "target": "n_nova",
            "ended": None,
            "sentence": "Hedron is derived from NOVA",
        }
    ]
    hedron = data["nodes"][0]
    assert hedron["listed"] is True and hedron["facts"]["licences"] == ["GPL-2.0-only"]


def test_json_marks_a_link_that_has_ended(ended_kg):
    """Lineage is descent: a link that has ended (Ares based on Helios until 2025, in a fixture
    graph) stays, with its period."""
    ares = json.loads(
        invoke_on(ended_kg, "lineage", "Ares", "--ancestors", "--depth", "1", "-f", "json").output
    )
    assert ares["links"] == [
        {
            "source": "n_ares",
            "relation": "based on",
            "target": "n_helios",
            "ended": "until 2025",
            "sentence": "Ares was based on Helios until 2025",
        },
    ]
    dot = invoke_on(ended_kg, "lineage", "Ares", "--ancestors", "--depth", "1", "-f", "dot").output
    assert 'label="based on (until 2025)"' in dot


@pytest.mark.bundled_data
def test_json_statements_carry_periods_levels_and_sources_with_history(invoke):
    """The facts panel's data: every value of a fact, with its period, whether it holds today
    and its sources, the ended ones included (today's drawing leaves them out of `facts`)."""
    data = json.loads(invoke("lineage", "Genode", "--ancestors", "-f", "json").output)
    (genode,) = [n for n in data["nodes"] if n["name"] == "Genode"]
    licences = {s["value"]: s for s in genode["statements"]["licences"]}
    assert licences["GPL-2.0-only"]["period"] == "2008-08-06 to 2017-02-27"
    assert licences["GPL-2.0-only"]["current"] is False
    assert licences["GPL-2.0-only"]["sources"] == [
        "Genode LICENSE as imported with release 11.11 (GPLv2)",
        "Genode news archive (doc/news.txt)",
    ]
    assert (
        licences["AGPL-3.0-only"]["period"] == "since 2017-02-28"
        and licences["AGPL-3.0-only"]["current"]
    )
    assert genode["facts"]["licences"] == ["AGPL-3.0-only"]
    ports = [
        s for n in data["nodes"] for s in n["statements"].get("architectures", []) if s["level"]
    ]
    assert ports and all(s["sources"] for s in ports)


@pytest.mark.bundled_data
def test_both_directions(invoke):
    data = json.loads(invoke("lineage", "Helios", "--both", "-f", "json").output)
    assert {n["name"] for n in data["nodes"]} == {"Helios", "seL4", "Ares", "Hermes", "L4", "L3"}


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.references = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action") and value:
                self.references.append(value)


def test_html_page_references_nothing_outside_itself_but_homepages(forest, lineage):
    page = lineage("-f", "html").output
    parser = _References()
    parser.feed(page)
    homepages = {n.homepage for n in forest.nodes.values() if n.homepage}
    assert all(ref.startswith("#") or ref in homepages for ref in parser.references), (
        parser.references
    )
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "@import" not in page and "url(" not in page


@pytest.mark.bundled_data
def test_html_page_in_a_real_browser(bundled_forest, invoke, tmp_path, monkeypatch):
    forest = bundled_forest
    from selenium.webdriver.common.by import By

    page = tmp_path / "forest.html"
    assert invoke("lineage", "-o", str(page)).exit_code == 0
    with chromium(tmp_path / "profile", monkeypatch) as driver:
        driver.get(page.as_uri())
        ids = {el.get_attribute("id") for el in driver.find_elements(By.CSS_SELECTOR, "svg g.node")}
        assert {n.key for n in forest.nodes.values()} <= ids
        driver.find_element(By.CSS_SELECTOR, "g#n_hedron").click()
        assert driver.find_element(By.ID, "facts-title").text == "Hedron"
        body = driver.find_element(By.ID, "facts-body").text
        assert "GPL-2.0-only" in body and "https://github.com/cyberus-technology/hedron" in body
        assert "sources: " in body and "Hedron is derived from NOVA" in body
        # periods, history included, each value with its own sources
        driver.execute_script("mkgraphShow('n_genode')")
        lines = driver.find_element(By.ID, "facts-body").text.splitlines()
        assert (
            "GPL-2.0-only (2008-08-06 to 2017-02-27)" in lines
            and "AGPL-3.0-only (since 2017-02-28)" in lines
        )
        after = lines[lines.index("GPL-2.0-only (2008-08-06 to 2017-02-27)") + 1]
        assert after == (
            "sources: Genode LICENSE as imported with release 11.11 (GPLv2); "
            "Genode news archive (doc/news.txt)"
        )
        ended = driver.find_elements(By.CSS_SELECTOR, "#facts-body dd.ended")
        assert "GPL-2.0-only (2008-08-06 to 2017-02-27)" in [
            dd.text.splitlines()[0] for dd in ended
        ]
        # search by another name (skos:altLabel), and by part of a name
        assert (
            driver.execute_script("return mkgraphFind('Extremely Reliable Operating System')")
            == "EROS"
        )
        assert driver.execute_script("return mkgraphFind('pistach')") == "L4Ka::Pistachio"
        search = driver.find_element(By.ID, "search")
        search.clear()
        search.send_keys("Hurd\n")
        assert driver.find_element(By.ID, "facts-title").text == "GNU Hurd"
        # zoom in and out with the buttons; the panel stays in view
        svg = driver.find_element(By.CSS_SELECTOR, "#viewport svg")
        before = svg.value_of_css_property("transform")
        driver.find_element(By.ID, "zoom-in").click()
        assert svg.value_of_css_property("transform") != before
        assert driver.find_element(By.ID, "facts").value_of_css_property("position") == "sticky"
        assert len(driver.find_elements(By.TAG_NAME, "h1")) == 1
        driver.save_screenshot(str(tmp_path / "forest.png"))


@pytest.mark.bundled_data
def test_render_list_markdown_and_html(kg, invoke):
    markdown = invoke("render", "list").output
    assert markdown.startswith("# Open-source microkernel projects\n")
    assert markdown.count("\n## ") == 28 + 1  # every project and the comparison
    assert "- **Lineage:** based on Helios; based on Hermes" in markdown
    assert "| Project |" in markdown
    page = invoke("render", "list", "--format", "html").output
    assert page.startswith("<!DOCTYPE html>") and page.count("<h2>") == 29


@pytest.mark.bundled_data
def test_committed_docs_are_current(kg, bundled_forest):
    forest = bundled_forest
    assert (DOCS / "microkernels.md").read_text(encoding="utf-8") == listing.to_markdown(
        kg.current
    ), "docs/microkernels.md is out of date: run 'mkgraph render list -o docs/microkernels.md'"
    svg = (DOCS / "lineage.svg").read_text(encoding="utf-8")
    assert f"mkgraph view {drawing.fingerprint(forest)}" in svg, (
        "docs/lineage.svg is out of date: run 'mkgraph lineage --panels -o docs/lineage.svg'"
    )
    assert "L3 and what descends from it" in svg  # the README's drawing is the panels


@pytest.mark.bundled_data
def test_forest_panels_hold_every_system_and_every_link(bundled_forest):
    forest = bundled_forest
    """Small multiples lose nothing: each system and each link is in some panel, and a panel
    draws a link only between systems it shows. A narrow limit makes big panels split (the
    bundled forest: the fixture's trees are too small to split)."""
    for too_wide in (None, lambda part: len(part.nodes) > 8):
        parts = drawing.panels(forest, too_wide)
        nodes = {system for _, part in parts for system in part.nodes}
        edges = {edge for _, part in parts for edge in part.edges}
        assert nodes == set(forest.nodes) and edges == set(forest.edges)
        for _, part in parts:
            assert all(e.child in part.nodes and e.parent in part.nodes for e in part.edges)
    split = [name for name, _ in drawing.panels(forest, lambda part: len(part.nodes) > 8)]
    assert len(split) > len(drawing.panels(forest))
    assert "seL4 and what descends from it" in split  # the L3 tree gives seL4's branch its own


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz is not installed")
def test_forest_panels_fit_a_readme_and_read_as_sentences(forest, lineage, tmp_path):
    out = tmp_path / "forest.svg"
    assert lineage("--panels", "-o", str(out)).exit_code == 0
    root = ET.parse(out).getroot()
    width_pt = float(root.get("width").removesuffix("pt"))
    assert width_pt * 4 / 3 <= drawing.PANEL_WIDTH_PX * 1.05  # measured: 903 px
    ns = {"svg": "http://www.w3.org/2000/svg", "xlink": "http://www.w3.org/1999/xlink"}
    said = {}
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if group.get("class") == "edge" and "_e_n_" in (group.get("id") or ""):
            link = group.find(".//svg:a", ns)
            said[group.get("id").split("_", 1)[1]] = link.get(f"{{{ns['xlink']}}}title")
    for edge in forest.edges:
        child, parent = forest.nodes[edge.child].key, forest.nodes[edge.parent].key
        relation = forest.relation_name(edge)
        key = f"e_{child}_{relation.replace(' ', '_')}_{parent}"
        assert said[key] == drawing.edge_sentence(forest, edge), key
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))  # one document: every id once
    refused = lineage("seL4", "--panels", "-f", "svg")
    assert refused.exit_code == 2 and "--panels draws the whole forest" in refused.stderr


@pytest.mark.bundled_data
def test_l4_family_tree_with_years_and_kinds_of_inheritance(invoke):
    """lineage L4 --both: L3 above L4 (1993), the re-implementations of its interface dotted, the
    code inherited (L4/Alpha from L4, OKL4 from Pistachio and L4-embedded, Fiasco.OC from Fiasco)
    bold, each kernel in the year the L4 family tree of the seL4 whitepaper (Figure 2.2) gives."""
    (graph,) = pydot.graph_from_dot_data(invoke("lineage", "L4", "--both", "-f", "dot").output)
    nodes = set(_system_nodes(graph))
    assert {"n_l3", "n_l4", "n_l4_mips", "n_l4_alpha", "n_l4ka_hazelnut", "n_l4_fiasco"} <= nodes
    assert {"n_l4ka_pistachio", "n_okl4", "n_fiasco_oc"} <= nodes
    kinds = {
        (edge.get_source(), edge.get_destination()): edge.get("label").strip('"')
        for edge in _system_edges(graph)
    }
    assert kinds[("n_l4", "n_l3")] == "inspired by"
    for child in ("n_l4_mips", "n_l4ka_hazelnut", "n_l4_fiasco", "n_l4ka_pistachio", "n_p4"):
        assert kinds[(child, "n_l4")] == "re-implements", child
    assert kinds[("n_l4_alpha", "n_l4")] == "derived from"  # the figure's code arrow
    assert kinds[("n_okl4", "n_l4ka_pistachio")] == "derived from"
    assert kinds[("n_okl4", "n_l4_embedded")] == "derived from"
    assert kinds[("n_l4_embedded", "n_l4ka_pistachio")] == "derived from"
    assert kinds[("n_fiasco_oc", "n_l4_fiasco")] == "derived from"
    ranked = [sub for sub in graph.get_subgraphs() if sub.get("rank") == "same"]
    year_of = {
        node.get_name(): year.get_name()
        for sub in ranked
        for year in sub.get_nodes()
        if year.get_name().startswith("y")
        for node in sub.get_nodes()
    }
    assert year_of["n_l4"] == "y1993"  # announced 1993: placed by its earliest dated event
    assert year_of["n_l4_mips"] == year_of["n_l4_alpha"] == "y1996"
    expected = {"n_l4_fiasco": 1998, "n_p4": 1999, "n_l4ka_hazelnut": 2000}
    expected |= {"n_l4ka_pistachio": 2003, "n_l4_embedded": 2005, "n_okl4": 2007}
    expected |= {"n_fiasco_oc": 2009}
    assert {node: year_of.get(node) for node in expected} == {
        node: f"y{year}" for node, year in expected.items()
    }


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "javascript://example.org/%0Aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "//example.org/",
        "/relative",
        "http:/example.org",
        "https://example.org/a b",
        'https://example.org/"onmouseover="alert(1)',
        "https://example.org/\\N",
        "https://example.org/\n",
        "",
        None,
    ],
)
def test_only_web_urls_become_links(url):
    assert drawing.web_link(url) is None


@pytest.mark.parametrize(
    "url", ["https://sel4.systems", "http://example.org/a?b=c#d", "HTTPS://Example.org/~x"]
)
def test_web_urls_stay_links(url):
    assert drawing.web_link(url) == url


# ---------------------------------------------------------------- drawings that read right

SVG = "{http://www.w3.org/2000/svg}"


def _facts_as_sentences(kg) -> set[str]:
    from mkgraph.store.names import label
    from mkgraph.views.lineage import RELATION_LABELS, sentence

    return {
        sentence(label(kg.current, s), RELATION_LABELS[p], label(kg.current, o))
        for p in LINEAGE_RELATIONS
        for s, o in kg.current.subject_objects(p)
    }


def _svg_edges(root) -> list[tuple[str, str, str]]:
    """(tail key, label, head key) of every system edge of a Graphviz SVG: Graphviz draws the
    arrowhead at the head, so "tail label head" is what the arrow says."""
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "edge":
            continue
        tail, head = group.find(f"{SVG}title").text.split("->")
        if tail.startswith("n_"):
            text = next(t.text for t in group.iter(f"{SVG}text"))
            found.append((tail, text, head))
    return found


def _read_back(fmt: str, output: str) -> list[tuple[str, str, str]]:
    """Every system edge of a drawing as (from key, words on the edge, to key), as the arrow reads."""
    if fmt == "dot":
        graph = parsed_dot(output)
        return [
            (e.get_source().strip('"'), e.get("label").strip('"'), e.get_destination().strip('"'))
            for e in _system_edges(graph)
        ]
    if fmt == "mermaid":
        arrows = "|".join(re.escape(a) for _, _, a in drawing.EDGE_STYLES.values())
        pattern = re.compile(rf"^\s*(n_\w+) (?:{arrows})\|([^|]+)\| (n_\w+)$")
        return [m.groups() for m in map(pattern.match, output.splitlines()) if m]
    if fmt == "json":
        data = json.loads(output)
        return [(link["source"], link["relation"], link["target"]) for link in data["links"]]
    if fmt == "html":
        output = output[output.index("<svg") : output.index("</svg>") + 6]
    return _svg_edges(ET.fromstring(output))


@pytest.mark.parametrize("fmt", ["dot", "svg", "mermaid", "json", "html"])
@pytest.mark.parametrize("names", [(), ("seL4", "--both"), ("Ares", "--ancestors")])
def test_every_edge_reads_as_its_fact(fixture_kg, lineage, fmt, names):
    kg = fixture_kg
    result = lineage(*names, "-f", fmt)
    assert result.exit_code == 0
    view = kg.lineage_view([names[0]] if names else [], names[1][2:] if names else "descendants")
    name_of = {node.key: node.name for node in view.nodes.values()}
    facts = _facts_as_sentences(kg)
    edges = _read_back(fmt, result.output)
    assert len(edges) == len(view.edges) > 0
    from mkgraph.views.lineage import sentence

    for source, words, target in edges:
        said = sentence(name_of[source], words, name_of[target])
        assert said in facts, f"{fmt} says '{said}', which the graph does not"


def test_no_undated_system_on_a_year_row(forest, lineage):
    undated = {n.key for n in forest.nodes.values() if n.year is None}
    dated = {n.key: n.year for n in forest.nodes.values() if n.year is not None}
    assert undated and dated
    # DOT: years rank the dated systems; the undated ones sit in the marked band
    graph = parsed_dot(lineage("-f", "dot").output)
    for sub in graph.get_subgraphs():
        members = {n.get_name().strip('"') for n in sub.get_nodes()}
        if sub.get("rank") == "same":
            (year,) = [m for m in members if re.fullmatch(r"y\d{4}", m)]
            assert not members & undated
            assert all(dated[m] == int(year[1:]) for m in members if m.startswith("n_"))
        if sub.get_name() == "cluster_undated":
            assert members == undated
    # SVG: each dated system on its year's row, every undated one below the last year
    root = ET.fromstring(drawing.render(drawing.to_dot(forest), "svg"))
    centre = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class", "").startswith("node"):
            text = next(group.iter(f"{SVG}text"), None)  # inside <a> when linked
            if text is not None:
                centre[group.find(f"{SVG}title").text] = float(text.get("y"))
    years = {key: y for key, y in centre.items() if re.fullmatch(r"y\d{4}", key)}
    for key, year in dated.items():
        assert abs(centre[key] - years[f"y{year}"]) < 1, key
    lowest_year = max(years.values())
    assert all(centre[key] > lowest_year + 10 for key in undated)
    # Mermaid: one subgraph per year, the undated ones in their own
    band = None
    for line in lineage("-f", "mermaid").output.splitlines():
        match = re.match(r'    subgraph (\w+)\["([^"]+)"\]', line)
        if match:
            band = match.group(2)
        elif line.startswith("        n_"):
            key = re.match(r"\s+(n_\w+)", line).group(1)
            assert band == (str(dated[key]) if key in dated else "year unknown"), key
    # JSON: the band named
    for node in json.loads(lineage("-f", "json").output)["nodes"]:
        assert node["band"] == (str(node["year"]) if node["year"] else "year unknown")


def test_colours_follow_the_stated_family(fixture_kg, forest, lineage):
    from mkgraph.core.namespaces import MK

    families = {s: fixture_kg.current.value(s, MK.memberOfFamily) for s in forest.nodes}
    colours = drawing.clan_colours(forest)
    assert colours["L4 family"] in drawing.PALETTE and colours[""] == drawing.NO_FAMILY
    for system, node in forest.nodes.items():
        assert (node.clan == "L4 family") == (families[system] is not None), node.name
    nodes = _system_nodes(parsed_dot(lineage("-f", "dot").output))
    assert nodes["n_sel4"].get("fillcolor").strip('"') == colours["L4 family"]
    for key in ("n_tock", "n_hedron", "n_ares"):  # no family stated
        assert nodes[key].get("fillcolor").strip('"') == drawing.NO_FAMILY
    page = lineage("-f", "html").output
    assert "L4 family</span>" in page and "no family stated</span>" in page


def test_distinct_colours_for_many_families():
    from rdflib import URIRef

    from mkgraph.views.lineage import LineageView, SystemNode

    nodes = {
        URIRef(f"urn:s{i}"): SystemNode(URIRef(f"urn:s{i}"), f"s{i}", True, clan=f"F{i:02}")
        for i in range(20)
    }
    colours = drawing.clan_colours(LineageView(nodes, []))
    assert len(set(colours.values())) == len(colours) == 21
