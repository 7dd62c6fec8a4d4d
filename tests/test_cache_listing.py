"""A cached store is opened only when its files are the ones written with it (mkgraph.store.cache:
the listing of names and sizes, and the triple count beside it); anything else is a fresh load."""

from __future__ import annotations

from mkgraph.api import KnowledgeGraph


def _answer(root) -> set[str]:
    result = KnowledgeGraph(root, engine="oxigraph").query("descendants", {"of": "seL4"})
    return {str(row[0]) for row in result.rows}


def test_a_store_whose_files_changed_is_loaded_afresh(fixture_root, tmp_path, monkeypatch):
    monkeypatch.setenv("MKGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    expected = _answer(fixture_root)
    (entry,) = (tmp_path / "cache").glob("store-*")
    listing = (entry / "mkgraph-files").read_text(encoding="ascii")
    assert listing.endswith(f"end {(entry / 'mkgraph-triples').read_text(encoding='ascii')}\n")
    assert any(line.endswith(".sst") for line in (n.split(" ")[0] for n in listing.splitlines()))
    for damage in ("truncated", "added", "removed", "listing", "count"):
        (entry,) = (tmp_path / "cache").glob("store-*")
        table = sorted(entry.glob("*.sst"), key=lambda path: path.stat().st_size)[-1]
        if damage == "truncated":
            table.write_bytes(table.read_bytes()[:-100])
        elif damage == "added":
            (entry / "000099.log").write_bytes(b"")
        elif damage == "removed":
            table.unlink()
        elif damage == "listing":
            (entry / "mkgraph-files").unlink()
        else:
            (entry / "mkgraph-triples").write_text("13", encoding="ascii")
        assert _answer(fixture_root) == expected
        (rebuilt,) = (tmp_path / "cache").glob("store-*")
        assert (
            (rebuilt / "mkgraph-files")
            .read_text(encoding="ascii")
            .endswith(listing.splitlines()[-1] + "\n")
        )
    # what mkgraph writes beside the store later (name tables, even half-written) is no damage
    (rebuilt,) = (tmp_path / "cache").glob("store-*")
    (rebuilt / ".mkgraph-names-system-0.1.2").write_text("half", encoding="utf-8")
    before = (rebuilt / "000004.log").stat().st_ino if (rebuilt / "000004.log").exists() else None
    assert _answer(fixture_root) == expected
    (still,) = (tmp_path / "cache").glob("store-*")
    assert (still / ".mkgraph-names-system-0.1.2").exists()  # the same folder: not rebuilt
    if before is not None:
        assert (still / "000004.log").stat().st_ino == before
