"""`mkgraph serve` makes every graph IRI dereferenceable: the site's page for browsers, the
resource's triples by content negotiation; lineage pictures for names with "/"."""

from __future__ import annotations

import asyncio
import json
import shutil

import httpx
import pytest
from rdflib import Graph, URIRef

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
