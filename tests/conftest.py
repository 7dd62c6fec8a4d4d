"""Shared fixtures: a click runner, the bundled graph loaded once, scratch copies of the sources,
and a guard that fails any test that opens a network connection beyond loopback."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import fuzzing  # noqa: F401  (loads the hypothesis profile before any test module)
import pytest
import rdflib.term
from click.testing import CliRunner
from graphs import bundled_graph

from mkgraph.cli import main
from mkgraph.core.resources import locate

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_DATA = FIXTURES / "root" / "data"


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """mkgraph must never reach the network: any non-loopback connection fails the test."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost")):
            return real_connect(self, address)
        if self.family == getattr(socket, "AF_UNIX", None):
            return real_connect(self, address)
        raise AssertionError(f"network access attempted: {address!r}")

    real_create_connection = socket.create_connection

    def guarded_create_connection(address, *args, **kwargs):
        if isinstance(address[0], str) and (
            address[0].startswith("127.") or address[0] in ("::1", "localhost")
        ):
            return real_create_connection(address, *args, **kwargs)
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)


@pytest.fixture(autouse=True)
def no_leaked_literal_converters():
    """A library that swaps rdflib's literal converters (owlrl did) must put them back: a test
    that leaves them changed fails, instead of a later test failing by chance."""
    before = dict(rdflib.term._toPythonMapping)
    yield
    changed = sorted(
        str(datatype)
        for datatype in set(before) | set(rdflib.term._toPythonMapping)
        if before.get(datatype) is not rdflib.term._toPythonMapping.get(datatype)
    )
    assert not changed, f"rdflib's literal converters were changed and not restored: {changed}"


