"""Serialising graphs (Turtle, JSON-LD with the bundled context, N-Triples, N-Quads, RDF/XML) and
writing files so that a failed or interrupted write never leaves a half-written file behind."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph, Literal

from mkgraph.errors import OutputError, ResourceError
from mkgraph.prefixes import GRAPH_IRI

# format name -> (rdflib serializer, usual file extension)
GRAPH_FORMATS = {
    "turtle": ("longturtle", ".ttl"),
    "jsonld": ("json-ld", ".jsonld"),
    "ntriples": ("nt", ".nt"),
    "nquads": ("nquads", ".nq"),
    "xml": ("xml", ".rdf"),
}


def load_context(path: Path) -> dict:
    """The JSON-LD context shipped in ontology/; nothing is ever fetched."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError) as exc:
        raise ResourceError(f"{path}: cannot read the JSON-LD context ({exc})") from None


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

    from mkgraph.prefixes import PREFIXES

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


def write_atomically(path: str | os.PathLike, text: str | bytes) -> None:
    """Write text (or bytes) to a file via a temporary file in the same folder and a rename."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{target}: cannot write: folder {str(folder)!r} does not exist")
    if target.exists() and (target.is_dir() or not os.access(target, os.W_OK)):
        raise OutputError(f"{target}: cannot write: it is a folder or read-only")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        # mkstemp creates the file readable by its owner only; give it the mode a plain
        # open() would have (or keep the mode of the file it replaces).
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise
