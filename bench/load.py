"""A load benchmark of `mkgraph serve`: N concurrent clients for a bounded time, on loopback only.

    python bench/load.py                      # 8 clients, 10 s, a server started on a free port
    python bench/load.py --clients 32 --seconds 20 --workers 2
    python bench/load.py --clients 65 --idle 70    # 70 idle connections open all along
    python bench/load.py --against-oxigraph        # mkgraph's server against Oxigraph's, 3 pairs

Starts `mkgraph serve` on 127.0.0.1 (never any other address), sends a mix of stored-query URLs
and protocol POSTs from threads using httpx, and prints throughput, p50 and p99 latency and the
error count by status (which should be zero). `--idle N` keeps N connections open that never send
a request, reopened as the server closes them: they must not turn any client away. Every loop is
bounded by the time limit and a request cap.

`--against-oxigraph` measures the servers, not the client: the mix of three stored queries, at
`mkgraph serve` (GET /queries/NAME) and at Oxigraph's own server (`oxigraph serve-read-only` on a
store loaded with mkgraph's export, sent POST /query with the very text mkgraph runs: the parameter
written in by mkgraph's own binding code, the same result format asked for). Both answers are
checked to be the same first. The load comes from `wrk` (a C load generator that costs little CPU:
Python client threads on the same cores set the pace themselves, not the server), through a Lua
script that cycles through the mix. Where `taskset` and two cores are available, the server under
test runs on one core (its workers too) and wrk on another, the same for both servers. The two
servers are measured one after the other, `--pairs` times, with the same connections and duration;
each run prints throughput, p50/p99 latency, errors, the CPU time the server's processes used per
request (load from other programs disturbs it far less than throughput) and the load average; the
ratios are mkgraph's against Oxigraph's measured in the same pair. Without `wrk`
(`apt-get install wrk`) the Python client threads stand in, and the output says so.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REQUESTS = [  # (method, path, form): the kinds of requests a notebook or a page sends
    ("GET", "/queries/descendants?of=seL4&format=json", None),
    ("GET", "/queries/by-language?language=Rust&format=csv", None),
    ("GET", "/queries/l4-family?format=json", None),
    (
        "POST",
        "/sparql",
        {"query": "SELECT ?name WHERE { ?s a mk:ListedProject ; rdfs:label ?name }"},
    ),
    (
        "POST",
        "/sparql",
        {
            "query": "SELECT ?lang (COUNT(?s) AS ?n) WHERE { ?s mk:implementedIn ?lang }"
            " GROUP BY ?lang"
        },
    ),
]
THREE = REQUESTS[:3]  # the mix of three stored queries
MAX_REQUESTS_PER_CLIENT = 100_000
MEDIA = {"json": "application/sparql-results+json", "csv": "text/csv"}
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One server's measurement: what the client saw, and the CPU its processes used."""

    requests: int
    seconds: float
    p50: float  # seconds
    p99: float
    errors: dict[str, int]
    cpu: float | None = None  # CPU seconds of the server's processes during the run
    load: str = ""  # the load average at the end

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float | None:
        return self.cpu / self.requests if self.cpu is not None and self.requests else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# ---------------------------------------------------------------- the Python client (fallback)
