"""Validation after a change (mkgraph.checks.incremental): rudof checks only the subjects whose
part of the graph changed, and the report is exactly the one validating the whole graph gives,
on every shape fixture and after generated changes to facts, types, the class hierarchy and the
shapes."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest
from fuzzing import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from mkgraph.api import KnowledgeGraph
from mkgraph.checks import incremental, shacl
from mkgraph.checks.report import Problem
from mkgraph.core.resources import locate
from mkgraph.store import fastload, lookup

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPE_FIXTURES = sorted(FIXTURES.glob("*.ttl"))
MK = "https://w3id.org/mkgraph/ontology#"
SYS = "https://w3id.org/mkgraph/system/"
LANG = "https://w3id.org/mkgraph/language/"
ARCH = "https://w3id.org/mkgraph/architecture/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUB_CLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"


def _labeller(store: ox.Store):
    return lambda resource: lookup.store_label(store, resource)


def _rows(problems) -> list[tuple]:
    """Every field of every problem (names and RDF terms), as a sorted list with repeats."""
    rows = [dataclasses.astuple(p) for p in problems]
    return sorted(rows, key=lambda row: [(field is None, field or "") for field in row])


def whole(store: ox.Store, shapes: str) -> list[tuple]:
    """rudof on the whole graph at once: the reference."""
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode()
    return _rows(shacl.rudof_problems(text, shapes, _labeller(store)))


def remembered(store: ox.Store, shapes: str, folder: Path | None, size: int = 60) -> list[tuple]:
    return _rows(incremental.rudof_problems(store, shapes, _labeller(store), size, folder))


def _shapes_of(root: Path) -> str:
    return shacl.read_shapes(locate(root))[0]


def _load(root: Path) -> ox.Store:
    return fastload.load_store(KnowledgeGraph(root).source_snapshot)


def _shapes(text: str) -> str:
    triples = [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


BUNDLED_SHAPES = (locate().shapes / "mkgraph-shapes.ttl").read_text(encoding="utf-8")
# The bundled shapes and changed ones: a stricter constraint, a new shape, a changed class.
SHAPE_TEXTS = [
    BUNDLED_SHAPES,
    BUNDLED_SHAPES.replace("sh:minLength 20 ;", "sh:minLength 2000 ;"),
    BUNDLED_SHAPES
    + """
mksh:Extra a sh:NodeShape ; sh:targetClass mk:ProgrammingLanguage ;
    sh:property [ sh:path rdfs:comment ; sh:minCount 1 ; sh:message "a language needs a comment" ] .
