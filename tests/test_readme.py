"""The README's examples are run and must print what the README shows.

The convention: a fenced block with no language whose first line starts with `$ mkgraph ` is an
example. Each `$ mkgraph ...` line in it is run (a trailing `| grep TEXT` keeps the lines that
contain TEXT, `| grep -A N TEXT` the N lines after each too) and must print exactly the lines that follow it, up to the next `$ ` line. In the
expected output `…` stands for any text within a line, and a line that is only `…` for any number
of lines. Blocks marked ```sh are commands to copy, not examples, and are not run.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def examples(text: str) -> list[tuple[int, str, str]]:
    """(line number, command, expected output) for each example in the README."""
    found: list[tuple[int, str, str]] = []
    fence: str | None = None  # the info string of the open block
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if fence is None:
            if line.startswith("```"):
                fence, block = line[3:].strip(), []
            continue
        if line.startswith("```"):
            if fence == "" and block and block[0][1].startswith("$ mkgraph "):
                found += _commands(block)
            fence = None
            continue
        block.append((number, line))
    return found


def _commands(block: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    commands: list[tuple[int, str, list[str]]] = []
    for number, line in block:
        if line.startswith("$ "):
            commands.append((number, line[2:], []))
        else:
            commands[-1][2].append(line)
    return [(number, command, "\n".join(out).rstrip("\n")) for number, command, out in commands]


def expected_pattern(expected: str) -> re.Pattern:
    lines = []
    for line in expected.split("\n"):
        if line == "…":
            lines.append(r"(?:[^\n]*\n)*?[^\n]*")
        else:
            lines.append(".*?".join(re.escape(piece) for piece in line.split("…")))
    return re.compile("\n".join(lines), re.DOTALL)


EXAMPLES = examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(
    "line, command, expected", EXAMPLES, ids=[f"README.md:{e[0]}" for e in EXAMPLES]
)
def test_readme_example(line, command, expected, invoke, monkeypatch, tmp_path, fixture_kg):
    # Examples run in the checkout, as a reader would. One that writes files (`site -o public`)
    # runs in a temporary folder, so nothing lands in the checkout, on the fixture root's graph:
    # its output shows no count of the bundled data (a site of the bundled data is built in
    # tests/test_site.py, which also checks the one count shown, "1 family page").
    command, _, grep = command.partition(" | grep ")
    args = shlex.split(command)
    assert args[0] == "mkgraph", f"README.md:{line}: an example runs mkgraph"
    if "-o" in args:
        monkeypatch.chdir(tmp_path)
        args = ["mkgraph", "--root", str(fixture_kg.resources.root), *args[1:]]
    else:
        monkeypatch.chdir(README.parent)
    result = invoke(*args[1:])
    output = result.output.replace("\r\n", "\n").rstrip("\n")  # CSV ends its lines with \r\n
    if grep:
        output = _grep(shlex.split(grep), output)
    assert expected_pattern(expected).fullmatch(output), (
        f"README.md:{line}: `{command}` printed\n{output}\n--- but the README shows ---\n{expected}"
    )


def _grep(args: list[str], output: str) -> str:
    """`grep TEXT` or `grep -A N TEXT` (N lines after each match), as the README uses them."""
    after = 0
    if args[0].startswith("-A"):
        after = int(args[0][2:] or args[1])
        args = args[1:] if args[0][2:] else args[2:]
    rows = output.split("\n")
    keep = sorted(
        {i + k for i, row in enumerate(rows) if args[0] in row for k in range(after + 1)}
        & set(range(len(rows)))
    )
    return "\n".join(rows[i] for i in keep)


def test_the_matcher_fails_a_drifted_example():
    assert expected_pattern("a\n…\nd").fullmatch("a\nb\nc\nd")
    assert expected_pattern("x … z").fullmatch("x yy z")
    assert not expected_pattern("a\nb").fullmatch("a\nc")
    assert not expected_pattern("a\n…\nd").fullmatch("a\nb\nc")
