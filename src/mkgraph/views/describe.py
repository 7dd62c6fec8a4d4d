"""Everything the graph says about one resource, what points at it, and where each fact comes from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from mkgraph.core.namespaces import PROV
from mkgraph.store.names import label

# Names for the borrowed vocabulary's terms, which the ontology does not label.
PREDICATE_NAMES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "kind",
    "http://www.w3.org/2000/01/rdf-schema#label": "name",
    "http://www.w3.org/2004/02/skos/core#altLabel": "other name",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "same as",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/license": "licence",
    "http://purl.org/dc/terms/source": "listed in",
    "http://usefulinc.com/ns/doap#homepage": "homepage",
    "https://schema.org/codeRepository": "repository",
}


def _predicate_label(graph: Graph, predicate: Node) -> str:
    return PREDICATE_NAMES.get(str(predicate)) or label(graph, predicate)


@dataclass
class Fact:
    predicate: Node
    predicate_label: str
    value: Node
    value_label: str
    sources: list[str] = field(default_factory=list)
    # with history: when the fact held, each spell in the order of time ("until 2017", "since
    # 2017", "2009 to 2015-07-01; since 2019-02-11")
    period: str | None = None
    level: str | None = None  # a port's support level (mature, experimental, broken, historic)


@dataclass
class Description:
    resource: URIRef
    name: str
    facts: list[Fact]
    incoming: list[Fact]  # value is the subject pointing at the resource
    hidden_history: int = 0  # facts left out because their period has ended


def sources_of(graph: Graph, s: Node, p: Node, o: Node) -> list[str]:
    """Labels of the sources that support one triple, via its rdf:Statement nodes."""
    found = set()
    for statement in graph.subjects(RDF.subject, s):
        if (statement, RDF.predicate, p) in graph and (statement, RDF.object, o) in graph:
            for source in graph.objects(statement, PROV.wasDerivedFrom):
                found.add(label(graph, source))
    return sorted(found)


def statement_levels(graph: Graph, statement: Node) -> set[str]:
    """The support levels one statement gives, each with the day it began where the statement
    says so (mk:levelSince): "broken since 2022-10-27", "experimental"."""
    from mkgraph.core.namespaces import MK

    since = graph.value(statement, MK.levelSince)
    after = f" since {since}" if since is not None else ""
    return {
        label(graph, level) + after
        for level in graph.objects(statement, MK.supportLevel)
        if isinstance(level, URIRef)
    }


def levels_of(graph: Graph, s: Node, p: Node, o: Node, today: bool = False) -> str | None:
    """The support levels the statements of one triple give (ports only); with today=True only
    those of the statements that hold today (a port historic in 2016 and experimental since 2022
    is experimental)."""
    from mkgraph.store.periods import TODAY, span

    now = span(TODAY)
    found = {
        level
        for statement, spell in _statements(graph, s, p, o)
        if not today or spell.covers(now)
        for level in statement_levels(graph, statement)
    }
    return ", ".join(sorted(found)) or None


def _statements(graph: Graph, s: Node, p: Node, o: Node):
    """Each statement of one triple with the period it gives (an open one where it gives none)."""
    from mkgraph.store.periods import statement_period

    for statement in graph.subjects(RDF.subject, s):
        if (statement, RDF.predicate, p) in graph and (statement, RDF.object, o) in graph:
            yield statement, statement_period(graph, statement)


def spells_with_levels(graph: Graph, s: Node, p: Node, o: Node) -> str | None:
    """A port's spells each with its own level, where its spells differ in level ("2015-04-20 to
    2016-08-13 (historic); since 2022-08-12 (experimental)"); None where one level list serves
    them all. A statement without a period gives its levels to the spell that holds today (or
    the latest)."""
    from mkgraph.store.periods import TODAY, span, spells

    told: list = []  # each dated statement's period
    levels: dict[tuple, set[str]] = defaultdict(set)  # by spell (Period.days)
    undated: set[str] = set()
    for statement, spell in _statements(graph, s, p, o):
        if spell.valid_from or spell.valid_until or spell.dropped:
            told.append(spell)
            levels[spell.days()] |= statement_levels(graph, statement)
        else:
            undated |= statement_levels(graph, statement)
    ordered = spells(told)  # each once, in the order of time
    if len(ordered) < 2:
        return None
    now = span(TODAY)
    for spell in [spell for spell in ordered if spell.covers(now)] or ordered[-1:]:
        levels[spell.days()] |= undated
    if len({frozenset(found) for found in levels.values()}) < 2:
        return None
    return "; ".join(
        spell.text()
        + (f" ({', '.join(sorted(levels[spell.days()]))})" if levels[spell.days()] else "")
        for spell in ordered
    )


def describe(
    graph: Graph,
    resource: URIRef,
    periods: dict | None = None,
    hidden: int = 0,
) -> Description:
    """The resource's facts and what points at it. With `periods` (mkgraph.store.periods.periods_by_fact)
    each dated fact says when it held; `hidden` counts the facts of history left out."""
    from mkgraph.store.periods import text

    periods = periods or {}

    def when(s: Node, p: Node, o: Node) -> str | None:
        """Its spells, in the order of time: "2009 to 2015-07-01; since 2019-02-11"."""
        return text(periods.get((s, p, o), []))

    facts = []
    for p, o in graph.predicate_objects(resource):
        value_label = str(o) if isinstance(o, Literal) else label(graph, o)
        period, level = when(resource, p, o), levels_of(graph, resource, p, o, today=not periods)
        each = spells_with_levels(graph, resource, p, o) if periods else None
        if each:  # spells of different levels: each says its own
            period, level = each, None
        facts.append(
            Fact(
                p,
                _predicate_label(graph, p),
                o,
                value_label,
                sources_of(graph, resource, p, o),
                period,
                level,
            )
        )
    incoming = []
    for s, p in graph.subject_predicates(resource):
        if (s, RDF.type, RDF.Statement) in graph:
            continue  # a statement node about a fact, not a resource pointing here
        incoming.append(
            Fact(
                p,
                _predicate_label(graph, p),
                s,
                label(graph, s),
                sources_of(graph, s, p, resource),
                when(s, p, resource),
            )
        )

    def order(f):  # names that differ only in case ("ARM64", "arm64") in one order every run
        return (f.predicate_label.casefold(), f.value_label.casefold(), f.value_label)

    return Description(
        resource,
        label(graph, resource),
        sorted(facts, key=order),
        sorted(incoming, key=order),
        hidden,
    )


def render(description: Description) -> str:
    lines = [f"{description.name}  <{description.resource}>"]
    grouped: dict[str, list[Fact]] = defaultdict(list)
    for fact in description.facts:
        grouped[fact.predicate_label].append(fact)
    width = max((len(k) for k in grouped), default=0)
    for predicate, facts in grouped.items():
        for index, fact in enumerate(facts):
            key = predicate if index == 0 else ""
            cited = f"  [{'; '.join(fact.sources)}]" if fact.sources else ""
            held = f" ({fact.period})" if fact.period else ""
            level = f" ({fact.level})" if fact.level else ""
            lines.append(f"  {key.ljust(width)}  {fact.value_label}{level}{held}{cited}")
    if description.incoming:
        lines.append("Pointed at by:")
        for fact in description.incoming:
            cited = f"  [{'; '.join(fact.sources)}]" if fact.sources else ""
            held = f" ({fact.period})" if fact.period else ""
            lines.append(
                f"  {fact.value_label} {fact.predicate_label} {description.name}{held}{cited}"
            )
    if description.hidden_history:
        count = description.hidden_history
        lines.append(
            f"({count} fact{'s' if count != 1 else ''} of history not shown (period ended): "
            "add --history)"
        )
    return "\n".join(lines)


def subgraph(graph: Graph, resource: URIRef) -> Graph:
    """The resource's own triples, the statement nodes about them, and the triples pointing at it."""
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    for triple in graph.triples((resource, None, None)):
        out.add(triple)
    for statement in graph.subjects(RDF.subject, resource):
        out += graph.triples((statement, None, None))
    for s, p in graph.subject_predicates(resource):
        out.add((s, p, resource))
    return out
