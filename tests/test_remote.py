"""Publishing to a real Oxigraph server (the `oxigraph` package from PyPI) on loopback, and running
the stored queries there: the same answers as on the bundled graph; publishing twice leaves one
copy; bad endpoints and missing passwords give one clean line."""

from __future__ import annotations

import json
import os

import httpx
import pytest
from servers import free_port, oxigraph_program, recording_server, running

from mkgraph.api import KnowledgeGraph

KG = KnowledgeGraph()
SELECTS = [q.name for q in KG.stored_queries() if "SELECT" in q.text.upper()]
GRAPH = "https://w3id.org/mkgraph/graph"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    program = oxigraph_program()
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install the oxigraph package (the test extra does)")
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    base = f"http://127.0.0.1:{port}"
    with running(
        [program, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        f"{base}/query?query=ASK%7B%7D",
    ):
        yield base


def count(base: str, graph: str | None) -> int:
    params = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    if graph:
        params["default-graph-uri"] = graph
    response = httpx.get(
        f"{base}/query", params=params, headers={"Accept": "application/sparql-results+json"}
    )
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def rows(output: str) -> list:
    """SPARQL JSON results as sorted rows; GROUP_CONCAT lists sorted (their order is open)."""
    data = json.loads(output)

    def cell(binding):
        if binding is None:
            return None
        return ", ".join(sorted(binding["value"].split(", "))), binding["type"]

    return sorted(
        (tuple(cell(b.get(v)) for v in data["head"]["vars"]) for b in data["results"]["bindings"]),
        key=repr,
    )


@pytest.fixture(scope="module")
def published(oxigraph):
    from click.testing import CliRunner

    from mkgraph.cli import main

    result = CliRunner().invoke(main, ["publish", "--endpoint", f"{oxigraph}/store"])
    assert result.exit_code == 0, result.output
    return result.output


def test_publish_uploads_the_whole_graph(published, oxigraph):
    assert published.startswith(f"published {len(KG.graph)} triples to {oxigraph}/store?graph=")
    assert count(oxigraph, GRAPH) == len(KG.graph)


def test_publishing_twice_leaves_one_copy(published, oxigraph, invoke):
    before = count(oxigraph, GRAPH)
    again = invoke("publish", "--endpoint", f"{oxigraph}/store")
    assert again.exit_code == 0, again.output
    assert count(oxigraph, GRAPH) == before


def test_publish_inferred_to_the_default_graph(oxigraph, invoke):
    result = invoke(
        "publish", "--endpoint", f"{oxigraph}/store", "--graph", "default", "--inferred"
    )
    assert result.exit_code == 0, result.output
    assert count(oxigraph, None) == len(KG.graph) + len(KG.inferred)


@pytest.mark.parametrize("name", SELECTS)
def test_stored_queries_answer_the_same_remotely(name, published, oxigraph, invoke):
    remote = invoke("query", name, "--endpoint", f"{oxigraph}/query", "-f", "json")
    local = invoke("query", name, "-f", "json")
    assert remote.exit_code == 0, remote.output
    assert rows(remote.stdout) == rows(local.stdout)


def test_parameters_are_resolved_locally_and_sent_as_terms(published, oxigraph, invoke):
    remote = invoke(
        "query", "descendants", "-p", "of=NOVA", "--endpoint", f"{oxigraph}/query", "-f", "csv"
    )
    assert remote.exit_code == 0, remote.output
    assert "Hedron" in remote.stdout
    unknown = invoke("query", "descendants", "-p", "of=NoSuchOS", "--endpoint", f"{oxigraph}/query")
    assert unknown.exit_code == 2 and "no system named 'NoSuchOS'" in unknown.stderr


def test_ad_hoc_query_remotely(published, oxigraph, invoke):
    result = invoke(
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a mk:ListedProject }",
        "--endpoint",
        f"{oxigraph}/query",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["n", "28"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["publish", "--endpoint", "ftp://example.org/store"], "is not an http(s) URL"),
        (["publish", "--endpoint", "http://127.0.0.1:9/store"], "cannot reach the endpoint"),
        (
            ["query", "descendants", "--endpoint", "http://127.0.0.1:9/query"],
            "cannot reach the endpoint",
        ),
        (
            ["publish", "--endpoint", "http://127.0.0.1:9/store", "--user", "alice"],
            "needs a password: set $MKGRAPH_PASSWORD",
        ),
    ],
    ids=["not-http", "publish-unreachable", "query-unreachable", "no-password"],
)
def test_bad_endpoints_fail_cleanly(args, message, invoke, monkeypatch):
    monkeypatch.delenv("MKGRAPH_PASSWORD", raising=False)
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_store_refusal_is_reported(oxigraph, invoke):
    result = invoke("query", "descendants", "--endpoint", f"{oxigraph}/store-that-is-not-there")
    assert result.exit_code == 2
    assert "the query was refused: 415 Unsupported Media Type" in result.stderr


def test_password_from_the_environment_is_sent_as_basic_auth(monkeypatch, invoke):
    """A loopback server that records the Authorization header: the password never appears on
    the command line, only in the request."""
    import base64

    monkeypatch.setenv("MKGRAPH_PASSWORD", "s3cret")
    with recording_server() as (base, seen):
        result = invoke("publish", "--endpoint", f"{base}/store", "--user", "alice")
    assert result.exit_code == 0, result.output
    assert seen == [
        (
            "PUT",
            "/store?graph=https%3A%2F%2Fw3id.org%2Fmkgraph%2Fgraph",
            "Basic " + base64.b64encode(b"alice:s3cret").decode(),
        )
    ]
