"""A cache of the loaded graph, keyed by the content of every source file.

Parsing Turtle with rdflib (and checking it) costs about a third of a second; loading the same
triples as N-Triples into Oxigraph costs about twenty milliseconds. So the first load after any
change parses and checks the sources as usual and writes the result as N-Triples under the cache
folder; later loads with unchanged sources read that file. A changed, added or removed source file
changes the key, so a stale answer is never served. A corrupt or unwritable cache is ignored.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CACHE_ENV = "MKGRAPH_CACHE_DIR"
FORMAT_VERSION = "1"  # bump when the cached representation changes


def cache_folder() -> Path | None:
    """$MKGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/mkgraph, else ~/.cache/mkgraph; "" turns it off."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mkgraph"


def key(files: list[Path]) -> str:
    """A digest of the files' names and contents, in order."""
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    for path in files:
        digest.update(str(path.name).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()[:32]


_TRAILER = b"# mkgraph cache complete: "


def read(files: list[Path]) -> tuple[bytes, int] | None:
    """The cached N-Triples for exactly these file contents and their triple count, or None.
    A file without its closing trailer (a write cut short) is not used."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        data = (folder / f"graph-{key(files)}.nt").read_bytes()
    except OSError:
        return None
    body, _, trailer = data.rstrip(b"\n").rpartition(b"\n")
    if not trailer.startswith(_TRAILER) or not trailer[len(_TRAILER):].isdigit():
        return None
    return body + b"\n", int(trailer[len(_TRAILER):])


def write(files: list[Path], ntriples: bytes, count: int) -> None:
    """Store the N-Triples; any failure (read-only disk, no home) is silently skipped."""
    folder = cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"graph-{key(files)}.nt"
        temporary = folder / f".{target.name}.{os.getpid()}"
        temporary.write_bytes(ntriples + _TRAILER + str(count).encode() + b"\n")
        os.replace(temporary, target)
        for old in folder.glob("graph-*.nt"):  # keep the folder from growing without bound
            if old != target and old.stat().st_mtime < target.stat().st_mtime - 7 * 86400:
                old.unlink(missing_ok=True)
    except OSError:
        return


def discard(files: list[Path]) -> None:
    folder = cache_folder()
    if folder is not None:
        try:
            (folder / f"graph-{key(files)}.nt").unlink(missing_ok=True)
        except OSError:
            pass
