"""Drawing lineage views the way kernel family trees are drawn: one node per system (listed projects
boxed, merely mentioned systems dashed), one edge style per kind of inheritance, nodes coloured by
the kernel family the data states (mk:memberOfFamily), and time running down the page: by start
year, or for a system without one by the earliest other year it is known by (first appeared in a
family-tree figure, announced, first commit, first release, open-sourced; see lineage.dated).

Every edge reads as a sentence in the direction of its arrow, descendant first: "Genode — based on →
seL4". Systems without a known year sit in a band marked "year unknown" below the years, never on a
year row.

Formats: Graphviz DOT (built with the `graphviz` package), SVG and PNG (rendered by Graphviz's `dot`
program), Mermaid (a flowchart GitHub renders), JSON (nodes and links), and one self-contained HTML page.
"""

from __future__ import annotations

import html
import json
import re

from mkgraph.core.errors import MkgraphError, OutputError
from mkgraph.core.formats import DRAWING_EXTENSIONS
from mkgraph.views.lineage import LineageView, sentence

# A link target a drawing may make clickable: an absolute http(s) URL with no space, control
# character or character that would need quoting (a backslash is an escape to Graphviz).
_WEB_LINK = re.compile(r"https?://[^\s\x00-\x1f\x7f\"'<>\\^`{|}]+", re.IGNORECASE)


def web_link(url: str | None) -> str | None:
    """The URL if it may become a clickable link in a drawing, else None: only http and https,
    never javascript:, data:, file: or anything a browser would run or read locally."""
    return url if url and _WEB_LINK.fullmatch(url) else None


# One look per kind of inheritance: (DOT style, DOT pen width, Mermaid arrow)
EDGE_STYLES = {
    "based on": ("solid", "1.2", "-->"),
    "derived from": ("bold", "2.4", "==>"),
    "re-implements": ("dotted", "2.4", "--o"),
    "inspired by": ("dashed", "1.2", "-.->"),
}
# Paul Tol's "light" scheme: distinct for colour-blind readers, light enough for black text.
PALETTE = ["#77AADD", "#EE8866", "#44BB99", "#EEDD88", "#FFAABB", "#99DDFF", "#BBCC33", "#AAAA00"]
NO_FAMILY = "#FFFFFF"  # systems the data puts in no family
UNDATED = "year unknown"
UNDATED_PER_ROW = 6
# What the time axis means, in the legend: an appearance is a bound on a start, not a start.
TIME_AXIS = (
    "years: the start year, or without one the earliest\\nof first appeared, announced,"
    " first commit,\\nfirst release, open-sourced"
)


class GraphvizMissing(MkgraphError):
    """Graphviz's `dot` program is needed to render SVG or PNG and is not installed."""


def format_from_extension(path: str) -> str | None:
    match = re.search(r"\.[A-Za-z]+$", path)
    return DRAWING_EXTENSIONS.get(match.group(0).lower()) if match else None


def clan_colours(view: LineageView) -> dict[str, str]:
    """One colour per stated family ("" = no family stated). Beyond the palette, further families
    get evenly spread hues so that no two families share a colour."""
    import colorsys

    clans = sorted({node.clan for node in view.nodes.values() if node.clan}, key=str.casefold)
    colours = {"": NO_FAMILY}
    for index, clan in enumerate(clans):
        if index < len(PALETTE):
            colours[clan] = PALETTE[index]
        else:
            hue = (index - len(PALETTE)) / max(1, len(clans) - len(PALETTE))
            r, g, b = colorsys.hls_to_rgb(hue, 0.8, 0.6)
            colours[clan] = f"#{int(r * 255):02X}{int(g * 255):02X}{int(b * 255):02X}"
    return colours


def family_name(clan: str) -> str:
    return clan or "no family stated"


def band(node) -> str:
    """The row a system is drawn on: its year, or the marked band of systems without one."""
    return str(node.year) if node.year is not None else UNDATED


def edge_sentence(view: LineageView, edge) -> str:
    return sentence(
        view.nodes[edge.child].name,
        view.relation_name(edge),
        view.nodes[edge.parent].name,
        edge.ended,
    )


