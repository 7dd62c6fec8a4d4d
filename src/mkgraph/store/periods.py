"""When a fact holds: the one definition of current state, history and "as of".

A fact's provenance statements (rdf:Statement nodes) may give its period with mk:validFrom and
mk:validUntil, each an xsd:gYear or an xsd:date. A year as a bound covers the whole year:
validFrom 2017 starts on 2017-01-01, validUntil 2017 ends on 2017-12-31. Asking about a day asks
about that day; asking about a year asks about any day of it ("as of 2020" is 2020-01-01 to
2020-12-31).

Definition: a fact holds on a span of days unless one of its statements puts the span outside its
period, that is, unless some statement's validFrom is after the span's last day or its validUntil
is before the span's first day. A fact without a period holds always, but never before its system
began: a fact that changes over time (a licence, an owner, a developer, an architecture, a status,
a language)
does not hold on a span that ends before the system's earliest date (start year, first
appearance, first commit, announcement, first release, open-sourcing), so LionsOS, begun in 2023,
ran on no architecture in 2020. A system with no date is not bounded. A port whose statement gives
the support level "historic" (it worked once and was dropped) but no end counts as ended before
today: it does not hold on a span that reaches today, and holds before, as far as anyone knows. So a fact holds on a date
when validFrom <= date and not validUntil < date; Genode's GPL-2.0 "until 2017" does not hold
today, and it does hold as of 2017 (as does the AGPL-3.0-only "from 2017").

The stored queries with an ``as_of`` parameter (by-licence, by-architecture, by-organisation,
by-language) say the same in SPARQL; tests/test_periods.py checks them against :func:`holds` on generated periods and
beginnings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from mkgraph.core.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph
    from rdflib.term import Node

TODAY = "today"
_YEAR = re.compile(r"[0-9]{4}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Span = tuple[date, date]  # first and last day, both included


def today() -> date:
    """The day "today" means, read in this one place (a long-running server asks it per request,
    and a test can turn the calendar)."""
    return date.today()


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def span(value: str) -> Span:
    """The days a value names: a year (YYYY), a day (YYYY-MM-DD) or "today"."""
    text = value.strip()
    if text.casefold() == TODAY:
        day = today()
        return day, day
    try:
        if _YEAR.fullmatch(text):
            year = int(text)
            return date(year, 1, 1), date(year, 12, 31)
        if _DAY.fullmatch(text):
            day = date.fromisoformat(text)
            return day, day
    except ValueError:
        pass
    raise ParameterError(
        f"{_shown(text)!r} is not a date: give a year (2020), a day (2020-06-30) or today"
    )


def asked(value: str) -> Span:
    """The days a question asks about ("as of" a date): a span as :func:`span` reads it, refused
    when it starts after today, since the graph records what held up to today and would answer
    a future date with today's state as if it were known."""
    days = span(value)
    if days[0] > today():
        raise ParameterError(
            f"{_shown(value.strip())!r} is in the future: give a year or a day up to today, or today"
        )
    return days


def literal(value: str) -> tuple[str, str]:
    """A date parameter as a literal's text and XSD datatype name: a year stays an xsd:gYear,
    a day (or today) is an xsd:date."""
    first, last = asked(value)
    if first == last:
        return first.isoformat(), "date"
    return f"{first.year:04d}", "gYear"


@dataclass(frozen=True)
class Period:
    """One statement's period; an open end is None."""

    valid_from: str | None = None
    valid_until: str | None = None
    dropped: bool = (
        False  # a port whose support level is historic: it ended, perhaps on no known day
    )

    def first(self) -> date | None:
        return span(self.valid_from)[0] if self.valid_from else None

    def last(self) -> date | None:
        return span(self.valid_until)[1] if self.valid_until else None

    def covers(self, days: Span) -> bool:
        first, last = self.first(), self.last()
        if self.dropped and last is None and days[1] >= today():
            return False  # dropped before today, day unknown: history from today on
        return not (first is not None and first > days[1]) and not (
            last is not None and last < days[0]
        )

    def text(self) -> str:
        if self.valid_from and self.valid_until:
            return f"{self.valid_from} to {self.valid_until}"
        if self.valid_from:
            return f"since {self.valid_from}"
        if self.valid_until:
            return f"until {self.valid_until}"
        return "dropped" if self.dropped else "always"


