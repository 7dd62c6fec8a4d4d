"""The `mkgraph` command: each subcommand parses its options, calls one library function, prints.

Exit codes: 0 success, 1 the graph does not conform (validate), 2 could not run (bad input).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mkgraph import __version__, commands
from mkgraph.core.choices import REASONERS, VALIDATORS
from mkgraph.core.errors import ParameterError
from mkgraph.core.formats import DRAWING_FORMATS, GRAPH_FORMATS, SELECT_FORMATS
from mkgraph.core.limits import DEFAULT_TIMEOUT, VALIDATE_TIMEOUT
from mkgraph.core.prefixes import LINEAGE_RELATION_NAMES
from mkgraph.core.resources import ROOT_ENV


def _kg(ctx: click.Context):
    from mkgraph.api import KnowledgeGraph

    obj = ctx.find_root().obj
    if obj.get("kg") is None:
        obj["kg"] = KnowledgeGraph(obj.get("root"), reasoner=obj.get("reasoner", "targeted"))
    return obj["kg"]


def _output_format(
    given: str | None,
    output: str | None,
    detect,
    formats: tuple[str, ...],
    extensions: tuple[str, ...],
    default: str,
) -> str:
    """The format to write: -f, else -o's extension, else the default; a file whose extension
    says another format, or says none, is an error rather than a surprise."""
    if output is None or output == "-":
        return given or default
    from mkgraph.core.writing import is_stream

    stream = is_stream(output)  # a folder or a link loop is refused here, as itself
    detected = detect(output)
    if given is None and detected is None and stream:
        return default  # a FIFO or a device (/dev/stdout) takes what standard output would
    if given is None and detected is None:
        raise ParameterError(
            f"cannot tell the format from {output!r}: give -f {_either(formats)}, "
            f"or a file name ending in {_either(extensions)}"
        )
    if given is not None and detected is not None and detected != given:
        raise ParameterError(f"-f {given} does not match the extension of {output!r} ({detected})")
    return given or detected or default


def _either(items: tuple[str, ...]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1]


def output_option(func):
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE (whole or not at all) instead of standard output.",
    )(func)


def limits_options(func):
    func = click.option(
        "--allow-service",
        "allow_service",
        multiple=True,
        metavar="URL",
        help="Let SERVICE send queries to this endpoint (repeatable; with --endpoint, the "
        "other store calls it); without it SERVICE is refused.",
    )(func)
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0.001),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Stop a query that runs longer than this (with --endpoint: the whole exchange).",
    )(func)


def remote_options(func):
    func = click.option(
        "--user",
        metavar="NAME",
        help="User name for the endpoint; the password comes from "
        "$MKGRAPH_PASSWORD or a prompt, never the command line.",
    )(func)
    func = click.option(
        "--graph",
        metavar="IRI",
        help="The graph to use there (default https://w3id.org/mkgraph/graph; "
        "'default' for the store's default graph).",
    )(func)
    return click.option(
        "--endpoint",
        metavar="URL",
        help="Run it at this SPARQL endpoint instead of on the bundled graph.",
    )(func)


def _credentials(endpoint: str, user: str | None) -> tuple[str | None, str | None]:
    """The user (--user, else the one written in the endpoint URL) and their password:
    $MKGRAPH_PASSWORD, else a password written in the URL, else a hidden prompt."""
    from mkgraph.web.remote import PASSWORD_ENV, parse_endpoint

    target = parse_endpoint(endpoint)
    user = user or target.user
    if (
        user is not None
        and user == target.user
        and target.password is not None
        and os.environ.get(PASSWORD_ENV) is None
    ):
        return user, target.password
    return user, _password(user)


def _password(user: str | None) -> str | None:
    """From the environment, else a hidden prompt; never from the command line."""
    if not user:
        return None
    from mkgraph.web.remote import PASSWORD_ENV

    if os.environ.get(PASSWORD_ENV) is not None:
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise ParameterError(
            f"--user {user!r} needs a password: set ${PASSWORD_ENV} (no terminal to prompt on)"
        )
    return click.prompt(f"Password for {user}", hide_input=True, err=True)


def inferred_option(func):
    return click.option(
        "--inferred",
        is_flag=True,
        help="Include what OWL 2 RL inference derives (how: see --reasoner before the command).",
    )(func)


def iris_option(func):
    return click.option(
        "--iris",
        is_flag=True,
        help="Show the columns of the graph's own IRIs (sys:..., lang:...) in a table; other "
        "formats always carry them.",
    )(func)


def run(args: list[str] | None = None) -> None:
    """The `mkgraph` program read by click alone (mkgraph.__main__.run reads the plain query forms
    itself and hands everything else here)."""
    commands.become_program()
    main(args)


class MkgraphGroup(click.Group):
    """Turns mkgraph's errors into one line on standard error and an exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BaseException as exc:  # the one line and exit code (mkgraph.commands.failure)
            ctx.exit(commands.failure(exc))


