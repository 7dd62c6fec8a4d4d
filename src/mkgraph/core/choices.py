"""The engines, reasoners and validators a user picks by name, each list named once: the command
line builds its options from here without importing the engines themselves."""

from __future__ import annotations

ENGINES = ("auto", "oxigraph", "rdflib")  # SPARQL over the asserted graph (mkgraph.api)
REASONERS = ("targeted", "owlrl")  # how --inferred is computed (mkgraph.store.reasoning)
VALIDATORS = ("rudof", "pyshacl")  # SHACL engines (mkgraph.checks.shacl)
