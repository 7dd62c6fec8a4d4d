"""Licences checked against the SPDX licence list, as shipped offline by aboutcode's
`license-expression` package: every dct:license must be a current SPDX identifier (deprecated ones
such as GPL-2.0 are refused, with the identifier to write instead), every mk:licenceExpression must
parse as an SPDX expression of current identifiers, and each licence an expression names must also
be linked with dct:license. An expression may also name a licence the list lacks as
`LicenseRef-<name>` (SPDX's own way: a project's custom licence, or a licence with extra terms);
dct:license stays a listed licence, so such a reference is never linked."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any

SPDX_PREFIX = "http://spdx.org/licenses/"
_OPERATORS = {"AND", "OR", "WITH"}
_TOKEN = re.compile(r"[A-Za-z0-9.+:-]+")
_LICENSE_REF = re.compile(r"LicenseRef-[A-Za-z0-9.-]+")  # SPDX: "LicenseRef-" idstring
_FORMAT_VERSION = "2"  # bump when what Verdicts writes changes


@cache
def _licensing():
    from license_expression import get_spdx_licensing  # type: ignore[import-untyped]

    return get_spdx_licensing()


def canonical(identifier: str) -> str | None:
    """The current SPDX identifier a licence or exception identifier stands for (itself when it is
    current; GPL-2.0-only for the deprecated GPL-2.0), or None when the list does not know it."""
    from license_expression import (
        ExpressionError,
        ExpressionParseError,
    )

    licensing = _licensing()
    symbol = licensing.known_symbols.get(identifier) or licensing.known_symbols_lowercase.get(
        identifier.casefold()
    )
    if symbol is not None:
        return str(symbol.key)
    try:  # a deprecated identifier is an alias the parser resolves to the current one
        parsed = licensing.parse(identifier)
    except (ExpressionError, ExpressionParseError):
        return None
    if parsed is None or licensing.unknown_license_keys(parsed):
        return None
    symbols = licensing.license_symbols(parsed, unique=True, decompose=True)
    return str(symbols[0].key) if len(symbols) == 1 else None


@cache
def identifier_problem(identifier: str) -> str | None:
    """Why an identifier is not a current SPDX licence identifier, or None when it is one."""
    key = None if identifier.startswith("LicenseRef-") else canonical(identifier)
    if key is None:
        return f"licence {identifier!r} is not on the SPDX licence list"
    if key != identifier:
        if key.casefold() == identifier.casefold():
            return f"licence {identifier!r} is spelt {key!r} on the SPDX licence list"
        choice = repr(key)
        if key.endswith("-only"):  # GPL-2.0: the licence file's "or any later version" decides
            choice += f" or {key.removesuffix('-only') + '-or-later'!r}, as the licence file says"
        return f"licence {identifier!r} is a deprecated SPDX identifier: write {choice}"
    return None


def expression_problems(expression: str) -> tuple[list[str], set[str]]:
    """The problems of an SPDX licence expression, and the licence identifiers it names (its
    exceptions left out)."""
    from license_expression import (
        ExpressionError,
        ExpressionParseError,
    )

    licensing = _licensing()
    try:  # unknown keys are checked below, so that LicenseRef- names may pass
        parsed = licensing.parse(expression, validate=False, strict=True)
    except (ExpressionError, ExpressionParseError) as exc:
        detail = " ".join(str(exc).split())
        return [
            f"licence expression {expression!r} is not a valid SPDX expression: {detail}"
        ], set()
    if parsed is None:
        return [f"licence expression {expression!r} is empty"], set()
    unknown = [
        key for key in licensing.unknown_license_keys(parsed) if not _LICENSE_REF.fullmatch(key)
    ]
    if unknown:
        return [
            f"licence expression {expression!r} is not a valid SPDX expression: "
            f"Unknown license key(s): {', '.join(unknown)}"
        ], set()
    problems = [
        problem
        for token in _TOKEN.findall(expression)
        if token not in _OPERATORS and not _LICENSE_REF.fullmatch(token)
        for problem in [identifier_problem(token)]
        if problem
    ]
    named = {
        str(symbol.key)
        for symbol in licensing.license_symbols(parsed, decompose=True)
        if not getattr(symbol, "is_exception", False) and not _LICENSE_REF.fullmatch(symbol.key)
    }
    return problems, named


def licence_problems(
    licences: list[tuple[str, str]],
    expressions: list[tuple[str, str]],
    folder: Path | None = None,
) -> list[tuple[str, str, str]]:
    """(resource, value, message) for each dct:license IRI that is not a current SPDX licence and
    each mk:licenceExpression that does not parse or names a licence not linked by dct:license.
    Verdicts are remembered in `folder` (mkgraph.checks.remembered)."""
    verdicts = Verdicts(folder)
    found = []
    linked: dict[str, set[str]] = {}
    for resource, iri in licences:
        identifier = iri.removeprefix(SPDX_PREFIX)
        linked.setdefault(resource, set()).add(identifier)
        if not iri.startswith(SPDX_PREFIX):
            continue  # the shapes report an IRI outside the SPDX namespace
        problem = verdicts.identifier(identifier)
        if problem:
            found.append((resource, identifier, problem))
    for resource, expression in expressions:
        problems, named = verdicts.expression(expression)
        found += [(resource, expression, problem) for problem in problems]
        for identifier in sorted(named - linked.get(resource, set())):
            found.append(
                (
                    resource,
                    expression,
                    f"licence expression names {identifier} but the system has no "
                    f"dct:license spdx:{identifier}",
                )
            )
    verdicts.save()
    return found


class Verdicts:
    """The verdicts on identifiers and expressions, remembered in a folder and keyed by the
    installed license-expression (its licence list): when all are known, license-expression is
    not even imported, which costs 0.14 s of CPU (import, then building its licence index)."""

    def __init__(self, folder: Path | None):
        from mkgraph.checks import remembered
        from mkgraph.store import parsecache

        build = f"{_FORMAT_VERSION} {parsecache.stamp('license_expression')}"
        key = hashlib.sha256(build.encode()).hexdigest()[:32]
        self._entry = None if folder is None else folder / f"licences-{key}.json"
        stored: Any = remembered.read(self._entry) if self._entry is not None else None
        self.identifiers: dict[str, str | None] = {}
        self.expressions: dict[str, tuple[list[str], set[str]]] = {}
        try:
            for identifier, problem in stored["identifiers"].items():
                if not isinstance(problem, (str, type(None))):
                    raise TypeError(problem)
                self.identifiers[str(identifier)] = problem
            for expression, (problems, named) in stored["expressions"].items():
                if not all(isinstance(text, str) for text in [*problems, *named]):
                    raise TypeError(problems)
                self.expressions[str(expression)] = (list(problems), set(named))
        except (TypeError, KeyError, ValueError, AttributeError):  # not what this class writes
            self.identifiers, self.expressions = {}, {}
        self._changed = False

    def identifier(self, identifier: str) -> str | None:
        if identifier not in self.identifiers:
            self.identifiers[identifier] = identifier_problem(identifier)
            self._changed = True
        return self.identifiers[identifier]

    def expression(self, expression: str) -> tuple[list[str], set[str]]:
        if expression not in self.expressions:
            self.expressions[expression] = expression_problems(expression)
            self._changed = True
        problems, named = self.expressions[expression]
        return list(problems), set(named)

    def save(self) -> None:
        from mkgraph.checks import remembered

        if self._changed and self._entry is not None:
            remembered.write(
                self._entry,
                {
                    "identifiers": self.identifiers,
                    "expressions": {
                        text: [problems, sorted(named)]
                        for text, (problems, named) in self.expressions.items()
                    },
                },
            )