@click.group(cls=MkgraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mkgraph")
@click.option(
    "--root",
    metavar="DIR",
    envvar=ROOT_ENV,
    type=click.Path(),
    help=f"Folder holding ontology/, data/, shapes/ and queries/ (or set {ROOT_ENV}).",
)
@click.option(
    "--reasoner",
    type=click.Choice(REASONERS),
    default="targeted",
    show_default=True,
    help="How --inferred is computed: targeted rules on Oxigraph, or "
    "owlrl's full OWL 2 RL closure (slower, same triples here).",
)
@click.pass_context
def main(ctx: click.Context, root: str | None, reasoner: str) -> None:
    """mkgraph: a sourced knowledge graph of open-source microkernel projects.

    Example: mkgraph query descendants -p of=seL4
    """
    ctx.ensure_object(dict)
    from_environment = ctx.get_parameter_source("root") == click.core.ParameterSource.ENVIRONMENT
    ctx.obj["root"] = None if from_environment else root  # the library reads the variable itself
    ctx.obj["reasoner"] = reasoner
    if ctx.invoked_subcommand not in commands.NETWORK_COMMANDS:
        commands.confine()


@main.command("info")
@click.pass_context
def info_command(ctx):
    """Say which version runs and which copy of the graph's files it uses, and why.

    Example: mkgraph info
    """
    from mkgraph.core.resources import ORIGINS

    resources = _kg(ctx).resources
    click.echo(f"mkgraph {__version__}")
    click.echo(f"root: {resources.root} ({ORIGINS[resources.origin]})")


@main.command("queries")
@click.pass_context
def queries_command(ctx):
    """List the stored queries with their titles and parameters.

    Example: mkgraph queries
    """
    for stored in _kg(ctx).stored_queries():
        params = ", ".join(
            f"{p.name}={p.default}" if p.default else p.name for p in stored.parameters
        )
        suffix = f"  [{params}]" if params else ""
        click.echo(f"{stored.name:<28} {stored.title}{suffix}")


@main.command("query")
@click.argument("name", required=False)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of the stored query (repeatable); bound as an RDF term.",
)
@click.option(
    "--file",
    "query_file",
    type=click.Path(dir_okay=False),
    help="Run the query in this .rq file instead of a stored one.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(SELECT_FORMATS + tuple(GRAPH_FORMATS)),
    help="Output format: table (default), csv, tsv, json, xml, markdown; "
    "graph results: turtle (default), jsonld, ntriples, nquads, xml.",
)
@iris_option
@inferred_option
@limits_options
@remote_options
@output_option
@click.pass_context
def query_command(
    ctx,
    name,
    params,
    query_file,
    fmt,
    iris,
    inferred,
    timeout,
    allow_service,
    endpoint,
    graph,
    user,
    output,
):
    """Run a stored query by NAME (see `mkgraph queries`), or a query file.

    Example: mkgraph query descendants -p of=sel4 --format csv
    """
    commands.query(
        lambda: _kg(ctx),
        name,
        params,
        fmt,
        iris,
        query_file=query_file,
        inferred=inferred,
        timeout=timeout,
        allow_service=allow_service,
        endpoint=endpoint,
        graph=graph,
        credentials=lambda url: _credentials(url, user),
        output=output,
    )


