"""Validation after a change: rudof checks only the parts of the graph whose content changed.

When the shapes allow it (shacl.shapes_are_local), what rudof finds about a subject depends only on
what rudof is shown of it: its own triples, the types of the nodes they point at, the class
hierarchy and the shapes (mkgraph.checks.chunking). So rudof's findings are remembered per subject,
keyed by a hash of exactly that (the subject's part by chunking.Units.digest; the hierarchy, the
shapes, mkgraph's and rudof's versions once for the whole file), in the cache folder
(mkgraph.checks.remembered). A later validate hands rudof only the subjects whose hash it
has not seen, in pieces, and reports the remembered findings for the rest. Names in the report are
looked up afresh every time: a renamed value shows its new name. Changing a node's type changes
the hash of every subject pointing at it, so those are checked again too.

The checks that are not local (the *-violation queries, lineage cycles, names, licences) run on
the whole graph every time; they are not rudof's and take a fraction of its time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from mkgraph import __version__
from mkgraph.checks import chunking, remembered, shacl
from mkgraph.checks.report import Labeller, Problem
from mkgraph.store import parsecache

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
    known = _read(entry) if entry is not None else {}
    todo = [subject for subject in subjects if digests[subject] not in known]
    if todo:
        rudof = shacl.Rudof(shapes_ntriples)
        fresh: dict[str, list[shacl.Finding]] = {subject: [] for subject in todo}
        for members, text in chunking.pieces(found, todo, size):
            for finding in rudof.findings(text):
                if finding.focus in members:  # the others are checked as their own subjects
                    fresh[finding.focus].append(finding)
        for subject, findings in fresh.items():
            known[digests[subject]] = findings
        if entry is not None:
            _write(entry, {digests[s]: known[digests[s]] for s in subjects})
    findings = [finding for subject in subjects for finding in known[digests[subject]]]
    return shacl.rudof_report(findings, shapes_ntriples, label)


def _context(shapes_ntriples: str, hierarchy: list[str]) -> str:
    """What every subject's findings depend on besides its own part: the shapes, the class
    hierarchy, and the code that builds pieces and checks them (with rudof's configuration)."""
    engine = parsecache.stamp("pyrudof")
    digest = hashlib.sha256(f"{FORMAT_VERSION} {__version__} {engine}\n".encode())
    digest.update(shacl.RUDOF_CONFIG.read_bytes())
    digest.update(shapes_ntriples.encode("utf-8"))
    digest.update("\n".join(hierarchy).encode("utf-8"))
    return digest.hexdigest()[:32]


def _read(entry: Path) -> dict[str, list[shacl.Finding]]:
    """The remembered findings, or none when the file is missing, unreadable or not what this
    module writes (a damaged file only costs a full check)."""
    stored = remembered.read(entry)
    try:
        return {
            digest: [shacl.Finding(*_checked(fields)) for fields in findings]
            for digest, findings in stored.items()
            if isinstance(digest, str) and isinstance(findings, list)
        }
    except (ValueError, TypeError, AttributeError):
        return {}


_WIDTH = len(shacl.Finding.__annotations__)


def _checked(fields) -> list:
    if not isinstance(fields, list) or len(fields) != _WIDTH:
        raise ValueError("not a remembered finding")
    if not all(field is None or isinstance(field, str) for field in fields):
        raise ValueError("not a remembered finding")
    if not isinstance(fields[0], str) or not isinstance(fields[4], str):
        raise ValueError("not a remembered finding")
    return fields


def _write(entry: Path, findings: dict[str, list[shacl.Finding]]) -> None:
    remembered.write(entry, {d: [list(f) for f in fs] for d, fs in findings.items()})
