"""Kernel family trees: who descends from whom, and by which kind of inheritance.

Works on the asserted graph (basedOn / derivedFrom / reimplements / inspiredBy edges), so answers are complete
with or without materialised inference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from mkgraph.core.namespaces import DOAP, LINEAGE_RELATIONS, MK
from mkgraph.core.prefixes import LINEAGE_RELATION_NAMES
from mkgraph.store.names import label
from mkgraph.store.periods import BEGINNINGS
from mkgraph.views.describe import spells_with_levels, statement_levels

RELATION_NAMES = {name: MK[term] for name, term in LINEAGE_RELATION_NAMES.items()}


@dataclass(frozen=True)
class Edge:
    child: URIRef  # the system that descends
    relation: URIRef
    parent: URIRef  # the system it descends from
    ended: str | None = None  # a link that no longer holds: its period ("until 2025")


@dataclass
class TreeNode:
    system: URIRef
    name: str
    relation: str | None = None  # how this node relates to its parent in the tree
    children: list[TreeNode] = field(default_factory=list)
    repeated: bool = False  # already shown elsewhere in this tree
    ended: str | None = None  # the link to the parent no longer holds: its period
    direction: str = "descendants"  # descendants: children descend from this node
    when: str | None = None  # the year that places it in time, labelled: "started 2006"

    @property
    def shown(self) -> str:
        """The name with its year, as the tree shows it: "L4/Fiasco (first appeared 1998)"."""
        return f"{self.name} ({self.when})" if self.when else self.name


# Each lineage link read as a sentence, descendant first: "Genode is based on seL4"; a link
# that has ended in the past tense, with its period: "Ares was based on Helios until 2025".
SENTENCE_VERBS = {
    "based on": "is based on",
    "derived from": "is derived from",
    "re-implements": "re-implements",
    "inspired by": "is inspired by",
}
ENDED_VERBS = {
    "based on": "was based on",
    "derived from": "was derived from",
    "re-implements": "re-implemented",
    "inspired by": "was inspired by",
}


def sentence(descendant: str, relation: str, ancestor: str, ended: str | None = None) -> str:
    # ended: "until 2025", "2009 to 2020", "until 2009; 2015 to 2020" (mkgraph.store.periods.text)
    if ended:
        when = " and ".join(
            f"from {spell}" if " to " in spell else spell for spell in ended.split("; ")
        )
        return f"{descendant} {ENDED_VERBS[relation]} {ancestor} {when}"
    return f"{descendant} {SENTENCE_VERBS[relation]} {ancestor}"


def empty_note(name: str, direction: str) -> str:
    """What an empty answer says, instead of a lone node."""
    what = {"descendants": "descendants", "ancestors": "ancestors"}.get(direction, "lineage links")
    return f"{name} has no {what} in the graph"


def edges(graph: Graph, relations=LINEAGE_RELATIONS, periods: dict | None = None) -> list[Edge]:
    """Every lineage link, those that have ended included, each of them marked with its period:
    lineage is descent, and a system that was once based on another still descends from it
    (README, "Lineage and time"). `periods`: the graph's periods_by_fact, where already read."""
    ended = ended_links(graph, periods)
    found = [
        Edge(s, p, o, ended.get((s, p, o)))
        for p in relations
        for s, o in graph.subject_objects(p)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    ]
    return sorted(found, key=lambda e: (str(e.parent), str(e.relation), str(e.child)))


def ended_links(graph: Graph, periods: dict | None = None) -> dict[tuple, str]:
    """The lineage links that do not hold today (mkgraph.store.periods), with their periods."""
    from mkgraph.store.periods import TODAY, holds, periods_by_fact, span, text

    today = span(TODAY)
    found = periods if periods is not None else periods_by_fact(graph)
    return {
        fact: text(stated) or ""
        for fact, stated in found.items()
        if fact[1] in LINEAGE_RELATIONS and not holds(stated, today)
    }