@main.command("sparql")
@click.argument("text")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(SELECT_FORMATS + tuple(GRAPH_FORMATS)),
    help="Output format, as for `mkgraph query`.",
)
@iris_option
@inferred_option
@limits_options
@remote_options
@output_option
@click.pass_context
def sparql_command(
    ctx, text, fmt, iris, inferred, timeout, allow_service, endpoint, graph, user, output
):
    """Run an ad-hoc SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE); `-` reads standard input.

    Example: mkgraph sparql 'SELECT ?name WHERE { ?s a mk:ListedProject ; rdfs:label ?name }'
    """
    if not endpoint and not allow_service:
        commands.confine()
    source = "query"
    if text == "-":
        from mkgraph.core.sourcetext import decode, read_stream

        source = "<stdin>"
        text = decode(source, read_stream(sys.stdin.buffer, source), True)
    if endpoint:
        if inferred:
            raise ParameterError("--inferred applies to the bundled graph, not to --endpoint")
        user, password = _credentials(endpoint, user)
        result = _kg(ctx).query_remote(
            endpoint,
            text=text,
            graph=graph,
            timeout=timeout,
            user=user,
            password=password,
            native=True,
            allow_service=allow_service,
        )
    else:
        result = _kg(ctx).sparql(
            text,
            inferred=inferred,
            source=source,
            timeout=timeout,
            allow_service=allow_service,
            native=True,
        )
    commands.emit(commands.render_result(lambda: _kg(ctx), result, fmt, iris=iris), output)


@main.command("validate")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("text", "turtle", "json")),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--validator",
    type=click.Choice(VALIDATORS),
    default="rudof",
    show_default=True,
    help="SHACL engine: rudof (fast) or pySHACL (the reference).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.001),
    default=VALIDATE_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Stop validating after this long (exit 2); loading the graph is not counted.",
)
@output_option
@click.pass_context
def validate_command(ctx, fmt, validator, timeout, output):
    """Check the graph against the SHACL shapes and the *-violation queries.

    Exit 0 when it conforms, 1 when it does not, 2 when validation could not run (a broken file,
    unusable shapes, or over --timeout).
    Example: mkgraph validate
    """
    ctx.exit(commands.validate(lambda: _kg(ctx), fmt, validator, timeout, output))


@main.command("export")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(tuple(GRAPH_FORMATS)),
    help="turtle (default), jsonld, ntriples, nquads or xml; else from -o's extension.",
)
@inferred_option
@output_option
@click.pass_context
def export_command(ctx, fmt, inferred, output):
    """Export the whole graph as linked data.

    Example: mkgraph export --format jsonld -o mkgraph.jsonld
    """
    from mkgraph.store.export import format_from_extension

    chosen = _output_format(
        fmt,
        output,
        format_from_extension,
        tuple(GRAPH_FORMATS),
        tuple(extension for _writer, extension in GRAPH_FORMATS.values()),
        "turtle",
    )
    commands.emit(_kg(ctx).export(chosen, inferred=inferred), output)


@main.command("show")
@click.argument("name")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("text", *GRAPH_FORMATS)),
    default="text",
    show_default=True,
    help="text, or the facts as RDF.",
)
@click.option(
    "--history",
    is_flag=True,
    help="Also the facts whose period has ended (a former licence or owner), each with its period.",
)
@output_option
@click.pass_context
def show_command(ctx, name, fmt, history, output):
    """Everything about one system (or language, architecture, ...), with sources and what points at it.

    Today's facts by default; --history adds the facts whose period has ended.
    Example: mkgraph show Genode --history
    """
    from mkgraph.views import describe

    kg = _kg(ctx)
    if fmt == "text":
        commands.emit(describe.render(kg.describe(name, history=history)), output)
    else:
        commands.emit(kg.describe_rdf(name, fmt, history=history), output)


