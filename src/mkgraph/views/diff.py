"""What a change does to the graph: facts added, removed and changed, grouped by system, with the
sources behind each — a code review of data. Compared with a git revision (the old files are read
with `git archive`, never checked out) or with another root folder.

In the spirit of ROBOT's `diff` and rdflib.compare's graph_diff; blank nodes (the reified
provenance statements) are matched by their contents, so a reordered or migrated file is no change.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from mkgraph.core.errors import ParameterError
from mkgraph.core.namespaces import MK, PROV, bind_prefixes
from mkgraph.core.resources import Resources
from mkgraph.store.names import label
from mkgraph.views.describe import PREDICATE_NAMES

_STRUCTURE = (RDF.subject, RDF.predicate, RDF.object)
Fact = tuple  # (subject, predicate, object)


def graph_at_revision(resources: Resources, revision: str) -> Graph:
    """The ontology and data of ``resources`` as they were at a git revision."""
    from mkgraph.store.graph import load

    root = resources.root
    try:
        prefix = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-prefix"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", revision, "--"]
            + [f"{prefix}{name}" for name in ("ontology", "data")],
            capture_output=True,
            check=True,
        ).stdout
    except FileNotFoundError:
        raise ParameterError("git is not installed: compare with --root DIR instead") from None
    except subprocess.CalledProcessError as exc:
        why = (exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or "").strip()
        raise ParameterError(
            f"cannot read revision {revision!r} of {root}: {why.splitlines()[-1] if why else 'git failed'}"
        ) from None
    with tempfile.TemporaryDirectory(prefix="mkgraph-diff-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        old = Path(folder) / prefix
        for name in ("shapes", "queries"):
            (old / name).mkdir(exist_ok=True)
        return load(Resources(old))


def facts(graph: Graph) -> set[Fact]:
    """Every triple that is neither part of a reified statement nor about a blank node."""
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    return {
        (s, p, o)
        for s, p, o in graph
        if s not in statements and not isinstance(s, BNode) and not isinstance(o, BNode)
    }


def provenance(graph: Graph) -> dict[Fact, set[tuple]]:
    """fact -> the annotations of each statement about it (sources, notes, dates, ...)."""
    found: dict[Fact, set[tuple]] = defaultdict(set)
    for node in set(graph.subjects(RDF.type, RDF.Statement)):
        fact = tuple(graph.value(node, p) for p in _STRUCTURE)
        found[fact].add(
            tuple(
                sorted(
                    (p, o)
                    for p, o in graph.predicate_objects(node)
                    if p not in _STRUCTURE and (p, o) != (RDF.type, RDF.Statement)
                )
            )
        )
    return found


def _sources(annotations: set[tuple]) -> set:
    return {o for pairs in annotations for p, o in pairs if p == PROV.wasDerivedFrom}


@dataclass
class Change:
    kind: str  # added, removed, changed, sourced, unsourced, lost-last-source, restated
    fact: Fact
    old_value: object = None
    sources: list[str] = field(default_factory=list)
    aspect: str = ""  # restated: what about the fact changed (note, period, support level, ...)
    was: str = ""  # restated: the aspect before and after, in words
    now: str = ""


# What a statement says about its fact besides its sources, each aspect in a curator's words.
_ASPECTS = {
    SKOS.note: "note",
    MK.validFrom: "period",
    MK.validUntil: "period",
    MK.supportLevel: "support level",
    MK.levelSince: "support level",
}
# Property names in a curator's words: describe's, and those the ontology does not label.
_WORDS = {**PREDICATE_NAMES, "https://schema.org/url": "address"}
_PHRASES = {
    "note": "note on",
    "period": "period of",
    "support level": "support level of",
    "spell": "spells of",
}


@dataclass
class Diff:
    old: Graph
    new: Graph
    changes: dict[URIRef, list[Change]]

    @property
    def lost_last_source(self) -> list[Change]:
        return [c for cs in self.changes.values() for c in cs if c.kind == "lost-last-source"]

    @property
    def empty(self) -> bool:
        return not self.changes

    def _name(self, term) -> str:
        if isinstance(term, Literal):
            return str(term)
        graph = self.new if (term, None, None) in self.new else self.old
        return label(graph, term)

    def _predicate(self, predicate) -> str:
        graph = self.new if (predicate, None, None) in self.new else self.old
        return _WORDS.get(str(predicate)) or label(graph, predicate)

    def as_text(self) -> str:
        if self.empty:
            return "No change to the graph."
        lines: list[str] = []
        counts: dict[str, int] = defaultdict(int)
        restated: dict[str, int] = defaultdict(int)  # by aspect: note, period, ...
        for subject in sorted(self.changes, key=lambda s: self._name(s).casefold()):
            lines.append(f"{self._name(subject)}  <{subject}>")
            for change in self.changes[subject]:
                counts[change.kind] += 1
                _, p, o = change.fact
                what = f"{self._predicate(p)}: {self._name(o)}"
                cited = f"  [{'; '.join(change.sources)}]" if change.sources else ""
                if change.kind == "added":
                    lines.append(f"  + {what}{cited}")
                elif change.kind == "removed":
                    lines.append(f"  - {what}{cited}")
                elif change.kind == "changed":
                    lines.append(
                        f"  ~ {self._predicate(p)}: {self._name(change.old_value)} -> "
                        f"{self._name(o)}{cited}"
                    )
                elif change.kind == "sourced":
                    lines.append(f"  + source for {what}{cited}")
                elif change.kind == "unsourced":
                    lines.append(f"  - source for {what}{cited}")
                elif change.kind == "restated":
                    restated[change.aspect] += 1
                    phrase = _PHRASES.get(change.aspect, f"{change.aspect} of")
                    lines.append(f"  ~ {phrase} {what}: {change.was} -> {change.now}{cited}")
                else:
                    lines.append(
                        f"  ! {what}: lost its last source (had: {'; '.join(change.sources)})"
                    )
        parts = [
            f"{counts[kind]} {words}"
            for kind, words in (
                ("added", "added"),
                ("removed", "removed"),
                ("changed", "changed"),
                ("sourced", "sources added"),
                ("unsourced", "sources removed"),
                ("lost-last-source", "lost their last source"),
            )
            if counts[kind]
        ]
        parts += [
            f"{count} {aspect}{'s' * (count > 1)} changed"
            for aspect, count in sorted(restated.items())
        ]
        return "\n".join(lines + ["", f"Facts: {', '.join(parts)}."])

    def as_turtle(self) -> str:
        """The removed triples, then the added ones, each a Turtle document of its own."""
        old, new = _content_named(self.old), _content_named(self.new)
        parts = []
        for title, triples in (("removed", old - new), ("added", new - old)):
            graph = Graph()
            bind_prefixes(graph)
            for triple in triples:
                graph.add(triple)
            parts.append(f"# {title}: {len(graph)} triples\n" + graph.serialize(format="turtle"))
        return "\n".join(parts)


def _aspects(graph: Graph, annotations: tuple) -> dict[str, str]:
    """An annotation's aspects (note, period, support level, any other) in words; sources aside."""
    from mkgraph.store.periods import Period

    values: dict[str, list[str]] = defaultdict(list)
    period: dict = {}
    level_since = ""
    for p, o in annotations:
        if p == PROV.wasDerivedFrom:
            continue
        if p in (MK.validFrom, MK.validUntil):
            period[p] = str(o)
        elif p == MK.levelSince:
            level_since = f" since {o}"  # worded with the level it dates, as `show` words it
        elif p == SKOS.note:
            values["note"].append(f'"{o}"')
        else:
            name = _ASPECTS.get(p) or _WORDS.get(str(p)) or label(graph, p)
            values[name].append(label(graph, o) if isinstance(o, URIRef) else str(o))
    found = {aspect: ", ".join(sorted(v)) for aspect, v in values.items()}
    if level_since:
        found["support level"] = found.get("support level", "") + level_since
    if period:
        found["period"] = Period(period.get(MK.validFrom), period.get(MK.validUntil)).text()
    return found


