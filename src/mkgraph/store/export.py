"""Serialising graphs: Turtle, JSON-LD with the bundled context, N-Triples, N-Quads, RDF/XML.
(Files are written by mkgraph.core.writing.)"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Dataset, Graph, Literal

from mkgraph.core.errors import OutputError, ResourceError
from mkgraph.core.formats import GRAPH_FORMATS
from mkgraph.core.prefixes import GRAPH_IRI


def load_context(path: Path) -> dict:
    """The JSON-LD context shipped in ontology/; nothing is ever fetched: a context that names
    another by its address, or imports one (@import), is refused before any writer sees it."""
    from mkgraph.store.graph import remote_contexts

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        context = document["@context"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResourceError(f"{path}: cannot read the JSON-LD context ({exc})") from None
    except RecursionError:
        raise ResourceError(
            f"{path}: cannot read the JSON-LD context (nested too deeply)"
        ) from None
    remote = remote_contexts(document)
    if remote:
        raise ResourceError(
            f"{path}: remote JSON-LD context {remote[0][:100]!r} refused: "
            "mkgraph never fetches anything; inline the context"
        )
    if not isinstance(context, dict):
        raise ResourceError(f"{path}: the JSON-LD context must be one JSON object")
    return context


def serialize(graph: Graph, fmt: str, context: dict | None = None) -> str:
    """The graph as text in one of GRAPH_FORMATS."""
    if fmt not in GRAPH_FORMATS:
        choices = ", ".join(GRAPH_FORMATS)
        raise OutputError(f"unknown graph format {fmt!r} (choose from {choices})")
    serializer = GRAPH_FORMATS[fmt][0]
    if fmt == "jsonld":
        if any(isinstance(o, Literal) and str(o) == "" for o in graph.objects()):
            # rdflib's compaction drops an empty string that shares a property with other
            # values (a falsy check in its serializer); the expanded form keeps every value and
            # stays valid JSON-LD under our context.
            expanded = json.loads(graph.serialize(format=serializer))
            return json.dumps(
                {"@context": context or {}, "@graph": expanded}, indent=2, ensure_ascii=False
            )
        return graph.serialize(format=serializer, context=context or {}, auto_compact=True)
    if fmt == "nquads":
        # N-Quads needs a named graph; the whole graph goes into one, mkgraph's own.
        dataset = Dataset()
        named = dataset.graph(GRAPH_IRI)
        for triple in graph:
            named.add(triple)
        return dataset.serialize(format=serializer)
    return graph.serialize(format=serializer)


_OXIGRAPH_FORMATS = {
    "turtle": "TURTLE",
    "ntriples": "N_TRIPLES",
    "nquads": "N_QUADS",
    "xml": "RDF_XML",
}


def serialize_triples(triples: list, fmt: str) -> str:
    """Oxigraph triples as text, written by Oxigraph (Turtle with mkgraph's prefixes)."""
    import pyoxigraph as ox

    from mkgraph.core.prefixes import PREFIXES

    if fmt not in _OXIGRAPH_FORMATS:
        raise OutputError(f"unknown graph format {fmt!r} (choose from {', '.join(GRAPH_FORMATS)})")
    if fmt == "nquads":  # N-Quads names a graph: the whole graph goes into mkgraph's own
        graph = ox.NamedNode(GRAPH_IRI)
        items = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    else:
        items = triples
    prefixes = PREFIXES if fmt in ("turtle", "xml") else None
    written = ox.serialize(
        items, format=getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[fmt]), prefixes=prefixes
    )
    return (written or b"").decode("utf-8")


def format_from_extension(path: str) -> str | None:
    suffix = Path(path).suffix.lower()
    aliases = {".json": "jsonld", ".n3": "turtle", ".owl": "xml", ".xml": "xml"}
    for name, (_, extension) in GRAPH_FORMATS.items():
        if suffix == extension:
            return name
    return aliases.get(suffix)
