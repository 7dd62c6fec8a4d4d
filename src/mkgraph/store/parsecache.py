"""Each source file's parsed and checked triples, remembered by the file's content.

After a one-fact change, validate parsed every file again although one changed: Oxigraph's parser
is quick, but mkgraph's checks and renaming run in Python on every triple (about 0.15 s of CPU on
the bundled data). Oxigraph reads the same triples back from N-Triples in a fraction of that, so
the triples of a file that parsed and passed every check are kept in the cache folder
(`parsed-KEY.nt`), keyed by what they depend on: the file's path (its blank nodes are named after
it, mkgraph.store.fastload), its bytes, and the code that parsed and checked them (mkgraph's
version, the loader's modules and the parsers' builds). A file whose key has no entry is parsed
and checked as before; a file that fails a check is never remembered. An entry carries a digest
of its triples: a damaged or half-written one is ignored (and replaced), never loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from functools import cache
from pathlib import Path

from mkgraph import __version__
from mkgraph.core.sourcetext import Source

FORMAT_VERSION = "1"  # bump when what an entry holds changes
_PREFIX = "parsed-"
_HEADER = b"# mkgraph parsed "
_WEEK = 7 * 86400


@cache
def stamp(package: str) -> str:
    """Which build of an installed package this is, without importing it (importing pyrudof or
    license-expression costs 0.07 s, importlib.metadata's version 0.03 s): its folder and its
    files' names, sizes and times, as first seen by this process (the build it loads)."""
    from importlib.util import find_spec

    spec = find_spec(package)
    origin = spec.origin if spec is not None else None
    if origin is None:
        return f"{package} ?"
    place = Path(origin).parent
    files = sorted(
        (item.name, item.stat().st_size, item.stat().st_mtime_ns)
        for item in place.iterdir()
        if item.is_file()
    )
    return f"{package} {place} {files}"


@cache
def _code() -> str:
    """The code a parse depends on, without importing it: the loader's modules (their sizes and
    times, so an edited checkout counts as other code) and the parsers' builds."""
    from importlib.util import find_spec

    parts = [FORMAT_VERSION, __version__, stamp("pyoxigraph")]
    for module in (
        "mkgraph.store.fastload",
        "mkgraph.store.expand",
        "mkgraph.store.sourcechecks",
        "mkgraph.store.graph",
        "mkgraph.core.literals",
        "mkgraph.core.sourcetext",
    ):
        spec = find_spec(module)
        origin = spec.origin if spec is not None else None
        try:
            status = os.stat(origin) if origin else None
        except OSError:
            status = None
        parts.append(f"{module} {status.st_size} {status.st_mtime_ns}" if status else module)
    return "\n".join(parts)


def key(source: Source) -> str:
    """What a file's parsed triples depend on, as a digest."""
    digest = hashlib.sha256(_code().encode("utf-8") + b"\0")
    if source.path.suffix.lower() not in (".ttl", ".trig"):  # parsed by rdflib
        digest.update(stamp("rdflib").encode("utf-8") + b"\0")
    digest.update(str(source.path).encode("utf-8", "surrogateescape") + b"\0")
    digest.update(source.data)
    return digest.hexdigest()[:32]


def entry(folder: Path, source: Source) -> Path:
    return folder / f"{_PREFIX}{key(source)}.nt"


def read(place: Path) -> bytes | None:
    """The remembered N-Triples, or None when missing, damaged or not written whole."""
    try:
        with open(place, "rb") as file:
            data = file.read()
            modified = os.fstat(file.fileno()).st_mtime
    except OSError:
        return None
    header, newline, triples = data.partition(b"\n")
    if not newline or not header.startswith(_HEADER):
        return None
    if header[len(_HEADER) :] != hashlib.sha256(triples).hexdigest().encode("ascii"):
        return None
    if modified < time.time() - 86400:  # still in use: kept from the weekly clean-up
        with contextlib.suppress(OSError):
            os.utime(place)
    return triples


def write(place: Path, triples: bytes) -> None:
    """Written beside its place, then moved in. Failures are skipped silently (the file is only
    parsed again next time)."""
    building = place.with_name(f".{place.name}.{os.getpid()}")
    header = _HEADER + hashlib.sha256(triples).hexdigest().encode("ascii") + b"\n"
    try:
        place.parent.mkdir(parents=True, exist_ok=True)
        with open(building, "wb") as file:
            file.write(header)
            file.write(triples)
        os.replace(building, place)
    except OSError:
        with contextlib.suppress(OSError):
            building.unlink(missing_ok=True)


def prune(folder: Path) -> None:
    """Entries unused for a week go (a read keeps an entry in use), and what a killed run left
    half-written after a day. At most once an hour per folder (a marker file's time says when):
    a folder of thousands of entries costs more to list than a parse saves."""
    now = time.time()
    marker = folder / f".{_PREFIX}pruned"
    with contextlib.suppress(OSError):
        if marker.stat().st_mtime > now - 3600:
            return
    with contextlib.suppress(OSError):
        marker.touch()
    for old in folder.glob(f"{_PREFIX}*.nt"):
        _remove_if_older(old, now - _WEEK)
    for unfinished in folder.glob(f".{_PREFIX}*.nt.*"):
        _remove_if_older(unfinished, now - 86400)


def _remove_if_older(path: Path, when: float) -> None:
    with contextlib.suppress(OSError):
        if path.stat().st_mtime < when:
            path.unlink()
