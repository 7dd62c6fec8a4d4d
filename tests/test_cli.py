"""The command line: help, version, every command's normal output, and its errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mkgraph import __version__
from mkgraph.cli import main

COMMANDS = sorted(main.commands)


def test_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"mkgraph, version {__version__}\n"


def test_python_dash_m(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkgraph", "query", "ancestors", "-p", "of=Ares", "-f", "csv"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("Helios,1,")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command, invoke):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example: mkgraph" in result.output


def test_group_help(invoke):
    result = invoke("-h")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_queries_lists_titles_and_parameters(invoke):
    lines = invoke("queries").output.splitlines()
    assert any(
        line.startswith("descendants") and "Descendants of a system  [of=seL4]" in line
        for line in lines
    )
    assert len(lines) >= 12


def test_query_table_fits_80_columns(on_fixture):
    result = on_fixture("query", "projects")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "languages", "architectures", "homepage"]
    assert lines[-1] == "(5 rows)"
    assert max(len(line) for line in lines) <= 80


def test_query_file_and_sparql_from_stdin(on_fixture, tmp_path):
    query = tmp_path / "ancestors.rq"
    query.write_text(
        "SELECT ?name WHERE { sys:ares (mk:basedOn|mk:inspiredBy)+/rdfs:label ?name } "
        "ORDER BY ?name",
        encoding="utf-8",
    )
    result = on_fixture("query", "--file", str(query), "-f", "csv")
    assert result.output.splitlines() == ["name", "Helios", "L3", "L4", "seL4"]
    piped = on_fixture("sparql", "-", "-f", "csv", input=query.read_text(encoding="utf-8"))
    assert piped.output == result.output


@pytest.fixture
def on_fixture(fixture_kg, invoke):
    """The command on the fixture graph (tests/fixtures/root), handed its loaded graph."""

    def run(*args, **kwargs):
        return invoke("--root", str(fixture_kg.resources.root), *args, **kwargs)

    return run


def test_show_lists_facts_sources_and_what_points_at_it(on_fixture):
    result = on_fixture("show", "NOVA")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "NOVA  <https://w3id.org/mkgraph/system/nova>"
    assert any(line.strip().startswith("licence") and "GPL-2.0-only" in line for line in lines)
    assert "Pointed at by:" in lines
    assert any("Hedron derived from NOVA" in line for line in lines)


def test_show_finds_languages_and_architectures_too(on_fixture):
    assert on_fixture("show", "amd64").output.startswith(
        "x86-64  <https://w3id.org/mkgraph/architecture/x86-64>"
    )
    assert "Pointed at by:" in on_fixture("show", "Rust").output


def test_output_file(on_fixture, tmp_path):
    out = tmp_path / "descendants.csv"
    result = on_fixture("query", "descendants", "-f", "csv", "-o", str(out))
    assert result.exit_code == 0 and result.output == ""
    assert out.read_bytes().startswith(b"name,depth,path\r\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["query", "nonesuch"], "no stored query named 'nonesuch'; see 'mkgraph queries'"),
        (["query", "descendants", "-p", "of"], "parameter 'of' is not NAME=VALUE"),
        (
            ["query", "descendants", "-p", "depth=3"],
            "query 'descendants' has no parameter 'depth' (its parameters: of)",
        ),
        (["query"], "name a stored query (see 'mkgraph queries') or give --file Q.rq"),
        (["query", "--file", "/nonexistent.rq"], "query file '/nonexistent.rq' does not exist"),
        (["sparql", "SELECT * WHERE { ?s ?p }"], "query: SPARQL syntax error at line 1, column"),
        (
            ["sparql", "SELECT * WHERE { ?s nope:p ?o }"],
            "query: line 1, column 21: unknown prefix 'nope:'",
        ),
        (
            ["sparql", "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }"],
            "FROM / FROM NAMED is refused",
        ),
        (
            ["sparql", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"],
            "SERVICE <http://example.org/sparql> is refused",
        ),
        (
            ["sparql", "CONSTRUCT WHERE { ?s mk:basedOn ?o }", "-f", "csv"],
            "a CONSTRUCT query returns a graph",
        ),
        (
            ["sparql", "SELECT * WHERE { ?s mk:basedOn ?o }", "-f", "turtle"],
            "a SELECT query returns a table",
        ),
        (["show", "Plan 10"], "no resource named 'Plan 10'"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_errors_are_one_line_and_exit_2(args, message, invoke):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("mkgraph: error: ")
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output
