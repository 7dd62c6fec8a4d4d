"""`mkgraph site`: a static site whose every link resolves offline, a page per system, language,
architecture and family with facts, sources, periods and lineage, and schema.org JSON-LD."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import chromium

# One worker runs this whole module (pytest-xdist's --dist loadfile): the site is built once.


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
def site(tmp_path_factory, kg):
    from mkgraph.views import site as site_module

    out = tmp_path_factory.mktemp("site") / "public"
    counts = site_module.build(kg, out)
    return out, counts


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_cli_writes_a_site_and_refuses_a_folder_that_is_not_one(invoke, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = invoke("site", "-o", str(tmp_path / "mine"))
    assert result.exit_code == 2
    assert "not empty and not an mkgraph site" in result.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_a_page_per_system_language_architecture_and_family(site, kg):
    from mkgraph.views import pages

    out, counts = site
    found = pages.resources_with_pages(kg.graph)
    for kind, resources in found.items():
        assert counts[kind] == len(resources) > 0
        for resource in resources:
            assert (out / pages.page_file(resource)).is_file(), resource
    for name in ("index.html", "lineage.html", "lineage.svg", "mkgraph.ttl", "mkgraph.jsonld"):
        assert (out / name).is_file()
    for ext in (".nt", ".nq", ".rdf"):
        assert (out / f"mkgraph{ext}").stat().st_size > 1000
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h2>Comparison</h2>" in index and 'href="system/sel4.html"' in index


def test_every_link_resolves_and_nothing_loads_from_elsewhere(site):
    out, _ = site
    files = list(out.rglob("*.html"))
    assert len(files) > 90
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


def test_system_page_shows_facts_sources_periods_lineage_and_what_points_at_it(site):
    out, _ = site
    genode = (out / "system" / "genode.html").read_text(encoding="utf-8")
    assert "GPL-2.0-only" in genode and "(until 2017-02-28)" in genode
    assert "Genode LICENSE as imported with release 11.11 (GPLv2)" in genode
    assert '<a href="../system/sel4.html">seL4</a>' in genode
    assert "<h2>Lineage</h2>" in genode and "<svg" in genode
    assert '<a href="../system/sculpt.html">Sculpt</a>' in genode  # Sculpt is based on Genode
    page = _parse(out / "system" / "genode.html")
    (data,) = [json.loads(text) for text in page.jsonld]
    assert data["@context"] == "https://schema.org" and data["@type"] == "SoftwareSourceCode"
    assert data["name"] == "Genode" and "C++" in data["programmingLanguage"]
    language = (out / "language" / "rust.html").read_text(encoding="utf-8")
    assert '<a href="../system/redox.html">Redox</a>' in language
    family = (out / "family" / "l4.html").read_text(encoding="utf-8")
    assert '<a href="../system/sel4.html">seL4</a>' in family


def test_every_page_in_a_browser(site, tmp_path, monkeypatch):
    """Each page loads with no console error and fetches nothing but files of the site; a click
    on a system in a lineage drawing opens its page."""
    from selenium.webdriver.common.by import By

    out, _ = site
    root = out.resolve().as_uri()
    with chromium(tmp_path / "profile", monkeypatch) as driver:
        for path in sorted(out.rglob("*.html")):
            driver.get(path.as_uri())
            requests = driver.execute_script(
                "return performance.getEntriesByType('resource').map(e => e.name)"
            )
            assert all(r.startswith(root) for r in requests), (path, requests)
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            assert errors == [], path
        driver.get((out / "system" / "genode.html").as_uri())
        driver.find_element(By.CSS_SELECTOR, "g#n_sculpt a").click()
        assert driver.current_url.endswith("/system/sculpt.html")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Sculpt"
        # the forest page: search finds a system by another name, a click opens its panel
        driver.get((out / "lineage.html").as_uri())
        search = driver.find_element(By.ID, "search")
        search.send_keys("Extremely Reliable Operating System\n")
        assert driver.find_element(By.ID, "facts-title").text == "EROS"
        driver.find_element(By.CSS_SELECTOR, "g#n_genode").click()
        assert driver.find_element(By.ID, "facts-title").text == "Genode"
        assert "GPL-2.0-only (until 2017-02-28)" in driver.find_element(By.ID, "facts-body").text
