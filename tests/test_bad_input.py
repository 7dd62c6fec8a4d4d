"""A corpus of bad and hostile input (tests/fixtures/bad: one small file per case, its expected
message beside it in CASE.expect). Each must give a one-line error naming the file and position,
exit code 2, no traceback, no output file, and no network access (the autouse guard in conftest)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from servers import mkgraph_command, warm_environment

BAD = Path(__file__).parent / "fixtures" / "bad"
DATA_CASES = sorted(p for p in BAD.iterdir() if p.suffix in (".ttl", ".jsonld", ".rdf"))
QUERY_CASES = sorted(BAD.glob("*.rq"))


def expected(case: Path) -> str:
    return case.with_suffix(".expect").read_text(encoding="utf-8").strip()


def assert_clean_failure(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("mkgraph: error: ")
    assert message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def run_program(*args: str):
    """`mkgraph` as a program, for a command that must hit its time limit: the engines (Oxigraph,
    rudof, pySHACL) cannot be interrupted, so the abandoned thread runs on until the process ends.
    Here that is the program's own exit; in the test process it would run for the rest of the
    run and starve every later test of its worker."""
    done = subprocess.run(
        mkgraph_command(*args),
        capture_output=True,
        text=True,
        timeout=120,
        env=warm_environment(),
    )
    return SimpleNamespace(
        exit_code=done.returncode,
        stdout=done.stdout,
        stderr=done.stderr,
        output=done.stdout + done.stderr,
    )


def test_every_case_has_its_expected_message():
    for case in DATA_CASES + QUERY_CASES:
        assert case.with_suffix(".expect").is_file(), case.name


@pytest.mark.parametrize("case", DATA_CASES, ids=lambda p: p.name)
def test_bad_data_files(case, fixture_root, invoke, tmp_path):
    target = fixture_root / "data" / case.name
    target.write_bytes(case.read_bytes())
    out = tmp_path / "export.ttl"
    result = invoke("--root", str(fixture_root), "export", "-o", str(out))
    assert_clean_failure(result, f"{target}{expected(case)}")
    assert not out.exists()


@pytest.mark.parametrize("command", [("query", "descendants"), ("validate",)], ids=" ".join)
@pytest.mark.parametrize("case", DATA_CASES, ids=lambda p: p.name)
def test_bad_data_files_on_the_fast_path(case, command, fixture_root, invoke):
    """Queries and validation load the sources straight into Oxigraph: same checks, same words."""
    target = fixture_root / "data" / case.name
    target.write_bytes(case.read_bytes())
    result = invoke("--root", str(fixture_root), *command)
    assert_clean_failure(result, f"{target}{expected(case)}")


@pytest.mark.parametrize("case", QUERY_CASES, ids=lambda p: p.name)
def test_bad_queries(case, invoke, tmp_path):
    out = tmp_path / "result.csv"
    result = invoke("query", "--file", str(case), "-o", str(out))
    assert_clean_failure(result, expected(case))
    assert not out.exists()
    inline = invoke("sparql", case.read_text(encoding="utf-8"))
    assert_clean_failure(inline, expected(case))


def test_service_is_allowed_only_to_named_endpoints(invoke):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    refused = invoke("sparql", query)
    assert_clean_failure(refused, "SERVICE <http://127.0.0.1:9/sparql> is refused")
    # With the opt-in the query is sent (to a closed loopback port here), and fails cleanly.
    allowed = invoke("sparql", query, "--allow-service", "http://127.0.0.1:9/sparql")
    assert allowed.exit_code == 2
    assert "is refused" not in allowed.stderr
    assert "Traceback" not in allowed.output


def test_a_query_that_runs_too_long_stops():
    result = run_program(
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        "--timeout",
        "0.5",
    )
    assert_clean_failure(
        result, "the query ran longer than 0.5 s and was stopped (raise the limit with --timeout)"
    )


def test_hostile_parameters(invoke):
    for value in [
        'seL4" } ; DROP ALL ; { "',
        "} UNION { ?s ?p ?o }",
        "a\nb",
        "{}" * 10,
        "<https://example.org/a b>",
    ]:
        assert_clean_failure(invoke("query", "descendants", "-p", f"of={value}"), "no system named")
    huge = "x" * 1_000_000
    assert_clean_failure(
        invoke("query", "descendants", "-p", f"of={huge}"),
        "parameter value is too long (1000000 characters)",
    )


def test_malformed_stored_query_header(fixture_root, invoke):
    (fixture_root / "queries" / "broken.rq").write_text(
        "#+ title: Broken\nSELECT * {}\n", encoding="utf-8"
    )
    result = invoke("--root", str(fixture_root), "queries")
    assert_clean_failure(result, "broken.rq: the header has no 'description' line")


def test_interrupted_export_keeps_the_old_file(invoke, tmp_path, monkeypatch):
    from mkgraph.core import writing

    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(
        writing.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error"))
    )
    result = invoke("export", "-o", str(target))
    assert_clean_failure(result, f"{target}: cannot write: I/O error")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


# ---------------------------------------------------------------- generated cases (issue 11)

IRI_QUERY = (
    "#+ title: Pages\n#+ description: What links to a page.\n"
    "#+ param: page = https://sel4.systems/ (iri) the page\nSELECT ?s WHERE { ?s ?p ?page }\n"
)


@pytest.fixture(scope="module")
def pages_root(tmp_path_factory, bundled):
    """A copy of the fixture root with a stored query that takes an IRI, and the graph of it
    as the command line (engine "auto") and each library engine load it: loaded once for the
    module, since every case below fails on the parameter and changes nothing."""
    from conftest import FIXTURE_DATA

    from mkgraph.api import KnowledgeGraph

    root = tmp_path_factory.mktemp("pages") / "root"
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(bundled.root / name, root / name)
    shutil.copytree(FIXTURE_DATA, root / "data")
    (root / "queries" / "pages.rq").write_text(IRI_QUERY, encoding="utf-8")
    return {
        engine: KnowledgeGraph(root, engine=engine) for engine in ("auto", "oxigraph", "rdflib")
    }


@pytest.mark.parametrize("value", ["<foo>", "<#x>", "<//host/x>", "<a:b c>", "foo"])
def test_a_relative_iri_parameter_is_a_clean_error(value, pages_root):
    from commands import invoke_on

    from mkgraph.core.errors import ParameterError

    result = invoke_on(pages_root["auto"], "query", "pages", "-p", f"page={value}")
    assert_clean_failure(result, f"{value!r} is not")
    for engine in ("oxigraph", "rdflib"):  # the library answers in the same words
        with pytest.raises(ParameterError, match="is not"):
            pages_root[engine].query("pages", {"page": value})


def test_a_parameter_that_is_not_utf8_is_a_clean_error(invoke):
    # The command line hands undecodable bytes to Python as lone surrogates (PEP 383).
    undecodable = b"se\xffL4".decode("utf-8", "surrogateescape")
    result = invoke("query", "descendants", "-p", f"of={undecodable}")
    assert_clean_failure(result, "parameter 'of': the value is not UTF-8 text")
    result = invoke("sparql", f"SELECT * WHERE {{ ?s ?p '{undecodable}' }}")
    assert_clean_failure(result, "query: the query is not UTF-8 text")


def test_a_lineage_chain_longer_than_the_recursion_limit(small_root):
    """Deep enough to exhaust Python's stack if any step recursed once per generation: 500
    generations past the interpreter's recursion limit (1,500 by default; 5,000 took three times
    as long and proves no more)."""

    length = sys.getrecursionlimit() + 500
    lines = [
        "PREFIX mk: <https://w3id.org/mkgraph/ontology#>",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
        "PREFIX c: <https://example.org/chain/>",
    ]
    for index in range(length):
        parent = f" ; mk:basedOn c:n{index - 1}" if index else ""
        lines.append(f'c:n{index} a mk:Microkernel ; rdfs:label "Link{index}"{parent} .')
    (small_root / "data" / "chain.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import json

    from commands import invoke_on

    from mkgraph.api import KnowledgeGraph
    from mkgraph.views.lineage import render_tree

    kg = KnowledgeGraph(small_root)  # loaded once; the commands below are handed it
    result = invoke_on(kg, "lineage", "Link0", "-f", "json")
    assert result.exit_code == 0, result.output[-300:]
    drawn = json.loads(result.stdout)
    assert len(drawn["nodes"]) == length and len(drawn["links"]) == length - 1
    last = f"Link{length - 1}"
    ancestors = render_tree(kg.lineage(last, "ancestors"), ascii_only=True).splitlines()
    assert len(ancestors) == length and ancestors[-1].endswith("`-- Link1 is based on Link0")
    result = invoke_on(kg, "lineage", "Link0", "--depth", "3")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].endswith("Link3 is based on Link2")


def _assert_timed_out(result, seconds: float) -> None:
    assert_clean_failure(
        result,
        f"validation ran longer than {seconds:g} s and was stopped (raise the limit with --timeout)",
    )


def test_validate_stops_a_heavy_violation_query(small_root):
    (small_root / "data" / "x.ttl").write_text(
        "<https://example.org/x> <https://example.org/p> 1 .\n", encoding="utf-8"
    )
    (small_root / "queries" / "heavy-violation.rq").write_text(
        "#+ title: Heavy\n#+ description: A product that does not end in time.\n"
        "SELECT ?s WHERE { ?s ?p ?o . ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER(STR(?o) = CONCAT(STR(?c), STR(?f), STR(?i), 'x')) }\n",
        encoding="utf-8",
    )
    _assert_timed_out(run_program("--root", str(small_root), "validate", "--timeout", "1"), 1)


@pytest.mark.parametrize("validator", ["rudof", "pyshacl"])
def test_validate_stops_a_heavy_sparql_shape(validator, small_root):
    (small_root / "data" / "x.ttl").write_text(
        "<https://example.org/x> <https://example.org/p> 1 .\n", encoding="utf-8"
    )
    (small_root / "shapes" / "heavy.ttl").write_text(
        "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
        "<https://example.org/Heavy> a sh:NodeShape ; sh:targetNode <https://example.org/x> ;\n"
        '  sh:sparql [ a sh:SPARQLConstraint ; sh:message "heavy" ; sh:select """SELECT $this '
        "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l "
        'FILTER (STR(?c) = CONCAT(STR(?f), STR(?i), STR(?l), \'x\')) }""" ] .\n',
        encoding="utf-8",
    )
    result = run_program(
        "--root", str(small_root), "validate", "--validator", validator, "--timeout", "2"
    )
    _assert_timed_out(result, 2)


def test_a_cyclic_list_in_the_shapes_is_a_clean_error(small_root, invoke):
    shapes = small_root / "shapes" / "cyclic.ttl"
    shapes.write_text(
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
        "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
        "<https://example.org/S> a sh:NodeShape ; sh:targetClass <https://example.org/C> ;\n"
        "  sh:property [ sh:path <https://example.org/p> ; sh:in _:l ] .\n"
        '_:l rdf:first "a" ; rdf:rest _:m .\n_:m rdf:first "b" ; rdf:rest _:l .\n',
        encoding="utf-8",
    )
    for validator in ("rudof", "pyshacl"):
        result = invoke("--root", str(small_root), "validate", "--validator", validator)
        assert_clean_failure(result, f"{shapes}: an RDF list's rdf:rest chain loops back on itself")
