"""A non-editable install (the built wheel in a fresh virtual environment) inside a checkout uses
the checkout's files, says so in `mkgraph info`, and never writes into site-packages. Slow (it
builds the wheel): marked `slow`, run by CI like every test; `-m "not slow"` skips it locally."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
from servers import verdicts_only_cache

CHECKOUT = Path(__file__).resolve().parent.parent
BROKEN_PROJECT = """PREFIX mk: <https://w3id.org/mkgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sys: <https://w3id.org/mkgraph/system/>

sys:brokenos a mk:ListedProject, mk:Microkernel ;
    rdfs:label "BrokenOS" .
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from this checkout, installed alone in a new virtual environment (its
    dependencies borrowed from the running one, so nothing is downloaded)."""
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",  # hatchling from the test extra: nothing is downloaded
            "-q",
            "-w",
            str(work / "dist"),
            str(CHECKOUT),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    python = work / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "mkgraph-test-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    wheel = next((work / "dist").glob("mkgraph-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
    )
    return python, Path(purelib) / "mkgraph" / "_data"


def mkgraph(python: Path, *args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MKGRAPH_ROOT")}
    env["MKGRAPH_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [str(python), "-m", "mkgraph", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.mark.slow
def test_a_wheel_install_uses_the_checkout_it_runs_in_and_never_writes_site_packages(
    installed, tmp_path
):
    python, packaged = installed
    checkout = tmp_path / "checkout"  # a checkout of the fixture root's data: a third the size
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(CHECKOUT / name, checkout / name)
    shutil.copytree(CHECKOUT / "tests" / "fixtures" / "root" / "data", checkout / "data")
    shutil.copy(CHECKOUT / "pyproject.toml", checkout)
    (checkout / "data" / "projects" / "brokenos.ttl").write_text(BROKEN_PROJECT, encoding="utf-8")
    inside, outside = checkout / "data" / "projects", tmp_path / "elsewhere"
    outside.mkdir()
    cache = verdicts_only_cache(tmp_path / "c")  # the stored queries' checks are not the point

    info = mkgraph(python, "info", cwd=inside, cache=cache)
    assert info.stdout.splitlines()[1] == (
        f"root: {checkout} (the checkout around the working directory)"
    )
    validated = mkgraph(python, "validate", cwd=inside, cache=cache)
    assert validated.returncode == 1, validated.stdout + validated.stderr
    assert "BrokenOS:" in validated.stdout

    info = mkgraph(python, "info", cwd=outside, cache=cache)
    assert info.stdout.splitlines()[1] == (
        f"root: {packaged} (the read-only copy installed with mkgraph)"
    )
    assert mkgraph(python, "validate", cwd=outside, cache=cache).returncode == 0

    before = {p: p.stat().st_mtime_ns for p in packaged.rglob("*") if p.is_file()}
    formatted = mkgraph(python, "format", cwd=outside, cache=cache)
    assert formatted.returncode == 2
    assert formatted.stderr.startswith("mkgraph: error: ")
    assert "refusing to write into the copy installed with mkgraph" in formatted.stderr
    assert formatted.stderr.count("\n") == 1
    assert {p: p.stat().st_mtime_ns for p in packaged.rglob("*") if p.is_file()} == before
    assert mkgraph(python, "format", "--check", cwd=outside, cache=cache).returncode == 0