_NONE = {"note": "no note", "period": "always"}


def _restated(fact: Fact, old: Graph, new: Graph, before: set, after: set) -> list[Change]:
    """What changed in the statements of a fact that kept its sources: each statement paired with
    the one citing the same sources, and each of its aspects compared."""

    def by_sources(annotations: set) -> dict[frozenset, list[tuple]]:
        grouped: dict[frozenset, list[tuple]] = defaultdict(list)
        for pairs in annotations:
            grouped[frozenset(o for p, o in pairs if p == PROV.wasDerivedFrom)].append(pairs)
        return grouped

    old_groups, new_groups = by_sources(before), by_sources(after)
    changes = []
    for sources in set(old_groups) & set(new_groups):
        gone = sorted(set(old_groups[sources]) - set(new_groups[sources]))
        came = sorted(set(new_groups[sources]) - set(old_groups[sources]))
        if not gone and not came:
            continue
        cited = sorted(label(new, s) for s in sources)
        for index in range(max(len(gone), len(came))):
            was = _aspects(old, gone[index]) if index < len(gone) else {}
            now = _aspects(new, came[index]) if index < len(came) else {}
            for aspect in sorted(set(was) | set(now)):
                if was.get(aspect) != now.get(aspect):
                    missing = _NONE.get(aspect, "none")
                    # a statement with no counterpart citing the same sources (a second spell
                    # told by a source that already tells the first) is not "always"
                    changes.append(
                        Change(
                            "restated",
                            fact,
                            sources=cited,
                            aspect=aspect,
                            was=was.get(aspect, missing if index < len(gone) else "no statement"),
                            now=now.get(aspect, missing if index < len(came) else "no statement"),
                        )
                    )
    return changes


