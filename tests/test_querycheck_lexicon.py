"""The SPARQL check reads names with ASCII patterns on a "class string" (each character beyond ASCII
replaced by one of its class), because compiling SPARQL's full Unicode classes costs more than
running a stored query. It must find exactly the tokens the full classes find, on any text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkgraph.core.errors import QueryError
from mkgraph.store import querycheck

ROOT = Path(__file__).resolve().parent.parent

# The patterns as spargebra 0.5 writes them, with the full Unicode classes (the reference).
BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
U = "_" + BASE
CHARS = "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040" + U
PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
PREFIX = f"[{BASE}](?:[{CHARS}]*(?:\\.+[{CHARS}]+)*)?"
LOCAL = f"(?:[{U}:0-9]|{PLX})(?:[{CHARS}:]|{PLX})*(?:\\.+(?:[{CHARS}:]|{PLX})+)?"
FULL = {
    "var": re.compile(f"[?$][0-9{U}][0-9\u00b7\u0300-\u036f\u203f-\u2040{U}]*"),
    "bnode": re.compile(f"_:[0-9{U}](?:[{CHARS}]*(?:\\.+[{CHARS}]+)*)?"),
    "name": re.compile(f"(?:{PREFIX})?(?::(?:{LOCAL})?)?"),
}
CHECKED = {"var": querycheck._VAR, "bnode": querycheck._BNODE, "name": querycheck._NAME}

# Pieces that exercise every kind of token, glued in any order, with characters of every class
# (name starts, later name characters, neither, astral, lone surrogates, the stand-ins).
PIECES = [
    "SELECT", "service", "FROM", "trueSERVICE", "ex:", ":", "ex:a.b.c", "ex:a..b", "_:b1",
    "_:b.x", "?x", "$y", "?1a", "<http://x/>", "<<", ">>", "(", ")", "{", "}", ".", ";", "'s'",
    '"q"', "@en-GB", "12", ".5", "#c\n", " ", "\n", "a", "\\u0053", "%41", "%é1", "\\_", "x-y",
    "é", "ü", "Ω", "\u00b7", "\u0301", "\u203f", "\u2040", "\u00d7", "\u2000", "\u3000",
    "\u3001", "\ud7ff", "\ufffd", "\ufffe", "\U0001f600", "\ud800", "\x01", "\x02", "\x03", "g",
]  # fmt: skip
texts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=3)),
    max_size=16,
).map("".join)


@settings(max_examples=120, derandomize=True, deadline=None)
@given(texts)
def test_name_patterns_on_the_class_string_match_as_the_full_classes_do(text):
    classes = querycheck._class_string(text)
    assert len(classes) == len(text) and classes.isascii()
    for kind, full in FULL.items():
        for position in range(len(text)):
            expected = full.match(text, position)
            found = CHECKED[kind].match(classes, position)
            assert (expected and expected.span()) == (found and found.span()), (kind, position)


def test_tokens_beyond_ascii_keep_their_own_text():
    found = querycheck.tokens("SELECT ?é WHERE { ex:Ωmega ?p _:ü }")
    assert ("var", "?é", 7) in found
    assert ("pname", "ex:Ωmega", 18) in found
    assert ("bnode", "_:ü", 30) in found
    assert ("word", "éSERVICE", 0) in querycheck.tokens("éSERVICE <http://x/> {}")
    # a keyword glued to a non-ASCII name character is still found
    assert querycheck.inspect("SELECT * WHERE {} éSERVICE <http://x/> {}").refused


def test_checking_a_stored_query_compiles_no_unicode_class():
    """In a new process: importing the check and checking `descendants` (not plainly harmless:
    `derivedFrom` holds FROM; not ASCII: its paths hold arrows) compiles no wide class."""
    script = f"""
import re
compiled = []
original = re.compile
def recording(pattern, flags=0):
    compiled.append(pattern)
    return original(pattern, flags)
re.compile = recording
from mkgraph.core.errors import QueryError
from mkgraph.store import querycheck
text = open({str(ROOT / "queries" / "descendants.rq")!r}, encoding="utf-8").read()
assert not text.isascii() and not querycheck._plainly_harmless(text)
querycheck.check(text)
print(sum("\\ud7ff" in str(p) for p in compiled))
"""
    answer = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert answer.stdout.split() == ["0"]


def test_a_text_that_passed_is_not_read_again_and_a_refused_one_always_is(monkeypatch):
    reads = []
    inspect = querycheck.inspect
    monkeypatch.setattr(querycheck, "inspect", lambda text: reads.append(text) or inspect(text))
    plain = "SELECT ?s WHERE { ?s <https://w3id.org/mkgraph/ontology#derivedFrom> ?o } # 1"
    querycheck.check(plain)
    querycheck.check(plain, source="again")
    assert len(reads) == 1
    remote = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } } # 2"
    querycheck.check(remote, allow_service=("http://example.org/sparql",))
    for _ in range(2):  # passed with that endpoint allowed: refused without it, every time
        with pytest.raises(QueryError, match="SERVICE <http://example.org/sparql> is refused"):
            querycheck.check(remote)
    assert len(reads) == 4