@main.command("lineage")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option(
    "--descendants",
    "direction",
    flag_value="descendants",
    default=True,
    help="Show what descends from NAME (the default).",
)
@click.option(
    "--ancestors", "direction", flag_value="ancestors", help="Show what NAME descends from instead."
)
@click.option("--both", "direction", flag_value="both", help="Show ancestors and descendants.")
@click.option(
    "-r",
    "--relation",
    "relations",
    multiple=True,
    type=click.Choice(tuple(LINEAGE_RELATION_NAMES)),
    help="Follow only this kind of inheritance (repeatable).",
)
@click.option("--depth", type=click.IntRange(min=1), help="At most this many generations.")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(tuple(DRAWING_FORMATS)),
    help="tree (default), dot, svg, png, mermaid, json or html; else from -o's extension.",
)
@click.option("--ascii", "ascii_only", is_flag=True, help="Tree in plain ASCII instead of Unicode.")
@click.option(
    "--panels",
    is_flag=True,
    help="The whole forest as SVG small multiples that fit a README (about 900 px wide): "
    "one panel per system that descends from none.",
)
@output_option
@click.pass_context
def lineage_command(ctx, names, direction, relations, depth, fmt, ascii_only, panels, output):
    """Draw family trees: descendants (default) or ancestors of systems, or the whole forest.

    Without NAME, the whole forest of the listed projects and the systems they name is drawn.
    A link that has ended stays, marked with its period ("was based on Helios until 2025").
    Example: mkgraph lineage seL4 --format svg -o sel4.svg
    """
    from mkgraph.views import drawing
    from mkgraph.views.lineage import render_tree

    kg = _kg(ctx)
    chosen = _output_format(
        fmt,
        output,
        drawing.format_from_extension,
        tuple(DRAWING_FORMATS),
        tuple(DRAWING_FORMATS.values()),
        "tree",
    )
    kinds = list(relations) or None
    if panels:
        if names or chosen != "svg":
            raise ParameterError(
                "--panels draws the whole forest as SVG: give no NAME, and -f svg or -o FILE.svg"
            )
        view = kg.lineage_view([], direction, kinds, depth)
        commands.emit_bytes(drawing.to_panels_svg(view), output)
        return
    if chosen == "tree":
        if not names:  # the whole forest: a tree below each system that descends from none
            forest = kg.lineage_forest(kinds, depth)
            commands.emit("\n".join(render_tree(tree, ascii_only) for tree in forest), output)
            return
        else:
            trees = []
            for name in names:
                if direction == "both":
                    for way in ("ancestors", "descendants"):
                        tree = kg.lineage(name, way, kinds, depth)
                        heading = f"{tree.name} ({'; '.join(filter(None, [tree.when, way]))})"
                        trees.append(render_tree(tree, ascii_only=ascii_only, heading=heading))
                else:
                    tree = kg.lineage(name, direction, kinds, depth)
                    trees.append(render_tree(tree, ascii_only=ascii_only))
        commands.emit("\n\n".join(trees), output)
        return
    view = kg.lineage_view(list(names), direction, kinds, depth)
    title = (
        "Lineage of " + ", ".join(view.nodes[kg.resolve(n)].name for n in names)
        if names
        else "The microkernel family forest"
    )
    if chosen == "dot":
        commands.emit(drawing.to_dot(view, title=title), output)
    elif chosen == "mermaid":
        commands.emit(drawing.to_mermaid(view), output)
    elif chosen == "json":
        commands.emit(drawing.to_json(view), output)
    elif chosen == "html":
        commands.emit(drawing.to_html(view, title=title), output)
    else:
        if chosen == "png" and not output:
            raise ParameterError("PNG is binary: give -o FILE.png")
        commands.emit_bytes(drawing.render(drawing.to_dot(view, title=title), chosen), output)


