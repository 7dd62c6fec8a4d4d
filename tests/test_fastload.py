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


def test_blank_nodes_keep_their_names_from_load_to_load_and_differ_between_files(tmp_path):
    """Blank nodes (inline values, TriG's statement nodes) are named by their file's path and
    their order in it: the same files load to the very same triples each time, and an edit that
    adds no blank node renames none, so validation can remember what it found per subject
    (mkgraph.checks.incremental); equal files elsewhere share no blank node."""
    text = (
        "@prefix ex: <http://example.org/> .\n"
        "_:x ex:p ex:o . [] ex:p _:x . ex:s ex:q [ ex:r 1 ] .\n"
        "_:f { ex:s ex:p ex:o } _:f ex:note 'n' .\n"
        "ex:g { ex:s ex:p ex:v }\n"
    )
    files = [tmp_path / "a.trig", tmp_path / "elsewhere" / "a.trig"]
    for path in files:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def dump(store):
        return sorted(str(quad) for quad in store)

    def blank_subjects(store):
        return {q.subject for q in store if isinstance(q.subject, ox.BlankNode)}

    first = fastload.load_store(files)
    assert dump(first) == dump(fastload.load_store(files))
    # per file: _:x, [], the inline [ ex:r 1 ], and two statement nodes
    assert len(blank_subjects(first)) == 10
    before = blank_subjects(fastload.load_store(files[1:]))
    files[1].write_text(text.replace("ex:o .", "ex:other .", 1) + "ex:t ex:p 2 .\n", "utf-8")
    assert blank_subjects(fastload.load_store(files[1:])) == before


def _quads(store: ox.Store) -> list[str]:
    return sorted(str(quad) for quad in store)


def test_remembered_parses_load_the_very_same_triples(fixture_root, tmp_path, monkeypatch):
    """With a cache folder, each file parsed and checked once is read back from its remembered
    triples (mkgraph.store.parsecache): the same triples, blank node names included; after a
    change only the changed file is parsed again, and a file moved elsewhere is parsed afresh
    (its blank nodes are named after its path)."""
    from mkgraph.core.sourcetext import read_sources

    files = sorted((fixture_root / "data").rglob("*.t*"))
    folder = tmp_path / "cache"
    parsed: list[str] = []
    real = fastload.iter_file
    monkeypatch.setattr(
        fastload, "iter_file", lambda source: parsed.append(source.path.name) or real(source)
    )

    def load(paths, remembered=True):
        return _quads(fastload.load_store(read_sources(paths), folder if remembered else None))

    first = load(files)
    assert len(parsed) == len(files)
    assert first == load(files, remembered=False)
    parsed.clear()
    assert load(files) == first and parsed == []
    changed = files[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n<urn:x> <urn:p> [ <urn:q> 1 ] .\n", "utf-8"
    )
    after = load(files)
    assert parsed == [changed.name]
    assert after == load(files, remembered=False) != first
    moved = tmp_path / "moved" / changed.name
    moved.parent.mkdir()
    moved.write_bytes(changed.read_bytes())
    parsed.clear()
    assert load([moved]) == load([moved], remembered=False) != load([changed])
    assert parsed[0] == changed.name


def test_a_file_parsed_by_rdflib_is_remembered_too(tmp_path):
    """JSON-LD goes through rdflib, which names blank nodes at random: remembered, they keep
    the names of the parse that was remembered."""
    from mkgraph.core.sourcetext import read_sources

    data = tmp_path / "a.jsonld"
    data.write_text(
        '{"@id": "http://example.org/s", "http://example.org/p": {"http://example.org/q": 1}}',
        encoding="utf-8",
    )
    folder = tmp_path / "cache"
    first = _quads(fastload.load_store(read_sources([data]), folder))
    assert len(first) == 2
    assert _quads(fastload.load_store(read_sources([data]), folder)) == first
    assert _quads(fastload.load_store(read_sources([data]))) != first  # named afresh


def test_a_damaged_remembered_parse_is_parsed_again(tmp_path, monkeypatch):
    from mkgraph.core.sourcetext import read_sources
    from mkgraph.store import parsecache

    data = tmp_path / "a.ttl"
    data.write_text("<urn:s> <urn:p> [ <urn:q> 'x' ] , 'y' .\n", encoding="utf-8")
    folder = tmp_path / "cache"
    expected = _quads(fastload.load_store(read_sources([data]), folder))
    (entry,) = folder.glob("parsed-*.nt")
    good = entry.read_bytes()
    for damaged in (good[:-30], good.replace(b'"y"', b'"z"'), b"", b"not a header\n" + good):
        entry.write_bytes(damaged)
        assert parsecache.read(entry) is None
        assert _quads(fastload.load_store(read_sources([data]), folder)) == expected
        assert entry.read_bytes() == good  # written again, whole


def test_a_file_that_fails_a_check_is_never_remembered(tmp_path):
    from mkgraph.core.errors import DataError
    from mkgraph.core.sourcetext import read_sources

    data = tmp_path / "a.ttl"
    data.write_text(
        '<urn:s> <urn:p> "20x0"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n', encoding="utf-8"
    )
    folder = tmp_path / "cache"
    for _ in range(2):
        with pytest.raises(DataError, match="not a valid xsd:gYear"):
            fastload.load_store(read_sources([data]), folder)
    assert not list(folder.glob("parsed-*"))


def test_a_remembered_parse_belongs_to_the_code_that_made_it(tmp_path, monkeypatch):
    """Another loader (a new release, an edited checkout) may check the same bytes otherwise:
    its parses are its own."""
    from mkgraph.core.sourcetext import read_source
    from mkgraph.store import parsecache

    data = tmp_path / "a.ttl"
    data.write_text("<urn:s> <urn:p> 'x' .\n", encoding="utf-8")
    source = read_source(data)
    before = parsecache.key(source)
    parsecache._code.cache_clear()
    monkeypatch.setattr(parsecache, "__version__", "another")
    try:
        assert parsecache.key(source) != before
    finally:
        parsecache._code.cache_clear()


def test_prune_removes_week_old_entries_at_most_once_an_hour(tmp_path):
    """Entries unused for a week and half-written files older than a day go; a folder pruned in
    the last hour is not listed again (thousands of entries cost more to list than a parse)."""
    import os
    import time

    from mkgraph.store import parsecache

    now = time.time()
    old, fresh = tmp_path / "parsed-old.nt", tmp_path / "parsed-fresh.nt"
    unfinished = tmp_path / ".parsed-gone.nt.1234"
    for path in (old, fresh, unfinished):
        path.write_bytes(b"")
    os.utime(old, (now - 8 * 86400, now - 8 * 86400))
    os.utime(unfinished, (now - 2 * 86400, now - 2 * 86400))
    parsecache.prune(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".parsed-pruned", "parsed-fresh.nt"]

    os.utime(fresh, (now - 8 * 86400, now - 8 * 86400))
    parsecache.prune(tmp_path)  # pruned a moment ago: not listed
    assert fresh.exists()
    marker = tmp_path / ".parsed-pruned"
    os.utime(marker, (now - 3601, now - 3601))
    parsecache.prune(tmp_path)
    assert not fresh.exists() and marker.stat().st_mtime > now - 60