def _content_named(graph: Graph) -> set[tuple]:
    """The triples, each blank node named by a hash of its own contents: the statement nodes
    hold only IRIs and literals, so equal statements get equal names in both graphs (what
    rdflib.compare's canonical labelling gives, without its cost on a thousand look-alikes)."""
    contents: dict = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            contents[s].append((p.n3(), o.n3()))
    names = {
        node: BNode("s" + hashlib.sha1(repr(sorted(pairs)).encode()).hexdigest()[:20])
        for node, pairs in contents.items()
    }
    return {(names.get(s, s), p, names.get(o, o)) for s, p, o in graph}


def _spells(fact: Fact, old: dict, new: dict, cited: list[str]) -> list[Change]:
    """A fact's spells as a whole (mkgraph.store.periods.text), where it has or had more than one:
    a spell added to a fact or taken from it is a change of when the fact held, which the
    statement-by-statement comparison would word as one period replacing another."""
    from mkgraph.store.periods import spells, text

    before, after = old.get(fact, []), new.get(fact, [])
    if max(len(spells(before)), len(spells(after))) < 2 or text(before) == text(after):
        return []
    was, now = text(before) or "always", text(after) or "always"
    return [Change("restated", fact, sources=cited, aspect="spell", was=was, now=now)]


def compare(old: Graph, new: Graph) -> Diff:
    from mkgraph.store.periods import periods_by_fact

    old_facts, new_facts = facts(old), facts(new)
    old_prov, new_prov = provenance(old), provenance(new)
    old_spells, new_spells = periods_by_fact(old), periods_by_fact(new)

    def cited(graph: Graph, annotations: set[tuple]) -> list[str]:
        return sorted(label(graph, s) for s in _sources(annotations))

    changes: dict[URIRef, list[Change]] = defaultdict(list)
    removed = old_facts - new_facts
    added = new_facts - old_facts
    # One value replaced by another for the same subject and property reads as a change.
    by_key_removed: dict[tuple, list[Fact]] = defaultdict(list)
    by_key_added: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in removed:
        by_key_removed[fact[:2]].append(fact)
    for fact in added:
        by_key_added[fact[:2]].append(fact)
    for key in set(by_key_removed) & set(by_key_added):
        if len(by_key_removed[key]) == 1 and len(by_key_added[key]) == 1:
            (was,), (now,) = by_key_removed[key], by_key_added[key]
            changes[now[0]].append(
                Change("changed", now, was[2], cited(new, new_prov.get(now, set())))
            )
            removed.discard(was)
            added.discard(now)
    for fact in added:
        changes[fact[0]].append(Change("added", fact, None, cited(new, new_prov.get(fact, set()))))
    for fact in removed:
        changes[fact[0]].append(
            Change("removed", fact, None, cited(old, old_prov.get(fact, set())))
        )
    for fact in old_facts & new_facts:
        before, after = _sources(old_prov.get(fact, set())), _sources(new_prov.get(fact, set()))
        if before and not after:
            changes[fact[0]].append(
                Change("lost-last-source", fact, None, sorted(label(old, s) for s in before))
            )
            continue
        if after - before:
            changes[fact[0]].append(
                Change("sourced", fact, None, sorted(label(new, s) for s in after - before))
            )
        if before - after:
            changes[fact[0]].append(
                Change("unsourced", fact, None, sorted(label(old, s) for s in before - after))
            )
        restated = _restated(fact, old, new, old_prov.get(fact, set()), new_prov.get(fact, set()))
        restated += _spells(fact, old_spells, new_spells, sorted(label(new, s) for s in after))
        if restated:
            changes[fact[0]] += restated
    order = ("lost-last-source", "changed", "restated", "added", "removed", "sourced", "unsourced")
    for subject in changes:
        changes[subject].sort(key=lambda c: (order.index(c.kind), str(c.fact[1]), str(c.fact[2])))
    return Diff(old, new, dict(changes))
