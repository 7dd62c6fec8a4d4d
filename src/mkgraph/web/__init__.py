"""The graph over HTTP: `mkgraph serve` (server, its connections and query workers) and other
triplestores (remote). It imports only mkgraph.views, mkgraph.store and mkgraph.core."""
