"""Views of the graph for people: describe, lineage and its drawings, the list, coverage, review,
diffs, resource pages and the static site. It imports only mkgraph.store and mkgraph.core."""
