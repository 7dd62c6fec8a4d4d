"""The plain `mkgraph query` and `mkgraph validate` forms are read without click (mkgraph.commands.read_plain, the
program's entry mkgraph.__main__.run); they must answer exactly as click's reading does: the same
standard output, standard error and exit code for every command line, hostile ones included, and
every command line the plain reader is not sure of goes to click untouched.

In this process the two readers are compared on the same loaded graph: click's (CliRunner on
mkgraph.cli.main, handed the graph as the other command tests do) and the plain one
(commands.run_plain, handed the same graph). A few command lines also run as the real program
both ways: `python -m mkgraph` and the click-only entry `mkgraph.cli.run` (which is what
`mkgraph.__main__.run(plain=False)` calls: the switch exists for these tests)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzzing import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from servers import verdicts_only_cache

from mkgraph import commands
from mkgraph.api import KnowledgeGraph
from mkgraph.cli import main
from mkgraph.store import offline

FIXTURES = Path(__file__).parent / "fixtures"
NAMES_FIXTURE = FIXTURES / "names" / "fiasco.ttl"


@pytest.fixture(scope="module")
def root(tmp_path_factory, bundled) -> Path:
    """The fixture graph plus two systems both called "Fiasco" (an ambiguous name)."""
    target = tmp_path_factory.mktemp("plain") / "root"
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(bundled.root / name, target / name)
    shutil.copytree(FIXTURES / "root" / "data", target / "data")
    shutil.copy(NAMES_FIXTURE, target / "data" / NAMES_FIXTURE.name)
    return target


@pytest.fixture(scope="module")
def graph(root) -> KnowledgeGraph:
    return KnowledgeGraph(root)


@pytest.fixture(scope="module")
def cache(tmp_path_factory, graph) -> Path:
    """A cache folder for the programs run here, filled once: each then opens the cached store
    (the everyday case the plain reader is for) instead of parsing the sources again, and finds
    the stored queries' checks made (`validate` lists them all)."""
    folder = verdicts_only_cache(tmp_path_factory.mktemp("plain-cache") / "cache")
    previous = os.environ.get("MKGRAPH_CACHE_DIR")
    os.environ["MKGRAPH_CACHE_DIR"] = str(folder)
    try:
        KnowledgeGraph(graph.resources.root).store  # noqa: B018
        KnowledgeGraph(graph.resources.root).stored_query("descendants")
    finally:
        os.environ["MKGRAPH_CACHE_DIR"] = previous or ""
        if previous is None:
            del os.environ["MKGRAPH_CACHE_DIR"]
    return folder


