"""How long the query check (mkgraph.store.querycheck) and the confinement (mkgraph.store.offline) take.

    python bench/querycheck.py

Prints the check's time on the stored queries, on 64 KB texts (the server's request limit) built
to be hard for a pattern (the old check's regular expression was quadratic on some of them) and on a
1 MB query (the command line's limit); and the cost of a confined thread per query. A text with no
refused keyword anywhere and few brackets takes a shortcut; two texts here are built to miss it."""

from __future__ import annotations

import contextlib
import statistics
import time
from pathlib import Path

from mkgraph.core.errors import QueryError
from mkgraph.store import offline, querycheck


def timed(function, repeat: int = 5) -> float:
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(QueryError):
            function()
        best.append(time.perf_counter() - start)
    return min(best)


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    stored = [p.read_text(encoding="utf-8") for p in sorted((root / "queries").glob("*.rq"))]
    each = [timed(lambda t=t: querycheck.check(t)) for t in stored]
    print(
        f"stored queries ({len(stored)}): median {statistics.median(each) * 1e3:.2f} ms, "
        f"max {max(each) * 1e3:.2f} ms"
    )
    hostile = {
        "64 KB of 'service' words in a string": 'ASK { FILTER("' + "service " * 8000 + '") }',
        "64 KB of '<' and letters": "ASK { FILTER(?a" + "<a" * 32000 + ") }",
        "64 KB of unterminated quotes": "ASK { " + "'\"" * 32000 + " }",
        "64 KB of '#' comments": "ASK { " + "#x\n" * 21000 + " }",
        "64 KB of '<' and letters, and a comment saying from (no shortcut)": "ASK { FILTER(?a"
        + "<a" * 32000
        + ") } # from",
        "64 KB of brackets (no shortcut)": "ASK { " + "{}" * 32000 + " }",
        "64 KB of triples": "SELECT * WHERE { "
        + " ".join(f"?s{i} <http://x/p#a> 'v' ." for i in range(2500))
        + " }",
    }
    for name, text in hostile.items():
        print(
            f"{name} ({len(text)} chars): {timed(lambda t=text: querycheck.check(t)) * 1e3:.1f} ms"
        )
    big = (
        "SELECT * WHERE { "
        + " ".join(f"?s{i} <http://example.org/p> ?o{i} ." for i in range(20_000))
        + " }"
    )
    print(f"1 MB query ({len(big)} chars): {timed(lambda: querycheck.check(big), 2):.2f} s")
    cost = timed(lambda: offline.run(lambda: None), 50)
    print(f"a confined thread (start, filter, join): {cost * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
