"""The compact provenance form, written: a graph with reified provenance turned into canonical TriG.

The inverse of mkgraph.store.expand. Each rdf:Statement that only annotates one asserted fact is folded
into a named graph: facts whose only annotation is one source go under that source's graph name,
written once for all of them; a fact with anything more (a note, validity dates, a support level,
several sources) gets a blank graph name whose annotations follow it on the same line. Anything
else (a statement about a fact the file does not assert, a statement used as a value) is kept as is.

The text is canonical, so a reviewer's diff shows only what changed, and compact (a project of twenty
sourced facts in well under sixty lines), losing nothing: the prefixes the file uses, several to a
line; then the default graph's subjects, a source one record a line; the source graphs, several facts
to a line; the annotated facts, one a line with their annotations. Each part is sorted, and what is
not one record a line is filled into lines of at most 100 characters.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from mkgraph.core.namespaces import MK, PROV
from mkgraph.core.prefixes import PREFIXES

_STRUCTURE = (RDF.subject, RDF.predicate, RDF.object)
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_ONE_LINE = 100
_NEXT_SUBJECT = " . "

Fact = tuple  # (subject, predicate, object)
Annotation = frozenset  # of (predicate, object) pairs


@dataclass
class Compact:
    """One file's graph in the compact form."""

    default: list[tuple] = field(default_factory=list)  # triples outside any named graph
    by_source: dict[URIRef, list[Fact]] = field(default_factory=dict)
    annotated: dict[Annotation, list[Fact]] = field(default_factory=dict)

    @property
    def has_named_graphs(self) -> bool:
        return bool(self.by_source or self.annotated)


def _foldable(graph: Graph, node) -> tuple[Fact, Annotation] | None:
    """The fact and annotations of a statement node that the compact form can carry, else None."""
    if not isinstance(node, BNode) or (None, None, node) in graph:
        return None
    parts = [list(graph.objects(node, p)) for p in _STRUCTURE]
    if any(len(values) != 1 for values in parts):
        return None
    fact = (parts[0][0], parts[1][0], parts[2][0])
    if fact not in graph:
        return None
    annotation = frozenset(
        (p, o)
        for p, o in graph.predicate_objects(node)
        if p not in _STRUCTURE and (p, o) != (RDF.type, RDF.Statement)
    )
    if not any(p == PROV.wasDerivedFrom for p, _ in annotation):
        return None  # a statement without a source says nothing a named graph could
    if any(isinstance(o, BNode) for _, o in annotation):
        return None
    return fact, annotation


def compact(graph: Graph) -> Compact:
    """Fold the foldable statements of a (reified) graph into named graphs."""
    result = Compact()
    by_source: dict[URIRef, set] = defaultdict(set)
    annotated: dict[Annotation, set] = defaultdict(set)
    folded_nodes: set = set()
    sourced: set = set()
    for node in set(graph.subjects(RDF.type, RDF.Statement)):
        found = _foldable(graph, node)
        if found is None:
            continue
        fact, annotation = found
        folded_nodes.add(node)
        sourced.add(fact)
        (only,) = annotation if len(annotation) == 1 else (None,)
        if only is not None and isinstance(only[1], URIRef):
            by_source[only[1]].add(fact)
        else:
            annotated[annotation].add(fact)
    result.default = [
        (s, p, o) for s, p, o in graph if s not in folded_nodes and (s, p, o) not in sourced
    ]
    result.by_source = {source: sorted(facts) for source, facts in by_source.items()}
    result.annotated = {a: sorted(facts) for a, facts in annotated.items()}
    return result


class _Writer:
    def __init__(self) -> None:
        self.used: set[str] = set()
        self.blank_labels: dict = {}

    def term(self, term) -> str:
        if isinstance(term, URIRef):
            for prefix, namespace in PREFIXES.items():
                local = str(term)[len(namespace) :]
                if str(term).startswith(namespace) and _LOCAL.match(local):
                    self.used.add(prefix)
                    return f"{prefix}:{local}"
            return f"<{term}>"
        if isinstance(term, Literal):
            if term.datatype is not None:
                lexical = Literal(str(term)).n3()
                return f"{lexical}^^{self.term(term.datatype)}"
            return term.n3()
        return f"_:{self.blank_labels.setdefault(term, f'b{len(self.blank_labels) + 1}')}"

    def predicate(self, term) -> str:
        return "a" if term == RDF.type else self.term(term)

    def predicate_lines(self, pairs: list[tuple]) -> list[str]:
        """'predicate object, object' for each predicate: rdf:type, the source, then by name."""
        grouped: dict = defaultdict(list)
        for p, o in pairs:
            grouped[p].append(o)
        rank = {RDF.type: 0, RDFS.label: 1, PROV.wasDerivedFrom: 2}
        order = sorted(grouped, key=lambda p: (rank.get(p, 3), self.predicate(p)))
        return [
            f"{self.predicate(p)} {', '.join(sorted(self.term(o) for o in grouped[p]))}"
            for p in order
        ]

    def statements(self, by_subject: dict) -> list[tuple[str, str]]:
        """(separator, text) pieces: each subject's predicates joined by ' ; ', subjects by ' . '."""
        pieces: list[tuple[str, str]] = []
        for subject in sorted(by_subject, key=_subject_key):
            items = self.predicate_lines(by_subject[subject])
            pieces.append((_NEXT_SUBJECT, f"{self.term(subject)} {items[0]}"))
            pieces += [(" ; ", item) for item in items[1:]]
        return pieces

    def one_line(self, subject: str, pairs: list[tuple]) -> str:
        """A record on one line, however long: a source, or a fact's annotations."""
        return f"{subject} {' ; '.join(self.predicate_lines(pairs))} ."


