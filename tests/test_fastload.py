"""The fast loader (sources straight into Oxigraph) accepts and refuses what the rdflib loader
does, and loads the same triples; typed literals are checked by XSD's lexical rules on both."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from fuzzing import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rdfcompare import same_graph
from rdflib import Graph, Literal, URIRef

from mkgraph.core.literals import LEXICAL, XSD, well_typed
from mkgraph.store import fastload

VERDICTS = [
    ("gYear", "2020", True),
    ("gYear", "-0044", True),
    ("gYear", "0000", True),
    ("gYear", "2020Z", True),
    ("gYear", "202", False),
    ("gYear", "00010", False),
    ("gYear", "12020", True),
    ("gYear", "20x0", False),
    ("gYear", "", False),
    ("gYear", "2020-01", False),
    ("date", "2020-02-29", True),
    ("date", "2021-02-29", False),
    ("date", "2024-13-45", False),
    ("date", "2020-01-01T10:00:00", False),
    ("dateTime", "2020-01-01T10:00:00.5Z", True),
    ("dateTime", "2020-02-29", False),
    ("gYearMonth", "2020-12", True),
    ("gYearMonth", "2020-13", False),
    ("int", "2147483647", True),
    ("int", "2147483648", False),
    ("long", "-9223372036854775809", False),
    ("integer", "+1", True),
    ("integer", " 12 ", True),
    ("integer", "1.5", False),
    ("integer", "", False),
    ("positiveInteger", "0", False),
    ("nonNegativeInteger", "-1", False),
    ("decimal", ".5", True),
    ("decimal", "1e3", False),
    ("decimal", "NaN", False),
    ("double", "1e3", True),
    ("double", "-INF", True),
    ("double", "inf", False),
    ("boolean", "1", True),
    ("boolean", "TRUE", False),
]


@pytest.mark.parametrize("datatype, value, verdict", VERDICTS)
def test_literal_lexical_forms(datatype, value, verdict):
    assert well_typed(value, XSD + datatype) is verdict


@settings(max_examples=examples(60), deadline=None)
@given(
    value=st.text(alphabet="0123456789-+.:TZeE", max_size=12),
    datatype=st.sampled_from(sorted(LEXICAL)),
)
def test_never_laxer_than_rdflib(value, datatype):
    # Year 0000: XML Schema 1.1 allows it (1 BCE); 1.0 did not, and neither does rdflib.
    assume(not re.match(r"-?0000", value.strip()))
    if well_typed(value, datatype):
        assert not Literal(value, datatype=URIRef(datatype)).ill_typed


@pytest.mark.parametrize("value, datatype", [("20x0", "gYear"), ("2021-02-29", "date")])
@pytest.mark.parametrize("command", [("export",), ("query", "descendants")], ids=" ".join)
def test_both_loaders_refuse_an_ill_typed_literal(value, datatype, command, fixture_root, invoke):
    bad = fixture_root / "data" / "bad.ttl"
    bad.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f'<https://w3id.org/mkgraph/system/x> <urn:p>\n    "{value}"^^xsd:{datatype} .\n',
        encoding="utf-8",
    )
    result = invoke("--root", str(fixture_root), *command)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"mkgraph: error: {bad}:3: literal {value!r} is not a valid xsd:{datatype}"
    )


def test_fast_loader_gives_the_same_triples_as_rdflib(kg):
    """On the bundled graph (loaded once per run): every construct the curators use."""
    fast = fastload.load_store(kg.resources.graph_files())
    ours = Graph().parse(
        data=fast.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode(),
        format="nt",
    )
    assert same_graph(ours, kg.graph)