def client(
    base: str, deadline: float, latencies: list, errors: list, offset: int, mix: list
) -> None:
    with httpx.Client(base_url=base, timeout=30) as http:
        for number in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            method, path, form, *headers = mix[(number + offset) % len(mix)]
            started = time.perf_counter()
            try:
                response = http.request(
                    method,
                    path,
                    data=form if isinstance(form, dict) else None,
                    content=form if isinstance(form, bytes) else None,
                    headers=headers[0] if headers else {"Accept": MEDIA["json"]},
                )
                status = str(response.status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            latencies.append(time.perf_counter() - started)
            if status != "200":
                errors.append(status)


def idle_connections(port: int, count: int, deadline: float) -> None:
    """Hold `count` connections that never send a byte, reopening each one the server closes."""
    sockets: list[socket.socket | None] = [None] * count
    while time.monotonic() < deadline:
        for index, sock in enumerate(sockets):
            if sock is not None:
                sock.setblocking(False)
                try:
                    if sock.recv(1) != b"":
                        continue
                except BlockingIOError:
                    continue  # still open
                except OSError:
                    pass
                sock.close()
            try:
                sockets[index] = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                sockets[index] = None
        time.sleep(0.5)
    for sock in sockets:
        if sock is not None:
            sock.close()


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            sys.exit(f"the server for {url} stopped with exit code {server.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    sys.exit(f"the server at {url} did not start")


def python_load(base: str, port: int, args, mix: list) -> Run:
    """Client threads (and idle connections) against one server."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + args.seconds
    started = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(base, deadline, latencies, errors, i, mix))
        for i in range(args.clients)
    ]
    if args.idle:
        threads.append(threading.Thread(target=idle_connections, args=(port, args.idle, deadline)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies) or [float("nan")]
    return Run(
        len(latencies),
        time.monotonic() - started,
        statistics.median(ordered),
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        dict(collections.Counter(errors)),
    )


# ---------------------------------------------------------------- wrk
def lua_string(text: str) -> str:
    """`text` as a Lua long string, whatever it holds."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    # Lua drops a newline right after the opening bracket: give it one to drop.
    return f"[{'=' * level}[\n{text}]{'=' * level}]"


def lua_script(mix: list) -> str:
    """A wrk script that sends the mix in turn on every connection and prints one result line."""
    requests = []
    for method, path, body, headers in mix:
        fields = ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in headers.items())
        text = lua_string(body.decode("utf-8")) if body is not None else "nil"
        requests.append(
            f"    wrk.format({lua_string(method)}, {lua_string(path)}, {{{fields}}}, {text}),"
        )
    return "\n".join(
        [
            "local mix",
            "local n = 0",
            "function init(args)",  # here, not at load time: wrk sets the Host header before init
            "  mix = {",
            *requests,
            "  }",
            "  n = math.random(0, #mix - 1)",  # the connections do not all start on one query
            "end",
            "function request()",
            "  n = n + 1",
            "  return mix[(n % #mix) + 1]",
            "end",
            "function done(summary, latency, requests)",
            "  local e = summary.errors",
            '  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\\n", summary.requests,',
            "    summary.duration, latency:percentile(50), latency:percentile(99), e.connect,",
            "    e.read, e.write, e.status, e.timeout))",
            "end",
            "",
        ]
    )


def wrk_load(wrk: str, base: str, script: Path, args, pin: str | None) -> Run:
    command = [wrk, "-t1", f"-c{args.clients}", f"-d{args.seconds:g}s", "--timeout", "30s"]
    command += ["-s", str(script), base]
    if pin is not None:
        command = ["taskset", "-c", pin, *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"wrk failed (exit code {done.returncode}): {done.stderr.strip()[:300]}")
    count, micros, p50, p99, *errors = (int(x) for x in line.split()[1:])
    names = ("connect", "read", "write", "status not 2xx/3xx", "timeout")
    return Run(
        count,
        micros / 1e6,
        p50 / 1e6,
        p99 / 1e6,
        {k: n for k, n in zip(names, errors, strict=True) if n},
    )


# ---------------------------------------------------------------- the servers
def process_tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    used: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry)] = int(fields[1])
        # utime, stime, and those of its children that ended (a replaced worker)
        used[int(entry)] = sum(int(x) for x in fields[11:15])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total / TICKS


def measure(server: subprocess.Popen, work) -> Run:
    before = process_tree_cpu(server.pid)
    run = work()
    run.cpu = process_tree_cpu(server.pid) - before
    run.load = load_average()
    return run


def oxigraph_program() -> str:
    program = shutil.which("oxigraph") or shutil.which(
        "oxigraph", path=str(Path(sys.executable).parent)
    )
    if program is None:
        sys.exit("--against-oxigraph needs the `oxigraph` program (pip install oxigraph)")
    return program


