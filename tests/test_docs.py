"""Everything documented: every command appears in the README, and the README's examples are true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mkgraph.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command):
    assert f"mkgraph {command}" in README


def test_every_stored_query_is_listed_in_the_readme(kg):
    for stored in kg.stored_queries():
        assert re.search(
            rf"^{re.escape(stored.name)}\s+{re.escape(stored.title)}", README, re.MULTILINE
        ), stored.name


@pytest.mark.bundled_data
def test_quick_start_output_is_current(invoke):
    command = "pip install . && mkgraph lineage seL4\n```\n\n```\n"
    assert command in README
    block = README.split(command, 1)[1].split("```", 1)[0]
    assert invoke("lineage", "seL4").output == block


@pytest.mark.bundled_data
def test_lineage_example_is_current(invoke):
    output = invoke("lineage", "seL4").output
    assert output in README


@pytest.mark.bundled_data
@pytest.mark.parametrize("system", ["L4Re", "F9"])
def test_ancestry_examples_are_current(invoke, system):
    """The L4 family examples in the README show what the command prints today."""
    output = invoke("lineage", "--ancestors", system).output
    assert f"$ mkgraph lineage --ancestors {system}\n{output}" in README


@pytest.mark.bundled_data
def test_coverage_in_the_readme_is_current(invoke):
    assert invoke("coverage").output in README
