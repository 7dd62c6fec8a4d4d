"""Stored queries: headers, parameters bound as terms (on the fixture graph, tests/fixtures/root),
and golden answers from the bundled data (marked bundled_data)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Literal, URIRef

from mkgraph.core.errors import ParameterError, QueryError, UnknownNameError
from mkgraph.core.resources import locate
from mkgraph.store import engine
from mkgraph.store.queries import list_stored_queries, parse_stored_query

SYS = "https://w3id.org/mkgraph/system/"
QUERIES = list_stored_queries(locate().queries)
ANSWERS = [q for q in QUERIES if not q.is_violation_check]
CHECKS = [q for q in QUERIES if q.is_violation_check]


def names(result, column="name"):
    index = result.variables.index(column)
    return {str(row[index]) for row in result.rows}


def test_at_least_twelve_questions_and_some_checks():
    assert len(ANSWERS) >= 12
    assert {"unsourced-fact-violation", "lineage-depth-violation"} <= {q.name for q in CHECKS}


@pytest.mark.parametrize("stored", QUERIES, ids=lambda q: q.name)
def test_every_stored_query_is_documented_and_parses(stored):
    assert stored.title and stored.description
    engine.prepare(stored.text, str(stored.path))


@pytest.mark.bundled_data
@pytest.mark.parametrize("stored", ANSWERS, ids=lambda q: q.name)
def test_every_question_returns_rows(stored, kg):
    result = kg.query(stored.name)
    assert result.rows, f"{stored.name} returned nothing"


@pytest.mark.bundled_data
@pytest.mark.parametrize("stored", CHECKS, ids=lambda q: q.name)
def test_every_check_passes_on_the_bundled_data(stored, kg):
    assert kg.query(stored.name).rows == []


@pytest.mark.bundled_data
def test_descendants_of_sel4(kg):
    result = kg.query("descendants", {"of": "seL4"})
    found = names(result)
    assert {"LionsOS", "Robigalia", "UX/RT", "Helios", "Ares"} <= found
    paths = {str(row[2]) for row in result.rows}
    assert "Ares → based on → Helios → inspired by → seL4" in paths
    assert "LionsOS → based on → seL4" in paths
    # Ares is based on Helios and, since 2025, on Hermes (derived from Helios, inspired by seL4):
    # every chain is listed (a link that has ended would be too: lineage is descent)
    assert "Ares → based on → Hermes → inspired by → seL4" in paths
    assert "Ares → based on → Hermes → derived from → Helios → inspired by → seL4" in paths
    depths = sorted(int(r[1]) for r in result.rows if str(r[0]) == "Ares")
    assert depths == [2, 2, 3]


def test_descendants_is_the_transitive_closure(fixture_kg):
    kg = fixture_kg
    """The depth-bounded query gives exactly what a property path gives."""
    closure = kg.sparql(
        "SELECT DISTINCT ?name WHERE { ?d (mk:basedOn|mk:derivedFrom|mk:inspiredBy|mk:reimplements)+ sys:sel4 ."
        " ?d rdfs:label ?name }"
    )
    assert names(kg.query("descendants", {"of": "sel4"})) == names(closure)


@pytest.mark.bundled_data
def test_ancestors_of_ares(kg):
    result = kg.query("ancestors", {"of": "Ares"})
    nearest: dict[str, int] = {}
    for name, depth, _path in result.rows:
        nearest.setdefault(str(name), int(depth))  # rows come nearest first
    # Helios, and Hermes since 2025
    assert nearest == {"Helios": 1, "Hermes": 1, "seL4": 2, "L4": 3, "L3": 4}
    assert len(result.rows) == 12  # every chain: four through Helios, eight through Hermes


@pytest.mark.bundled_data
def test_hedron_derives_from_nova(kg):
    result = kg.query("lineage-edges")
    edges = {(str(r[0]), str(r[1]), str(r[2])) for r in result.rows}
    assert ("Hedron", "derived from", "NOVA") in edges
    assert ("LionsOS", "based on", "seL4") in edges


@pytest.mark.bundled_data
def test_rust_projects(kg):
    listed = {
        str(r[0])
        for r in kg.query("by-language", {"language": "rust"}).rows
        if r[1] == Literal(True)
    }
    assert {"Redox", "Tock", "RedLeaf", "Robigalia", "M³"} <= listed
    assert "MINIX 3" not in listed


@pytest.mark.bundled_data
def test_rust_on_risc_v(kg):
    found = names(
        kg.query("language-and-architecture", {"language": "Rust", "architecture": "riscv"})
    )
    assert {"Tock", "Redox"} <= found
    assert "Genode" not in found


@pytest.mark.bundled_data
def test_architecture_includes_narrower_ones(kg):
    arm = names(kg.query("by-architecture", {"architecture": "ARM"}))
    assert {"Tock", "CMRX", "seL4"} <= arm  # Cortex-M, Cortex-M and AArch64 systems


@pytest.mark.bundled_data
def test_traits(kg):
    assert "seL4" in names(kg.query("formally-verified"))
    assert "Muen" in names(kg.query("formally-verified"))
    assert {"seL4", "Fuchsia", "Genode"} <= names(kg.query("capability-based"))
    assert {"CMRX", "F9"} <= names(kg.query("real-time"))
    assert {"NOVA", "Hedron"} <= names(kg.query("hypervisors"))
    assert {"Redox", "MINIX 3", "Escape"} <= names(kg.query("unix-like"))


@pytest.mark.bundled_data
def test_projects_lists_all_28(kg):
    result = kg.query("projects")
    assert len(result.rows) == 28
    seL4 = next(r for r in result.rows if str(r[0]) == "seL4")
    assert set(str(seL4[1]).split(", ")) == {"C", "Assembly"}
    assert str(seL4[3]) == "https://sel4.systems"


@pytest.mark.bundled_data
def test_statistics(kg):
    stats = {str(r[0]): int(r[1]) for r in kg.query("statistics").rows}
    assert stats["listed projects"] == 28
    assert stats["systems mentioned but not listed"] >= 10
    assert stats["lineage links"] >= 30


# ---------------------------------------------------------------- parameters


def test_parameter_names_are_matched_case_insensitively_and_by_other_names(fixture_kg):
    kg = fixture_kg
    for spelling in ("sel4", "SEL4", "sys:sel4", f"<{SYS}sel4>"):
        assert names(kg.query("ancestors", {"of": "ares"})) == {"Helios", "seL4", "L4", "L3"}
        assert "Ares" in names(kg.query("descendants", {"of": spelling}))
    assert "L4/x86" in [
        str(o)
        for o in kg.graph.objects(
            URIRef(SYS + "l4"), URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
        )
    ]
    assert names(kg.query("ancestors", {"of": "l4/X86"})) == {"L3"}  # another name
    assert names(kg.query("ancestors", {"of": "l4ka-pistachio"})) == {"L4", "L3"}  # the IRI's


def test_unknown_name_suggests_close_matches(fixture_kg):
    kg = fixture_kg
    with pytest.raises(
        UnknownNameError, match=r"no system named 'seL5' in the graph; did you mean seL4"
    ):
        kg.query("descendants", {"of": "seL5"})


def test_unknown_parameter_and_query(fixture_kg):
    kg = fixture_kg
    with pytest.raises(
        UnknownNameError, match=r"query 'descendants' has no parameter 'off' \(its parameters: of\)"
    ):
        kg.query("descendants", {"off": "seL4"})
    with pytest.raises(
        UnknownNameError, match=r"no stored query named 'descendant'; did you mean descendants"
    ):
        kg.query("descendant")


@pytest.mark.parametrize(
    "hostile",
    [
        'seL4" } ; DROP ALL ; { "',
        "} UNION { ?s ?p ?o }",
        "seL4\n} LIMIT 1",
        "x" * 3000,
    ],
)
def test_hostile_values_never_change_the_query(hostile, fixture_kg):
    kg = fixture_kg
    with pytest.raises((UnknownNameError, ParameterError)):
        kg.query("descendants", {"of": hostile})


def test_string_parameters_are_bound_as_literals(fixture_kg, tmp_path):
    kg = fixture_kg
    query = tmp_path / "q.rq"
    query.write_text(
        "#+ title: Echo\n#+ description: Gives back its parameter.\n"
        "#+ param: text = hello (string) any text\n"
        "SELECT ?text WHERE {}\n",
        encoding="utf-8",
    )
    stored = parse_stored_query(query)
    hostile = '" } ; DROP ALL ; SELECT * WHERE { "'
    bound = kg.bindings(stored, {"text": hostile})
    result = engine.run(kg.graph, stored.text, bound)
    assert result.rows == [(Literal(hostile),)]


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "header, message",
    [
        ("#+ description: no title\nSELECT * {}", "the header has no 'title' line"),
        ("#+ title: t\n#+ description: d\n#+ param: of seL4\nSELECT * {}", "malformed parameter"),
        (
            "#+ title: t\n#+ description: d\n#+ param: of = x (planet) text\nSELECT * {}",
            "unknown parameter kind 'planet'",
        ),
        (
            "#+ title: t\n#+ description: d\n#+ colour: red\nSELECT * {}",
            "unknown header field 'colour'",
        ),
        ("#+title t\nSELECT * {}", "malformed header line"),
    ],
)
def test_malformed_headers_fail(header, message, tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text(header, encoding="utf-8")
    with pytest.raises(QueryError, match=message):
        parse_stored_query(path)


@pytest.fixture
def query(fixture_kg, invoke):
    """`mkgraph --root FIXTURE query ...`, handed the session's fixture graph."""

    def run(*args):
        return invoke("--root", str(fixture_kg.resources.root), "query", *args)

    return run


