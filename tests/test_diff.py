"""`mkgraph diff`: what a change does to the graph, by system, with sources; exit 1 when a fact
lost its last source."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from rdflib import Graph

PREFIXES = """PREFIX arch: <https://w3id.org/mkgraph/architecture/>
PREFIX lang: <https://w3id.org/mkgraph/language/>
PREFIX mk: <https://w3id.org/mkgraph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX source: <https://w3id.org/mkgraph/source/>
PREFIX sys: <https://w3id.org/mkgraph/system/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

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


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(scratch_root):
    (scratch_root / "data" / "projects" / "difftest.trig").write_text(BEFORE, encoding="utf-8")
    git(scratch_root, "init", "-q")
    git(scratch_root, "add", "-A")
    git(scratch_root, "commit", "-qm", "before")
    return scratch_root


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
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "migrated")
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
