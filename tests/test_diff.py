"""`mkgraph diff`: what a change does to the graph, by system, with sources; exit 1 when a fact
lost its last source."""

from __future__ import annotations

import pytest
from gitrepo import commit_all
from rdflib import Graph

from mkgraph.store.trig import prefix_block

# rdflib's parse of each text kept for the module (each test compares a copy of the fixture root
# with its last commit): conftest.kept_parses
pytestmark = pytest.mark.usefixtures("kept_parses")

PREFIXES = prefix_block(
    "arch", "lang", "mk", "prov", "rdfs", "schema", "skos", "source", "support", "sys", "xsd"
)

BEFORE = (
    PREFIXES
    + """
sys:difftest a mk:Microkernel ; rdfs:label "DiffTest" .
source:difftest-readme a mk:Source ; rdfs:label "DiffTest README" ;
    schema:url <https://example.org/difftest/README> ; mk:readOn "2026-11-01"^^xsd:date .
source:difftest-readme { sys:difftest mk:implementedIn lang:c ; mk:startYear "2019"^^xsd:gYear }
"""
)

AFTER = (
    PREFIXES
    + """
sys:difftest a mk:Microkernel ; rdfs:label "DiffTest" ; mk:implementedIn lang:c .
source:difftest-readme a mk:Source ; rdfs:label "DiffTest README" ;
    schema:url <https://example.org/difftest/README> ; mk:readOn "2026-11-01"^^xsd:date .
source:difftest-readme { sys:difftest mk:startYear "2020"^^xsd:gYear }
_:arch-1 { sys:difftest mk:supportsArchitecture arch:riscv64 }
_:arch-1 prov:wasDerivedFrom source:difftest-readme ; skos:note "the build matrix" .
"""
)


@pytest.fixture
def repo(fixture_root):
    (fixture_root / "data" / "projects" / "difftest.trig").write_text(BEFORE, encoding="utf-8")
    commit_all(fixture_root, "before")
    return fixture_root


def test_no_change(repo, invoke):
    result = invoke("--root", str(repo), "diff")
    assert (result.exit_code, result.output) == (0, "No change to the graph.\n")


def test_migrating_the_data_changes_nothing_but_the_source_kinds(repo, invoke):
    assert invoke("--root", str(repo), "format", "--migrate").exit_code == 0
    result = invoke("--root", str(repo), "diff")
    assert result.exit_code == 0
    changes = [line for line in result.output.splitlines() if line.startswith("  ")]
    kinds = [line for line in changes if line.startswith("  + kind of source: ")]
    assert changes == kinds
    assert result.output.endswith(f"\n\nFacts: {len(kinds)} added.\n")
    # migrated again and formatted: no change at all
    commit_all(repo, "migrated")
    assert invoke("--root", str(repo), "format").exit_code == 0
    again = invoke("--root", str(repo), "diff")
    assert (again.exit_code, again.output) == (0, "No change to the graph.\n")


def test_a_change_in_a_curators_words(repo, invoke):
    (repo / "data" / "projects" / "difftest.trig").write_text(AFTER, encoding="utf-8")
    result = invoke("--root", str(repo), "diff", "HEAD")
    assert result.exit_code == 1  # implemented in C lost its last source
    assert result.output == (
        "DiffTest  <https://w3id.org/mkgraph/system/difftest>\n"
        "  ! implemented in: C: lost its last source (had: DiffTest README)\n"
        "  ~ start year: 2019 -> 2020  [DiffTest README]\n"
        "  + supports architecture: RISC-V (64-bit)  [DiffTest README]\n"
        "\n"
        "Facts: 1 added, 1 changed, 1 lost their last source.\n"
    )


def test_turtle_gives_the_removed_and_added_triples(repo, invoke):
    (repo / "data" / "projects" / "difftest.trig").write_text(AFTER, encoding="utf-8")
    result = invoke("--root", str(repo), "diff", "-f", "turtle")
    removed_text, added_text = result.output.split("# added: ")
    removed = Graph().parse(data=removed_text, format="turtle")
    added = Graph().parse(data=added_text.split("\n", 1)[1], format="turtle")
    year = "https://w3id.org/mkgraph/ontology#startYear"
    assert {str(o) for o in removed.objects(None, None) if str(o) in ("2019", "2020")} == {"2019"}
    assert {str(o) for s, p, o in added if str(p) == year} == {"2020"}
    assert removed_text.startswith("# removed: ")
    # the old statement (2019, and the one for C) went; the new ones (2020, RISC-V) came
    assert len(removed) == 1 + 2 * 5 and len(added) == 1 + 1 + 2 * 5 + 1


def test_against_another_root(repo, invoke, tmp_path):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(repo, other, ignore=shutil.ignore_patterns(".git"))
    (other / "data" / "projects" / "difftest.trig").write_text(AFTER, encoding="utf-8")
    result = invoke("--root", str(other), "diff", "--root", str(repo))
    assert "  ~ start year: 2019 -> 2020  [DiffTest README]\n" in result.output
    assert result.exit_code == 1


def test_bad_revision_is_one_clear_line(repo, invoke):
    result = invoke("--root", str(repo), "diff", "no-such-rev")
    assert result.exit_code == 2
    assert result.output.startswith("mkgraph: error: cannot read revision 'no-such-rev' of ")
    assert result.output.count("\n") == 1


def test_revision_and_root_together_are_refused(repo, invoke):
    result = invoke("--root", str(repo), "diff", "HEAD", "--root", str(repo))
    assert result.exit_code == 2
    assert "compare with a revision or with another root, not both" in result.output


