"""`mkgraph serve` in a subprocess, spoken to over HTTP on loopback as any SPARQL client would:
every stored query in every result format gives the local answers; what could reach outside the
graph is refused with a 400; limits hold; the landing page works in a real browser. The server
serves the fixture root (tests/fixtures/root), so a curator's change to data/ breaks none of these
code tests, and each answer costs the server and the test a quarter of the bundled graph's work."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from browser import chromium
from servers import free_port, http_client, mkgraph_command, running, warm_environment

from mkgraph.core.resources import locate
from mkgraph.store.queries import list_stored_queries
from mkgraph.web.server import negotiate

# One worker runs this whole module (pytest-xdist's --dist loadfile): the server starts once.

# the checkout's stored queries, which the fixture root copies
SELECTS = [q.name for q in list_stored_queries(locate().queries) if "SELECT" in q.text.upper()]
TIMEOUT = 3.0
MAX_RESULT = 300_000
# one client for the module: a new httpx client costs ~60 ms of CPU (its TLS context), more than
# the request it makes
http = http_client(timeout=30)


@pytest.fixture(scope="module")
def KG(fixture_kg):
    """The served graph, as the server loads it."""
    return fixture_kg


@pytest.fixture(scope="module")
def endpoint(KG):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = mkgraph_command(
        "--root",
        str(KG.resources.root),
        "serve",
        "--port",
        str(port),
        "--timeout",
        str(TIMEOUT),
        "--max-result-bytes",
        str(MAX_RESULT),
        "--workers",
        "2",
    )
    with running(command, f"{base}/queries", warm_environment(KG)):
        yield base


def cell(term) -> str:
    """A term as text; GROUP_CONCAT lists are sorted, since SPARQL leaves their order open."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return ", ".join(sorted(term.value.split(", "))) + f"|{term.language or term.datatype}"
    return str(term)


def local_rows(KG, name: str) -> list[tuple[str, ...]]:
    result = KG.query(name, native=True)
    return sorted(tuple(cell(t) for t in row) for row in result.rows)


def parsed_rows(body: bytes, fmt) -> list[tuple[str, ...]]:
    answer = ox.parse_query_results(body, format=fmt)
    variables = answer.variables
    return sorted(tuple(cell(s[v]) for v in variables) for s in answer)


@pytest.mark.parametrize("query", SELECTS)
def test_stored_queries_as_urls_in_every_format(query, endpoint, KG):
    expected = local_rows(KG, query)
    for media, fmt in (
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ):
        response = http.get(f"{endpoint}/queries/{query}", headers={"Accept": media})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        assert parsed_rows(response.content, fmt) == expected, media
    response = http.get(f"{endpoint}/queries/{query}", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text)))
    local = KG.query(query, native=True)
    assert table[0] == local.variables

    def plain(text: str) -> str:
        return ", ".join(sorted(text.split(", ")))

    assert sorted(tuple(plain(c) for c in r) for r in table[1:]) == sorted(
        tuple("" if t is None else plain(t.value) for t in row) for row in local.rows
    )


@pytest.mark.parametrize("query", SELECTS)
def test_stored_queries_through_the_protocol(query, endpoint, KG):
    """GET, POST form-encoded and POST direct: the SPARQL 1.1 Protocol's three ways."""
    text = KG.bound_text(KG.stored_query(query), {})
    expected = local_rows(KG, query)
    accept = {"Accept": "application/sparql-results+json"}
    for response in (
        http.get(f"{endpoint}/sparql", params={"query": text}, headers=accept),
        http.post(f"{endpoint}/sparql", data={"query": text}, headers=accept),
        http.post(
            f"{endpoint}/sparql",
            content=text.encode(),
            headers={**accept, "Content-Type": "application/sparql-query"},
        ),
    ):
        assert response.status_code == 200, response.text
        assert parsed_rows(response.content, ox.QueryResultsFormat.JSON) == expected


