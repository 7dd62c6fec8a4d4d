"""The package's floors, as the README's architecture section draws them, hold in the code.

Every `import` statement in src/mkgraph (at the top of a module, inside a function, under
TYPE_CHECKING: all of them) is read with `ast` and checked: an import points only along an arrow
of the picture or inside its own floor; no two modules import each other, directly or round a
circle; and no module reaches into another module's private (`_underscored`) names, by importing
them or as an attribute of an imported module. The picture is read from the README itself, so the
drawing and the rule are one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
README = Path(__file__).resolve().parent.parent / "README.md"


# ---------------------------------------------------------------- the picture


def floors_from_readme(text: str) -> dict[str, set[str]]:
    """{floor: the floors it may import} from the ```text block of "## Architecture"."""
    section = text.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    arrows: dict[str, set[str]] = {}
    for line in block.splitlines():
        if not line or line[0].isspace():
            continue  # a description carried over
        name = line.split()[0].removesuffix(".py").removesuffix("/")
        targets = line.partition("->")[2]
        arrows[name] = {t.strip() for t in targets.split(",") if t.strip()}
    return arrows


ARROWS = floors_from_readme(README.read_text(encoding="utf-8"))


def floor_of(module: str) -> str:
    """mkgraph.store.engine -> store; mkgraph.api -> api; the package root (__version__) and
    `python -m mkgraph` belong with the floors they serve."""
    parts = module.split(".")
    if parts == ["mkgraph"]:
        return "core"
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


# ---------------------------------------------------------------- reading imports


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(module: str, source: str, is_package: bool = False, known: frozenset = frozenset()):
    """(imported module, the name taken from it or None, line) for each mkgraph import, and the
    private attributes read from a module bound by an import: (module, attribute, line)."""
    tree = ast.parse(source)
    found: list[tuple[str, str | None, int]] = []
    bound: dict[str, str] = {}  # local name -> the mkgraph module it stands for
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "mkgraph":
                    found.append((alias.name, None, node.lineno))
                    if alias.asname:
                        bound[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "mkgraph":
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in known or _is_module(submodule):
                    found.append((submodule, None, node.lineno))
                    bound[alias.asname or alias.name] = submodule
                else:
                    found.append((target, alias.name, node.lineno))
    private = [
        (bound[node.value.id], node.attr, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in bound
        and _is_private(node.attr)
    ]
    return found, private


def _is_module(name: str) -> bool:
    path = SRC.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def problems(sources: dict[str, tuple[str, bool]], arrows: dict[str, set[str]]) -> list[str]:
    """Everything wrong with these modules ({name: (source, is a package)}) under the picture."""
    found: list[str] = []
    graph: dict[str, set[str]] = {name: set() for name in sources}
    for module, (source, is_package) in sorted(sources.items()):
        imported, private = imports(module, source, is_package, frozenset(sources))
        here = floor_of(module)
        for target, name, line in imported:
            there = floor_of(target)
            if there != here and there not in arrows.get(here, set()):
                found.append(f"{module}:{line}: imports {target} ({here} -> {there} is not drawn)")
            if name is not None and _is_private(name) and target != module:
                found.append(f"{module}:{line}: imports the private name {name} from {target}")
            if target != module and target in graph:
                graph[module].add(target)
        for target, attribute, line in private:
            if target != module:
                found.append(f"{module}:{line}: uses the private name {target}.{attribute}")
    found += borrowed_private_attributes(sources)
    found += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return found


def private_definitions(source: str) -> set[str]:
    """The private names a module defines: functions, classes, methods, module and class
    variables, and attributes it sets on its objects (self._x = ...)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {name for name in names if _is_private(name)}


def borrowed_private_attributes(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """`anything._name` where _name is another mkgraph module's private name and not one this
    module defines (an object handed over, such as the server's kg._store_bindings(...))."""
    defined = {module: private_definitions(source) for module, (source, _) in sources.items()}
    found = []
    for module, (source, _) in sorted(sources.items()):
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Attribute) and _is_private(node.attr)):
                continue
            if node.attr in defined[module]:
                continue
            owners = sorted(m for m, names in defined.items() if node.attr in names)
            if owners:
                found.append(
                    f"{module}:{node.lineno}: uses {node.attr}, private to {', '.join(owners)}"
                )
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [group + [group[0]] for group in groups]


def package_sources() -> dict[str, tuple[str, bool]]:
    return {
        module_name(path): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
        for path in sorted((SRC / "mkgraph").rglob("*.py"))
    }


# ---------------------------------------------------------------- the tests


def test_the_readme_draws_every_floor_of_the_package():
    folders = {p.name for p in (SRC / "mkgraph").iterdir() if (p / "__init__.py").is_file()}
    top = {p.stem for p in (SRC / "mkgraph").glob("*.py")} - {"__init__", "__main__"}
    assert set(ARROWS) == folders | top, "every subpackage and top module is a floor in README"
    assert ARROWS["core"] == set()
    for floor, targets in ARROWS.items():
        assert targets <= set(ARROWS), f"{floor} points at a floor the picture does not have"


def test_the_picture_has_no_circle_between_floors():
    assert cycles({floor: set(targets) for floor, targets in ARROWS.items()}) == []


def test_every_import_follows_the_picture():
    assert problems(package_sources(), ARROWS) == []


def test_each_module_is_where_the_readme_says():
    """The README names every module under its floor, so a reader finds it there."""
    text = README.read_text(encoding="utf-8")
    block = text.split("\n## Architecture\n", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    floor = ""
    named: dict[str, set[str]] = {}
    for line in block.splitlines():
        if line and not line[0].isspace():
            floor = line.split()[0].removesuffix("/").removesuffix(".py")
        named.setdefault(floor, set()).update(re.findall(r"[a-z]+", line.partition("->")[0]))
    for module in package_sources():
        parts = module.split(".")
        if len(parts) == 3:  # mkgraph.FLOOR.MODULE
            assert parts[2] in named.get(parts[1], set()), f"README: {parts[2]} under {parts[1]}/"


# The checker itself fails on each kind of wrong import (a rule that cannot fail is no rule).
@pytest.mark.parametrize(
    "module, source, expected",
    [
        ("mkgraph.core.errors", "from mkgraph.store import engine\n", "core -> store"),
        (
            "mkgraph.store.graph",
            "def f():\n    from mkgraph.api import KnowledgeGraph\n",
            "store -> api",
        ),
        ("mkgraph.checks.shacl", "import mkgraph.views.describe\n", "checks -> views"),
        ("mkgraph.store.graph", "from ..views import lineage\n", "store -> views"),
        (
            "mkgraph.store.reasoning",
            "if TYPE_CHECKING:\n    from mkgraph.web.server import Endpoint\n",
            "store -> web",
        ),
        ("mkgraph.cli", "from mkgraph.api import _as_rdflib\n", "private name _as_rdflib"),
        ("mkgraph.views.site", "from mkgraph.store import export\nexport._x()\n", "export._x"),
        ("mkgraph.web.server", "from mkgraph.store import engine as e\ne._run\n", "engine._run"),
        ("mkgraph.web.server", "def f(self):\n    self.kg._bindings()\n", "private to mkgraph.api"),
    ],
)
def test_the_checker_refuses_a_wrong_import(module, source, expected):
    owner = {"mkgraph.api": ("class KnowledgeGraph:\n    def _bindings(self): pass\n", False)}
    found = problems({module: (source, False), **owner}, ARROWS)
    assert any(expected in problem for problem in found), found


def test_the_checker_finds_a_circle():
    sources = {
        "mkgraph.store.a": ("from mkgraph.store import b\n", False),
        "mkgraph.store.b": ("def f():\n    from mkgraph.store.c import x\n", False),
        "mkgraph.store.c": ("import mkgraph.store.a\n", False),
    }
    found = [p for p in problems(sources, ARROWS) if "cycle" in p]
    assert found == [
        "import cycle: mkgraph.store.a -> mkgraph.store.b -> mkgraph.store.c -> mkgraph.store.a"
    ]


def test_the_checker_allows_a_downward_arrow_and_its_own_private_names():
    sources = {
        "mkgraph.views.lineage": (
            "from mkgraph.store import names\nfrom mkgraph.core.errors import DataError\n"
            "def _helper(): pass\n_helper()\n",
            False,
        )
    }
    assert problems(sources, ARROWS) == []
