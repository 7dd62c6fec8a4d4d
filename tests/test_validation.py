"""Validation: the bundled graph conforms, and every constraint fires on a small broken fixture.

Each file in fixtures/shapes/ is a small graph built on `valid.ttl`, with one thing broken; its
second line says which message validation must give (`# expect: ...`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fuzzing import examples
from servers import recording_server

SHAPE_FIXTURES = sorted((Path(__file__).parent / "fixtures" / "shapes").glob("*.ttl"))


def expectation(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        if line.startswith("# expect:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path.name} has no '# expect:' line")


@pytest.mark.bundled_data
def test_bundled_graph_conforms(invoke):
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "The graph conforms: no problems found."


def test_report_as_json_and_turtle(fixture_kg, invoke):
    root = ("--root", str(fixture_kg.resources.root))
    data = json.loads(invoke(*root, "validate", "--format", "json").output)
    assert data == {"conforms": True, "problems": []}
    turtle = invoke(*root, "validate", "--format", "turtle").output
    assert "sh:conforms true" in turtle


@pytest.mark.parametrize("fixture", SHAPE_FIXTURES, ids=lambda p: p.stem)
def test_each_constraint_fires_alike_in_both_validators(fixture, small_root, kept_parses):
    """One small graph per constraint. `mkgraph validate` names the problem (exit 1) or finds none
    (exit 0); rudof (the default) and pySHACL (the reference) find the same problems. One test a
    fixture: one copy of the root, loaded once, and the command and the two validators read that
    loaded graph (`invoke_on`); rdflib's parse of the files every fixture's root shares is
    kept for the module (`kept_parses`). (Validating in pieces is checked on every fixture in
    test_validation_incremental.py.)"""
    from commands import invoke_on

    from mkgraph.api import KnowledgeGraph

    shutil.copy(fixture, small_root / "data" / fixture.name)
    expected = expectation(fixture)
    kg = KnowledgeGraph(small_root)
    result = invoke_on(kg, "validate")
    assert "Traceback" not in result.output
    if expected == "conforms":
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1, result.output
        assert expected in result.output

    reports = {"rudof": kg.validate(), "pyshacl": kg.validate(validator="pyshacl")}
    # The JSON report (what `validate -f json` prints). Blank-node ids differ between the engines;
    # the resource's name and the words do not.
    problems = {
        validator: sorted(
            (
                "blank" if ":" not in p["focus"].removeprefix("_:") else p["focus_label"],
                p["message"],
                p["path"],
                p["value"],
                p["severity"],
            )
            for p in json.loads(report.as_json())["problems"]
        )
        for validator, report in reports.items()
    }
    assert problems["rudof"] == problems["pyshacl"]
    assert bool(problems["rudof"]) == (expected != "conforms")


def test_report_is_grouped_by_resource_and_names_the_resource(small_root, invoke):
    shutil.copy(SHAPE_FIXTURES[0].parent / "fact-without-source.ttl", small_root / "data")
    result = invoke("--root", str(small_root), "validate")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "TestOS:" in lines
    assert any(
        "states a fact with no source: supportsArchitecture x86-64" in line for line in lines
    )
    assert lines[-1].startswith("1 violation")


def test_json_report_lists_the_problem(small_root, invoke):
    shutil.copy(SHAPE_FIXTURES[0].parent / "lineage-cycle.ttl", small_root / "data")
    result = invoke("--root", str(small_root), "validate", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False
    focus = {p["focus_label"] for p in report["problems"]}
    assert focus == {"TestOS", "ParentOS"}


@pytest.mark.parametrize(
    "shapes, detail",
    [
        ("<urn:a> <urn:b> <urn:c> .\n", "no sh:NodeShape or sh:PropertyShape found"),
        (
            "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
            "<urn:s> a sh:NodeShape ; sh:targetClass <https://w3id.org/mkgraph/ontology#System> ;\n"
            "    sh:property [ sh:minCount 1 ] .\n",
            "not a well-formed SHACL PropertyShape",
        ),
    ],
    ids=["no-shapes", "property-without-path"],
)
@pytest.mark.parametrize("validator", ["rudof", "pyshacl"])
def test_shapes_that_are_not_shacl_exit_2(shapes, detail, validator, small_root, invoke):
    (small_root / "shapes" / "mkgraph-shapes.ttl").write_text(shapes, encoding="utf-8")
    shutil.copy(SHAPE_FIXTURES[0].parent / "valid.ttl", small_root / "data")
    result = invoke("--root", str(small_root), "validate", "--validator", validator)
    assert result.exit_code == 2
    assert result.stderr.startswith("mkgraph: error: the shapes are not usable SHACL")
    assert detail in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_rudof_fetches_nothing_the_graphs_point_at(small_root, invoke):
    """rudof is Rust code (the no-network guard sees only Python sockets): owl:imports and
    sh:shapesGraph links to a loopback server must not be followed."""
    with recording_server(404) as (here, hits):
        shapes = small_root / "shapes" / "mkgraph-shapes.ttl"
        shapes.write_text(
            shapes.read_text(encoding="utf-8") + f"\n<urn:s> "
            f"<http://www.w3.org/2002/07/owl#imports> <{here}/shapes> .\n",
            encoding="utf-8",
        )
        shutil.copy(SHAPE_FIXTURES[0].parent / "valid.ttl", small_root / "data")
        (small_root / "data" / "links.ttl").write_text(
            f"<urn:g> <http://www.w3.org/2002/07/owl#imports> <{here}/data> ;\n"
            f"    <http://www.w3.org/ns/shacl#shapesGraph> <{here}/more-shapes> .\n",
            encoding="utf-8",
        )
        result = invoke("--root", str(small_root), "validate")
    assert result.exit_code == 0, result.output
    assert hits == []


def test_rudof_knows_no_endpoint():
    """rudof's own defaults name six public SPARQL endpoints and build an HTTPS client for each
    every time data is read, loading every trusted certificate of the machine (0.14 s of CPU a
    read); mkgraph's configuration names none."""
    from mkgraph.checks import shacl

    shapes = (
        "<urn:s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://www.w3.org/ns/shacl#NodeShape> .\n"
    )
    rudof = shacl.Rudof(shapes)
    assert rudof.findings("<urn:a> <urn:b> <urn:c> .\n") == []
    assert rudof._rudof.list_endpoints() == []


