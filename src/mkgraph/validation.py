"""Validation: the SHACL shapes (pySHACL) plus the stored ``*-violation`` queries, gathered into one
typed report that reads, grouped by resource, in a curator's words."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from mkgraph import engine
from mkgraph.errors import ResourceError
from mkgraph.names import label, shorten
from mkgraph.queries import StoredQuery

SH = Namespace("http://www.w3.org/ns/shacl#")
_SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


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
        lines.append(f"{count} violation{'s' if count != 1 else ''}, "
                     f"{len(self.problems) - count} other problem(s) "
                     f"in {len(self.by_resource())} resource(s).")
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "problems": [asdict(p) for p in self.problems]},
            indent=2, ensure_ascii=False,
        )

    def as_graph(self) -> Graph:
        """The report as a SHACL validation report graph (violation queries included)."""
        report = Graph()
        report.bind("sh", SH)
        node = BNode()
        report.add((node, RDF.type, SH.ValidationReport))
        report.add((node, SH.conforms, Literal(self.conforms)))
        for problem in self.problems:
            result = BNode()
            report.add((node, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            focus = URIRef(problem.focus) if ":" in problem.focus else BNode(problem.focus)
            report.add((result, SH.focusNode, focus))
            report.add((result, SH.resultMessage, Literal(problem.message)))
            report.add((result, SH.resultSeverity, SH[problem.severity.capitalize()]))
            if problem.path:
                report.add((result, SH.resultPath, Literal(problem.path)))
            if problem.value:
                report.add((result, SH.value, Literal(problem.value)))
        return report


def _shacl_problems(data: Graph, shapes: Graph) -> list[Problem]:
    if not any(shapes.subjects(RDF.type, SH.NodeShape)) and \
            not any(shapes.subjects(RDF.type, SH.PropertyShape)):
        raise ResourceError("the shapes are not usable SHACL: no sh:NodeShape or sh:PropertyShape found")
    import pyshacl  # imported here: only validation pays for it

    from pyshacl.errors import ReportableRuntimeError

    try:
        _conforms, results, _text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
        )
    except ReportableRuntimeError as exc:
        raise ResourceError(f"the shapes are not usable SHACL: {exc}") from None
    if not isinstance(results, Graph):  # pySHACL reports some shape errors as a result object
        raise ResourceError(f"the shapes are not usable SHACL: {results}")
    problems = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        problems.append(Problem(
            focus=str(focus),
            focus_label=label(data, focus) if focus is not None else "?",
            message=str(message) if message else "constraint not met",
            severity=_SEVERITY.get(severity, "violation"),
            path=shorten(path) if isinstance(path, URIRef) else None,
            value=(label(data, value) if isinstance(value, URIRef) else str(value))
            if value is not None else None,
            check=shorten(shape) if isinstance(shape, URIRef) else "shape",
        ))
    return problems


def _query_problems(data: Graph, checks: list[StoredQuery], runner=None) -> list[Problem]:
    problems = []
    for check in checks:
        result = runner(check) if runner else engine.run(data, check.text, source=str(check.path))
        for row in result.rows:
            values = dict(zip(result.variables, row))
            focus = row[0]
            message = values.get("message")
            problems.append(Problem(
                focus=str(focus),
                focus_label=label(data, focus) if focus is not None else "?",
                message=str(message) if message is not None else check.title,
                value=str(values["value"]) if values.get("value") is not None else None,
                check=check.name,
            ))
    return problems


def validate(data: Graph, shapes: Graph, checks: list[StoredQuery], runner=None) -> ValidationReport:
    """Run the shapes and the violation queries over the graph (the queries through `runner`,
    a faster engine, when one is given)."""
    problems = _shacl_problems(data, shapes) + _query_problems(data, checks, runner)
    conforms = not any(p.severity == "violation" for p in problems)
    return ValidationReport(conforms=conforms, problems=problems)
