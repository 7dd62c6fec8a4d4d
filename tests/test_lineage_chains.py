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


def _tree_systems(node) -> set[str]:
    found, pending = set(), list(node.children)
    while pending:
        child = pending.pop()
        found.add(str(child.system))
        pending.extend(child.children)
    return found


@pytest.mark.parametrize("direction", ["descendants", "ancestors"])
def test_the_tree_and_the_query_name_the_same_relatives(direction, kg):
    """One question, one answer: for every system with a lineage link, the stored query and the
    `lineage` tree reach the same systems, a link that has ended included (lineage is descent:
    test_an_ended_link_stays_in_the_lineage_and_says_so)."""
    systems = {str(row[3]) for row in kg.query("lineage-edges").rows} | {
        str(row[4]) for row in kg.query("lineage-edges").rows
    }
    assert len(systems) > 30
    for system in sorted(systems):
        queried = {
            str(row[3]) for row in kg.sparql(_REACH[direction].replace("$OF", f"<{system}>")).rows
        }
        tree = kg.lineage(system, direction=direction)
        assert _tree_systems(tree) == queried, system


# The systems a stored query reaches, by IRI (the stored queries print names, and two systems
# can share one): the same property paths as descendants.rq and ancestors.rq, without a depth.
_LINKS = "(mk:basedOn|mk:derivedFrom|mk:reimplements|mk:inspiredBy)"
_REACH = {
    "descendants": f"SELECT ?a ?b ?c ?x WHERE {{ ?x {_LINKS}+ $OF }}",
    "ancestors": f"SELECT ?a ?b ?c ?x WHERE {{ $OF {_LINKS}+ ?x }}",
}


@pytest.mark.parametrize("graph", ["kg", "ended_kg"])
def test_an_ended_link_stays_in_the_lineage_and_says_so(graph, request):
    """A link that has ended stays in both answers, and the tree words it in the past tense with
    its period, for every such link of the bundled data (none today: Ares's link to Helios was
    read as ended in 2025, then found to stand) and of a fixture graph where Ares was based on
    Helios until 2025."""
    from mkgraph.store.names import label
    from mkgraph.views.lineage import RELATION_LABELS, ended_links, render_tree, sentence

    kg = request.getfixturevalue(graph)
    ended = ended_links(kg.graph)
    assert ended or graph == "kg", "the fixture graph has a lineage link that has ended"
    for (child, relation, parent), period in ended.items():
        child_name, parent_name = label(kg.graph, child), label(kg.graph, parent)
        reached = {str(row[0]) for row in kg.query("descendants", {"of": str(parent)}).rows}
        assert child_name in reached
        said = sentence(child_name, RELATION_LABELS[relation], parent_name, period)
        assert " was " in said or " re-implemented " in said
        lines = render_tree(kg.lineage(str(parent))).splitlines()
        shown = [line.split("── ", 1)[-1] for line in lines]
        assert any(
            text.startswith(child_name) and text.endswith(said.split(child_name, 1)[1])
            for text in shown
        ), shown
