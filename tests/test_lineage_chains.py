"""The stored `descendants` and `ancestors` queries list every chain of lineage links up to six
deep from the given system, each with its path of names, exactly as an independent walk over the
links computes them (the queries' form is chosen for Oxigraph's planner; the answer must not
depend on it). Paths read descendant first in both: `Ares → based on → Helios → inspired by →
seL4`."""

from __future__ import annotations

from itertools import product

import pytest

RELATIONS = ("basedOn", "derivedFrom", "reimplements", "inspiredBy")


def _expected(kg, of_iri: str, direction: str) -> set[tuple[str, int, str]]:
    """(name, depth, path) of every chain the walk finds, `direction` "descendants" or "ancestors"."""
    edges = kg.sparql(
        "SELECT ?child ?relation ?parent WHERE { ?child ?relation ?parent "
        f"FILTER (?relation IN ({', '.join('mk:' + r for r in RELATIONS)})) }}"
    ).rows
    labels: dict[str, list[str]] = {}
    for node, label in kg.sparql("SELECT ?x ?l WHERE { ?x rdfs:label ?l }").rows:
        labels.setdefault(str(node), []).append(str(label))
    next_of: dict[str, list[tuple[str, str]]] = {}
    for child, relation, parent in edges:
        start, end = (parent, child) if direction == "descendants" else (child, parent)
        next_of.setdefault(str(start), []).append((str(end), str(relation)))
    found: set[tuple[str, int, str]] = set()

    def walk(chain: list[tuple[str, str]]) -> None:  # (node, relation to the one before)
        depth = len(chain) - 1
        if depth:
            steps = [labels.get(chain[0][0], [])]
            for node, relation in chain[1:]:
                step = [labels.get(relation, []), labels.get(node, [])]
                # descendant first: a descendant goes before the chain, an ancestor after it
                steps = step[::-1] + steps if direction == "descendants" else steps + step
            for names in product(*steps):
                for name in labels.get(chain[-1][0], []):
                    found.add((name, depth, " → ".join(names)))
        if depth < 6:
            for node, relation in next_of.get(chain[-1][0], []):
                walk(chain + [(node, relation)])

    walk([(of_iri, "")])
    return found


@pytest.mark.parametrize(
    "direction, system",
    [
        ("descendants", "seL4"),
        ("descendants", "L4"),
        ("descendants", "Mach"),
        ("descendants", "Helios"),
        ("ancestors", "Ares"),
        ("ancestors", "Sculpt"),
        ("ancestors", "Genode"),
        ("ancestors", "Hermes"),
    ],
)
def test_every_chain_is_listed_as_a_walk_finds_it(direction, system, kg):
    answer = kg.query(direction, {"of": system})
    got = {(str(name), int(depth), str(path)) for name, depth, path in answer.rows}
    assert got  # each of these systems has lineage in the bundled data
    assert len(got) == len(answer.rows)  # DISTINCT rows
    assert got == _expected(kg, str(kg.resolve(system)), direction)
    if direction == "ancestors":  # rows in the query's order: by depth, then name, then path
        keys = [(int(depth), str(name).lower(), str(path)) for name, depth, path in answer.rows]
        assert keys == sorted(keys)
