"""Curators first: `mkgraph new`, the plain-words validate report, the CONTRIBUTING.md walk-through
(a new listed project with 20 sourced facts in at most 60 lines, validated, shown exactly by diff),
stale facts, source kinds and the copy-only report, and the refusal of bare-IP source addresses."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from mkgraph.core.namespaces import SOURCE, SOURCE_KIND
from mkgraph.store import sourcekinds
from mkgraph.store.graph import parse_file
from mkgraph.views import review
from mkgraph.views.diff import facts

CONTRIBUTING = Path(__file__).parent.parent / "CONTRIBUTING.md"
EXAMPLE_MARK = "<!-- example: data/projects/fake-os.trig -->\n```trig\n"
FAKE = URIRef("https://w3id.org/mkgraph/system/fake-os")


def example_from_contributing() -> str:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    return text.split(EXAMPLE_MARK, 1)[1].split("```", 1)[0]


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_walk_through_of_contributing(scratch_root, invoke):
    """As a new user: mkgraph new, fill in (the example from CONTRIBUTING.md), validate, diff."""
    git(scratch_root, "init", "-q")
    git(scratch_root, "add", "-A")
    git(scratch_root, "commit", "-qm", "before the new project")
    root = ("--root", str(scratch_root))

    made = invoke(*root, "new", "Fake OS", "--homepage", "https://fake-os.example.org", "--listed")
    target = scratch_root / "data" / "projects" / "fake-os.trig"
    assert made.exit_code == 0, made.output
    assert made.output == f"wrote {target}: fill in each TODO, then run mkgraph validate\n"

    # The unfilled template loads, and validate says in plain words what is still missing.
    report = invoke(*root, "validate")
    assert report.exit_code == 1
    for field in ("description", "implemented in", "supports architecture", "license", "status"):
        assert f"still to fill in: {field} (replace the TODO" in report.output, field
    assert "Fake OS:" in report.output and "Traceback" not in report.output

    # The curator fills it in: the worked example of CONTRIBUTING.md.
    filled = example_from_contributing()
    target.write_text(filled, encoding="utf-8")
    assert len(filled.splitlines()) <= 60
    graph = parse_file(target)
    sourced = {
        (s, p, o)
        for s, p, o in facts(graph)
        if any(
            graph.value(st, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate")) == p
            and graph.value(st, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#object")) == o
            for st in graph.subjects(
                URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"), s
            )
        )
    }
    assert len(sourced) == 20

    checked = invoke(*root, "validate")
    assert (checked.exit_code, checked.output) == (0, "The graph conforms: no problems found.\n")

    shown = invoke(*root, "diff")
    assert shown.exit_code == 0, shown.output
    section = shown.output.split("Fake OS  <https://w3id.org/mkgraph/system/fake-os>\n", 1)[1]
    lines = section.splitlines()
    added = lines[: next(i for i, line in enumerate(lines) if not line.startswith("  "))]
    about_fake = {f for f in facts(graph) if f[0] == FAKE}
    assert len(added) == len(about_fake) == 24  # the 20 sourced facts, name, description, listing
    assert all(line.startswith("  + ") for line in added)
    assert sum(1 for line in added if line.endswith("]")) == 20
    assert "  + supports architecture: RISC-V (64-bit)  [Fake OS README]" in added
    assert "  + start year: 2019  [Fake OS git history]" in added

    formatted = invoke(*root, "format", str(target))
    assert formatted.exit_code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) <= 60
    again = invoke(*root, "diff")
    assert again.output == shown.output  # formatting changes nothing in the graph


@pytest.mark.parametrize(
    "args, message",
    [
        (("new", "seL4", "--homepage", "https://sel4.systems"), "'seL4' is already in the graph"),
        (("new", "Fake", "--homepage", "ftp://x.example.org"), "is not an http(s) address"),
        (("new", "???", "--homepage", "https://x.example.org"), "has no letters or digits"),
    ],
)
def test_new_refuses_bad_requests(args, message, scratch_root, invoke):
    before = sorted((scratch_root / "data").rglob("*"))
    result = invoke("--root", str(scratch_root), *args)
    assert result.exit_code == 2
    assert result.output.startswith("mkgraph: error: ") and message in result.output
    assert sorted((scratch_root / "data").rglob("*")) == before


def test_new_refuses_to_overwrite(scratch_root, invoke):
    from mkgraph.core.errors import ParameterError
    from mkgraph.core.resources import Resources
    from mkgraph.store.template import new_project

    args = ("--root", str(scratch_root), "new", "Fake OS", "--homepage", "https://f.example.org")
    assert invoke(*args).exit_code == 0
    target = scratch_root / "data" / "projects" / "fake-os.trig"
    written = target.read_text(encoding="utf-8")
    again = invoke(*args)
    assert again.exit_code == 2
    assert "'Fake OS' is already in the graph as <https://w3id.org/mkgraph/system/fake-os>" in (
        again.output
    )
    target.write_text(written.replace("sys:fake-os", "sys:other-os"), encoding="utf-8")
    with pytest.raises(ParameterError, match="fake-os.trig already exists: edit it instead"):
        new_project(Resources(scratch_root), "Fake OS", "https://f.example.org", listed=False)


def test_stale_facts_use_the_newest_source(kg):
    read = URIRef("https://w3id.org/mkgraph/ontology#readOn")
    days = [o.toPython() for o in kg.graph.objects(None, read)]
    newest, oldest = max(days), min(days)
    day_after = newest + dt.timedelta(days=1)
    everything = review.stale_facts(kg.graph, 0, today=day_after)
    assert everything and all(f.age_days >= 1 for f in everything)
    assert review.stale_facts(kg.graph, (day_after - oldest).days, today=day_after) == []
    # a fact is stale only when even its newest source is older than the limit
    assert all(f.read_on < newest for f in review.stale_facts(kg.graph, 0, today=newest))


def test_coverage_stale_command(invoke):
    none = invoke("coverage", "--stale", "100000")
    assert (none.exit_code, none.output) == (
        0,
        "No fact rests only on sources read more than 100000 days ago.\n",
    )
    listed = invoke("coverage", "--stale", "0", "--format", "json")
    assert listed.exit_code == 0 and '"age_days"' in listed.output
    bad = invoke("coverage", "--stale", "-1")
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    "source, kind, url, name, expected",
    [
        (
            SOURCE["microkernel-info-list"],
            "",
            "https://www.microkernel.info/",
            "list",
            "source-list",
        ),
        (SOURCE.x, "readme", "https://github.com/seL4/seL4/README.md", "seL4 README", "own"),
        (SOURCE.x, "web page", "https://wikimili.com/en/Minix_3", "Minix 3", "copy"),
        (
            SOURCE.x,
            "readme",
            "https://github.com/joshumax/hurd",
            "Hurd (unofficial mirror)",
            "copy",
        ),
        (SOURCE.x, "web page", "http://40.74.122.252/x", "a page", "copy"),
        (SOURCE.x, "web page", "https://en.wikipedia.org/wiki/L4", "L4", "encyclopedia"),
        (SOURCE.x, "web page", "https://www.osnews.com/story/1", "MINIX released", "news"),
        (SOURCE.x, "web page", "https://example.org/p.pdf", "A design", "paper"),
        (SOURCE.x, "web page", "https://exectos.eu.org/", "ExectOS home page", "own"),
        (SOURCE.x, "web page", "https://blog.example.org/post", "A blog post", "other"),
    ],
)
def test_source_kind_guesses(source, kind, url, name, expected):
    assert sourcekinds.classify(source, kind, url, name) == SOURCE_KIND[expected]


def test_migration_classifies_sources_and_the_copy_only_report_lists_facts(small_root, invoke):
    shutil.copy(Path(__file__).parent / "fixtures" / "shapes" / "valid.ttl", small_root / "data")
    mirror = small_root / "data" / "mirror.ttl"
    mirror.write_text(
        """PREFIX mk: <https://w3id.org/mkgraph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX source: <https://w3id.org/mkgraph/source/>
