"""How many repetitions of one proof CI runs. A generated set of cases (disguises, dates, pages)
often proves one code path many times over; CI runs a covering sample (every kind of case at
least once, said in the test's docstring) and `MKGRAPH_TEST_FULL=1` runs every case, as
`HYPOTHESIS_PROFILE=fuzz` and `MKGRAPH_TEST_PAGES=all` do for their own sets:

    MKGRAPH_TEST_FULL=1 pytest tests/test_parameters.py tests/test_guard.py tests/test_periods.py
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

FULL = os.environ.get("MKGRAPH_TEST_FULL") == "1"


def covering(cases: Sequence[T], *traits: Callable[[T], Hashable]) -> list[T]:
    """The cases in order, keeping each one that shows a value of some trait not yet shown (so
    every value of every trait appears at least once; a trait that gives None does not apply to
    the case); all of them under MKGRAPH_TEST_FULL=1."""
    if FULL:
        return list(cases)
    seen: set[tuple[int, Hashable]] = set()
    kept = []
    for case in cases:
        values = {(index, trait(case)) for index, trait in enumerate(traits)}
        values = {(index, value) for index, value in values if value is not None}
        if not values <= seen:
            seen |= values
            kept.append(case)
    return kept


def every(cases: Iterable[T], step: int) -> list[T]:
    """Every `step`-th case, starting with the first; all of them under MKGRAPH_TEST_FULL=1."""
    cases = list(cases)
    return cases if FULL else cases[::step]
