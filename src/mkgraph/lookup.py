"""Choosing the resource a typed name denotes, independent of the RDF library that holds the graph.

`candidates` maps each resource's IRI to its names (label and other names); `choose` applies the
rules every command shares: case-insensitive names, the IRI's local name, a prefixed or full IRI,
an ambiguity error, and close matches suggested for an unknown name.
"""

from __future__ import annotations

from difflib import get_close_matches

from mkgraph.errors import ParameterError, UnknownNameError
from mkgraph.prefixes import PREFIXES, shorten

KIND_CLASSES = {
    "system": "System",
    "language": "ProgrammingLanguage",
    "architecture": "Architecture",
    "trait": "Trait",
    "interface": "Interface",
    "family": "KernelFamily",
    "agent": "Agent",
}
MAX_VALUE_LENGTH = 2000
_IRI_FORBIDDEN = set(' <>"{}|^`\\\n\t\r')


def expand(value: str) -> str | None:
    """A full IRI from <...>, a prefixed name or an http(s) IRI; None for a plain name."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and "/" not in local:
        return PREFIXES[prefix] + local
    if value.startswith(("http://", "https://")):
        return value
    return None


def choose(candidates: dict[str, list[str]], kind: str, value: str) -> str:
    """The IRI of the one candidate the value names, or a one-line error that helps."""
    if len(value) > MAX_VALUE_LENGTH:
        raise ParameterError(f"parameter value is too long ({len(value)} characters)")
    wanted = value.strip().casefold()
    expanded = expand(value.strip())
    if expanded is not None and expanded in candidates:
        return expanded
    matches = sorted(
        iri
        for iri, names in candidates.items()
        if wanted in (n.casefold() for n in names)
        or shorten(iri).split(":")[-1].casefold() == wanted
    )
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(shorten(m) for m in matches)
        raise ParameterError(f"{kind} name {value!r} is ambiguous: it could be {listed}")
    folded = {n.casefold(): n for names in candidates.values() for n in names}
    close = [folded[c] for c in get_close_matches(wanted, list(folded), n=3, cutoff=0.6)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    shown = value if len(value) <= 60 else value[:57] + "..."
    noun = "resource" if kind == "any" else kind
    raise UnknownNameError(f"no {noun} named {shown!r} in the graph{hint}")


def store_candidates(store, kind: str, name: str | None = None) -> dict[str, list[str]]:
    """Candidates read from an Oxigraph store: all of a kind, or only those with this name (any
    case), which is all a well-typed name needs and stays fast on large graphs."""
    import pyoxigraph as ox

    classes = KIND_CLASSES.values() if kind == "any" else [KIND_CLASSES[kind]]
    values = " ".join(f"<{PREFIXES['mk']}{c}>" for c in classes)
    names = f"<{PREFIXES['rdfs']}label>|<{PREFIXES['skos']}altLabel>"
    if name is None:
        query = (
            "SELECT ?r ?name WHERE { VALUES ?class { " + values + " } "
            f"?type <{PREFIXES['rdfs']}subClassOf>* ?class . ?r a ?type . FILTER isIRI(?r) "
            f"OPTIONAL {{ ?r {names} ?name }} }}"
        )
        solutions = store.query(query)
    else:
        # The name enters as a term (a projected variable Oxigraph substitutes), never as text.
        query = (
            f"SELECT ?r ?name ?wanted WHERE {{ ?r {names} ?name . "
            "FILTER (LCASE(STR(?name)) = ?wanted) FILTER isIRI(?r) "
            "VALUES ?class { " + values + " } "
            f"?r a ?type . ?type <{PREFIXES['rdfs']}subClassOf>* ?class }}"
        )
        solutions = store.query(
            query, substitutions={ox.Variable("wanted"): ox.Literal(name.casefold())}
        )
    found: dict[str, list[str]] = {}
    for solution in solutions:
        known = found.setdefault(solution["r"].value, [])
        if solution["name"] is not None:
            known.append(solution["name"].value)
    return found


def store_value(store, kind: str, value: str):
    """A parameter value as a pyoxigraph term, read according to its kind."""
    import pyoxigraph as ox

    if len(value) > MAX_VALUE_LENGTH:
        raise ParameterError(f"parameter value is too long ({len(value)} characters)")
    if kind in KIND_CLASSES:
        named = store_candidates(store, kind, value.strip())
        if len(named) == 1 and expand(value.strip()) is None:
            return ox.NamedNode(next(iter(named)))
        return ox.NamedNode(choose(store_candidates(store, kind), kind, value))
    if kind == "string":
        return ox.Literal(value)
    if kind == "integer":
        try:
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
        except ValueError:
            raise ParameterError(f"{value!r} is not a whole number") from None
    if kind == "iri":
        expanded = expand(value.strip())
        if expanded is None or _IRI_FORBIDDEN & set(expanded):
            raise ParameterError(f"{value!r} is not an IRI")
        return ox.NamedNode(expanded)
    raise ParameterError(f"unknown parameter kind {kind!r}")


def store_label(store, resource: str) -> str:
    """A resource's rdfs:label read from an Oxigraph store, else its IRI shortened (blank nodes
    keep their id)."""
    import pyoxigraph as ox

    if resource.startswith("_:") or _IRI_FORBIDDEN & set(resource):
        return resource
    try:
        node = ox.NamedNode(resource)
    except ValueError:
        return resource
    for found in store.quads_for_pattern(node, ox.NamedNode(PREFIXES["rdfs"] + "label"), None):
        return found.object.value
    return shorten(resource)
