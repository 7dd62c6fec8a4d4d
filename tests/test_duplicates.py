"""Near-duplicate names of agents and systems (mkgraph.checks.duplicates)."""

from __future__ import annotations

import itertools
import random

import pytest

from mkgraph.checks.duplicates import near_duplicates

AGENT = "https://w3id.org/mkgraph/ontology#Agent"
SYSTEM = "https://w3id.org/mkgraph/ontology#System"


def pairs(names, kind=AGENT):
    rows = [(f"urn:{index}", kind, name) for index, name in enumerate(names)]
    return {frozenset((a, b)) for a, b, _n, _m in near_duplicates(rows)}


@pytest.mark.parametrize(
    "first, second",
    [
        ("Kernkonzept", "Kernkonzept GmbH"),
        ("TU Dresden", "Technische Universität Dresden"),
        ("TU Dresden", "Technische Universitaet Dresden"),
        ("Technische Universität Dresden", "Technische Universitaet Dresden"),
        ("Redox Developers", "Redox OS Developers"),
        ("The Tock OS Developers", "The Tock Project Developers"),
        ("Key Logic", "Key Logic, Inc."),
        ("Managarm Contributors", "The Managarm Project"),
        ("Open Kernel Labs", "OK Labs"),
    ],
)
def test_the_duplicates_found_in_review_are_reported(first, second):
    assert pairs([first, second]) == {frozenset(("urn:0", "urn:1"))}


@pytest.mark.parametrize(
    "first, second",
    [
        ("Linux kernel", "LK"),
        ("MINIX 3", "M3"),
        ("University of Karlsruhe", "System Architecture Group, University of Karlsruhe"),
        ("seL4", "seL4 Microkit"),
        ("L4/Fiasco", "Fiasco.OC"),
        ("University of California, Irvine", "University of California, Berkeley"),
        ("Genode Labs", "Genode"),
    ],
)
def test_different_things_are_not_reported(first, second):
    assert pairs([first, second]) == set()


def test_same_names_are_left_to_the_ambiguous_name_check():
    assert pairs(["Kernkonzept", "kernkonzept"]) == set()


def test_agents_and_systems_are_compared_only_with_their_own_kind():
    rows = [("urn:a", AGENT, "Redox Developers"), ("urn:s", SYSTEM, "Redox")]
    assert near_duplicates(rows) == []


def _disguises(name: str, rng: random.Random) -> str:
    words = name.split()
    choice = rng.randrange(6)
    if choice == 0:
        return name.upper()
    if choice == 1:
        return "The " + name
    if choice == 2:
        return name + rng.choice([" GmbH", ", Inc.", " Ltd", " LLC", " Corporation"])
    if choice == 3:
        return name + rng.choice([" Developers", " Contributors", " Project", " Team"])
    if choice == 4:
        return "-".join(words) if len(words) > 1 else name + "."
    return name.replace("a", "ä").replace("e", "é") if "a" not in name else name.replace("e", "è")


def test_generated_disguises_of_one_name_are_all_reported():
    """Each disguise of a name (case, article, legal form, generic group word, punctuation,
    accents) is reported as a near duplicate of the plain name, and never of another name."""
    rng = random.Random(14)
    bases = ["Trustworthy Systems", "Barkhausen Institut", "Cyberus Technology", "Genode Labs"]
    for base, _ in itertools.product(bases, range(15)):
        disguise = _disguises(base, rng)
        if disguise.casefold() == base.casefold():
            continue
        others = [b for b in bases if b != base]
        found = pairs([base, disguise] + others)
        assert found == {frozenset(("urn:0", "urn:1"))}, (base, disguise)
