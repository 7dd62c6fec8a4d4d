"""Family trees in the terminal."""

from __future__ import annotations

SEL4_TREE = """\
seL4
├── re-implements → F9
├── based on → Genode
│   └── based on → Sculpt
├── inspired by → Helios
│   └── based on → Ares
├── based on → LionsOS
├── inspired by → Redox
├── based on → Robigalia
├── based on → seL4 Microkit
│   └── based on → LionsOS (shown above)
└── based on → UX/RT
"""


def test_sel4_tree_is_pinned(invoke):
    result = invoke("lineage", "seL4")
    assert result.exit_code == 0
    assert result.output == SEL4_TREE


def test_ascii_tree(invoke):
    lines = invoke("lineage", "sel4", "--ascii").output.splitlines()
    assert lines[1] == "|-- re-implements -> F9"
    assert lines[-1] == "`-- based on -> UX/RT"
    assert all(ord(ch) < 128 for line in lines for ch in line)


def test_ancestors_relation_filter_and_depth(invoke):
    assert invoke("lineage", "Ares", "--ancestors").output == (
        "Ares\n└── based on → Helios\n    └── inspired by → seL4\n"
        "        └── inspired by → L4\n            └── inspired by → L3\n"
    )
    only_based = invoke("lineage", "seL4", "-r", "based-on", "--depth", "1").output.splitlines()
    assert only_based[1:] == [
        "├── based on → Genode",
        "├── based on → LionsOS",
        "├── based on → Robigalia",
        "├── based on → seL4 Microkit",
        "└── based on → UX/RT",
    ]
    assert invoke("lineage", "Hedron", "--ancestors", "-r", "derived-from").output == (
        "Hedron\n└── derived from → NOVA\n"
    )


def test_unknown_system(invoke):
    result = invoke("lineage", "seL5")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "mkgraph: error: no system named 'seL5' in the graph; did you mean seL4"
    )
    assert result.stdout == ""


def test_l4_descendants_by_kind_of_inheritance(invoke):
    lines = invoke("lineage", "L4").output.splitlines()
    assert lines[0] == "L4"
    for child in ("L4/Alpha", "L4/Fiasco", "L4/MIPS", "L4Ka::Hazelnut", "L4Ka::Pistachio"):
        assert any(line.endswith(f"re-implements → {child}") for line in lines), child
    assert any(line.endswith("derived from → OKL4") for line in lines)


def test_ancestors_reach_l3_through_the_kinds_of_inheritance(invoke):
    assert invoke("lineage", "L4Re", "--ancestors").output == (
        "L4Re\n"
        "└── based on → Fiasco.OC\n"
        "    └── derived from → L4/Fiasco\n"
        "        └── re-implements → L4\n"
        "            └── inspired by → L3\n"
    )
    only = invoke("lineage", "OKL4", "--ancestors", "-r", "reimplements", "-r", "derived-from")
    assert only.output == ("OKL4\n└── derived from → L4Ka::Pistachio\n    └── re-implements → L4\n")


def test_stored_ancestors_query_follows_reimplements(kg):
    paths = {str(row[2]) for row in kg.query("ancestors", {"of": "OKL4"}).rows}
    assert "OKL4 → derived from → L4Ka::Pistachio → re-implements → L4" in paths
    assert "OKL4 → derived from → L4Ka::Pistachio → re-implements → L4 → inspired by → L3" in paths
    descendants = {str(row[0]) for row in kg.query("descendants", {"of": "L3"}).rows}
    assert {"L4", "L4/MIPS", "OKL4", "Fiasco.OC", "L4Re", "Genode"} <= descendants
