"""Hypothesis profiles: `ci` (chosen by CI=true) runs derandomised examples, so CI never passes or
fails by luck; `dev` (the default) explores new random examples each run; `fuzz` runs a hundred
times as many examples, on demand. A test's own count is sized for CI (a few seconds of one core
each; the same examples every run add little after the first), the fuzz run is where new inputs
are found:

    HYPOTHESIS_PROFILE=fuzz pytest tests/test_properties.py tests/test_fastload.py
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("fuzz", deadline=None, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
)
settings.load_profile(PROFILE)


FUZZ_FACTOR = 100


def examples(count: int) -> int:
    """A test's number of examples, scaled up by the fuzz profile."""
    return count * FUZZ_FACTOR if PROFILE == "fuzz" else count
