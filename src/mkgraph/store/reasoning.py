"""Inference with owlrl's OWL 2 RL closure, kept apart from the asserted graph and cleaned of the
noise OWL RL is known for (axiomatic triples, reflexive owl:sameAs, literals as subjects)."""

from __future__ import annotations

from typing import cast

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import XSD

from mkgraph.core.namespaces import BASE, PROV, bind_prefixes

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
    return _noise(isinstance(s, URIRef), str(s), str(p), isinstance(o, URIRef), str(o))


def _noise(subject_is_iri: bool, s: str, p: str, object_is_iri: bool, o: str) -> bool:
    """Derived triples nobody asked for: about the vocabularies themselves, reflexive, trivial."""
    if not subject_is_iri:
        return True
    if not s.startswith(BASE):  # facts about OWL, RDFS, XSD, schema.org ... themselves
        return True
    if p in (str(OWL.sameAs), str(OWL.differentFrom)) and s == o:
        return True
    if p == str(RDF.type) and object_is_iri and o.startswith(_NOISE_NAMESPACES):
        return True  # owl:Thing, rdfs:Resource, owl:NamedIndividual, ...
    # rdfs:subPropertyOf reflexivity and friends
    return p.startswith(_NOISE_NAMESPACES) and p not in (str(RDF.type), str(RDFS.label))


def infer(graph: Graph) -> Graph:
    """The triples OWL 2 RL derives from the graph that it does not already assert, noise removed."""
    import owlrl  # imported here: only inference pays for it

    work = _reasoning_input(graph)
    before = set(work)
    # improved_datatypes=False: owlrl's own literal converters would replace rdflib's for the
    # whole process and not all be put back (rdflib then calls a five-digit xsd:gYear ill-typed).
    # The closure is the same without them (datatype axioms are off).
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics,
        axiomatic_triples=False,
        datatype_axioms=False,
        improved_datatypes=False,
    ).expand(work)
    inferred = Graph()
    bind_prefixes(inferred)
    for triple in work:
        if triple not in before and not _is_noise(triple):
            inferred.add(triple)
    return inferred


# ---------------------------------------------------------------- targeted inference

_RULES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
# Each rule is one SPARQL CONSTRUCT over the asserted graph and the ontology in it. Together they
# derive what owlrl's OWL 2 RL closure derives for this vocabulary, less its noise: super-properties
# (prp-spo1), transitive properties (prp-trp) and inverses (prp-inv), domains and ranges (prp-dom,
# prp-rng), and class membership through sub- and equivalent classes (cax-sco, cax-eqc).
_SUPER_PROPERTY = "(rdfs:subPropertyOf|owl:equivalentProperty|^owl:equivalentProperty)+"
_SUPER_CLASS = "(rdfs:subClassOf|owl:equivalentClass|^owl:equivalentClass)*"
TARGETED_RULES = {
    "super-properties": _RULES
    + f"""
        CONSTRUCT {{ ?s ?super ?o }} WHERE {{
            ?p {_SUPER_PROPERTY} ?super . FILTER (?super != ?p && isIRI(?super))
            ?s ?p ?o .
        }}""",
    "classes": _RULES
    + f"""
        CONSTRUCT {{ ?s a ?super }} WHERE {{
            ?s a ?class . ?class {_SUPER_CLASS} ?super . FILTER (isIRI(?super))
        }}""",
    "domains": _RULES
    + f"""
        CONSTRUCT {{ ?s a ?super }} WHERE {{
            ?p rdfs:domain ?class . ?class {_SUPER_CLASS} ?super . FILTER (isIRI(?super))
            ?q (rdfs:subPropertyOf|owl:equivalentProperty|^owl:equivalentProperty)* ?p .
            ?s ?q ?o .
        }}""",
    "ranges": _RULES
    + f"""
        CONSTRUCT {{ ?o a ?super }} WHERE {{
            ?p rdfs:range ?class . ?class {_SUPER_CLASS} ?super . FILTER (isIRI(?super))
            ?q (rdfs:subPropertyOf|owl:equivalentProperty|^owl:equivalentProperty)* ?p .
            ?s ?q ?o . FILTER (!isLiteral(?o))
        }}""",
}


def _transitive_rules(store) -> list[str]:
    """One closure query per transitive property (prp-trp); sub-properties and inverses feed it
    through the other rules until nothing new is derived."""
    return [
        _RULES + f"CONSTRUCT {{ ?a <{row['t'].value}> ?b }} WHERE {{ ?a <{row['t'].value}>+ ?b }}"
        for row in store.query(_RULES + "SELECT ?t WHERE { ?t a owl:TransitiveProperty }")
    ]


def infer_targeted_triples(store) -> list:
    """The triples the targeted rules derive, as Oxigraph triples, noise removed, asserted
    triples left out. Runs on Oxigraph: seconds where owlrl takes minutes at 100k triples."""
    import pyoxigraph as ox

    derived = ox.Store()
    for triple in store:  # a working copy: asserted plus derived, iterated to a fixed point
        derived.add(ox.Quad(triple.subject, triple.predicate, triple.object))
    rules = list(TARGETED_RULES.values())
    while True:
        before = len(derived)
        closure = list(_transitive_rules(derived))
        for rule in closure + rules:
            for triple in list(cast(ox.QueryTriples, derived.query(rule))):
                derived.add(ox.Quad(triple.subject, triple.predicate, triple.object))
        inverses = derived.query(_RULES + "SELECT ?p ?q WHERE { ?p owl:inverseOf ?q }")
        for row in cast(ox.QuerySolutions, inverses):
            p, q = row["p"], row["q"]
            for one, other in ((p, q), (q, p)):
                for found in list(derived.quads_for_pattern(None, one, None)):
                    if not isinstance(found.object, ox.Literal):  # a literal is never a subject
                        derived.add(ox.Quad(found.object, other, found.subject))
        if len(derived) == before:
            break
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in derived
        if q not in store
        and not _noise(
            isinstance(q.subject, ox.NamedNode),
            q.subject.value,
            q.predicate.value,
            isinstance(q.object, ox.NamedNode),
            q.object.value,
        )
    ]


def infer_targeted(store):
    """The same triples as an rdflib Graph."""
    from mkgraph.store.engine import rdflib_graph

    return rdflib_graph(infer_targeted_triples(store))