def _tooltip(node) -> str:
    """What hovering over a system shows: the date that places it, said as the kind of date it
    is ("first appeared 1998", never passed off as a start), then its description."""
    description = node.facts.get("description", [""])[0][:300]
    if node.year is None:
        return description
    return f"{node.year_kind} {node.year}. {description}".strip()


def fingerprint(view: LineageView) -> str:
    """A digest of what a drawing shows; rendered files carry it so staleness can be detected."""
    import hashlib

    return hashlib.sha256(to_json(view).encode("utf-8")).hexdigest()[:16]


def to_dot(
    view: LineageView,
    links: bool = True,
    title: str = "mkgraph lineage",
    urls: dict[str, str] | None = None,
    legend: bool = True,
    colours: dict[str, str] | None = None,
    compact: bool = False,
) -> str:
    """Graphviz DOT source. With links, each node links to its homepage; `urls` (node key to a
    page address) links nodes to their own pages instead. `colours` (family to colour) keeps the
    colours of a larger drawing this one is a part of; `compact` packs it tighter (a panel)."""
    import graphviz

    colours = colours or clan_colours(view)
    dot = graphviz.Digraph(
        "lineage",
        graph_attr={
            "comment": f"mkgraph view {fingerprint(view)}",
            "rankdir": "TB",
            "newrank": "true",
            "fontname": "Helvetica",
            "label": f"{title}\n{view.note}" if view.note else title,
            "labelloc": "t",
            "fontsize": "16",
            "nodesep": "0.12" if compact else "0.3",
            "ranksep": "0.45",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10" if compact else "11"},
        edge_attr={
            "fontname": "Helvetica",
            "fontsize": "8" if compact else "9",
            "color": "#555555",
        },
    )
    per_row = 4 if compact else UNDATED_PER_ROW

    years = sorted({n.year for n in view.nodes.values() if n.year is not None})
    undated = [n for n in view.nodes.values() if n.year is None]
    # The time axis: a column of years, each on the rank of the systems started then; below the
    # last year, a marked band holds the systems without a known year, a few to a row.
    with dot.subgraph(name="timeline") as axis:
        axis.attr("node", shape="plaintext", fontsize="10", fontcolor="#666666")
        for year in years:
            axis.node(f"y{year}", str(year))
        for earlier, later in zip(years, years[1:], strict=False):
            axis.edge(f"y{earlier}", f"y{later}", style="invis")
    for year in years:
        with dot.subgraph() as same:
            same.attr(rank="same")
            same.node(f"y{year}")
            for node in view.nodes.values():
                if node.year == year:
                    same.node(node.key)
    if undated:
        with dot.subgraph(name="cluster_undated") as band_:
            band_.attr(
                label=f"{UNDATED} (not on the time axis)",
                style="dashed,rounded",
                color="#888888",
                fontcolor="#555555",
                fontsize="11",
                id="band_undated",
            )
            for node in undated:
                band_.node(node.key)
        anchor = f"y{years[-1]}" if years else None
        for index, node in enumerate(undated):
            if index < per_row:
                if anchor:  # below every year
                    dot.edge(anchor, node.key, style="invis")
            else:
                dot.edge(undated[index - per_row].key, node.key, style="invis")

    for node in view.nodes.values():
        attrs = {
            "label": node.name,
            "id": node.key,
            "tooltip": _tooltip(node) or node.name,
            "fillcolor": colours[node.clan],
            "class": "year-unknown" if node.year is None else f"year-{node.year}",
        }
        if node.listed:
            attrs.update(shape="box", style="filled,rounded", penwidth="1.4")
        else:
            attrs.update(shape="ellipse", style="filled,dashed", fontcolor="#333333")
        link = web_link(node.homepage) if links else None
        if urls and node.key in urls:
            link = urls[node.key]
        if link:
            attrs.update(URL=link, target="_top")
        dot.node(node.key, **attrs)

    for edge in view.edges:
        # Drawn from the descendant to its ancestor, so the arrow reads as the fact does:
        # "Genode — based on → seL4". The year ranks, not the edge direction, place the nodes.
        relation = view.relation_name(edge)
        style, width, _ = EDGE_STYLES[relation]
        child, parent = view.nodes[edge.child].key, view.nodes[edge.parent].key
        dot.edge(
            child,
            parent,
            label=f"{relation} ({edge.ended})" if edge.ended else relation,
            style=style,
            penwidth=width,
            tooltip=edge_sentence(view, edge),
            id=f"e_{child}_{relation.replace(' ', '_')}_{parent}",
        )

    if not legend:  # the HTML page gives the title and legend once, in the page
        return dot.source
    _add_legend(dot, colours, any(not n.clan for n in view.nodes.values()))
    return dot.source


def _add_legend(dot, colours: dict[str, str], unfamilied: bool) -> None:
    """The legend: node shapes, one swatch per family named, one line style per relation."""
    with dot.subgraph(name="cluster_legend") as legend_:
        legend_.attr(label="Legend", fontsize="11", style="rounded", color="#999999")
        legend_.attr("node", fontsize="9", width="0.3", height="0.2")
        legend_.node("legend_listed", "listed project", shape="box", style="rounded")
        legend_.node("legend_mentioned", "mentioned system", shape="ellipse", style="dashed")
        legend_.edge("legend_listed", "legend_mentioned", style="invis")
        legend_.node("legend_years", TIME_AXIS, shape="plaintext", fontsize="8")
        legend_.edge("legend_mentioned", "legend_years", style="invis")
        for index, (clan, colour) in enumerate(colours.items()):
            if clan or unfamilied:
                legend_.node(
                    f"legend_f{index}",
                    family_name(clan),
                    shape="box",
                    style="filled",
                    fillcolor=colour,
                )
        for index, (relation, (style, width, _)) in enumerate(EDGE_STYLES.items()):
            legend_.node(f"legend_a{index}", "descendant", shape="plaintext", fontsize="8")
            legend_.node(f"legend_b{index}", "ancestor", shape="plaintext", fontsize="8")
            legend_.edge(
                f"legend_a{index}", f"legend_b{index}", label=relation, style=style, penwidth=width
            )


# ---------------------------------------------------------------- the forest as small multiples

PANEL_WIDTH_PX = 900  # what a README shows at its natural size
_PX_PER_PT = 4 / 3  # Graphviz measures SVG in points; screens count CSS pixels
_PANEL_GAP = 12  # points between panels


def _descendants(view: LineageView, root) -> set:
    down: dict = {}
    for edge in view.edges:
        down.setdefault(edge.parent, []).append(edge.child)
    found, pending = {root}, [root]
    while pending:
        for child in down.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def _part(view: LineageView, root, members: set) -> tuple[str, LineageView]:

    nodes = {s: n for s, n in view.nodes.items() if s in members}
    edges = [e for e in view.edges if e.parent in members and e.child in members]
    return f"{view.nodes[root].name} and what descends from it", LineageView(nodes, edges)


def panels(view: LineageView, too_wide=None) -> list[tuple[str, LineageView]]:
    """The forest cut into small multiples: one panel per system that descends from none,
    holding it and everything that descends from it (a system with several roots appears in
    each of their panels), and one last panel of the systems with no lineage link in the graph.
    A panel `too_wide` says is too wide gives its biggest branch a panel of its own: the
    branch's first system stays in both, as do the systems that also descend from outside the
    branch, so every link is in some panel."""

    children = {edge.child for edge in view.edges}
    linked = children | {edge.parent for edge in view.edges}
    roots = sorted(
        (s for s in linked if s not in children), key=lambda s: view.nodes[s].name.casefold()
    )
    pending = [(root, _descendants(view, root)) for root in roots]
    found = []
    while pending:
        root, members = pending.pop(0)
        part = _part(view, root, members)
        if too_wide is None or len(members) < 6 or not too_wide(part[1]):
            found.append(part)
            continue
        branches = [(s, _descendants(part[1], s)) for s in members if s != root]
        splits = []
        for top, branch in branches:
            inner = branch - {top}
            # a system of the branch that also descends from the rest stays, with that link
            kept = {e.child for e in part[1].edges if e.child in inner and e.parent not in branch}
            rest = (members - inner) | kept
            if len(branch) >= 3 and len(rest) < len(members):  # both panels smaller
                splits.append((len(branch), view.nodes[top].name, top, branch, rest))
        if not splits:
            found.append(part)
            continue
        _, _, top, branch, rest = max(splits, key=lambda split: split[:2])
        pending[:0] = [(root, rest), (top, branch)]
    # the biggest trees first: they set the width the smaller ones fill in beside each other
    found.sort(key=lambda panel: (-len(panel[1].nodes), panel[0].casefold()))
    alone = {s: n for s, n in view.nodes.items() if s not in linked}
    if alone:
        found.append(("no lineage link in the graph", LineageView(alone, [])))
    return found


def _svg_size(svg: str) -> tuple[float, float]:
    match = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    if not match:
        raise OutputError("Graphviz wrote an SVG without a size in points")
    return float(match.group(1)), float(match.group(2))


def to_panels_svg(view: LineageView, title: str = "The microkernel family forest") -> bytes:
    """The whole forest in one SVG that fits a README: the title and legend, then one panel per
    tree (see panels), packed in rows no wider than PANEL_WIDTH_PX where they fit."""
    import graphviz

    colours = clan_colours(view)
    head = graphviz.Digraph(
        "legend",
        graph_attr={"label": title, "labelloc": "t", "fontsize": "16", "fontname": "Helvetica"},
        node_attr={"fontname": "Helvetica"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#555555"},
    )
    _add_legend(head, colours, any(not n.clan for n in view.nodes.values()))
    limit = PANEL_WIDTH_PX / _PX_PER_PT
    rendered: dict[str, str] = {}

    def draw(name: str, part: LineageView) -> str:
        source = to_dot(part, title=name, legend=False, colours=colours, compact=True)
        if source not in rendered:
            rendered[source] = render(source, "svg").decode("utf-8")
        return rendered[source]

    def too_wide(part: LineageView) -> bool:
        return _svg_size(draw("", part))[0] > limit

    drawn = [render(head.source, "svg").decode("utf-8")]
    drawn += [draw(name, part) for name, part in panels(view, too_wide)]
    placed, x, y, row_height, width = [], 0.0, 0.0, 0.0, 0.0
    for index, svg in enumerate(drawn):
        w, h = _svg_size(svg)
        if x > 0 and (index == 1 or x + w > limit):  # the legend has a row of its own
            x, y, row_height = 0.0, y + row_height + _PANEL_GAP, 0.0
        body = svg[svg.index("<svg") :]
        body = re.sub(
            r'<svg width="[0-9.]+pt" height="[0-9.]+pt"',
            f'<svg x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}"',
            body,
            count=1,
        )
        body = body.replace(' id="', f' id="p{index}_')  # ids stay unique in the one document
        placed.append(body)
        x, row_height, width = x + w + _PANEL_GAP, max(row_height, h), max(width, x + w)
    height = y + row_height
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f"<!-- mkgraph view {fingerprint(view)} -->\n"
        f'<svg width="{width:.2f}pt" height="{height:.2f}pt" viewBox="0 0 {width:.2f} {height:.2f}"'
        ' xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        f"<title>{html.escape(title)}</title>\n"
        '<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(placed) + "\n</svg>\n"
    ).encode("utf-8")


def render(dot_source: str, fmt: str) -> bytes:
    """Render DOT to SVG or PNG with Graphviz's `dot` program."""
    import graphviz

    try:
        return graphviz.Source(dot_source).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(
            f"rendering {fmt.upper()} needs Graphviz's 'dot' program: install it "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
        ) from None
    except graphviz.CalledProcessError as exc:
        detail = " ".join((exc.stderr or b"").decode("utf-8", "replace").split())[:200]
        raise OutputError(f"Graphviz could not render the drawing: {detail}") from None


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(view: LineageView) -> str:
    """A Mermaid flowchart: listed projects as boxes, mentioned systems as rounded stadiums."""
    colours = clan_colours(view)
    # Arrows run from descendant to ancestor ("Genode -->|based on| seL4"); bottom-to-top puts
    # the ancestors, the arrows' targets, above. Each year (and the undated band) is a subgraph.
    lines = ["flowchart BT"]
    if view.note:
        lines.insert(0, f"%% {view.note}")
    rows: dict[str, list] = {}
    for node in sorted(view.nodes.values(), key=lambda n: (n.year is None, n.year or 0)):
        rows.setdefault(band(node), []).append(node)
    for row, members in rows.items():
        ident = "undated" if row == UNDATED else f"y{row}"
        lines.append(f'    subgraph {ident}["{row}"]')
        for node in members:
            name = _mermaid_text(node.name)
            shape = f'["{name}"]' if node.listed else f'(["{name}"])'
            lines.append(f"        {node.key}{shape}")
        lines.append("    end")
    for edge in view.edges:
        relation = view.relation_name(edge)
        arrow = EDGE_STYLES[relation][2]
        text = f"{relation} ({_mermaid_text(edge.ended)})" if edge.ended else relation
        lines.append(
            f"    {view.nodes[edge.child].key} {arrow}|{text}| {view.nodes[edge.parent].key}"
        )
    for index, (clan, colour) in enumerate(colours.items()):
        members = [n.key for n in view.nodes.values() if n.clan == clan]
        if members:
            lines.append(f"    classDef clan{index} fill:{colour},stroke:#555")
            lines.append(f"    class {','.join(members)} clan{index}")
    for node in view.nodes.values():
        link = web_link(node.homepage)
        if link:
            lines.append(f'    click {node.key} href "{_mermaid_text(link)}" _blank')
    return "\n".join(lines)


def to_json(view: LineageView, links_only: bool = False) -> str:
    """Nodes and links, for other tools (d3, networkx, ...). With `links_only`, a homepage that
    may not become a link (see web_link) is left out, as the HTML page needs."""
    nodes = [
        {
            "id": node.key,
            "iri": str(node.system),
            "name": node.name,
            "listed": node.listed,
            "homepage": web_link(node.homepage) if links_only else node.homepage,
            "year": node.year,
            "yearKind": node.year_kind,
            "band": band(node),
            "family": node.clan or None,
            "facts": node.facts,
            "otherNames": node.other_names,
            "sources": node.sources,
            "statements": node.statements,
        }
        for node in view.nodes.values()
    ]
    # source is the descendant, target the ancestor: "source relation target" reads as the fact
    links = [
        {
            "source": view.nodes[e.child].key,
            "relation": view.relation_name(e),
            "target": view.nodes[e.parent].key,
            "ended": e.ended,  # the period of a link that no longer holds, else null
            "sentence": edge_sentence(view, e),
        }
        for e in view.edges
    ]
    answer: dict = {"nodes": nodes, "links": links}
    if view.note:
        answer["note"] = view.note
    return json.dumps(answer, indent=2, ensure_ascii=False)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 0; display: flex; height: 100vh; }
