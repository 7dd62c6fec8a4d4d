"""Splitting a graph into pieces rudof can validate one at a time: so validation's memory is
bounded by the piece, not the graph (rudof keeps its own in-memory copy of whatever it is given),
and so a piece whose content did not change need not be validated again
(mkgraph.checks.incremental).

This is sound only for shapes whose every constraint looks at the focus node's own triples and at
the types of its values (shacl.shapes_are_local decides). The unit is one subject: its own triples
and the rdf:type triples of the nodes they point at; a piece is some units and every
rdfs:subClassOf triple. A problem counts only for a focus node whose own triples are in the piece;
the other nodes a piece mentions (typed values can be focus nodes too) are validated as their own
unit.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUB_CLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
_RDF_TYPE, _SUB_CLASS_OF = f"<{RDF_TYPE.value}>", f"<{SUB_CLASS_OF.value}>"
CHUNK_TRIPLES = 25_000  # rudof needs about 8 KB a triple: pieces this size keep 1M under 1 GB


@dataclass
class Units:
    """A graph by subject, as N-Triples lines: each subject's own triples, the nodes its triples
    point at, each node's rdf:type triples, and the class hierarchy."""

    own: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    types: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    hierarchy: list[str] = field(default_factory=list)

    def value_types(self, subject: str) -> list[str]:
        return [
            line for value in self.values.get(subject, ()) for line in self.types.get(value, ())
        ]

    def digest(self, subject: str) -> str:
        """What rudof sees of this subject, as a hash: its triples and its values' types (the
        hierarchy and the shapes are the same for every subject, hashed once by the caller)."""
        lines = sorted(self.own[subject])
        lines.append("|")
        lines += sorted(self.value_types(subject))
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:32]

    def size(self, subject: str) -> int:
        return len(self.own[subject]) + len(self.value_types(subject))


def units(store: ox.Store) -> Units:
    """One pass over the store's default graph, written out by Oxigraph as N-Triples: one triple
    a line, terms separated by single spaces (no IRI or blank node label holds a space)."""
    found = Units()
    own, values, types = found.own, found.values, found.types
    hierarchy = found.hierarchy
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    # the hot loop at a million triples: _key written out, each line split once
    for line in text.decode("utf-8").splitlines():
        subject, predicate, rest = line.split(" ", 2)
        key = subject[1:-1] if subject[0] == "<" else subject
        own[key].append(line)
        first = rest[0]
        if first == "<":  # "<iri> ."
            values[key].add(rest[1:-3])
        elif first == "_":  # "_:label ."
            values[key].add(rest[:-2])
        if predicate == _RDF_TYPE:
            types[key].append(line)
        elif predicate == _SUB_CLASS_OF:
            hierarchy.append(line)
    hierarchy.sort()
    return found


def _key(term: str) -> str:
    """An N-Triples IRI or blank node as rudof names it (see name())."""
    return term[1:-1] if term.startswith("<") else term


def pieces(
    found: Units, subjects: Iterable[str], size: int = CHUNK_TRIPLES
) -> Iterator[tuple[set[str], str]]:
    """(the subjects whose triples are in the piece, the piece as N-Triples) for pieces of about
    `size` triples holding the given subjects."""
    current: set[str] = set()
    count = 0
    for subject in subjects:
        current.add(subject)
        count += found.size(subject)
        if count >= size:
            yield current, _text(found, current)
            current, count = set(), 0
    if current:
        yield current, _text(found, current)


def _text(found: Units, subjects: set[str]) -> str:
    own = [line for subject in subjects for line in found.own[subject]]
    types = dict.fromkeys(line for subject in subjects for line in found.value_types(subject))
    return "\n".join([*own, *types, *found.hierarchy, ""])


def name(term) -> str:
    """A node as rudof names it in its report: the IRI, _:label for a blank node (rudof keeps
    our labels), the text of a literal."""
    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value
