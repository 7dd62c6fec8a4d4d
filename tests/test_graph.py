"""Loading: the bundled graph, and one-line errors naming file, line and column for broken files."""

from __future__ import annotations

import re

import pytest

from mkgraph.core.errors import DataError
from mkgraph.store.graph import parse_turtle

PREFIX = "@prefix ex: <http://example.org/> .\n"


@pytest.mark.parametrize(
    "text, where, message",
    [
        (
            PREFIX + "ex:a ex:b ex:c .\nex:a ex:b ex:d",
            ":3:15:",
            "unexpected end of file (missing '.'?)",
        ),
        (PREFIX + "\nex:a foo:b ex:c .\n", ":3:6:", 'Prefix "foo:" not bound'),
        ("hello world\n", ":1:1:", "expected directive or statement"),
        ('{"@context": {}}\n', ":1:1:", "expected directive or statement"),
        (
            PREFIX + 'ex:a ex:b "x"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
            ":2:",
            "literal 'x' is not a valid xsd:integer",
        ),
        (
            PREFIX + "<http://example.org/a b> ex:b ex:c .\n",
            ":2:",
            "bad IRI <http://example.org/a b>",
        ),
        ("", ":", "the file is empty"),
        ("   \n\n", ":", "the file is empty"),
    ],
    ids=[
        "missing-dot",
        "undeclared-prefix",
        "not-turtle",
        "json",
        "bad-literal",
        "bad-iri",
        "empty",
        "blank",
    ],
)
def test_broken_turtle_names_file_line_and_column(text, where, message, tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        parse_turtle(path)
    error = str(caught.value)
    assert error.startswith(str(path) + where)
    assert message in error
    assert "\n" not in error


def test_non_utf8_byte(tmp_path):
    path = tmp_path / "latin1.ttl"
    path.write_bytes(PREFIX.encode() + 'ex:a ex:b "caf\xe9" .\n'.encode("latin-1"))
    with pytest.raises(DataError, match=r"latin1.ttl:2:15: not UTF-8 \(byte 0xe9\)"):
        parse_turtle(path)


def test_cli_reports_a_broken_data_file_and_exits_2(fixture_root, invoke):
    broken = next((fixture_root / "data" / "projects").glob("sel4.*"))  # .ttl or, migrated, .trig
    broken.write_text(broken.read_text(encoding="utf-8").rstrip().rstrip("."), encoding="utf-8")
    for command in (["validate"], ["query", "projects"], ["export"], ["show", "seL4"]):
        result = invoke("--root", str(fixture_root), *command)
        assert result.exit_code == 2, command
        assert result.stdout == ""
        assert result.stderr.startswith(f"mkgraph: error: {broken}:")
        assert re.search("(Turtle|TriG) syntax error", result.stderr)
        assert len(result.stderr.splitlines()) == 1
        assert "Traceback" not in result.output


@pytest.mark.bundled_data
def test_bundled_graph_loads(kg):
    assert len(kg.graph) > 5000
