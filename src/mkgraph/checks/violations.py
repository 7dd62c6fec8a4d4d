"""The checks that read the graph with SPARQL: the stored ``*-violation`` queries (each row a
resource at fault) and the checks written in code over a query's answer (SPDX licences,
near-duplicate names), as report Problems."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from mkgraph.checks.report import CHECKS, SPARQL_COMPONENT, Labeller, Problem
from mkgraph.core.prefixes import shorten
from mkgraph.store.queries import StoredQuery

Answer = tuple[list[str], list[tuple]]  # a SELECT's variables and rows of terms (None unbound)


def term_text(term) -> str | None:
    """A pyoxigraph or rdflib term as Problem keeps a node: the IRI, _:id, or a literal's text."""
    if term is None:
        return None
    if hasattr(term, "n3"):  # rdflib's terms are strings
        return "_:" + str(term) if type(term).__name__ == "BNode" else str(term)
    return "_:" + term.value if type(term).__name__ == "BlankNode" else term.value


def _ntriples(term) -> str:
    """A pyoxigraph or rdflib term in N-Triples syntax."""
    return term.n3() if hasattr(term, "n3") else str(term)


def _is_iri_term(term) -> bool:
    return type(term).__name__ in ("NamedNode", "URIRef")


def query_problems(
    checks: list[StoredQuery], answer: Callable[[StoredQuery], Answer], label: Labeller
) -> list[Problem]:
    """The rows of the *-violation queries: the first column is the resource at fault; a
    ?property column is the result's path, a ?value column its value, ?message its message."""
    problems = []
    for check in checks:
        variables, rows = answer(check)
        for row in rows:
            values = dict(zip(variables, row, strict=False))
            focus = term_text(row[0])
            value, message = values.get("value"), term_text(values.get("message"))
            path = term_text(values["property"]) if _is_iri_term(values.get("property")) else None
            shown = term_text(value)
            problems.append(
                Problem(
                    focus=focus or "?",
                    focus_label=label(focus) if focus is not None else "?",
                    message=message or check.title,
                    path=shorten(path) if path else None,
                    value=label(shown) if shown is not None and _is_iri_term(value) else shown,
                    check=check.name,
                    path_iri=path,
                    value_term=_ntriples(value) if value is not None else None,
                    shape=CHECKS + check.name,
                    component=SPARQL_COMPONENT,
                )
            )
    return problems


LICENCES = (
    "SELECT ?resource ?licence WHERE { ?resource <http://purl.org/dc/terms/license> ?licence }"
)
LICENCE_EXPRESSIONS = (
    "SELECT ?resource ?expression WHERE { "
    "?resource <https://w3id.org/mkgraph/ontology#licenceExpression> ?expression }"
)


def licence_check(
    licences: list[tuple], expressions: list[tuple], label: Labeller
) -> list[Problem]:
    """Licences against the SPDX licence list (mkgraph.checks.licences), the verdicts
    remembered in the cache folder."""
    from mkgraph.checks import licences as spdx
    from mkgraph.checks import remembered

    return [
        Problem(
            focus=resource,
            focus_label=label(resource),
            message=message,
            value=value,
            check="spdx-licence",
            value_term=_text_term(value) if value else None,
            shape=CHECKS + "spdx-licence",
            component=CHECKS + "SpdxLicenceComponent",
        )
        for resource, value, message in spdx.licence_problems(
            [(str(r), str(v)) for r, v in licences if r is not None and v is not None],
            [(str(r), str(v)) for r, v in expressions if r is not None and v is not None],
            remembered.folder(),
        )
    ]


NAMES = (
    "SELECT ?resource ?kind ?name WHERE { "
    "VALUES ?kind { <https://w3id.org/mkgraph/ontology#Agent> "
    "<https://w3id.org/mkgraph/ontology#System> } "
    "?type <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?kind . "
    "?resource a ?type ; <http://www.w3.org/2000/01/rdf-schema#label>"
    "|<http://www.w3.org/2004/02/skos/core#altLabel> ?name . FILTER isIRI(?resource) }"
)


def duplicate_check(names: list[tuple], label: Labeller) -> list[Problem]:
    """Agents and systems with near-duplicate names (mkgraph.checks.duplicates)."""
    from mkgraph.checks import duplicates

    rows = sorted({(str(r), str(k), str(n)) for r, k, n in names if None not in (r, k, n)})
    return [
        Problem(
            focus=resource,
            focus_label=label(resource),
            message=(
                f"may be the same {'agent' if kind.endswith('Agent') else 'system'} as "
                f"{label(other)!r}: the names {name!r} and {other_name!r} differ only in "
                "case, accents, legal form, generic words or an abbreviation; merge the two or "
                "tell them apart in their names"
            ),
            value=other_name,
            check="near-duplicate-name",
            value_term=_text_term(other_name),
            shape=CHECKS + "near-duplicate-name",
            component=CHECKS + "NearDuplicateNameComponent",
        )
        for resource, other, name, other_name in duplicates.near_duplicates(rows)
        for kind in [next(k for r, k, _n in rows if r == resource)]
    ]


def _text_term(value: str) -> str:
    """A value found as text, in N-Triples syntax: an IRI if it is one, else a plain literal."""
    if value.startswith(("http://", "https://")) and not _IRI_UNSAFE.search(value):
        return f"<{value}>"
    return json.dumps(value, ensure_ascii=False)  # JSON's escapes are valid in N-Triples strings


_IRI_UNSAFE = re.compile(r'[\s<>"{}|^`\\]')