def tree(
    graph: Graph,
    root: URIRef,
    direction: str = "descendants",
    relations=LINEAGE_RELATIONS,
    depth: int | None = None,
) -> TreeNode:
    """The tree below (descendants) or above (ancestors) one system; shared nodes shown once."""
    links: dict[URIRef, list[tuple[URIRef, URIRef, str | None]]] = defaultdict(list)
    for edge in edges(graph, relations):
        if direction == "descendants":
            links[edge.parent].append((edge.relation, edge.child, edge.ended))
        else:
            links[edge.child].append((edge.relation, edge.parent, edge.ended))

    def when(system: URIRef) -> str | None:
        found = dated(graph, system)
        return f"{found[1]} {found[0]}" if found else None

    seen: set[URIRef] = set()
    # Depth first, in a loop rather than by recursion: a chain of thousands of generations is
    # data, not a reason to run out of stack.
    top = TreeNode(root, label(graph, root), direction=direction, when=when(root))
    pending: list[tuple[TreeNode, int]] = [(top, 0)]
    while pending:
        node, level = pending.pop()
        if node.system in seen:
            node.repeated = True
            continue
        seen.add(node.system)
        if depth is None or level < depth:
            ordered = sorted(
                links.get(node.system, []), key=lambda rc: label(graph, rc[1]).casefold()
            )
            node.children = [
                TreeNode(
                    child,
                    label(graph, child),
                    RELATION_LABELS.get(rel, label(graph, rel)),
                    when=when(child),
                    ended=ended,
                )
                for rel, child, ended in ordered
            ]
            pending.extend((child, level + 1) for child in reversed(node.children))
    return top


