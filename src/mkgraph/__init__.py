"""mkgraph: a curated, sourced knowledge graph of open-source microkernel projects."""

__version__ = "0.1.0"
