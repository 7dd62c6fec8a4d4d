"""Drawing lineage views the way kernel family trees are drawn: one node per system (listed projects
boxed, merely mentioned systems dashed), one edge style per kind of inheritance, nodes coloured by
family, and time running down the page by start year.

Formats: Graphviz DOT (built with the `graphviz` package), SVG and PNG (rendered by Graphviz's `dot`
program), Mermaid (a flowchart GitHub renders), JSON (nodes and links), and one self-contained HTML page.
"""

from __future__ import annotations

import html
import json
import re

from mkgraph.errors import MkgraphError, OutputError
from mkgraph.lineage import LineageView

# A link target a drawing may make clickable: an absolute http(s) URL with no space, control
# character or character that would need quoting (a backslash is an escape to Graphviz).
_WEB_LINK = re.compile(r"https?://[^\s\x00-\x1f\x7f\"'<>\\^`{|}]+", re.IGNORECASE)


def web_link(url: str | None) -> str | None:
    """The URL if it may become a clickable link in a drawing, else None: only http and https,
    never javascript:, data:, file: or anything a browser would run or read locally."""
    return url if url and _WEB_LINK.fullmatch(url) else None


FORMATS = ("tree", "dot", "svg", "png", "mermaid", "json", "html")
EXTENSIONS = {
    ".dot": "dot",
    ".gv": "dot",
    ".svg": "svg",
    ".png": "png",
    ".mmd": "mermaid",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".txt": "tree",
}

# One look per kind of inheritance: (DOT style, DOT pen width, Mermaid arrow)
EDGE_STYLES = {
    "based on": ("solid", "1.2", "-->"),
    "derived from": ("bold", "2.4", "==>"),
    "re-implements": ("dotted", "2.4", "--o"),
    "inspired by": ("dashed", "1.2", "-.->"),
}
PALETTE = [
    "#a6cee3",
    "#b2df8a",
    "#fdbf6f",
    "#cab2d6",
    "#fb9a99",
    "#ffff99",
    "#8dd3c7",
    "#bebada",
    "#80b1d3",
    "#fccde5",
    "#d9d9d9",
    "#ccebc5",
]


class GraphvizMissing(MkgraphError):
    """Graphviz's `dot` program is needed to render SVG or PNG and is not installed."""


def format_from_extension(path: str) -> str | None:
    match = re.search(r"\.[A-Za-z]+$", path)
    return EXTENSIONS.get(match.group(0).lower()) if match else None


def clan_colours(view: LineageView) -> dict[str, str]:
    clans = sorted({node.clan for node in view.nodes.values()}, key=str.casefold)
    return {clan: PALETTE[index % len(PALETTE)] for index, clan in enumerate(clans)}


def _tooltip(node) -> str:
    description = node.facts.get("description", [""])[0]
    return description[:300]


def fingerprint(view: LineageView) -> str:
    """A digest of what a drawing shows; rendered files carry it so staleness can be detected."""
    import hashlib

    return hashlib.sha256(to_json(view).encode("utf-8")).hexdigest()[:16]


def to_dot(view: LineageView, links: bool = True, title: str = "mkgraph lineage") -> str:
    """Graphviz DOT source. With links, each node links to its homepage."""
    import graphviz

    colours = clan_colours(view)
    dot = graphviz.Digraph(
        "lineage",
        graph_attr={
            "comment": f"mkgraph view {fingerprint(view)}",
            "rankdir": "TB",
            "newrank": "true",
            "fontname": "Helvetica",
            "label": title,
            "labelloc": "t",
            "fontsize": "16",
            "nodesep": "0.3",
            "ranksep": "0.45",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#555555"},
    )

    years = sorted({n.start_year for n in view.nodes.values() if n.start_year is not None})
    if years:  # the time axis: a column of years, each on the rank of the systems started then
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
                    if node.start_year == year:
                        same.node(node.key)

    for node in view.nodes.values():
        attrs = {
            "label": node.name,
            "id": node.key,
            "tooltip": _tooltip(node) or node.name,
            "fillcolor": colours[node.clan],
        }
        if node.listed:
            attrs.update(shape="box", style="filled,rounded", penwidth="1.4")
        else:
            attrs.update(shape="ellipse", style="filled,dashed", fontcolor="#333333")
        link = web_link(node.homepage) if links else None
        if link:
            attrs.update(URL=link, target="_top")
        dot.node(node.key, **attrs)

    for edge in view.edges:
        relation = view.relation_name(edge)
        style, width, _ = EDGE_STYLES[relation]
        dot.edge(
            view.nodes[edge.parent].key,
            view.nodes[edge.child].key,
            label=relation,
            style=style,
            penwidth=width,
            id=f"e_{view.nodes[edge.parent].key}_"
            f"{view.nodes[edge.child].key}_{relation.replace(' ', '_')}",
        )

    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="Legend", fontsize="11", style="rounded", color="#999999")
        legend.attr("node", fontsize="9", width="0.3", height="0.2")
        legend.node("legend_listed", "listed project", shape="box", style="rounded")
        legend.node("legend_mentioned", "mentioned system", shape="ellipse", style="dashed")
        legend.edge("legend_listed", "legend_mentioned", style="invis")
        for index, (relation, (style, width, _)) in enumerate(EDGE_STYLES.items()):
            legend.node(f"legend_a{index}", "", shape="point", width="0.05")
            legend.node(f"legend_b{index}", "", shape="point", width="0.05")
            legend.edge(
                f"legend_a{index}", f"legend_b{index}", label=relation, style=style, penwidth=width
            )
    return dot.source


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
    lines = ["flowchart TB"]
    for node in view.nodes.values():
        name = _mermaid_text(node.name)
        lines.append(f'    {node.key}["{name}"]' if node.listed else f'    {node.key}(["{name}"])')
    for edge in view.edges:
        relation = view.relation_name(edge)
        arrow = EDGE_STYLES[relation][2]
        lines.append(
            f"    {view.nodes[edge.parent].key} {arrow}|{relation}| {view.nodes[edge.child].key}"
        )
    for index, (clan, colour) in enumerate(colours.items()):
        lines.append(f"    classDef clan{index} fill:{colour},stroke:#555")
        members = [n.key for n in view.nodes.values() if n.clan == clan]
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
            "startYear": node.start_year,
            "family": node.clan,
            "facts": node.facts,
        }
        for node in view.nodes.values()
    ]
    links = [
        {
            "source": view.nodes[e.parent].key,
            "target": view.nodes[e.child].key,
            "relation": view.relation_name(e),
        }
        for e in view.edges
    ]
    return json.dumps({"nodes": nodes, "links": links}, indent=2, ensure_ascii=False)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 0; display: flex; min-height: 100vh; }}
