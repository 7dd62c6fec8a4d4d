"""Licences against the SPDX licence list (mkgraph.checks.licences, on aboutcode's license-expression)."""

from __future__ import annotations

import pytest

from mkgraph.checks import licences


@pytest.mark.parametrize(
    "deprecated, current",
    [
        ("GPL-2.0", "GPL-2.0-only"),
        ("GPL-3.0", "GPL-3.0-only"),
        ("AGPL-3.0", "AGPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("LGPL-3.0+", "LGPL-3.0-or-later"),
    ],
)
def test_deprecated_identifiers_are_refused_with_what_to_write(deprecated, current):
    problem = licences.identifier_problem(deprecated)
    assert problem is not None and "deprecated SPDX identifier" in problem
    assert repr(current) in problem
    assert licences.identifier_problem(current) is None


@pytest.mark.parametrize("spelling", ["mit", "Mit", "apache-2.0", "bsd-2-clause", "gpl-2.0-only"])
def test_a_wrong_spelling_is_refused_with_the_list_s_spelling(spelling):
    problem = licences.identifier_problem(spelling)
    assert problem is not None and "is spelt" in problem


@pytest.mark.parametrize(
    "unknown", ["GPLv2", "BSD", "Public-Domain", "LicenseRef-scancode-mit-old-style"]
)
def test_names_that_are_not_spdx_identifiers_are_refused(unknown):
    assert "not on the SPDX licence list" in (licences.identifier_problem(unknown) or "")


def test_every_current_identifier_in_the_list_is_accepted():
    """Every identifier the shipped SPDX list knows as itself passes (licences and exceptions)."""
    known = [
        key for key in licences._licensing().known_symbols if not key.startswith("LicenseRef-")
    ]
    assert len(known) > 500
    assert [key for key in known if licences.identifier_problem(key)] == []


@pytest.mark.parametrize(
    "expression, named",
    [
        ("MIT", {"MIT"}),
        ("GPL-2.0-only WITH Linux-syscall-note", {"GPL-2.0-only"}),
        ("(MIT OR Apache-2.0) AND BSD-2-Clause", {"MIT", "Apache-2.0", "BSD-2-Clause"}),
        # a licence the list lacks, by SPDX's own reference form: named, never linked
        ("GPL-2.0-only OR LicenseRef-kernkonzept-commercial", {"GPL-2.0-only"}),
        ("LicenseRef-minix.3 AND BSD-3-Clause", {"BSD-3-Clause"}),
    ],
)
def test_expressions_parse_and_name_their_licences(expression, named):
    assert licences.expression_problems(expression) == ([], named)


@pytest.mark.parametrize(
    "expression, words",
    [
        ("MIT AND", "not a valid SPDX expression"),
        ("MIT WITH Apache-2.0", "not a valid SPDX expression"),
        ("GPL-2.0 OR MIT", "deprecated SPDX identifier"),
        ("NoSuchLicence OR MIT", "not a valid SPDX expression"),
        ("LicenseRef OR MIT", "not a valid SPDX expression"),  # no name after the prefix
        ("LicenseRef-a_b OR MIT", "not a valid SPDX expression"),  # "_" is not in an idstring
        ("DocumentRef-spdx:LicenseRef-a OR MIT", "not a valid SPDX expression"),
        ("GPL-2.0-only WITH LicenseRef-a", "not a valid SPDX expression"),  # not an exception
        ("GPLv2 OR LicenseRef-a", "not a valid SPDX expression"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expression, words):
    problems, _named = licences.expression_problems(expression)
    assert any(words in problem for problem in problems), problems
