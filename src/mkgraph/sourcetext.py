"""Reading a source file as text, and turning character offsets into line and column numbers.
Kept free of rdflib so the fast loader can use it without paying for rdflib's import."""

from __future__ import annotations

from pathlib import Path

from mkgraph.errors import DataError


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else position(text, index)[0]


def read_text(path: Path) -> str:
    """The file as UTF-8 text; unreadable, non-UTF-8 and empty files are DataErrors."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, f"cannot read file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position(raw.decode("utf-8", "replace"), exc.start)
        raise DataError(path, f"not UTF-8 (byte 0x{raw[exc.start]:02x})", line, column) from None
    if not text.strip():
        raise DataError(path, "the file is empty")
    return text
