"""How complete the graph is: for each listed project, which fields are known and sourced."""

from __future__ import annotations

import json
from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from mkgraph.core.namespaces import LINEAGE_RELATIONS, MK, SCHEMA
from mkgraph.store.names import label
from mkgraph.views.describe import sources_of

# field name -> the predicates, any of which makes it known; the first five are the ones the graph
# promises for 90% of projects. A licence is known when it is linked or named in the licence
# expression: a licence the SPDX list lacks (`LicenseRef-…`) is never linked (README "Validate").
FIELDS: dict[str, tuple[URIRef, ...]] = {
    "repository": (SCHEMA.codeRepository,),
    "licence": (DCTERMS.license, MK.licenceExpression),
    "languages": (MK.implementedIn,),
    "architectures": (MK.supportsArchitecture,),
    "start year": (MK.startYear,),
    "developer": (MK.developedBy,),
    "latest activity": (MK.latestActivity,),
    "status": (MK.status,),
    "lineage": LINEAGE_RELATIONS,
    "Wikidata": (SKOS.exactMatch,),
}
KNOWN, UNSOURCED, MISSING = "sourced", "unsourced", "missing"


@dataclass
class Coverage:
    fields: list[str]
    rows: list[tuple[str, dict[str, str]]]  # project name -> field -> state

    def total(self, field: str) -> int:
        return sum(1 for _, states in self.rows if states[field] == KNOWN)

    def percent(self, field: str) -> float:
        return 100.0 * self.total(field) / len(self.rows) if self.rows else 0.0

    def as_table(self, markdown: bool = False) -> str:
        marks = {KNOWN: "✓", UNSOURCED: "?", MISSING: "·"}
        header = ["project"] + self.fields
        body = [[name] + [marks[states[f]] for f in self.fields] for name, states in self.rows]
        totals = ["sourced"] + [f"{self.total(f)}/{len(self.rows)}" for f in self.fields]
        share = ["share"] + [f"{self.percent(f):.0f}%" for f in self.fields]
        if markdown:
            lines = [
                "| " + " | ".join(header) + " |",
                "|" + "|".join(" --- " for _ in header) + "|",
            ]
            lines += ["| " + " | ".join(row) + " |" for row in body + [totals, share]]
            return "\n".join(lines)
        widths = [
            max(len(str(r[i])) for r in [header] + body + [totals, share])
            for i in range(len(header))
        ]

        def fmt(row):
            return "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()

        rule = "  ".join("-" * w for w in widths)
        lines = [fmt(header), rule] + [fmt(r) for r in body] + [rule, fmt(totals), fmt(share)]
        lines.append("✓ known and sourced   ? known, no source   · not yet known")
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps(
            {
                "projects": {name: states for name, states in self.rows},
                "totals": {
                    f: {
                        "sourced": self.total(f),
                        "of": len(self.rows),
                        "percent": round(self.percent(f), 1),
                    }
                    for f in self.fields
                },
            },
            indent=2,
            ensure_ascii=False,
        )


def _state(graph: Graph, project: Node, predicates: tuple[URIRef, ...]) -> str:
    values = [(p, o) for p in predicates for o in graph.objects(project, p)]
    if not values:
        return MISSING
    if all(sources_of(graph, project, p, o) for p, o in values):
        return KNOWN
    return UNSOURCED


def coverage(graph: Graph) -> Coverage:
    projects = sorted(
        graph.subjects(RDF.type, MK.ListedProject), key=lambda p: label(graph, p).casefold()
    )
    rows = []
    for project in projects:
        states = {}
        for field, predicates in FIELDS.items():
            states[field] = _state(graph, project, predicates)
        rows.append((label(graph, project), states))
    return Coverage(list(FIELDS), rows)
