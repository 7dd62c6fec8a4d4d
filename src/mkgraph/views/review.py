"""A curator's re-check list: the facts whose sources are all more than DAYS old.

A source is as old as what it says: the day it was read, or, for a source read in a stored copy (a
repository snapshot), the day that copy was taken (mk:copyTakenOn), which can be years earlier: a
snapshot shows nothing after it, whenever it is read. Status and latest activity age fastest, but
any fact can go stale; a fact is listed when even its newest source is older than the limit (one
fresh source is enough to keep it).
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from mkgraph.core.namespaces import MK, PROV
from mkgraph.store.names import label
from mkgraph.views.describe import PREDICATE_NAMES


@dataclass(frozen=True)
class StaleFact:
    system: str
    property: str
    value: str
    source: str  # the newest source: the one whose content is most recent
    read_on: dt.date
    age_days: int  # counted from the copy's day where there is one, else from read_on
    copy_taken_on: dt.date | None = None  # the source was read in a copy taken that day

    @builtins.property  # plain `property` is this class's field of that name
    def as_of(self) -> dt.date:
        """The day what the source says is as of."""
        return self.copy_taken_on or self.read_on


def _day(graph: Graph, source, predicate) -> dt.date | None:
    value = graph.value(source, predicate)
    if isinstance(value, Literal) and isinstance(value.toPython(), dt.date):
        return value.toPython()
    return None


def stale_facts(graph: Graph, days: int, today: dt.date | None = None) -> list[StaleFact]:
    today = today or dt.date.today()
    # per source: (the day its content is as of, the day it was read, the copy's day or None)
    dated: dict[Any, tuple[dt.date, dt.date, dt.date | None] | None] = {}
    newest: dict[tuple, tuple[tuple[dt.date, dt.date, dt.date | None], Any]] = {}
    for node in set(graph.subjects(RDF.type, RDF.Statement)):
        fact = (
            graph.value(node, RDF.subject),
            graph.value(node, RDF.predicate),
            graph.value(node, RDF.object),
        )
        for source in graph.objects(node, PROV.wasDerivedFrom):
            if source not in dated:
                read, copy = _day(graph, source, MK.readOn), _day(graph, source, MK.copyTakenOn)
                dated[source] = (copy or read, read, copy) if read else None
            when = dated[source]
            # newest by content, then by the day read (the copy day, perhaps None, is not compared)
            if when is not None and (fact not in newest or when[:2] > newest[fact][0][:2]):
                newest[fact] = (when, source)
    found = []
    for (s, p, o), ((as_of, read, copy), cited) in newest.items():
        age = (today - as_of).days
        if age > days:
            found.append(
                StaleFact(
                    label(graph, s),
                    PREDICATE_NAMES.get(str(p)) or label(graph, p),
                    str(o) if isinstance(o, Literal) else label(graph, o),
                    label(graph, cited),
                    read,
                    age,
                    copy,
                )
            )
    return sorted(found, key=lambda f: (f.as_of, f.system.casefold(), f.property, f.value))


def as_table(facts: list[StaleFact], days: int, markdown: bool = False) -> str:
    if not facts:
        return f"No fact rests only on sources more than {days} days old."
    header = ["system", "property", "value", "newest source", "as of", "days"]
    rows = [[f.system, f.property, f.value, f.source, _as_of(f), str(f.age_days)] for f in facts]
    if markdown:
        return "\n".join(
            ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
            + ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        )
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def line(row):
        return "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    footer = (
        f"{len(facts)} facts rest only on sources more than {days} days old"
        " (as of the day read, or of the day a stored copy was taken: 'copy')."
    )
    return "\n".join([line(header), rule] + [line(r) for r in rows] + [rule, footer])


def _as_of(fact: StaleFact) -> str:
    """The day a fact's newest source is as of; a copy's day says so ("2024-03-28 copy")."""
    if fact.copy_taken_on is None:
        return fact.read_on.isoformat()
    return f"{fact.copy_taken_on.isoformat()} copy"


def as_json(facts: list[StaleFact]) -> str:
    return json.dumps(
        [
            {
                "system": f.system,
                "property": f.property,
                "value": f.value,
                "source": f.source,
                "read_on": f.read_on.isoformat(),
                "copy_taken_on": f.copy_taken_on.isoformat() if f.copy_taken_on else None,
                "as_of": f.as_of.isoformat(),
                "age_days": f.age_days,
            }
            for f in facts
        ],
        indent=2,
        ensure_ascii=False,
    )
