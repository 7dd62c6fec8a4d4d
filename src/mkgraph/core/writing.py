"""Writing an output file (`-o FILE`, `mkgraph format`) so that it is whole or not written at all.

Every command writes through `write_file`. What it does depends on what the target is:

- a regular file, or a name that does not exist yet: the data goes to a temporary file beside it,
  is flushed to disk, and is renamed over it, so a failed or interrupted write leaves the old file
  whole (the new file keeps the old one's permission bits);
- a symbolic link: the same, at the file the link finally points to, so the link stays a link;
- a FIFO, a character or block device (``/dev/null``, ``/dev/stdout``, a terminal): written
  directly, because renaming over it would replace the device node itself (fatal when run as root);
- a folder, a socket, or a target whose permission bits allow nobody to write: refused with one line.
  The bits are checked even for root, whom the kernel would let through, so a file the curator made
  read-only stays as it is.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from mkgraph.core.errors import OutputError

_SPECIAL = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def write_file(path: str | os.PathLike, data: str | bytes) -> None:
    """Write text (as UTF-8) or bytes to `path`: whole or not at all (see the module's notes)."""
    shown = os.fspath(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    status = _writable_status(path)
    if status is None:
        _replace(shown, Path(os.path.realpath(path)), payload, None)
        return
    if stat.S_IFMT(status.st_mode) in _SPECIAL:
        _write_directly(shown, path, payload)
        return
    real = Path(os.path.realpath(path))
    try:
        same = os.path.samestat(os.stat(real), status)
    except OSError:
        same = False
    if not same:  # e.g. /dev/stdout opened on a file that has since been deleted
        raise OutputError(f"{shown}: cannot write: cannot find the file it points to")
    _replace(shown, real, payload, status)


def is_stream(path: str | os.PathLike) -> bool:
    """Whether `path` is written as a stream (a FIFO or a device such as /dev/stdout) rather than
    as a file; raises the same one-line error `write_file` would for a target it refuses. Commands
    call it before they work, so a folder or a link loop is named as such, not as a format puzzle."""
    status = _writable_status(path)
    return status is not None and stat.S_IFMT(status.st_mode) in _SPECIAL


def _writable_status(path: str | os.PathLike) -> os.stat_result | None:
    """The target's status (links followed), None for a name not there yet; refuses a folder, a
    socket, a link loop and a target whose permission bits allow nobody to write."""
    shown = os.fspath(path)
    try:
        status = os.stat(path)  # follows links (and /dev/stdout's)
    except FileNotFoundError:
        return None  # a new file, or a link to a file not there yet
    except (OSError, ValueError) as exc:
        raise OutputError(f"{shown}: cannot write: {_reason(exc)}") from None
    kind = stat.S_IFMT(status.st_mode)
    if kind == stat.S_IFDIR:
        raise OutputError(f"{shown}: cannot write: it is a folder")
    if status.st_mode & 0o222 == 0 or not os.access(path, os.W_OK):
        raise OutputError(f"{shown}: cannot write: the file is read-only")
    if kind not in _SPECIAL and kind != stat.S_IFREG:
        raise OutputError(f"{shown}: cannot write: it is not a regular file")
    return status


def _reason(exc: BaseException) -> str:
    return (getattr(exc, "strerror", None) or " ".join(str(exc).split()))[:200]


def _write_directly(shown: str, path: str | os.PathLike, payload: bytes) -> None:
    """A FIFO or device: opened for writing as it is (no create, no truncate, no rename)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {_reason(exc)}") from None
    try:
        with os.fdopen(descriptor, "wb", buffering=0) as out:
            view = memoryview(payload)
            while view:
                view = view[out.write(view) or 0 :]
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {_reason(exc)}") from None


def _replace(shown: str, real: Path, payload: bytes, status: os.stat_result | None) -> None:
    """A regular file (or a new one): a temporary file beside it, flushed, then renamed over it."""
    folder = real.parent
    if not folder.is_dir():
        raise OutputError(f"{shown}: cannot write: folder {str(folder)!r} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{real.name}.", dir=folder)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {_reason(exc)}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            # mkstemp makes the file readable by its owner only: give it the mode (and, as root,
            # the owner) of the file it replaces, or the mode a plain open() would have.
            if status is not None:
                os.fchmod(out.fileno(), status.st_mode & 0o7777)
                if os.geteuid() == 0 and (status.st_uid, status.st_gid) != (0, 0):
                    os.fchown(out.fileno(), status.st_uid, status.st_gid)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(out.fileno(), 0o666 & ~umask)
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, real)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{shown}: cannot write: {_reason(exc)}") from None
        raise
