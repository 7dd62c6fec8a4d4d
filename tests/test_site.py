"""`mkgraph site`: a static site whose every link resolves offline, a page per system, language,
architecture and family with facts, sources, periods and lineage, and schema.org JSON-LD."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import chromium, sample_of_pages

# One worker runs this whole module (pytest-xdist's --dist loadfile): each site is built once.
# The code is tested on the fixture root's site (46 pages, a second of CPU to build); the bundled
# data's site is built once more, for the tests marked bundled_data.


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []  # followed when clicked
        self.loads: list[str] = []  # fetched when the page loads
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "a" and attrs.get("xlink:href"):
            self.links.append(attrs["xlink:href"])
        for name in ("src", "srcset", "poster", "data"):
            if attrs.get(name):
                self.loads.append(attrs[name])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        self._in_jsonld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)
            self._in_jsonld = False


@pytest.fixture(scope="module")
def site(tmp_path_factory, fixture_kg):
    """The fixture root's site: every kind of page, dated facts, lineage both ways."""
    from mkgraph.views import site as site_module

    out = tmp_path_factory.mktemp("site") / "public"
    counts = site_module.build(fixture_kg, out)
    return out, counts


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory, kg):
    from mkgraph.views import site as site_module

    out = tmp_path_factory.mktemp("bundled-site") / "public"
    counts = site_module.build(kg, out)
    return out, counts


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_cli_writes_a_site_and_refuses_a_folder_that_is_not_one(invoke, fixture_kg, tmp_path):
    root = ("--root", str(fixture_kg.resources.root))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = invoke(*root, "site", "-o", str(tmp_path / "mine"))
    assert result.exit_code == 2
    assert "not empty and not an mkgraph site" in result.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    written = invoke(*root, "site", "-o", str(tmp_path / "public"))
    assert written.exit_code == 0, written.output
    assert written.output.startswith(f"wrote {tmp_path / 'public'}: index.html, 9 system pages, ")
    assert (tmp_path / "public" / "system" / "nova.html").is_file()
    again = invoke(*root, "site", "-o", str(tmp_path / "public"))  # an earlier site is replaced
    assert again.exit_code == 0 and again.output == written.output


def _pages_and_files(out: Path, counts: dict, graph) -> None:
    from mkgraph.views import pages

    found = pages.resources_with_pages(graph)
    for kind, resources in found.items():
        assert counts[kind] == len(resources) > 0
        for resource in resources:
            assert (out / pages.page_file(resource)).is_file(), resource
    for name in ("index.html", "lineage.html", "lineage.svg", "mkgraph.ttl", "mkgraph.jsonld"):
        assert (out / name).is_file()
    for ext in (".nt", ".nq", ".rdf"):
        assert (out / f"mkgraph{ext}").stat().st_size > 1000


def test_a_page_per_system_language_architecture_and_family(site, fixture_kg):
    out, counts = site
    _pages_and_files(out, counts, fixture_kg.graph)
    assert counts == {"system": 9, "language": 9, "architecture": 25, "family": 1}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h2>Comparison</h2>" in index and 'href="system/sel4.html"' in index


def _links_resolve_and_nothing_loads_from_elsewhere(out: Path, at_least: int) -> None:
    files = list(out.rglob("*.html"))
    assert len(files) >= at_least
    for path in files:
        page = _parse(path)
        loads = [ref for ref in page.loads if ref != "data:,"]  # the empty icon: no request
        assert all(not re.match(r"^\w+:|^//", ref) for ref in loads), (path, page.loads)
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https"):
                continue  # a homepage or repository: followed only when clicked
            assert not parts.scheme and not parts.netloc, (path, href)
            if not parts.path:
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{path.relative_to(out)} links to missing {href}"


def test_every_link_resolves_and_nothing_loads_from_elsewhere(site):
    _links_resolve_and_nothing_loads_from_elsewhere(site[0], 46)


def test_system_page_shows_facts_sources_periods_lineage_and_what_points_at_it(site):
    out, _ = site
    nova = (out / "system" / "nova.html").read_text(encoding="utf-8")
    assert 'x86 (32-bit)</a> <span class="period">(2009 to 2020-06-25)' in nova
    assert "NOVA commit 9513d4ee &#x27;x86: Removed x86_32 support.&#x27; (2020-06-25)" in nova
    assert "<h2>Lineage</h2>" in nova and "<svg" in nova
    assert '<a href="../system/hedron.html">Hedron</a>' in nova  # Hedron descends from NOVA
    page = _parse(out / "system" / "nova.html")
    (data,) = [json.loads(text) for text in page.jsonld]
    assert data["@context"] == "https://schema.org" and data["@type"] == "SoftwareSourceCode"
    assert data["name"] == "NOVA" and data["programmingLanguage"] == ["Assembly", "C++"]
    language = (out / "language" / "c.html").read_text(encoding="utf-8")
    assert '<a href="../system/sel4.html">seL4</a>' in language
    family = (out / "family" / "l4.html").read_text(encoding="utf-8")
    assert '<a href="../system/sel4.html">seL4</a>' in family
    tock = (out / "system" / "tock.html").read_text(encoding="utf-8")
    assert "<h2>Lineage</h2>" not in tock  # no lineage link, no drawing


def _walk_in_a_browser(driver, out: Path, paths: list[Path]) -> None:
    """Each page loads with no console error and fetches nothing but files of the site."""
    root = out.resolve().as_uri()
    for path in paths:
        driver.get(path.as_uri())
        requests = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert all(r.startswith(root) for r in requests), (path, requests)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], path


