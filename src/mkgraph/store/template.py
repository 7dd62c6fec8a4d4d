"""`mkgraph new`: a new project file from the template, with every field to fill marked TODO.

The file is TriG in the compact provenance form (each fact under the source it was read in), so a
filled-in project of twenty sourced facts fits in well under sixty lines. `mkgraph validate` names
each TODO still left ("still to fill in: implementedIn"), through queries/placeholder-violation.rq.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from string import Template

from mkgraph.core.errors import ParameterError
from mkgraph.core.resources import Resources

TEMPLATE = Template("""\
# Written by `mkgraph new`. Replace each TODO with what a source says, or delete the line; keep
# every fact under the source you read it in (see CONTRIBUTING.md). Then run `mkgraph validate`
# (it names what is still to fill in), `mkgraph format` and `mkgraph diff`.
PREFIX agent: <https://w3id.org/mkgraph/agent/>
PREFIX arch: <https://w3id.org/mkgraph/architecture/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX doap: <http://usefulinc.com/ns/doap#>
PREFIX kind: <https://w3id.org/mkgraph/source-kind/>
PREFIX lang: <https://w3id.org/mkgraph/language/>
PREFIX mk: <https://w3id.org/mkgraph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX source: <https://w3id.org/mkgraph/source/>
PREFIX spdx: <http://spdx.org/licenses/>
PREFIX status: <https://w3id.org/mkgraph/status/>
PREFIX sys: <https://w3id.org/mkgraph/system/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

# Required: a name, a description in your own words (a sentence or two)$listed_note.
sys:$slug $types ;
    rdfs:label $name ;
    dct:description "TODO: one or two sentences, in your own words, on what $plain_name is"$list_source .

# Each source: what it is, its kind (own, paper, news, encyclopedia, copy, other), its address,
# the day you read it. Prefer the project's own files; add one block per further source.
source:$slug-repository a mk:Source ;
    rdfs:label "$plain_name repository (README, licence, build files, history)" ;
    mk:readOn "$today"^^xsd:date ;
    mk:sourceKind kind:own ;
    schema:url <https://TODO.example/$slug> .
$homepage_graph
# The facts, each under the source that states it. A kind: mk:Microkernel, mk:OperatingSystem,
# mk:Hypervisor, mk:SeparationKernel or mk:OSFramework; names from data/vocabulary/.
source:$slug-repository {
    sys:$slug a mk:TODO ;$homepage_fact
        schema:codeRepository <https://TODO.example/$slug> ;
        dct:license spdx:TODO ;
        mk:implementedIn lang:TODO ;
        mk:supportsArchitecture arch:TODO ;
        mk:startYear "TODO: the year of the first commit, as \\"2019\\"^^xsd:gYear" ;
        mk:latestActivity "TODO: the day of the latest commit, as \\"2026-11-30\\"^^xsd:date" ;
        mk:status status:TODO ;
        mk:developedBy agent:TODO .
}

# A fact with a note, validity dates or several sources: name it, and annotate the name.
# _:start { sys:$slug mk:startYear "2019"^^xsd:gYear }
# _:start prov:wasDerivedFrom source:$slug-repository ; skos:note "first commit 2019-03-02" .
""")


def slug(name: str) -> str:
    """A file and IRI name for a project: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_project(
    resources: Resources, name: str, homepage: str, listed: bool, today: dt.date | None = None
) -> Path:
    """Write data/projects/SLUG.trig from the template; refuses to overwrite a file (the library
    API also refuses a system the graph already describes)."""
    name = name.strip()
    key = slug(name)
    if not key:
        raise ParameterError(f"project name {name!r} has no letters or digits to name a file by")
    if not re.fullmatch(r'https?://[^\s<>"{}|^`\\]+', homepage):
        raise ParameterError(f"homepage {homepage!r} is not an http(s) address")
    folder = resources.data / "projects"
    for existing in (folder / f"{key}.trig", folder / f"{key}.ttl"):
        if existing.exists():
            raise ParameterError(f"{existing} already exists: edit it instead")
    if listed:
        homepage_graph = (
            "\n# The list itself says the project's homepage.\n"
            f"source:microkernel-info-list {{ sys:{key} doap:homepage <{homepage}> }}\n"
        )
        homepage_fact = ""
    else:
        homepage_graph = ""
        homepage_fact = f"\n        doap:homepage <{homepage}> ;"
    text = TEMPLATE.substitute(
        slug=key,
        name=_quoted(name),
        plain_name=name.replace('"', "'"),
        types="a mk:ListedProject" if listed else "a mk:System",
        listed_note=" and, being on the list, the list as its source" if listed else "",
        list_source=" ;\n    dct:source source:microkernel-info-list" if listed else "",
        today=(today or dt.date.today()).isoformat(),
        homepage_graph=homepage_graph,
        homepage_fact=homepage_fact,
    )
    from mkgraph.core.writing import write_file

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key}.trig"
    write_file(target, text)
    return target
