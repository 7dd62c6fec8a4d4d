"""Curators first: `mkgraph new`, the plain-words validate report, the CONTRIBUTING.md walk-through
(a new listed project with 20 sourced facts in at most 60 lines, validated, shown exactly by diff),
stale facts, source kinds and the copy-only report, and the refusal of bare-IP source addresses."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from gitrepo import commit_all
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from mkgraph.core.namespaces import PROV, SOURCE, SOURCE_KIND
from mkgraph.store import sourcekinds
from mkgraph.store.graph import parse_file
from mkgraph.views import review

# rdflib's parse of each text kept for the module (its tests load copies of the fixture root and
# small roots): conftest.kept_parses
pytestmark = pytest.mark.usefixtures("kept_parses")

CONTRIBUTING = Path(__file__).parent.parent / "CONTRIBUTING.md"
EXAMPLE_MARK = "<!-- example: data/projects/fake-os.trig -->\n```trig\n"
EXAMPLE_DAY = "2026-12-02"  # the day the example's sources were read


def example_from_contributing() -> str:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    return text.split(EXAMPLE_MARK, 1)[1].split("```", 1)[0]


# Step 3 of CONTRIBUTING.md, as a new user does it in the file `mkgraph new` wrote: replace each
# TODO (several values where a source gives several), delete a line to move it elsewhere, add a
# line per further source, its graph, and a fact with a note (the template's commented example).
FILL_IN = [
    (
        '"TODO: one or two sentences, in your own words, on what Fake OS is"',
        '"A made-up capability-based microkernel in Rust, used to show how a project is added."',
    ),
    (
        "schema:url <https://TODO.example/fake-os> .",
        "schema:url <https://git.example.org/fake-os> .",
    ),
    ("a mk:TODO ;", "a mk:Microkernel ;"),
    ("<https://TODO.example/fake-os> ;", "<https://git.example.org/fake-os> ;"),
    ("spdx:TODO", "spdx:MIT"),
    ("lang:TODO", "lang:rust, lang:assembly"),
    ("arch:TODO", "arch:x86-64, arch:aarch64"),
    (
        '    mk:startYear "TODO: the year of the first commit, as \\"2019\\"^^xsd:gYear" ;\n',
        "",
    ),
    (
        '"TODO: the day of the latest commit, as \\"2026-11-30\\"^^xsd:date"',
        '"2026-11-20"^^xsd:date',
    ),
    ("status:TODO", "status:active"),
    ("agent:TODO", "agent:fake-os-team"),
    ("# _:start {", "_:start {"),
]
ADDED_AFTER_THE_FIRST_SOURCE = """\
source:fake-os-readme a mk:Source ; rdfs:label "Fake OS README" ; mk:readOn "{today}"^^xsd:date ; \
mk:sourceKind kind:own ; schema:url <https://git.example.org/fake-os/blob/main/README.md> .
agent:fake-os-team a mk:Organisation ; rdfs:label "The Fake OS team" .
"""
ADDED_AT_THE_END = """\
source:fake-os-readme { sys:fake-os mk:hasTrait trait:capability-based, trait:multiserver ;
    mk:hasTrait trait:asynchronous-io ; mk:compatibleWith iface:posix ; mk:inspiredBy sys:sel4 ;
    skos:altLabel "FakeOS" ; mk:ownedBy agent:fake-os-team }
