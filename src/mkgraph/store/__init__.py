"""The graph and its engines: loading the sources (and the cache), the SPARQL engines and the check
every query passes, names and periods, stored queries, results, export, canonical formatting and
reasoning. It imports only mkgraph.core."""
