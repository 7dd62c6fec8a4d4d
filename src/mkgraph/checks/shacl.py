"""The SHACL engines: rudof (pyrudof, written in Rust; the default: about a quarter of a second on
the bundled graph and a few seconds at 100k triples, where pySHACL takes half a minute) and pySHACL
(``--validator pyshacl``, the reference implementation), each turned into report Problems. The
tests run every shape fixture through both and require the same problems. Shapes are checked
before either engine sees them: nothing in them may reach outside the graph.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mkgraph.checks.report import SEVERITY, SH, Labeller, Problem
from mkgraph.core.choices import VALIDATORS  # noqa: F401  (its one home is core)
from mkgraph.core.errors import ResourceError
from mkgraph.core.prefixes import PREFIXES, shorten

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

    from mkgraph.core.resources import Resources

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# rudof's configuration: no SPARQL endpoints, so reading data builds no HTTPS clients (see the file)
RUDOF_CONFIG = Path(__file__).with_name("rudof.toml")


def read_shapes(resources: Resources) -> tuple[str, bool]:
    """The shapes files, checked (check_shapes), as N-Triples; and whether they can be checked a
    piece of the graph at a time (shapes_are_local)."""
    import pyoxigraph as ox

    from mkgraph.checks import chunking
    from mkgraph.store import fastload

    files = resources.turtle_files(resources.shapes)
    if not files:
        raise ResourceError(f"{resources.shapes}: no .ttl shapes files")
    triples = [quad.triple for path in files for quad in fastload.parse_file(path)]
    plain = [
        (chunking.name(t.subject), t.predicate.value, chunking.name(t.object)) for t in triples
    ]
    check_shapes(plain)
    return (
        (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(),
        shapes_are_local(plain),
    )


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
                severity=SEVERITY.get(str(results.value(result, sh.resultSeverity)), "violation"),
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


# Constraints that read a node's own triples: local on the focus node, whose triples are in its
# piece, but not on a value node, whose triples are in its own piece.
_OWN_TRIPLES = {
    SH + name
    for name in (
        "path",
        "property",
        "closed",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
    )
}
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def shapes_are_local(triples: list[tuple[str, str, str]]) -> bool:
    """Whether every constraint looks only at its focus node's triples and its values' types:
    simple paths, no sh:node / qualified shapes / subject- or object-based targets, SPARQL
    constraints only when deactivated, and no shape applied to a property's values (inside its
    sh:or, sh:and, sh:xone, sh:not or sh:property) that reads the value's own triples."""
    deactivated = {s for s, p, o in triples if p == SH + "deactivated" and o == "true"}
    for _s, p, o in triples:
        if p.startswith(SH) and p not in _LOCAL_TERMS:
            return False
        if p == SH + "path" and o.startswith("_:"):
            return False  # a sequence, inverse or other complex path
        if p == SH + "sparql" and o not in deactivated:
            return False
    on_values = _value_shapes(triples)
    return not any(p in _OWN_TRIPLES for s, p, _o in triples if s in on_values)


def _value_shapes(triples: list[tuple[str, str, str]]) -> set[str]:
    """The shapes checked against a property shape's values rather than a focus node."""
    first = {s: o for s, p, o in triples if p == _RDF + "first"}
    rest = {s: o for s, p, o in triples if p == _RDF + "rest"}
    nested: dict[str, list[str]] = defaultdict(list)  # shape -> shapes applied to the same node
    properties: dict[str, list[str]] = defaultdict(list)
    for s, p, o in triples:
        if p in (SH + "or", SH + "and", SH + "xone"):
            node, seen = o, set()
            while node in first and node not in seen:
                seen.add(node)
                nested[s].append(first[node])
                node = rest.get(node, "")
        elif p == SH + "not":
            nested[s].append(o)
        elif p == SH + "property":
            properties[s].append(o)
    paths = {s for s, p, _o in triples if p == SH + "path"}
    # A property shape's nested shapes and sub-properties see its values; so do theirs.
    found: set[str] = set()
    frontier = [child for shape in paths for child in nested[shape] + properties[shape]]
    while frontier:
        shape = frontier.pop()
        if shape not in found:
            found.add(shape)
            frontier += nested[shape] + properties[shape]
    return found


_QUOTED = re.compile(r'"(?P<text>.*)"(@[A-Za-z0-9-]+|\^\^\S+)?', re.DOTALL)


def _lexical(rendered: str) -> str:
    """rudof renders literal terms as Turtle ("TestOS"@en); the report wants the text alone."""
    match = _QUOTED.fullmatch(rendered)
    return match["text"] if match else rendered


def _is_iri(rendered: str) -> bool:
    return not rendered.startswith(("_:", '"')) and ":" in rendered


