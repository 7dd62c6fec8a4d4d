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


SYS = "https://w3id.org/mkgraph/system/"


def _with_iris(rows) -> QueryResult:
    return QueryResult("SELECT", ["name", "system", "item"], rows)


def test_columns_of_the_graphs_own_iris_are_hidden_unless_asked_for():
    from rdflib import URIRef

    result = _with_iris(
        [
            (Literal("seL4"), URIRef(SYS + "sel4"), URIRef("http://www.wikidata.org/entity/Q1")),
            (Literal("NOVA"), None, Literal("none")),
        ]
    )
    text = format_table(result, 100)
    assert text.splitlines()[0].split() == ["name", "item"]  # wd: items are data, not ids
    assert "sys:sel4" not in text and "wd:Q1" in text
    assert text.endswith("(2 rows)\n(IRI column not shown: system; add --iris)")
    shown = format_table(result, 100, iris=True)
    assert shown.splitlines()[0].split() == ["name", "system", "item"]
    assert "sys:sel4" in shown and shown.endswith("(2 rows)")
    # as records, too narrow for columns: the same column is left out, the note is the same
    long = Literal("a value far too long for a narrow terminal's column")
    records = format_table(_with_iris([(long, URIRef(SYS + "sel4"), long)]), 20)
    assert "-[ row 1 ]" in records and "sys:sel4" not in records
    assert records.endswith("(IRI column not shown: system; add --iris)")


def test_a_column_mixing_iris_and_values_and_a_table_of_only_iris_are_shown():
    from rdflib import URIRef

    mixed = _with_iris(
        [(Literal("a"), URIRef(SYS + "a"), None), (Literal("b"), Literal("b"), None)]
    )
    assert format_table(mixed, 100).splitlines()[0].split() == ["name", "system", "item"]
    only = QueryResult("SELECT", ["resource"], [(URIRef(SYS + "a"),)])
    assert format_table(only, 100) == "resource\n--------\nsys:a\n(1 row)"


def test_query_and_sparql_hide_iri_columns_in_tables_only(invoke):
    args = (
        "query",
        "language-and-architecture",
        "-p",
        "language=rust",
        "-p",
        "architecture=risc-v",
    )
    plain = invoke(*args).output
    assert "Redox" in plain and "sys:redox" not in plain
    csv = invoke(*args, "-f", "csv").output
    assert f"{SYS}redox" in csv  # machine formats keep them
    rows = len(csv.splitlines()) - 1  # the count follows the data; the layout is what is tested
    assert plain.endswith(f"({rows} rows)\n(IRI column not shown: system; add --iris)\n")
    assert "sys:redox" in invoke(*args, "--iris").output
    text = "SELECT ?s ?name WHERE { ?s a mk:ListedProject ; rdfs:label ?name } ORDER BY ?name"
    answer = invoke("sparql", text).output
    assert "Ares" in answer and "sys:ares" not in answer
    assert "sys:ares" in invoke("sparql", text, "--iris").output