def test_machine_formats_follow_the_w3c_results_formats(query):
    data = json.loads(query("ancestors", "-p", "of=Ares", "-f", "json").output)
    assert data["head"]["vars"] == ["name", "depth", "path"]
    first = data["results"]["bindings"][0]
    assert first["name"] == {"type": "literal", "value": "Helios"}
    assert first["depth"] == {
        "type": "literal",
        "value": "1",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    uri = json.loads(query("lineage-edges", "-f", "json").output)["results"]["bindings"][0]
    assert uri["systemIri"]["type"] == "uri" and uri["systemIri"]["value"].startswith(SYS)
    rows = list(csv.reader(io.StringIO(query("ancestors", "-p", "of=Ares", "-f", "csv").output)))
    assert rows[0] == ["name", "depth", "path"]
    assert rows[1][:2] == ["Helios", "1"]
    tsv = query("ancestors", "-p", "of=Ares", "-f", "tsv").output.splitlines()
    assert tsv[0] == "?name\t?depth\t?path"
    assert tsv[1] == '"Helios"\t1\t"Ares → based on → Helios"'
    xml = query("ancestors", "-p", "of=Ares", "-f", "xml").output
    assert "http://www.w3.org/2005/sparql-results#" in xml and "<literal>Helios</literal>" in xml
    md = query("ancestors", "-p", "of=Ares", "-f", "markdown").output.splitlines()
    assert md[0] == "| name | depth | path |"
    assert md[2].startswith("| Helios | 1 |")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "markdown", "table"])
def test_both_engines_write_every_format(fmt, query):
    """The Oxigraph path (default) and the rdflib path (--inferred) both write each format."""
    fast = query("ancestors", "-p", "of=Ares", "-f", fmt)
    inferred = query("ancestors", "-p", "of=Ares", "-f", fmt, "--inferred")
    assert fast.exit_code == 0 and inferred.exit_code == 0
    assert "Helios" in fast.output and "Helios" in inferred.output
    if fmt == "json":
        assert json.loads(fast.output) == json.loads(inferred.output)
    elif fmt in ("csv", "tsv", "markdown", "table"):
        assert fast.output == inferred.output
