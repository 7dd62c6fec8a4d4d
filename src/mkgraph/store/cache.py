"""A cache of the loaded graph, keyed by the content of every source file.

Parsing Turtle with rdflib (and checking it) costs about a third of a second; opening a ready
Oxigraph store read-only costs about ten milliseconds. So the first load after any change parses
and checks the sources as usual and saves the triples as an on-disk Oxigraph store under the cache
folder; later loads with unchanged sources open that store. A changed, added or removed source
file changes the key, so a stale answer is never served. The key is computed from the very bytes
the loader parsed (mkgraph.core.sourcetext.Source: each file is read once), so a file that changes
during a cold load cannot have the old graph stored under its new content's key. A store is moved into place only once it
is complete, and carries its triple count and a listing of its files (names and sizes, as
written) to prove it; a corrupt or unwritable cache is ignored.
"""

from __future__ import annotations

import os
import time
from _thread import get_ident
from pathlib import Path

from mkgraph import __version__
from mkgraph.core.sourcetext import Source

CACHE_ENV = "MKGRAPH_CACHE_DIR"
FORMAT_VERSION = "4"  # bump when the cached representation changes
_COUNT_FILE = "mkgraph-triples"
# The store's files (RocksDB's, not its info log or lock) with their sizes, and its triple count.
_FILES_FILE = "mkgraph-files"


def cache_folder() -> Path | None:
    """$MKGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/mkgraph, else ~/.cache/mkgraph; "" turns it off."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mkgraph"


def blake2b(data: bytes = b""):
    """A BLAKE2b hash object (hashlib.blake2b). Taken from CPython's own _blake2 module where it
    is there (it always is in CPython): importing hashlib loads OpenSSL's libcrypto, about 5 ms of
    a cold query's CPU, for a digest the standard library computes itself."""
    try:
        from _blake2 import blake2b as constructor
    except ImportError:  # pragma: no cover  (another Python)
        from hashlib import blake2b as constructor
    return constructor(data, digest_size=32)


_last_key: list = []  # [(sources, key)] of the last call: a query asks for it more than once


