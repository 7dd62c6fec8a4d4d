"""The validation report: each problem once, in the shape's own words on both validators, and
`validate -f turtle` a conformant W3C SHACL validation report (terms, not labels; labels alongside)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

from mkgraph.api import KnowledgeGraph

# rdflib's parse of each text kept for the module (its tests load small roots of the same
# vocabularies): conftest.kept_parses
pytestmark = pytest.mark.usefixtures("kept_parses")

SHAPES = Path(__file__).parent / "fixtures" / "shapes"
OR_SHAPE = Path(__file__).parent / "fixtures" / "or" / "first-release-or.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
SYS = Namespace("https://w3id.org/mkgraph/system/")
MK = Namespace("https://w3id.org/mkgraph/ontology#")
ARCH = Namespace("https://w3id.org/mkgraph/architecture/")
TWO_KINDS = """
PREFIX mk: <https://w3id.org/mkgraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sys: <https://w3id.org/mkgraph/system/>
PREFIX source: <https://w3id.org/mkgraph/source/>
sys:testos a mk:Hypervisor .
[] a rdf:Statement ; rdf:subject sys:testos ; rdf:predicate rdf:type ; rdf:object mk:Hypervisor ;
    prov:wasDerivedFrom source:testos-readme .
"""


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_an_unsourced_fact_is_reported_once_whatever_the_kinds_of_its_system(small_root, engine):
    shutil.copy(SHAPES / "fact-without-source.ttl", small_root / "data")
    (small_root / "data" / "two-kinds.ttl").write_text(TWO_KINDS, encoding="utf-8")
    kg = KnowledgeGraph(small_root, engine=engine)
    rows = [tuple(map(str, row)) for row in kg.query("unsourced-fact-violation").rows]
    assert rows == [
        (
            str(SYS.testos),
            str(MK.supportsArchitecture),
            str(ARCH["x86-64"]),
            "states a fact with no source: supportsArchitecture x86-64",
        )
    ]
    found = [p for p in kg.validate().problems if p.check == "unsourced-fact-violation"]
    assert len(found) == 1


@pytest.mark.parametrize("validator", ["rudof", "pyshacl"])
def test_a_failed_sh_or_gives_the_shapes_message(small_root, invoke, validator):
    shutil.copy(SHAPES / "first-release-not-a-date.ttl", small_root / "data")
    shutil.copy(OR_SHAPE, small_root / "shapes")
    result = invoke("--root", str(small_root), "validate", "--validator", validator)
    assert result.exit_code == 1
    assert result.output == (
        "TestOS:\n"
        "  - violation [mk:firstRelease]: a first release is an xsd:gYear or an xsd:date "
        "(the sh:or test shape) (value: 2015)\n"
        "  - violation: firstRelease must be an xsd:gYear or an xsd:date (value: 2015)\n"
        "1 violation, 0 other problem(s) in 1 resource(s).\n".replace("1 violation", "2 violations")
    )


def _report(invoke, root, validator) -> Graph:
    result = invoke("--root", str(root), "validate", "-f", "turtle", "--validator", validator)
    assert result.exit_code == 1, result.output
    return Graph().parse(data=result.output, format="turtle")


@pytest.mark.parametrize("validator", ["rudof", "pyshacl"])
def test_turtle_report_is_a_conformant_shacl_validation_report(small_root, invoke, validator):
    for name in ("fact-without-source.ttl", "first-release-not-a-date.ttl"):
        shutil.copy(SHAPES / name, small_root / "data")
    shutil.copy(OR_SHAPE, small_root / "shapes")
    report = _report(invoke, small_root, validator)
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.objects(node, SH.result))
    assert len(results) == 3
    by_path = {}
    for result in results:
        # every result as the SHACL spec shapes it: typed, one focus node, a severity IRI, a
        # source shape or constraint, a message; paths and values are terms, not labels
        assert (result, RDF.type, SH.ValidationResult) in report
        assert report.value(result, SH.focusNode) == SYS.testos
        assert report.value(result, SH.resultSeverity) == SH.Violation
        assert isinstance(report.value(result, SH.sourceShape), (URIRef, BNode))
        assert isinstance(report.value(result, SH.resultMessage), Literal)
        assert isinstance(report.value(result, SH.sourceConstraintComponent), URIRef)
        by_path[report.value(result, SH.resultPath)] = result
    # the date-type check (a query) names no path; the shape and the unsourced-fact check do
    assert set(by_path) == {MK.firstRelease, MK.supportsArchitecture, None}
    assert report.value(by_path[None], SH.value) == Literal("2015")
    assert report.value(by_path[None], SH.sourceShape) == URIRef(
        "https://w3id.org/mkgraph/check/date-type-violation"
    )
    # the value is the real term: the literal as written, the architecture's IRI
    assert report.value(by_path[MK.firstRelease], SH.value) == Literal("2015")
    assert report.value(by_path[MK.supportsArchitecture], SH.value) == ARCH["x86-64"]
    assert (
        report.value(by_path[MK.firstRelease], SH.sourceConstraintComponent)
        == SH.OrConstraintComponent
    )
    # labels for people, alongside the terms
    assert (SYS.testos, RDFS.label, Literal("TestOS")) in report
    assert (ARCH["x86-64"], RDFS.label, Literal("x86-64")) in report