PREFIX sys: <https://w3id.org/mkgraph/system/>
PREFIX lang: <https://w3id.org/mkgraph/language/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
source:testos-mirror a mk:Source ; rdfs:label "TestOS README (GitHub mirror)" ;
    schema:url <https://github.com/someone/testos> ; mk:readOn "2026-11-28"^^xsd:date .
sys:testos mk:implementedIn lang:rust .
[] a rdf:Statement ; rdf:subject sys:testos ; rdf:predicate mk:implementedIn ; rdf:object lang:rust ;
    prov:wasDerivedFrom source:testos-mirror .
""",
        encoding="utf-8",
    )
    root = ("--root", str(small_root))
    assert invoke(*root, "format", "--migrate").exit_code == 0
    graph = Graph()
    for path in (small_root / "data").rglob("*.t*"):
        parse_file(path, into=graph)
    kind = URIRef("https://w3id.org/mkgraph/ontology#sourceKind")
    assert graph.value(SOURCE["testos-mirror"], kind) == SOURCE_KIND.copy
    assert graph.value(SOURCE["microkernel-info-list"], kind) == SOURCE_KIND["source-list"]
    report = invoke(*root, "query", "copy-only-facts", "-f", "csv")
    assert report.exit_code == 0
    assert report.output.splitlines()[1:] == [
        "TestOS,implemented in,Rust,TestOS README (GitHub mirror)"
    ]


def test_bare_ip_addresses_are_refused_in_every_disguise(small_root, invoke):
    """One source per disguise of a bare IP address; each must be refused, and names that only
    look numeric must not."""
    refused = [
        "http://40.74.122.252/index.cgi",
        "https://10.0.0.1",
        "http://127.0.0.1:8080/x",
        "http://user@192.168.1.2/",
        "http://user:pw@8.8.8.8:80/?q",
        "https://[::1]/page",
        "http://[2001:db8::7]:8443",
        "http://1.2.3.4#frag",
        "http://1.2.3.4?x",
    ]
    accepted = ["https://1.2.3.4.nip.io/", "https://123.example.org/x", "http://x1.example/"]
    lines = [
        "PREFIX mk: <https://w3id.org/mkgraph/ontology#>",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
        "PREFIX schema: <https://schema.org/>",
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>",
    ]
    for index, url in enumerate(refused + accepted):
        lines.append(
            f'<https://w3id.org/mkgraph/source/s{index}> a mk:Source ; rdfs:label "S{index}" ; '
            f'schema:url <{url}> ; mk:readOn "2026-11-28"^^xsd:date .'
        )
    (small_root / "data" / "addresses.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for validator in ("rudof", "pyshacl"):
        result = invoke("--root", str(small_root), "validate", "--validator", validator)
        assert result.exit_code == 1, result.output
        flagged = set(re.findall(r"\(value: (\S+)\)", result.output))
        assert flagged == set(refused), validator
        assert result.output.count("must name a site, not a bare IP address") == len(refused)
