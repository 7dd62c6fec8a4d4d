"""Shared fixtures: a click runner, the bundled graph loaded once, scratch copies of the sources,
and a guard that fails any test that opens a network connection beyond loopback."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import fuzzing  # noqa: F401  (loads the hypothesis profile before any test module)
import pytest
import rdflib.term
from click.testing import CliRunner

from mkgraph.api import KnowledgeGraph
from mkgraph.cli import main
from mkgraph.core.resources import locate

FIXTURES = Path(__file__).parent / "fixtures"


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


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """Tests never read or write the user's cache of loaded graphs."""
    import os

    previous = os.environ.get("MKGRAPH_CACHE_DIR")
    os.environ["MKGRAPH_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("MKGRAPH_CACHE_DIR", None)
    else:
        os.environ["MKGRAPH_CACHE_DIR"] = previous


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the mkgraph command; returns click's Result (exit_code, stdout, stderr)."""

    def run(*args, input=None, env=None):
        return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def kg():
    return KnowledgeGraph()


@pytest.fixture(scope="session")
def bundled():
    return locate()


@pytest.fixture
def scratch_root(tmp_path, bundled):
    """A full copy of ontology/, data/, shapes/ and queries/ to break on purpose."""
    root = tmp_path / "root"
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(bundled.root / name, root / name)
    return root


@pytest.fixture
def small_root(tmp_path, bundled):
    """Ontology, shapes, queries and only the vocabularies and sources: data fixtures go into data/."""
    root = tmp_path / "small"
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(bundled.root / name, root / name)
    shutil.copytree(bundled.data / "vocabulary", root / "data" / "vocabulary")
    shutil.copy(bundled.data / "sources.ttl", root / "data" / "sources.ttl")
    return root