def render_tree(node: TreeNode, ascii_only: bool = False, heading: str | None = None) -> str:
    """A tree in the terminal; each line under a system is a sentence about that link, the
    descendant first ("Genode is based on seL4"), in both directions. The system a line adds to
    the tree (and the root, on the first line) carries its year and which date that is
    ("L4/Fiasco (first appeared 1998) re-implements L4"); a system shown again does not. An
    empty answer says so. `heading` replaces the first line only (e.g. "seL4 (ancestors)")."""
    if not node.children:
        return empty_note(node.name, node.direction)
    branch, last, pipe, space = (
        ("|-- ", "`-- ", "|   ", "    ") if ascii_only else ("├── ", "└── ", "│   ", "    ")
    )
    lines = [heading or node.shown]
    pending: list[tuple[TreeNode, str, bool, TreeNode]] = [
        (child, "", index == len(node.children) - 1, node)
        for index, child in reversed(list(enumerate(node.children)))
    ]
    while pending:
        child, prefix, is_last, parent = pending.pop()
        relation = child.relation or "based on"
        added = child.name if child.repeated else child.shown
        if node.direction == "descendants":
            text = sentence(added, relation, parent.name, child.ended)
        else:
            text = sentence(parent.name, relation, added, child.ended)
        if child.repeated:
            text += " (shown above)"
        lines.append(prefix + (last if is_last else branch) + text)
        inner = prefix + (space if is_last else pipe)
        pending.extend(
            (grandchild, inner, index == len(child.children) - 1, child)
            for index, grandchild in reversed(list(enumerate(child.children)))
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- views for drawings


@dataclass
class SystemNode:
    """One system in a drawing, with the facts a reader wants when they click it."""

    system: URIRef
    name: str
    listed: bool
    homepage: str | None = None
    year: int | None = None  # where the time axis places it (see `dated`)
    year_kind: str | None = None  # which date that year is: "started", "first appeared", ...
    clan: str = ""  # the kernel family as the data states it (mk:memberOfFamily), "" if none
    facts: dict[str, list[str]] = field(default_factory=dict)
    other_names: list[str] = field(default_factory=list)  # skos:altLabel: search finds these too
    sources: dict[str, list[str]] = field(default_factory=dict)  # per fact name, who says so
    # per fact name, each value with its period ("until 2017"; None: no period stated), whether
    # it holds today, and its sources: history included, for the facts panel
    statements: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A short identifier, safe in DOT, Mermaid and HTML ids."""
        return "n_" + "".join(
            c if c.isalnum() else "_" for c in str(self.system).rsplit("/", 1)[-1]
        )


@dataclass
class LineageView:
    nodes: dict[URIRef, SystemNode]
    edges: list[Edge]
    note: str | None = None  # what an empty answer says ("seL4 has no ancestors in the graph")

    def relation_name(self, edge: Edge) -> str:
        return RELATION_LABELS[edge.relation]


RELATION_LABELS = {
    MK.basedOn: "based on",
    MK.derivedFrom: "derived from",
    MK.reimplements: "re-implements",
    MK.inspiredBy: "inspired by",
}
_FACT_PREDICATES = {
    "kind": RDF.type,
    "description": DCTERMS.description,
    "languages": MK.implementedIn,
    "architectures": MK.supportsArchitecture,
    "traits": MK.hasTrait,
    "licences": DCTERMS.license,
    "developed by": MK.developedBy,
    "start year": MK.startYear,
    "first appeared": MK.firstAppeared,
    "status": MK.status,
}


def _said(graph: Graph, system: URIRef) -> dict[tuple, tuple[set[str], set[str]]]:
    """Who says each fact about one system, and the support levels they give, by (predicate,
    object): one pass over the system's statement nodes (rather than one per fact)."""
    from mkgraph.core.namespaces import PROV

    found: dict[tuple, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for statement in graph.subjects(RDF.subject, system):
        key = (graph.value(statement, RDF.predicate), graph.value(statement, RDF.object))
        sources, levels = found[key]
        sources.update(label(graph, s) for s in graph.objects(statement, PROV.wasDerivedFrom))
        levels.update(statement_levels(graph, statement))
    return found


def _sources(graph: Graph, system: URIRef, said: dict) -> dict[str, list[str]]:
    found = {}
    for name, predicate in _FACT_PREDICATES.items():
        sources = sorted(
            {
                src
                for o in graph.objects(system, predicate)
                for src in said.get((predicate, o), (set(), set()))[0]
            }
        )
        if sources:
            found[name] = sources
    return found


def _facts(graph: Graph, system: URIRef) -> dict[str, list[str]]:
    facts = {}
    for name, predicate in _FACT_PREDICATES.items():
        values = sorted(
            {
                str(o) if isinstance(o, Literal) else label(graph, o)
                for o in graph.objects(system, predicate)
                if not (predicate == RDF.type and o == MK.ListedProject)
            }
        )
        if values:
            facts[name] = values
    return facts


def _statements(
    graph: Graph, system: URIRef, said: dict, periods: dict, today: tuple
) -> dict[str, list[dict]]:
    """Each fact's values with their periods, support levels and sources, ended facts included."""
    from mkgraph.store.periods import holds, text

    found: dict[str, list[dict]] = {}
    for name, predicate in _FACT_PREDICATES.items():
        values = []
        for o in graph.objects(system, predicate):
            if predicate == RDF.type and o == MK.ListedProject:
                continue
            held = periods.get((system, predicate, o), [])
            sources, levels = said.get((predicate, o), (set(), set()))
            period, level = text(held), ", ".join(sorted(levels)) or None
            if len(held) > 1 and levels:  # spells of different levels: each says its own
                each = spells_with_levels(graph, system, predicate, o)
                period, level = (each, None) if each else (period, level)
            values.append(
                {
                    "value": str(o) if isinstance(o, Literal) else label(graph, o),
                    "period": period,  # each spell, in the order of time
                    "level": level,  # a port's support level
                    "current": holds(held, today),
                    "sources": sorted(sources),
                }
            )
        if values:
            found[name] = sorted(values, key=lambda v: (not v["current"], v["value"].casefold()))
    return found


def view(
    graph: Graph,
    roots: list[URIRef] | None = None,
    direction: str = "descendants",
    relations=LINEAGE_RELATIONS,
    depth: int | None = None,
    history: Graph | None = None,
    periods: dict | None = None,
) -> LineageView:
    """The systems and lineage links to draw: around the given systems (descendants, ancestors or
    both, up to a depth), or without roots the whole forest of the listed projects and the systems
    they are linked to. `history` (the graph with the facts whose period has ended) gives the
    lineage links, those that ended included and marked, and each system's statements with their
    periods; without it both come from `graph`. The systems' facts are `graph`'s. `periods`:
    periods_by_fact of that graph, when the caller has it already (a site draws many views)."""
    from mkgraph.store.periods import TODAY, periods_by_fact, span

    told = history if history is not None else graph
    if periods is None:
        periods = periods_by_fact(told)
    today = span(TODAY)
    all_edges = edges(told, relations, periods)  # lineage is descent: ended links stay, marked
    if not roots:
        listed = {s for s in graph.subjects(RDF.type, MK.ListedProject) if isinstance(s, URIRef)}
        chosen = [e for e in all_edges]
        systems = listed | {e.child for e in chosen} | {e.parent for e in chosen}
    else:
        down: dict[URIRef, list[Edge]] = defaultdict(list)
        up: dict[URIRef, list[Edge]] = defaultdict(list)
        for edge in all_edges:
            down[edge.parent].append(edge)
            up[edge.child].append(edge)
        systems, chosen_set = set(roots), set()
        walks = []
        if direction in ("descendants", "both"):
            walks.append((down, lambda e: e.child))
        if direction in ("ancestors", "both"):
            walks.append((up, lambda e: e.parent))
        for links, step in walks:
            frontier, level, seen = list(roots), 0, set(roots)
            while frontier and (depth is None or level < depth):
                following = []
                for system in frontier:
                    for edge in links.get(system, []):
                        chosen_set.add(edge)
                        target = step(edge)
                        systems.add(target)
                        if target not in seen:
                            seen.add(target)
                            following.append(target)
                frontier, level = following, level + 1
        chosen = sorted(chosen_set, key=lambda e: (str(e.parent), str(e.relation), str(e.child)))
    listed = {s for s in graph.subjects(RDF.type, MK.ListedProject) if isinstance(s, URIRef)}
    nodes = {}
    for system in sorted(systems, key=lambda s: label(graph, s).casefold()):
        when = dated(graph, system)
        said = _said(told, system)
        homepage = graph.value(system, DOAP.homepage)
        nodes[system] = SystemNode(
            system,
            label(graph, system),
            system in listed,
            str(homepage) if homepage else None,
            when[0] if when else None,
            when[1] if when else None,
            facts=_facts(graph, system),
            other_names=sorted({str(o) for o in graph.objects(system, SKOS.altLabel)}),
            sources=_sources(graph, system, said),
            statements=_statements(told, system, said, periods, today),
        )
    for system, node in nodes.items():
        node.clan = " & ".join(
            sorted(
                {
                    label(graph, f)
                    for f in graph.objects(system, MK.memberOfFamily)
                    if isinstance(f, URIRef)
                }
            )
        )
    note = None
    if roots and not chosen:
        note = "; ".join(empty_note(label(graph, r), direction) for r in roots)
    return LineageView(nodes, chosen, note)


# A system is placed in time by its start year; without one, by the earliest of the other years
# it is known to have existed by (each a bound on its start; the list is mkgraph.store.periods'
# BEGINNINGS), in that order where two fall in the same year. The label says which date it is, so
# an appearance is never read as a start.
DATED = tuple((MK[name], kind) for name, kind in BEGINNINGS)


def dated(graph: Graph, system: URIRef) -> tuple[int, str] | None:
    """The year that places a system in time, and which date it is ("started", "first
    appeared", "announced", ...); None for a system with no date at all."""

    def years_of(predicate: URIRef) -> list[int]:
        return [int(str(y)[:4]) for y in graph.objects(system, predicate) if str(y)[:4].isdigit()]

    started = years_of(MK.startYear)
    if started:
        return min(started), "started"
    others = enumerate(DATED[1:], start=1)  # (rank, (property, kind)): ties go to the lower rank
    found = [(year, rank) for rank, (p, _) in others for year in years_of(p)]
    if not found:
        return None
    year, rank = min(found)
    return year, DATED[rank][1]
