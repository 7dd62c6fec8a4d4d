"""Reading the sources: every file found (symlinked folders followed, nothing skipped in silence),
each read once and bounded, relative IRIs refused so no local path reaches any output, a byte
order mark accepted. Unreadable folders and files are simulated where root would read them anyway:
a mocked os.scandir / os.open raising PermissionError, a FIFO, a link to nothing."""

from __future__ import annotations

import errno
import io
import os
import shutil
from pathlib import Path

import pytest
from commands import invoke_on
from rdfcompare import same_graph
from rdflib import Graph

from mkgraph.api import KnowledgeGraph
from mkgraph.core import sourcetext
from mkgraph.core.errors import DataError
from mkgraph.core.sourcetext import read_sources
from mkgraph.store import cache

COMMANDS = [("export", "-f", "ntriples"), ("query", "descendants"), ("validate",)]


def assert_one_line_error(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("mkgraph: error: ")
    assert message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1


def _csv(invoke, root, *args) -> str:
    result = invoke("--root", str(root), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


# ---------------------------------------------------------------- byte order mark


def test_a_byte_order_mark_is_accepted_by_both_loaders(fixture_root, invoke):
    (fixture_root / "data" / "bom.ttl").write_bytes(
        b'\xef\xbb\xbfPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n<https://example.org/bom> rdfs:label "With a BOM" .\n'
    )
    ask = "ASK { <https://example.org/bom> ?p 'With a BOM' }"
    assert _csv(invoke, fixture_root, "sparql", ask, "-f", "csv").strip().endswith("true")
    assert '"With a BOM"' in _csv(invoke, fixture_root, "export", "-f", "jsonld")  # rdflib's
    check = invoke("--root", str(fixture_root), "format", "--check")
    assert (check.exit_code, check.stdout) == (1, f"not canonical: {fixture_root}/data/bom.ttl\n")


# ---------------------------------------------------------------- relative IRIs

WITH_BASE = {
    "based.ttl": (
        "@base <https://example.org/base/> .\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        '<turtle-thing> rdfs:label "T" ; rdfs:seeAlso <#part>, <../up> .\n'
    ),
    "based.jsonld": (
        '{"@context": {"@base": "https://example.org/base/", '
        '"label": "http://www.w3.org/2000/01/rdf-schema#label"}, '
        '"@id": "json-thing", "label": "J"}\n'
    ),
    "based.rdf": (
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xml:base="https://example.org/base/">\n'
        '  <rdf:Description rdf:about="xml-thing"><rdfs:label>X</rdfs:label></rdf:Description>\n'
        "</rdf:RDF>\n"
    ),
}


def test_a_declared_base_resolves_and_no_output_holds_a_local_path(fixture_root, invoke):
    for name, text in WITH_BASE.items():
        (fixture_root / "data" / name).write_text(text, encoding="utf-8")
    expected = [
        "https://example.org/base/turtle-thing",
        "https://example.org/base/json-thing",
        "https://example.org/base/xml-thing",
        "https://example.org/base/#part",
        "https://example.org/up",
    ]
    kg = KnowledgeGraph(fixture_root)  # loaded once for the ten exports (the files stay)
    for fmt in ("turtle", "jsonld", "ntriples", "nquads", "xml"):
        for inferred in ((), ("--inferred",)):
            result = invoke_on(kg, "export", "-f", fmt, *inferred)
            assert result.exit_code == 0, result.output
            assert "file:/" not in result.stdout and str(fixture_root) not in result.stdout, fmt
    ntriples = _csv(invoke, fixture_root, "export", "-f", "ntriples")  # the command's own load
    for iri in expected:
        assert f"<{iri}>" in ntriples
    for inferred in (False, True):  # what `publish` sends
        published = kg.ntriples(inferred).decode("utf-8")
        assert "file:" not in published.replace("Makefile:", "")
        assert str(fixture_root) not in published


@pytest.mark.parametrize(
    "name, text, shown",
    [
        ("a.ttl", "<https://example.org/a> <http://example.org/p> <b> .\n", "<b>"),
        ("a.ttl", "<#frag> <http://example.org/p> 1 .\n", "<#frag>"),
        ("a.ttl", "</abs/path> <http://example.org/p> 1 .\n", "</abs/path>"),
        ("a.ttl", "<//host.example/x> <http://example.org/p> 1 .\n", "<//host.example/x>"),
        ("a.ttl", "<?q=1> <http://example.org/p> 1 .\n", "<?q=1>"),
        ("a.ttl", "PREFIX e: <rel/>\ne:x <http://example.org/p> 1 .\n", "<rel/x>"),
        ("a.jsonld", '{"@id": "x/y", "http://example.org/p": "1"}\n', "<x/y>"),
        ("a.jsonld", '{"@id": "https://example.org/a", "@type": "Thing"}\n', "<Thing>"),
        (
            "a.rdf",
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="http://example.org/a"><rdf:type rdf:resource="k"/>'
            "</rdf:Description></rdf:RDF>\n",
            "<k>",
        ),
    ],
)
def test_every_spelling_of_a_relative_iri_is_refused(name, text, shown, small_root, invoke):
    target = small_root / "data" / name
    target.write_text(text, encoding="utf-8")
    for command in COMMANDS + [("export", "-f", "jsonld")]:
        result = invoke("--root", str(small_root), *command)
        assert_one_line_error(result, f"{target}")
        assert f"relative IRI {shown} refused" in result.stderr


def test_the_same_bytes_mean_the_same_graph_wherever_they_lie(tmp_path, fixture_root, invoke):
    roots = [tmp_path / "one", tmp_path / "elsewhere" / "two"]
    for root in roots:
        shutil.copytree(fixture_root, root)
    keys = {cache.key(read_sources(KnowledgeGraph(r).resources.graph_files())) for r in roots}
    assert len(keys) == 1
    first, second = (
        Graph().parse(data=_csv(invoke, r, "export", "-f", "ntriples"), format="nt") for r in roots
    )
    assert same_graph(first, second)


# ---------------------------------------------------------------- no partial graph


def test_a_symlinked_data_folder_is_followed(fixture_root, tmp_path, invoke):
    expected = _csv(invoke, fixture_root, "query", "descendants", "-f", "csv")
    elsewhere = tmp_path / "elsewhere"
    shutil.move(fixture_root / "data" / "projects", elsewhere)
    (fixture_root / "data" / "projects").symlink_to(elsewhere)
    assert _csv(invoke, fixture_root, "query", "descendants", "-f", "csv") == expected
    # a link loop inside is entered once, and does not load anything twice
    (elsewhere / "loop").symlink_to(fixture_root / "data")
    assert _csv(invoke, fixture_root, "query", "descendants", "-f", "csv") == expected
    kg = KnowledgeGraph(fixture_root)
    assert len(kg.resources.data_files(kg.resources.data)) == len(
        {p.resolve() for p in kg.resources.data_files(kg.resources.data)}
    )


def test_an_unreadable_folder_is_an_error(fixture_root, invoke, monkeypatch):
    blocked = fixture_root / "data" / "systems"
    real_scandir = os.scandir

    def scandir(path="."):  # an open folder (an int) passes too: pytest's cleanup reads by those
        if not isinstance(path, int) and Path(path) == blocked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr("mkgraph.core.resources.os.scandir", scandir)
    for command in COMMANDS + [("show", "seL4")]:
        result = invoke("--root", str(fixture_root), *command)
        assert_one_line_error(result, f"{blocked}: cannot read folder (Permission denied)")


def test_an_unreadable_file_is_an_error(fixture_root, invoke, monkeypatch):
    blocked = fixture_root / "data" / "projects" / "sel4.trig"
    real_open = os.open

    def guarded_open(path, flags, *args, **kwargs):
        if Path(path) == blocked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr("mkgraph.core.sourcetext.os.open", guarded_open)
    for command in COMMANDS + [("format", "--check")]:
        result = invoke("--root", str(fixture_root), *command)
        assert_one_line_error(result, f"{blocked}: cannot read file (Permission denied)")


@pytest.mark.parametrize("kind", ["dangling link", "fifo", "link to fifo"])
def test_a_source_name_that_is_not_a_file_is_an_error(kind, fixture_root, invoke):
    target = fixture_root / "data" / "projects" / "odd.ttl"
    if kind == "dangling link":
        target.symlink_to(fixture_root / "nowhere.ttl")
        message = f"{target}: cannot read file (a symbolic link to nothing)"
    elif kind == "fifo":
        os.mkfifo(target)
        message = f"{target}: cannot read file (not a regular file)"
    else:
        os.mkfifo(fixture_root / "pipe")
        target.symlink_to(fixture_root / "pipe")
        message = f"{target}: cannot read file (not a regular file)"
    for command in COMMANDS:
        assert_one_line_error(invoke("--root", str(fixture_root), *command), message)


def test_hidden_files_are_not_sources(fixture_root, invoke):
    """An editor's lock file (a link to nothing named .#sel4.ttl) and backups are not data."""
    projects = fixture_root / "data" / "projects"
    (projects / ".#sel4.ttl").symlink_to("root@host.1234:1700000000")
    (projects / ".sel4.ttl.swp").write_bytes(b"\x00binary")
    assert _csv(invoke, fixture_root, "query", "descendants", "-f", "csv")


def test_a_file_replaced_by_a_fifo_after_listing_does_not_hang(tmp_path):
    fifo = tmp_path / "late.ttl"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        sourcetext.read_source(fifo)


# ---------------------------------------------------------------- bounded reads


def test_a_huge_file_is_refused_before_it_is_read(small_root, invoke):
    huge = small_root / "data" / "huge.ttl"
    with open(huge, "wb") as out:  # sparse: three gigabytes that take no room
        out.truncate(3 << 30)
    for command in COMMANDS + [("export", "-f", "jsonld")]:
        result = invoke("--root", str(small_root), *command)
        assert_one_line_error(result, f"{huge}: the file is larger than 256 MB")


def test_a_file_that_grows_while_read_is_cut_off(tmp_path, monkeypatch):
    path = tmp_path / "growing.ttl"
    path.write_bytes(b"x" * 5000)
    real_fstat = os.fstat

    def looks_small(descriptor):  # the size said at opening, before it grew
        status = real_fstat(descriptor)
        return os.stat_result((status.st_mode, *status[1:6], 10, *status[7:]))

    monkeypatch.setattr("mkgraph.core.sourcetext.os.fstat", looks_small)
    with pytest.raises(DataError, match="the file is larger than 4096 bytes"):
        sourcetext.read_bytes(path, limit=4096)
    assert sourcetext.read_bytes(path, limit=5000) == b"x" * 5000


@pytest.mark.parametrize("megabytes", [10, 50])
def test_a_huge_literal_is_a_clean_error(megabytes, small_root, invoke):
    target = small_root / "data" / "literal.ttl"
    target.write_text(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f'<https://example.org/x> rdfs:comment "{"a" * (megabytes << 20)}" .\n',
        encoding="utf-8",
    )
    for command in [("query", "descendants"), ("export", "-f", "jsonld")]:
        result = invoke("--root", str(small_root), *command)
        assert_one_line_error(result, f"{target}")
        assert "is longer than 8 MB" in result.stderr


class Endless(io.RawIOBase):
    """Standard input that never ends, like /dev/zero."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"\0" * len(buffer)
        return len(buffer)


def test_endless_standard_input_is_cut_off(invoke):
    result = invoke("sparql", "-", input=io.BufferedReader(Endless()))
    assert_one_line_error(result, "<stdin>: the input is larger than 4 MB")


def test_a_huge_query_file_is_refused(invoke, tmp_path):
    query = tmp_path / "huge.rq"
    with open(query, "wb") as out:
        out.truncate(3 << 30)
    result = invoke("query", "--file", str(query))
    assert_one_line_error(result, f"{query}: the file is larger than 4 MB")


# ---------------------------------------------------------------- format --check


def test_format_check_names_a_file_it_cannot_read(fixture_root, invoke, tmp_path):
    missing = tmp_path / "missing.ttl"
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    for path, reason in [(missing, "No such file or directory"), (fifo, "not a regular file")]:
        for args in (("--check", str(path)), (str(path),)):
            result = invoke("--root", str(fixture_root), "format", *args)
            assert_one_line_error(result, f"{path}: cannot read file ({reason})")
