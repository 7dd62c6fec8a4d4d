"""Property-based tests and a bounded fuzz run (hypothesis): parameters can never change a query's
structure, generated project graphs survive every export format, and the Turtle and SPARQL entry
points raise nothing but mkgraph's own clean errors."""

from __future__ import annotations

from pathlib import Path

from fuzzing import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdfcompare import same_graph
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from mkgraph.core.errors import DataError, ParameterError, QueryError, UnknownNameError
from mkgraph.core.namespaces import (
    ARCHITECTURE,
    LANGUAGE,
    LINEAGE_RELATIONS,
    MK,
    PROV,
    SYSTEM,
    bind_prefixes,
)
from mkgraph.store import engine
from mkgraph.store.export import serialize
from mkgraph.store.graph import parse_turtle
from mkgraph.store.queries import parse_stored_query

FIXTURES = Path(__file__).parent / "fixtures"
SETTINGS = settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# Characters every format can carry (XML 1.0 forbids most control characters).
SAFE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=40,
)


@SETTINGS
@given(value=st.text(max_size=300))
def test_any_string_parameter_is_bound_as_a_literal(value, fixture_kg, tmp_path_factory):
    folder = tmp_path_factory.mktemp("q")
    path = folder / "echo.rq"
    path.write_text(
        "#+ title: Echo\n#+ description: Gives back its parameter.\n"
        "#+ param: text = x (string) any text\nSELECT ?text WHERE {}\n",
        encoding="utf-8",
    )
    stored = parse_stored_query(path)
    seen = []
    original = engine.prepare

    def spy(text, source="query", allow_service=()):
        seen.append(text)
        return original(text, source, allow_service)

    engine.prepare = spy
    try:
        result = engine.run(
            fixture_kg.graph, stored.text, fixture_kg.bindings(stored, {"text": value})
        )
    finally:
        engine.prepare = original
    assert seen == [stored.text]  # the query text is exactly the stored one
    assert result.rows == [(Literal(value),)]


@SETTINGS
@given(value=st.text(max_size=200))
def test_any_system_parameter_resolves_or_is_refused(value, fixture_kg):
    try:
        term = fixture_kg.bindings(fixture_kg.stored_query("descendants"), {"of": value})["of"]
    except (UnknownNameError, ParameterError):
        return
    assert isinstance(term, URIRef) and str(term).startswith(str(SYSTEM))


@st.composite
def project_graphs(draw):
    graph = Graph()
    bind_prefixes(graph)
    count = draw(st.integers(min_value=1, max_value=4))
    systems = [SYSTEM[f"p{i}"] for i in range(count)]
    for system in systems:
        graph.add((system, RDF.type, draw(st.sampled_from([MK.Microkernel, MK.OperatingSystem]))))
        graph.add((system, RDFS.label, Literal(draw(SAFE_TEXT))))
        graph.add(
            (
                system,
                DCTERMS.description,
                Literal(draw(SAFE_TEXT), lang=draw(st.sampled_from([None, "en", "de"]))),
            )
        )
        for name in draw(st.lists(st.sampled_from(["c", "rust", "cpp"]), max_size=2, unique=True)):
            graph.add((system, MK.implementedIn, LANGUAGE[name]))
        for name in draw(st.lists(st.sampled_from(["x86-64", "aarch64"]), max_size=2, unique=True)):
            graph.add((system, MK.supportsArchitecture, ARCHITECTURE[name]))
        for alt in draw(st.lists(SAFE_TEXT, max_size=2)):
            graph.add((system, SKOS.altLabel, Literal(alt)))
        statement = BNode()
        graph.add((statement, RDF.type, RDF.Statement))
        graph.add((statement, RDF.subject, system))
        graph.add((statement, PROV.wasDerivedFrom, URIRef("https://example.org/readme")))
        graph.add((statement, MK.startYear, Literal(draw(st.integers(1960, 2026)))))
    if count > 1:
        graph.add(
            (
                systems[1],
                draw(st.sampled_from(list(LINEAGE_RELATIONS))),
                systems[0],
            )
        )
    return graph


@SETTINGS
@given(graph=project_graphs())
def test_generated_graphs_round_trip_in_every_format(graph):
    context = {"mk": str(MK._NS), "sys": str(SYSTEM)}
    for fmt, parser in (
        ("turtle", "turtle"),
        ("ntriples", "nt"),
        ("jsonld", "json-ld"),
        ("xml", "xml"),
    ):
        text = serialize(graph, fmt, context)
        parsed = Graph().parse(data=text, format=parser)
        assert same_graph(parsed, graph), fmt


VALID = (FIXTURES / "shapes" / "valid.ttl").read_text(encoding="utf-8")


@st.composite
def mutations(draw, text: str):
    """The text with a few characters deleted, inserted or replaced at random places."""
    chars = list(text)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(chars)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        piece = draw(st.sampled_from(list(".;,[](){}<>\"'#@:^_ \n\\") + ["\x00", "é", "xsd:", "a"]))
        if action == "delete" and where < len(chars):
            del chars[where]
        elif action == "insert":
            chars.insert(where, piece)
        elif where < len(chars):
            chars[where] = piece
    return "".join(chars)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=mutations(VALID))
def test_fuzz_turtle_raises_only_clean_errors(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "data.ttl"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        parse_turtle(path)
    except DataError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))


QUERY = (Path(__file__).parent.parent / "queries" / "by-architecture.rq").read_text(
    encoding="utf-8"
)


@settings(
    max_examples=examples(20),  # ~0.3 s each; HYPOTHESIS_PROFILE=fuzz runs 2,000
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=mutations(QUERY))
def test_fuzz_sparql_raises_only_clean_errors(text, fixture_kg):
    try:
        engine.run(fixture_kg.graph, text, {"architecture": ARCHITECTURE["riscv"]}, timeout=5)
    except QueryError as error:
        assert "\n" not in str(error)
