"""Validation: the SHACL shapes plus the stored ``*-violation`` queries, gathered into one typed
report that reads, grouped by resource, in a curator's words.

Two SHACL engines: rudof (pyrudof, written in Rust; the default: about a quarter of a second on the
bundled graph and a few seconds at 100k triples, where pySHACL takes half a minute) and pySHACL
(``--validator pyshacl``, the reference implementation). The tests run every shape fixture through
both and require the same problems.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from mkgraph.core.errors import ResourceError
from mkgraph.core.prefixes import PREFIXES, shorten
from mkgraph.store.queries import StoredQuery

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

SH = "http://www.w3.org/ns/shacl#"
# The *-violation queries and the cycle check in the SHACL report: their shapes' IRIs (plus the
# check's name) and, for the cycle check, its own constraint component.
CHECKS = "https://w3id.org/mkgraph/check/"
SPARQL_COMPONENT = SH + "SPARQLConstraintComponent"
CYCLE_COMPONENT = CHECKS + "LineageCycleComponent"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VALIDATORS = ("rudof", "pyshacl")
_SEVERITY = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}


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


def check_shapes(triples: list[tuple[str, str, str]]) -> None:
    """Refuse shapes that would reach outside the graph (check_shape_queries) or silently check
    nothing: no shapes at all (every graph would "conform"), or a property shape without exactly
    one path (rudof skips it without a word)."""
    check_shape_queries(triples)
    types = {o for _s, p, o in triples if p == RDF_TYPE}
    if not types & {SH + "NodeShape", SH + "PropertyShape"}:
        raise ResourceError(
            "the shapes are not usable SHACL: no sh:NodeShape or sh:PropertyShape found"
        )
    paths: dict[str, int] = defaultdict(int)
    for s, p, _o in triples:
        if p == SH + "path":
            paths[s] += 1
    property_shapes = {o for _s, p, o in triples if p == SH + "property"} | {
        s for s, p, o in triples if p == RDF_TYPE and o == SH + "PropertyShape"
    }
    for shape in sorted(property_shapes):
        if paths[shape] != 1:
            owner = next((s for s, p, o in triples if p == SH + "property" and o == shape), shape)
            raise ResourceError(
                f"the shapes are not usable SHACL: not a well-formed SHACL "
                f"PropertyShape (one of {shorten(owner)}'s property shapes "
                f"has {paths[shape]} sh:path where exactly one is needed)"
            )


# Where SHACL keeps SPARQL: constraints and validators (select, ask), SPARQL targets and
# functions (select, ask), rules (construct) and SHACL-AF's update.
_SPARQL_TEXTS = {SH + name: f"sh:{name}" for name in ("select", "ask", "construct", "update")}


def check_shape_queries(triples: list[tuple[str, str, str]]) -> None:
    """Every SPARQL text in the shapes passes the same check as any query (no SERVICE, FROM,
    LOAD or update), before any SHACL engine sees the shapes; a SHACL-JS library, which an
    engine would fetch, is refused too."""
    from mkgraph.store import querycheck

    prefixes = {s: o for s, p, o in triples if p == SH + "prefix"}
    namespaces = {s: o for s, p, o in triples if p == SH + "namespace"}
    # As the engines run them: each declared prefix above the text.
    prologue = "".join(
        f"PREFIX {prefixes[node]}: <{namespaces[node]}>\n"
        for node in prefixes
        if node in namespaces
    )
    owners = {o: s for s, p, o in triples if p in (SH + "sparql", SH + "target")}
    for s, p, o in triples:
        if p in _SPARQL_TEXTS:
            shape = owners.get(s, s)  # the shape a constraint or target node belongs to
            querycheck.check(
                prologue + o, f"the shapes ({_SPARQL_TEXTS[p]} of {shorten(shape)})", hint=False
            )
        if p == SH + "jsLibraryURL":
            raise ResourceError(
                f"the shapes are not usable SHACL: sh:jsLibraryURL <{o[:100]}> refused: "
                "mkgraph never fetches anything"
            )


def pyshacl_problems(data: Graph, shapes: Graph, label: Labeller) -> list[Problem]:
    """The shapes checked by pySHACL, the reference implementation."""
    import pyshacl  # imported here: only this validator pays for it
    from pyshacl.errors import ReportableRuntimeError
    from rdflib import RDF, Graph, Namespace, URIRef

    sh = Namespace(SH)
    check_shapes([(str(s), str(p), str(o)) for s, p, o in shapes])
    from mkgraph.store import offline

    try:  # in a thread that can open no socket (mkgraph.store.offline)
        _conforms, results, _text = offline.run(
            lambda: pyshacl.validate(
                data,
                shacl_graph=shapes,
                inference="none",
                advanced=True,
                allow_warnings=True,
            )
        )
    except ReportableRuntimeError as exc:
        raise ResourceError(f"the shapes are not usable SHACL: {exc}") from None
    if not isinstance(results, Graph):  # pySHACL reports some shape errors as a result object
        raise ResourceError(f"the shapes are not usable SHACL: {results}")
    problems = []
    for result in results.subjects(RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        value = results.value(result, sh.value)
        message = results.value(result, sh.resultMessage)
        shape = results.value(result, sh.sourceShape)
        component = results.value(result, sh.sourceConstraintComponent)
        problems.append(
            Problem(
                focus=str(focus),
                focus_label=label(str(focus)) if focus is not None else "?",
                message=str(message) if message else "constraint not met",
                severity=_SEVERITY.get(str(results.value(result, sh.resultSeverity)), "violation"),
                path=shorten(str(path)) if isinstance(path, URIRef) else None,
                value=(label(str(value)) if isinstance(value, URIRef) else str(value))
                if value is not None
                else None,
                check=shorten(str(shape)) if isinstance(shape, URIRef) else "shape",
                path_iri=str(path) if isinstance(path, URIRef) else None,
                value_term=value.n3() if value is not None else None,
                shape=_node_text(shape),
                component=str(component) if component is not None else None,
            )
        )
    return problems


def _node_text(node) -> str | None:
    """An rdflib IRI or blank node as Problem keeps it: the IRI, or _:id."""
    if node is None:
        return None
    return node.n3() if type(node).__name__ == "BNode" else str(node)


# SHACL terms whose constraints read only the focus node's own triples and the types of its
# values: shapes built from these alone can be checked a piece of the graph at a time.
_LOCAL_TERMS = {
    SH + name
    for name in (
        "message",
        "path",
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "in",
        "hasValue",
        "languageIn",
        "uniqueLang",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "or",
        "and",
        "not",
        "xone",
        "closed",
        "ignoredProperties",
        "targetClass",
        "targetSubjectsOf",
        "property",
        "name",
        "description",
        "severity",
        "order",
        "group",
        "deactivated",
        "prefixes",
        "declare",
        "prefix",
        "namespace",
        "select",
        "sparql",
    )
}


def shapes_are_local(triples: list[tuple[str, str, str]]) -> bool:
    """Whether every constraint looks only at its focus node's triples and its values' types:
    simple paths, no sh:node / qualified shapes / subject- or object-based targets, and SPARQL
    constraints only when deactivated."""
    deactivated = {s for s, p, o in triples if p == SH + "deactivated" and o == "true"}
    for _s, p, o in triples:
        if p.startswith(SH) and p not in _LOCAL_TERMS:
            return False
        if p == SH + "path" and o.startswith("_:"):
            return False  # a sequence, inverse or other complex path
        if p == SH + "sparql" and o not in deactivated:
            return False
    return True


_QUOTED = re.compile(r'"(?P<text>.*)"(@[A-Za-z0-9-]+|\^\^\S+)?', re.DOTALL)


def _lexical(rendered: str) -> str:
    """rudof renders literal terms as Turtle ("TestOS"@en); the report wants the text alone."""
    match = _QUOTED.fullmatch(rendered)
    return match["text"] if match else rendered


def _is_iri(rendered: str) -> bool:
    return not rendered.startswith(("_:", '"')) and ":" in rendered


def rudof_problems(data_ntriples: str, shapes_ntriples: str, label: Labeller) -> list[Problem]:
    """The shapes checked by rudof; both graphs are handed over as N-Triples text, so rudof never
    resolves a file name or address of its own."""
    import pyrudof

    from mkgraph.store import offline

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    try:
        offline.run(
            lambda: rudof.read_shacl(
                shapes_ntriples,
                format=pyrudof.ShaclFormat.NTriples,
                reader_mode=pyrudof.ReaderMode.Strict,
            )
        )
    except pyrudof.RudofError as exc:
        raise ResourceError(f"the shapes are not usable SHACL: {_one_line(exc)}") from None

    def validate():
        rudof.read_data(
            data_ntriples, format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict
        )
        return rudof.validate_shacl()

    # Each step in a thread that can open no socket: rudof would call a SERVICE in a constraint.
    try:
        report = offline.run(validate)
    except pyrudof.RudofError as exc:
        raise ResourceError(f"SHACL validation could not run: {_one_line(exc)}") from None
    messages = _shape_messages(shapes_ntriples)
    problems = []
    for entry in report:
        focus, value, shape = entry.focus_node, entry.value, entry.source_shape
        # The shape's own sh:message, as SHACL asks; rudof puts its own words ("OR not
        # satisfied") in place of it for some constraints.
        message = messages.get(shape or "") or (_lexical(entry.message) if entry.message else None)
        problems.append(
            Problem(
                focus=focus,
                focus_label=label(focus),
                message=message or "constraint not met",
                severity=_SEVERITY.get(SH + str(entry.severity), "violation"),
                path=shorten(entry.path) if entry.path and _is_iri(entry.path) else None,
                value=(label(value) if _is_iri(value) else _lexical(value))
                if value is not None
                else None,
                check=shorten(shape) if shape and _is_iri(shape) else "shape",
                path_iri=entry.path if entry.path and _is_iri(entry.path) else None,
                value_term=_rudof_term(value) if value is not None else None,
                shape=shape or None,
                component=entry.constraint_component or None,
            )
        )
    return problems


def _shape_messages(shapes_ntriples: str) -> dict[str, str]:
    """Each shape's sh:message (the first, in a stable order), keyed as rudof names shapes."""
    import pyoxigraph as ox

    found: dict[str, list[str]] = defaultdict(list)
    for quad in ox.parse(shapes_ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
        if quad.predicate.value == SH + "message":
            subject = quad.subject
            key = "_:" + subject.value if isinstance(subject, ox.BlankNode) else subject.value
            found[key].append(quad.object.value)
    return {shape: sorted(texts)[0] for shape, texts in found.items()}


_RUDOF_LITERAL = re.compile(
    r'"(?P<text>.*)"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^(?P<type>\S+))?', re.DOTALL
)


def _rudof_term(rendered: str) -> str:
    """A term as rudof renders it ("2015"^^xsd:gYear, an IRI bare, _:b1) in N-Triples syntax."""
    if rendered.startswith("_:"):
        return rendered
    match = _RUDOF_LITERAL.fullmatch(rendered)
    if match is None:
        return f"<{rendered}>"
    text = match["text"]  # rudof escapes as N-Triples does
    if match["lang"]:
        return f'"{text}"@{match["lang"]}'
    datatype = match["type"]
    if datatype is None:
        return f'"{text}"'
    if datatype.startswith("<"):
        return f'"{text}"^^{datatype}'
    prefix, _colon, local = datatype.partition(":")
    return f'"{text}"^^<{PREFIXES.get(prefix, prefix + ":")}{local}>'


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


Answer = tuple[list[str], list[tuple]]  # a SELECT's variables and rows of terms (None unbound)


def term_text(term) -> str | None:
    """A pyoxigraph or rdflib term as Problem keeps a node: the IRI, _:id, or a literal's text."""
    if term is None:
        return None
    if hasattr(term, "n3"):  # rdflib's terms are strings
        return "_:" + str(term) if type(term).__name__ == "BNode" else str(term)
    return "_:" + term.value if type(term).__name__ == "BlankNode" else term.value


def _ntriples(term) -> str:
    """A pyoxigraph or rdflib term in N-Triples syntax."""
    return term.n3() if hasattr(term, "n3") else str(term)


def _is_iri_term(term) -> bool:
    return type(term).__name__ in ("NamedNode", "URIRef")


def query_problems(
    checks: list[StoredQuery], answer: Callable[[StoredQuery], Answer], label: Labeller
) -> list[Problem]:
    """The rows of the *-violation queries: the first column is the resource at fault; a
    ?property column is the result's path, a ?value column its value, ?message its message."""
    problems = []
    for check in checks:
        variables, rows = answer(check)
        for row in rows:
            values = dict(zip(variables, row, strict=False))
            focus = term_text(row[0])
            value, message = values.get("value"), term_text(values.get("message"))
            path = term_text(values["property"]) if _is_iri_term(values.get("property")) else None
            shown = term_text(value)
            problems.append(
                Problem(
                    focus=focus or "?",
                    focus_label=label(focus) if focus is not None else "?",
                    message=message or check.title,
                    path=shorten(path) if path else None,
                    value=label(shown) if shown is not None and _is_iri_term(value) else shown,
                    check=check.name,
                    path_iri=path,
                    value_term=_ntriples(value) if value is not None else None,
                    shape=CHECKS + check.name,
                    component=SPARQL_COMPONENT,
                )
            )
    return problems


CYCLE_MESSAGE = (
    "descends from itself through a chain of based-on / derived-from / re-implements / "
    "inspired-by links"
)


def lineage_cycles(edges: list[tuple[str, str]]) -> set[str]:
    """The systems on a cycle of lineage links: those in a strongly connected component of more
    than one system, or linked to themselves (Tarjan's algorithm, iterative: linear in the links)."""
    successors: dict[str, list[str]] = defaultdict(list)
    for below, above in edges:
        successors[below].append(above)
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cyclic: set[str] = {child for child, parent in edges if child == parent}
    for start in list(successors):
        if start in index:
            continue
        work = [(start, iter(successors[start]))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = lowest[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors[child])))
                elif child in on_stack:
                    lowest[node] = min(lowest[node], index[child])
                continue
            work.pop()
            if work:
                lowest[work[-1][0]] = min(lowest[work[-1][0]], lowest[node])
            if lowest[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cyclic.update(component)
    return cyclic


def cycle_problems(edges: list[tuple[str, str]], label: Labeller) -> list[Problem]:
    return [
        Problem(
            focus=system,
            focus_label=label(system),
            message=CYCLE_MESSAGE,
            check="lineage-cycle",
            shape=CHECKS + "lineage-cycle",
            component=CYCLE_COMPONENT,
        )
        for system in sorted(lineage_cycles(edges))
    ]


LICENCES = (
    "SELECT ?resource ?licence WHERE { ?resource <http://purl.org/dc/terms/license> ?licence }"
)
LICENCE_EXPRESSIONS = (
    "SELECT ?resource ?expression WHERE { "
    "?resource <https://w3id.org/mkgraph/ontology#licenceExpression> ?expression }"
)


def licence_check(
    licences: list[tuple], expressions: list[tuple], label: Labeller
) -> list[Problem]:
    """Licences against the SPDX licence list (mkgraph.checks.licences)."""
    from mkgraph.checks import licences as spdx

    return [
        Problem(
            focus=resource,
            focus_label=label(resource),
            message=message,
            value=value,
            check="spdx-licence",
            value_term=_text_term(value) if value else None,
            shape=CHECKS + "spdx-licence",
            component=CHECKS + "SpdxLicenceComponent",
        )
        for resource, value, message in spdx.licence_problems(
            [(str(r), str(v)) for r, v in licences if r is not None and v is not None],
            [(str(r), str(v)) for r, v in expressions if r is not None and v is not None],
        )
    ]


NAMES = (
    "SELECT ?resource ?kind ?name WHERE { "
    "VALUES ?kind { <https://w3id.org/mkgraph/ontology#Agent> "
    "<https://w3id.org/mkgraph/ontology#System> } "
    "?type <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?kind . "
    "?resource a ?type ; <http://www.w3.org/2000/01/rdf-schema#label>"
    "|<http://www.w3.org/2004/02/skos/core#altLabel> ?name . FILTER isIRI(?resource) }"
)


def duplicate_check(names: list[tuple], label: Labeller) -> list[Problem]:
    """Agents and systems with near-duplicate names (mkgraph.checks.duplicates)."""
    from mkgraph.checks import duplicates

    rows = sorted({(str(r), str(k), str(n)) for r, k, n in names if None not in (r, k, n)})
    return [
        Problem(
            focus=resource,
            focus_label=label(resource),
            message=(
                f"may be the same {'agent' if kind.endswith('Agent') else 'system'} as "
                f"{label(other)!r}: the names {name!r} and {other_name!r} differ only in "
                "case, accents, legal form, generic words or an abbreviation; merge the two or "
                "tell them apart in their names"
            ),
            value=other_name,
            check="near-duplicate-name",
            value_term=_text_term(other_name),
            shape=CHECKS + "near-duplicate-name",
            component=CHECKS + "NearDuplicateNameComponent",
        )
        for resource, other, name, other_name in duplicates.near_duplicates(rows)
        for kind in [next(k for r, k, _n in rows if r == resource)]
    ]


def _text_term(value: str) -> str:
    """A value found as text, in N-Triples syntax: an IRI if it is one, else a plain literal."""
    if value.startswith(("http://", "https://")) and not _IRI_UNSAFE.search(value):
        return f"<{value}>"
    return json.dumps(value, ensure_ascii=False)  # JSON's escapes are valid in N-Triples strings


_IRI_UNSAFE = re.compile(r'[\s<>"{}|^`\\]')


def report(problems: list[Problem]) -> ValidationReport:
    conforms = not any(p.severity == "violation" for p in problems)
    return ValidationReport(conforms=conforms, problems=problems)