""",
    BUNDLED_SHAPES.replace("sh:class mk:ProgrammingLanguage ;", "sh:class mk:Architecture ;"),
]


@pytest.fixture(scope="module")
def shape_variants() -> list[str]:
    """Each variant parsed once (its blank nodes then keep their names from run to run)."""
    return [_shapes(text) for text in SHAPE_TEXTS]


def _shared_rudof() -> type:
    """A stand-in for shacl.Rudof in a test that validates many graphs: one rudof session per
    shapes text, and rudof's findings remembered per (shapes, set of triples). rudof reads a
    graph as a set of triples, so a graph handed over again (validated whole, then as one piece
    holding every subject) is answered from the first time; a graph not seen before (a piece
    of a few subjects) is always checked by rudof. Its memory lasts as long as the class."""
    sessions: dict[str, shacl.Rudof] = {}
    found: dict[tuple[str, frozenset[str]], list[shacl.Finding]] = {}
    make = shacl.Rudof

    class SharedRudof:
        def __init__(self, shapes_ntriples: str):
            self._shapes = shapes_ntriples
            if shapes_ntriples not in sessions:
                sessions[shapes_ntriples] = make(shapes_ntriples)

        def findings(self, data_ntriples: str) -> list[shacl.Finding]:
            key = (self._shapes, frozenset(data_ntriples.splitlines()))
            if key not in found:
                found[key] = sessions[self._shapes].findings(data_ntriples)
            return found[key]

    return SharedRudof


@pytest.fixture(scope="module")
def rudof_memory() -> type:
    return _shared_rudof()


@pytest.fixture
def shared_rudof(rudof_memory):
    """rudof's sessions and findings shared by this module's tests that ask (_shared_rudof)."""
    with mock.patch.object(shacl, "Rudof", rudof_memory):
        yield


def test_every_fixture_is_reported_as_whole_validation_reports_it(
    small_root, tmp_path, shared_rudof
):
    """One folder of remembered findings across all fixtures: each fixture's own subjects are
    checked fresh, the shared vocabulary is remembered from the fixture before; then again with
    everything remembered, and rudof is not run at all; then with nothing remembered, the graph
    as one piece. (The vocabularies are parsed once: each fixture's graph is loaded with the
    parses remembered, mkgraph.store.parsecache, which gives the very same triples.)"""
    shapes, local = shacl.read_shapes(locate(small_root))
    assert local
    folder = tmp_path / "remembered"
    parsed = tmp_path / "parsed"
    for fixture in SHAPE_FIXTURES:
        target = small_root / "data" / fixture.name
        shutil.copy(fixture, target)
        store = fastload.load_store(KnowledgeGraph(small_root).source_snapshot, parsed)
        expected = whole(store, shapes)
        assert remembered(store, shapes, folder) == expected, fixture.name
        with mock.patch.object(shacl.Rudof, "findings", side_effect=AssertionError("rudof ran")):
            assert remembered(store, shapes, folder) == expected, fixture.name
        assert remembered(store, shapes, None, size=10**9) == expected, fixture.name
        target.unlink()


def test_the_report_comes_in_the_same_order_as_whole_validation_gives_it(small_root, tmp_path):
    """rudof lists a subject's findings in an order of its own that varies from run to run; the
    report sorts them, so a remembered subject's problems come out exactly as validating the
    whole graph lists them (here TestOS has several)."""
    valid = (FIXTURES / "valid.ttl").read_text(encoding="utf-8")
    (small_root / "data" / "valid.ttl").write_text(
        valid + f'\n<{SYS}testos> <{MK}startYear> "3000"^^<{GYEAR}> , "1066"^^<{GYEAR}> .\n',
        encoding="utf-8",
    )
    shapes, _local = shacl.read_shapes(locate(small_root))
    store = _load(small_root)
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode()
    reference = shacl.rudof_problems(text, shapes, _labeller(store))
    assert len({p.focus for p in reference}) < len(reference)  # a focus node with several
    folder = tmp_path / "remembered"
    for _ in range(3):
        found = incremental.rudof_problems(store, shapes, _labeller(store), 60, folder)
        assert found == reference
        assert shacl.rudof_problems(text, shapes, _labeller(store)) == reference


@st.composite
def changes(draw):
    """A change to the graph: a fact added, removed or altered, a node's class changed, a class
    hierarchy link added or removed, or other shapes."""
    nodes = [SYS + "testos", SYS + "parentos", SYS + "newos", LANG + "c", ARCH + "x86-64"]
    node = st.sampled_from(nodes)
    predicate = st.sampled_from(
        [
            MK + "implementedIn",
            MK + "supportsArchitecture",
            MK + "basedOn",
            MK + "startYear",
            "http://www.w3.org/2000/01/rdf-schema#label",
            "http://purl.org/dc/terms/description",
            "http://usefulinc.com/ns/doap#homepage",
            RDF_TYPE,
        ]
    )
    value = st.one_of(
        node.map(ox.NamedNode),
        st.sampled_from(["Microkernel", "ProgrammingLanguage", "Architecture", "System"]).map(
            lambda name: ox.NamedNode(MK + name)
        ),
        st.sampled_from(["TestOS", "x", "a description long enough for the shapes to accept"]).map(
            ox.Literal
        ),
        st.sampled_from(["1999", "3000"]).map(
            lambda year: ox.Literal(year, datatype=ox.NamedNode(GYEAR))
        ),
        st.just(ox.BlankNode("inline")),
    )
    kind = draw(st.sampled_from(["add", "remove", "alter", "retype", "hierarchy", "shapes"]))
    if kind == "add":
        return kind, (ox.NamedNode(draw(node)), ox.NamedNode(draw(predicate)), draw(value))
    if kind in ("remove", "alter"):
        return kind, (draw(st.integers(0, 10**6)), draw(value))
    if kind == "retype":
        classes = ["ProgrammingLanguage", "Architecture", "Microkernel", "Trait"]
        return kind, (draw(node), MK + draw(st.sampled_from(classes)))
    if kind == "hierarchy":
        classes = ["ProgrammingLanguage", "Architecture", "Microkernel", "System", "Source"]
        pair = (MK + draw(st.sampled_from(classes)), MK + draw(st.sampled_from(classes)))
        return kind, (pair, draw(st.booleans()))
    return kind, draw(st.integers(0, len(SHAPE_TEXTS) - 1))


def _apply(store: ox.Store, change, shapes: list[str], current: str) -> str:
    kind, detail = change
    if kind == "add":
        store.add(ox.Quad(*detail))
    elif kind in ("remove", "alter"):
        quads = sorted(store, key=str)
        quad = quads[detail[0] % len(quads)]
        store.remove(quad)
        if kind == "alter":
            store.add(ox.Quad(quad.subject, quad.predicate, detail[1]))
    elif kind == "retype":
        node = ox.NamedNode(detail[0])
        for quad in list(store.quads_for_pattern(node, ox.NamedNode(RDF_TYPE), None)):
            store.remove(quad)
        store.add(ox.Quad(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(detail[1])))
    elif kind == "hierarchy":
        (sub, sup), add = detail
        quad = ox.Quad(ox.NamedNode(sub), ox.NamedNode(SUB_CLASS_OF), ox.NamedNode(sup))
        store.add(quad) if add else store.remove(quad)
    else:
        return shapes[detail]
    return current


def test_generated_changes_are_reported_as_whole_validation_reports_them(
    small_root, shape_variants, shared_rudof
):
    shutil.copy(FIXTURES / "valid.ttl", small_root / "data" / "valid.ttl")
    base = _load(small_root).dump(format=ox.RdfFormat.N_QUADS)

    @settings(max_examples=examples(8), deadline=None)
    @given(st.lists(changes(), min_size=1, max_size=4))
    def check(steps):
        store = ox.Store()
        store.load(base, format=ox.RdfFormat.N_QUADS)
        shapes = shape_variants[0]
        with tempfile.TemporaryDirectory() as folder:
            assert remembered(store, shapes, Path(folder)) == whole(store, shapes)
            for step in steps:
                shapes = _apply(store, step, shape_variants, shapes)
                assert remembered(store, shapes, Path(folder)) == whole(store, shapes), step

    check()


@pytest.mark.parametrize(
    "change",
    [
        ("add", (ox.NamedNode(SYS + "testos"), ox.NamedNode(MK + "startYear"),
                 ox.Literal("1066", datatype=ox.NamedNode(GYEAR)))),
        ("alter", (None, ox.Literal("short"))),  # the first description
        ("remove", (None, None)),  # TestOS's name
        ("retype", (LANG + "c", MK + "Architecture")),
        ("hierarchy", ((MK + "Source", MK + "System"), True)),  # sources become systems
        ("shapes", 1),
        ("shapes", 2),
        ("shapes", 3),
    ],
    ids=lambda change: change[0],
)  # fmt: skip
def test_each_kind_of_change_changes_the_report_as_whole_validation_does(
    change, small_root, tmp_path, shape_variants, shared_rudof
):
    shutil.copy(FIXTURES / "valid.ttl", small_root / "data" / "valid.ttl")
    store = _load(small_root)
    kind, detail = change
    if kind in ("alter", "remove"):  # aimed at one triple by its position among all
        quads = sorted(store, key=str)
        predicate = "description" if kind == "alter" else "label"
        index = next(
            i
            for i, q in enumerate(quads)
            if q.subject == ox.NamedNode(SYS + "testos") and q.predicate.value.endswith(predicate)
        )
        change = (kind, (index, detail[1]))
    shapes = shape_variants[0]
    before = whole(store, shapes)
    assert remembered(store, shapes, tmp_path) == before
    shapes = _apply(store, change, shape_variants, shapes)
    after = whole(store, shapes)
    assert after != before  # the change matters to the report
    assert remembered(store, shapes, tmp_path) == after


def test_a_type_changed_in_another_file_is_seen(small_root, invoke):
    """TestOS (data/valid.ttl) is written in C; C's class changes in the vocabulary file, which
    makes TestOS wrong though its own file did not change; and right again when C is put back."""
    shutil.copy(FIXTURES / "valid.ttl", small_root / "data" / "valid.ttl")
    languages = small_root / "data" / "vocabulary" / "languages.ttl"
    original = languages.read_text(encoding="utf-8")
    before = "lang:c\n    a mk:ProgrammingLanguage ;"
    assert before in original
    cache = small_root.parent / "cache"
    env = {"MKGRAPH_CACHE_DIR": str(cache)}
    # the stored queries' verdicts (an rdflib parse each) as the session's cache holds them
    KnowledgeGraph(small_root).stored_queries()
    shutil.copytree(
        Path(os.environ["MKGRAPH_CACHE_DIR"]) / "checked-queries", cache / "checked-queries"
    )

    def report(environment):
        result = invoke("--root", str(small_root), "validate", "-f", "json", env=environment)
        assert result.exit_code in (0, 1), result.output
        return json.loads(result.output)

    assert report(env) == {"conforms": True, "problems": []}
    assert list(cache.glob("validation-*.json"))  # the findings were remembered
    languages.write_text(
        original.replace(before, "lang:c\n    a mk:Architecture ;"),
        encoding="utf-8",
    )
    changed = report(env)
    # the same as rudof on the whole graph (the only problems here are the shapes')
    fields = [field.name for field in dataclasses.fields(Problem)]
    rows = whole(_load(small_root), _shapes_of(small_root))
    reference = [dict(zip(fields, row, strict=True)) for row in rows]
    assert sorted(changed["problems"], key=str) == sorted(reference, key=str)
    assert {(p["focus_label"], p["message"]) for p in changed["problems"]} == {
        (
            "TestOS",
            "languages must come from the language vocabulary (data/vocabulary/languages.ttl)",
        )
    }
    languages.write_text(original, encoding="utf-8")
    assert report(env) == {"conforms": True, "problems": []}


def test_after_a_change_rudof_sees_only_the_changed_subject(small_root, tmp_path):
    """ParentOS's description changes: rudof is handed ParentOS's triples, the classes of what
    they point at and the class hierarchy, and nothing else (the other subjects of the same file
    keep their names, blank nodes included, so their findings are remembered)."""
    shutil.copy(FIXTURES / "valid.ttl", small_root / "data" / "valid.ttl")
    shapes, _local = shacl.read_shapes(locate(small_root))
    folder = tmp_path / "remembered"
    remembered(_load(small_root), shapes, folder)
    changed = small_root / "data" / "valid.ttl"
    changed.write_text(
        changed.read_text(encoding="utf-8").replace(
            '"A made-up kernel that TestOS is built on, for the tests."', '"Too short."'
        ),
        encoding="utf-8",
    )
    handed: list[str] = []
    findings = shacl.Rudof.findings

    def recording(self, text):
        handed.append(text)
        return findings(self, text)

    store = _load(small_root)
    with mock.patch.object(shacl.Rudof, "findings", recording):
        problems = remembered(store, shapes, folder)
    assert problems == whole(store, shapes)
    assert [p[1] for p in problems] == ["ParentOS"]  # its description is now too short
    lines = {line for text in handed for line in text.splitlines()}
    parent = f"<{SYS}parentos>"
    assert {line for line in _file_lines(changed) if line.startswith(parent + " ")} <= lines
    others = {
        line.split(" ", 1)[0]
        for line in lines
        if f" <{RDF_TYPE}> " not in line and f" <{SUB_CLASS_OF}> " not in line
    }
    assert others == {parent}


def _file_lines(path: Path) -> list[str]:
    triples = [q.triple for q in fastload.parse_file(path)]
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode().splitlines()


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"abc": [[1, 2]]}',
        b'{"abc": [["x", null, null, null, 7, null, null]]}',
        b"[]",
    ],
)
def test_a_damaged_file_of_remembered_findings_costs_only_a_full_check(
    content, small_root, tmp_path
):
    shutil.copy(FIXTURES / "no-label.ttl", small_root / "data" / "no-label.ttl")
    shapes, _local = shacl.read_shapes(locate(small_root))
    store = _load(small_root)
    folder = tmp_path / "remembered"
    expected = whole(store, shapes)
    assert expected
    assert remembered(store, shapes, folder) == expected
    (entry,) = folder.glob("validation-*.json")
    entry.write_bytes(content)
    assert remembered(store, shapes, folder) == expected
    assert json.loads(entry.read_bytes())  # written again, whole


def test_remembered_findings_that_cannot_be_written_are_skipped(small_root, tmp_path):
    shutil.copy(FIXTURES / "no-label.ttl", small_root / "data" / "no-label.ttl")
    shapes, _local = shacl.read_shapes(locate(small_root))
    store = _load(small_root)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    assert remembered(store, shapes, not_a_folder / "remembered") == whole(store, shapes)
    assert not_a_folder.read_text(encoding="utf-8") == ""


def test_old_files_of_remembered_findings_are_removed(small_root, tmp_path, shape_variants):
    shutil.copy(FIXTURES / "valid.ttl", small_root / "data" / "valid.ttl")
    store = _load(small_root)
    folder = tmp_path / "remembered"
    remembered(store, shape_variants[0], folder)
    (first,) = folder.glob("validation-*.json")
    unfinished = folder / f".{first.name}.999999"
    unfinished.write_text("{", encoding="utf-8")
    for path in (first, unfinished):
        os.utime(path, (1, 1))
    remembered(store, shape_variants[1], folder)
    remaining = list(folder.iterdir())
    assert len(remaining) == 1 and remaining[0] != first


@pytest.mark.parametrize("named", [True, False])
def test_a_shape_on_a_property_s_values_that_reads_their_triples_is_checked_whole(
    named, small_root
):
    """Each system a system is based on must have a name: that reads the value's own triples,
    which sit in another piece. Such shapes are validated whole: ParentOS's name is seen when it
    has one (a piece of TestOS alone would miss it), and missed when it has none."""
    valid = (FIXTURES / "valid.ttl").read_text(encoding="utf-8")
    if not named:
        valid = valid.replace('    rdfs:label "ParentOS" ;\n', "")
    (small_root / "data" / "valid.ttl").write_text(valid, encoding="utf-8")
    shapes = small_root / "shapes" / "mkgraph-shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8")
        + """