# The controller's verdicts on the stored queries, copied into each worker's cache folder.
_VERDICTS_ENV = "MKGRAPH_TEST_CHECKED_QUERIES"


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker more than there are cores. Many tests wait rather than compute (a
    deadline that must pass, an idle connection, a server or a browser starting), and a third
    worker on two cores keeps both busy meanwhile: the suite measured 2 min 12 s with two
    workers, 2 min 1 s with three and 2 min 4 s with four on this 2-core machine (README,
    "Development")."""
    return (os.cpu_count() or 1) + 1


def pytest_configure(config):
    """Tests never read or write the user's cache of loaded graphs: this process (each xdist
    worker) gets a private MKGRAPH_CACHE_DIR before any test module is imported, since some
    read the stored queries (whose checks are cached) at collection time."""
    # in memory where the machine has it: each fresh test root's store is synced to disk otherwise
    memory = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    folder = tempfile.mkdtemp("-mkgraph-cache", dir=memory)
    config.mkgraph_cache = (os.environ.get("MKGRAPH_CACHE_DIR"), folder)
    os.environ["MKGRAPH_CACHE_DIR"] = config.mkgraph_cache[1]
    if not hasattr(config, "workerinput") and memory and "PYTEST_DEBUG_TEMPROOT" not in os.environ:
        # The tests' temporary folders (tmp_path: a copy of a root per test, some 20,000 files a
        # run) in memory too: on disk their creation and removal cost some seconds of system
        # CPU a run. pytest's own numbered folders and retention (pyproject.toml:
        # tmp_path_retention_policy) under /dev/shm; the workers get their folders from here.
        os.environ["PYTEST_DEBUG_TEMPROOT"] = memory
        config.add_cleanup(lambda: os.environ.pop("PYTEST_DEBUG_TEMPROOT", None))
    seed = os.environ.get(_VERDICTS_ENV)
    if hasattr(config, "workerinput") and seed and os.path.isdir(seed):
        shutil.copytree(seed, Path(folder) / "checked-queries")
    elif not hasattr(config, "workerinput") and config.getoption("dist", "no") != "no":
        # The controller of the xdist workers checks the stored queries' parameters once (an
        # rdflib parse of each, 3.4 s of CPU), before the workers start; each worker's cache
        # begins with those verdicts instead of parsing them again while it collects.
        from mkgraph.core.errors import MkgraphError
        from mkgraph.store.queries import list_stored_queries

        try:
            list_stored_queries(locate().queries)
        except MkgraphError:
            return  # a broken stored query: the tests that read it say so, each worker checks
        os.environ[_VERDICTS_ENV] = str(Path(folder) / "checked-queries")


# The modules that keep a worker longest (CPU seconds of a module on one worker, measured in
# session 7, after the server, store and guard tests moved to the fixture root), started first:
# --dist loadfile deals out whole modules in order, and a long module dealt out last would keep
# one worker busy while the other has nothing left (longest first is the classic fix). xdist's own order, by number of tests (--loadscope-reorder), put one-test
# modules such as the wheel's last. `addopts` turns that off; the other modules keep their order.
LONGEST_FIRST = (
    "test_validation.py",
    "test_site.py",
    "test_server_limits.py",  # and it waits: idle and dripping clients, time limits
    "test_guard.py",
    "test_remote.py",  # and Virtuoso creates its database (~30 s) while the Oxigraph tests run
    "test_server.py",
    "test_drawing.py",
    "test_install.py",
    "test_resource_pages.py",
    "test_export.py",
    "test_compact_form.py",
    "test_bad_input.py",
    "test_plain_query.py",
    "test_cache.py",
    "test_periods.py",
    "test_parser_threads.py",
    "test_remote_http.py",
    "test_crossengine.py",
    "test_validation_incremental.py",
    "test_diff.py",
    "test_queries.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest in order


def pytest_unconfigure(config):
    previous, folder = getattr(config, "mkgraph_cache", (None, None))
    if folder is None:
        return
    shutil.rmtree(folder, ignore_errors=True)
    if not hasattr(config, "workerinput"):
        os.environ.pop(_VERDICTS_ENV, None)
    if previous is None:
        os.environ.pop("MKGRAPH_CACHE_DIR", None)
    else:
        os.environ["MKGRAPH_CACHE_DIR"] = previous


@pytest.fixture(autouse=True, scope="session")
def no_certificate_folder():
    """The tests make no TLS connection (nothing leaves loopback), and pyrudof loads every file
    in $SSL_CERT_DIR each time it reads data (0.6 s a read with Debian's 290 certificates, most
    of a small validation's time): the folder is left out for the run."""
    previous = os.environ.pop("SSL_CERT_DIR", None)
    yield
    if previous is not None:
        os.environ["SSL_CERT_DIR"] = previous


@pytest.fixture(autouse=True, scope="session")
def periods_read_once_on_the_shared_graphs():
    """The periods of the session's read-only graphs (the bundled graph and `fixture_kg`, which
    no test may change) are read once per run: `periods_by_fact` reads every statement node,
    and a view asks it anew for each tree, drawing and page (a lineage tree of the bundled
    graph 0.03 s of CPU, the bundled site 1.3 s of its 4.4). Any other graph is read as the
    program reads it, and each caller gets its own copy of the answer."""
    from mkgraph.store import periods

    real = periods.periods_by_fact
    kept: dict = {}

    def shared(graph) -> bool:
        graphs = list(_SESSION_GRAPHS.values())
        if bundled_graph.cache_info().currsize:  # loaded by now (never loaded from here)
            graphs.append(bundled_graph())
        return any(vars(kg).get("graph") is graph for kg in graphs)

    def periods_by_fact(graph):
        if not shared(graph):
            return real(graph)
        key = (id(graph), len(graph))  # a shared graph that changed is read again
        if key not in kept:
            kept[key] = real(graph)
        return {fact: list(found) for fact, found in kept[key].items()}

    periods.periods_by_fact = periods_by_fact
    yield
    periods.periods_by_fact = real


@pytest.fixture(scope="module")
def _kept_parses():
    from graphs import KeptParses

    return KeptParses()


@pytest.fixture
def kept_parses(_kept_parses, monkeypatch):
    """rdflib's parses kept for the module (graphs.KeptParses): for a module whose tests load
    copies of the same files, e.g. `pytestmark = pytest.mark.usefixtures("kept_parses")`."""
    from mkgraph.store import formatting, graph

    monkeypatch.setattr(graph, "parse_text", _kept_parses)
    monkeypatch.setattr(formatting, "parse_text", _kept_parses)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="session")
def kg():
    """The bundled graph, loaded once per test run (per worker under pytest-xdist)."""
    return bundled_graph()


@pytest.fixture(scope="session")
def kg_environment(kg):
    """The environment the session's graph was built in."""
    return _graph_environment()


# Environment variables that change which graph a command reads or how it loads it.
_GRAPH_VARIABLES = ("MKGRAPH_ROOT", "MKGRAPH_CACHE_DIR", "XDG_CACHE_HOME")


def _graph_environment(extra: dict | None = None) -> dict:
    merged = {name: os.environ.get(name) for name in _GRAPH_VARIABLES}
    merged.update({k: v for k, v in (extra or {}).items() if k in _GRAPH_VARIABLES})
    return merged


