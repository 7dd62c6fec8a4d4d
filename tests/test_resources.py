"""Finding the ontology, data, shapes and queries: --root, MKGRAPH_ROOT, checkout, wheel copy."""

from __future__ import annotations

import shutil

import pytest

from mkgraph.core.errors import ResourceError
from mkgraph.core.resources import locate


@pytest.mark.bundled_data
def test_default_is_the_checkout_or_the_packaged_copy():
    resources = locate()
    assert (resources.ontology / "mkgraph.ttl").is_file()
    assert len(resources.curated_files(resources.data / "projects")) == 28


def test_root_option_and_environment_variable(fixture_root, invoke):
    # a copy with one project fewer shows that the copy, not the bundled data, was read
    next((fixture_root / "data" / "projects").glob("tock.*")).unlink()  # .ttl or, migrated, .trig
    for result in (
        invoke("--root", str(fixture_root), "query", "statistics", "-f", "csv"),
        invoke("query", "statistics", "-f", "csv", env={"MKGRAPH_ROOT": str(fixture_root)}),
    ):
        assert result.exit_code == 0, result.output
        assert "listed projects,4" in result.output


def test_missing_root(tmp_path, invoke):
    result = invoke("--root", str(tmp_path / "nowhere"), "queries")
    assert result.exit_code == 2
    assert (
        result.stderr == f"mkgraph: error: root '{tmp_path / 'nowhere'}' is not a readable folder\n"
    )


def test_root_without_the_folders(tmp_path):
    (tmp_path / "ontology").mkdir()
    with pytest.raises(ResourceError, match="has no data, shapes, queries folder"):
        locate(tmp_path)


def test_data_folder_without_files(fixture_root, invoke):
    shutil.rmtree(fixture_root / "data")
    (fixture_root / "data").mkdir()
    result = invoke("--root", str(fixture_root), "query", "projects")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"mkgraph: error: {fixture_root / 'data'}: no data files (.ttl, .trig, .jsonld or .rdf)\n"
    )
