"""Where the ontology, data, shapes and queries live: the one module that knows.

Order of preference: an explicit root (``--root``, then ``MKGRAPH_ROOT``); then the checkout around
the working directory (found by walking up to a folder whose pyproject.toml names mkgraph and
that holds the four folders, as git finds its repository), however mkgraph was installed; then the
checkout this package runs from (an editable install used elsewhere); then the copy packaged in
the wheel under ``mkgraph/_data``, which is read-only: nothing is ever written there.
"""

from __future__ import annotations

import os
import re
from collections import namedtuple
from pathlib import Path

from mkgraph.core.errors import ResourceError

ROOT_ENV = "MKGRAPH_ROOT"
FOLDERS = ("ontology", "data", "shapes", "queries")
# How a root was found, in words for `mkgraph info`.
ORIGINS = {
    "option": "given with --root",
    "environment": f"given with ${ROOT_ENV}",
    "working-directory": "the checkout around the working directory",
    "package-checkout": "the checkout this mkgraph runs from",
    "packaged": "the read-only copy installed with mkgraph",
}
_NAMES_MKGRAPH = re.compile(r"""^name\s*=\s*["']mkgraph["']\s*$""", re.MULTILINE)


class Resources(namedtuple("Resources", "root origin", defaults=("option",))):
    """The four folders of one copy of the graph's sources: the root folder (a Path) and how it
    was found (a key of ORIGINS). (A named tuple: importing dataclasses cost a cold query a few
    ms.)"""

    __slots__ = ()

    @property
    def packaged(self) -> bool:
        return self.origin == "packaged"

    def check_writable(self, paths: list[Path]) -> None:
        """Refuse to write into the copy installed with mkgraph (site-packages)."""
        if not self.packaged:
            return
        root = self.root.resolve()
        for path in paths:
            if path.resolve().is_relative_to(root):
                raise ResourceError(
                    f"{path}: refusing to write into the copy installed with mkgraph; run "
                    "inside a checkout of mkgraph or give --root DIR"
                )

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def shapes(self) -> Path:
        return self.root / "shapes"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    def turtle_files(self, folder: Path) -> list[Path]:
        """Every .ttl file below a folder, in a stable order (see source_files)."""
        return source_files(folder, (".ttl",))

    def data_files(self, folder: Path) -> list[Path]:
        """Every RDF file below a folder (Turtle, TriG, JSON-LD, RDF/XML), in a stable order."""
        return source_files(folder, (".ttl", ".trig", ".jsonld", ".rdf"))

    def curated_files(self, folder: Path) -> list[Path]:
        """The files curators write and `mkgraph format` keeps canonical: Turtle and TriG."""
        return source_files(folder, (".ttl", ".trig"))

    def graph_files(self) -> list[Path]:
        """The files that make up the graph: ontology first, then the data."""
        return self.turtle_files(self.ontology) + self.data_files(self.data)

    @property
    def jsonld_context(self) -> Path:
        return self.ontology / "context.jsonld"


def source_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Every file with one of these suffixes below a folder, sorted; never a silent part of them.

    Symbolic links to folders are followed (``data/projects -> elsewhere``), each real folder once
    (a link loop ends there). A folder that cannot be listed, a link to nothing, or a FIFO or
    device under a source name is an error naming it, so a graph is never answered from fewer
    files than the folder holds. Names starting with a dot (editor lock and backup files, hidden
    folders) are not sources.
    """
    found: dict[str, Path] = {}  # real path -> the first path it was reached by
    visited: set[str] = set()
    pending = [(folder, False)]  # a folder, and whether a symbolic link led to it
    while pending:
        directory, via_link = pending.pop()
        real = os.path.realpath(directory)
        if real in visited:
            continue
        visited.add(real)
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            raise ResourceError(
                f"{directory}: cannot read folder ({exc.strerror or exc})"
            ) from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                link = entry.is_symlink()
                if entry.is_dir():  # follows symbolic links
                    pending.append((Path(entry.path), via_link or link))
                    continue
                # the suffix read from the name: a Path only for a source (a cold query lists
                # every data file to compute the cache key)
                if os.path.splitext(entry.name)[1].lower() not in suffixes:
                    continue
                path = Path(entry.path)
                if link and not path.exists():
                    raise ResourceError(f"{path}: cannot read file (a symbolic link to nothing)")
                if not entry.is_file():
                    raise ResourceError(f"{path}: cannot read file (not a regular file)")
            except OSError as exc:
                raise ResourceError(f"{entry.path}: cannot read ({exc.strerror or exc})") from None
            # only a path through a link can name a file twice: resolve just those
            found.setdefault(os.path.realpath(path) if via_link or link else str(path), path)
    return sorted(found.values(), key=lambda path: path.parts)  # Path's own order, compared in C


def is_checkout(folder: Path) -> bool:
    """A checkout of mkgraph: its pyproject.toml names mkgraph and the four folders are there."""
    try:
        named = _NAMES_MKGRAPH.search((folder / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    return named is not None and all((folder / name).is_dir() for name in FOLDERS)


def enclosing_checkout(start: Path) -> Path | None:
    """The nearest checkout at or above a folder, as git finds its repository."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if is_checkout(folder):
            return folder
    return None


def _checkout_root() -> Path | None:
    candidate = Path(__file__).resolve().parents[3]  # src/mkgraph/core/resources.py -> the checkout
    return candidate if is_checkout(candidate) else None


def _packaged_root() -> Path | None:
    from importlib import resources as importlib_resources  # only when not in a checkout

    packaged = importlib_resources.files("mkgraph") / "_data"
    path = Path(str(packaged))
    return path if path.is_dir() else None


def locate(root: str | os.PathLike | None = None) -> Resources:
    """Find the folders to use; an explicit root wins, then MKGRAPH_ROOT, checkout, wheel copy."""
    explicit = root if root is not None else os.environ.get(ROOT_ENV) or None
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            raise ResourceError(f"root {str(path)!r} is not a readable folder")
        missing = [name for name in FOLDERS if not (path / name).is_dir()]
        if missing:
            raise ResourceError(f"root {str(path)!r} has no {', '.join(missing)} folder")
        return Resources(path.resolve(), "option" if root is not None else "environment")
    try:
        here = enclosing_checkout(Path.cwd())
    except OSError:  # the working directory was removed
        here = None
    # in order, each looked for only if the one before is absent (the packaged copy's look-up
    # imports importlib.resources: a tenth of a cold query's time)
    for find, origin in (
        (lambda: here, "working-directory"),
        (_checkout_root, "package-checkout"),
        (_packaged_root, "packaged"),
    ):
        found = find()
        if found is not None:
            return Resources(found, origin)
    raise ResourceError("cannot find the ontology, data, shapes and queries folders; use --root")
