"""A curator's re-check list: the facts whose sources were all read more than DAYS ago.

Status and latest activity age fastest, but any fact can go stale; a fact is listed when even its
most recently read source is older than the limit (one fresh source is enough to keep it).
"""

from __future__ import annotations

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
    source: str  # the most recently read source
    read_on: dt.date
    age_days: int


def stale_facts(graph: Graph, days: int, today: dt.date | None = None) -> list[StaleFact]:
    today = today or dt.date.today()
    newest: dict[tuple, tuple[dt.date, Any]] = {}
    for node in set(graph.subjects(RDF.type, RDF.Statement)):
        fact = (
            graph.value(node, RDF.subject),
            graph.value(node, RDF.predicate),
            graph.value(node, RDF.object),
        )
        for source in graph.objects(node, PROV.wasDerivedFrom):
            read = graph.value(source, MK.readOn)
            if not isinstance(read, Literal) or not isinstance(read.toPython(), dt.date):
                continue
            day = read.toPython()
            if fact not in newest or day > newest[fact][0]:
                newest[fact] = (day, source)
    found = []
    for (s, p, o), (day, cited) in newest.items():
        age = (today - day).days
        if age > days:
            found.append(
                StaleFact(
                    label(graph, s),
                    PREDICATE_NAMES.get(str(p)) or label(graph, p),
                    str(o) if isinstance(o, Literal) else label(graph, o),
                    label(graph, cited),
                    day,
                    age,
                )
            )
    return sorted(found, key=lambda f: (f.read_on, f.system.casefold(), f.property, f.value))


def as_table(facts: list[StaleFact], days: int, markdown: bool = False) -> str:
    if not facts:
        return f"No fact rests only on sources read more than {days} days ago."
    header = ["system", "property", "value", "newest source", "read on", "days"]
    rows = [
        [f.system, f.property, f.value, f.source, f.read_on.isoformat(), str(f.age_days)]
        for f in facts
    ]
    if markdown:
        return "\n".join(
            ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
            + ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        )
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def line(row):
        return "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    footer = f"{len(facts)} facts rest only on sources read more than {days} days ago."
    return "\n".join([line(header), rule] + [line(r) for r in rows] + [rule, footer])


def as_json(facts: list[StaleFact]) -> str:
    return json.dumps(
        [
            {
                "system": f.system,
                "property": f.property,
                "value": f.value,
                "source": f.source,
                "read_on": f.read_on.isoformat(),
                "age_days": f.age_days,
            }
            for f in facts
        ],
        indent=2,
        ensure_ascii=False,
    )
