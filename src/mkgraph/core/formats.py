"""The output formats, named once: the command line, the library, the site and the server offer
the same lists. Free of rdflib, so the command line builds its options without importing it."""

from __future__ import annotations

# Results of SELECT and ASK (mkgraph.store.results writes them)
SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "markdown")

# Graphs: format -> (rdflib serializer, usual file extension) (mkgraph.store.export writes them)
GRAPH_FORMATS = {
    "turtle": ("longturtle", ".ttl"),
    "jsonld": ("json-ld", ".jsonld"),
    "ntriples": ("nt", ".nt"),
    "nquads": ("nquads", ".nq"),
    "xml": ("xml", ".rdf"),
}

# Lineage drawings: format -> usual file extension (mkgraph.views.drawing draws them)
DRAWING_FORMATS = {
    "tree": ".txt",
    "dot": ".dot",
    "svg": ".svg",
    "png": ".png",
    "mermaid": ".mmd",
    "json": ".json",
    "html": ".html",
}
# every extension a drawing's file name may end in, and the format it means
DRAWING_EXTENSIONS = {
    **{extension: fmt for fmt, extension in DRAWING_FORMATS.items()},
    ".gv": "dot",
    ".htm": "html",
}
