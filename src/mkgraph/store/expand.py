"""The compact provenance form (TriG), expanded into the reified statements the rest of mkgraph reads.

In a data file, a sourced fact sits in a named graph:

    source:sel4-readme { sys:sel4 mk:implementedIn lang:c }      # the graph is named by the source
    _:startYear-1 { sys:sel4 mk:startYear "2009"^^xsd:gYear }    # or by a blank node whose
    _:startYear-1 prov:wasDerivedFrom source:x ; skos:note "…" .  # annotations sit in the default graph

Right after parsing, each fact in a named graph becomes a plain triple plus one rdf:Statement node
carrying prov:wasDerivedFrom (an IRI graph name) or every annotation of the blank graph name (sources,
notes, validity dates, support level, anything else). Queries, shapes, exports and reports then see
exactly the graph the reified form gave. Files without named graphs pass through unchanged.

Written once for both engines: the caller passes the term constructors of rdflib or Oxigraph.
No rdflib import here, so the fast Oxigraph loader stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
WAS_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"


@dataclass(frozen=True)
class Terms:
    """One RDF library's way to make an IRI and a fresh blank node, and to tell them apart."""

    iri: Callable[[str], Any]
    blank: Callable[[], Any]
    is_blank: Callable[[Any], bool]


def expand(quads: Iterable[tuple[Any, Any, Any, Any]], terms: Terms) -> Iterator[tuple]:
    """Triples of the default graph, with each named-graph fact reified.

    ``quads`` are (subject, predicate, object, graph) with graph None for the default graph.
    """
    default: list[tuple] = []
    named: list[tuple] = []
    for s, p, o, g in quads:
        (default if g is None else named).append((s, p, o, g))
    if not named:
        yield from (q[:3] for q in default)
        return
    blank_names = {g for *_, g in named if terms.is_blank(g)}
    annotations: dict[Any, list[tuple]] = {g: [] for g in blank_names}
    for s, p, o, _ in default:
        if s in annotations:
            annotations[s].append((p, o))
        else:
            yield s, p, o
    statement, subject = terms.iri(RDF + "Statement"), terms.iri(RDF + "subject")
    predicate, obj, rdf_type = (terms.iri(RDF + n) for n in ("predicate", "object", "type"))
    derived = terms.iri(WAS_DERIVED_FROM)
    for s, p, o, g in named:
        yield s, p, o
        node = terms.blank()
        yield node, rdf_type, statement
        yield node, subject, s
        yield node, predicate, p
        yield node, obj, o
        for ap, ao in annotations.get(g, [(derived, g)]):
            yield node, ap, ao
