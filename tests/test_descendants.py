"""The stored `descendants` query lists every chain of lineage links up to six deep, each with its
path of names, exactly as an independent walk over the links computes them (the query's form is
chosen for Oxigraph's planner: names looked up after each step; the answer must not depend on it)."""

from __future__ import annotations

from itertools import product

import pytest

RELATIONS = ("basedOn", "derivedFrom", "reimplements", "inspiredBy")
MK = "https://w3id.org/mkgraph/ontology#"


def _expected(kg, of_iri: str) -> set[tuple[str, int, str]]:
    edges = kg.sparql(
        "SELECT ?child ?relation ?parent WHERE { ?child ?relation ?parent "
        f"FILTER (?relation IN ({', '.join('mk:' + r for r in RELATIONS)})) }}"
    ).rows
    labels: dict[str, list[str]] = {}
    for node, label in kg.sparql("SELECT ?x ?l WHERE { ?x rdfs:label ?l }").rows:
        labels.setdefault(str(node), []).append(str(label))
    children: dict[str, list[tuple[str, str]]] = {}
    for child, relation, parent in edges:
        children.setdefault(str(parent), []).append((str(child), str(relation)))
    found: set[tuple[str, int, str]] = set()

    def walk(chain: list[tuple[str, str]]) -> None:  # (node, relation to the one before), of first
        depth = len(chain) - 1
        if depth:
            # the path reads descendant first: name → relation → name → ... → the given system
            steps = [labels.get(chain[0][0], [])]
            for node, relation in chain[1:]:
                steps = [labels.get(node, []), labels.get(relation, [])] + steps
            system = chain[-1][0]
            for names in product(*steps):
                for name in labels.get(system, []):
                    found.add((name, depth, " → ".join(names)))
        if depth < 6:
            for child, relation in children.get(chain[-1][0], []):
                walk(chain + [(child, relation)])

    walk([(of_iri, "")])
    return found


@pytest.mark.parametrize("system", ["seL4", "L4", "Mach", "Helios"])
def test_descendants_lists_every_chain(system, kg):
    answer = kg.query("descendants", {"of": system})
    got = {(str(name), int(depth), str(path)) for name, depth, path in answer.rows}
    assert len(got) == len(answer.rows)  # DISTINCT rows
    assert got == _expected(kg, str(kg.resolve(system)))
    assert got
