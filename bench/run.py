"""mkgraph's benchmark: prints a table of operation × size × engine, the median of several cold
runs of the real command (a new process each time), and peak memory.

    python bench/run.py                 # bundled data, 10k and 100k triples
    python bench/run.py --sizes 10000 100000 1000000 --runs 3

Figures belong here, not in timed tests. Engines: mkgraph (Oxigraph on the query path, cache
cold and warm), mkgraph's rdflib engine, and Oxigraph's own CLI when the `oxigraph` program is
installed (pip install oxigraph).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MKGRAPH = [sys.executable, "-m", "mkgraph"]


def timed(command: list[str], env: dict) -> tuple[float, int, int]:
    """Wall time, peak resident memory (MB) and exit code of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def measure(command: list[str], runs: int, cold: bool, cache_dir: Path) -> tuple[float, int]:
    """Median seconds and peak MB; NaN seconds when the command failed (a figure for a failed run
    would look like a fast one)."""
    times, peaks = [], []
    env = dict(os.environ, MKGRAPH_CACHE_DIR=str(cache_dir))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed mkgraph has its bytecode compiled
    if not cold:
        timed(command, env)  # fill the cache
    for _ in range(runs):
        if cold:
            shutil.rmtree(cache_dir, ignore_errors=True)
        elapsed, peak, code = timed(command, env)
        times.append(elapsed if code in (0, 1) else float("nan"))  # validate exits 1 on problems
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def print_exponents(rows) -> None:
    """How time grows with size: the slope of log(time) against log(size) between the smallest and
    largest synthetic sizes (1 is linear; start-up costs make small sizes look flatter)."""
    import math

    by_operation: dict[str, dict[int, float]] = {}
    for name, label, seconds, _peak in rows:
        if label != "bundled":
            by_operation.setdefault(name, {})[int(label[:-1]) * 1000] = seconds
    for name, timings in by_operation.items():
        if len(timings) >= 2:
            small, large = min(timings), max(timings)
            slope = math.log(timings[large] / timings[small]) / math.log(large / small)
            print(f"exponent {name:31} {small // 1000}k..{large // 1000}k: {slope:.2f}")


def print_ratios(rows) -> None:
    """mkgraph's warm query beside Oxigraph's own CLI on the same data and query."""
    seconds = {(name, label): value for name, label, value, _peak in rows}
    for (name, label), value in seconds.items():
        if name == "query descendants, oxigraph CLI":
            ours = seconds.get(("query descendants, warm cache", label))
            if ours:
                print(f"ratio mkgraph warm query / oxigraph CLI, {label}: {ours / value:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--heavy-up-to",
        type=int,
        default=10_000,
        help="run validate and export --inferred only up to this size",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mkgraph-bench-"))
    rows = []
    bundled = Path(__file__).resolve().parent.parent
    targets = [("bundled", bundled, "seL4")]
    for size in args.sizes:
        # generated in a child process: a large parent would inflate every child's peak memory
        folder = work / f"g{size}"
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("generate.py")), str(size), str(folder)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        targets.append((f"{size // 1000}k", folder, "s0"))
    oxigraph_cli = shutil.which("oxigraph")
    for label, root, start in targets:
        cache = work / f"cache-{label}"
        query = MKGRAPH + [
            "--root",
            str(root),
            "query",
            "descendants",
            "-p",
            f"of={start}",
            "-f",
            "csv",
        ]
        runs = args.runs if label == "bundled" or int(label[:-1]) * 1000 <= 100_000 else 1
        for name, command, cold in (
            ("query descendants, cold cache", query, True),
            ("query descendants, warm cache", query, False),
            (
                "query descendants, rdflib engine",
                query[:3]
                + ["--root", str(root)]
                + ["query", "descendants", "-p", f"of={start}", "-f", "csv"],
                None,
            ),
        ):
            if cold is None:
                env_command = [
                    sys.executable,
                    "-c",
                    "import sys; from mkgraph.api import KnowledgeGraph; "
                    f"KnowledgeGraph({str(root)!r}, engine='rdflib')"
                    f".query('descendants', {{'of': {start!r}}})",
                ]
                seconds, peak = measure(env_command, runs, True, cache)
            else:
                seconds, peak = measure(command, runs, cold, cache)
            rows.append((name, label, seconds, peak))
        size_ok = label == "bundled" or int(label[:-1]) * 1000 <= args.heavy_up_to
        if size_ok:
            small = label == "bundled" or int(label[:-1]) * 1000 <= 100_000
            for name, command, cold in (
                ("validate, cold cache", MKGRAPH + ["--root", str(root), "validate"], True),
                ("validate, warm cache", MKGRAPH + ["--root", str(root), "validate"], False),
                (
                    "validate --validator pyshacl, warm",
                    MKGRAPH + ["--root", str(root), "validate", "--validator", "pyshacl"],
                    False,
                ),
                (
                    "export --inferred",
                    MKGRAPH
                    + [
                        "--root",
                        str(root),
                        "export",
                        "--inferred",
                        "-o",
                        str(work / "inferred.ttl"),
                    ],
                    True,
                ),
            ):
                if "pyshacl" in name and not small:
                    continue  # minutes and many gigabytes past 100k: the reason for rudof
                seconds, peak = measure(command, max(1, runs // 2), cold, cache)
                rows.append((name, label, seconds, peak))
        if oxigraph_cli:
            data = work / f"{label}.nt"
            subprocess.run(
                MKGRAPH + ["--root", str(root), "export", "-f", "ntriples", "-o", str(data)],
                check=True,
            )
            text = (bundled / "queries" / "descendants.rq").read_text(encoding="utf-8")
            iri = f"https://w3id.org/mkgraph/system/{start.lower()}"
            text = text.replace("WHERE {", f"WHERE {{ VALUES ?of {{ <{iri}> }}", 1)
            query_file = work / "descendants-oxigraph.rq"
            query_file.write_text(text, encoding="utf-8")
            store = work / f"store-{label}"
            subprocess.run(
                [oxigraph_cli, "load", "--location", str(store), "--file", str(data)],
                check=True,
                capture_output=True,
            )
            seconds, peak = measure(
                [
                    oxigraph_cli,
                    "query",
                    "--location",
                    str(store),
                    "--query-file",
                    str(query_file),
                    "--results-format",
                    "csv",
                ],
                runs,
                False,
                cache,
            )
            rows.append(("query descendants, oxigraph CLI", label, seconds, peak))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; median of runs")
    print(f"{'operation':40} {'data':>8} {'seconds':>9} {'peak MB':>8}")
    for name, label, seconds, peak in rows:
        shown = "failed" if seconds != seconds else f"{seconds:9.3f}"  # NaN: the command failed
        print(f"{name:40} {label:>8} {shown:>9} {peak:8d}")
    print_exponents(rows)
    print_ratios(rows)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