def holds(periods: list[Period], days: Span, begins: date | None = None) -> bool:
    """Whether a fact with these statement periods holds on the span (the definition above);
    `begins` is the first day of its system, where the system has a date."""
    if begins is not None and begins > days[1]:
        return False
    return all(period.covers(days) for period in periods)


# The dates that tell when a system began (each has one meaning: README, "Dates"), with the words a
# view names each by: the start year first, then the other bounds on a start, in the order a view
# prefers them where two fall in the same year (mkgraph.views.lineage.dated). The stored as_of
# queries write the same list as a property path (tests/test_periods.py checks they agree).
BEGINNINGS = (
    ("startYear", "started"),
    ("firstAppeared", "first appeared"),
    ("announced", "announced"),
    ("firstCommit", "first commit"),
    ("firstRelease", "first release"),
    ("openSourced", "open-sourced"),
)
BEGINNING_PROPERTIES = tuple(name for name, _ in BEGINNINGS)
# The facts that change over time, which cannot hold before their system began.
TIMED_PROPERTIES = (
    "http://purl.org/dc/terms/license",
    "https://w3id.org/mkgraph/ontology#licenceExpression",
    "https://w3id.org/mkgraph/ontology#ownedBy",
    "https://w3id.org/mkgraph/ontology#developedBy",
    "https://w3id.org/mkgraph/ontology#supportsArchitecture",
    "https://w3id.org/mkgraph/ontology#portInProgress",
    "https://w3id.org/mkgraph/ontology#status",
    "https://w3id.org/mkgraph/ontology#implementedIn",
)


def beginnings(graph: Graph) -> dict[Node, date]:
    """The first day of each system that has a date: the earliest of its beginning dates."""
    from mkgraph.core.namespaces import MK

    found: dict[Node, date] = {}
    for name in BEGINNING_PROPERTIES:
        for system, value in graph.subject_objects(MK[name]):
            text = _bound(value)
            if text is None:
                continue
            first = span(text)[0]
            if system not in found or first < found[system]:
                found[system] = first
    return found


def periods_by_fact(graph: Graph) -> dict[tuple[Node, Node, Node], list[Period]]:
    """The periods the graph's statements give, by the fact (subject, predicate, object)."""
    from rdflib import RDF, URIRef

    from mkgraph.core.namespaces import MK
    from mkgraph.core.prefixes import BASE

    found: dict[tuple[Node, Node, Node], list[Period]] = defaultdict(list)
    historic = URIRef(BASE + "support/historic")
    dated = (
        set(graph.subjects(MK.validFrom, None))
        | set(graph.subjects(MK.validUntil, None))
        | set(graph.subjects(MK.supportLevel, historic))
    )
    for statement in dated:
        fact = (
            graph.value(statement, RDF.subject),
            graph.value(statement, RDF.predicate),
            graph.value(statement, RDF.object),
        )
        if None in fact:
            continue
        start, end = graph.value(statement, MK.validFrom), graph.value(statement, MK.validUntil)
        dropped = (statement, MK.supportLevel, historic) in graph
        found[fact].append(Period(_bound(start), _bound(end), dropped))  # type: ignore[index]
    return dict(found)


def _bound(value) -> str | None:
    """A bound's text, if it is a year or a day (validation reports any other value)."""
    text = None if value is None else str(value)
    if text is None or not (_YEAR.fullmatch(text) or _DAY.fullmatch(text)):
        return None
    try:
        span(text)
    except ParameterError:
        return None
    return text


def not_holding(graph: Graph, days: Span | None = None) -> set[tuple[Node, Node, Node]]:
    """The facts that do not hold on the span (today when none is given): history, and what
    changes over time about a system that had not begun."""
    from rdflib import URIRef

    days = days or span(TODAY)
    ended = {fact for fact, periods in periods_by_fact(graph).items() if not holds(periods, days)}
    for system, first in beginnings(graph).items():
        if first > days[1]:
            for predicate in TIMED_PROPERTIES:
                ended.update(graph.triples((system, URIRef(predicate), None)))
    return ended


def as_of(graph: Graph, days: Span | None = None) -> Graph:
    """The graph without the facts that do not hold on the span (today when none is given)."""
    ended = not_holding(graph, days)
    if not ended:
        return graph
    from rdflib import Graph as RdfGraph

    current = RdfGraph()
    for prefix, namespace in graph.namespaces():
        current.bind(prefix, namespace)
    for triple in graph:
        if triple not in ended:
            current.add(triple)
    return current