def key(sources: list[Source]) -> str:
    """A digest of the files' names and the bytes read from them, in order."""
    read = tuple(sources)
    if _last_key and _last_key[0][0] == read:  # the same Source objects compare at once (identity)
        return _last_key[0][1]
    # mkgraph's version too: another release may load (and check) the same bytes differently
    digest = blake2b(f"{FORMAT_VERSION} {__version__}".encode())
    for source in read:
        digest.update(str(source.path.name).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(blake2b(source.data).digest())
    found = digest.hexdigest()[:32]
    _last_key[:] = [(read, found)]
    return found


def _entry(files: list[Source]) -> Path | None:
    folder = cache_folder()
    return None if folder is None else folder / f"store-{key(files)}"


def open_store(files: list[Source]):
    """The cached store for exactly these file contents, opened read-only, or None."""
    import pyoxigraph as ox

    entry = _entry(files)
    if entry is None:
        return None
    prune_unfinished(entry.parent)  # at every start: what a killed load left is gone at once
    try:
        expected = int((entry / _COUNT_FILE).read_text(encoding="ascii"))
        # The files as they were written, and the count beside them: counting the store's
        # triples (len) read every quad of two indexes, a quarter of a cold query's time spent
        # in Oxigraph; RocksDB checks the checksum of each block it reads anyway.
        if (entry / _FILES_FILE).read_text(encoding="ascii") == _listing(entry, expected):
            return ox.Store.read_only(str(entry))
    except (OSError, ValueError, RuntimeError):  # RocksDB reports corruption as RuntimeError
        pass
    discard(files)
    return None


def remembered_names(files: list[Source], kind: str, query: str, compute) -> dict:
    """The table of a kind's resources and their names ({IRI: [names]}, what `compute` returns)
    for exactly these file contents: read from beside the cached store, else computed and written
    there (by the query's digest: another look-up query never reads this table). Without a cached
    store (the cache folder off, or not written) it is computed each time; an unreadable or
    malformed table is computed again."""
    entry = _entry(files)
    if entry is None or not entry.is_dir():
        return compute()
    digest = blake2b(query.encode("utf-8")).hexdigest()[:16]
    path = entry / f"mkgraph-names-{kind}-{digest}"
    try:
        table = _read_names(path.read_bytes().decode("utf-8"))
        if table is not None:
            return table
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        pass
    table = compute()
    partial = path.with_name(f".{path.name}.{os.getpid()}.{get_ident()}")
    try:
        partial.write_bytes(_written_names(table).encode("utf-8"))
        os.replace(partial, path)  # whole or not at all, for a process reading at the same time
    except OSError:
        try:  # noqa: SIM105  (not contextlib.suppress: its import costs a cold query a few ms)
            partial.unlink()
        except OSError:
            pass
    return table


# The name table as lines of tab-separated fields (an IRI, then its names, escaped), and a last
# line with the count of IRIs: read with str methods alone (json's import was a third of the
# look-up it replaces).
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _escaped(text: str) -> str:
    for plain, escaped in _ESCAPES.items():
        text = text.replace(plain, escaped)
    return text


def _unescaped(text: str) -> str:
    if "\\" not in text:
        return text
    out, characters = [], iter(text)
    for character in characters:
        if character == "\\":
            following = next(characters, "")
            if following not in _UNESCAPES:
                raise ValueError("a malformed escape in a name table")
            character = _UNESCAPES[following]
        out.append(character)
    return "".join(out)


def _written_names(table: dict[str, list[str]]) -> str:
    lines = ["\t".join(_escaped(field) for field in (iri, *names)) for iri, names in table.items()]
    return "\n".join([*lines, f"end {len(lines)}"]) + "\n"


def _read_names(text: str) -> dict[str, list[str]] | None:
    lines = text.split("\n")  # not splitlines(): a name may hold a line separator of Unicode
    if len(lines) < 2 or lines[-1] != "" or lines[-2] != f"end {len(lines) - 2}":
        return None
    table: dict[str, list[str]] = {}
    for line in lines[:-2]:
        iri, *names = [_unescaped(field) for field in line.split("\t")]
        if not iri or iri in table:
            return None
        table[iri] = names
    return table


def save_store(files: list[Source], ntriples: bytes) -> None:
    """Build the store beside its final place, then move it in; failures are skipped silently."""
    import pyoxigraph as ox

    entry = _entry(files)
    if entry is None:
        return
    building = entry.with_name(f".{entry.name}.{os.getpid()}")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        store = ox.Store(str(building))
        store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        count = len(store)
        del store  # closes the database before it is moved
        (building / _FILES_FILE).write_text(_listing(building, count), encoding="ascii")
        (building / _COUNT_FILE).write_text(str(count), encoding="ascii")
        os.replace(building, entry)
        _prune(entry)
    except OSError:
        _remove(building)


def _listing(folder: Path, count: int) -> str:
    """The store's files in a folder, each with its size, then its triple count: what a store
    written whole shows, and a truncated, added, removed or replaced file changes (mkgraph's own
    files, a names table being written (.mkgraph-names-...), RocksDB's info log and lock file left
    out: they are not the data)."""
    with os.scandir(folder) as entries:
        sizes = sorted(
            (entry.name, entry.stat().st_size)
            for entry in entries
            if not entry.name.startswith(("mkgraph-", ".", "LOG", "LOCK"))
        )
    return "".join(f"{name} {size}\n" for name, size in sizes) + f"end {count}\n"


def _prune(keep: Path) -> None:
    """Keep the cache folder from growing without bound: drop stores unused for a week."""
    week_ago = time.time() - 7 * 86400
    for old in keep.parent.glob("store-*"):
        try:
            if old != keep and old.stat().st_mtime < week_ago:
                _remove(old)
        except OSError:
            continue


def discard(files: list[Source]) -> None:
    entry = _entry(files)
    if entry is not None:
        _remove(entry)


def prune_unfinished(folder: Path) -> list[Path]:
    """Remove the half-built stores (.store-KEY.PID) of loads that were killed: those whose PID
    names no running process. Returns what was removed."""
    removed: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            # the names glob(".store-*.*") finds, without compiling its pattern (a cold query)
            names = [e.name for e in entries if e.name.startswith(".store-") and "." in e.name[7:]]
    except OSError:  # no folder (or not one): nothing half-built
        return removed
    for name in names:
        building = folder / name
        pid = name.rsplit(".", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        _remove(building)
        removed.append(building)
    return removed


def _remove(folder: Path) -> None:
    import shutil  # only here: importing it costs a cold query a few ms (its archive formats)

    shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but another user's
        return True
    return True
