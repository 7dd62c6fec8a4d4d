"""When a fact holds: the one definition of current state, history and "as of".

A fact's provenance statements (rdf:Statement nodes) may give its period with mk:validFrom and
mk:validUntil, each an xsd:gYear or an xsd:date. A year as a bound covers the whole year:
validFrom 2017 starts on 2017-01-01, validUntil 2017 ends on 2017-12-31. Asking about a day asks
about that day; asking about a year asks about any day of it ("as of 2020" is 2020-01-01 to
2020-12-31).

Spells. A statement that gives a period (a validFrom, a validUntil, or the support level
"historic") is a *spell* of its fact: a stretch of time in which the fact held. A fact may have
several spells (NOVA active from 2009 to 2015 and again since 2019), and they add up.

Definition: a fact holds on a span of days when one of its spells covers the span (some day of the
span is in it: the spell's validFrom is not after the span's last day and its validUntil not before
its first day); a fact with no spell holds always. Statements of the fact that give no period add
sources, not time. A port whose statement gives the support level "historic" (it worked once and
was dropped) but no end is a spell that ended before today, on no known day: it covers no span that
reaches today, and covers those before, as far as anyone knows. Whatever its spells, a fact that
changes over time (a licence, an owner, a developer, an architecture, a status, a language) does
not hold on a span that ends before its system's earliest date (start year, first appearance, first
commit, announcement, first release, open-sourcing), so LionsOS, begun in 2023, ran on no
architecture in 2020. A system with no date is not bounded. So a fact with one spell holds on a
date when validFrom <= date and not validUntil < date; Genode's GPL-2.0 "until 2017" does not hold
today, and it does hold as of 2017 (as does the AGPL-3.0-only "from 2017").

Spells of one fact never overlap unless they are identical (one spell told by two sources): two
that share a day but differ are a data error (:func:`overlaps`; the check is the stored query
spell-overlap-violation, which says the same in SPARQL).

The stored queries with an ``as_of`` parameter (by-licence, by-architecture, by-organisation,
by-language) and those that answer with today's facts (projects, timeline, worklist, ...) say the
same in SPARQL: :func:`sparql_holds` writes the filter out, and tests/test_periods.py checks that
every stored query carries it as written here and answers as :func:`holds` does on generated spells
and beginnings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
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
    """One statement's period (a spell of its fact); an open end is None."""

    valid_from: str | None = None
    valid_until: str | None = None
    dropped: bool = (
        False  # a port whose support level is historic: it ended, perhaps on no known day
    )

    def first(self) -> date | None:
        return span(self.valid_from)[0] if self.valid_from else None

    def last(self) -> date | None:
        return span(self.valid_until)[1] if self.valid_until else None

    def end(self) -> date | None:
        """The last day the spell covers: its validUntil's, or for a port dropped on no known day
        the day before today; None when it goes on."""
        last = self.last()
        if last is None and self.dropped:
            return today() - timedelta(days=1)
        return last

    def days(self) -> tuple[date | None, date | None, bool]:
        """What the spell covers, as a key: two periods with the same key are the same spell,
        however their bounds are written (2017 and 2017-01-01 as a start)."""
        return self.first(), self.last(), self.dropped and self.valid_until is None

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


def spells(periods: list[Period]) -> list[Period]:
    """A fact's spells, each once (statements that give the same period tell one spell), in the
    order of time: by first day (an open start first), then by last."""
    found: dict[tuple, Period] = {}
    for period in periods:
        found.setdefault(period.days(), period)
    return sorted(
        found.values(),
        key=lambda p: (p.first() or date.min, p.end() or date.max, p.text()),
    )


def holds(periods: list[Period], days: Span, begins: date | None = None) -> bool:
    """Whether a fact with these statement periods (its spells) holds on the span (the definition
    above): one of them covers it, or there is none; `begins` is the first day of its system,
    where the system has a date."""
    if begins is not None and begins > days[1]:
        return False
    return not periods or any(period.covers(days) for period in periods)


def text(periods: list[Period]) -> str | None:
    """When a fact held, in words, each spell once and in the order of time: "2009 to 2015-07-01;
    since 2019-02-11"; None when no statement gives a period."""
    return "; ".join(period.text() for period in spells(periods)) or None


def overlaps(one: Period, other: Period) -> bool:
    """Whether two spells of one fact overlap: they share a day and are not the same spell (the
    same period told by two sources). Touching spells (one ends on 2015-07-01, the next starts
    on 2015-07-02) do not overlap."""
    if one.days() == other.days():
        return False
    firsts = [day for day in (one.first(), other.first()) if day is not None]
    ends = [day for day in (one.end(), other.end()) if day is not None]
    return not firsts or not ends or max(firsts) <= min(ends)


