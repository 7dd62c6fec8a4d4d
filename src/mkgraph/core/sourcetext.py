"""Reading source files: each file's bytes read once, bounded, and turned into text; character
offsets turned into line and column numbers. Kept free of rdflib so the fast loader can use it
without paying for rdflib's import.

A `Source` is one file's bytes as read at one moment. The loaders parse exactly those bytes and the
cache keys the loaded graph by exactly those bytes, so a file changed while it is being loaded can
never be stored under the new content's key with the old content's graph.
"""

from __future__ import annotations

import os
import stat
from collections import namedtuple
from pathlib import Path

from mkgraph.core.errors import DataError

MAX_FILE_BYTES = 256 << 20  # a source file larger than this is refused before it is read
MAX_QUERY_BYTES = (
    4 << 20
)  # a query (file or standard input): SPARQL texts stop at a million characters
_CHUNK = 1 << 20


class Source(namedtuple("Source", "path data")):
    """One source file's bytes, as read once: its path and data. (A named tuple: importing
    dataclasses cost a cold query a few ms.)"""

    __slots__ = ()

    @property
    def text(self) -> str:
        return decode(self.path, self.data)


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else position(text, index)[0]


def _reason(exc: OSError) -> str:
    return exc.strerror or " ".join(str(exc).split())[:200]


def _size(limit: int) -> str:
    return f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit} bytes"


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes, at most `limit` (default MAX_FILE_BYTES) of them. Opened without
    blocking, so a FIFO or a device put where a file should be is an error, not a hang."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as exc:
        raise DataError(path, f"cannot read file ({_reason(exc)})") from None
    except ValueError as exc:  # a NUL in the name
        raise DataError(path, f"cannot read file ({exc})") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise DataError(path, "cannot read file (not a regular file)")
        if status.st_size > limit:
            raise DataError(path, f"the file is larger than {_size(limit)}")
        chunks, size = [], 0
        while size <= limit:  # the file may grow while it is read: stop one byte past the limit
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise DataError(path, f"the file is larger than {_size(limit)}")
        return b"".join(chunks)
    except OSError as exc:
        raise DataError(path, f"cannot read file ({_reason(exc)})") from None
    finally:
        os.close(descriptor)


def read_stream(stream, name: str, limit: int | None = None) -> bytes:
    """At most `limit` (default MAX_QUERY_BYTES) bytes from a binary stream such as standard
    input: an endless one (``/dev/zero``) is cut off and refused, not read until memory runs out."""
    limit = MAX_QUERY_BYTES if limit is None else limit
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = stream.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise DataError(name, f"cannot read ({_reason(exc)})") from None
    if size > limit:
        raise DataError(name, f"the input is larger than {_size(limit)}")
    return b"".join(chunks)


def decode(path: Path | str, raw: bytes, allow_empty: bool = False) -> str:
    """A file's bytes as UTF-8 text, without a leading byte order mark; non-UTF-8 (and, unless
    allowed, empty) files are DataErrors."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position(raw.decode("utf-8", "replace"), exc.start)
        raise DataError(path, f"not UTF-8 (byte 0x{raw[exc.start]:02x})", line, column) from None
    text = text.removeprefix("\ufeff")  # a UTF-8 byte order mark, as some editors write
    if not allow_empty and not text.strip():
        raise DataError(path, "the file is empty")
    return text


def read_source(path: Path) -> Source:
    return Source(path, read_bytes(path))


def read_sources(paths: list[Path]) -> list[Source]:
    return [read_source(path) for path in paths]


def read_text(path: Path) -> str:
    """The file as UTF-8 text (read once, bounded); unreadable, non-UTF-8 and empty files are
    DataErrors."""
    return decode(path, read_bytes(path))
