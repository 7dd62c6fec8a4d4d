"""Tables in the terminal never cut off an answer: long cells wrap within their column."""

from __future__ import annotations

from rdflib import Literal

from mkgraph.store.engine import QueryResult
from mkgraph.store.results import format_table

PATH = "OKL4 → derived from → L4Ka::Pistachio → re-implements → L4 → inspired by → L3"
IRI = "https://w3id.org/mkgraph/system/a-rather-long-system-name-without-any-spaces-in-it"


def _table(width: int) -> str:
    result = QueryResult(
        "SELECT",
        ["system", "path", "where"],
        [(Literal("OKL4"), Literal(PATH), Literal(IRI)), (Literal("seL4"), Literal("x"), None)],
    )
    return format_table(result, width)


def test_long_cells_wrap_and_every_word_survives():
    for width in (60, 80, 100):
        text = _table(width)
        lines = text.splitlines()
        assert all(len(line) <= width for line in lines), width
        assert "…" not in text
        joined = " ".join(" ".join(line.split()) for line in lines)
        for word in PATH.split():
            assert word in joined, (width, word)
        # the IRI, broken across lines, is whole when its column's pieces are put back together
        start = lines[0].index("where")
        pieces = "".join(line[start:].strip() for line in lines[2:] if len(line) > start)
        assert IRI in pieces.replace('"', ""), width
        assert text.endswith("(2 rows)")


def test_a_table_too_narrow_for_columns_becomes_records():
    text = _table(30)
    assert "-[ row 1 ]" in text and PATH in text and IRI in text