main { flex: 1; display: flex; flex-direction: column; min-width: 0; padding: 0 1rem; }
header h1 { margin: .5rem 0; font-size: 1.4rem; }
.tools { display: flex; gap: .5rem; align-items: center; margin-bottom: .3rem; }
#viewport { flex: 1; overflow: hidden; border: 1px solid #ccc; cursor: grab; position: relative; }
#viewport.dragging { cursor: grabbing; }
#viewport svg { transform-origin: 0 0; position: absolute; left: 0; top: 0; }
aside { width: 22rem; border-left: 1px solid #ccc; padding: 1rem; background: #fafafa;
        height: 100vh; box-sizing: border-box; overflow-y: auto; position: sticky; top: 0; }
aside h2 { margin-top: 0; }
aside dt { font-weight: bold; margin-top: .5rem; }
aside dd { margin-left: 0; }
aside .src { color: #555; font-size: .8rem; }
aside dd { margin-bottom: .25rem; }
aside dd.ended { color: #666; }
svg g.node { cursor: pointer; }
svg g.node.selected polygon, svg g.node.selected ellipse, svg g.node.selected path { stroke: #d62728; stroke-width: 3; }
.legend { font-size: .85rem; margin: .2rem 0 .5rem; }
.legend span { display: inline-block; margin-right: 1rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border: 1px solid #555; vertical-align: middle; }
#search-result { color: #a00; font-size: .85rem; }
</style>
</head>
<body>
<main>
<header>
<h1>@@TITLE@@</h1>
<p class="legend">@@LEGEND@@</p>
<div class="tools">
<label>Find a system <input id="search" list="names" autocomplete="off" placeholder="name or other name"></label>
<datalist id="names">@@NAMES@@</datalist>
<button id="zoom-in" type="button" title="zoom in">+</button>
<button id="zoom-out" type="button" title="zoom out">−</button>
<button id="zoom-fit" type="button" title="fit the drawing">fit</button>
<span id="search-result" role="status"></span>
</div>
</header>
<div id="viewport">@@SVG@@</div>
</main>
<aside id="facts" aria-live="polite">
<h2 id="facts-title">Click a system</h2>
<div id="facts-body"><p>Its facts and their sources appear here. Scroll to zoom, drag to pan.</p></div>
</aside>
<script id="lineage-data" type="application/json">@@DATA@@</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  var byId = {};
  data.nodes.forEach(function (node) { byId[node.id] = node; });
  var viewport = document.getElementById("viewport");
  var svg = viewport.querySelector("svg");
  var view = { scale: 1, x: 0, y: 0 };
  function apply() { svg.style.transform = "translate(" + view.x + "px," + view.y + "px) scale(" + view.scale + ")"; }
  function fit() {
    var w = svg.width.baseVal.value || svg.getBoundingClientRect().width;
    var h = svg.height.baseVal.value || svg.getBoundingClientRect().height;
    view.scale = Math.min(1, viewport.clientWidth / w, viewport.clientHeight / h);
    view.x = 0; view.y = 0; apply();
  }
  function zoom(factor, cx, cy) {
    var next = Math.max(0.05, Math.min(8, view.scale * factor));
    view.x = cx - (cx - view.x) * next / view.scale;
    view.y = cy - (cy - view.y) * next / view.scale;
    view.scale = next; apply();
  }
  viewport.addEventListener("wheel", function (event) {
    event.preventDefault();
    var box = viewport.getBoundingClientRect();
    zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });
  var drag = null;
  viewport.addEventListener("pointerdown", function (event) {
    if (event.target.closest && event.target.closest("g.node")) { return; }
    drag = { x: event.clientX - view.x, y: event.clientY - view.y };
    viewport.classList.add("dragging");
  });
  window.addEventListener("pointermove", function (event) {
    if (drag) { view.x = event.clientX - drag.x; view.y = event.clientY - drag.y; apply(); }
  });
  window.addEventListener("pointerup", function () { drag = null; viewport.classList.remove("dragging"); });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.3, viewport.clientWidth / 2, viewport.clientHeight / 2); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.3, viewport.clientWidth / 2, viewport.clientHeight / 2); });
  document.getElementById("zoom-fit").addEventListener("click", fit);

  function text(tag, value, cls) { var el = document.createElement(tag); el.textContent = value; if (cls) { el.className = cls; } return el; }
  function show(id) {
    var node = byId[id];
    if (!node) { return; }
    document.querySelectorAll("g.node.selected").forEach(function (g) { g.classList.remove("selected"); });
    var group = document.getElementById(id);
    if (group) { group.classList.add("selected"); }
    document.getElementById("facts-title").textContent = node.name;
    var body = document.getElementById("facts-body");
    body.innerHTML = "";
    var list = document.createElement("dl");
    list.appendChild(text("dt", "listed on microkernel.info"));
    list.appendChild(text("dd", node.listed ? "yes" : "no, mentioned by a listed project"));
    if (node.otherNames.length) {
      list.appendChild(text("dt", "other names"));
      list.appendChild(text("dd", node.otherNames.join(", ")));
    }
    list.appendChild(text("dt", "row"));
    list.appendChild(text("dd", node.band));
    // each value on its own line, with its period ("until 2017") and the sources that say so
    Object.keys(node.statements).forEach(function (key) {
      list.appendChild(text("dt", key));
      node.statements[key].forEach(function (said) {
        var notes = [said.level, said.period].filter(Boolean).join(", ");
        var dd = text("dd", said.value + (notes ? " (" + notes + ")" : ""));
        if (!said.current) { dd.className = "ended"; }
        if (said.sources.length) { dd.appendChild(document.createElement("br")); dd.appendChild(text("span", "sources: " + said.sources.join("; "), "src")); }
        list.appendChild(dd);
      });
    });
    var lines = data.links.filter(function (l) { return l.source === id || l.target === id; });
    if (lines.length) {
      list.appendChild(text("dt", "lineage"));
      lines.forEach(function (l) { list.appendChild(text("dd", l.sentence)); });
    }
    if (node.homepage && /^https?:[/][/]/i.test(node.homepage)) {  // web links only
      list.appendChild(text("dt", "homepage"));
      var dd = document.createElement("dd");
      var link = document.createElement("a");
      link.href = node.homepage; link.textContent = node.homepage; link.rel = "noopener"; link.target = "_blank";
      dd.appendChild(link); list.appendChild(dd);
    }
    body.appendChild(list);
  }
  function centre(id) {
    var group = document.getElementById(id);
    if (!group) { return; }
    var box = group.getBoundingClientRect(), outer = viewport.getBoundingClientRect();
    view.x += outer.left + outer.width / 2 - (box.left + box.width / 2);
    view.y += outer.top + outer.height / 2 - (box.top + box.height / 2);
    apply();
  }
  function find(query) {
    var wanted = query.trim().toLowerCase();
    if (!wanted) { return null; }
    var exact = null, partial = null;
    data.nodes.forEach(function (node) {
      var names = [node.name].concat(node.otherNames).map(function (n) { return n.toLowerCase(); });
      if (!exact && names.indexOf(wanted) >= 0) { exact = node; }
      if (!partial && names.some(function (n) { return n.indexOf(wanted) >= 0; })) { partial = node; }
    });
    return exact || partial;
  }
  var search = document.getElementById("search");
  function runSearch() {
    var found = find(search.value);
    document.getElementById("search-result").textContent = found || !search.value.trim() ? "" : "no system named " + search.value.trim() + " in this drawing";
    if (found) { show(found.id); centre(found.id); }
  }
  search.addEventListener("change", runSearch);
  search.addEventListener("keydown", function (event) { if (event.key === "Enter") { runSearch(); } });
  document.querySelectorAll("svg g.node").forEach(function (group) {
    if (byId[group.id]) {
      group.addEventListener("click", function (event) {
        var link = event.target.closest("a");  // Graphviz wraps tooltips in <a> too
        if (!link || !(link.getAttribute("href") || link.getAttribute("xlink:href"))) { show(group.id); }
      });
    }
  });
  fit();
  window.mkgraphShow = show;
  window.mkgraphFind = function (query) { search.value = query; runSearch(); return document.getElementById("facts-title").textContent; };
}());
</script>
</body>
</html>
"""


def to_html(view: LineageView, title: str = "mkgraph lineage") -> str:
    """One self-contained page: the SVG inline, clickable nodes showing their facts, a legend."""
    svg = render(to_dot(view, links=False, title="", legend=False), "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the page is HTML5
    colours = clan_colours(view)
    legend = " ".join(
        f'<span><i class="swatch" style="background:{colour}"></i> {html.escape(family_name(clan))}'
        "</span>"
        for clan, colour in colours.items()
        if any(n.clan == clan for n in view.nodes.values())
    )
    if view.note:
        legend = f"<strong>{html.escape(view.note)}</strong> " + legend
    legend += (
        " <span>boxes: listed projects; dashed ovals: mentioned systems. Arrows point from a"
        " system to the one it descends from: solid, based on; bold, derived from (code"
        " inherited); dotted, re-implements (interface inherited, code not); dashed, inspired by"
        " (ideas). The time axis gives each system's start year or, without one, the earliest"
        " year it is known by (first appeared, announced, first commit, first release,"
        " open-sourced: the facts panel says which). Systems without a known year are in the"
        " dashed band below the years.</span>"
    )
    # links_only: a javascript: homepage never reaches the page's link; "<\\/" keeps the JSON
    # from closing its script element
    data = to_json(view, links_only=True).replace("</", "<\\/")
    names = sorted({name for n in view.nodes.values() for name in [n.name, *n.other_names]})
    options = "".join(f'<option value="{html.escape(name)}">' for name in names)
    return (
        _PAGE.replace("@@TITLE@@", html.escape(title))
        .replace("@@LEGEND@@", legend)
        .replace("@@NAMES@@", options)
        .replace("@@SVG@@", svg)
        .replace("@@DATA@@", data)
    )
