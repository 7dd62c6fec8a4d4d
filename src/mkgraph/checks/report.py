"""The validation report: each problem found (by a SHACL engine, a *-violation query or a check
written in code) with one resource at fault, in a curator's words and as RDF terms; as text, as
JSON, or as a W3C SHACL validation report graph."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

SH = "http://www.w3.org/ns/shacl#"
# The *-violation queries and the checks written in code in the SHACL report: their shapes' IRIs
# (CHECKS + the check's name) and their constraint components.
CHECKS = "https://w3id.org/mkgraph/check/"
SPARQL_COMPONENT = SH + "SPARQLConstraintComponent"
SEVERITY = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one resource."""

    focus: str  # the resource's IRI (or blank-node id)
    focus_label: str
    message: str
    severity: str = "violation"
    path: str | None = None
    value: str | None = None
    check: str = ""  # the shape or violation query that found it
    # The same as RDF terms, for the W3C SHACL report: the path's IRI, the value in N-Triples
    # syntax, the shape (IRI or _:id) and the constraint component's IRI.
    path_iri: str | None = None
    value_term: str | None = None
    shape: str | None = None
    component: str | None = None


@dataclass
class ValidationReport:
    conforms: bool
    problems: list[Problem] = field(default_factory=list)

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "violation"]

    def by_resource(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = defaultdict(list)
        for problem in sorted(self.problems, key=lambda p: (p.focus_label.casefold(), p.message)):
            grouped[problem.focus_label].append(problem)
        return dict(grouped)

    def as_text(self) -> str:
        if not self.problems:
            return "The graph conforms: no problems found."
        lines = []
        for resource, problems in self.by_resource().items():
            lines.append(f"{resource}:")
            for p in problems:
                where = f" [{p.path}]" if p.path else ""
                value = f" (value: {p.value})" if p.value else ""
                lines.append(f"  - {p.severity}{where}: {p.message}{value}")
        count = len(self.violations)
        lines.append(
            f"{count} violation{'s' if count != 1 else ''}, "
            f"{len(self.problems) - count} other problem(s) "
            f"in {len(self.by_resource())} resource(s)."
        )
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "problems": [asdict(p) for p in self.problems]},
            indent=2,
            ensure_ascii=False,
        )

    def as_graph(self) -> Graph:
        """The report as a W3C SHACL validation report: focus nodes, paths, values, shapes and
        constraint components as RDF terms (the *-violation queries as SPARQL-based constraints
        whose shape is CHECKS + the query's name), with rdfs:label for people alongside."""
        from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
        from rdflib.util import from_n3

        sh = Namespace(SH)
        report = Graph()
        report.bind("sh", sh)
        report.bind("rdfs", RDFS)
        node = BNode()
        report.add((node, RDF.type, sh.ValidationReport))
        report.add((node, sh.conforms, Literal(self.conforms)))

        def term(text: str):
            return BNode(text[2:]) if text.startswith("_:") else URIRef(text)

        for problem in self.problems:
            result = BNode()
            report.add((node, sh.result, result))
            report.add((result, RDF.type, sh.ValidationResult))
            focus = term(problem.focus)
            report.add((result, sh.focusNode, focus))
            if isinstance(focus, URIRef):
                report.add((focus, RDFS.label, Literal(problem.focus_label)))
            report.add((result, sh.resultMessage, Literal(problem.message)))
            report.add((result, sh.resultSeverity, sh[problem.severity.capitalize()]))
            if problem.path_iri:
                report.add((result, sh.resultPath, URIRef(problem.path_iri)))
            if problem.value_term:
                value = from_n3(problem.value_term)
                assert isinstance(value, (URIRef, BNode, Literal))
                report.add((result, sh.value, value))
                if isinstance(value, URIRef) and problem.value:
                    report.add((value, RDFS.label, Literal(problem.value)))
            if problem.shape:
                report.add((result, sh.sourceShape, term(problem.shape)))
            if problem.component:
                report.add((result, sh.sourceConstraintComponent, URIRef(problem.component)))
        return report


Labeller = Callable[[str], str]  # an IRI or blank-node id -> the name a curator knows it by


def report(problems: list[Problem]) -> ValidationReport:
    conforms = not any(p.severity == "violation" for p in problems)
    return ValidationReport(conforms=conforms, problems=problems)