def test_ask_and_graph_results(endpoint, KG):
    ask = http.post(
        f"{endpoint}/sparql",
        data={"query": "ASK { ?s a mk:ListedProject }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert bool(ox.parse_query_results(ask.content, format=ox.QueryResultsFormat.XML)) is True
    construct = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a mk:ListedProject ; rdfs:label ?l }"
    expected = {str(t) for t in KG.sparql(construct, native=True).triples}
    for media, fmt in (
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ):
        response = http.post(
            f"{endpoint}/sparql", data={"query": construct}, headers={"Accept": media}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        assert {str(q.triple) for q in ox.parse(response.content, format=fmt)} == expected
    assert len(expected) == 5  # the fixture's five projects


@pytest.mark.parametrize(
    "request_kwargs, reason",
    [
        ({"data": {"update": "DROP ALL"}}, "SPARQL Update is refused"),
        (
            {
                "content": b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
            "SPARQL Update is refused",
        ),
        ({"data": {"query": "LOAD <http://example.org/data.ttl>"}}, "SPARQL Update"),
        ({"data": {"query": "DELETE WHERE { ?s ?p ?o }"}}, "SPARQL Update"),
        (
            {
                "data": {
                    "query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
                }
            },
            "SERVICE <http://example.org/sparql> is refused",
        ),
        (
            {"data": {"query": "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }"}},
            "FROM / FROM NAMED is refused",
        ),
        (
            {
                "data": {
                    "query": "SELECT * WHERE { ?s ?p ?o }",
                    "default-graph-uri": "http://example.org/g",
                }
            },
            "default-graph-uri <http://example.org/g> is refused",
        ),
        ({"data": {"query": "SELECT WHERE {"}}, "not valid SPARQL"),
    ],
    ids=[
        "update-param",
        "update-body",
        "load",
        "delete",
        "service",
        "from",
        "other-graph",
        "syntax",
    ],
)
def test_refusals_are_400_with_a_reason(request_kwargs, reason, endpoint):
    response = http.post(f"{endpoint}/sparql", **request_kwargs)
    assert response.status_code == 400
    assert reason in response.text
    assert len(response.text.strip().splitlines()) == 1


def test_a_slow_query_hits_the_time_limit_and_the_server_recovers(endpoint):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = http.post(f"{endpoint}/sparql", data={"query": slow}, timeout=TIMEOUT * 5)
    assert response.status_code == 503
    assert f"longer than this server's limit of {TIMEOUT:g} s" in response.text
    again = http.get(f"{endpoint}/queries/descendants", params={"format": "json"})
    assert again.status_code == 200


def test_size_limits(endpoint):
    everything = http.post(
        f"{endpoint}/sparql",
        data={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert everything.status_code == 413
    assert f"limit of {MAX_RESULT} bytes" in everything.text
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (70 << 10)
    assert http.post(f"{endpoint}/sparql", data={"query": huge}).status_code == 413


def test_content_negotiation(endpoint):
    query = {"query": "SELECT ?s WHERE { ?s a mk:ListedProject } LIMIT 1"}
    csv_first = http.post(
        f"{endpoint}/sparql",
        data=query,
        headers={"Accept": "application/sparql-results+json;q=0.5, text/csv"},
    )
    assert csv_first.headers["content-type"].startswith("text/csv")
    json_ = http.post(f"{endpoint}/sparql", data=query, headers={"Accept": "application/json"})
    assert json_.json()["head"]["vars"] == ["s"]
    refused = http.post(f"{endpoint}/sparql", data=query, headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_negotiate_honours_quality_and_wildcards():
    offered = {"application/sparql-results+json": "JSON", "text/csv": "CSV"}
    assert (
        negotiate("", offered, "application/sparql-results+json")
        == "application/sparql-results+json"
    )
    assert negotiate("text/*", offered, "application/sparql-results+json") == "text/csv"
    assert (
        negotiate("text/csv;q=0.1, */*;q=0.9", offered, "application/sparql-results+json")
        == "application/sparql-results+json"
    )
    assert negotiate("text/csv;q=0", offered, "application/sparql-results+json") is None


def test_service_description(endpoint):
    response = http.get(f"{endpoint}/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    sd = "http://www.w3.org/ns/sparql-service-description#"
    triples = {
        (q.subject, q.predicate, q.object)
        for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)
    }
    service = ox.NamedNode(f"{endpoint}/sparql")
    assert (
        service,
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode(sd + "Service"),
    ) in triples
    assert (
        service,
        ox.NamedNode(sd + "supportedLanguage"),
        ox.NamedNode(sd + "SPARQL11Query"),
    ) in triples


def test_cors_for_browser_clients(endpoint):
    preflight = http.options(
        f"{endpoint}/sparql",
        headers={
            "Origin": "http://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    simple = http.get(f"{endpoint}/queries/descendants", headers={"Origin": "http://example.org"})
    assert simple.headers["access-control-allow-origin"] == "*"


def test_stored_query_parameters_and_unknown_names(endpoint, KG):
    nova = http.get(f"{endpoint}/queries/descendants", params={"of": "NOVA", "format": "json"})
    names = {b["name"]["value"] for b in nova.json()["results"]["bindings"]}
    assert names == {
        row[0].value for row in KG.query("descendants", {"of": "NOVA"}, native=True).rows
    }
    assert "Hedron" in names
    unknown = http.get(f"{endpoint}/queries/descendants", params={"of": "NoSuchOS"})
    assert unknown.status_code == 404 and "no system named 'NoSuchOS'" in unknown.text
    assert http.get(f"{endpoint}/queries/no-such-query").status_code == 404
    bad_param = http.get(f"{endpoint}/queries/descendants", params={"bogus": "1"})
    assert bad_param.status_code == 400


def test_lineage_pictures(endpoint):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    picture = http.get(f"{endpoint}/lineage/seL4.svg", timeout=60)  # the first loads rdflib
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in picture.content and b"Ares" in picture.content
    assert http.get(f"{endpoint}/lineage/NoSuchOS.svg").status_code == 404


def test_remote_query_against_our_own_endpoint(endpoint, invoke, KG):
    """`mkgraph query --endpoint` speaks the protocol; our server is one such endpoint."""
    root = ("--root", str(KG.resources.root))
    remote = invoke(
        *root,
        "query",
        "descendants",
        "-p",
        "of=seL4",
        "--endpoint",
        f"{endpoint}/sparql",
        "-f",
        "csv",
    )
    local = invoke(*root, "query", "descendants", "-p", "of=seL4", "-f", "csv")
    assert remote.exit_code == 0, remote.output
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())


def test_landing_page_in_a_real_browser(endpoint, KG, tmp_path, monkeypatch):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    page = http.get(f"{endpoint}/").text
    assert "http://" not in page.replace("http://www.w3.org", "")  # self-contained: no CDN
    with chromium(tmp_path / "profile", monkeypatch, "1400,1000") as driver:
        wait = WebDriverWait(driver, 20)
        driver.get(f"{endpoint}/")
        editor = driver.find_element(By.ID, "query")
        editor.clear()
        editor.send_keys(
            "SELECT ?name WHERE { ?s a mk:ListedProject ; rdfs:label ?name } ORDER BY ?name"
        )
        driver.find_element(By.ID, "run").click()
        wait.until(until.text_to_be_present_in_element((By.ID, "status"), "5 rows"))
        cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#results td")]
        assert "seL4" in cells and len(cells) == 5
        example = wait.until(
            until.element_to_be_clickable(
                (By.CSS_SELECTOR, "#examples button[data-name='descendants']")
            )
        )
        example.click()
        wait.until(until.text_to_be_present_in_element((By.ID, "status"), "rows"))
        assert "Ares" in driver.find_element(By.ID, "results").text
        shown = driver.find_element(By.ID, "query").get_attribute("value")
        assert "<https://w3id.org/mkgraph/system/sel4>" in shown
        assert "#+" not in shown and "Descendants of a system" not in shown  # no header clutter
        driver.find_element(By.ID, "run").click()  # the example, run again from the editor
        rows = len(KG.query("descendants", {"of": "seL4"}).rows)
        wait.until(until.text_to_be_present_in_element((By.ID, "status"), f"{rows} rows"))
        assert "Ares" in driver.find_element(By.ID, "results").text
        # the parameter is a field, with the known names to pick from
        field = driver.find_element(By.ID, "param-of")
        assert field.get_attribute("value") == "seL4"
        wait.until(lambda d: field.get_attribute("list"))
        offered = {
            o.get_attribute("value")
            for o in driver.find_elements(By.CSS_SELECTOR, f"#{field.get_attribute('list')} option")
        }
        assert {"NOVA", "seL4", "L4Ka::Pistachio", "Hedron"} <= offered
        field.clear()
        field.send_keys("NOVA\n")
        wait.until(until.text_to_be_present_in_element((By.ID, "results"), "Hedron"))
        assert "Ares" not in driver.find_element(By.ID, "results").text
        driver.save_screenshot(str(tmp_path / "landing.png"))


def test_resource_pages_in_a_real_browser(endpoint, tmp_path, monkeypatch):
    """/system/NAME and the other resource pages load with no console error and request nothing
    outside the server; a link of each kind on them answers; a click on a system in the lineage
    drawing opens its page; the w3id form of an address (/mkgraph/system/…) is served too. (Every
    link of every page resolves: checked on the fixture graph's served pages in
    tests/test_resource_pages.py, on the bundled data's static site in tests/test_site.py.)"""
    from urllib.parse import urlsplit

    from selenium.webdriver.common.by import By

    checked: set[str] = set()  # the kinds of link fetched: /system/…, /language/…, /lineage/…
    with chromium(tmp_path / "profile", monkeypatch, "1400,1000") as driver:
        for path in ("/system/sel4", "/mkgraph/system/nova", "/language/rust", "/family/l4"):
            driver.get(endpoint + path)
            assert driver.find_element(By.TAG_NAME, "h1").text
            requests = driver.execute_script(
                "return performance.getEntriesByType('resource').map(e => e.name)"
            )
            assert all(r.startswith(endpoint + "/") for r in requests), requests
            for link in driver.find_elements(By.CSS_SELECTOR, "a[href^='/']"):
                href = link.get_attribute("href")
                kind = urlsplit(href).path.rsplit("/", 1)[0]
                if kind not in checked:
                    answer = http.get(href, headers={"Accept": "text/html"})
                    assert answer.status_code == 200, href
                    checked.add(kind)
        assert {"/system", "/language", "/architecture", "/family"} <= checked, checked
        driver.get(endpoint + "/system/sel4")
        driver.find_element(By.CSS_SELECTOR, "g#n_helios a").click()
        assert driver.current_url == endpoint + "/system/helios"
        assert driver.find_element(By.TAG_NAME, "h1").text == "Helios"


def test_an_address_in_use_is_one_clean_line(endpoint, invoke, KG):
    port = endpoint.rsplit(":", 1)[1]
    result = invoke("--root", str(KG.resources.root), "serve", "--port", port)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"mkgraph: error: cannot listen on 127.0.0.1:{port}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_one_worker_runs_this_module_whole(request):
    """Under pytest-xdist, one worker must run this module whole, so its module-scoped server
    starts once: that is the loadfile scheduler (`addopts`), which deals out whole modules.
    (loadgroup with xdist_group marks does not under pytest 9: it deals the tests out one by one.)"""
    if not hasattr(request.config, "workerinput"):
        pytest.skip("not a pytest-xdist worker")
    addopts = request.config.getini(
        "addopts"
    )  # workers are not told the scheduler: read its setting
    assert addopts[addopts.index("--dist") + 1] == "loadfile", addopts


def test_the_longest_modules_are_dealt_out_first(request):
    """conftest's LONGEST_FIRST names modules that exist, and xdist keeps the order it makes."""
    from conftest import LONGEST_FIRST

    tests = Path(__file__).parent
    assert [name for name in LONGEST_FIRST if not (tests / name).is_file()] == []
    assert "--no-loadscope-reorder" in request.config.getini("addopts")