def start_mkgraph(port: int, workers: int | None, pin: str | None) -> subprocess.Popen:
    command = [sys.executable, "-m", "mkgraph", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    return subprocess.Popen(
        (["taskset", "-c", pin] if pin is not None else []) + command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_oxigraph(folder: Path, port: int, pin: str | None) -> subprocess.Popen:
    """Oxigraph's own server, read-only, on a store loaded with mkgraph's export."""
    program = oxigraph_program()
    data = folder / "graph.nt"
    subprocess.run(
        [sys.executable, "-m", "mkgraph", "export", "-f", "ntriples", "-o", str(data)], check=True
    )
    store = folder / "store"
    subprocess.run(
        [program, "load", "--location", str(store), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    command = [program, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen(
        (["taskset", "-c", pin] if pin is not None else []) + command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def mkgraph_mix() -> list:
    """The three stored queries as `mkgraph serve` is sent them: (method, path, body, headers)."""
    return [(method, path, None, {"Accept": MEDIA["json"]}) for method, path, _ in THREE]


def oxigraph_mix() -> list:
    """The three stored queries as Oxigraph's server is sent them: the text mkgraph runs, its
    parameter written in by mkgraph's own binding code, and the result format mkgraph is asked."""
    from urllib.parse import parse_qsl, urlsplit

    from mkgraph.api import KnowledgeGraph

    kg = KnowledgeGraph()
    mix = []
    for _method, path, _form in THREE:
        url = urlsplit(path)
        params = dict(parse_qsl(url.query))
        media = MEDIA[params.pop("format", "json")]
        text = kg.bound_text(kg.stored_query(url.path.rsplit("/", 1)[-1]), params)
        headers = {"Content-Type": "application/sparql-query", "Accept": media}
        mix.append(("POST", "/query", text.encode("utf-8"), headers))
    return mix


def same_answers(ours: str, theirs: str, our_mix: list, their_mix: list) -> None:
    """Each request of the mix once at each server: the answers must be the same."""
    for mine, other in zip(our_mix, their_mix, strict=True):
        answers = []
        for base, (method, path, body, headers) in ((ours, mine), (theirs, other)):
            response = httpx.request(method, base + path, content=body, headers=headers, timeout=60)
            answers.append((response.status_code, response.text.replace("\r\n", "\n")))
        if answers[0] != answers[1] or answers[0][0] != 200:
            sys.exit(
                f"the servers answer {mine[1]} differently: statuses "
                f"{answers[0][0]} and {answers[1][0]}; the mix would not be the same work"
            )


def report(who: str, run: Run) -> None:
    errors = sum(run.errors.values())
    detail = ", ".join(f"{k}: {n}" for k, n in sorted(run.errors.items()))
    cpu = f", server CPU {run.cpu_per_request * 1000:.2f} ms/request" if run.cpu_per_request else ""
    print(
        f"{who}: {run.requests} requests in {run.seconds:.1f} s, {run.throughput:.0f} req/s, "
        f"p50 {run.p50 * 1000:.1f} ms, p99 {run.p99 * 1000:.1f} ms, "
        f"errors {errors}{f' ({detail})' if errors else ''}{cpu}; load average {run.load}"
    )


def pinning(args) -> tuple[str | None, str | None, str]:
    """The CPUs for the server under test and for the client, and a sentence saying so."""
    cores = sorted(os.sched_getaffinity(0))
    if args.no_pin:
        return None, None, "not pinned (--no-pin)"
    if len(cores) < 2 or shutil.which("taskset") is None:
        return None, None, "not pinned (needs taskset and two cores)"
    server, client = str(cores[0]), str(cores[1])
    return (
        server,
        client,
        (
            f"pinned with taskset: the server under test (all its processes) on CPU {server}, "
            f"the client on CPU {client}; the same for both servers"
        ),
    )


def against_oxigraph(args) -> int:
    wrk = None if args.client == "python" else shutil.which("wrk")
    if args.client == "wrk" and wrk is None:
        sys.exit("--client wrk: the `wrk` program is not installed (apt-get install wrk)")
    server_cpu, client_cpu, pinned = pinning(args)
    our_port, their_port = free_port(), free_port()
    ours = f"http://127.0.0.1:{our_port}"
    theirs = f"http://127.0.0.1:{their_port}"
    our_mix, their_mix = mkgraph_mix(), oxigraph_mix()
    failed = False
    with tempfile.TemporaryDirectory(prefix="mkgraph-load-") as folder:
        mkgraph = start_mkgraph(our_port, args.workers, server_cpu)
        oxigraph = start_oxigraph(Path(folder), their_port, server_cpu)
        try:
            wait_until_up(f"{ours}/queries", mkgraph)
            wait_until_up(f"{theirs}/query?query=ASK%7B%7D", oxigraph)
            same_answers(ours, theirs, our_mix, their_mix)
            if wrk is not None:
                print(f"client: wrk ({wrk}), 1 thread, {args.clients} connections")
                scripts = []
                for name, mix in (("mkgraph", our_mix), ("oxigraph", their_mix)):
                    scripts.append(Path(folder) / f"{name}.lua")
                    scripts[-1].write_text(lua_script(mix), encoding="utf-8")

                def load_with(base: str, script: Path, seconds: float | None = None) -> Run:
                    timed = argparse.Namespace(**{**vars(args), "seconds": seconds or args.seconds})
                    return wrk_load(wrk, base, script, timed, client_cpu)

                loads = [lambda: load_with(ours, scripts[0]), lambda: load_with(theirs, scripts[1])]
                load_with(ours, scripts[0], 2)  # warm both up: caches, lazily loaded code
                load_with(theirs, scripts[1], 2)
            else:
                why = "asked for" if args.client == "python" else "`wrk` is not installed"
                print(
                    f"client: Python threads (httpx), {args.clients} of them ({why}): the "
                    "client may set the pace rather than the servers"
                )
                if client_cpu is not None:  # this process is the client
                    os.sched_setaffinity(0, {int(client_cpu)})
                loads = [
                    lambda: python_load(ours, our_port, args, our_mix),
                    lambda: python_load(theirs, their_port, args, their_mix),
                ]
            workers = args.workers or "the default"
            print(f"{pinned}; mkgraph serve --workers {workers}; loopback")
            print(
                f"mix: the three stored queries in turn ({', '.join(p for _, p, _ in THREE)}), "
                f"mkgraph by GET, Oxigraph by POST /query with the same text; same answers checked"
            )
            print(f"{args.pairs} pairs of {args.seconds:g} s runs; load average {load_average()}")
            ratios, cpu_ratios = [], []
            for number in range(1, args.pairs + 1):
                mine = measure(mkgraph, loads[0])
                other = measure(oxigraph, loads[1])
                report(f"pair {number} mkgraph serve           ", mine)
                report(f"pair {number} oxigraph serve-read-only", other)
                ratios.append(mine.throughput / other.throughput)
                line = f"pair {number} ratio mkgraph / oxigraph: throughput {ratios[-1]:.2f}x"
                if mine.cpu_per_request and other.cpu_per_request:
                    cpu_ratios.append(other.cpu_per_request / mine.cpu_per_request)
                    line += f", requests per CPU second {cpu_ratios[-1]:.2f}x"
                print(line)
                failed = failed or bool(mine.errors or other.errors)
        finally:
            for server in (mkgraph, oxigraph):
                server.terminate()
            for server in (mkgraph, oxigraph):
                server.wait(10)
    summary = f"median ratio mkgraph / oxigraph: throughput {statistics.median(ratios):.2f}x"
    if cpu_ratios:
        summary += f", requests per CPU second {statistics.median(cpu_ratios):.2f}x"
    print(summary + " (target >= 0.8x)")
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="per run")
    parser.add_argument(
        "--workers", type=int, default=None, help="the server's query workers (default: its own)"
    )
    parser.add_argument("--idle", type=int, default=0, help="idle connections held open")
    parser.add_argument(
        "--against-oxigraph",
        action="store_true",
        help="the three stored queries only, at mkgraph's server and at Oxigraph's; the ratios",
    )
    parser.add_argument("--pairs", type=int, default=3, help="with --against-oxigraph: runs each")
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="with --against-oxigraph: the load generator (auto: wrk when installed)",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers and client")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each run as it ends
    if not 1 <= args.clients <= 256 or not 0 < args.seconds <= 300 or not 0 <= args.idle <= 400:
        parser.error("keep it bounded: 1-256 clients, 0-400 idle, at most 300 seconds")
    if not 1 <= args.pairs <= 20:
        parser.error("keep it bounded: 1-20 pairs")
    if args.against_oxigraph:
        if args.idle:
            parser.error("--idle is for the plain load, not --against-oxigraph")
        sys.exit(against_oxigraph(args))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_mkgraph(port, args.workers or 2, None)
    try:
        wait_until_up(f"{base}/queries", server)
        run = python_load(base, port, args, REQUESTS)
    finally:
        server.terminate()
        server.wait(10)
    idle = f", {args.idle} idle connections" if args.idle else ""
    print(
        f"clients {args.clients}{idle}, server workers {args.workers or 2}, "
        f"{run.seconds:.1f} s, loopback"
    )
    print(f"mix: {len(REQUESTS)} kinds of request, each client in turn")
    print(f"requests {run.requests}, throughput {run.throughput:.0f} req/s")
    print(f"latency p50 {run.p50 * 1000:.1f} ms, p99 {run.p99 * 1000:.1f} ms")
    detail = ", ".join(f"{k}: {n}" for k, n in sorted(run.errors.items()))
    print(f"errors {sum(run.errors.values())}" + (f" ({detail})" if run.errors else ""))
    sys.exit(1 if run.errors else 0)


if __name__ == "__main__":
    main()
