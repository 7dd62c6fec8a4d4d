"""A table cell's wrapping (mkgraph.store.results._wrap) is textwrap's, and the JSON handed to
Oxigraph's result writers is json.dumps's, without importing either."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from mkgraph.store import results

WORDS = st.lists(
    st.text(st.sampled_from("ab→é-/:_"), min_size=1, max_size=25), min_size=1, max_size=12
)


@settings(max_examples=800, deadline=None)
@given(words=WORDS, width=st.integers(1, 30), spaces=st.sampled_from([" ", "  ", "\t", "\u00a0"]))
def test_cells_wrap_as_textwrap_wraps_them(words, width, spaces):
    text = spaces.join(words)
    single = " ".join(text.split())
    expected = (
        [single]
        if len(single) <= width
        else textwrap.wrap(single, width, break_long_words=True, break_on_hyphens=False) or [""]
    )
    assert results._wrap(text, width) == expected


TERMS = st.recursive(
    st.one_of(st.text(), st.booleans()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(value=TERMS)
def test_results_json_is_json_dumps(value):
    """The JSON handed to Oxigraph's result writers (mkgraph.store.results._json_text) is
    json.dumps's text, written without importing json."""
    import json

    data = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": value}]}, "other": value}
    assert results._json_text(data) == json.dumps(data)
