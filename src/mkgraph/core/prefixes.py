"""mkgraph's prefixes as plain strings: importing this costs nothing (no rdflib), so the fast query
path can use it."""

from __future__ import annotations

BASE = "https://w3id.org/mkgraph/"
# The name of mkgraph's graph: in N-Quads exports, on the endpoint, and where publish puts it.
GRAPH_IRI = BASE + "graph"

# Prefixes bound on every graph mkgraph builds, and offered to every query.
PREFIXES: dict[str, str] = {
    "mk": BASE + "ontology#",
    "sys": BASE + "system/",
    "lang": BASE + "language/",
    "arch": BASE + "architecture/",
    "trait": BASE + "trait/",
    "iface": BASE + "interface/",
    "family": BASE + "family/",
    "agent": BASE + "agent/",
    "source": BASE + "source/",
    "status": BASE + "status/",
    "support": BASE + "support/",
    "kind": BASE + "source-kind/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "doap": "http://usefulinc.com/ns/doap#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "spdx": "http://spdx.org/licenses/",
    "wd": "http://www.wikidata.org/entity/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def shorten(iri: str) -> str:
    """An IRI written with mkgraph's prefixes where one fits."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


# The kinds of inheritance between systems, strongest first: code built on, code taken, interface
# re-implemented in new code, ideas taken (the name a command takes -> the ontology's term).
LINEAGE_RELATION_NAMES = {
    "based-on": "basedOn",
    "derived-from": "derivedFrom",
    "reimplements": "reimplements",
    "inspired-by": "inspiredBy",
}
