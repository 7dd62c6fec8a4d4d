"""Export: every format round-trips to the same graph; JSON-LD uses the bundled context; --inferred
adds the lineage closure, inverses and types without OWL RL's noise; files are written whole."""

from __future__ import annotations

import json

import pytest
from rdfcompare import same_graph
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef

from mkgraph.core.namespaces import MK, SYSTEM

FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "xml": "xml"}


@pytest.mark.parametrize("fmt", list(FORMATS) + ["nquads"])
def test_every_format_round_trips(fmt, kg, invoke, tmp_path):
    out = tmp_path / f"graph.{fmt}"
    result = invoke("export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "nquads":
        dataset = Dataset()
        dataset.parse(out, format="nquads")
        parsed = Graph()
        for s, p, o, _g in dataset.quads():
            parsed.add((s, p, o))
    else:
        parsed = Graph().parse(out, format=FORMATS[fmt])
    assert same_graph(parsed, kg.graph)


def test_the_comparison_can_fail(kg):
    changed = Graph()
    changed += kg.graph
    changed.remove((SYSTEM.sel4, RDFS.label, None))
    changed.add((SYSTEM.sel4, RDFS.label, Literal("seL5")))
    assert not same_graph(changed, kg.graph)


def test_format_follows_the_extension(invoke, tmp_path):
    out = tmp_path / "graph.jsonld"
    assert invoke("export", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["@context"]["sys"] == str(SYSTEM)


def test_jsonld_is_compacted_with_the_bundled_context(invoke):
    document = json.loads(invoke("export", "--format", "jsonld").output)
    assert document["@context"]["mk"] == "https://w3id.org/mkgraph/ontology#"
    sel4 = next(node for node in document["@graph"] if node.get("@id") == "sys:sel4")
    assert sel4["label"] == "seL4"
    assert sel4["homepage"] == "https://sel4.systems"


def test_inferred_export_adds_closure_inverses_and_types(kg):
    inferred = kg.inferred
    sel4, ares, lionsos = SYSTEM.sel4, SYSTEM.ares, SYSTEM.lionsos
    assert (ares, MK.descendsFrom, sel4) in inferred  # through Helios
    assert (sel4, MK.ancestorOf, ares) in inferred
    assert (lionsos, MK.descendsFrom, sel4) in inferred
    assert (lionsos, RDF.type, MK.System) in inferred  # from mk:Microkernel / mk:OperatingSystem
    assert (ares, MK.descendsFrom, sel4) not in kg.graph  # kept apart from the asserted graph


def test_inferred_export_has_no_owl_rl_noise(kg):
    for s, p, o in kg.inferred:
        assert not isinstance(s, Literal)
        assert not (p == OWL.sameAs and s == o)
        assert o not in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class)
        assert not str(s).startswith(("http://www.w3.org/", "https://schema.org/"))


def test_inferred_cli_export_is_a_superset(invoke, kg, tmp_path):
    out = tmp_path / "inferred.nt"
    assert invoke("export", "--inferred", "-o", str(out)).exit_code == 0
    parsed = Graph().parse(out, format="nt")
    assert len(parsed) == len(kg.graph) + len(kg.inferred)
    assert (SYSTEM.ares, MK.descendsFrom, SYSTEM.sel4) in parsed


def test_lineage_questions_answer_the_same_with_inference(kg):
    plain = {tuple(map(str, row)) for row in kg.query("descendants").rows}
    with_inference = {tuple(map(str, row)) for row in kg.query("descendants", inferred=True).rows}
    assert plain == with_inference
    closure = kg.sparql(
        "SELECT ?name WHERE { ?d mk:descendsFrom sys:sel4 ; rdfs:label ?name }", inferred=True
    )
    descendants = {row[0] for row in kg.query("descendants").rows}
    assert {row[0] for row in closure.rows} == descendants


def test_output_into_a_missing_folder(invoke, tmp_path):
    target = tmp_path / "missing" / "graph.ttl"
    result = invoke("export", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        f"mkgraph: error: {target}: cannot write: folder '{tmp_path / 'missing'}' does not exist\n"
    )
    assert not target.exists()


def test_output_onto_a_read_only_file_keeps_it(invoke, tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o444)
    try:
        result = invoke("export", "-o", str(target))
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


def test_construct_and_describe_give_graphs(invoke):
    result = invoke(
        "sparql", "CONSTRUCT { ?s mk:basedOn sys:sel4 } WHERE { ?s mk:basedOn sys:sel4 }"
    )
    assert result.exit_code == 0
    graph = Graph().parse(data=result.output, format="turtle")
    assert (SYSTEM.lionsos, MK.basedOn, SYSTEM.sel4) in graph
    result = invoke("sparql", "DESCRIBE sys:tock", "--format", "jsonld")
    assert result.exit_code == 0
    assert json.loads(result.output)["@context"]["mk"] == str(MK._NS)
    ask = invoke("sparql", "ASK { sys:hedron mk:derivedFrom sys:nova }")
    assert ask.output.strip() == "yes"


def test_show_as_rdf(invoke):
    result = invoke("show", "Hedron", "--format", "turtle")
    graph = Graph().parse(data=result.output, format="turtle")
    assert (SYSTEM.hedron, MK.derivedFrom, SYSTEM.nova) in graph
    assert URIRef(SYSTEM.hedron) in set(graph.subjects())


def test_targeted_inference_derives_what_owlrl_derives(kg):
    from mkgraph.api import KnowledgeGraph

    owlrl = KnowledgeGraph(reasoner="owlrl").inferred
    targeted = KnowledgeGraph(reasoner="targeted").inferred
    assert len(targeted) > 1000
    assert set(targeted) == set(owlrl)


def test_reasoner_option(invoke, tmp_path):
    out = tmp_path / "owlrl.nt"
    assert invoke("--reasoner", "owlrl", "export", "--inferred", "-o", str(out)).exit_code == 0
    assert (SYSTEM.ares, MK.descendsFrom, SYSTEM.sel4) in Graph().parse(out, format="nt")


@pytest.mark.parametrize(
    "fmt, rdflib_format",
    [("turtle", "turtle"), ("ntriples", "nt"), ("xml", "xml"), ("nquads", "nquads")],
)
def test_oxigraph_writers_give_the_graph_rdflib_writes(fmt, rdflib_format, kg):
    """Exports other than JSON-LD are written by Oxigraph; they hold exactly rdflib's triples."""
    from mkgraph.store.export import serialize

    text = kg.export(fmt, inferred=True)
    if fmt == "nquads":
        ours = Graph()
        for s, p, o, _g in Dataset().parse(data=text, format="nquads").quads():
            ours.add((s, p, o))
    else:
        ours = Graph().parse(data=text, format=rdflib_format)
    reference = Graph().parse(data=serialize(kg.graph_with_inferences(), "ntriples"), format="nt")
    assert same_graph(ours, reference)
