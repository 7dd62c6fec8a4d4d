"""A mkgraph command run in this process on a graph the test has already loaded: the command is
handed that KnowledgeGraph, as `mkgraph --root DIR` would build it, instead of parsing the folder
again (seconds of CPU for each command on a copy of the bundled data). Only for commands that
run while the folder's files stay as they were when the graph was loaded."""

from __future__ import annotations

from click.testing import CliRunner, Result

from mkgraph.api import KnowledgeGraph
from mkgraph.cli import main


def invoke_on(kg: KnowledgeGraph, *args: str, env: dict | None = None) -> Result:
    """`mkgraph ARGS` on `kg`; returns click's Result (exit_code, stdout, stderr)."""
    assert not any(str(arg).split("=", 1)[0] in ("--root", "--reasoner") for arg in args), (
        "the graph given is the root and reasoner: name them when loading it"
    )
    return CliRunner().invoke(main, list(args), env=env, obj={"kg": kg}, catch_exceptions=False)
