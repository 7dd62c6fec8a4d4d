"""A seeded generator of graphs shaped like mkgraph's: systems with languages, architectures, traits,
lineage links (a DAG, as kernel families are) and one provenance statement per fact.

    python bench/generate.py 100000 /tmp/mk-100k      # about 100k triples, a --root folder
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """@prefix mk: <https://w3id.org/mkgraph/ontology#> .
@prefix sys: <https://w3id.org/mkgraph/system/> .
@prefix lang: <https://w3id.org/mkgraph/language/> .
@prefix arch: <https://w3id.org/mkgraph/architecture/> .
@prefix trait: <https://w3id.org/mkgraph/trait/> .
@prefix source: <https://w3id.org/mkgraph/source/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix doap: <http://usefulinc.com/ns/doap#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
LANGUAGES = ["c", "cpp", "rust", "assembly", "ada", "hare"]
ARCHITECTURES = ["x86-64", "aarch64", "riscv64", "arm32", "cortex-m"]
TRAITS = ["capability-based", "real-time", "embedded", "multiserver"]
RELATIONS = ["basedOn", "derivedFrom", "reimplements", "inspiredBy"]
TRIPLES_PER_SYSTEM = 55  # measured on the output: facts plus their provenance statements


def generate(triples: int, folder: Path, seed: int = 42) -> Path:
    rng = random.Random(seed)
    count = max(2, triples // TRIPLES_PER_SYSTEM)
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, folder / name, dirs_exist_ok=True)
    shutil.copytree(
        ROOT / "data" / "vocabulary", folder / "data" / "vocabulary", dirs_exist_ok=True
    )
    shutil.copy(ROOT / "data" / "sources.ttl", folder / "data" / "sources.ttl")
    lines = [
        PREFIXES,
        'source:bench a mk:Source ; rdfs:label "benchmark generator" ;'
        ' mk:readOn "2026-11-28"^^xsd:date .',
    ]
    lines.append(
        'sys:s0 a mk:Microkernel ; rdfs:label "seL4-like root" ;'
        ' dct:description "The root of the generated families, standing in for seL4." .'
    )
    lines.append(
        "[] a rdf:Statement ; rdf:subject sys:s0 ; rdf:predicate rdf:type ;"
        " rdf:object mk:Microkernel ; prov:wasDerivedFrom source:bench ."
    )

    def fact(subject: str, predicate: str, value: str) -> None:
        lines.append(f"{subject} {predicate} {value} .")
        lines.append(
            f"[] a rdf:Statement ; rdf:subject {subject} ; rdf:predicate {predicate} ;"
            f" rdf:object {value} ; prov:wasDerivedFrom source:bench ."
        )

    for index in range(1, count):
        system = f"sys:s{index}"
        lines.append(
            f'{system} rdfs:label "system {index}" ; dct:description '
            f'"A generated system number {index}, shaped like a real project." .'
        )
        fact(system, "rdf:type", rng.choice(["mk:Microkernel", "mk:OperatingSystem"]))
        fact(system, "doap:homepage", f"<https://example.org/s{index}>")
        for language in rng.sample(LANGUAGES, rng.randint(1, 2)):
            fact(system, "mk:implementedIn", f"lang:{language}")
        for architecture in rng.sample(ARCHITECTURES, rng.randint(1, 3)):
            fact(system, "mk:supportsArchitecture", f"arch:{architecture}")
        for trait in rng.sample(TRAITS, rng.randint(0, 2)):
            fact(system, "mk:hasTrait", f"trait:{trait}")
        # a link to a much earlier system keeps lineage a DAG and shallow (depth about log20 n)
        parent = rng.randrange(0, max(1, index // 20))
        fact(system, f"mk:{rng.choice(RELATIONS)}", f"sys:s{parent}")
    (folder / "data" / "generated.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


if __name__ == "__main__":
    size, target = int(sys.argv[1]), Path(sys.argv[2])
    print(generate(size, target))
