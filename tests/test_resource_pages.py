"""`mkgraph serve` makes every graph IRI dereferenceable: the site's page for browsers, the
resource's triples by content negotiation; lineage pictures for names with "/"."""

from __future__ import annotations

import asyncio
import json
import shutil
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from browser import chromium, sample_of_pages
from rdflib import Graph, URIRef
from servers import http_client

from mkgraph.web import server

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
SEL4 = URIRef("https://w3id.org/mkgraph/system/sel4")


@pytest.fixture(scope="module")
def get(kg):
    endpoint = server.Endpoint(kg, workers=1)
    app = server.create_app(endpoint)

    def fetch(path: str, accept: str = "") -> httpx.Response:
        async def run():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                return await http.get(path, headers={"Accept": accept} if accept else {})

        return asyncio.run(run())

    yield fetch
    endpoint.close()


@needs_dot
@pytest.mark.parametrize("path", ["/system/sel4", "/mkgraph/system/sel4"])
def test_a_browser_gets_the_page_of_the_site(get, kg, path):
    from mkgraph.views import pages

    answer = get(path, "text/html,application/xhtml+xml,*/*;q=0.8")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "Accept" in answer.headers["vary"]
    root = path[: -len("system/sel4")]
    expected = pages.page(
        kg,
        SEL4,
        pages.PageLinks(root, "", "/", "/lineage/all.svg"),
        pages.lineage_svg(kg, SEL4, pages.PageLinks(root, "", "/", "/lineage/all.svg")),
    )
    assert answer.text == expected  # one renderer for the site and the server
    assert f'<a href="{root}system/genode">Genode</a>' in answer.text


@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("text/turtle;q=0.5, application/n-triples", "nt"),
    ],
)
def test_rdf_by_content_negotiation(get, accept, fmt):
    answer = get("/system/sel4", accept)
    assert answer.status_code == 200
    assert (
        answer.headers["content-type"].split(";")[0] == accept.split(",")[-1].strip().split(";")[0]
    )
    graph = Graph().parse(data=answer.text, format=fmt)
    assert (None, None, SEL4) in graph  # what points at it comes too
    names = {
        str(o) for o in graph.objects(SEL4, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    }
    assert names == {"seL4"}


def test_unknown_resources_and_unoffered_types_are_refused(get):
    assert get("/system/no-such-kernel", "text/html").status_code == 404
    assert "no system 'no-such-kernel'" in get("/system/no-such-kernel").text
    assert get("/agent/x", "text/html").status_code == 404
    assert get("/system/sel4", "image/png").status_code == 406


def test_language_page_lists_its_systems(get):
    answer = get("/language/rust", "text/html")
    assert answer.status_code == 200 and '<a href="/system/redox">Redox</a>' in answer.text
    jsonld = get("/language/rust", "application/ld+json")
    assert json.loads(jsonld.text)


@needs_dot
def test_lineage_picture_of_a_name_with_a_slash(get):
    for path in ("/lineage/UX/RT.svg", "/lineage/UX%2FRT.svg"):
        answer = get(path)
        assert answer.status_code == 200, path
        assert b"UX/RT" in answer.content and b"seL4" in answer.content


class _Links(HTMLParser):
    """What a page links to (followed when clicked) and loads (fetched with the page)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "xlink:href"):
            if tag == "a" and attrs.get(name):
                self.links.append(attrs[name])
        for name in ("src", "srcset", "poster", "data"):
            if attrs.get(name):
                self.loads.append(attrs[name])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])


@contextmanager
def _live_server(kg):
    """`mkgraph serve`'s application on a loopback port, in a thread of this process."""
    import socket
    import threading
    import time

    import uvicorn

    endpoint = server.Endpoint(kg, workers=1)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(server.create_app(endpoint), log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        for _ in range(600):
            if running.started:
                break
            time.sleep(0.05)
        assert running.started, "the server did not start"
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        running.should_exit = True
        thread.join(timeout=30)
        listener.close()
        endpoint.close()


@needs_dot
def test_served_pages_in_a_browser(fixture_kg, tmp_path, monkeypatch):
    """Done-when of issue 15 for `mkgraph serve`, on the fixture graph: the query page and the
    resource pages of every kind (the first three of each; every page with
    MKGRAPH_TEST_PAGES=all) load in headless Chromium with no console error and no request
    outside the server; every link on them resolves (200); a click on a system in a lineage
    drawing opens its page."""
    from selenium.webdriver.common.by import By

    from mkgraph.views import pages

    kg = fixture_kg
    with chromium(tmp_path / "profile", monkeypatch) as driver, _live_server(kg) as base:
        every_page = ["/"] + [
            "/{}/{}".format(*pages.kind_and_slug(resource))
            for resources in pages.resources_with_pages(kg.graph).values()
            for resource in resources
        ]
        assert len(every_page) == 45
        paths = sample_of_pages(every_page, lambda path: path.rsplit("/", 1)[0], 3)
        assert len(paths) in (11, 45)  # the query page, 3 of each kind but 1 family; or all
        checked: dict[str, int] = {}
        with http_client(base_url=base, headers={"Accept": "text/html"}, timeout=60) as http:

            def status(local: str) -> int:
                if local not in checked:
                    checked[local] = http.get(local).status_code
                return checked[local]

            # each page is fetched just before the browser loads it, so the browser gets it from
            # the server's cache of pages and each page is drawn once
            for path in paths:
                assert status(path) == 200, path
                driver.get(base + path)
                requests = driver.execute_script(
                    "return performance.getEntriesByType('resource').map(e => e.name)"
                )
                assert all(r.startswith(base + "/") for r in requests), (path, requests)
                errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
                assert errors == [], (path, errors)
                page = _Links()
                page.feed(driver.page_source)
                loads = [ref for ref in page.loads if ref != "data:,"]  # the empty icon
                assert all(
                    urlsplit(urljoin(base + path, r)).netloc == urlsplit(base).netloc for r in loads
                ), (path, loads)
                for href in page.links:
                    target = urlsplit(urljoin(base + path, href))
                    if target.netloc != urlsplit(base).netloc:
                        assert target.scheme in ("http", "https"), (path, href)
                        continue  # a homepage or repository: followed only when clicked
                    local = target.path + (f"?{target.query}" if target.query else "")
                    assert status(local) == 200, f"{path} links to {href}: {checked[local]}"
        assert len(checked) > len(paths)  # the links beyond the pages walked were followed too
        driver.get(base + "/system/nova")
        driver.find_element(By.CSS_SELECTOR, "g#n_hedron a").click()
        assert driver.current_url == base + "/system/hedron"
        assert driver.find_element(By.TAG_NAME, "h1").text == "Hedron"