def by_click(kg: KnowledgeGraph, args: list[str]) -> tuple[int, bytes, bytes]:
    result = CliRunner().invoke(main, args, obj={"kg": kg}, catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


def by_plain(kg: KnowledgeGraph, args: list[str]) -> tuple[int, bytes, bytes] | None:
    """Standard output and error as bytes, through UTF-8 text streams as CliRunner's are."""
    out, err = io.BytesIO(), io.BytesIO()
    out_text = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    err_text = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(out_text), contextlib.redirect_stderr(err_text):
        code = commands.run_plain(args, kg=kg)
    if code is None:
        assert (out.getvalue(), err.getvalue()) == (b"", b"")  # left to click, untouched
        return None
    return code, out.getvalue(), err.getvalue()


def assert_same(kg: KnowledgeGraph, args: list[str]) -> bool:
    """Both readers give the same answer; True when the plain reader took the command line."""
    plain = by_plain(kg, args)
    if plain is None:
        return False
    assert plain == by_click(kg, args), args
    return True


ROOT = ["--root", "ROOT"]  # replaced by the module's root
PLAIN = [
    ["query", "descendants", "-p", "of=seL4"],
    ["query", "descendants", "-p", "of=sel4", "-f", "csv"],
    ["query", "-p", "of=seL4", "descendants", "--format", "json"],
    ["query", "descendants", "--param", "of=Fiasco"],  # ambiguous
    ["query", "descendants", "-p", "of=fiasco-oc", "-f", "xml"],
    ["query", "descendants", "-p", "of=UX/RT", "-f", "tsv", "--iris"],
    ["query", "descendants", "-p", "of=sys:sel4", "-f", "markdown"],
    ["query", "descendants", "-p", "of=<https://w3id.org/mkgraph/system/sel4>"],
    ["query", "descendants"],  # the default
    ["query", "descendants", "-p", "of=seL4", "-p", "of=seL4"],  # given twice
    ["query", "descendants", "-p", "of=nothing-like-it"],
    ["query", "descendants", "-p", "of=seL"],  # close matches suggested
    ["query", "descendants", "-p", "of="],
    ["query", "descendants", "-p", ""],
    ["query", "descendants", "-p", "noequals"],
    ["query", "descendants", "-p", "=seL4"],
    ["query", "descendants", "-p", "bogus=1"],
    ["query", "descendants", "-p", "of=\x1b[31mred\x1b[0m"],
    ["query", "descendants", "-p", "of=a\nb\tc"],
    ["query", "descendants", "-p", "of=" + "x" * 5000],
    ["query", "descendants", "-p", "of=Fi\u00e1sco \u202e"],
    ["query", "descendants", "-p", "of=\udcff"],  # not UTF-8 on the command line
    ["query", "descendants", "-f", "turtle"],  # a table asked for as a graph
    ["query", "descendants", "-f", "ntriples"],
    ["query", "by-language", "-p", "language=Rust", "-f", "csv"],
    ["query", "by-language", "-p", "language=rust", "--iris"],
    ["query", "wikidata"],
    ["query", "nosuch"],
    ["query", "descendant"],  # a close match suggested
    ["query", "../queries/descendants"],
    ["query", "descendants.rq"],
    ["query", ""],
    ["query"],
    ["query", "--iris"],
    ["validate"],  # the module's root does not conform (two systems called "Fiasco"): exit 1
]
LEFT_TO_CLICK = [
    ["query", "descendants", "-pof=seL4"],
    ["query", "descendants", "--param=of=seL4"],
    ["query", "descendants", "-p"],
    ["query", "descendants", "-p", "-x"],
    ["query", "descendants", "-f", "bogus"],
    ["query", "descendants", "-f", "csv", "-f", "json"],
    ["query", "descendants", "--", "-p"],
    ["query", "descendants", "-h"],
    ["query", "--help"],
    ["query", "descendants", "--iris=1"],
    ["query", "descendants", "--timeout", "3"],
    ["query", "descendants", "--inferred"],
    ["query", "descendants", "-o", "out.txt"],
    ["query", "descendants", "ancestors"],
    ["query", "--file", "q.rq"],
    ["--reasoner", "owlrl", "query", "descendants"],
    ["--root"],
    ["--root", "-x", "query", "descendants"],
    ["--root", "", "query", "descendants"],
    ["--version"],
    ["-h"],
    ["queries"],
    ["sparql", "ASK {}"],
    ["Query", "descendants"],
    ["validate", "-f", "json"],
    ["validate", "--validator", "pyshacl"],
    ["validate", "--timeout", "5"],
    ["validate", "-o", "report.txt"],
    ["validate", "-h"],
    ["validate", "extra"],
    ["validate", "--"],
    [],
]


def _rooted(args: list[str], root: Path) -> list[str]:
    return [str(root) if arg == "ROOT" else arg for arg in args]


@pytest.mark.parametrize("args", PLAIN, ids=range(len(PLAIN)))
@pytest.mark.parametrize("prefix", [[], ROOT], ids=["", "root"])
def test_the_plain_reader_answers_as_click_does(graph, root, prefix, args):
    assert assert_same(graph, _rooted(prefix + args, root))


@pytest.mark.parametrize("args", LEFT_TO_CLICK, ids=range(len(LEFT_TO_CLICK)))
def test_what_the_plain_reader_is_not_sure_of_goes_to_click(graph, args):
    assert commands.read_plain(args) is None
    assert by_plain(graph, args) is None


def test_shell_completion_is_left_to_click(monkeypatch):
    monkeypatch.setenv("_MKGRAPH_COMPLETE", "bash_complete")
    assert commands.read_plain(["query", "descendants"]) is None


_TOKENS = [
    "query", "descendants", "ancestors", "by-language", "nosuch", "", "-p", "--param", "-f",
    "--format", "--iris", "of=seL4", "of=Fiasco", "of=sel4", "of=", "of", "=x", "language=Rust",
    "of=\x1b[2J", "of=ü", "csv", "json", "table", "turtle", "markdown", "bogus", "-h", "--",
    "--root", "-pof=seL4", "--param=of=x", "-x", "--timeout", "1",
]  # fmt: skip


@st.composite
def plain_forms(draw) -> list[str]:
    """`query` with a NAME, parameters, a format and --iris in any order, hostile values too."""
    value = st.one_of(
        st.sampled_from(["seL4", "sel4", "Fiasco", "fiasco-oc", "UX/RT", "Rust", "", "x" * 300]),
        st.text(max_size=20).filter(lambda v: not v.startswith("-")),
    )
    pieces: list[list[str]] = []
    if draw(st.booleans()):
        pieces.append([draw(st.sampled_from(["descendants", "ancestors", "by-language", "x"]))])
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(["of", "language", "bogus", "", " of"]))
        flag = draw(st.sampled_from(["-p", "--param"]))
        pieces.append([flag, f"{name}={draw(value)}" if draw(st.booleans()) else name])
    if draw(st.booleans()):
        flag = draw(st.sampled_from(["-f", "--format"]))
        pieces.append([flag, draw(st.sampled_from(["table", "csv", "json", "xml", "tsv",
                                                    "markdown", "turtle", "jsonld", "bogus",
                                                    "CSV"]))])  # fmt: skip
    if draw(st.booleans()):
        pieces.append(["--iris"])
    order = draw(st.permutations(pieces))
    return ["query"] + [token for piece in order for token in piece]


