"""Choosing the resource a typed name denotes, independent of the RDF library that holds the graph.

`candidates` maps each resource's IRI to its names (label and other names); `choose` applies the
rules every command shares: case-insensitive names, the IRI's local name, a prefixed or full IRI,
an ambiguity error, and close matches suggested for an unknown name.
"""

from __future__ import annotations

import re

from mkgraph.core.errors import AmbiguousNameError, ParameterError, UnknownNameError
from mkgraph.core.limits import MAX_VALUE_LENGTH
from mkgraph.core.prefixes import PREFIXES, shorten

KIND_CLASSES = {
    "system": "System",
    "language": "ProgrammingLanguage",
    "architecture": "Architecture",
    "trait": "Trait",
    "interface": "Interface",
    "family": "KernelFamily",
    "agent": "Agent",
}
_IRI_FORBIDDEN = set(' <>"{}|^`\\\n\t\r')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def absolute_iri(value: str) -> str:
    """The full IRI a parameter value of kind iri denotes; a relative one (``<foo>``), one with
    characters IRIs cannot hold, or text that is not one at all is a ParameterError."""
    expanded = expand(value.strip())
    if expanded is None or _IRI_FORBIDDEN & set(expanded) or not _SCHEME.match(expanded):
        raise ParameterError(
            f"{value!r} is not an absolute IRI (write it in full, with its scheme)"
        )
    return expanded


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


def local_name(iri: str) -> str:
    """The IRI's last segment (after its last / or #): a name as good as a label, and what the
    ambiguous-name-violation check computes with REPLACE(STR(?r), "^.*[/#]", "")."""
    return re.split(r"[/#]", iri)[-1]


def choose(candidates: dict[str, list[str]], kind: str, value: str) -> str:
    """The IRI of the one candidate the value names, or a one-line error that helps.

    The rule, the same for every command, engine and the server: a full or prefixed IRI names
    its resource; otherwise the value, ignoring case, must equal a candidate's label, other name
    or IRI local name. Two candidates or more is an error that lists them by name, never a pick.
    Each candidate's names start with its label."""
    if len(value) > MAX_VALUE_LENGTH:
        raise ParameterError(f"parameter value is too long ({len(value)} characters)")
    wanted = value.strip().casefold()
    expanded = expand(value.strip())
    if expanded is not None and expanded in candidates:
        return expanded
    matches = sorted(
        (
            iri
            for iri, names in candidates.items()
            if wanted in (n.casefold() for n in names) or local_name(iri).casefold() == wanted
        ),
        key=lambda iri: (_display(iri, candidates[iri]).casefold(), iri),
    )
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        shown = [f"{_display(m, candidates[m])} ({shorten(m)})" for m in matches]
        listed = ", ".join(shown[:-1]) + " or " + shown[-1]
        raise AmbiguousNameError(
            f"{kind} name {value!r} is ambiguous: it could be {listed}",
            value=value,
            candidates=tuple(matches),
        )
    from difflib import get_close_matches  # only for an unknown name's suggestions

    folded = {n.casefold(): n for names in candidates.values() for n in names}
    close = [folded[c] for c in get_close_matches(wanted, list(folded), n=3, cutoff=0.6)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    shown_value = value if len(value) <= 60 else value[:57] + "..."
    noun = "resource" if kind == "any" else kind
    raise UnknownNameError(f"no {noun} named {shown_value!r} in the graph{hint}")


def _display(iri: str, names: list[str]) -> str:
    return names[0] if names else shorten(iri)


def candidates_query(kind: str) -> str:
    """The query that finds every resource of a kind with its names (store_candidates)."""
    classes = KIND_CLASSES.values() if kind == "any" else [KIND_CLASSES[kind]]
    values = " ".join(f"<{PREFIXES['mk']}{c}>" for c in classes)
    return (
        "SELECT DISTINCT ?r ?label ?other WHERE { VALUES ?class { " + values + " } "
        f"?type <{PREFIXES['rdfs']}subClassOf>* ?class . ?r a ?type . FILTER isIRI(?r) "
        f"OPTIONAL {{ ?r <{PREFIXES['rdfs']}label> ?label }} "
        f"OPTIONAL {{ ?r <{PREFIXES['skos']}altLabel> ?other }} }}"
    )


def store_candidates(store, kind: str) -> dict[str, list[str]]:
    """Every resource of a kind in an Oxigraph store, with its names (label first)."""
    labels: dict[str, list[str]] = {}
    others: dict[str, list[str]] = {}
    for solution in store.query(candidates_query(kind)):
        iri = solution["r"].value
        for column, found in (("label", labels), ("other", others)):
            names = found.setdefault(iri, [])
            if solution[column] is not None and solution[column].value not in names:
                names.append(solution[column].value)
    return {iri: sorted(labels[iri]) + sorted(others[iri]) for iri in labels}


def store_value(store, kind: str, value: str, candidates=None):
    """A parameter value as a pyoxigraph term, read according to its kind. `candidates(kind)`
    gives store_candidates' table where it is known already (remembered with the cached store)."""
    import pyoxigraph as ox

    if len(value) > MAX_VALUE_LENGTH:
        raise ParameterError(f"parameter value is too long ({len(value)} characters)")
    if kind in KIND_CLASSES:
        table = candidates(kind) if candidates is not None else store_candidates(store, kind)
        return ox.NamedNode(choose(table, kind, value))
    if kind == "string":
        return ox.Literal(value)
    if kind == "integer":
        try:
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
        except ValueError:
            raise ParameterError(f"{value!r} is not a whole number") from None
    if kind == "date":
        from mkgraph.store import periods

        text, datatype = periods.literal(value)
        return ox.Literal(text, datatype=ox.NamedNode(PREFIXES["xsd"] + datatype))
    if kind == "iri":
        try:
            return ox.NamedNode(absolute_iri(value))
        except ValueError:  # an IRI Oxigraph's parser refuses
            raise ParameterError(f"{value!r} is not a valid IRI") from None
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