def test_pages_in_a_browser(site, tmp_path, monkeypatch):
    """Pages of every kind (the first three of each; every page with MKGRAPH_TEST_PAGES=all)
    load with no console error and fetch nothing but files of the site; a click
    on a system in a lineage drawing opens its page; the forest page finds a system by another
    name and shows a fact of history with its period."""
    from selenium.webdriver.common.by import By

    out, _ = site
    with chromium(tmp_path / "profile", monkeypatch) as driver:
        pages = sample_of_pages(sorted(out.rglob("*.html")), lambda path: path.parent.name, 3)
        assert len(pages) in (12, 46)  # the index, the forest, 3 of each kind but 1 family; or all
        _walk_in_a_browser(driver, out, pages)
        driver.get((out / "system" / "nova.html").as_uri())
        driver.find_element(By.CSS_SELECTOR, "g#n_hedron a").click()
        assert driver.current_url.endswith("/system/hedron.html")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Hedron"
        # the forest page: search finds a system by another name, a click opens its panel
        driver.get((out / "lineage.html").as_uri())
        search = driver.find_element(By.ID, "search")
        search.send_keys("NOVA OS Virtualization Architecture\n")
        assert driver.find_element(By.ID, "facts-title").text == "NOVA"
        assert "x86 (32-bit) (historic, 2009 to 2020-06-25)" in (
            driver.find_element(By.ID, "facts-body").text
        )
        driver.find_element(By.CSS_SELECTOR, "g#n_hedron").click()
        assert driver.find_element(By.ID, "facts-title").text == "Hedron"


@pytest.mark.bundled_data
def test_the_bundled_data_makes_a_whole_site(bundled_site, kg):
    out, counts = bundled_site
    _pages_and_files(out, counts, kg.graph)
    assert counts["family"] == 1  # the README's example of `mkgraph site` shows "1 family page"
    _links_resolve_and_nothing_loads_from_elsewhere(out, 90)


@pytest.mark.bundled_data
def test_bundled_system_pages_show_their_facts(bundled_site):
    out, _ = bundled_site
    genode = (out / "system" / "genode.html").read_text(encoding="utf-8")
    assert "GPL-2.0-only" in genode and "(2008-08-06 to 2017-02-27)" in genode
    assert "Genode LICENSE as imported with release 11.11 (GPLv2)" in genode
    assert '<a href="../system/sel4.html">seL4</a>' in genode
    assert '<a href="../system/sculpt.html">Sculpt</a>' in genode  # Sculpt is based on Genode
    (data,) = [json.loads(text) for text in _parse(out / "system" / "genode.html").jsonld]
    assert data["name"] == "Genode" and "C++" in data["programmingLanguage"]
    language = (out / "language" / "rust.html").read_text(encoding="utf-8")
    assert '<a href="../system/redox.html">Redox</a>' in language


@pytest.mark.bundled_data
def test_bundled_pages_in_a_browser(bundled_site, tmp_path, monkeypatch):
    """The bundled site's pages in the browser: the index, the forest and the first two pages of
    each kind, or every page with MKGRAPH_TEST_PAGES=all (the code is walked page by page on
    the fixture site above; every bundled page's links and loads are checked without a browser)."""
    from mkgraph.views.pages import PAGE_KINDS

    out, _ = bundled_site
    with chromium(tmp_path / "profile", monkeypatch) as driver:
        pages = sample_of_pages(sorted(out.rglob("*.html")), lambda path: path.parent.name)
        # the index, the forest and pages of every kind (or every page)
        assert {"public", *PAGE_KINDS} <= {path.parent.name for path in pages}
        _walk_in_a_browser(driver, out, pages)


def test_names_that_differ_only_in_case_keep_one_order_whatever_the_graph_order():
    """A page lists its facts in one order every run: "ARM64" and "arm64" tie when case is
    ignored, and the graph's own order (a set's, which changes from run to run) must not decide."""
    from itertools import permutations

    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS, SKOS

    from mkgraph.views import describe

    thing = URIRef("https://w3id.org/mkgraph/architecture/example")
    names = ["arm64", "ARM64", "Arm64", "ARMv8"]
    orders = set()
    for order in permutations(names):
        graph = Graph()
        graph.add((thing, RDFS.label, Literal("Example")))
        for name in order:
            graph.add((thing, SKOS.altLabel, Literal(name)))
        facts = describe.describe(graph, thing).facts
        orders.add(tuple(f.value_label for f in facts if f.predicate == SKOS.altLabel))
    assert orders == {("ARM64", "Arm64", "arm64", "ARMv8")}


def test_a_site_reads_the_periods_of_its_facts_once(fixture_kg, tmp_path, monkeypatch):
    """Every page and every lineage picture needs each fact's periods; reading every statement
    node again for each of them made the site's build several times slower."""
    from mkgraph.api import KnowledgeGraph
    from mkgraph.store import periods
    from mkgraph.views import site as site_module

    calls = []
    real = periods.periods_by_fact
    monkeypatch.setattr(periods, "periods_by_fact", lambda g: calls.append(g) or real(g))
    fresh = KnowledgeGraph(fixture_kg.resources.root)
    counts = site_module.build(fresh, tmp_path / "public")
    assert counts["system"] > 5 and len(calls) == 1 and calls[0] is fresh.graph
