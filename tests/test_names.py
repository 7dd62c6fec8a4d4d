"""One rule for the names people type, everywhere: `query -p`, `show`, `lineage`,
KnowledgeGraph.resolve, both engines, the server's /queries/NAME and /lineage/NAME.svg, and the
ambiguous-name-violation check. An ambiguous name is an error that lists the candidates by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mkgraph.api import KnowledgeGraph
from mkgraph.core.errors import AmbiguousNameError

FIXTURE = Path(__file__).parent / "fixtures" / "names" / "fiasco.ttl"
AMBIGUOUS = (
    "system name 'Fiasco' is ambiguous: it could be Fiasco.OC (sys:fiasco-oc) "
    "or L4/Fiasco (sys:fiasco)"
)


@pytest.fixture
def root(small_root):
    shutil.copy(FIXTURE, small_root / "data" / FIXTURE.name)
    return small_root


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_library_calls_an_ambiguous_name_ambiguous_on_every_engine(root, engine):
    kg = KnowledgeGraph(root, engine=engine)
    for call in (
        lambda: kg.resolve("Fiasco"),
        lambda: kg.query("descendants", {"of": "Fiasco"}),
        lambda: kg.lineage("fiasco"),
        lambda: kg.describe("FIASCO"),
    ):
        with pytest.raises(AmbiguousNameError) as raised:
            call()
        assert str(raised.value) == AMBIGUOUS.replace("'Fiasco'", repr(raised.value.value))


@pytest.mark.parametrize(
    "args",
    [
        ("query", "descendants", "-p", "of=Fiasco"),
        ("show", "Fiasco"),
        ("lineage", "Fiasco"),
        ("lineage", "Fiasco", "-f", "dot"),
    ],
)
def test_command_line_refuses_an_ambiguous_name(root, invoke, args):
    result = invoke("--root", str(root), *args)
    assert result.exit_code == 2
    assert result.stderr == f"mkgraph: error: {AMBIGUOUS}\n"
    assert result.stdout == ""


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_every_name_of_a_system_finds_it_on_every_engine(root, engine):
    kg = KnowledgeGraph(root, engine=engine)
    for typed, expected in (
        ("Fiasco.OC", "fiasco-oc"),
        ("l4/fiasco", "fiasco"),
        ("fiasco-oc", "fiasco-oc"),  # the IRI's local name
        ("sys:fiasco", "fiasco"),  # a prefixed IRI picks one where the name cannot
        ("<https://w3id.org/mkgraph/system/fiasco>", "fiasco"),
    ):
        result = kg.query("ancestors", {"of": typed})
        assert str(kg.resolve(typed)).endswith("/" + expected)
        assert isinstance(result.rows, list)


def test_the_violation_check_finds_what_the_resolver_calls_ambiguous(root):
    kg = KnowledgeGraph(root)
    rows = {(str(r[0]), str(r[1])) for r in kg.query("ambiguous-name-violation").rows}
    assert rows == {
        ("https://w3id.org/mkgraph/system/fiasco", "fiasco"),
        ("https://w3id.org/mkgraph/system/fiasco-oc", "Fiasco"),
    }
    report = kg.validate()
    assert not report.conforms
    assert {p.focus_label for p in report.problems if p.check == "ambiguous-name-violation"} == {
        "L4/Fiasco",
        "Fiasco.OC",
    }


@pytest.fixture
def client(root):
    from mkgraph.web.server import Endpoint, create_app

    endpoint = Endpoint(KnowledgeGraph(root), workers=1)
    try:
        with TestClient(create_app(endpoint)) as client:
            yield client
    finally:
        endpoint.close()


def test_server_refuses_an_ambiguous_name_and_draws_names_with_a_slash(client):
    for url in ("/queries/descendants?of=Fiasco", "/lineage/Fiasco.svg"):
        answer = client.get(url)
        assert (answer.status_code, answer.text) == (400, AMBIGUOUS + "\n"), url
    unknown = client.get("/lineage/Nothing.svg")
    assert unknown.status_code == 404
    assert unknown.text == "no system named 'Nothing' in the graph\n"
    drawn = client.get("/lineage/UX%2FRT.svg")
    assert drawn.status_code == 200, drawn.text
    assert drawn.headers["content-type"] == "image/svg+xml"
    assert ">Lineage of UX/RT</text>" in drawn.text