@settings(max_examples=examples(60))
@given(args=st.one_of(plain_forms(), st.lists(st.sampled_from(_TOKENS), max_size=7)))
def test_any_command_line_gets_the_same_answer_from_both_readers(graph, args):
    if any("\x00" in arg for arg in args):  # no such argument reaches a program
        return
    assert_same(graph, args)


@pytest.mark.parametrize(
    "text",
    ["plain", "", "ümlaut → arrow", "\x1b[31mred\x1b[0m and \x1b[2J", "a\nb", "tab\there"],
)
@pytest.mark.parametrize("err", [False, True])
def test_echo_writes_what_click_echo_writes(monkeypatch, text, err):
    """commands.echo, without click loaded, writes to an ordinary stream (not a terminal) exactly
    what click.echo writes."""
    import click

    def written(write) -> bytes:
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
        monkeypatch.setattr(sys, "stderr" if err else "stdout", stream)
        write()
        monkeypatch.undo()
        return raw.getvalue()

    by_click_echo = written(lambda: click.echo(text, err=err))
    with monkeypatch.context() as patched:
        patched.delitem(sys.modules, "click")  # so commands.echo writes by itself
        by_echo = written(lambda: commands.echo(text, err=err))
    assert by_echo == by_click_echo
    assert b"\x1b" not in by_echo


# ---------------------------------------------------------------- as the real program

PROBE = """
import atexit, socket, sys
def probe():
    try:
        socket.socket().close()
        print("SOCKET-OK")
    except OSError:
        print("SOCKET-DENIED")
    print("CLICK" if "click" in sys.modules else "NO-CLICK")
atexit.register(probe)
sys.argv = ["mkgraph", *sys.argv[1:]]
from mkgraph.__main__ import run
run()
"""


def _program(root: Path, cache: Path, *args: str, code: str | None = None):
    command = [sys.executable, "-m", "mkgraph"] if code is None else [sys.executable, "-c", code]
    return subprocess.run(
        [*command, "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, MKGRAPH_CACHE_DIR=str(cache)),
    )


CLICK_ONLY = "import sys; sys.argv[0] = 'mkgraph'; from mkgraph.cli import run; run()"


@pytest.mark.parametrize(
    "args",
    [
        ["query", "descendants", "-p", "of=seL4", "-f", "csv"],
        ["query", "descendants", "-p", "of=Fiasco"],
        ["query", "nosuch"],
        ["query", "descendants", "-p", "bogus=1", "-p", "of=x"],
        ["validate"],
    ],
    ids=["answer", "ambiguous", "unknown-query", "unknown-parameter", "validate"],
)
def test_the_program_answers_as_click_does(root, cache, args):
    plain = _program(root, cache, *args)
    clicked = _program(root, cache, *args, code=CLICK_ONLY)
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        clicked.returncode,
        clicked.stdout,
        clicked.stderr,
    )
    assert plain.returncode in ((1,) if args == ["validate"] else (0, 2))


@pytest.mark.parametrize(
    ("args", "confined", "clicked"),
    [
        (["query", "descendants", "-p", "of=seL4"], True, False),
        (["query", "nosuch"], True, False),
        (["query", "descendants", "--timeout", "5"], True, True),
        (["query", "descendants", "--allow-service", "http://127.0.0.1:9/sparql"], False, True),
        (["validate"], True, False),
        (["validate", "-f", "json"], True, True),
    ],
    ids=["plain", "plain-error", "click", "click-allow-service", "validate", "validate-click"],
)
def test_the_plain_reader_confines_the_program_as_click_does(root, cache, args, confined, clicked):
    """The program forbids itself sockets on the plain path exactly as on click's; and the plain
    path never imports click."""
    if not offline.available():
        pytest.skip("no seccomp here")
    done = _program(root, cache, *args, code=PROBE)
    assert done.returncode in (0, 1, 2), done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-2:] == [
        "SOCKET-DENIED" if confined else "SOCKET-OK",
        "CLICK" if clicked else "NO-CLICK",
    ], done.stdout
