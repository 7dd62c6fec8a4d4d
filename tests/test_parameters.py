"""Parameters of stored queries mean the same on every engine: what cannot be bound safely (a
parameter inside a subquery or a MINUS, or assigned by BIND, VALUES or AS) is refused when the
query file is read, with one line naming the file; what is accepted gives the same rows on
Oxigraph and rdflib. `query --file` honours -p, and a repeated -p is an error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sampling import covering

from mkgraph.api import KnowledgeGraph
from mkgraph.core.errors import QueryError
from mkgraph.store.queries import parse_stored_query

FIXTURE = Path(__file__).parent / "fixtures" / "names" / "fiasco.ttl"
HEADER = (
    "#+ title: A test\n#+ description: For the tests.\n#+ param: of = UX/RT (system) a system\n"
)

# The case: a VALUES block elsewhere makes Oxigraph bind ?of in the outer query only,
# where the subquery cannot see it (26 rows against rdflib's 5 on the bundled data).
SUBQUERY = """SELECT ?name WHERE {
    VALUES ?relation { mk:basedOn mk:derivedFrom }
    { SELECT ?parent WHERE { ?of ?relation ?parent } }
    ?parent rdfs:label ?name .
}"""

# Where the parameter cannot be bound as the same term on every engine, in many spellings: inside a
# subquery of a query that has a VALUES block or SELECT *, or that projects the parameter (so its
# term cannot be written in), in a MINUS, or assigned by BIND, VALUES or AS.
UNSAFE = {
    "subquery": "SELECT ?n WHERE { VALUES ?k { 1 } { SELECT ?n WHERE { ?of rdfs:label ?n } } }",
    "subquery, lower case, $ variable": (
        "select ?n where { values ?k { 1 } { select ?n where { $of rdfs:label ?n } } }"
    ),
    "subquery behind comments": (
        "SELECT ?n WHERE { VALUES ?k { 1 } { # a comment with } and SELECT in it\n"
        "  SELECT\n  ?n # more\n  WHERE\n{ ?x mk:basedOn ?of . ?x rdfs:label ?n } } }"
    ),
    "subquery two deep": (
        "SELECT ?n WHERE { { SELECT ?n WHERE { { SELECT ?n WHERE { ?of rdfs:label ?n } } } } }"
        " VALUES ?k { 1 }"
    ),
    "subquery in a union": (
        "SELECT * WHERE { { ?x rdfs:label ?n } UNION { SELECT ?n WHERE { ?of rdfs:label ?n } } }"
    ),
    "subquery in OPTIONAL": (
        "SELECT ?n WHERE { ?x a mk:System OPTIONAL { SELECT ?n ?of WHERE { ?of rdfs:label ?n } } }"
    ),
    "subquery grouped by it": (
        "SELECT ?n WHERE { { SELECT ?of (COUNT(?x) AS ?n) WHERE { ?x mk:basedOn ?of } "
        "GROUP BY ?of } }"
    ),
    "subquery in FILTER EXISTS": (
        "SELECT * WHERE { ?x rdfs:label ?n "
        "FILTER EXISTS { SELECT ?y WHERE { ?y mk:basedOn ?of } } }"
    ),
    "MINUS": "SELECT ?n WHERE { ?x rdfs:label ?n MINUS { ?of a mk:Hypervisor } }",
    "BIND target": "SELECT ?n WHERE { ?x rdfs:label ?n BIND(?x AS ?of) }",
    "VALUES": "SELECT ?n WHERE { VALUES ?of { sys:uxrt } ?of rdfs:label ?n }",
    "VALUES after the query": "SELECT ?n WHERE { ?of rdfs:label ?n } VALUES ?of { sys:uxrt }",
    "projected alias": "SELECT (?x AS ?of) WHERE { ?x rdfs:label ?n }",
}


def _write(root: Path, name: str, body: str) -> Path:
    path = root / "queries" / f"{name}.rq"
    path.write_text(HEADER + body + "\n", encoding="utf-8")
    return path


@pytest.fixture
def root(small_root):
    shutil.copy(FIXTURE, small_root / "data" / FIXTURE.name)
    return small_root


@pytest.mark.parametrize("body", list(UNSAFE.values()) + [SUBQUERY], ids=list(UNSAFE) + ["issue"])
def test_a_parameter_that_cannot_be_bound_safely_is_refused_when_the_file_is_read(root, body):
    path = _write(root, "unsafe", body)
    with pytest.raises(QueryError) as raised:
        parse_stored_query(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: parameter ?of cannot be bound the same way on every engine")
    assert message.count("\n") == 0
    assert "\n" not in message


def disguises(body: str) -> list[str]:
    """The same query spelled many ways: keyword case, $ for ?, comments and line breaks between
    tokens, extra braces around the body."""
    keywords = r"\b(SELECT|WHERE|MINUS|BIND|VALUES|AS|FILTER|EXISTS|OPTIONAL|UNION)\b"
    spellings = []
    for case in (str.upper, str.lower, str.title):
        cased = re.sub(keywords, lambda m, case=case: case(m.group(0)), body, flags=re.IGNORECASE)
        for dollar in (False, True):
            text = cased.replace("?of", "$of") if dollar else cased
            spellings.append(text)
            spellings.append(text.replace(" ", "\n  # } SELECT ?of { a comment\n  "))
            spellings.append(text.replace("WHERE {", "WHERE { {", 1).rstrip("}") + "} }")
    return spellings


GENERATED = covering(
    [
        (name, index, text)
        for name, body in UNSAFE.items()
        for index, text in enumerate(disguises(body))
    ],
    # per construct, each keyword case, each variable sign and each layout at least once
    lambda g: (g[0], "case", g[1] // 6),
    lambda g: (g[0], "sign", g[1] // 3 % 2),
    lambda g: (g[0], "layout", g[1] % 3),
)


@pytest.mark.parametrize("name, index, text", GENERATED, ids=[f"{g[0]}-{g[1]}" for g in GENERATED])
def test_every_disguise_is_refused(tmp_path, name, index, text):
    """Each unsafe construct, spelt in each keyword case, with each variable sign ($ and ?) and in
    each layout (plain, comments and line breaks between tokens, extra braces): six of its
    eighteen spellings in CI (the check reads rdflib's parse, where spellings meet), all with
    MKGRAPH_TEST_FULL=1."""
    from mkgraph.store import engine

    try:
        engine.prepare(text)
    except QueryError:
        pytest.skip("the disguise is not valid SPARQL")  # only valid queries test the check
    (tmp_path / "queries").mkdir()  # reading the file needs no graph: no copy of a root
    path = _write(tmp_path, f"unsafe{index}", text)
    with pytest.raises(QueryError, match="cannot be bound the same way on every engine"):
        parse_stored_query(path)


def test_the_command_line_refuses_it_in_one_line(root, invoke):
    path = _write(root, "unsafe", SUBQUERY)
    result = invoke("--root", str(root), "query", "unsafe")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mkgraph: error: {path}: parameter ?of cannot be bound")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


SAFE = {
    "plain": "SELECT ?name WHERE { ?x mk:basedOn ?of ; rdfs:label ?name }",
    "VALUES of another variable": (
        "SELECT ?name WHERE { VALUES ?relation { mk:basedOn mk:derivedFrom } "
        "?x ?relation ?of ; rdfs:label ?name }"
    ),
    "subquery without the parameter": (
        "SELECT ?name WHERE { ?x mk:basedOn ?of . "
        "{ SELECT ?x ?name WHERE { ?x rdfs:label ?name } } }"
    ),
    "projected": "SELECT ?of ?name WHERE { ?x mk:basedOn ?of ; rdfs:label ?name }",
    "in a subquery, written in as its term": (
        "SELECT ?name WHERE { { SELECT ?x WHERE { ?x mk:basedOn ?of } } ?x rdfs:label ?name }"
    ),
    "in OPTIONAL and FILTER": (
        "SELECT ?name WHERE { ?x rdfs:label ?name OPTIONAL { ?x mk:basedOn ?y } FILTER (?y = ?of) }"
    ),
}


@pytest.mark.parametrize("body", SAFE.values(), ids=SAFE.keys())
def test_what_is_accepted_means_the_same_on_both_engines(root, body):
    _write(root, "safe", body)
    answers = {}
    for engine in ("oxigraph", "rdflib"):
        kg = KnowledgeGraph(root, engine=engine)
        rows = kg.query("safe", {"of": "Fiasco.OC"}).rows
        answers[engine] = sorted(tuple(str(t) for t in row) for row in rows)
    assert answers["oxigraph"] == answers["rdflib"]
    assert answers["oxigraph"], "the fixture answers every accepted form"


def test_every_bundled_stored_query_is_accepted(kg):
    assert all(stored.title for stored in kg.stored_queries())


def test_query_file_honours_parameters(root, invoke, tmp_path):
    path = tmp_path / "children.rq"
    path.write_text(HEADER + SAFE["plain"] + "\n", encoding="utf-8")
    default = invoke("--root", str(root), "query", "--file", str(path), "-f", "csv")
    given = invoke(
        "--root", str(root), "query", "--file", str(path), "-p", "of=Fiasco.OC", "-f", "csv"
    )
    assert (default.exit_code, default.stdout.replace("\r\n", "\n")) == (0, "name\n")
    assert (given.exit_code, given.stdout.replace("\r\n", "\n")) == (0, "name\nUX/RT\n")
    plain = tmp_path / "plain.rq"
    plain.write_text(SAFE["plain"], encoding="utf-8")
    refused = invoke("--root", str(root), "query", "--file", str(plain), "-p", "of=Fiasco.OC")
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"mkgraph: error: {plain}: -p needs the parameter declared in the file's header "
        "('#+ param: of = DEFAULT (KIND) description')\n"
    )


def test_a_repeated_parameter_is_an_error(root, invoke):
    result = invoke("--root", str(root), "query", "ancestors", "-p", "of=UX/RT", "-p", "of=seL4")
    assert result.exit_code == 2
    assert result.stderr == "mkgraph: error: parameter 'of' is given twice (-p of=...)\n"
