"""Validation after a change: rudof checks only the parts of the graph whose content changed.

When the shapes allow it (shacl.shapes_are_local), what rudof finds about a subject depends only on
what rudof is shown of it: its own triples, the types of the nodes they point at, the class
hierarchy and the shapes (mkgraph.checks.chunking). So rudof's findings are remembered per subject,
keyed by a hash of exactly that (the subject's part by chunking.Units.digest; the hierarchy, the
shapes, mkgraph's and rudof's versions once for the whole file), in the cache folder
(mkgraph.store.cache.cache_folder). A later validate hands rudof only the subjects whose hash it
has not seen, in pieces, and reports the remembered findings for the rest. Names in the report are
looked up afresh every time: a renamed value shows its new name. Changing a node's type changes
the hash of every subject pointing at it, so those are checked again too.

The checks that are not local (the *-violation queries, lineage cycles, names, licences) run on
the whole graph every time; they are not rudof's and take a fraction of its time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

import pyoxigraph as ox

from mkgraph import __version__
from mkgraph.checks import chunking, shacl
from mkgraph.checks.report import Labeller, Problem

FORMAT_VERSION = "1"  # bump when what a piece holds or what is remembered changes
_PREFIX = "validation-"


def rudof_problems(
    store: ox.Store,
    shapes_ntriples: str,
    label: Labeller,
    size: int = chunking.CHUNK_TRIPLES,
    folder: Path | None = None,
) -> list[Problem]:
    """rudof's problems with the graph in `store`, the same as validating it whole, with
    findings remembered in `folder` (None: nothing is remembered, every subject is checked)."""
    found = chunking.units(store)
    subjects = sorted(found.own)
    digests = {subject: found.digest(subject) for subject in subjects}
    context = _context(shapes_ntriples, found.hierarchy)
    entry = None if folder is None else folder / f"{_PREFIX}{context}.json"
    remembered = _read(entry) if entry is not None else {}
    todo = [subject for subject in subjects if digests[subject] not in remembered]
    if todo:
        rudof = shacl.Rudof(shapes_ntriples)
        fresh: dict[str, list[shacl.Finding]] = {subject: [] for subject in todo}
        for members, text in chunking.pieces(found, todo, size):
            for finding in rudof.findings(text):
                if finding.focus in members:  # the others are checked as their own subjects
                    fresh[finding.focus].append(finding)
        for subject, findings in fresh.items():
            remembered[digests[subject]] = findings
        if entry is not None:
            _write(entry, {digests[s]: remembered[digests[s]] for s in subjects})
    findings = [finding for subject in subjects for finding in remembered[digests[subject]]]
    return shacl.rudof_report(findings, shapes_ntriples, label)


def _context(shapes_ntriples: str, hierarchy: list[str]) -> str:
    """What every subject's findings depend on besides its own part: the shapes, the class
    hierarchy, and the code that builds pieces and checks them."""
    digest = hashlib.sha256(f"{FORMAT_VERSION} {__version__} {_engine()}\n".encode())
    digest.update(shapes_ntriples.encode("utf-8"))
    digest.update("\n".join(hierarchy).encode("utf-8"))
    return digest.hexdigest()[:32]


def _engine() -> str:
    """Which rudof build is installed, without importing it (an unchanged graph never needs it):
    its package's location, size and time (importlib.metadata's version costs 0.03 s)."""
    from importlib.util import find_spec

    spec = find_spec("pyrudof")
    origin = spec.origin if spec is not None else None
    if origin is None:
        return "pyrudof ?"
    folder = Path(origin).parent
    stamps = sorted(
        (item.name, item.stat().st_size, item.stat().st_mtime_ns)
        for item in folder.iterdir()
        if item.is_file()
    )
    return f"pyrudof {folder} {stamps}"


def _read(entry: Path) -> dict[str, list[shacl.Finding]]:
    """The remembered findings, or none when the file is missing, unreadable or not what this
    module writes (a damaged file only costs a full check)."""
    try:
        stored = json.loads(entry.read_bytes())
        return {
            digest: [shacl.Finding(*_checked(fields)) for fields in findings]
            for digest, findings in stored.items()
            if isinstance(digest, str) and isinstance(findings, list)
        }
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _checked(fields) -> list:
    if not isinstance(fields, list) or len(fields) != len(shacl.Finding._fields):
        raise ValueError("not a remembered finding")
    if not all(field is None or isinstance(field, str) for field in fields):
        raise ValueError("not a remembered finding")
    if not isinstance(fields[0], str) or not isinstance(fields[4], str):
        raise ValueError("not a remembered finding")
    return fields


def _write(entry: Path, findings: dict[str, list[shacl.Finding]]) -> None:
    """Written beside its place, then moved in (a reader never sees half a file); the files of
    other shapes or hierarchies go once unused for a week. Failures are skipped silently."""
    building = entry.with_name(f".{entry.name}.{os.getpid()}")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        building.write_text(
            json.dumps(
                {d: [list(f) for f in fs] for d, fs in findings.items()}, separators=(",", ":")
            ),
            encoding="utf-8",
        )
        os.replace(building, entry)
    except OSError:
        _remove(building)
        return
    now = time.time()
    for old in entry.parent.glob(f"{_PREFIX}*.json"):
        if old != entry and _older(old, now - 7 * 86400):
            _remove(old)
    for unfinished in entry.parent.glob(f".{_PREFIX}*.json.*"):  # left by a killed validate
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
