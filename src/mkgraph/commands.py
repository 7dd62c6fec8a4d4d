"""What the command line's two readers share, without click: running `mkgraph query`, writing its
answer, the one-line error and exit code for a failure, and the program's confinement.

`mkgraph` is read by click (mkgraph.cli) except for the plain forms of its two hottest commands,

    mkgraph [--root DIR] query NAME [-p NAME=VALUE | --param NAME=VALUE]... [-f FORMAT | --format FORMAT] [--iris]
    mkgraph [--root DIR] validate

which `read_plain` recognises and `run_plain` answers without importing click (importing it cost
more than half of a cold query's 0.1 s, and about a sixth of a validate after a one-fact change).
Both readers then call the same code here: the query (binding, name resolution and errors are the
library's), the validation report, the result writers, the error lines.
Any argument `read_plain` is not sure of (help, another option, an option's value that starts
with "-", "--", "--param=...", an unknown format, a second NAME) leaves the whole command line
to click, so its messages and exit codes stay click's. tests/test_plain_query.py compares the
two readers on many command lines.
"""

from __future__ import annotations

import os
import sys

from mkgraph.core.errors import MkgraphError, ParameterError
from mkgraph.core.formats import GRAPH_FORMATS, SELECT_FORMATS
from mkgraph.core.limits import DEFAULT_TIMEOUT, VALIDATE_TIMEOUT

# Commands that may speak to the network: `serve` listens, `publish` sends; `query` and `sparql`
# only with --endpoint or --allow-service.
NETWORK_COMMANDS = ("serve", "publish", "query", "sparql")
_program = {"confine": False}  # set by become_program(): this process is mkgraph, not a host


def become_program() -> None:
    """This process is the `mkgraph` program (not a test runner or a notebook hosting mkgraph):
    commands that need no network may confine the whole process."""
    _program["confine"] = True


def confine() -> None:
    """Defence in depth for the program: a command that needs no network forbids every socket to
    its whole process (and the programs it starts, like Graphviz's dot). Not when mkgraph runs
    inside another program (a test runner, a notebook): there the engines confine their threads."""
    if not _program["confine"]:
        return
    from mkgraph.store import offline

    if offline.available():
        # where the kernel refuses, the engines' own threads are still confined (try, not
        # contextlib.suppress: importing contextlib cost the installed command a few ms)
        try:  # noqa: SIM105
            offline.forbid_network(whole_process=True)
        except OSError:
            pass


# ---------------------------------------------------------------- printing


def echo(text: str, err: bool = False) -> None:
    """Print a line as click.echo prints it (to a stream that is not a terminal, ANSI escapes
    removed; flushed), without importing click for an ordinary stream. Where click is loaded
    anyway, or the stream is anything else (a wrapper, an ASCII-only encoding), click.echo
    itself writes."""
    stream = sys.stderr if err else sys.stdout
    if "click" in sys.modules or not _plain_stream(stream):
        import click

        click.echo(text, err=err)
        return
    out = text + "\n"
    if "\033" in out and not _isatty(stream):
        import re

        # click's pattern for ANSI escape sequences (click._compat._ansi_re)
        out = re.sub(r"\033\[[0-?]*[ -/]*[@-~]", "", out)
    stream.write(out)
    stream.flush()


def _plain_stream(stream) -> bool:
    """A text stream click.echo would write to as it is: a real TextIOWrapper with an encoding
    that is not ASCII (click rewraps an ASCII one)."""
    import io

    if type(stream) is not io.TextIOWrapper or not stream.encoding or not stream.errors:
        return False
    import codecs

    try:
        return codecs.lookup(stream.encoding).name != "ascii"
    except LookupError:
        return True  # click keeps a stream whose encoding it cannot look up


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:
        return False


def emit(text: str, output: str | None) -> None:
    """Print, or write the file whole (never half-written)."""
    if output is None or output == "-":
        echo(text)
        return
    from mkgraph.core.writing import write_file

    write_file(output, text if text.endswith("\n") else text + "\n")