_:riscv { sys:fake-os mk:supportsArchitecture arch:riscv64 } _:riscv prov:wasDerivedFrom \
source:fake-os-readme ; mk:supportLevel support:experimental ; skos:note "boots in QEMU, no drivers yet" .
"""

# What `mkgraph diff` must show for the new project: its 20 sourced facts, each with its source,
# and the four facts outside any graph (name, description, being on the list, and so a listed
# project).
SHOWN = """\
Fake OS  <https://w3id.org/mkgraph/system/fake-os>
  + description: A made-up capability-based microkernel in Rust, used to show how a project is added.
  + licence: MIT  [Fake OS repository (README, licence, build files, history)]
  + listed in: microkernel.info: the list of active free and open-source microkernel projects
  + homepage: https://fake-os.example.org  [microkernel.info: the list of active free and open-source microkernel projects]
  + kind: listed project
  + kind: microkernel  [Fake OS repository (README, licence, build files, history)]
  + name: Fake OS
  + other name: FakeOS  [Fake OS README]
  + repository: https://git.example.org/fake-os  [Fake OS repository (README, licence, build files, history)]
  + compatible with: POSIX  [Fake OS README]
  + developed by: The Fake OS team  [Fake OS repository (README, licence, build files, history)]
  + has trait: Asynchronous I/O  [Fake OS README]
  + has trait: Capability-based  [Fake OS README]
  + has trait: Multiserver  [Fake OS README]
  + implemented in: Assembly  [Fake OS repository (README, licence, build files, history)]
  + implemented in: Rust  [Fake OS repository (README, licence, build files, history)]
  + inspired by: seL4  [Fake OS README]
  + latest activity: 2026-11-20  [Fake OS repository (README, licence, build files, history)]
  + owned by: The Fake OS team  [Fake OS README]
  + start year: 2019  [Fake OS repository (README, licence, build files, history)]
  + status: active  [Fake OS repository (README, licence, build files, history)]
  + supports architecture: AArch64  [Fake OS repository (README, licence, build files, history)]
  + supports architecture: RISC-V (64-bit)  [Fake OS README]
  + supports architecture: x86-64  [Fake OS repository (README, licence, build files, history)]
