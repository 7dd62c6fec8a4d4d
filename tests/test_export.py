"""Export: every format round-trips to the same graph; JSON-LD uses the bundled context; --inferred
adds the lineage closure, inverses and types without OWL RL's noise; files are written whole.

Code tests: they run on the fixture graph (tests/fixtures/root), loaded once per run."""

from __future__ import annotations

import json

import pytest
from rdfcompare import same_graph
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef

from mkgraph.core.namespaces import MK, SYSTEM

# rdflib's parse of each text kept for the module (its tests load the fixture root again):
# conftest.kept_parses
pytestmark = pytest.mark.usefixtures("kept_parses")

FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "xml": "xml"}


@pytest.fixture
def export(fixture_kg, invoke):
    """`mkgraph --root FIXTURE export ...`: the command, handed the session's fixture graph."""

    def run(*args):
        return invoke("--root", str(fixture_kg.resources.root), "export", *args)

    return run


@pytest.mark.parametrize("fmt", list(FORMATS) + ["nquads"])
def test_every_format_round_trips(fmt, fixture_kg, export, tmp_path):
    out = tmp_path / f"graph.{fmt}"
    result = export("--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "nquads":
        dataset = Dataset()
        dataset.parse(out, format="nquads")
        parsed = Graph()
        for s, p, o, _g in dataset.quads():
            parsed.add((s, p, o))
    else:
        parsed = Graph().parse(out, format=FORMATS[fmt])
    assert same_graph(parsed, fixture_kg.graph)


def test_the_comparison_can_fail(fixture_kg):
    changed = Graph()
    changed += fixture_kg.graph
    changed.remove((SYSTEM.sel4, RDFS.label, None))
    changed.add((SYSTEM.sel4, RDFS.label, Literal("seL5")))
    assert not same_graph(changed, fixture_kg.graph)


def test_format_follows_the_extension(export, tmp_path):
    out = tmp_path / "graph.jsonld"
    assert export("-o", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["@context"]["sys"] == str(SYSTEM)


def test_jsonld_is_compacted_with_the_bundled_context(export):
    document = json.loads(export("--format", "jsonld").output)
    assert document["@context"]["mk"] == "https://w3id.org/mkgraph/ontology#"
    sel4 = next(node for node in document["@graph"] if node.get("@id") == "sys:sel4")
    assert sel4["label"] == "seL4"
    assert sel4["homepage"] == "https://sel4.systems"


def test_inferred_export_adds_closure_inverses_and_types(fixture_kg):
    inferred = fixture_kg.inferred
    sel4, ares, l3 = SYSTEM.sel4, SYSTEM.ares, SYSTEM.l3
    assert (ares, MK.descendsFrom, sel4) in inferred  # through Helios
    assert (sel4, MK.ancestorOf, ares) in inferred
    assert (ares, MK.descendsFrom, l3) in inferred  # four links: Helios, seL4, L4, L3
    assert (ares, RDF.type, MK.System) in inferred  # from mk:OperatingSystem
    assert (SYSTEM.hedron, RDF.type, MK.System) in inferred  # from mk:Microkernel
    assert (
        ares,
        MK.descendsFrom,
        sel4,
    ) not in fixture_kg.graph  # kept apart from the asserted graph


def test_inferred_export_has_no_owl_rl_noise(fixture_kg):
    for s, p, o in fixture_kg.inferred:
        assert not isinstance(s, Literal)
        assert not (p == OWL.sameAs and s == o)
        assert o not in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class)
        assert not str(s).startswith(("http://www.w3.org/", "https://schema.org/"))


def test_inferred_cli_export_is_a_superset(export, fixture_kg, tmp_path):
    out = tmp_path / "inferred.nt"
    assert export("--inferred", "-o", str(out)).exit_code == 0
    parsed = Graph().parse(out, format="nt")
    assert len(parsed) == len(fixture_kg.graph) + len(fixture_kg.inferred)
    assert (SYSTEM.ares, MK.descendsFrom, SYSTEM.sel4) in parsed


def test_lineage_questions_answer_the_same_with_inference(fixture_kg):
    plain = {tuple(map(str, row)) for row in fixture_kg.query("descendants").rows}
    with_inference = {
        tuple(map(str, row)) for row in fixture_kg.query("descendants", inferred=True).rows
    }
    assert plain == with_inference
    closure = fixture_kg.sparql(
        "SELECT ?name WHERE { ?d mk:descendsFrom sys:sel4 ; rdfs:label ?name }", inferred=True
    )
    descendants = {row[0] for row in fixture_kg.query("descendants").rows}
    assert {row[0] for row in closure.rows} == descendants


def test_output_into_a_missing_folder(export, tmp_path):
    target = tmp_path / "missing" / "graph.ttl"
    result = export("-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        f"mkgraph: error: {target}: cannot write: folder '{tmp_path / 'missing'}' does not exist\n"
    )
    assert not target.exists()


def test_output_onto_a_read_only_file_keeps_it(export, tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o444)
    try:
        result = export("-o", str(target))
        # refused even when run as root (whom the kernel would let write): the mode bits decide
        assert result.exit_code == 2
        assert result.stderr == f"mkgraph: error: {target}: cannot write: the file is read-only\n"
        assert target.read_text(encoding="utf-8") == "old"
    finally:
        target.chmod(0o644)


def test_a_failed_write_leaves_the_old_file_whole(monkeypatch, tmp_path):
    from mkgraph.core import writing

    target = tmp_path / "graph.ttl"
    target.write_text("old contents", encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # as if the process were killed between writing and renaming

    monkeypatch.setattr(writing.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writing.write_file(target, "new contents")
    assert target.read_text(encoding="utf-8") == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_construct_and_describe_give_graphs(fixture_kg, invoke):
    root = ("--root", str(fixture_kg.resources.root))
    result = invoke(
        *root, "sparql", "CONSTRUCT { ?s mk:basedOn sys:helios } WHERE { ?s mk:basedOn sys:helios }"
    )
    assert result.exit_code == 0
    graph = Graph().parse(data=result.output, format="turtle")
    assert set(graph) == {(SYSTEM.ares, MK.basedOn, SYSTEM.helios)}
    result = invoke(*root, "sparql", "DESCRIBE sys:tock", "--format", "jsonld")
    assert result.exit_code == 0
    assert json.loads(result.output)["@context"]["mk"] == str(MK._NS)
    ask = invoke(*root, "sparql", "ASK { sys:hedron mk:derivedFrom sys:nova }")
    assert ask.output.strip() == "yes"


def test_show_as_rdf(fixture_kg, invoke):
    result = invoke(
        "--root", str(fixture_kg.resources.root), "show", "Hedron", "--format", "turtle"
    )
    graph = Graph().parse(data=result.output, format="turtle")
    assert (SYSTEM.hedron, MK.derivedFrom, SYSTEM.nova) in graph
    assert URIRef(SYSTEM.hedron) in set(graph.subjects())


def test_targeted_inference_derives_what_owlrl_derives(fixture_kg):
    from mkgraph.api import KnowledgeGraph

    owlrl = KnowledgeGraph(fixture_kg.resources.root, reasoner="owlrl").inferred
    assert fixture_kg.reasoner == "targeted"  # the default, as loaded for the session
    targeted = fixture_kg.inferred
    assert len(targeted) > 500
    assert set(targeted) == set(owlrl)


def test_reasoner_option(small_root, invoke, tmp_path, monkeypatch):
    """`--reasoner owlrl` runs owlrl (on a root of two lineage links: owlrl's closure of the
    fixture root costs three times as much, and the test above compares it whole)."""
    import owlrl

    expanded = []
    real_expand = owlrl.DeductiveClosure.expand
    monkeypatch.setattr(
        owlrl.DeductiveClosure,
        "expand",
        lambda self, graph: expanded.append(graph) or real_expand(self, graph),
    )
    (small_root / "data" / "chain.ttl").write_text(
        "@prefix mk: <https://w3id.org/mkgraph/ontology#> .\n"
        "@prefix sys: <https://w3id.org/mkgraph/system/> .\n"
        "sys:a mk:basedOn sys:b .\nsys:b mk:derivedFrom sys:c .\n",
        encoding="utf-8",
    )
    out = tmp_path / "owlrl.nt"
    root = ("--root", str(small_root))
    assert (
        invoke(*root, "--reasoner", "owlrl", "export", "--inferred", "-o", str(out)).exit_code == 0
    )
    assert (SYSTEM.a, MK.descendsFrom, SYSTEM.c) in Graph().parse(out, format="nt")
    assert len(expanded) == 1  # owlrl's closure, not the targeted rules


@pytest.fixture(scope="module")
def rdflib_writes(fixture_kg):
    """The graph with inferences as rdflib writes it, parsed back: once for the four formats."""
    from mkgraph.store.export import serialize

    return Graph().parse(
        data=serialize(fixture_kg.graph_with_inferences(), "ntriples"), format="nt"
    )


@pytest.mark.parametrize(
    "fmt, rdflib_format",
    [("turtle", "turtle"), ("ntriples", "nt"), ("xml", "xml"), ("nquads", "nquads")],
)
def test_oxigraph_writers_give_the_graph_rdflib_writes(
    fmt, rdflib_format, fixture_kg, rdflib_writes
):
    """Exports other than JSON-LD are written by Oxigraph; they hold exactly rdflib's triples."""
    text = fixture_kg.export(fmt, inferred=True)
    if fmt == "nquads":
        ours = Graph()
        for s, p, o, _g in Dataset().parse(data=text, format="nquads").quads():
            ours.add((s, p, o))
    else:
        ours = Graph().parse(data=text, format=rdflib_format)
    assert same_graph(ours, rdflib_writes)