def emit_bytes(data: bytes, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from mkgraph.core.writing import write_file

    write_file(output, data)


def failure(exc: BaseException) -> int:
    """Print the one line a failure of a command gets and return its exit code: mkgraph's own
    errors as they are, an interruption, and a bug as one line unless MKGRAPH_DEBUG asks for the
    traceback. What is not a failure of the command (SystemExit, ...) is raised again."""
    if isinstance(exc, MkgraphError):
        echo(f"mkgraph: error: {exc}", err=True)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        echo("mkgraph: interrupted", err=True)
        return 130
    if not isinstance(exc, Exception) or os.environ.get("MKGRAPH_DEBUG"):
        raise exc
    message = " ".join(str(exc).split())[:300]
    echo(
        f"mkgraph: internal error: {type(exc).__name__}: {message} "
        "(set MKGRAPH_DEBUG=1 for details)",
        err=True,
    )
    return 2


# ---------------------------------------------------------------- queries


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise ParameterError(f"parameter {pair[:60]!r} is not NAME=VALUE")
        if name.strip() in params:
            raise ParameterError(
                f"parameter {name.strip()!r} is given twice (-p {name.strip()}=...)"
            )
        params[name.strip()] = value
    return params


def render_result(kg, result, fmt: str | None, width: int | None = None, iris: bool = False) -> str:
    """A query's answer as text in the format asked for. Any answer will do (the library's
    QueryResult, an engine's own with native=True, another store's): only the members every
    answer offers are read (mkgraph.store.results), never its class."""
    from mkgraph.store import results

    if result.form in results.GRAPH_FORMS:
        chosen = fmt or "turtle"
        if chosen == "json":
            chosen = "jsonld"
        if chosen not in GRAPH_FORMATS:
            raise ParameterError(
                f"a {result.form} query returns a graph: use --format {', '.join(GRAPH_FORMATS)}"
            )
        context = None
        if chosen == "jsonld":
            from mkgraph.store.export import load_context

            context = load_context(kg().resources.jsonld_context)
        return results.format_graph(result, chosen, context)
    chosen = fmt or "table"
    if chosen not in SELECT_FORMATS:
        raise ParameterError(
            f"a {result.form} query returns a table: use --format {', '.join(SELECT_FORMATS)}"
        )
    return results.format_select(result, chosen, width, iris)


def query(
    kg,
    name: str | None,
    params: tuple[str, ...] | list[str],
    fmt: str | None = None,
    iris: bool = False,
    query_file: str | None = None,
    inferred: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: tuple[str, ...] = (),
    endpoint: str | None = None,
    graph: str | None = None,
    credentials=None,
    output: str | None = None,
) -> None:
    """`mkgraph query`: a stored query by NAME, or a query file, here or at another endpoint;
    `kg` gives the KnowledgeGraph (built when first asked), `credentials` the user and password
    for an endpoint."""
    if not endpoint and not allow_service:
        confine()
    if endpoint:
        if query_file or not name or inferred:
            raise ParameterError(
                "--endpoint runs a stored query NAME (without --file or --inferred)"
            )
        user, password = credentials(endpoint)
        result = kg().query_remote(
            endpoint,
            name,
            parse_params(params),
            graph=graph,
            timeout=timeout,
            user=user,
            password=password,
            native=True,
            allow_service=allow_service,
        )
    elif query_file:
        if name:
            raise ParameterError("give a stored query NAME or --file, not both")
        from pathlib import Path

        if not Path(query_file).is_file():
            raise ParameterError(f"query file {query_file!r} does not exist")
        result = kg().query_file(
            query_file,
            inferred=inferred,
            timeout=timeout,
            allow_service=allow_service,
            native=True,
            params=parse_params(params),
        )
    elif name:
        result = kg().query(
            name,
            parse_params(params),
            inferred=inferred,
            timeout=timeout,
            allow_service=allow_service,
            native=True,
        )
    else:
        raise ParameterError("name a stored query (see 'mkgraph queries') or give --file Q.rq")
    emit(render_result(kg, result, fmt, iris=iris), output)


def validate(
    kg,
    fmt: str = "text",
    validator: str = "rudof",
    timeout: float = VALIDATE_TIMEOUT,
    output: str | None = None,
) -> int:
    """`mkgraph validate`: print the report and return the exit code (0 conforms, 1 does not)."""
    report = kg().validate(validator, timeout=timeout)
    if fmt == "json":
        text = report.as_json()
    elif fmt == "turtle":
        text = report.as_graph().serialize(format="longturtle")
    else:
        text = report.as_text()
    emit(text, output)
    return 0 if report.conforms else 1


# ---------------------------------------------------------------- the plain forms

_VALUE_OPTIONS = {"-p": "params", "--param": "params", "-f": "fmt", "--format": "fmt"}


def read_plain(argv: list[str]) -> dict | None:
    """The plain `mkgraph [--root DIR] query ...` and `mkgraph [--root DIR] validate` forms (see
    the module's docstring) as {command, root, name, params, fmt, iris} (a validate: {command,
    root}); None for anything else or anything doubtful."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return None  # click's shell completion (_MKGRAPH_COMPLETE=...) answers, not the command
    args = list(argv)
    root = None
    if args[:1] == ["--root"]:
        if len(args) < 2 or not _plain_value(args[1]) or not _readable(args[1]):
            return None
        root, args = args[1], args[2:]
    if args == ["validate"]:  # its options (-f, --validator, --timeout, -o) are click's
        return {"command": "validate", "root": root}
    if args[:1] != ["query"]:
        return None
    found: dict = {
        "command": "query",
        "root": root,
        "name": None,
        "params": [],
        "fmt": None,
        "iris": False,
    }
    rest = iter(args[1:])
    for arg in rest:
        if arg in _VALUE_OPTIONS:
            value = next(rest, None)
            if value is None or not _plain_value(value, empty_ok=True):
                return None
            if _VALUE_OPTIONS[arg] == "params":
                found["params"].append(value)
            elif found["fmt"] is None and value in SELECT_FORMATS + tuple(GRAPH_FORMATS):
                found["fmt"] = value
            else:
                return None  # a second -f, or a format click refuses in its own words
        elif arg == "--iris":
            found["iris"] = True
        elif arg.startswith("-") or found["name"] is not None:
            return None
        else:
            found["name"] = arg
    return found


def _plain_value(value: str, empty_ok: bool = False) -> bool:
    return (empty_ok or value != "") and not value.startswith("-")


def _readable(root: str) -> bool:
    """Whether click's Path type takes the folder without a word (it refuses one that exists
    but cannot be read)."""
    try:
        os.stat(root)
    except (OSError, ValueError):
        return True  # missing: the library says so
    return os.access(root, os.R_OK)


def run_plain(argv: list[str], kg=None, program: bool = False) -> int | None:
    """Answer a plain `mkgraph query` or `validate` command line (read_plain) and return its
    exit code, or None to leave the command line to click. `kg`: a KnowledgeGraph to use instead
    of building one (as tests hand click's commands one); `program`: this process is the mkgraph
    program."""
    found = read_plain(argv)
    if found is None:
        return None
    if program:
        become_program()
    graphs: dict = {"kg": kg}

    def graph():
        if graphs["kg"] is None:
            from mkgraph.api import KnowledgeGraph

            graphs["kg"] = KnowledgeGraph(found["root"], reasoner="targeted")
        return graphs["kg"]

    try:
        if found["command"] == "validate":
            confine()  # as click's group does for every command that needs no network
            return validate(graph)
        query(graph, found["name"], found["params"], found["fmt"], found["iris"])
    except BaseException as exc:
        return failure(exc)
    return 0