def _fill(
    opening: str, pieces: list[tuple[str, str]], closing: str, indent: str = "    "
) -> list[str]:
    """opening + pieces + closing, filled into lines of at most 100 characters (a piece longer
    than that gets a line of its own, and so does each further subject); a line that goes on ends
    in its separator."""
    lines = [opening + pieces[0][1]]
    for index, (separator, text) in enumerate(pieces[1:], start=1):
        tail = closing if index == len(pieces) - 1 else pieces[index + 1][0].rstrip()
        fits = len(lines[-1]) + len(separator) + len(text) + len(tail) <= _ONE_LINE
        if fits and separator != _NEXT_SUBJECT:
            lines[-1] += separator + text
        else:
            lines[-1] += separator.rstrip()
            lines.append(indent + text)
    lines[-1] += closing
    return lines


def _subject_key(term) -> tuple:
    return (isinstance(term, BNode), str(term))


def _fact_key(fact: Fact) -> tuple:
    return tuple(str(t) for t in fact)


def _prefix_lines(names: set[str]) -> list[str]:
    declarations = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in sorted(names)]
    if not declarations:
        return []
    return _fill("", [(" ", d) for d in declarations], "", indent="")


def prefix_block(*names: str) -> str:
    """The PREFIX lines a file using these prefixes starts with, in the canonical layout."""
    return "".join(line + "\n" for line in _prefix_lines(set(names)))


def write(graph: Graph) -> str:
    """Canonical TriG text for one file's (reified) graph."""
    shape = compact(graph)
    writer = _Writer()
    sections: list[list[str]] = []
    sources = set(graph.subjects(RDF.type, MK.Source))

    subjects: dict = defaultdict(list)
    for s, p, o in shape.default:
        subjects[s].append((p, o))
    # Blank nodes outside the compact form (kept reified statements) are named in content order.
    for node in sorted(
        (s for s in subjects if isinstance(s, BNode)),
        key=lambda n: sorted((str(p), str(o)) for p, o in subjects[n]),
    ):
        writer.term(node)
    described: list[str] = []
    for subject in sorted(subjects, key=lambda s: (isinstance(s, BNode), writer.term(s))):
        if subject in sources:
            described.append(writer.one_line(writer.term(subject), subjects[subject]))
            continue
        items = writer.predicate_lines(subjects[subject])
        opening = f"{writer.term(subject)} "
        described += _fill(opening, [(" ; ", item) for item in items], " .")
    if described:
        sections.append(described)

    graphs: list[str] = []
    for source in sorted(shape.by_source, key=str):
        by_subject: dict = defaultdict(list)
        for s, p, o in shape.by_source[source]:
            by_subject[s].append((p, o))
        graphs += _fill(f"{writer.term(source)} {{ ", writer.statements(by_subject), " }")
    if graphs:
        sections.append(graphs)

    annotated_lines: list[str] = []
    counters: dict[str, int] = defaultdict(int)
    ordered = sorted(
        shape.annotated.items(),
        key=lambda item: (_fact_key(item[1][0]), sorted((str(p), str(o)) for p, o in item[0])),
    )
    for annotation, facts in ordered:
        local = re.sub(r"[^A-Za-z0-9_-]", "", re.split(r"[/#]", str(facts[0][1]))[-1])
        counters[local or "fact"] += 1
        label = f"_:{local or 'fact'}-{counters[local or 'fact']}"
        stated = " . ".join(
            f"{writer.term(s)} {writer.predicate_lines([(p, o)])[0]}" for s, p, o in facts
        )
        annotated_lines.append(f"{label} {{ {stated} }} {writer.one_line(label, list(annotation))}")
    if annotated_lines:
        sections.append(annotated_lines)

    prefixes = _prefix_lines(writer.used)
    return "\n\n".join("\n".join(section) for section in [prefixes, *sections]) + "\n"
