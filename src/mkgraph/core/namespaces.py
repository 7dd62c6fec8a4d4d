"""The graph's vocabulary and IRI spaces. MK is a DefinedNamespace, so a mistyped term is an error."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

from mkgraph.core.prefixes import BASE, LINEAGE_RELATION_NAMES, PREFIXES


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
    SupportLevel: URIRef
    SourceKind: URIRef
    # lineage
    descendsFrom: URIRef
    ancestorOf: URIRef
    basedOn: URIRef
    derivedFrom: URIRef
    inspiredBy: URIRef
    reimplements: URIRef
    memberOfFamily: URIRef
    compatibleWith: URIRef
    # description
    implementedIn: URIRef
    supportsArchitecture: URIRef
    hasTrait: URIRef
    developedBy: URIRef
    ownedBy: URIRef
    startYear: URIRef
    firstAppeared: URIRef
    firstCommit: URIRef
    announced: URIRef
    firstRelease: URIRef
    openSourced: URIRef
    licenceExpression: URIRef
    portInProgress: URIRef
    latestActivity: URIRef
    status: URIRef
    # provenance
    readOn: URIRef
    copyTakenOn: URIRef
    validFrom: URIRef
    validUntil: URIRef
    supportLevel: URIRef
    levelSince: URIRef
    sourceKind: URIRef
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
SOURCE_KIND = Namespace(BASE + "source-kind/")
DOAP = Namespace("http://usefulinc.com/ns/doap#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SPDX = Namespace("http://spdx.org/licenses/")
WD = Namespace("http://www.wikidata.org/entity/")

# The kinds of inheritance between systems, strongest first: code built on, code taken, interface
# re-implemented in new code, ideas taken.
LINEAGE_RELATIONS = tuple(MK[term] for term in LINEAGE_RELATION_NAMES.values())


def bind_prefixes(graph) -> None:
    """Bind mkgraph's prefixes on a graph (replacing rdflib's defaults of the same name)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
