"""Near-duplicate names: two agents (or two systems) whose names differ only in ways that do not
tell things apart are probably one identity written twice ("Kernkonzept" and "Kernkonzept GmbH",
"TU Dresden" and "Technische Universität Dresden", "Redox Developers" and "Redox OS Developers").

A name is normalised to a key: German letters spelt out (ä -> ae), other accents dropped, case
folded, punctuation gone, and words that name a legal form or a generic group dropped ("GmbH",
"Inc.", "the", "developers", "contributors", "project", "OS", ...). Two resources are near
duplicates when a name of one has the key of a name of the other, or that key with a run of two to
four words replaced by their initials ("Technische Universitaet" -> "TU"), at least one word
kept whole. Names that are equal
apart from case are left to the ambiguous-name check. Linear in the names: each name adds its key
and its few abbreviations to an index.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

_SPELT_OUT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_LEGAL_FORMS = {
    "gmbh",
    "inc",
    "llc",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "ag",
    "plc",
    "bv",
    "sa",
}
_GENERIC = {
    "the",
    "developers",
    "developer",
    "contributors",
    "authors",
    "project",
    "team",
    "community",
    "os",
    "of",
    "and",
}
_WORD = re.compile(r"[a-z0-9]+")
_RUNS = range(2, 5)  # abbreviations replace two to four words
_MAX_WORDS = 10


def key(name: str) -> tuple[str, ...]:
    """The words of a name that tell it apart."""
    if name.isascii():
        plain = name.casefold()
    else:
        spelt = unicodedata.normalize("NFKD", name.translate(_SPELT_OUT))
        plain = "".join(c for c in spelt if not unicodedata.combining(c)).casefold()
    words = [w for w in _WORD.findall(plain.replace("&", " and ")) if w not in _LEGAL_FORMS]
    kept = [w for w in words if w not in _GENERIC]
    return tuple(kept or words)


def abbreviations(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The key with each run of two to four words written as its initials."""
    if len(words) > _MAX_WORDS:
        return set()
    found = set()
    for length in _RUNS:
        if length >= len(words):
            break  # at least one word stays whole: "LK" alone would stand for anything
        for start in range(len(words) - length + 1):
            initials = "".join(w[0] for w in words[start : start + length])
            found.add(words[:start] + (initials,) + words[start + length :])
    return found


def near_duplicates(names: list[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
    """(resource, other resource, its name, the other's name) for each pair of resources of one
    kind with near-duplicate names; `names` holds (resource, kind, name) rows."""
    exact: dict[tuple[str, str], set[str]] = defaultdict(set)
    index: dict[tuple[str, tuple[str, ...]], set[tuple[str, str]]] = defaultdict(set)
    keyed = []
    for resource, kind, name in names:
        words = key(name)
        if not words:
            continue
        exact[(kind, name.casefold())].add(resource)
        keyed.append((resource, kind, name, words))
        for variant in {words} | abbreviations(words):
            index[(kind, variant)].add((resource, name))
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for resource, kind, name, words in keyed:
        for other, other_name in index.get((kind, words), ()):
            if other == resource or exact[(kind, name.casefold())] >= {resource, other}:
                continue
            if exact[(kind, other_name.casefold())] >= {resource, other}:
                continue
            first, second = sorted((resource, other))
            pairs.setdefault(
                (first, second), (name, other_name) if first == resource else (other_name, name)
            )
    found = []
    for (first, second), (first_name, second_name) in sorted(pairs.items()):
        found.append((first, second, first_name, second_name))
        found.append((second, first, second_name, first_name))
    return found