@main.command("coverage")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("table", "markdown", "json")),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--stale",
    "stale_days",
    metavar="DAYS",
    type=click.IntRange(min=0),
    help="Instead: the facts whose sources were all read more than DAYS ago (the re-check list).",
)
@output_option
@click.pass_context
def coverage_command(ctx, fmt, stale_days, output):
    """Show which fields are known and sourced for each listed project, with totals.

    Example: mkgraph coverage --format markdown; mkgraph coverage --stale 180
    """
    if stale_days is not None:
        from mkgraph.views import review

        stale = _kg(ctx).stale_facts(stale_days)
        text = (
            review.as_json(stale)
            if fmt == "json"
            else review.as_table(stale, stale_days, markdown=fmt == "markdown")
        )
        commands.emit(text, output)
        return
    report = _kg(ctx).coverage()
    text = report.as_json() if fmt == "json" else report.as_table(markdown=fmt == "markdown")
    commands.emit(text, output)


@main.command("new")
@click.argument("name")
@click.option("--homepage", required=True, metavar="URL", help="The project's homepage.")
@click.option("--listed", is_flag=True, help="The project is on the microkernel.info list.")
@click.pass_context
def new_command(ctx, name, homepage, listed):
    """Start a new project file from the template, every field to fill marked TODO.

    Example: mkgraph new "Fake OS" --homepage https://fake-os.example.org --listed
    """
    path = _kg(ctx).new_project(name, homepage, listed)
    click.echo(f"wrote {path}: fill in each TODO, then run mkgraph validate")


@main.command("diff")
@click.argument("revision", required=False)
@click.option(
    "--root",
    "other_root",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Compare with another root folder instead of a git revision.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("text", "turtle")),
    default="text",
    show_default=True,
    help="text: facts added, removed and changed by system, with sources; "
    "turtle: the removed and the added triples.",
)
@output_option
@click.pass_context
def diff_command(ctx, revision, other_root, fmt, output):
    """What the working files change in the graph, compared with a git revision (default HEAD).

    Exit 0, or 1 when a fact lost its last source, 2 when the comparison could not run.
    Example: mkgraph diff HEAD~1
    """
    result = _kg(ctx).diff(revision, other_root)
    commands.emit(result.as_turtle() if fmt == "turtle" else result.as_text(), output)
    ctx.exit(1 if result.lost_last_source else 0)


@main.group("render")
def render_group():
    """Views of the graph as documents.

    Example: mkgraph render list --format markdown -o docs/microkernels.md
    """


@render_group.command("list")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("markdown", "html")),
    help="markdown (default) or html; else from -o's extension.",
)
@output_option
@click.pass_context
def render_list_command(ctx, fmt, output):
    """The list of listed projects, regenerated from the graph, with a comparison table.

    Example: mkgraph render list --format html -o microkernels.html
    """
    chosen = fmt or (
        "html" if output and output.lower().endswith((".html", ".htm")) else "markdown"
    )
    commands.emit(_kg(ctx).project_list(chosen), output)


@main.command("format")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--check", is_flag=True, help="Only report files that are not canonical (exit 1).")
@click.option(
    "--migrate",
    is_flag=True,
    help="Move Turtle files with reified provenance into the compact TriG form (x.ttl -> x.trig) "
    "and give each source without a kind (mk:sourceKind) its guessed kind.",
)
@click.pass_context
def format_command(ctx, files, check, migrate):
    """Rewrite data files in canonical Turtle or TriG (default: every file under data/).

    Example: mkgraph format --check
    """
    outcome = _kg(ctx).format_files([Path(f) for f in files], check=check, migrate=migrate)
    for old, new in outcome.migrated:
        click.echo(f"migrated {old} -> {new}" if new != old else f"classified sources in {old}")
    for path in outcome.not_canonical:
        click.echo(f"not canonical: {path}")
    for path in outcome.formatted:
        click.echo(f"formatted {path}")
    if check:
        ctx.exit(1 if outcome.not_canonical else 0)