def test_rudof_runs_without_importing_importlib_metadata():
    """pyrudof's package imports importlib.metadata for its version (0.04-0.1 s of a validate's
    CPU): mkgraph loads its compiled module alone, in a new process, and pyrudof imported after
    that is the same module."""
    import subprocess
    import sys

    program = (
        "import sys\n"
        "from mkgraph.checks import shacl\n"
        "rudof = shacl.Rudof('<urn:s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://www.w3.org/ns/shacl#NodeShape> .\\n')\n"
        "assert rudof.findings('<urn:a> <urn:b> <urn:c> .\\n') == []\n"
        "print(sorted(m for m in ('importlib.metadata', 'pyrudof') if m in sys.modules))\n"
        "import pyrudof\n"
        "print(pyrudof.Rudof is shacl._pyrudof().Rudof, pyrudof.__version__ != '')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True True"]


def _on_cycle_by_search(edges, node) -> bool:
    """The definition, slowly: the node reaches itself through one or more links."""
    successors = {}
    for child, parent in edges:
        successors.setdefault(child, set()).add(parent)
    seen, frontier = set(), list(successors.get(node, ()))
    while frontier:
        current = frontier.pop()
        if current == node:
            return True
        if current not in seen:
            seen.add(current)
            frontier.extend(successors.get(current, ()))
    return False


@pytest.mark.parametrize(
    "edges, expected",
    [
        ([("a", "b"), ("b", "c")], set()),
        ([("a", "b"), ("b", "a")], {"a", "b"}),
        ([("a", "a")], {"a"}),
        ([("x", "a"), ("a", "b"), ("b", "a"), ("b", "y")], {"a", "b"}),
        (
            [("a", "b"), ("b", "a"), ("b", "m"), ("m", "c"), ("c", "d"), ("d", "c")],
            {"a", "b", "c", "d"},
        ),
    ],
)
def test_lineage_cycles(edges, expected):
    from mkgraph.checks.cycles import lineage_cycles

    assert lineage_cycles(edges) == expected


def test_lineage_cycles_match_the_definition():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from mkgraph.checks.cycles import lineage_cycles

    nodes = st.sampled_from("abcdefgh")

    @settings(max_examples=examples(60), deadline=None)
    @given(st.lists(st.tuples(nodes, nodes), max_size=14))
    def check(edges):
        everyone = {n for edge in edges for n in edge}
        assert lineage_cycles(edges) == {n for n in everyone if _on_cycle_by_search(edges, n)}

    check()


def test_a_long_chain_does_not_hit_the_recursion_limit():
    from mkgraph.checks.cycles import lineage_cycles

    chain = [(f"s{i}", f"s{i + 1}") for i in range(50_000)]
    assert lineage_cycles(chain) == set()
    assert lineage_cycles(chain + [("s50000", "s0")]) == {f"s{i}" for i in range(50_001)}


def test_pieces_are_whole_subjects_with_their_values_types(fixture_kg):
    from mkgraph.checks import chunking

    units = chunking.units(fixture_kg.store)
    seen: set[str] = set()
    pieces = list(chunking.pieces(units, sorted(units.own), 500))
    assert len(pieces) > 2
    for subjects, text in pieces:
        assert not subjects & seen  # each subject in exactly one piece
        seen |= subjects
        assert "<http://www.w3.org/2000/01/rdf-schema#subClassOf>" in text
        lines = set(text.splitlines())
        for subject in subjects:
            assert set(units.own[subject]) <= lines
            assert set(units.value_types(subject)) <= lines
    assert seen == set(units.own)
    assert "https://w3id.org/mkgraph/system/sel4" in seen


