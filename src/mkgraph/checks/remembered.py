"""Checks' results remembered on disk, in the cache folder (mkgraph.store.cache.cache_folder): a
JSON file per key, written whole beside its place and then moved in (a reader never sees half a
file), and removed by a later write once not written for a week. What a file holds and what its
name is keyed by are its user's (mkgraph.checks.incremental: rudof's findings;
mkgraph.checks.licences: SPDX verdicts); a file that cannot be read, or is not what its user
wrote, only costs the check again.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any


def folder() -> Path | None:
    """The cache folder, or None when the cache is turned off (MKGRAPH_CACHE_DIR=)."""
    from mkgraph.store import cache

    return cache.cache_folder()


def read(entry: Path) -> Any:
    """The JSON value in the file, or None when it is missing or not JSON."""
    try:
        return json.loads(entry.read_bytes())
    except (OSError, ValueError):
        return None


def write(entry: Path, value: Any) -> None:
    """Written beside its place, then moved in; other files of the same kind (the name up to its
    last "-") go once not written for a week. Failures are skipped silently."""
    building = entry.with_name(f".{entry.name}.{os.getpid()}")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        building.write_text(json.dumps(value, separators=(",", ":")), encoding="utf-8")
        os.replace(building, entry)
    except OSError:
        _remove(building)
        return
    kind = entry.name.rsplit("-", 1)[0]
    now = time.time()
    for old in entry.parent.glob(f"{kind}-*{entry.suffix}"):
        if old != entry and _older(old, now - 7 * 86400):
            _remove(old)
    for unfinished in entry.parent.glob(f".{kind}-*{entry.suffix}.*"):  # left by a killed run
        if _older(unfinished, now - 86400):
            _remove(unfinished)


def _older(path: Path, when: float) -> bool:
    try:
        return path.stat().st_mtime < when
    except OSError:
        return False


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
