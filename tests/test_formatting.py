"""Every data file is in canonical Turtle, so diffs stay small; `mkgraph format` restores it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkgraph.core.resources import locate
from mkgraph.store.formatting import canonical

# rdflib's parse of each text kept for the module (its tests format copies of the fixture root):
# conftest.kept_parses
pytestmark = pytest.mark.usefixtures("kept_parses")

DATA_FILES = locate().curated_files(locate().data)


@pytest.mark.bundled_data
@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(locate().data)))
def test_data_files_are_canonical(path: Path):
    assert path.read_text(encoding="utf-8") == canonical(path), (
        f"{path} is not in canonical form: run 'mkgraph format'"
    )


def test_the_fixture_roots_files_are_canonical(fixture_root, invoke):
    """The code tests' own data stays canonical too: the format tests then see only their change."""
    result = invoke("--root", str(fixture_root), "format", "--check")
    assert (result.exit_code, result.output) == (0, "")


def test_format_check_and_fix(fixture_root, invoke):
    target = next((fixture_root / "data" / "projects").glob("tock.*"))  # .ttl or, migrated, .trig
    original = target.read_text(encoding="utf-8")
    target.write_text(original.replace("\n\n", "\n\n\n", 3), encoding="utf-8")
    check = invoke("--root", str(fixture_root), "format", "--check")
    assert check.exit_code == 1
    assert check.output == f"not canonical: {target}\n"
    fixed = invoke("--root", str(fixture_root), "format")
    assert fixed.output == f"formatted {target}\n"
    assert target.read_text(encoding="utf-8") == original
    assert invoke("--root", str(fixture_root), "format", "--check").exit_code == 0