"""


def fill_in(template: str, today: str) -> str:
    text = template
    for old, new in FILL_IN:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    first_source = text.index("\n", text.index("source:fake-os-repository a mk:Source")) + 1
    text = (
        text[:first_source] + ADDED_AFTER_THE_FIRST_SOURCE.format(today=today) + text[first_source:]
    )
    return text + ADDED_AT_THE_END


def test_walk_through_of_contributing(fixture_root, invoke):
    """As a new user: mkgraph new, fill in as CONTRIBUTING.md says, validate, diff, format (on
    the fixture root: the walk-through is about the commands, not the bundled projects)."""
    commit_all(fixture_root, "before the new project")
    root = ("--root", str(fixture_root))

    made = invoke(*root, "new", "Fake OS", "--homepage", "https://fake-os.example.org", "--listed")
    target = fixture_root / "data" / "projects" / "fake-os.trig"
    assert made.exit_code == 0, made.output
    assert made.output == f"wrote {target}: fill in each TODO, then run mkgraph validate\n"

    # The unfilled template loads, and validate says in plain words what is still missing, as
    # CONTRIBUTING.md shows it.
    report = invoke(*root, "validate")
    assert report.exit_code == 1
    for field in ("description", "implemented in", "supports architecture", "license", "status"):
        assert f"still to fill in: {field} (replace the TODO" in report.output, field
    guide = CONTRIBUTING.read_text(encoding="utf-8")
    shown_in_guide = guide.split("names what is still to fill in, in plain words:", 1)[1]
    for line in shown_in_guide.split("```", 2)[1].splitlines():
        assert line.strip() in ("", "...") or line.strip() in report.output, line
    assert "Traceback" not in report.output

    today = dt.date.today().isoformat()
    filled = fill_in(target.read_text(encoding="utf-8"), today)
    target.write_text(filled, encoding="utf-8")
    # the guide's own count: "(31 lines; 50 as filled in, ...)"
    tidied, as_filled = map(int, re.search(r"\((\d+) lines; (\d+) as filled in", guide).groups())
    assert len(filled.splitlines()) == as_filled <= 60
    graph = parse_file(target)
    assert len(sourced_facts(graph)) == 20

    checked = invoke(*root, "validate")
    assert (checked.exit_code, checked.output) == (0, "The graph conforms: no problems found.\n")

    shown = invoke(*root, "diff")
    assert shown.exit_code == 0, shown.output
    assert shown.output.endswith("\n\nFacts: 36 added.\n")
    assert shown.output.startswith(SHOWN)
    # then what else the change describes: the two sources and the team, nothing more
    headers = [line for line in shown.output.splitlines() if line and not line.startswith(" ")]
    assert headers[1:] == [
        "Fake OS README  <https://w3id.org/mkgraph/source/fake-os-readme>",
        "Fake OS repository (README, licence, build files, history)  "
        "<https://w3id.org/mkgraph/source/fake-os-repository>",
        "The Fake OS team  <https://w3id.org/mkgraph/agent/fake-os-team>",
        "Facts: 36 added.",
    ]
    assert "  + address: https://git.example.org/fake-os/blob/main/README.md\n" in shown.output

    # Formatted, the file is the example CONTRIBUTING.md shows, and the graph is the same.
    formatted = invoke(*root, "format", str(target))
    assert formatted.exit_code == 0, formatted.output
    text = target.read_text(encoding="utf-8")
    assert len(text.splitlines()) == tidied <= 60
    assert text.replace(today, EXAMPLE_DAY) == example_from_contributing()
    assert invoke(*root, "format", "--check", str(target)).exit_code == 0
    again = invoke(*root, "diff")
    assert again.output == shown.output


def sourced_facts(graph: Graph) -> set:
    """The facts that have a statement naming a source."""
    return {
        (graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object))
        for st in graph.subjects(PROV.wasDerivedFrom, None)
    }


@pytest.fixture
def refusing_root(fixture_kg):
    """The fixture root and its graph, loaded once per run: every request below is refused and
    writes nothing (each test checks that)."""
    return fixture_kg.resources.root, fixture_kg


@pytest.mark.parametrize(
    "args, message",
    [
        (("new", "seL4", "--homepage", "https://sel4.systems"), "'seL4' is already in the graph"),
        (("new", "Fake", "--homepage", "ftp://x.example.org"), "is not an http(s) address"),
        (("new", "???", "--homepage", "https://x.example.org"), "has no letters or digits"),
    ],
)
def test_new_refuses_bad_requests(args, message, refusing_root):
    from commands import invoke_on

    root, kg = refusing_root
    before = sorted((root / "data").rglob("*"))
    result = invoke_on(kg, *args)
    assert result.exit_code == 2
    assert result.output.startswith("mkgraph: error: ") and message in result.output
    assert sorted((root / "data").rglob("*")) == before


def test_new_refuses_to_overwrite(fixture_root, invoke):
    from mkgraph.core.errors import ParameterError
    from mkgraph.core.resources import Resources
    from mkgraph.store.template import new_project

    args = ("--root", str(fixture_root), "new", "Fake OS", "--homepage", "https://f.example.org")
    assert invoke(*args).exit_code == 0
    target = fixture_root / "data" / "projects" / "fake-os.trig"
    written = target.read_text(encoding="utf-8")
    again = invoke(*args)
    assert again.exit_code == 2
    assert "'Fake OS' is already in the graph as <https://w3id.org/mkgraph/system/fake-os>" in (
        again.output
    )
    target.write_text(written.replace("sys:fake-os", "sys:other-os"), encoding="utf-8")
    with pytest.raises(ParameterError, match="fake-os.trig already exists: edit it instead"):
        new_project(Resources(fixture_root), "Fake OS", "https://f.example.org", listed=False)


def test_stale_facts_use_the_newest_source(fixture_kg):
    kg = fixture_kg
    read = URIRef("https://w3id.org/mkgraph/ontology#readOn")
    copied = URIRef("https://w3id.org/mkgraph/ontology#copyTakenOn")
    days = [o.toPython() for o in kg.graph.objects(None, read)]
    newest = max(days)
    oldest = min(days + [o.toPython() for o in kg.graph.objects(None, copied)])
    day_after = newest + dt.timedelta(days=1)
    everything = review.stale_facts(kg.graph, 0, today=day_after)
    assert everything and all(f.age_days >= 1 for f in everything)
    assert review.stale_facts(kg.graph, (day_after - oldest).days, today=day_after) == []
    # a fact is stale only when even its newest source is older than the limit
    assert all(f.as_of < newest for f in review.stale_facts(kg.graph, 0, today=newest))


def test_coverage_stale_command(invoke, fixture_kg):
    root = ("--root", str(fixture_kg.resources.root))
    none = invoke(*root, "coverage", "--stale", "100000")
    assert (none.exit_code, none.output) == (
        0,
        "No fact rests only on sources more than 100000 days old.\n",
    )
    listed = invoke(*root, "coverage", "--stale", "0", "--format", "json")
    assert listed.exit_code == 0 and '"age_days"' in listed.output
    bad = invoke(*root, "coverage", "--stale", "-1")
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
