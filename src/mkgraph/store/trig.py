"""The compact provenance form, written: a graph with reified provenance turned into canonical TriG.

The inverse of mkgraph.store.expand. Each rdf:Statement that only annotates one asserted fact is folded
into a named graph: facts whose only annotation is one source go under that source's graph name,
written once for all of them; a fact with anything more (a note, validity dates, a support level,
several sources) gets a blank graph name whose annotations follow it on the next line. Anything
else (a statement about a fact the file does not assert, a statement used as a value) is kept as is.

The text is canonical: the prefixes used, then the default graph's subjects, the source graphs and
the annotated facts, each sorted and filled into lines of at most 100 characters, so a reviewer's
diff shows only what changed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from mkgraph.core.namespaces import PROV
from mkgraph.core.prefixes import PREFIXES

_STRUCTURE = (RDF.subject, RDF.predicate, RDF.object)
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_ONE_LINE = 100

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

    def block(self, subject, pairs: list[tuple], indent: str = "") -> list[str]:
        """One subject, its predicates filled into lines of at most 100 characters (a predicate
        longer than that gets a line of its own)."""
        items = self.predicate_lines(pairs)
        lines = [f"{indent}{self.term(subject)} {items[0]}"]
        for item in items[1:]:
            if len(lines[-1]) + 3 + len(item) <= _ONE_LINE:
                lines[-1] += f" ; {item}"
            else:
                lines[-1] += " ;"
                lines.append(f"{indent}    {item}")
        lines[-1] += " ."
        return lines


def _subject_key(term) -> tuple:
    return (isinstance(term, BNode), str(term))


def _fact_key(fact: Fact) -> tuple:
    return tuple(str(t) for t in fact)


def write(graph: Graph) -> str:
    """Canonical TriG text for one file's (reified) graph."""
    shape = compact(graph)
    writer = _Writer()
    sections: list[list[str]] = []

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
        described += writer.block(subject, subjects[subject])
    if described:
        sections.append(described)

    graphs: list[str] = []
    for source in sorted(shape.by_source, key=str):
        facts = shape.by_source[source]
        by_subject: dict = defaultdict(list)
        for s, p, o in facts:
            by_subject[s].append((p, o))
        name = writer.term(source)
        if len(by_subject) == 1:
            ((subject, pairs),) = by_subject.items()
            lines = writer.predicate_lines(pairs)
            single = f"{name} {{ {writer.term(subject)} {' ; '.join(lines)} }}"
            if len(lines) == 1 or len(single) <= _ONE_LINE:
                graphs.append(single)
                continue
        body = []
        for subject in sorted(by_subject, key=_subject_key):
            body += writer.block(subject, by_subject[subject], indent="    ")
        graphs += [f"{name} {{", *body, "}"]
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
        annotated_lines.append(f"{label} {{ {stated} }}")
        annotated_lines.append(
            f"{label} " + " ; ".join(writer.predicate_lines(list(annotation))) + " ."
        )
    if annotated_lines:
        sections.append(annotated_lines)

    prefixes = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in sorted(writer.used)]
    return "\n\n".join("\n".join(section) for section in [prefixes, *sections]) + "\n"
