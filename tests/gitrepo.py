"""A scratch git repository for the tests of `mkgraph diff` (its default compares with HEAD)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def commit_all(root: Path, message: str) -> None:
    """Make ``root`` a repository (once) and commit everything in it."""
    if not (root / ".git").exists():
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
