"""A page for every system, language, architecture and family: the facts with their sources and
periods, the lineage both ways, what points at it, and schema.org JSON-LD for search engines.

One renderer for the static site (`mkgraph site`) and the server's dereferenceable IRIs
(`/system/sel4`); they differ only in how a resource's page is addressed (`PageLinks`).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from mkgraph.core.namespaces import DOAP, MK

BASE = "https://w3id.org/mkgraph/"
# The kinds of resource that get a page, by the first segment of their IRI's path.
PAGE_KINDS = {
    "system": "Systems",
    "language": "Languages",
    "architecture": "Architectures",
    "family": "Families",
}

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 72rem; padding: 0 1rem 2rem; }
nav { border-bottom: 1px solid #ccc; padding: .5rem 0; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; font-size: .9rem; }
td, th { border: 1px solid #ccc; padding: .2rem .4rem; vertical-align: top; text-align: left; }
th { background: #eee; }
.sources, .period { color: #555; font-size: .85rem; }
.lineage { overflow: auto; max-height: 48rem; border: 1px solid #ddd; }
.lineage svg { max-width: none; }
ul.columns { columns: 4 12rem; }
"""


def kind_and_slug(resource: URIRef) -> tuple[str, str] | None:
    """("system", "sel4") for https://w3id.org/mkgraph/system/sel4, else None."""
    text = str(resource)
    if not text.startswith(BASE):
        return None
    kind, _, slug = text[len(BASE) :].partition("/")
    if kind not in PAGE_KINDS or not slug:
        return None
    return kind, slug


@dataclass
class PageLinks:
    """How pages are addressed: `prefix` + kind/slug + `suffix`, relative to the site's root
    (`root`: how a page reaches the root, "../" in the static site, "/" on the server)."""

    root: str
    suffix: str = ""
    home: str = "index.html"  # the index, and the lineage forest, as the page reaches them
    forest: str = "lineage.html"

    def page(self, resource: URIRef) -> str | None:
        found = kind_and_slug(resource)
        if not found:
            return None
        kind, slug = found
        return f"{self.root}{kind}/{_safe_path(slug)}{self.suffix}"


def _safe_path(slug: str) -> str:
    from urllib.parse import quote

    return quote(slug, safe="")


def page_file(resource: URIRef) -> str | None:
    """Where a resource's page lives inside the static site ("system/sel4.html")."""
    found = kind_and_slug(resource)
    return f"{found[0]}/{_safe_path(found[1])}.html" if found else None


def resources_with_pages(graph) -> dict[str, list[URIRef]]:
    found: dict[str, set[URIRef]] = {kind: set() for kind in PAGE_KINDS}
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                kind = kind_and_slug(term)
                if kind:
                    found[kind[0]].add(term)
    from mkgraph.store.names import label

    return {
        kind: sorted(items, key=lambda r: (label(graph, r).casefold(), str(r)))
        for kind, items in found.items()
    }


def schema_org(graph, resource: URIRef, url: str | None) -> dict:
    """schema.org JSON-LD for one resource (a system is software; the rest are defined terms)."""
    from mkgraph.store.names import label

    kind = kind_and_slug(resource)
    data: dict = {
        "@context": "https://schema.org",
        "@id": str(resource),
        "name": label(graph, resource),
    }
    description = graph.value(resource, DCTERMS.description)
    if description:
        data["description"] = str(description)
    if kind and kind[0] == "system":
        data["@type"] = "SoftwareSourceCode"
        languages = [label(graph, o) for o in graph.objects(resource, MK.implementedIn)]
        if languages:
            data["programmingLanguage"] = sorted(languages)
        licences = [str(o) for o in graph.objects(resource, DCTERMS.license)]
        if licences:
            data["license"] = sorted(licences)
        homepage = graph.value(resource, DOAP.homepage)
        if homepage:
            data["sameAs"] = str(homepage)
    else:
        data["@type"] = "DefinedTerm"
    if url:
        data["url"] = url
    return data


def _value_cell(fact, links: PageLinks) -> str:
    from mkgraph.views.drawing import web_link

    esc = html.escape
    if isinstance(fact.value, URIRef):
        page = links.page(fact.value)
        if page:
            return f'<a href="{esc(page)}">{esc(fact.value_label)}</a>'
        outside = web_link(str(fact.value)) if fact.value_label == str(fact.value) else None
        if outside:
            return f'<a href="{esc(outside)}" rel="noopener">{esc(outside)}</a>'
    if isinstance(fact.value, Literal):
        return esc(str(fact.value))
    return esc(fact.value_label)


