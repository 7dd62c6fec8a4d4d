"""Validation: the SHACL engines, the stored violation queries, the report, and the checks behind
them. It imports only mkgraph.store and mkgraph.core."""
