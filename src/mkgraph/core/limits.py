"""The limits the engines, the server and the command line share, each set once."""

from __future__ import annotations

DEFAULT_TIMEOUT = 30.0  # seconds a query may run unless told otherwise
VALIDATE_TIMEOUT = 300.0  # seconds `mkgraph validate` may run unless told otherwise
MAX_QUERY_LENGTH = 1_000_000  # characters of SPARQL text
MAX_VALUE_LENGTH = 2000  # characters of a parameter's value (a name, an IRI, a literal)
