"""Turning the names people type ("sel4", "MINIX3", "amd64") into the graph's resources."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD
from rdflib.term import Identifier, Node

from mkgraph.core.errors import ParameterError
from mkgraph.core.limits import MAX_VALUE_LENGTH
from mkgraph.core.namespaces import MK
from mkgraph.core.prefixes import shorten as _shorten
from mkgraph.store import lookup, periods
from mkgraph.store.lookup import KIND_CLASSES


def _subclasses(graph: Graph, cls: URIRef) -> set[URIRef]:
    return {c for c in graph.transitive_subjects(RDFS.subClassOf, cls) if isinstance(c, URIRef)}


def members(graph: Graph, kind: str) -> set[URIRef]:
    """Every resource of a kind (a system is anything typed with mk:System or a subclass);
    kind "any" gathers every kind."""
    if kind == "any":
        return set().union(*(members(graph, k) for k in KIND_CLASSES))
    found: set[URIRef] = set()
    for cls in _subclasses(graph, MK[KIND_CLASSES[kind]]):
        found.update(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))
    return found


def _names(graph: Graph, resource: URIRef) -> list[str]:
    """Label first, then other names: the order lookup.choose expects."""
    labels = sorted({str(o) for o in graph.objects(resource, RDFS.label)})
    others = sorted({str(o) for o in graph.objects(resource, SKOS.altLabel)} - set(labels))
    return labels + others


def label(graph: Graph, resource: Node) -> str:
    """The resource's rdfs:label, or its IRI shortened with mkgraph's prefixes."""
    for value in graph.objects(resource, RDFS.label):
        return str(value)
    return shorten(resource)


def shorten(term: Node | None) -> str:
    return _shorten(str(term)) if isinstance(term, URIRef) else str(term)


def _candidates(graph: Graph, kind: str) -> dict[str, list[str]]:
    return {str(r): _names(graph, r) for r in members(graph, kind)}


def resolve(graph: Graph, kind: str, value: str) -> URIRef:
    """Find the one resource of a kind that a name denotes, or explain what was meant."""
    if kind not in KIND_CLASSES and kind != "any":
        raise ParameterError(f"unknown kind of name {kind!r}")
    return URIRef(lookup.choose(_candidates(graph, kind), kind, value))


def bind_value(graph: Graph, kind: str, value: str) -> Identifier:
    """Read one parameter value as an RDF term according to its kind."""
    if len(value) > MAX_VALUE_LENGTH:
        raise ParameterError(f"parameter value is too long ({len(value)} characters)")
    if kind in KIND_CLASSES:
        return resolve(graph, kind, value)
    if kind == "string":
        return Literal(value)
    if kind == "integer":
        try:
            return Literal(int(value))
        except ValueError:
            raise ParameterError(f"{value!r} is not a whole number") from None
    if kind == "date":
        text, datatype = periods.literal(value)
        return Literal(text, datatype=XSD[datatype])
    if kind == "iri":
        return URIRef(lookup.absolute_iri(value))
    raise ParameterError(f"unknown parameter kind {kind!r}")
