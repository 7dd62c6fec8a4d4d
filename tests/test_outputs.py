"""What the commands promise about their output: a file's extension never silently disagrees
with what is written into it; `lineage` without NAME and with --both does what -h says; SELECT *
keeps the query's order of variables on both engines and in every format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mkgraph.api import KnowledgeGraph

FIXTURE = Path(__file__).parent / "fixtures" / "names" / "fiasco.ttl"


@pytest.fixture
def root(small_root):
    shutil.copy(FIXTURE, small_root / "data" / FIXTURE.name)
    return small_root


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("export", "-o", "{tmp}/x.foo"),
            "cannot tell the format from '{tmp}/x.foo': give -f turtle, jsonld, ntriples, "
            "nquads or xml, or a file name ending in .ttl, .jsonld, .nt, .nq or .rdf",
        ),
        (
            ("export", "-f", "turtle", "-o", "{tmp}/x.jsonld"),
            "-f turtle does not match the extension of '{tmp}/x.jsonld' (jsonld)",
        ),
        (
            ("lineage", "-f", "svg", "-o", "{tmp}/x.png"),
            "-f svg does not match the extension of '{tmp}/x.png' (png)",
        ),
        (
            ("lineage", "Fiasco.OC", "-o", "{tmp}/x.foo"),
            "cannot tell the format from '{tmp}/x.foo': give -f tree, dot, svg, png, mermaid, "
            "json or html, or a file name ending in .txt, .dot, .svg, .png, .mmd, .json or .html",
        ),
    ],
)
def test_a_file_extension_never_disagrees_with_the_content(root, invoke, tmp_path, args, message):
    result = invoke("--root", str(root), *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 2
    assert result.stderr == f"mkgraph: error: {message.format(tmp=tmp_path)}\n"
    assert not list(tmp_path.glob("x.*")), "nothing is written"


def test_lineage_without_a_name_draws_the_forest_as_trees(root, invoke):
    result = invoke("--root", str(root), "lineage")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "L4/Fiasco\n└── Fiasco.OC is derived from L4/Fiasco\n    └── UX/RT is based on Fiasco.OC\n"
    )


def test_lineage_both_shows_ancestors_then_descendants(root, invoke):
    result = invoke("--root", str(root), "lineage", "--both", "Fiasco.OC")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Fiasco.OC (ancestors)\n└── Fiasco.OC is derived from L4/Fiasco\n\n"
        "Fiasco.OC (descendants)\n└── UX/RT is based on Fiasco.OC\n"
    )


def test_inferred_help_names_the_default_reasoner(invoke):
    text = invoke("query", "-h").output
    assert "owlrl" not in text.split("--inferred", 1)[1].split("--", 1)[0]
    assert "--reasoner" in text.split("--inferred", 1)[1].split("--timeout", 1)[0]


STAR = "SELECT * WHERE { ?system mk:basedOn ?parent ; rdfs:label ?name OPTIONAL { ?system mk:startYear ?year } }"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_select_star_keeps_the_order_of_the_query(root, engine):
    result = KnowledgeGraph(root, engine=engine).sparql(STAR)
    assert result.variables == ["system", "parent", "name", "year"]
    assert [str(t) for t in result.rows[0][:3]] == [
        "https://w3id.org/mkgraph/system/uxrt",
        "https://w3id.org/mkgraph/system/fiasco-oc",
        "UX/RT",
    ]


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_select_star_order_in_every_format(root, invoke, fmt):
    iris = ["--iris"] if fmt == "table" else []  # a table shows the IRI columns when asked
    output = invoke("--root", str(root), "sparql", STAR, "-f", fmt, *iris).stdout
    if fmt == "json":
        assert json.loads(output)["head"]["vars"] == ["system", "parent", "name", "year"]
    else:
        assert output.split()[0].split(",")[0] == "system"
        assert output.splitlines()[0].replace(" ", "").split(",")[:1] != ["name"]
