"""Kernel family trees: who descends from whom, and by which kind of inheritance.

Works on the asserted graph (basedOn / derivedFrom / inspiredBy edges), so answers are complete
with or without materialised inference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from mkgraph.names import label
from mkgraph.namespaces import LINEAGE_RELATIONS

DIRECTIONS = ("descendants", "ancestors")
RELATION_NAMES = {"based-on": LINEAGE_RELATIONS[0], "derived-from": LINEAGE_RELATIONS[1],
                  "inspired-by": LINEAGE_RELATIONS[2]}


@dataclass(frozen=True)
class Edge:
    child: URIRef  # the system that descends
    relation: URIRef
    parent: URIRef  # the system it descends from


@dataclass
class TreeNode:
    system: URIRef
    name: str
    relation: str | None = None  # how this node relates to its parent in the tree
    children: list["TreeNode"] = field(default_factory=list)
    repeated: bool = False  # already shown elsewhere in this tree


def edges(graph: Graph, relations=LINEAGE_RELATIONS) -> list[Edge]:
    found = [Edge(s, p, o) for p in relations for s, o in graph.subject_objects(p)
             if isinstance(s, URIRef) and isinstance(o, URIRef)]
    return sorted(found, key=lambda e: (str(e.parent), str(e.relation), str(e.child)))


def tree(
    graph: Graph,
    root: URIRef,
    direction: str = "descendants",
    relations=LINEAGE_RELATIONS,
    depth: int | None = None,
) -> TreeNode:
    """The tree below (descendants) or above (ancestors) one system; shared nodes shown once."""
    links: dict[URIRef, list[tuple[URIRef, URIRef]]] = defaultdict(list)
    for edge in edges(graph, relations):
        if direction == "descendants":
            links[edge.parent].append((edge.relation, edge.child))
        else:
            links[edge.child].append((edge.relation, edge.parent))
    seen: set[URIRef] = set()

    def build(system: URIRef, relation: URIRef | None, level: int) -> TreeNode:
        node = TreeNode(system, label(graph, system), label(graph, relation) if relation else None)
        if system in seen:
            node.repeated = True
            return node
        seen.add(system)
        if depth is None or level < depth:
            ordered = sorted(links.get(system, []), key=lambda rc: label(graph, rc[1]).casefold())
            node.children = [build(child, rel, level + 1) for rel, child in ordered]
        return node

    return build(root, None, 0)


def render_tree(node: TreeNode, ascii_only: bool = False) -> str:
    """A tree in the terminal, each edge labelled with its relation."""
    branch, last, pipe, space = ("|-- ", "`-- ", "|   ", "    ") if ascii_only else \
        ("├── ", "└── ", "│   ", "    ")
    arrow = "->" if ascii_only else "→"
    lines = [node.name]

    def walk(current: TreeNode, prefix: str) -> None:
        for index, child in enumerate(current.children):
            is_last = index == len(current.children) - 1
            text = f"{child.relation or ''} {arrow} {child.name}"
            if child.repeated:
                text += " (shown above)"
            lines.append(prefix + (last if is_last else branch) + text)
            walk(child, prefix + (space if is_last else pipe))

    walk(node, "")
    return "\n".join(lines)


def members_of(node: TreeNode) -> list[URIRef]:
    """Every system in a tree except its root."""
    out: list[URIRef] = []
    stack = list(node.children)
    while stack:
        current = stack.pop()
        if not current.repeated:
            out.append(current.system)
        stack.extend(current.children)
    return out
