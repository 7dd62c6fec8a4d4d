"""The stored `ancestors` query lists every chain of lineage links up to six deep, upwards from the
given system, each with its path of names, exactly as an independent walk over the links computes
them (the query's form is chosen for Oxigraph's planner; the answer must not depend on it)."""

from __future__ import annotations

from itertools import product

import pytest

RELATIONS = ("basedOn", "derivedFrom", "reimplements", "inspiredBy")


def _expected(kg, of_iri: str) -> set[tuple[str, int, str]]:
    edges = kg.sparql(
        "SELECT ?child ?relation ?parent WHERE { ?child ?relation ?parent "
        f"FILTER (?relation IN ({', '.join('mk:' + r for r in RELATIONS)})) }}"
    ).rows
    labels: dict[str, list[str]] = {}
    for node, label in kg.sparql("SELECT ?x ?l WHERE { ?x rdfs:label ?l }").rows:
        labels.setdefault(str(node), []).append(str(label))
    parents: dict[str, list[tuple[str, str]]] = {}
    for child, relation, parent in edges:
        parents.setdefault(str(child), []).append((str(parent), str(relation)))
    found: set[tuple[str, int, str]] = set()

    def walk(chain: list[tuple[str, str]]) -> None:  # (node, relation from the one before)
        depth = len(chain) - 1
        if depth:
            # the path reads from the given system up: name → relation → name → ... → ancestor
            steps = [labels.get(chain[0][0], [])]
            for node, relation in chain[1:]:
                steps += [labels.get(relation, []), labels.get(node, [])]
            for names in product(*steps):
                for name in labels.get(chain[-1][0], []):
                    found.add((name, depth, " → ".join(names)))
        if depth < 6:
            for parent, relation in parents.get(chain[-1][0], []):
                walk(chain + [(parent, relation)])

    walk([(of_iri, "")])
    return found


@pytest.mark.parametrize("system", ["Ares", "Sculpt", "Genode", "Hermes"])
def test_ancestors_lists_every_chain(system, kg):
    answer = kg.query("ancestors", {"of": system})
    got = {(str(name), int(depth), str(path)) for name, depth, path in answer.rows}
    assert len(got) == len(answer.rows)  # DISTINCT rows
    assert got == _expected(kg, str(kg.resolve(system)))
    # rows in the query's order: by depth, then name ignoring case, then path
    keys = [(int(depth), str(name).lower(), str(path)) for name, depth, path in answer.rows]
    assert keys == sorted(keys)
