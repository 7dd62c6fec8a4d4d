"""Parameters written into a query as terms (mkgraph.store.oxengine.with_terms): the keyword
searches that skip a case-insensitive scan of the whole text find exactly what that scan finds."""

from __future__ import annotations

import re

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from mkgraph.store import oxengine


def _reference(text: str, bindings: dict) -> str | None:
    """with_terms as it was written before the keyword searches: every pattern run over the
    whole masked text with re.IGNORECASE."""
    masked = oxengine._masked(text)
    where = re.search(r"\bWHERE\b", masked, re.IGNORECASE)
    if not bindings or where is None:
        return None
    projections = [
        masked[select.end() : where_after.start()]
        for select in re.finditer(r"\bSELECT\b", masked, re.IGNORECASE)
        if (where_after := re.compile(r"\bWHERE\b|\{", re.IGNORECASE).search(masked, select.end()))
    ]
    pieces = []
    for name in bindings:
        variable = rf"[?$]{re.escape(name)}\b"
        if (
            re.search(variable, masked[: where.start()])
            or any(re.search(variable, projection) for projection in projections)
            or re.search(rf"\bAS\s+{variable}", masked, re.IGNORECASE)
            or re.search(r"\bVALUES\b", masked, re.IGNORECASE)
            or re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", masked, re.IGNORECASE)
        ):
            return None
        pieces.append((variable, str(bindings[name])))
    result, offset, spans = [], 0, []
    for variable, term in pieces:
        spans += [(m.start(), m.end(), term) for m in re.finditer(variable, masked)]
    for start, end, term in sorted(spans):
        result += [text[offset:start], term]
        offset = end
    result.append(text[offset:])
    return "".join(result)


# Pieces of query-like text: keywords in any case (glued to words or not), the parameter and
# other variables, brackets, strings and comments (masked), and non-ASCII letters that match
# ASCII ones case-insensitively (long s, Kelvin sign, dotted and dotless i).
PIECES = st.sampled_from(
    [
        "SELECT", "select", "Select", "WHERE", "where", "wHeRe", "VALUES", "values", "AS", "as",
        "DISTINCT", "reduced", "*", " ", "  ", "\n", "\t", "{", "}", "(", ")", "?of", "$of",
        "?OF", "?off", "?x", "of", "_", "a", "x", ":", ".", '"a ?of"', "# ?of WHERE\n",
        "<urn:x>", "ſ", "K", "ı", "İ", "é", "BASEDON", "mk:basedOn", "BIND(1 AS ?of)",
    ]
)  # fmt: skip
TEXTS = st.lists(PIECES, max_size=30).map("".join)
TERM = {"of": ox.NamedNode("https://w3id.org/mkgraph/system/sel4")}


@settings(max_examples=600, deadline=None)
@given(text=TEXTS)
def test_with_terms_finds_what_a_whole_text_search_finds(text):
    assert oxengine.with_terms(text, TERM) == _reference(text, TERM)
    assert oxengine.with_terms(text, {}) is None


def test_the_stored_queries_are_bound_as_before(bundled):
    for path in sorted(bundled.queries.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        names = set(re.findall(r"^#\+ param: (\w+)", text, re.MULTILINE))
        bindings = {name: TERM["of"] for name in names}
        assert oxengine.with_terms(text, bindings) == _reference(text, bindings), path.name