@pytest.mark.parametrize(
    "extra, local",
    [
        ("", True),
        ("mksh:S sh:property [ sh:path [ sh:inversePath mk:basedOn ] ; sh:maxCount 3 ] .", False),
        ("mksh:S sh:targetObjectsOf mk:basedOn ; sh:class mk:System .", False),
        ("mksh:S sh:node mksh:Other .", False),
        # shapes checked against a property's values may look at the values' types, not at
        # their own triples (which sit in another piece)
        (
            "mksh:S sh:property [ sh:path mk:basedOn ;"
            " sh:or ( [ sh:class mk:System ] [ sh:nodeKind sh:Literal ] ) ] .",
            True,
        ),
        (
            "mksh:S sh:or ( [ sh:path rdfs:label ; sh:minCount 1 ]"
            " [ sh:path skos:altLabel ; sh:minCount 1 ] ) .",
            True,
        ),
        (
            "mksh:S sh:property [ sh:path mk:basedOn ;"
            " sh:or ( [ sh:path rdfs:label ; sh:minCount 1 ] [ sh:class mk:System ] ) ] .",
            False,
        ),
        (
            "mksh:S sh:property [ sh:path mk:basedOn ;"
            " sh:property [ sh:path rdfs:label ; sh:minCount 1 ] ] .",
            False,
        ),
        ("mksh:S sh:property [ sh:path mk:basedOn ; sh:not [ sh:closed true ] ] .", False),
        (
            "mksh:S sh:property [ sh:path mk:basedOn ; sh:and ( [ sh:not [ sh:xone ("
            " [ sh:equals mk:inspiredBy ] ) ] ] ) ] .",
            False,
        ),
    ],
)
def test_only_local_shapes_are_checked_in_pieces(extra, local, bundled):
    import pyoxigraph as ox

    from mkgraph.checks.shacl import shapes_are_local

    text = (bundled.shapes / "mkgraph-shapes.ttl").read_text(encoding="utf-8") + "\n" + extra
    triples = ox.parse(text, format=ox.RdfFormat.TURTLE)

    def plain(term):
        return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value

    assert (
        shapes_are_local([(plain(q.subject), q.predicate.value, plain(q.object)) for q in triples])
        is local
    )


def test_pieces_handle_blank_node_values(small_root, tmp_path):
    """A blank node as a value (an organisation written inline) is checked as a value in one
    piece and as a focus node in its own, never reported twice or wrongly."""
    import pyoxigraph as ox

    from mkgraph.api import KnowledgeGraph
    from mkgraph.checks import incremental, shacl
    from mkgraph.core.resources import locate
    from mkgraph.store import fastload

    valid = (SHAPE_FIXTURES[0].parent / "valid.ttl").read_text(encoding="utf-8")
    (small_root / "data" / "valid.ttl").write_text(
        valid
        + """
sys:testos mk:developedBy [ a mk:Organisation ] .
""",
        encoding="utf-8",
    )
    store = fastload.load_store(KnowledgeGraph(small_root).source_snapshot)
    shapes, _local = shacl.read_shapes(locate(small_root))
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode()

    def found(problems):
        return sorted((p.focus, p.message, p.path) for p in problems)

    whole = shacl.rudof_problems(text, shapes, str)
    pieces = incremental.rudof_problems(store, shapes, str, 40, tmp_path)
    assert found(pieces) == found(whole)
    assert any(p.focus.startswith("_:") for p in whole)  # the inline organisation has no name


FUTURE_DATE_PROPERTIES = [
    "startYear",
    "firstAppeared",
    "firstCommit",
    "announced",
    "firstRelease",
    "openSourced",
    "validFrom",
    "levelSince",
    "latestActivity",
    "readOn",
    "copyTakenOn",
]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_future_dates_follow_the_calendar(engine, small_root):
    """The future-date check compares with today, not a year written into the shapes: for every
    dated property, this year and today pass, next year and tomorrow are reported, on both
    engines. (The shapes once allowed years up to 2026 only, which would have failed every
    2027 date.)"""
    import datetime

    from mkgraph.api import KnowledgeGraph

    today = datetime.datetime.now(datetime.timezone.utc).date()
    tomorrow = today + datetime.timedelta(days=1)
    values = {
        "this-year": f'"{today.year}"^^xsd:gYear',
        "today": f'"{today.isoformat()}"^^xsd:date',
        "next-year": f'"{today.year + 1}"^^xsd:gYear',
        "tomorrow": f'"{tomorrow.isoformat()}"^^xsd:date',
        "far-future": f'"{today.year + 900}"^^xsd:gYear',
    }
    lines = [
        "@prefix mk: <https://w3id.org/mkgraph/ontology#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for prop in FUTURE_DATE_PROPERTIES:
        for case, value in values.items():
            lines.append(f"<urn:x:{prop}-{case}> mk:{prop} {value} .")
    (small_root / "data" / "dates.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = KnowledgeGraph(small_root, engine=engine).query("future-date-violation").rows
    reported = sorted(str(row[0]).removeprefix("urn:x:") for row in rows)
    expected = sorted(
        f"{prop}-{case}"
        for prop in FUTURE_DATE_PROPERTIES
        for case in ("next-year", "tomorrow", "far-future")
    )
    assert reported == expected
    assert all(f"is in the future (today is {today.isoformat()})" in str(row[3]) for row in rows)
