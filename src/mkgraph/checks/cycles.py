"""The lineage cycle check: no system may descend from itself through a chain of lineage links
(a check written in code: SHACL cannot say it in linear time)."""

from __future__ import annotations

from collections import defaultdict

from mkgraph.checks.report import CHECKS, Labeller, Problem
from mkgraph.core.prefixes import LINEAGE_RELATION_NAMES, PREFIXES

CYCLE_COMPONENT = CHECKS + "LineageCycleComponent"
# Every lineage link, child and parent, for the check (answered by either engine).
LINEAGE_EDGES = (
    "SELECT ?child ?parent WHERE { ?child "
    + "|".join(f"<{PREFIXES['mk']}{term}>" for term in LINEAGE_RELATION_NAMES.values())
    + " ?parent }"
)


CYCLE_MESSAGE = (
    "descends from itself through a chain of based-on / derived-from / re-implements / "
    "inspired-by links"
)


def lineage_cycles(edges: list[tuple[str, str]]) -> set[str]:
    """The systems on a cycle of lineage links: those in a strongly connected component of more
    than one system, or linked to themselves (Tarjan's algorithm, iterative: linear in the links)."""
    successors: dict[str, list[str]] = defaultdict(list)
    for below, above in edges:
        successors[below].append(above)
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cyclic: set[str] = {child for child, parent in edges if child == parent}
    for start in list(successors):
        if start in index:
            continue
        work = [(start, iter(successors[start]))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = lowest[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors[child])))
                elif child in on_stack:
                    lowest[node] = min(lowest[node], index[child])
                continue
            work.pop()
            if work:
                lowest[work[-1][0]] = min(lowest[work[-1][0]], lowest[node])
            if lowest[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cyclic.update(component)
    return cyclic


def cycle_problems(edges: list[tuple[str, str]], label: Labeller) -> list[Problem]:
    return [
        Problem(
            focus=system,
            focus_label=label(system),
            message=CYCLE_MESSAGE,
            check="lineage-cycle",
            shape=CHECKS + "lineage-cycle",
            component=CYCLE_COMPONENT,
        )
        for system in sorted(lineage_cycles(edges))
    ]