mksh:NamedParents a sh:NodeShape ; sh:targetClass mk:System ;
    sh:property [ sh:path mk:basedOn ;
        sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message "a parent needs a name" ] ] .
""",
        encoding="utf-8",
    )
    assert not shacl.read_shapes(locate(small_root))[1]
    problems = KnowledgeGraph(small_root).validate(chunk_triples=1).problems
    messages = {p.message for p in problems}
    assert ("a parent needs a name" in messages) is not named


def test_licence_verdicts_are_remembered_and_need_no_licence_list_then(tmp_path):
    """SPDX verdicts (deprecated, unknown, unparsable, unlinked) are remembered in the cache
    folder, keyed by the installed licence list: the next run computes none of them (importing
    license-expression and building its index cost 0.14 s a validate); a damaged file only
    costs the verdicts again."""
    from mkgraph.checks import licences

    spdx = licences.SPDX_PREFIX
    links = [("urn:a", spdx + "GPL-2.0"), ("urn:a", spdx + "MIT"), ("urn:b", spdx + "Nonsense-1")]
    expressions = [("urn:a", "MIT OR Apache-2.0"), ("urn:b", "MIT AND (")]
    expected = licences.licence_problems(links, expressions, None)
    assert {value for _resource, value, _message in expected} == {
        "GPL-2.0",
        "Nonsense-1",
        "MIT OR Apache-2.0",
        "MIT AND (",
    }
    assert licences.licence_problems(links, expressions, tmp_path) == expected
    (entry,) = tmp_path.glob("licences-*.json")
    computed = mock.patch.multiple(
        licences,
        identifier_problem=mock.Mock(side_effect=AssertionError("computed again")),
        expression_problems=mock.Mock(side_effect=AssertionError("computed again")),
    )
    with computed:
        assert licences.licence_problems(links, expressions, tmp_path) == expected
    for damaged in ('{"identifiers": {"MIT": 5}, "expressions": {}}', "[]", "{"):
        entry.write_text(damaged, encoding="utf-8")
        assert licences.licence_problems(links, expressions, tmp_path) == expected
