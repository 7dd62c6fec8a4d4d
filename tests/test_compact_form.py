"""The compact provenance form (TriG: facts in named graphs) carries exactly what the reified
rdf:Statement form carries: the same facts, and the same (fact, sources, notes, dates, support level,
any other annotation) tuples, for every data file and for old-form fixtures kept for good."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF

from mkgraph.core.resources import locate
from mkgraph.store import fastload, formatting, trig
from mkgraph.store.graph import parse_file, parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "reified"
OLD_FORM = sorted(FIXTURES.glob("*.ttl"))
DATA_FILES = locate().curated_files(locate().data)
STRUCTURE = (RDF.subject, RDF.predicate, RDF.object)


def facts(graph: Graph) -> set:
    """Every triple that is not part of a reified statement."""
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    return {t for t in graph if t[0] not in statements}


def provenance(graph: Graph) -> Counter:
    """(fact, annotations) for every statement node; a Counter, so a lost duplicate shows too."""
    found: Counter = Counter()
    for node in set(graph.subjects(RDF.type, RDF.Statement)):
        fact = tuple(graph.value(node, p) for p in STRUCTURE)
        annotations = frozenset(
            (p, o)
            for p, o in graph.predicate_objects(node)
            if p not in STRUCTURE and (p, o) != (RDF.type, RDF.Statement)
        )
        found[(fact, annotations)] += 1
    return found


def round_trip(graph: Graph, name: str = "x.trig") -> tuple[str, Graph]:
    text = trig.write(graph)
    return text, parse_text(text, "trig")


def leaf_statements_only(graph: Graph) -> bool:
    """Every blank node is a statement node whose values are IRIs or literals."""
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    return all(
        (not isinstance(s, BNode) or s in statements) and not isinstance(o, BNode)
        for s, _, o in graph
    )


def assert_same(before: Graph, after: Graph) -> None:
    """Equal facts and equal statement contents (as a multiset); with no other blank nodes that
    is graph isomorphism, without rdflib.compare's cost on a thousand look-alike nodes."""
    assert leaf_statements_only(before) and leaf_statements_only(after)
    assert facts(after) == facts(before)
    assert provenance(after) == provenance(before)
    assert len(after) == len(before)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_data_file_survives_the_compact_form(path: Path):
    """Whatever form the file is in now: reified -> compact -> reified gives the same graph, and
    compact -> reified -> compact gives the same text."""
    before = parse_file(path)
    text, after = round_trip(before, path.with_suffix(".trig").name)
    assert_same(before, after)
    assert trig.write(after) == text


@pytest.mark.parametrize("path", OLD_FORM, ids=lambda p: p.name)
def test_old_form_fixtures_convert_without_loss(path: Path):
    before = parse_file(path)
    assert provenance(before), "an old-form fixture must have reified statements"
    text, after = round_trip(before)
    assert_same(before, after)
    assert "rdf:Statement" not in text or path.name == "annotations.ttl"


def test_every_annotation_shape_is_carried():
    before = parse_file(FIXTURES / "annotations.ttl")
    text, after = round_trip(before)
    assert sum(provenance(before).values()) == 9
    assert provenance(after) == provenance(before)
    # what the compact text looks like: a shared source graph, a blank graph name with its
    # annotations (two sources, support level, dates), and the two kept reified statements
    assert "source:a {" in text
    assert (
        "_:supportsArchitecture-1 prov:wasDerivedFrom source:a, source:b ; "
        "mk:supportLevel support:experimental ; "
        'mk:validFrom "2021-01-01"^^xsd:date ; mk:validUntil "2024-06-30"^^xsd:date .'
    ) in text
    assert (
        "_:status-1 { sys:testos mk:status status:active . sys:testos mk:supportsArchitecture arch:x86-64 }"
        in text
    )
    assert text.count("a rdf:Statement") == 2


def test_both_loaders_expand_the_same_way(tmp_path):
    """Oxigraph's fast loader and the rdflib loader read a TriG file into the same graph."""
    target = tmp_path / "annotations.trig"
    target.write_text(trig.write(parse_file(FIXTURES / "annotations.ttl")), encoding="utf-8")
    by_rdflib = parse_file(target)
    store = ox.Store()
    store.bulk_extend(fastload.iter_file(target))
    by_oxigraph = Graph().parse(
        data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()),
        format="nt",
    )
    assert to_isomorphic(by_oxigraph) == to_isomorphic(by_rdflib)
    assert not any(isinstance(fact[0], BNode) for fact in facts(by_rdflib))


def test_compact_form_is_at_most_half_the_reified_form():
    """Measured on the bundled data whatever form it is in: every file written both ways."""
    compact = reified = 0
    for path in DATA_FILES:
        graph = parse_file(path)
        compact += len(trig.write(graph).splitlines())
        reified += len(formatting.canonical_text(graph).splitlines())
    assert compact * 2 <= reified, (compact, reified)


def _with_old_form_file(root: Path) -> Path:
    """Make sure the root has at least one old-form file to migrate, whatever the bundled form."""
    projects = root / "data" / "projects"
    for existing in projects.glob("ares.*"):
        existing.unlink()
    shutil.copy(FIXTURES / "ares.ttl", projects / "ares.ttl")
    return projects / "ares.ttl"


def test_migrate_command_is_lossless_and_leaves_canonical_files(scratch_root, invoke):
    from mkgraph.api import KnowledgeGraph

    _with_old_form_file(scratch_root)
    data = scratch_root / "data"
    reified_files = [p for p in data.rglob("*.ttl") if "rdf:Statement" in p.read_text()]
    before = KnowledgeGraph(scratch_root)
    result = invoke("--root", str(scratch_root), "format", "--migrate")
    assert result.exit_code == 0, result.output
    assert result.output.count("migrated ") == len(reified_files) >= 1
    assert f"migrated {data / 'projects' / 'ares.ttl'} -> {data / 'projects' / 'ares.trig'}\n" in (
        result.output
    )
    assert not [p for p in data.rglob("*.ttl") if "rdf:Statement" in p.read_text()]
    assert invoke("--root", str(scratch_root), "format", "--check").exit_code == 0
    after = KnowledgeGraph(scratch_root)
    assert_same(before.graph, after.graph)
    # the fast Oxigraph path reads the new files the same way
    assert (
        after.query("sources", {"of": "Ares"}).rows == before.query("sources", {"of": "Ares"}).rows
    )
    again = invoke("--root", str(scratch_root), "format", "--migrate")
    assert again.exit_code == 0 and "migrated" not in again.output


def test_migration_refuses_to_overwrite_and_changes_nothing(scratch_root, invoke):
    ares = _with_old_form_file(scratch_root)
    ares.with_suffix(".trig").write_text("# in the way\n", encoding="utf-8")
    data = scratch_root / "data"
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    result = invoke("--root", str(scratch_root), "format", "--migrate")
    assert result.exit_code == 2
    assert "ares.trig: already exists: cannot migrate the .ttl file beside it" in result.output
    after = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    assert after == before, "nothing was migrated, created or changed"


def test_trig_syntax_error_names_file_and_line(small_root, invoke):
    bad = small_root / "data" / "bad.trig"
    bad.write_text(
        "PREFIX sys: <https://w3id.org/mkgraph/system/>\nsys:a { sys:a sys:b sys:c \n",
        encoding="utf-8",
    )
    result = invoke("--root", str(small_root), "validate")
    assert result.exit_code == 2
    assert result.output.startswith(f"mkgraph: error: {bad}:")
    assert "TriG syntax error" in result.output
    assert "Traceback" not in result.output
