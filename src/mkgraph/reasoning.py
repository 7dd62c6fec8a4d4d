"""Inference with owlrl's OWL 2 RL closure, kept apart from the asserted graph and cleaned of the
noise OWL RL is known for (axiomatic triples, reflexive owl:sameAs, literals as subjects)."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import XSD

from mkgraph.namespaces import BASE, PROV, bind_prefixes

# Provenance nodes and sources need no reasoning; leaving them out keeps the closure small.
_SKIP_PREDICATES = {RDF.subject, RDF.predicate, RDF.object, PROV.wasDerivedFrom}
_NOISE_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))


def _reasoning_input(graph: Graph) -> Graph:
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    small = Graph()
    for s, p, o in graph:
        if s in statements or p in _SKIP_PREDICATES:
            continue
        small.add((s, p, o))
    return small


def _is_noise(triple) -> bool:
    s, p, o = triple
    if isinstance(s, Literal) or not isinstance(s, URIRef):
        return True
    if not str(s).startswith(BASE):  # facts about OWL, RDFS, XSD, schema.org ... themselves
        return True
    if p in (OWL.sameAs, OWL.differentFrom) and s == o:
        return True
    if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(_NOISE_NAMESPACES):
        return True  # owl:Thing, rdfs:Resource, owl:NamedIndividual, ...
    if str(p).startswith(_NOISE_NAMESPACES) and p not in (RDF.type, RDFS.label):
        return True  # rdfs:subPropertyOf reflexivity and friends
    return False


def infer(graph: Graph) -> Graph:
    """The triples OWL 2 RL derives from the graph that it does not already assert, noise removed."""
    import owlrl  # imported here: only inference pays for it

    work = _reasoning_input(graph)
    before = set(work)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(work)
    inferred = Graph()
    bind_prefixes(inferred)
    for triple in work:
        if triple not in before and not _is_noise(triple):
            inferred.add(triple)
    return inferred


def with_inferences(graph: Graph) -> Graph:
    """A new graph: the asserted triples plus what inference adds."""
    combined = Graph()
    bind_prefixes(combined)
    combined += graph
    combined += infer(graph)
    return combined