def edited(repo, *replacements: tuple[str, str]) -> None:
    """Edit the committed DiffTest file in place, each replacement found exactly once."""
    path = repo / "data" / "projects" / "difftest.trig"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


ANNOTATED = """
_:arch-1 { sys:difftest mk:supportsArchitecture arch:riscv64 } _:arch-1 prov:wasDerivedFrom \
source:difftest-readme ; mk:supportLevel support:experimental ; mk:validFrom "2020"^^xsd:gYear ; \
skos:note "the build matrix" .
_:lang-1 { sys:difftest mk:implementedIn lang:c } _:lang-1 prov:wasDerivedFrom source:difftest-readme ; \
skos:note "the README's first line" .
_:lang-2 { sys:difftest mk:implementedIn lang:c } _:lang-2 prov:wasDerivedFrom source:difftest-readme ; \
skos:note "the build files" .
"""


@pytest.fixture
def annotated(repo):
    """DiffTest with facts that carry notes, a period and a support level, committed."""
    path = repo / "data" / "projects" / "difftest.trig"
    path.write_text(
        BEFORE + ANNOTATED,
        encoding="utf-8",
    )
    commit_all(repo, "annotated")
    return repo


def test_a_note_a_period_and_a_support_level_changed_in_a_curators_words(annotated, invoke):
    edited(
        annotated,
        ('"the build matrix"', '"the CI matrix"'),
        (
            'mk:validFrom "2020"^^xsd:gYear',
            'mk:validFrom "2021"^^xsd:gYear ; mk:validUntil "2024-06-30"^^xsd:date',
        ),
        ("support:experimental", "support:mature"),
        ('"the build files"', '"the Makefile"'),
    )
    result = invoke("--root", str(annotated), "diff")
    assert (result.exit_code, result.output) == (
        0,
        "DiffTest  <https://w3id.org/mkgraph/system/difftest>\n"
        '  ~ note on implemented in: C: "the build files" -> "the Makefile"  [DiffTest README]\n'
        '  ~ note on supports architecture: RISC-V (64-bit): "the build matrix" -> "the CI matrix"  '
        "[DiffTest README]\n"
        "  ~ period of supports architecture: RISC-V (64-bit): since 2020 -> 2021 to 2024-06-30  "
        "[DiffTest README]\n"
        "  ~ support level of supports architecture: RISC-V (64-bit): experimental -> mature  "
        "[DiffTest README]\n"
        "\n"
        "Facts: 2 notes changed, 1 period changed, 1 support level changed.\n",
    )


def test_a_level_given_a_start_then_the_start_moved(annotated, invoke):
    """A support level's start (mk:levelSince) is worded with its level, as `show` words it."""
    edited(
        annotated,
        (
            "mk:supportLevel support:experimental ;",
            'mk:levelSince "2022"^^xsd:gYear ; mk:supportLevel support:experimental ;',
        ),
    )
    result = invoke("--root", str(annotated), "diff")
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == (
        "  ~ support level of supports architecture: RISC-V (64-bit): experimental -> "
        "experimental since 2022  [DiffTest README]"
    )
    commit_all(annotated, "level dated")
    edited(annotated, ('mk:levelSince "2022"^^xsd:gYear', 'mk:levelSince "2023-03-01"^^xsd:date'))
    result = invoke("--root", str(annotated), "diff")
    assert result.output.splitlines()[1] == (
        "  ~ support level of supports architecture: RISC-V (64-bit): experimental since 2022 -> "
        "experimental since 2023-03-01  [DiffTest README]"
    )
    shown = invoke("--root", str(annotated), "show", "DiffTest")
    assert "RISC-V (64-bit) (experimental since 2023-03-01)" in shown.output


def test_a_note_or_a_period_given_or_taken_away(annotated, invoke):
    edited(
        annotated,
        (' ; skos:note "the build matrix"', ""),
        ('mk:validFrom "2020"^^xsd:gYear', 'mk:validUntil "2024"^^xsd:gYear'),
        (' mk:startYear "2019"^^xsd:gYear }', " }"),
        (
            "source:difftest-readme { sys:difftest mk:implementedIn lang:c ;",
            '_:year { sys:difftest mk:startYear "2019"^^xsd:gYear } _:year prov:wasDerivedFrom '
            'source:difftest-readme ; skos:note "first commit" .\n'
            "source:difftest-readme { sys:difftest mk:implementedIn lang:c ;",
        ),
    )
    result = invoke("--root", str(annotated), "diff")
    assert result.exit_code == 0
    assert result.output.splitlines()[1:-2] == [
        '  ~ note on start year: 2019: no note -> "first commit"  [DiffTest README]',
        '  ~ note on supports architecture: RISC-V (64-bit): "the build matrix" -> no note  '
        "[DiffTest README]",
        "  ~ period of supports architecture: RISC-V (64-bit): since 2020 -> until 2024  "
        "[DiffTest README]",
    ]


def test_a_source_read_again_is_shown_alone(annotated, invoke):
    edited(annotated, ('mk:readOn "2026-11-01"^^xsd:date', 'mk:readOn "2026-12-02"^^xsd:date'))
    result = invoke("--root", str(annotated), "diff")
    assert (result.exit_code, result.output) == (
        0,
        "DiffTest README  <https://w3id.org/mkgraph/source/difftest-readme>\n"
        "  ~ read on: 2026-11-01 -> 2026-12-02\n"
        "\n"
        "Facts: 1 changed.\n",
    )


def test_reformatting_annotated_facts_is_no_change(annotated, invoke):
    assert invoke("--root", str(annotated), "format").exit_code == 0
    result = invoke("--root", str(annotated), "diff")
    assert (result.exit_code, result.output) == (0, "No change to the graph.\n")
