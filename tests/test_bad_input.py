"""A corpus of bad and hostile input (tests/fixtures/bad: one small file per case, its expected
message beside it in CASE.expect). Each must give a one-line error naming the file and position,
exit code 2, no traceback, no output file, and no network access (the autouse guard in conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_every_case_has_its_expected_message():
    for case in DATA_CASES + QUERY_CASES:
        assert case.with_suffix(".expect").is_file(), case.name


@pytest.mark.parametrize("case", DATA_CASES, ids=lambda p: p.name)
def test_bad_data_files(case, scratch_root, invoke, tmp_path):
    target = scratch_root / "data" / case.name
    target.write_bytes(case.read_bytes())
    out = tmp_path / "export.ttl"
    result = invoke("--root", str(scratch_root), "export", "-o", str(out))
    assert_clean_failure(result, f"{target}{expected(case)}")
    assert not out.exists()


@pytest.mark.parametrize("command", [("query", "descendants"), ("validate",)], ids=" ".join)
@pytest.mark.parametrize("case", DATA_CASES, ids=lambda p: p.name)
def test_bad_data_files_on_the_fast_path(case, command, scratch_root, invoke):
    """Queries and validation load the sources straight into Oxigraph: same checks, same words."""
    target = scratch_root / "data" / case.name
    target.write_bytes(case.read_bytes())
    result = invoke("--root", str(scratch_root), *command)
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


def test_a_query_that_runs_too_long_stops(invoke):
    result = invoke(
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


def test_malformed_stored_query_header(scratch_root, invoke):
    (scratch_root / "queries" / "broken.rq").write_text(
        "#+ title: Broken\nSELECT * {}\n", encoding="utf-8"
    )
    result = invoke("--root", str(scratch_root), "queries")
    assert_clean_failure(result, "broken.rq: the header has no 'description' line")


def test_interrupted_export_keeps_the_old_file(invoke, tmp_path, monkeypatch):
    from mkgraph import writing

    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(
        writing.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error"))
    )
    result = invoke("export", "-o", str(target))
    assert_clean_failure(result, f"{target}: cannot write: I/O error")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]
