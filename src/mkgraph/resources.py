"""Where the ontology, data, shapes and queries live: the one module that knows.

Order of preference: an explicit root (``--root`` or ``MKGRAPH_ROOT``), then the source checkout
this package runs from (so an editable install sees edits at once), then the copy packaged in the
wheel under ``mkgraph/_data``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mkgraph.errors import ResourceError

ROOT_ENV = "MKGRAPH_ROOT"
FOLDERS = ("ontology", "data", "shapes", "queries")


@dataclass(frozen=True)
class Resources:
    """The four folders of one copy of the graph's sources."""

    root: Path

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
            path = Path(entry.path)
            try:
                link = entry.is_symlink()
                if entry.is_dir():  # follows symbolic links
                    pending.append((path, via_link or link))
                    continue
                if path.suffix.lower() not in suffixes:
                    continue
                if link and not path.exists():
                    raise ResourceError(f"{path}: cannot read file (a symbolic link to nothing)")
                if not entry.is_file():
                    raise ResourceError(f"{path}: cannot read file (not a regular file)")
            except OSError as exc:
                raise ResourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
            # only a path through a link can name a file twice: resolve just those
            found.setdefault(os.path.realpath(path) if via_link or link else str(path), path)
    return sorted(found.values())


def _checkout_root() -> Path | None:
    here = Path(__file__).resolve().parent  # src/mkgraph
    candidate = here.parent.parent
    if (candidate / "pyproject.toml").is_file() and (candidate / "ontology").is_dir():
        return candidate
    return None


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
        return Resources(path.resolve())
    for found in (_checkout_root(), _packaged_root()):
        if found is not None:
            return Resources(found)
    raise ResourceError("cannot find the ontology, data, shapes and queries folders; use --root")
