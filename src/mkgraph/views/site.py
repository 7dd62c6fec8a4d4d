"""`mkgraph site -o DIR`: the graph as a static site that needs no server and loads nothing from
elsewhere: the list with its comparison table as the index, a page per system, language,
architecture and family (mkgraph.views.pages), the lineage forest, and the whole graph in every export
format. Written to a temporary folder next to DIR and moved into place, so DIR is never half
written."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from mkgraph.core.errors import OutputError
from mkgraph.core.formats import GRAPH_FORMATS
from mkgraph.store.export import load_context, serialize
from mkgraph.views import drawing, listing, pages


def build(kg, out: Path) -> dict[str, int]:
    """Write the site to `out` (replaced if it is an earlier site); returns pages written per kind."""
    out = Path(out)
    if out.exists() and not (out / "index.html").exists() and any(out.iterdir()):
        raise OutputError(f"{out}: not empty and not an mkgraph site; choose another folder")
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".mkgraph-site-", dir=parent))
    try:
        counts = _write(kg, work)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=".mkgraph-old-", dir=parent))
            os.replace(out, old / "site")
            os.replace(work, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return counts


def _write(kg, root: Path) -> dict[str, int]:
    graph = kg.graph
    found = pages.resources_with_pages(graph)
    inner = pages.PageLinks("../", ".html", "../index.html", "../lineage.html")
    counts = {}
    for kind, resources in found.items():
        (root / kind).mkdir()
        for resource in resources:
            svg = pages.lineage_svg(kg, resource, inner) if kind == "system" else None
            text = pages.page(kg, resource, inner, svg)
            (root / pages.page_file(resource)).write_text(text, encoding="utf-8")  # type: ignore[operator]
        counts[kind] = len(resources)
    exports = []
    context = load_context(kg.resources.jsonld_context)
    for fmt, (_, extension) in GRAPH_FORMATS.items():
        name = f"mkgraph{extension}"
        (root / name).write_text(
            serialize(graph, fmt, context if fmt == "jsonld" else None), encoding="utf-8"
        )
        exports.append(name)
    forest = kg.lineage_view()
    top = pages.PageLinks(root="", suffix=".html")
    urls = {n.key: top.page(n.system) for n in forest.nodes.values() if top.page(n.system)}
    title = "The microkernel family forest"
    dot = drawing.to_dot(forest, links=False, title=title, urls=urls)  # type: ignore[arg-type]
    (root / "lineage.svg").write_bytes(drawing.render(dot, "svg"))
    (root / "lineage.html").write_text(drawing.to_html(forest, title=title), encoding="utf-8")
    index = listing.to_html(kg.current)
    index = index.replace("</body>", pages.index_nav(graph, found, top, exports) + "\n</body>", 1)
    (root / "index.html").write_text(index, encoding="utf-8")
    return counts