if __name__ == "__main__":  # pragma: no cover
    main()


@main.command("publish")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's SPARQL 1.1 Graph Store endpoint, e.g. http://localhost:7878/store "
    "(Oxigraph) or http://localhost:8890/sparql-graph-crud-auth (Virtuoso).",
)
@click.option(
    "--graph",
    metavar="IRI",
    help="The graph to replace (default https://w3id.org/mkgraph/graph; 'default' for "
    "the store's default graph).",
)
@click.option(
    "--user",
    metavar="NAME",
    help="User name; the password comes from $MKGRAPH_PASSWORD or a prompt.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.001),
    default=120.0,
    show_default=True,
    metavar="SECONDS",
    help="Give up when the whole upload and answer take longer than this.",
)
@inferred_option
@click.pass_context
def publish_command(ctx, endpoint, graph, user, timeout, inferred):
    """Upload the graph to a triplestore, replacing the graph there (publishing twice leaves one
    copy), through the SPARQL 1.1 Graph Store HTTP Protocol.

    Example: mkgraph publish --endpoint http://localhost:7878/store
    """
    user, password = _credentials(endpoint, user)
    url, count = _kg(ctx).publish(endpoint, graph, inferred, user, password, timeout)
    click.echo(f"published {count} triples to {url}")


@main.command("site")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(), help="The folder to write."
)
@click.pass_context
def site_command(ctx, output):
    """Write the graph as a static site: the list, a page per system, language, architecture and
    family, the lineage forest and every export format. Needs no server; loads nothing remote.

    Example: mkgraph site -o public
    """
    from mkgraph.views import site

    counts = site.build(_kg(ctx), output)
    pages = ", ".join(f"{n} {kind} page{'s' if n != 1 else ''}" for kind, n in counts.items())
    click.echo(f"wrote {output}: index.html, {pages}, lineage, the graph in every format", err=True)


@main.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for every interface).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop a query that runs longer than this (HTTP 503).",
)
@click.option(
    "--max-result-bytes",
    type=click.IntRange(min=1),
    default=16 << 20,
    show_default=True,
    help="Refuse a result larger than this (HTTP 413).",
)
@click.option(
    "--max-request-bytes",
    type=click.IntRange(min=1024),
    default=64 << 10,
    show_default=True,
    help="Refuse a request or URL larger than this (HTTP 413/414).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 2,
    show_default="number of cores",
    help="Query worker processes.",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=256),
    default=1024,
    show_default=True,
    metavar="MB",
    help="Stop a query whose worker needs more memory than this (HTTP 503).",
)
@click.option(
    "--max-queue",
    type=click.IntRange(min=0),
    default=256,
    show_default=True,
    help="Queries that may wait for a free worker; past it, HTTP 503 with Retry-After.",
)
@click.option(
    "--request-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Close a connection whose request has not arrived whole in this time (HTTP 408).",
)
@inferred_option
@click.pass_context
def serve_command(
    ctx,
    host,
    port,
    timeout,
    max_result_bytes,
    max_request_bytes,
    workers,
    max_memory,
    max_queue,
    request_timeout,
    inferred,
):
    """Serve the graph read-only: a SPARQL 1.1 endpoint at /sparql, the stored queries at
    /queries/NAME, lineage pictures at /lineage/NAME.svg and a query page at /.

    Example: mkgraph serve --port 7878
    """
    from mkgraph.web.server import serve

    serve(
        _kg(ctx),
        host,
        port,
        timeout=timeout,
        max_result_bytes=max_result_bytes,
        max_request_bytes=max_request_bytes,
        workers=workers,
        max_memory=max_memory << 20,
        max_queue=max_queue,
        request_timeout=request_timeout,
        inferred=inferred,
    )