def _fact_rows(facts, links: PageLinks) -> str:
    esc = html.escape
    rows = []
    for fact in facts:
        if fact.predicate == RDF.type and fact.value_label == str(fact.value):
            continue
        extra = ""
        if fact.period:
            extra += f' <span class="period">({esc(fact.period)})</span>'
        if fact.level:
            extra += f' <span class="period">[{esc(fact.level)}]</span>'
        sources = "; ".join(fact.sources)
        rows.append(
            f"<tr><th>{esc(fact.predicate_label)}</th><td>{_value_cell(fact, links)}{extra}</td>"
            f'<td class="sources">{esc(sources)}</td></tr>'
        )
    return "\n".join(rows)


def page(
    kg,
    resource: URIRef,
    links: PageLinks,
    lineage_svg: str | None = None,
    url: str | None = None,
) -> str:
    """The HTML page of one resource. `lineage_svg`: its lineage picture, inline. Its facts'
    periods are the knowledge graph's, read once however many pages are drawn (kg.periods)."""
    from mkgraph.views import describe

    esc = html.escape
    about = describe.describe(kg.graph, resource, kg.periods)
    kind = (kind_and_slug(resource) or ("resource", ""))[0]
    jsonld = json.dumps(schema_org(kg.graph, resource, url), ensure_ascii=False, indent=1)
    jsonld = jsonld.replace("</", "<\\/")  # never closes its script element
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(about.name)} — mkgraph</title>",
        '<link rel="icon" href="data:,">',  # no favicon request, on a server or a static host
        f"<style>{STYLE}</style>",
        f'<script type="application/ld+json">{jsonld}</script>',
        "</head>",
        "<body>",
        _nav(links),
        f"<h1>{esc(about.name)}</h1>",
        f'<p class="iri">{esc(kind)} · <code>{esc(str(resource))}</code></p>',
    ]
    description = kg.graph.value(resource, DCTERMS.description)
    if description:
        parts.append(f"<p>{esc(str(description))}</p>")
    parts.append("<h2>Facts</h2>")
    parts.append(
        '<table class="facts"><thead><tr><th>property</th><th>value (period)</th><th>sources</th>'
        "</tr></thead><tbody>"
    )
    parts.append(_fact_rows(about.facts, links))
    parts.append("</tbody></table>")
    if lineage_svg:
        parts.append("<h2>Lineage</h2>")
        parts.append(
            "<p>Ancestors above, descendants below; each arrow points from a system to the one it"
            " descends from. Click a system to open its page.</p>"
        )
        parts.append(f'<div class="lineage">{lineage_svg}</div>')
    parts.append("<h2>What points here</h2>")
    if about.incoming:
        parts.append(
            '<table class="incoming"><thead><tr><th>property</th><th>from</th><th>sources</th>'
            "</tr></thead><tbody>"
        )
        parts.append(_fact_rows(about.incoming, links))
        parts.append("</tbody></table>")
    else:
        parts.append(f"<p>Nothing in the graph points at {esc(about.name)}.</p>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _nav(links: PageLinks) -> str:
    return (
        f'<nav><a href="{html.escape(links.home)}">mkgraph</a>'
        f'<a href="{html.escape(links.forest)}">the lineage forest</a></nav>'
    )


def lineage_svg(kg, resource: URIRef, links: PageLinks) -> str | None:
    """The lineage both ways around a system, as inline SVG whose nodes link to their pages;
    None when the system has no lineage links."""
    from mkgraph.views import drawing

    view = kg.lineage_view([str(resource)], "both")
    if not view.edges:
        return None
    urls: dict[str, str] = {}
    for node in view.nodes.values():
        target = links.page(node.system)
        if target:
            urls[node.key] = target
    svg = drawing.render(
        drawing.to_dot(
            view, links=False, title=f"Lineage of {view.nodes[resource].name}", urls=urls
        ),
        "svg",
    )
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]


def index_nav(graph, found: dict[str, list[URIRef]], links: PageLinks, exports: list[str]) -> str:
    """The lists of every page and export, for the site's index."""
    from mkgraph.store.names import label

    esc = html.escape
    parts = ['<section id="pages">']
    for kind, title in PAGE_KINDS.items():
        parts.append(f"<h2>{title}</h2>")
        parts.append('<ul class="columns">')
        for resource in found.get(kind, []):
            parts.append(
                f'<li><a href="{esc(links.page(resource) or "")}">{esc(label(graph, resource))}</a></li>'
            )
        parts.append("</ul>")
    parts.append("<h2>The whole graph</h2><ul>")
    for name in exports:
        parts.append(f'<li><a href="{esc(name)}">{esc(name)}</a></li>')
    parts.append(
        '</ul><p><a href="lineage.html">The lineage forest</a> (also <a href="lineage.svg">SVG</a>)</p>'
    )
    parts.append("</section>")
    return "\n".join(parts)
