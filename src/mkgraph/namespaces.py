"""The graph's vocabulary and IRI spaces. MK is a DefinedNamespace, so a mistyped term is an error."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

BASE = "https://w3id.org/mkgraph/"


class MK(DefinedNamespace):
    """Terms of the mkgraph ontology (ontology/mkgraph.ttl)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # kinds
    System: URIRef
    OperatingSystem: URIRef
    Kernel: URIRef
    Microkernel: URIRef
    SeparationKernel: URIRef
    Hypervisor: URIRef
    OSFramework: URIRef
    ListedProject: URIRef
    KernelFamily: URIRef
    # vocabularies
    ProgrammingLanguage: URIRef
    Architecture: URIRef
    Trait: URIRef
    Interface: URIRef
    Source: URIRef
    Agent: URIRef
    Organisation: URIRef
    Person: URIRef
    Status: URIRef
    # lineage
    descendsFrom: URIRef
    ancestorOf: URIRef
    basedOn: URIRef
    derivedFrom: URIRef
    inspiredBy: URIRef
    memberOfFamily: URIRef
    compatibleWith: URIRef
    # description
    implementedIn: URIRef
    supportsArchitecture: URIRef
    hasTrait: URIRef
    developedBy: URIRef
    ownedBy: URIRef
    startYear: URIRef
    firstRelease: URIRef
    latestActivity: URIRef
    status: URIRef
    # provenance
    readOn: URIRef
    validFrom: URIRef
    validUntil: URIRef
    commit: URIRef


SYSTEM = Namespace(BASE + "system/")
LANGUAGE = Namespace(BASE + "language/")
ARCHITECTURE = Namespace(BASE + "architecture/")
TRAIT = Namespace(BASE + "trait/")
INTERFACE = Namespace(BASE + "interface/")
FAMILY = Namespace(BASE + "family/")
AGENT = Namespace(BASE + "agent/")
SOURCE = Namespace(BASE + "source/")
STATUS = Namespace(BASE + "status/")
DOAP = Namespace("http://usefulinc.com/ns/doap#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SPDX = Namespace("http://spdx.org/licenses/")
WD = Namespace("http://www.wikidata.org/entity/")

LINEAGE_RELATIONS = (MK.basedOn, MK.derivedFrom, MK.inspiredBy)

# Prefixes bound on every graph mkgraph builds, and offered to every query.
PREFIXES: dict[str, str] = {
    "mk": str(MK._NS),
    "sys": str(SYSTEM),
    "lang": str(LANGUAGE),
    "arch": str(ARCHITECTURE),
    "trait": str(TRAIT),
    "iface": str(INTERFACE),
    "family": str(FAMILY),
    "agent": str(AGENT),
    "source": str(SOURCE),
    "status": str(STATUS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "doap": str(DOAP),
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "spdx": str(SPDX),
    "wd": str(WD),
    "sh": "http://www.w3.org/ns/shacl#",
}


def bind_prefixes(graph) -> None:
    """Bind mkgraph's prefixes on a graph (replacing rdflib's defaults of the same name)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
