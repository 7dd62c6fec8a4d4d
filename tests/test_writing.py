"""`-o FILE` and `mkgraph format` write through mkgraph.core.writing: whole or not at all, through a
symbolic link to its target, directly into a FIFO or device, and never onto a read-only file or a
folder. Every target here is made in the test's own temporary folder (the device node is a copy of
/dev/null's numbers, made with mknod there), never one of the machine's own."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from mkgraph.core import writing
from mkgraph.core.errors import OutputError

# rdflib's parse of each text kept for the module (its tests load copies of the fixture root):
# conftest.kept_parses
pytestmark = pytest.mark.usefixtures("kept_parses")

COMMANDS = [
    ("export", "-f", "ntriples"),
    ("query", "descendants", "-f", "csv"),
    ("sparql", "ASK { ?s ?p ?o }"),
    ("show", "seL4"),
    ("lineage", "seL4", "-f", "tree"),
    ("coverage",),
    ("render", "list", "-f", "markdown"),
    ("validate",),
]


def _run_ok(invoke, *args):
    result = invoke(*args)
    assert result.exit_code in (0, 1), result.output  # validate: 1 = does not conform
    assert result.stderr == ""
    return result


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_writes_through_a_symlink(command, invoke, tmp_path):
    real = tmp_path / "real" / "out.txt"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    _run_ok(invoke, *command, "-o", str(link))
    assert link.is_symlink() and os.readlink(link) == str(real)
    text = real.read_text(encoding="utf-8")
    assert text and text != "old"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the target keeps its permissions
    assert sorted(p.name for p in real.parent.iterdir()) == ["out.txt"]  # no temporary left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real"]


def test_a_chain_of_symlinks_and_a_dangling_one(tmp_path):
    real = tmp_path / "a" / "graph.nt"
    real.parent.mkdir()
    first, second = tmp_path / "one", tmp_path / "two"
    second.symlink_to(real)  # dangling until written: the target is created, the link kept
    first.symlink_to(second)
    writing.write_file(first, "new\n")
    assert real.read_text(encoding="utf-8") == "new\n"
    assert first.is_symlink() and second.is_symlink()


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def reader():
        with open(path, "rb") as fifo:
            into.append(fifo.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", COMMANDS[:3], ids=lambda c: c[0])
def test_a_fifo_is_written_directly(command, invoke, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = _read_fifo(fifo, received)
    _run_ok(invoke, *command, "-o", str(fifo))
    reader.join(timeout=30)
    assert not reader.is_alive()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not a file renamed over it
    assert received and received[0].strip()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_symlink_to_a_fifo_is_written_directly(invoke, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.nt"
    link.symlink_to(fifo)
    received: list[bytes] = []
    reader = _read_fifo(fifo, received)
    _run_ok(invoke, "export", "-f", "ntriples", "-o", str(link))
    reader.join(timeout=30)
    assert b"<https://w3id.org/mkgraph/" in received[0]
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def _null_device(tmp_path: Path) -> Path:
    """A character device with /dev/null's numbers, made in the test's own folder."""
    null = os.stat("/dev/null")
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, null.st_rdev)
    except PermissionError:
        pytest.skip("mknod needs root")
    return node


def test_a_device_node_is_written_directly_and_kept(invoke, tmp_path):
    node = _null_device(tmp_path)
    before = os.lstat(node)
    _run_ok(invoke, "export", "-o", str(node))
    after = os.lstat(node)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino  # the same node, not a file renamed over it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]
    link = tmp_path / "to-null"
    link.symlink_to(node)
    _run_ok(invoke, "lineage", "seL4", "-o", str(link))
    assert link.is_symlink() and stat.S_ISCHR(os.lstat(node).st_mode)


def test_a_read_only_device_is_refused(tmp_path):
    node = _null_device(tmp_path)
    node.chmod(0o444)
    with pytest.raises(OutputError, match="the file is read-only"):
        writing.write_file(node, "x")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555, 0o000])
def test_a_read_only_file_is_refused_even_as_root(mode, invoke, tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    target.chmod(mode)
    link = tmp_path / "link.ttl"
    link.symlink_to(target)
    try:
        for name in (target, link):
            result = invoke("export", "-o", str(name))
            assert result.exit_code == 2
            assert result.stderr == f"mkgraph: error: {name}: cannot write: the file is read-only\n"
    finally:
        target.chmod(0o644)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl", "link.ttl"]


def test_a_folder_is_a_one_line_error(invoke, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    link = tmp_path / "link"
    link.symlink_to(folder)
    for name in (folder, link):
        result = invoke("export", "-o", str(name))
        assert result.exit_code == 2
        assert result.stderr == f"mkgraph: error: {name}: cannot write: it is a folder\n"
    assert list(folder.iterdir()) == []


def test_a_socket_is_refused(tmp_path):
    import socket

    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        with pytest.raises(OutputError, match="it is not a regular file"):
            writing.write_file(path, "x")
    finally:
        server.close()
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_link_loop_is_a_one_line_error(invoke, tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop")
    result = invoke("export", "-o", str(loop))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mkgraph: error: {loop}: cannot write: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_new_file_gets_the_usual_mode(tmp_path):
    target = tmp_path / "new.txt"
    umask = os.umask(0o022)
    try:
        writing.write_file(target, b"bytes\n")
    finally:
        os.umask(umask)
    assert target.read_bytes() == b"bytes\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_format_writes_through_a_symlinked_data_file(fixture_root, invoke):
    """`mkgraph format` rewrites a data file that is a link at the file it points to."""
    data = fixture_root / "data" / "projects"
    elsewhere = fixture_root.parent / "elsewhere.trig"
    original = data / "sel4.trig"
    elsewhere.write_text(original.read_text(encoding="utf-8") + "\n\n\n", encoding="utf-8")
    original.unlink()
    original.symlink_to(elsewhere)
    result = invoke("--root", str(fixture_root), "format", str(original))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"formatted {original}\n"
    assert original.is_symlink()
    assert not elsewhere.read_text(encoding="utf-8").endswith("\n\n\n")


def test_dev_stdout_as_a_pipe_is_written_directly(tmp_path):
    """/dev/stdout names the process's own standard output (a pipe here): written into, not
    replaced, and no stray file appears."""
    import subprocess
    import sys

    from servers import warm_environment

    done = subprocess.run(
        [sys.executable, "-m", "mkgraph", "query", "descendants", "-f", "csv", "-o", "/dev/stdout"],
        capture_output=True,
        env=warm_environment(),  # the session's cache, filled: no cold load in the process
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"name,depth,path\r\n")  # CSV lines end in CRLF
    assert list(tmp_path.iterdir()) == []
