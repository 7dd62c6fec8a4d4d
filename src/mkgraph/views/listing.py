"""The source list, regenerated from the graph: every listed project with its description, homepage,
languages, architectures, lineage and traits, then a comparison table. The list becomes a view of the
graph, in Markdown or HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from mkgraph.core.namespaces import DOAP, LINEAGE_RELATIONS, MK
from mkgraph.store.names import label

INTRO = (
    "Active free and open-source microkernel projects, generated from the mkgraph knowledge graph "
    "(`mkgraph render list`). Every fact here is backed by a source in the graph; "
    "`mkgraph query sources -p of=NAME` shows which."
)
KIND_ORDER = [
    MK.Microkernel,
    MK.SeparationKernel,
    MK.Kernel,
    MK.Hypervisor,
    MK.OperatingSystem,
    MK.OSFramework,
]


@dataclass
class Entry:
    name: str
    description: str
    homepage: str
    kinds: list[str]
    languages: list[str]
    architectures: list[str]
    lineage: list[str]
    traits: list[str]


def _labels(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    return sorted({label(graph, o) for o in graph.objects(subject, predicate)}, key=str.casefold)


def entries(graph: Graph) -> list[Entry]:
    found = []
    for project in graph.subjects(RDF.type, MK.ListedProject):
        kinds = [label(graph, k) for k in KIND_ORDER if (project, RDF.type, k) in graph]
        lineage = [
            f"{label(graph, relation)} {name}"
            for relation in LINEAGE_RELATIONS
            for name in _labels(graph, project, relation)
        ]
        found.append(
            Entry(
                name=label(graph, project),
                description=str(graph.value(project, DCTERMS.description) or ""),
                homepage=str(graph.value(project, DOAP.homepage) or ""),
                kinds=kinds,
                languages=_labels(graph, project, MK.implementedIn),
                architectures=_labels(graph, project, MK.supportsArchitecture),
                lineage=lineage,
                traits=_labels(graph, project, MK.hasTrait),
            )
        )
    return sorted(found, key=lambda e: e.name.casefold())


def _columns(items: list[Entry]) -> list[str]:
    return sorted({t for e in items for t in e.traits}, key=str.casefold)


def to_markdown(graph: Graph) -> str:
    items = entries(graph)
    lines = ["# Open-source microkernel projects", "", INTRO, ""]
    for entry in items:
        lines += [f"## {entry.name}", "", entry.description, ""]
        facts = [
            ("Homepage", f"<{entry.homepage}>"),
            ("Kind", ", ".join(entry.kinds)),
            ("Languages", ", ".join(entry.languages)),
            ("Architectures", ", ".join(entry.architectures)),
            ("Lineage", "; ".join(entry.lineage)),
            ("Traits", ", ".join(entry.traits)),
        ]
        lines += [f"- **{key}:** {value}" for key, value in facts if value]
        lines.append("")
    traits = _columns(items)
    lines += ["## Comparison", ""]
    header = ["Project"] + traits + ["Languages", "Architectures"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    for entry in items:
        marks = ["✓" if t in entry.traits else "" for t in traits]
        row = [entry.name] + marks + [", ".join(entry.languages), ", ".join(entry.architectures)]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def to_html(graph: Graph) -> str:
    items = entries(graph)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<title>Open-source microkernel projects</title>",
        '<link rel="icon" href="data:,">',
        "<style>body{font-family:Helvetica,Arial,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}table{border-collapse:collapse;font-size:.85rem}"
        "td,th{border:1px solid #ccc;padding:.2rem .4rem}th{background:#eee}</style>",
        "</head>",
        "<body>",
        "<h1>Open-source microkernel projects</h1>",
        f"<p>{esc(INTRO.replace('`', ''))}</p>",
    ]
    for entry in items:
        parts.append(f"<h2>{esc(entry.name)}</h2>")
        parts.append(f"<p>{esc(entry.description)}</p>")
        parts.append("<ul>")
        parts.append(
            f'<li><b>Homepage:</b> <a href="{esc(entry.homepage)}">{esc(entry.homepage)}</a></li>'
        )
        for key, values, sep in (
            ("Kind", entry.kinds, ", "),
            ("Languages", entry.languages, ", "),
            ("Architectures", entry.architectures, ", "),
            ("Lineage", entry.lineage, "; "),
            ("Traits", entry.traits, ", "),
        ):
            if values:
                parts.append(f"<li><b>{key}:</b> {esc(sep.join(values))}</li>")
        parts.append("</ul>")
    traits = _columns(items)
    parts.append("<h2>Comparison</h2>")
    parts.append(
        "<table><thead><tr>"
        + "".join(
            f"<th>{esc(h)}</th>" for h in ["Project"] + traits + ["Languages", "Architectures"]
        )
        + "</tr></thead><tbody>"
    )
    for entry in items:
        cells = (
            [entry.name]
            + ["✓" if t in entry.traits else "" for t in traits]
            + [", ".join(entry.languages), ", ".join(entry.architectures)]
        )
        parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    parts.append("</tbody></table>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
