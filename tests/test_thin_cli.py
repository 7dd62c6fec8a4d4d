"""The command line only parses and prints: `show`, `coverage`, `render list` and `lineage` print
what the library's KnowledgeGraph answers, byte for byte. On the fixture graph (tests/fixtures/root)."""

from __future__ import annotations

import json

import pytest
from rdfcompare import same_graph
from rdflib import Graph

from mkgraph.views import describe


@pytest.fixture
def mkgraph(fixture_kg, invoke):
    """The command on the fixture graph (handed the session's loaded fixture graph)."""

    def run(*args):
        return invoke("--root", str(fixture_kg.resources.root), *args)

    return run


@pytest.mark.parametrize("fmt, history", [("turtle", False), ("ntriples", True), ("jsonld", False)])
def test_show_as_rdf_is_the_library_answer(fmt, history, fixture_kg, mkgraph):
    """The same graph (blank provenance nodes get new names in each process: compared as graphs)."""
    args = ["show", "seL4", "-f", fmt] + (["--history"] if history else [])
    result = mkgraph(*args)
    assert result.exit_code == 0, result.output
    parse_as = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}[fmt]
    printed = Graph().parse(data=result.stdout, format=parse_as)
    answered = Graph().parse(
        data=fixture_kg.describe_rdf("seL4", fmt, history=history), format=parse_as
    )
    assert len(printed) > 20
    assert same_graph(printed, answered)


def test_show_as_text_is_the_library_answer(fixture_kg, mkgraph):
    result = mkgraph("show", "seL4")
    assert result.exit_code == 0, result.output
    assert result.stdout == describe.render(fixture_kg.describe("seL4")) + "\n"


def test_show_of_an_unknown_name_is_one_line(fixture_kg, mkgraph):
    result = mkgraph("show", "No Such Kernel", "-f", "turtle")
    assert result.exit_code == 2
    assert result.stderr.startswith("mkgraph: error: no resource named 'No Such Kernel'")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_coverage_is_the_library_answer(fmt, fixture_kg, mkgraph):
    result = mkgraph("coverage", "-f", fmt)
    assert result.exit_code == 0, result.output
    report = fixture_kg.coverage()
    expected = report.as_json() if fmt == "json" else report.as_table(markdown=fmt == "markdown")
    assert result.stdout == expected + "\n"
    if fmt == "json":
        assert json.loads(result.stdout)  # and it is JSON


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_render_list_is_the_library_answer(fmt, fixture_kg, mkgraph):
    result = mkgraph("render", "list", "-f", fmt)
    assert result.exit_code == 0, result.output
    assert result.stdout == fixture_kg.project_list(fmt) + "\n"


def test_the_library_refuses_an_unknown_list_format(fixture_kg):
    from mkgraph.core.errors import ParameterError

    with pytest.raises(ParameterError, match="unknown list format 'pdf'"):
        fixture_kg.project_list("pdf")


def test_both_directions_keep_the_systems_own_name_in_the_sentences(mkgraph):
    """The heading says which way; the sentences name the system as the data does (they said
    "Hedron (ancestors) is derived from NOVA")."""
    result = mkgraph("lineage", "--both", "Helios")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Helios (ancestors)",
        "└── Helios is inspired by seL4 (started 2004)",
        "    └── seL4 is inspired by L4 (announced 1993)",
        "        └── L4 is inspired by L3",
        "",
        "Helios (descendants)",
        "└── Ares (announced 2022) is based on Helios",
    ]


def test_format_prints_what_the_library_answers(fixture_root, invoke):
    """`mkgraph format` asks KnowledgeGraph.format_files, like every other command."""
    from mkgraph.api import KnowledgeGraph

    scratch_root = fixture_root
    target = scratch_root / "data" / "systems" / "helios.trig"
    target.write_text(target.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    outcome = KnowledgeGraph(scratch_root).format_files(check=True)
    assert outcome.not_canonical == [target.resolve()]
    checked = invoke("--root", str(scratch_root), "format", "--check")
    assert (checked.exit_code, checked.stdout) == (1, f"not canonical: {target.resolve()}\n")
    formatted = invoke("--root", str(scratch_root), "format", str(target))
    assert (formatted.exit_code, formatted.stdout) == (0, f"formatted {target}\n")
    assert KnowledgeGraph(scratch_root).format_files(check=True).not_canonical == []


def test_the_command_line_reaches_no_formatting_code_of_its_own():
    import ast
    from pathlib import Path

    import mkgraph.cli

    tree = ast.parse(Path(mkgraph.cli.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") + "." + alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert "mkgraph.store.formatting" not in imported