class Finding(NamedTuple):
    """One result of rudof's report as rudof gives it: what mkgraph.checks.incremental keeps,
    before the report names anything (names change with the rest of the graph)."""

    focus: str
    value: str | None
    shape: str | None
    path: str | None
    severity: str
    message: str | None
    component: str | None


def _pyrudof():
    """pyrudof's compiled module, where every name we use lives, loaded without running the
    package's __init__: that imports importlib.metadata for pyrudof's version, 0.04-0.1 s of a
    validate's CPU. The module is registered under its own name, so a later `import pyrudof`
    finds it and shares its classes. Anything unexpected: pyrudof imported the usual way."""
    import sys

    name = "pyrudof._pyrudof"
    loaded = sys.modules.get(name) or sys.modules.get("pyrudof")
    if loaded is not None:
        return loaded
    from importlib.util import find_spec, module_from_spec, spec_from_file_location

    package = find_spec("pyrudof")
    origin = package.origin if package is not None else None
    built = sorted(Path(origin).parent.glob("_pyrudof.*.so")) if origin else []
    spec = spec_from_file_location(name, built[0]) if len(built) == 1 else None
    if spec is None or spec.loader is None:
        import pyrudof

        return pyrudof
    module = module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


class Rudof:
    """rudof with the shapes read once, then any number of graphs validated in turn (each
    replaces the last: memory is bounded by one graph). Both are handed over as N-Triples text,
    so rudof never resolves a file name or address of its own."""

    def __init__(self, shapes_ntriples: str):
        pyrudof = _pyrudof()
        from mkgraph.store import offline

        self._rudof = pyrudof.Rudof(pyrudof.RudofConfig.from_path(str(RUDOF_CONFIG)))
        try:
            offline.run(
                lambda: self._rudof.read_shacl(
                    shapes_ntriples,
                    format=pyrudof.ShaclFormat.NTriples,
                    reader_mode=pyrudof.ReaderMode.Strict,
                )
            )
        except pyrudof.RudofError as exc:
            raise ResourceError(f"the shapes are not usable SHACL: {_one_line(exc)}") from None

    def findings(self, data_ntriples: str) -> list[Finding]:
        pyrudof = _pyrudof()
        from mkgraph.store import offline

        def validate():
            self._rudof.read_data(
                data_ntriples,
                format=pyrudof.RDFFormat.NTriples,
                reader_mode=pyrudof.ReaderMode.Strict,
                merge=False,
            )
            return self._rudof.validate_shacl()

        # Each step in a thread that can open no socket: rudof would call a SERVICE in a constraint.
        try:
            report = offline.run(validate)
        except pyrudof.RudofError as exc:
            raise ResourceError(f"SHACL validation could not run: {_one_line(exc)}") from None
        return [
            Finding(
                focus=entry.focus_node,
                value=entry.value,
                shape=entry.source_shape or None,
                path=entry.path or None,
                severity=str(entry.severity),
                message=entry.message or None,
                component=entry.constraint_component or None,
            )
            for entry in report
        ]


def rudof_problems(data_ntriples: str, shapes_ntriples: str, label: Labeller) -> list[Problem]:
    """The shapes checked by rudof on the whole graph at once."""
    findings = Rudof(shapes_ntriples).findings(data_ntriples)
    return rudof_report(findings, shapes_ntriples, label)


def rudof_report(findings: list[Finding], shapes_ntriples: str, label: Labeller) -> list[Problem]:
    """rudof's findings as report Problems, named as the graph names them now, in one order
    (rudof's own varies from run to run, and a remembered subject's findings would keep the order
    of the run that found them)."""
    messages = _shape_messages(shapes_ntriples)
    problems = []
    for found in sorted(findings, key=lambda f: [(field is None, field or "") for field in f]):
        focus, value, shape, path = found.focus, found.value, found.shape, found.path
        # The shape's own sh:message, as SHACL asks; rudof puts its own words ("OR not
        # satisfied") in place of it for some constraints.
        message = messages.get(shape or "") or (_lexical(found.message) if found.message else None)
        problems.append(
            Problem(
                focus=focus,
                focus_label=label(focus),
                message=message or "constraint not met",
                severity=SEVERITY.get(SH + found.severity, "violation"),
                path=shorten(path) if path and _is_iri(path) else None,
                value=(label(value) if _is_iri(value) else _lexical(value))
                if value is not None
                else None,
                check=shorten(shape) if shape and _is_iri(shape) else "shape",
                path_iri=path if path and _is_iri(path) else None,
                value_term=_rudof_term(value) if value is not None else None,
                shape=shape,
                component=found.component,
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