main {{ flex: 1; overflow: auto; padding: 1rem; }}
aside {{ width: 22rem; border-left: 1px solid #ccc; padding: 1rem; background: #fafafa; }}
aside h2 {{ margin-top: 0; }}
aside dt {{ font-weight: bold; margin-top: .5rem; }}
aside dd {{ margin-left: 0; }}
svg g.node {{ cursor: pointer; }}
svg g.node.selected polygon, svg g.node.selected ellipse, svg g.node.selected path {{ stroke: #d62728; stroke-width: 3; }}
.legend span {{ display: inline-block; margin-right: 1rem; }}
.swatch {{ display: inline-block; width: .9rem; height: .9rem; border: 1px solid #555; vertical-align: middle; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p class="legend">{legend}</p>
{svg}
</main>
<aside id="facts" aria-live="polite">
<h2 id="facts-title">Click a system</h2>
<div id="facts-body"><p>Its facts appear here.</p></div>
</aside>
<script id="lineage-data" type="application/json">{data}</script>
<script>
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  var byId = {{}};
  data.nodes.forEach(function (node) {{ byId[node.id] = node; }});
  function text(tag, value) {{ var el = document.createElement(tag); el.textContent = value; return el; }}
  function show(id) {{
    var node = byId[id];
    if (!node) {{ return; }}
    document.querySelectorAll("g.node.selected").forEach(function (g) {{ g.classList.remove("selected"); }});
    var group = document.getElementById(id);
    if (group) {{ group.classList.add("selected"); }}
    document.getElementById("facts-title").textContent = node.name;
    var body = document.getElementById("facts-body");
    body.innerHTML = "";
    var list = document.createElement("dl");
    list.appendChild(text("dt", "listed on microkernel.info"));
    list.appendChild(text("dd", node.listed ? "yes" : "no, mentioned by a listed project"));
    Object.keys(node.facts).forEach(function (key) {{
      list.appendChild(text("dt", key));
      list.appendChild(text("dd", node.facts[key].join(", ")));
    }});
    if (node.homepage && /^https?:[/][/]/i.test(node.homepage)) {{  // web links only
      list.appendChild(text("dt", "homepage"));
      var dd = document.createElement("dd");
      var link = document.createElement("a");
      link.href = node.homepage; link.textContent = node.homepage; link.rel = "noopener"; link.target = "_blank";
      dd.appendChild(link); list.appendChild(dd);
    }}
    body.appendChild(list);
  }}
  document.querySelectorAll("svg g.node").forEach(function (group) {{
    if (byId[group.id]) {{
      group.addEventListener("click", function () {{ show(group.id); }});
    }}
  }});
  window.mkgraphShow = show;
}}());
</script>
</body>
</html>
"""


def to_html(view: LineageView, title: str = "mkgraph lineage") -> str:
    """One self-contained page: the SVG inline, clickable nodes showing their facts, a legend."""
    svg = render(to_dot(view, links=False, title=title), "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the page is HTML5
    colours = clan_colours(view)
    legend = " ".join(
        f'<span><i class="swatch" style="background:{colour}"></i> {html.escape(clan)} family</span>'
        for clan, colour in colours.items()
    )
    legend += (
        " <span>boxes: listed projects; dashed ovals: mentioned systems; solid arrow: based on;"
        " bold arrow: derived from (code inherited); dotted arrow: re-implements"
        " (interface inherited, code not); dashed arrow: inspired by (ideas)</span>"
    )
    # links_only: a javascript: homepage never reaches the page's link; "<\\/" keeps the JSON
    # from closing its script element
    data = to_json(view, links_only=True).replace("</", "<\\/")
    return _PAGE.format(title=html.escape(title), legend=legend, svg=svg, data=data)
