"""mkgraph's benchmark: prints a table of operation × size × engine (the median wall time and CPU
time of several runs of the real command, each a new process, and peak memory), then each
target's ratio against its anchor measured in the same run.

    python bench/run.py                 # bundled data and ~86k triples (generate.py 100000)
    python bench/run.py --sizes 10000 100000 1000000 --runs 3 --heavy-up-to 1000000
    python bench/run.py --queries-only --runs 10   # the cold query and its anchors only
    python bench/run.py --queries-only --sizes 0 --instructions   # and its instruction count

Figures belong here, not in timed tests. Rows, for each data set:

- query descendants, cache present: `mkgraph query descendants -p of=X -f csv`, a new process
  with the on-disk cache already filled (the everyday case); "no cache entry" deletes the
  graph's cache entries before each run (not the remembered verdicts on the stored queries'
  parameters); "rdflib engine" runs it on rdflib.
- oxigraph CLI, plain path: the anchor. The `oxigraph` program (pip install oxigraph) answering
  the same question on the same data (exported by mkgraph, loaded into an Oxigraph store before
  timing) with the simplest query: the names of the systems reached by a property path. Also
  "stored query": the same CLI running mkgraph's stored query with the parameter written in.
- validate after a data change: before each run one fact changes in the file that describes
  the root system (its rdfs:comment gets a new value), so the graph is loaded afresh and rudof
  checks that system again (mkgraph.checks.incremental); the cache folder stays (as it would
  for a curator). "cache present": nothing changed since the last run (rudof's findings are all
  remembered). "no cache": MKGRAPH_CACHE_DIR= (the cache turned off: nothing remembered, every
  subject checked, the stored queries' parameters parsed with rdflib again).
- jena shacl: Apache Jena's `shacl validate` (JVM start included) on the same data (N-Triples
  exported by mkgraph) and shapes, when Jena is found: $JENA_HOME/bin/shacl, else the jars of
  Debian's libapache-jena-java (apt-get install libapache-jena-java), see jena_command().

Wall time is what a user waits; CPU time (user + system, the process and its threads) is also
shown because on a shared machine it moves far less with the load than wall time does.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

MKGRAPH = [sys.executable, "-m", "mkgraph"]
BUNDLED = Path(__file__).resolve().parent.parent
PLAIN_PATH = """PREFIX mk: <https://w3id.org/mkgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?name WHERE {{
  ?system (mk:basedOn|mk:derivedFrom|mk:reimplements|mk:inspiredBy)+ <{iri}> .
  ?system rdfs:label ?name
}} ORDER BY ?name
"""


def timed(command: list[str], env: dict) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak resident memory (MB) and exit code of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def measure(
    command: list[str],
    runs: int,
    cache_dir: Path | None,
    before: Callable[[], None] | None = None,
    warm_up: bool = False,
    ok: tuple[int, ...] = (0, 1),  # validate exits 1 on problems
) -> tuple[float, float, int]:
    """Median wall and CPU seconds and peak MB over `runs` runs; NaN when the command failed (a
    figure for a failed run would look like a fast one). `before` runs before each timed run;
    `warm_up` runs the command once untimed first (to fill the cache)."""
    walls, cpus, peaks = [], [], []
    env = dict(os.environ, MKGRAPH_CACHE_DIR=str(cache_dir) if cache_dir else "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed mkgraph has its bytecode compiled
    if warm_up:
        timed(command, env)
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu, peak, code = timed(command, env)
        walls.append(wall if code in ok else float("nan"))
        cpus.append(cpu if code in ok else float("nan"))
        peaks.append(peak)
    return statistics.median(walls), statistics.median(cpus), max(peaks)


def instructions(command: list[str], cache_dir: Path | None) -> int | None:
    """The instructions one run of a command executes, its threads' included, as valgrind's
    callgrind counts them (the machine's load does not change the count, as it does wall and
    CPU time); None without valgrind or when the run fails."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        return None
    env = dict(os.environ, MKGRAPH_CACHE_DIR=str(cache_dir) if cache_dir else "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    counted = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in counted.stderr.splitlines():
        if "Collected :" in line and counted.returncode == 0:
            return int(line.rsplit(":", 1)[1].strip())
    return None


def changer(target: Path, system: str) -> Callable[[], None]:
    """A function that changes one fact in one data file each time it runs: the system's
    rdfs:comment gets a new value (a line appended to the file that describes the system)."""
    original = target.read_bytes()
    count = [0]

    def change() -> None:
        count[0] += 1
        fact = (
            f"<https://w3id.org/mkgraph/system/{system}> "
            f'<http://www.w3.org/2000/01/rdf-schema#comment> "bench change {count[0]}" .\n'
        )
        target.write_bytes(original + fact.encode())

    return change


def jena_command(work: Path) -> list[str] | None:
    """How to run Jena's `shacl` tool here, or None. $JENA_HOME/bin/shacl (a Jena distribution)
    if set; else Debian's libapache-jena-java (4.5.0 on Debian 12), whose jena-core relocates the
    classes of its bundled Xerces but not their resources (messages, regular expression tables),
    so these are copied to where the classes look for them (without them every XML Schema
    datatype fails to initialise)."""
    home = os.environ.get("JENA_HOME")
    if home and (Path(home) / "bin" / "shacl").is_file():
        return [str(Path(home) / "bin" / "shacl")]
    java, core = shutil.which("java"), Path("/usr/share/java/jena-core.jar")
    if not java or not core.is_file() or not shutil.which("apt-cache"):
        return None
    listing = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests"]
        + ["--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]
        + ["libapache-jena-java"],
        capture_output=True,
        text=True,
    ).stdout
    packages = sorted({line for line in listing.splitlines() if line.endswith("-java")})
    jars: set[str] = set()
    for package in packages:
        files = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True).stdout
        jars.update(
            f
            for f in files.splitlines()
            if f.startswith("/usr/share/java/") and f.endswith(".jar") and f.count("/") == 4
        )
    # one SLF4J binding at most (none: Jena then logs nothing, which is what we want)
    jars = {j for j in jars if not any(b in j for b in ("slf4j-", "log4j-over", "maven"))}
    messages = work / "jena-xerces-messages"
    with zipfile.ZipFile(core) as archive:
        for name in archive.namelist():
            prefix = "org/apache/jena/ext/xerces/"
            if name.startswith(prefix) and not name.endswith((".class", "/")):
                target = messages / "xerces" / name[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
    classpath = ":".join([str(messages), *sorted(jars)])
    return [java, "-cp", classpath, "shacl.shacl"]


def print_exponents(rows) -> None:
    """How time grows with size: the slope of log(time) against log(size) between the smallest and
    largest synthetic sizes (1 is linear; start-up costs make small sizes look flatter)."""
    by_operation: dict[str, dict[int, float]] = {}
    for name, label, wall, _cpu, _peak in rows:
        if label != "bundled" and wall == wall:
            by_operation.setdefault(name, {})[int(label[:-1]) * 1000] = wall
    for name, timings in by_operation.items():
        if len(timings) >= 2:
            small, large = min(timings), max(timings)
            slope = math.log(timings[large] / timings[small]) / math.log(large / small)
            print(f"exponent {name:42} {small // 1000}k..{large // 1000}k: {slope:.2f}")


RATIOS = [  # (what, ours, anchor, target: ours / anchor at most this, or None)
    ("cold query / oxigraph CLI", "query descendants, cache present", "oxigraph CLI, plain path", 5),
    ("stored query on oxigraph / plain path", "oxigraph CLI, stored query", "oxigraph CLI, plain path", None),
    ("validate after a change / jena shacl", "validate after a data change", "jena shacl", 1),
    ("validate, cache present / jena shacl", "validate, cache present", "jena shacl", 1),
    ("validate after a change / no cache", "validate after a data change", "validate, no cache", None),
    ("validate, cache present / no cache", "validate, cache present", "validate, no cache", None),
]  # fmt: skip


def print_ratios(rows) -> None:
    """Each target against its anchor, measured in this run: wall time (and CPU time)."""
    figures = {(name, label): (wall, cpu) for name, label, wall, cpu, _peak in rows}
    labels = list(dict.fromkeys(label for _name, label, *_ in rows))
    for what, ours, anchor, target in RATIOS:
        for label in labels:
            if (ours, label) in figures and (anchor, label) in figures:
                (wall, cpu), (anchor_wall, anchor_cpu) = (
                    figures[ours, label],
                    figures[anchor, label],
                )
                verdict = ""
                if target is not None and wall == wall and anchor_wall == anchor_wall:
                    verdict = "  met" if wall / anchor_wall <= target else f"  target {target}x"
                print(
                    f"ratio {what:38} {label:>8}: {wall / anchor_wall:5.2f}x wall, "
                    f"{cpu / anchor_cpu:5.2f}x CPU{verdict}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--heavy-up-to",
        type=int,
        default=100_000,
        help="run validate, export --inferred and the rdflib engine only up to this size",
    )
    parser.add_argument(
        "--targets-only",
        action="store_true",
        help="only the rows the targets need (no rdflib engine, pySHACL or export rows)",
    )
    parser.add_argument(
        "--queries-only",
        action="store_true",
        help="only the cold query rows and the oxigraph CLI anchors (no validate, no rdflib)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the cold query's instructions once with valgrind (load-independent)",
    )
    args = parser.parse_args()
    args.targets_only = args.targets_only or args.queries_only
    counts: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="mkgraph-bench-"))
    rows: list[tuple[str, str, float, float, int]] = []
    # (label, root, a system's name and IRI name, the file that describes it)
    targets = [("bundled", work / "bundled", "seL4", "sel4", "data/projects/sel4.trig")]
    for name in ("ontology", "data", "shapes", "queries"):  # a copy: validate changes a file
        shutil.copytree(BUNDLED / name, work / "bundled" / name)
    for size in args.sizes:
        # generated in a child process: a large parent would inflate every child's peak memory
        folder = work / f"g{size}"
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("generate.py")), str(size), str(folder)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        targets.append((f"{size // 1000}k", folder, "s0", "s0", "data/generated.ttl"))
    oxigraph_cli = shutil.which("oxigraph") or shutil.which(
        "oxigraph", path=str(Path(sys.executable).parent)
    )
    jena = jena_command(work)

    def row(name: str, label: str, figures: tuple[float, float, int]) -> None:
        rows.append((name, label, *figures))
        wall, cpu, peak = figures
        print(f"  {name:42} {label:>8} {wall:8.3f} s {cpu:8.3f} s CPU {peak:6d} MB", flush=True)

    for label, root, start, local, described_in in targets:
        cache = work / f"cache-{label}"
        size = 0 if label == "bundled" else int(label[:-1]) * 1000
        runs = args.runs if size <= 100_000 else 1
        heavy = size <= args.heavy_up_to
        mk = MKGRAPH + ["--root", str(root)]
        query = mk + ["query", "descendants", "-p", f"of={start}", "-f", "csv"]
        row("query descendants, cache present", label, measure(query, runs, cache, warm_up=True))
        if args.instructions:
            count = instructions(query, cache)
            shown = "valgrind not found" if count is None else f"{count / 1e6:.1f} million"
            counts.append(f"instructions: query descendants, cache present, {label}: {shown}")
            print(f"  {counts[-1]}", flush=True)

        def drop_cache(cache: Path = cache) -> None:
            """The graph's cache entries go; the verdicts on stored queries stay (those change
            only when a query file does)."""
            for entry in cache.glob("store-*"):
                shutil.rmtree(entry, ignore_errors=True)

        row("query descendants, no cache entry", label, measure(query, runs, cache, drop_cache))
        if heavy and not args.targets_only:
            rdflib_query = [
                sys.executable,
                "-c",
                "from mkgraph.api import KnowledgeGraph; "
                f"KnowledgeGraph({str(root)!r}, engine='rdflib')"
                f".query('descendants', {{'of': {start!r}}})",
            ]
            row("query descendants, rdflib engine", label, measure(rdflib_query, runs, cache))
        data = work / f"{label}.nt"
        subprocess.run(mk + ["export", "-f", "ntriples", "-o", str(data)], check=True)
        if oxigraph_cli:
            store = work / f"store-{label}"
            subprocess.run(
                [oxigraph_cli, "load", "--location", str(store), "--file", str(data)],
                check=True,
                capture_output=True,
            )
            iri = f"https://w3id.org/mkgraph/system/{local}"
            plain = work / f"plain-{label}.rq"
            plain.write_text(PLAIN_PATH.format(iri=iri), encoding="utf-8")
            stored = (BUNDLED / "queries" / "descendants.rq").read_text(encoding="utf-8")
            stored_file = work / f"stored-{label}.rq"
            stored_file.write_text(
                stored.replace("WHERE {", f"WHERE {{ VALUES ?of {{ <{iri}> }}", 1), "utf-8"
            )
            for name, query_file in (
                ("oxigraph CLI, plain path", plain),
                ("oxigraph CLI, stored query", stored_file),
            ):
                command = [oxigraph_cli, "query", "--location", str(store)]
                command += ["--query-file", str(query_file), "--results-format", "csv"]
                row(name, label, measure(command, runs, None))
        if not heavy or args.queries_only:
            continue
        validate = mk + ["validate", "--timeout", "3600"]
        vruns = max(1, runs // 2) if size > 10_000 else runs
        row("validate, cache present", label, measure(validate, vruns, cache, warm_up=True))
        row(
            "validate after a data change",
            label,
            measure(validate, vruns, cache, changer(root / described_in, local), warm_up=True),
        )
        row("validate, no cache", label, measure(validate, vruns, None))
        if jena:
            shapes = root / "shapes" / "mkgraph-shapes.ttl"
            command = jena + ["validate", "--shapes", str(shapes), "--data", str(data)]
            row("jena shacl", label, measure(command, vruns, None, ok=(0,)))
        if args.targets_only:
            continue
        if size <= 100_000:  # pySHACL: minutes and many gigabytes past 100k
            pyshacl = validate + ["--validator", "pyshacl"]
            row("validate --validator pyshacl", label, measure(pyshacl, vruns, cache))
        inferred = mk + ["export", "--inferred", "-o", str(work / "inferred.ttl")]
        row("export --inferred, cache present", label, measure(inferred, vruns, cache))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; median of runs")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if not oxigraph_cli:
        print("oxigraph CLI: not found (pip install oxigraph)")
    if not jena:
        print("jena shacl: not found (set JENA_HOME, or apt-get install libapache-jena-java)")
    print(f"{'operation':42} {'data':>8} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
    for name, label, wall, cpu, peak in rows:
        shown = "  failed          " if wall != wall else f"{wall:8.3f} {cpu:8.3f} "
        print(f"{name:42} {label:>8} {shown} {peak:7d}")
    for line in counts:
        print(line)
    print_exponents(rows)
    print_ratios(rows)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