def overlapping(graph: Graph) -> list[tuple[tuple[Node, Node, Node], Period, Period]]:
    """The pairs of overlapping spells in the graph (a data error: README, "Periods"), each pair
    once, its spells in the order of time."""
    found = []
    for fact, periods in periods_by_fact(graph).items():
        told = spells(periods)
        found += [
            (fact, one, other)
            for index, one in enumerate(told)
            for other in told[index + 1 :]
            if overlaps(one, other)
        ]
    return found


HISTORIC = "https://w3id.org/mkgraph/support/historic"
_TODAY_SPARQL = "SUBSTR(STR(NOW()), 1, 10)"


def _first_day(variable: str) -> str:
    return f'IF(STRLEN(STR({variable})) = 4, CONCAT(STR({variable}), "-01-01"), STR({variable}))'


def _last_day(variable: str) -> str:
    return f'IF(STRLEN(STR({variable})) = 4, CONCAT(STR({variable}), "-12-31"), STR({variable}))'


def sparql_holds(subject: str, predicate: str, obj: str, as_of: bool = True) -> str:
    """:func:`holds` for one fact, without the beginning (each query writes that once per system),
    as the SPARQL filter the stored queries carry: the fact has no spell, or one of its spells
    covers the days asked about, ``?asOfFirst`` to ``?asOfLast`` (ISO days, bound by the query
    before the filter), or, with ``as_of=False``, today. The terms are SPARQL (``?project``,
    ``dct:license``); the query declares the prefixes rdf: and mk:. tests/test_periods.py checks
    that each stored query carries the filter exactly as written here."""
    fact = f"?spell rdf:subject {subject} ; rdf:predicate {predicate} ; rdf:object {obj} ."
    first, last = ("?asOfFirst", "?asOfLast") if as_of else (_TODAY_SPARQL, _TODAY_SPARQL)
    asked = "the days asked about" if as_of else "today"
    dropped = "BOUND(?level) && ?level = <" + HISTORIC + ">"
    # a port dropped on no known day ("historic" without an end) is history from today on
    gone = f"({dropped} && !BOUND(?until)" + (f" && {last} >= {_TODAY_SPARQL})" if as_of else ")")
    # "Has a spell" is one property path, not a UNION of three patterns: rdflib evaluates a
    # UNION inside NOT EXISTS over the whole graph for each row (by-organisation 4.2 s -> 0.9 s).
    return f"""FILTER (  # {predicate} holds (mkgraph.store.periods): no spell, or one covers {asked}
    NOT EXISTS {{
        {fact}
        ?spell mk:validFrom|mk:validUntil|mk:supportLevel ?mark .
        FILTER (isLiteral(?mark) || ?mark = <{HISTORIC}>)
    }}
    || EXISTS {{
        {fact}
        OPTIONAL {{ ?spell mk:validFrom ?from }}
        OPTIONAL {{ ?spell mk:validUntil ?until }}
        OPTIONAL {{ ?spell mk:supportLevel ?level }}
        FILTER (
            (BOUND(?from) || BOUND(?until) || ({dropped}))
            && !(BOUND(?from) && {_first_day("?from")} > {last})
            && !(BOUND(?until) && {_last_day("?until")} < {first})
            && !{gone}
        )
    }}
)"""


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

    found: dict[tuple[Node, Node, Node], list[Period]] = defaultdict(list)
    historic = URIRef(HISTORIC)
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
        found[fact].append(statement_period(graph, statement))  # type: ignore[index]
    return dict(found)


def statement_period(graph: Graph, statement: Node) -> Period:
    """The period one statement gives (open where it gives none; a bound that is neither a year
    nor a day, which validation reports, counts as none)."""
    from rdflib import URIRef

    from mkgraph.core.namespaces import MK

    start, end = graph.value(statement, MK.validFrom), graph.value(statement, MK.validUntil)
    dropped = (statement, MK.supportLevel, URIRef(HISTORIC)) in graph
    return Period(_bound(start), _bound(end), dropped)


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


def not_holding(
    graph: Graph, days: Span | None = None, periods: dict | None = None
) -> set[tuple[Node, Node, Node]]:
    """The facts that do not hold on the span (today when none is given): history, and what
    changes over time about a system that had not begun. `periods`: periods_by_fact(graph),
    when the caller has it already."""
    from rdflib import URIRef

    days = days or span(TODAY)
    told = periods if periods is not None else periods_by_fact(graph)
    ended = {fact for fact, spells in told.items() if not holds(spells, days)}
    for system, first in beginnings(graph).items():
        if first > days[1]:
            for predicate in TIMED_PROPERTIES:
                ended.update(graph.triples((system, URIRef(predicate), None)))
    return ended


def as_of(graph: Graph, days: Span | None = None, periods: dict | None = None) -> Graph:
    """The graph without the facts that do not hold on the span (today when none is given)."""
    ended = not_holding(graph, days, periods)
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