@pytest.fixture
def invoke(runner, kg, kg_environment):
    """Run the mkgraph command in this process; returns click's Result (exit_code, stdout,
    stderr). A command on the bundled graph is handed the session's loaded KnowledgeGraph (the
    one `mkgraph` would build: same root, reasoner and cache), so the graph is parsed once per run
    instead of once per command; so is a command that starts `--root ROOT` with the root of the
    session's `fixture_kg`. A command given another --root, or --reasoner, a changed MKGRAPH_ROOT,
    MKGRAPH_CACHE_DIR or XDG_CACHE_HOME, or a working directory in another checkout builds its
    own, as the program does; fresh=True always does (for tests of loading itself)."""

    def run(*args, input=None, env=None, fresh=False):
        obj = None
        if not fresh:
            graph = _session_graph([str(arg) for arg in args], env, kg, kg_environment)
            obj = None if graph is None else {"kg": graph}
        return runner.invoke(
            main, list(args), input=input, env=env, obj=obj, catch_exceptions=False
        )

    return run


# The session's fixture graphs by root (see fixture_kg): read-only, loaded once per run.
_SESSION_GRAPHS: dict[Path, object] = {}


def _session_graph(args: list[str], env, kg, kg_environment):
    if _graph_environment(env) != kg_environment:
        return None
    options = [arg.split("=", 1)[0] for arg in args]
    if "--reasoner" in options:
        return None
    if "--root" not in options:
        return kg if locate() == kg.resources else None
    if options.count("--root") > 1 or options[0] != "--root":
        return None
    root = args[0][len("--root=") :] if "=" in args[0] else (args[1] if len(args) > 1 else "")
    return _SESSION_GRAPHS.get(Path(root))


@pytest.fixture(scope="session")
def bundled():
    return locate()


def _fixture_root(target: Path, bundled) -> Path:
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(bundled.root / name, target / name)
    shutil.copytree(FIXTURE_DATA, target / "data")
    return target


@pytest.fixture
def fixture_root(tmp_path, bundled):
    """A small, realistic root to break on purpose: the checkout's ontology, shapes and queries,
    and the data in tests/fixtures/root/data (five projects, four systems, the vocabularies: a
    frozen copy, so a curator who changes data/ never breaks a code test). It conforms."""
    return _fixture_root(tmp_path / "fixture", bundled)


@pytest.fixture(scope="session")
def ended_kg(tmp_path_factory, bundled):
    """The fixture root's graph with one lineage link that has ended: Ares based on Helios until
    2025 (both statements of the fact carry the end), for the tests of how lineage words a link
    that has ended, whatever the bundled data holds today."""
    from mkgraph.api import KnowledgeGraph

    root = _fixture_root(tmp_path_factory.mktemp("ended-kg") / "root", bundled)
    ares = root / "data" / "projects" / "ares.trig"
    text = ares.read_text(encoding="utf-8")
    for statement in ("_:basedOn-1", "_:basedOn-2"):
        tail = f"{statement} prov:wasDerivedFrom "
        assert text.count(tail) == 1, statement
        head, rest = text.split(tail)
        sources, after = rest.split(" ; ", 1)
        text = f'{head}{tail}{sources} ; mk:validUntil "2025"^^xsd:gYear ; {after}'
    ares.write_text(text, encoding="utf-8")
    return KnowledgeGraph(root)


@pytest.fixture(scope="session")
def fixture_kg(tmp_path_factory, bundled):
    """The fixture root's graph, loaded once per test run (per worker): for code tests that
    read a realistic graph and change nothing."""
    from mkgraph.api import KnowledgeGraph

    root = _fixture_root(tmp_path_factory.mktemp("fixture-kg") / "root", bundled)
    for path in root.rglob("*"):  # shared by every test: mkgraph refuses to write a read-only file
        if path.is_file():
            path.chmod(0o444)
    graph = _SESSION_GRAPHS[root] = KnowledgeGraph(root)
    return graph


@pytest.fixture
def small_root(tmp_path, bundled):
    """Ontology, shapes, queries and only the vocabularies and sources (the fixture root's frozen
    copies, so a curator's new agent or source changes no code test): data fixtures go into data/."""
    root = tmp_path / "small"
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(bundled.root / name, root / name)
    shutil.copytree(FIXTURE_DATA / "vocabulary", root / "data" / "vocabulary")
    shutil.copy(FIXTURE_DATA / "sources.ttl", root / "data" / "sources.ttl")
    return root
