"""The library API: one object over one copy of the graph's sources. The command line is a thin
layer over this; scripts and notebooks can use it directly.

    from mkgraph.api import KnowledgeGraph
    kg = KnowledgeGraph()
    result = kg.query("descendants", {"of": "seL4"})

Two SPARQL engines answer queries, behind one interface (mkgraph.store.backends.Engine), chosen
once when the object is made: Oxigraph (the default for the asserted graph, opened from a
content-keyed cache) or rdflib (engine="rdflib": the reference the tests compare against); queries
over the inferred graph are answered by rdflib. Heavy libraries are imported only by the methods
that need them, so a stored query from the command line never pays for rdflib, pySHACL or owlrl.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from mkgraph.core.choices import ENGINES, REASONERS, VALIDATORS
from mkgraph.core.errors import (
    ParameterError,
    QueryError,
    QueryTimeout,
    ResourceError,
    UnknownNameError,
    ValidationTimeout,
)
from mkgraph.core.limits import DEFAULT_TIMEOUT
from mkgraph.core.resources import Resources, locate
from mkgraph.store import backends, queries

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms of a cold query)
if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph, URIRef


class FormatOutcome:
    """What `KnowledgeGraph.format_files` did: files migrated (old, new path), files found not
    canonical (with check=True), files rewritten. (A plain class: importing dataclasses cost a
    cold query a few ms.)"""

    def __init__(self) -> None:
        self.migrated: list[tuple[Path, Path]] = []
        self.not_canonical: list[Path] = []
        self.formatted: list[Path] = []


class KnowledgeGraph:
    """The microkernel graph: loaded lazily, queried, validated, reasoned over and exported."""

    def __init__(self, root=None, engine: str = "auto", reasoner: str = "targeted"):
        if engine not in ENGINES:
            raise ParameterError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
        if reasoner not in REASONERS:
            raise ParameterError(
                f"unknown reasoner {reasoner!r} (choose from {', '.join(REASONERS)})"
            )
        self.resources: Resources = locate(root)
        # The one choice of engine for the asserted graph ("auto": Oxigraph where installed).
        if engine == "auto":
            engine = "oxigraph" if _oxigraph_installed() else "rdflib"
        self.engine = engine
        self.reasoner = reasoner
        self._oxigraph = backends.OxigraphEngine(lambda: self.store, self._store_candidates)
        self._asserted: backends.Engine = (
            self._oxigraph
            if self.engine == "oxigraph"
            else backends.RdflibEngine(lambda: self.graph)
        )
        # the inferred graph is an rdflib Graph; names are resolved in the asserted one
        self._inferred: backends.Engine = backends.RdflibEngine(
            self.graph_with_inferences, names=lambda: self.graph
        )
        # the targeted rules run on Oxigraph; without it, owlrl computes the same triples
        self._targeted = reasoner == "targeted" and self.engine == "oxigraph"

    # ---------------------------------------------------------------- loading
    @cached_property
    def source_snapshot(self):
        """Every ontology and data file's bytes, read once: both loaders and the cache key use
        exactly these, so the rdflib graph, the Oxigraph store and the cache entry agree."""
        from mkgraph.core.sourcetext import read_sources

        # resources.graph_files(), the data folder walked once (it is checked first)
        data = self.resources.data_files(self.resources.data)
        if not data:
            raise ResourceError(
                f"{self.resources.data}: no data files (.ttl, .trig, .jsonld or .rdf)"
            )
        return read_sources(self.resources.turtle_files(self.resources.ontology) + data)

    @cached_property
    def graph(self) -> Graph:
        """Ontology and data as asserted, parsed and checked by rdflib."""
        from mkgraph.store import graph as graph_module

        return graph_module.load(self.resources, self.source_snapshot)

    @cached_property
    def current(self) -> Graph:
        """The graph as it stands today: facts whose period has ended are history and left out
        (see mkgraph.store.periods). The views (show, lineage, render list, coverage) read this."""
        from mkgraph.store import periods

        return periods.as_of(self.graph, periods=self.periods)

    @cached_property
    def periods(self) -> dict:
        """Each fact's periods (its spells) in `graph`, read once: the pages, the lineage views
        and `describe(history=True)` all ask for them, and reading every statement node is the
        slow part (mkgraph.store.periods.periods_by_fact)."""
        from mkgraph.store import periods

        return periods.periods_by_fact(self.graph)

    def as_of(self, when: str) -> Graph:
        """The graph as it stood on a day or in a year ("2020", "2020-06-30", "today")."""
        from mkgraph.store import periods

        return periods.as_of(self.graph, periods.asked(when), self.periods)

    @cached_property
    def store(self):
        """The same graph in an Oxigraph store, from the cache when no source file changed."""
        from mkgraph.store import cache

        files = self.source_snapshot
        cached = cache.open_store(files)
        if cached is not None:
            return cached
        import pyoxigraph as ox

        from mkgraph.store import fastload

        store = fastload.load_store(files)
        cache.save_store(
            files, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        )
        return store

    def _store_candidates(self, kind: str) -> dict[str, list[str]]:
        """Each resource of a kind and its names, as lookup.store_candidates finds them in the
        store, remembered beside the cached store (keyed like it): a name in a new process is
        then looked up without a query (about 5 ms of a cold query's CPU)."""
        from mkgraph.store import cache, lookup

        return cache.remembered_names(
            self.source_snapshot,
            kind,
            lookup.candidates_query(kind),
            lambda: lookup.store_candidates(self.store, kind),
        )

    @cached_property
    def inferred(self) -> Graph:
        """Only the triples that inference adds: by the targeted rules on Oxigraph (the default,
        the same triples in a fraction of the time) or by owlrl's full OWL 2 RL closure."""
        from mkgraph.store import reasoning

        if self._targeted:
            return reasoning.infer_targeted(self.store)
        return reasoning.infer(self.graph)

    def graph_with_inferences(self) -> Graph:
        """The asserted graph plus what inference adds (built once: both parts are kept)."""
        return self._graph_with_inferences

    @cached_property
    def _graph_with_inferences(self) -> Graph:
        from rdflib import Graph

        combined = Graph()
        for prefix, namespace in self.graph.namespaces():
            combined.bind(prefix, namespace)
        combined += self.graph
        combined += self.inferred
        return combined

    def _target(self, inferred: bool) -> Graph:
        return self.graph_with_inferences() if inferred else self.graph

    def _engine(self, inferred: bool) -> backends.Engine:
        return self._inferred if inferred else self._asserted

    def _oxigraph_writes(self, inferred: bool) -> bool:
        """Whether Oxigraph's writers can give the graph asked for (all but owlrl's closure)."""
        return self.engine == "oxigraph" and (not inferred or self._targeted)

    # ---------------------------------------------------------------- queries
    def stored_queries(self) -> list[queries.StoredQuery]:
        return queries.list_stored_queries(self.resources.queries)

    def stored_query(self, name: str) -> queries.StoredQuery:
        return queries.find_stored_query(self.resources.queries, name)

    def _check_params(self, stored: queries.StoredQuery, params: dict[str, str]) -> dict[str, str]:
        for given, text in params.items():
            stored.parameter(given)  # unknown parameter names are an error
            if not _is_text(text):  # e.g. bytes of another encoding on the command line
                raise ParameterError(f"parameter {given!r}: the value is not UTF-8 text")
        values = {}
        for parameter in stored.parameters:
            value = params.get(parameter.name, parameter.default)
            if value is None:
                raise ParameterError(
                    f"query {stored.name!r} needs parameter {parameter.name!r} "
                    f"({parameter.kind}): add -p {parameter.name}=VALUE"
                )
            values[parameter.name] = value
        return values

    def _bind(
        self, engine: backends.Engine, stored: queries.StoredQuery, params: dict[str, str]
    ) -> dict:
        kinds = {p.name: p.kind for p in stored.parameters}
        return engine.bind(kinds, self._check_params(stored, params))

    def bindings(self, stored: queries.StoredQuery, params: dict[str, str]) -> dict:
        """Each parameter's value (given or default) read as an rdflib term."""
        return self._bind(backends.RdflibEngine(lambda: self.graph), stored, params)

    def bound_text(self, stored: queries.StoredQuery, params: dict[str, str]) -> str:
        """The stored query with its parameters (given, else their defaults) written in as
        terms: the text another store, or the server's workers, run as it stands."""
        return self._oxigraph.bound_text(stored.text, self._bind(self._oxigraph, stored, params))

    def query(
        self,
        name: str,
        params: dict[str, str] | None = None,
        inferred: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: tuple[str, ...] = (),
        native: bool = False,
    ):
        """Run a stored query by name, its parameters given by name.

        Returns a QueryResult of rdflib terms; with native=True and the Oxigraph engine, the
        engine's own OxResult (what the command line prints from, without importing rdflib).
        Both offer the same members (mkgraph.store.results): read those, not the class.
        """
        stored = self.stored_query(name)
        return self._run_stored(stored, params, inferred, timeout, allow_service, native)

    def _run_stored(
        self,
        stored: queries.StoredQuery,
        params: dict[str, str] | None,
        inferred: bool,
        timeout: float | None,
        allow_service: tuple[str, ...],
        native: bool,
    ):
        engine = self._engine(inferred)
        bindings = self._bind(engine, stored, params or {})
        answer = engine.run(stored.text, bindings, str(stored.path), timeout, allow_service)
        return answer if native else engine.result(answer)

    def query_file(
        self,
        path,
        inferred: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: tuple[str, ...] = (),
        native: bool = False,
        params: dict[str, str] | None = None,
    ):
        """Run the query in a file. A file with a stored query's header (#+ lines) is run as a
        stored query: its parameters are bound from `params` or their defaults."""
        from mkgraph.core.sourcetext import MAX_QUERY_BYTES, decode, read_bytes

        text = decode(path, read_bytes(Path(path), MAX_QUERY_BYTES), allow_empty=True)
        if any(line.startswith("#+") for line in text.splitlines()):
            stored = queries.parse_stored_query(Path(path))
            return self._run_stored(stored, params, inferred, timeout, allow_service, native)
        if params:
            raise ParameterError(
                f"{path}: -p needs the parameter declared in the file's header "
                "('#+ param: of = DEFAULT (KIND) description')"
            )
        return self.sparql(text, inferred, str(path), timeout, allow_service, native)

    def sparql(
        self,
        text: str,
        inferred: bool = False,
        source: str = "query",
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: tuple[str, ...] = (),
        native: bool = False,
    ):
        """Run an ad-hoc SPARQL query."""
        if not _is_text(text):
            raise QueryError(f"{source}: the query is not UTF-8 text")
        engine = self._engine(inferred)
        answer = engine.run(text, None, source, timeout, allow_service)
        return answer if native else engine.result(answer)

    # ---------------------------------------------------------------- other stores
    def ntriples(self, inferred: bool = False) -> bytes:
        """The whole graph (with what inference adds, if asked) as N-Triples."""
        if self._oxigraph_writes(inferred):
            import pyoxigraph as ox

            return ox.serialize(self._triples(inferred), format=ox.RdfFormat.N_TRIPLES) or b""
        return self._target(inferred).serialize(format="nt").encode("utf-8")

    def publish(
        self,
        endpoint: str,
        graph: str | None = None,
        inferred: bool = False,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
    ) -> tuple[str, int]:
        """Replace a graph in another triplestore with this one (SPARQL 1.1 Graph Store HTTP
        Protocol); returns the graph's URL there and the number of triples sent."""
        from mkgraph.web import remote

        data = self.ntriples(inferred)
        url = remote.publish(data, endpoint, graph or remote.GRAPH_IRI, user, password, timeout)
        return url, data.count(b"\n")

    def query_remote(
        self,
        endpoint: str,
        name: str | None = None,
        params: dict | None = None,
        text: str | None = None,
        graph: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        user: str | None = None,
        password: str | None = None,
        native: bool = False,
        allow_service: tuple[str, ...] = (),
    ):
        """Run a stored query (its parameters resolved here, sent as terms) or a query text at
        another SPARQL endpoint. Returns what `query` returns for the same question: a
        QueryResult of rdflib terms, or with native=True the OxResult the command line prints
        from (the same writers print any answer: they read only the members all offer).

        The timeout covers the whole exchange with the store; the password is sent only in
        answer to the scheme the store asks for (Digest where offered). The query passes the same
        check as a local one: a SERVICE is sent only to the endpoints in `allow_service`."""
        from mkgraph.store import oxengine
        from mkgraph.web import remote

        if name is not None:
            stored = self.stored_query(name)
            text = self.bound_text(stored, params or {})
            source = str(stored.path)
        else:
            source = "query"
        oxengine.check(text or "", source, allow_service)
        result = remote.query(
            oxengine.PROLOGUE + (text or ""),
            endpoint,
            graph or remote.GRAPH_IRI,
            timeout if timeout and timeout > 0 else DEFAULT_TIMEOUT,
            user,
            password,
        )
        return result if native else self._oxigraph.result(result)

    # ---------------------------------------------------------------- checks
    def validate(
        self,
        validator: str = "rudof",
        chunk_triples: int | None = None,
        timeout: float | None = None,
    ):
        """The SHACL shapes (by rudof, or by pySHACL) and the *-violation queries, in one report.
        When the shapes allow it (mkgraph.checks.chunking), rudof is handed the graph in pieces
        of about `chunk_triples`, which bounds validation's memory, and only the subjects whose
        part of the graph changed since a run remembered in the cache folder
        (mkgraph.checks.incremental); the report is the one validating the whole graph gives.

        Past `timeout` seconds (loading the graph not counted) ValidationTimeout is raised. The
        checks run in a daemon thread that is then abandoned: the command line exits at once; in
        a long-lived program the abandoned check keeps a core busy until it ends."""
        import threading
        import time

        from mkgraph.checks import chunking

        chunk_triples = chunk_triples or chunking.CHUNK_TRIPLES
        if validator not in VALIDATORS:
            raise ParameterError(
                f"unknown validator {validator!r} (choose from {', '.join(VALIDATORS)})"
            )
        checks = [q for q in self.stored_queries() if q.is_violation_check]
        fast = self.engine == "oxigraph"
        if fast and "store" not in vars(self):  # loaded here, outside the time limit and thread
            # Validation works on an in-memory store, parsed afresh, and leaves the graph cache
            # alone: rudof's input and the violation queries are read faster from memory than
            # from the cache's on-disk store, and saving a changed graph there costs more than it
            # returns to a validate (figures in the README's Performance section).
            from mkgraph.store import cache, fastload

            # each unchanged file's triples are read back as its last parse left them
            self.store = fastload.load_store(self.source_snapshot, cache.cache_folder())
        if validator == "pyshacl" or not fast:
            self.graph  # noqa: B018
        deadline = None if timeout is None else time.monotonic() + timeout
        outcome: dict = {}

        def run() -> None:
            try:
                outcome["report"] = self._validate(validator, checks, fast, chunk_triples, deadline)
            except BaseException as exc:  # handed to the caller's thread
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="mkgraph-validate", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise ValidationTimeout(
                f"validation ran longer than {timeout:g} s and was stopped "
                "(raise the limit with --timeout)"
            )
        if "error" in outcome:
            error = outcome["error"]
            if isinstance(error, QueryTimeout) and timeout is not None:
                raise ValidationTimeout(
                    f"validation ran longer than {timeout:g} s and was stopped "
                    "(raise the limit with --timeout)"
                ) from None
            raise error
        return outcome["report"]

    def _validate(self, validator, checks, fast: bool, chunk_triples: int, deadline):
        import threading
        import time

        from mkgraph.checks import cycles, report, shacl, violations

        label = self._store_label if fast else self._graph_label

        def remaining() -> float | None:
            return None if deadline is None else max(0.001, deadline - time.monotonic())

        def shacl_problems():
            if validator == "pyshacl":
                from mkgraph.store import graph as graph_module

                shapes = graph_module.load_shapes(self.resources)
                return shacl.pyshacl_problems(self.graph, shapes, label)
            shapes, local = shacl.read_shapes(self.resources)
            if fast and local:  # in pieces; only what changed since the last run is checked
                from mkgraph.checks import incremental
                from mkgraph.store import cache

                return incremental.rudof_problems(
                    self.store, shapes, label, chunk_triples, cache.cache_folder()
                )
            return shacl.rudof_problems(self._ntriples(fast), shapes, label)

        def code_checks(rows) -> list:
            """The checks written in code: lineage cycles, SPDX licences, near-duplicate names."""
            edges = rows(cycles.LINEAGE_EDGES, "lineage links")[1]
            licences = rows(violations.LICENCES, "licences")[1]
            expressions = rows(violations.LICENCE_EXPRESSIONS, "licence expressions")[1]
            names = rows(violations.NAMES, "names")[1]
            return (
                cycles.cycle_problems(edges, label)
                + violations.licence_check(licences, expressions, label)
                + violations.duplicate_check(names, label)
            )

        if not fast:  # rdflib's engine: one after the other
            return report.report(
                shacl_problems()
                + violations.query_problems(
                    checks,
                    lambda check: self._rows_rdflib(check.text, str(check.path), terms=True),
                    label,
                )
                + code_checks(self._rows_rdflib)
            )
        # Oxigraph answers the violation queries outside the GIL while the shapes are checked
        # (a plain daemon thread: an executor's would be waited for at exit, past the limit).
        queried: dict = {}

        def query_checks() -> None:
            try:
                queried["problems"] = violations.query_problems(
                    checks,
                    lambda check: self._rows_oxigraph(
                        check.text, str(check.path), remaining(), terms=True
                    ),
                    label,
                )
            except BaseException as exc:
                queried["error"] = exc

        worker = threading.Thread(target=query_checks, name="mkgraph-checks", daemon=True)
        worker.start()
        coded = code_checks(lambda text, source: self._rows_oxigraph(text, source, remaining()))
        shaped = shacl_problems()
        worker.join()
        if "error" in queried:
            raise queried["error"]
        return report.report(shaped + queried["problems"] + coded)

    def _ntriples(self, from_store: bool) -> str:
        if not from_store:
            return self.graph.serialize(format="nt")
        import pyoxigraph as ox

        return self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode()

    def _store_label(self, resource: str) -> str:
        from mkgraph.store import lookup

        return lookup.store_label(self.store, resource)

    def _graph_label(self, resource: str) -> str:
        from rdflib import BNode, URIRef

        from mkgraph.store import names

        node = BNode(resource[2:]) if resource.startswith("_:") else URIRef(resource)
        return names.label(self.graph, node)

    def _rows_oxigraph(
        self, text: str, source: str, timeout: float | None = None, terms: bool = False
    ):
        """A SELECT's variables and rows as text (or as the engine's terms), answered by
        Oxigraph (within `timeout`)."""
        from mkgraph.store import oxengine

        result = oxengine.run(self.store, text, source=source, timeout=timeout)
        if terms:
            return result.variables, result.rows
        return result.variables, [
            tuple(None if t is None else t.value for t in row) for row in result.rows
        ]

    def _rows_rdflib(self, text: str, source: str, terms: bool = False):
        from mkgraph.store import engine

        result = engine.run(self.graph, text, source=source, timeout=None)
        if terms:
            return result.variables, result.rows
        return result.variables, [
            tuple(None if t is None else str(t) for t in row) for row in result.rows
        ]

    # ---------------------------------------------------------------- curation
    def diff(self, revision: str | None = None, other_root=None):
        """What this copy of the graph changes compared with a git revision of it (default HEAD)
        or with another root folder: a mkgraph.views.diff.Diff."""
        from mkgraph.views import diff

        if revision is not None and other_root is not None:
            raise ParameterError("compare with a revision or with another root, not both")
        if other_root is not None:
            old = KnowledgeGraph(other_root).graph
        else:
            old = diff.graph_at_revision(self.resources, revision or "HEAD")
        return diff.compare(old, self.graph)

    def new_project(self, name: str, homepage: str, listed: bool = False) -> Path:
        """Write a new project file from the template (mkgraph.store.template); a name the graph
        already describes is refused."""
        from rdflib import URIRef

        from mkgraph.store import template

        iri = URIRef(f"https://w3id.org/mkgraph/system/{template.slug(name)}")
        if (iri, None, None) in self.graph:
            raise ParameterError(f"{name!r} is already in the graph as <{iri}>: edit its file")
        return template.new_project(self.resources, name, homepage, listed)

    def format_files(
        self, files: list[Path] | None = None, check: bool = False, migrate: bool = False
    ) -> FormatOutcome:
        """Keep data files canonical (mkgraph.store.formatting): every curated file under data/
        unless `files` are named. `check` only reports the files that are not canonical;
        `migrate` first moves reified provenance into the compact TriG form. Never writes into
        the copy installed with mkgraph."""
        from mkgraph.store import formatting

        if check and migrate:
            raise ParameterError("--check and --migrate do not go together")
        paths = list(files or self.resources.curated_files(self.resources.data))
        outcome = FormatOutcome()
        if check:
            outcome.not_canonical = formatting.unformatted(paths)
            return outcome
        self.resources.check_writable(paths)
        if migrate:
            outcome.migrated = formatting.migrate(paths)
            renamed = dict(outcome.migrated)
            paths = [renamed.get(p, p) for p in paths]
        outcome.formatted = formatting.format_files(paths)
        return outcome

    def stale_facts(self, days: int, today=None):
        """The facts whose sources were all read more than ``days`` ago (mkgraph.views.review)."""
        from mkgraph.views import review

        if days < 0:
            raise ParameterError(f"days must be 0 or more, not {days}")
        return review.stale_facts(self.graph, days, today)

    # ---------------------------------------------------------------- export
    def export(self, fmt: str = "turtle", inferred: bool = False) -> str:
        from mkgraph.store import export

        context = export.load_context(self.resources.jsonld_context) if fmt == "jsonld" else None
        if fmt != "jsonld" and self._oxigraph_writes(inferred):
            # Oxigraph's writers: ten times faster than rdflib's on large graphs, no rdflib parse.
            return export.serialize_triples(self._triples(inferred), fmt)
        return export.serialize(self._target(inferred), fmt, context)

    def _triples(self, inferred: bool) -> list:
        from mkgraph.store import reasoning

        triples = [quad.triple for quad in self.store]
        return triples + reasoning.infer_targeted_triples(self.store) if inferred else triples

    # ---------------------------------------------------------------- systems
    def resolve(self, name: str, kind: str = "system") -> URIRef:
        from mkgraph.store import names

        return names.resolve(self.graph, kind, name)

    def resolve_any(self, name: str) -> URIRef:
        """A system, language, architecture, trait, ... whichever kind the name denotes; systems
        first, so "Linux" is the kernel rather than the interface of the same name."""
        from mkgraph.store import names

        for kind in names.KIND_CLASSES:
            try:
                return names.resolve(self.graph, kind, name)
            except UnknownNameError:
                continue
        return names.resolve(self.graph, "any", name)  # raises, with suggestions from every kind

    def lineage(
        self,
        name: str,
        direction: str = "descendants",
        relations: list[str] | None = None,
        depth: int | None = None,
    ):
        from mkgraph.views import lineage

        chosen = (
            tuple(lineage.RELATION_NAMES[r] for r in relations)
            if relations
            else tuple(lineage.RELATION_NAMES.values())
        )
        # lineage is descent: links that have ended stay, marked (README, "Lineage and time")
        return lineage.tree(self.graph, self.resolve(name), direction, chosen, depth)

    def lineage_forest(self, relations: list[str] | None = None, depth: int | None = None):
        """The whole forest as trees: one below each system of the drawing that descends from
        none, in name order."""
        from mkgraph.views import lineage

        chosen = (
            tuple(lineage.RELATION_NAMES[r] for r in relations)
            if relations
            else tuple(lineage.RELATION_NAMES.values())
        )
        view = lineage.view(self.graph, [], "descendants", chosen, depth)
        children = {edge.child for edge in view.edges}
        roots = sorted(
            (system for system in view.nodes if system not in children),
            key=lambda s: view.nodes[s].name.casefold(),
        )
        return [lineage.tree(self.graph, root, "descendants", chosen, depth) for root in roots]

    def lineage_view(
        self,
        names: list[str] | None = None,
        direction: str = "descendants",
        relations: list[str] | None = None,
        depth: int | None = None,
    ):
        """The systems and links to draw around some systems, or the whole forest without names."""
        from mkgraph.views import lineage

        chosen = (
            tuple(lineage.RELATION_NAMES[r] for r in relations)
            if relations
            else tuple(lineage.RELATION_NAMES.values())
        )
        roots = [self.resolve(name) for name in names or []]
        return lineage.view(
            self.current, roots, direction, chosen, depth, history=self.graph, periods=self.periods
        )

    def describe(self, name: str, history: bool = False):
        """Everything about one resource: today's facts, or with history=True also the facts
        whose period has ended, each with its period."""
        from mkgraph.views import describe

        resource = self.resolve_any(name)
        if history:
            return describe.describe(self.graph, resource, self.periods)
        return describe.describe(self.current, resource, hidden=len(self._history_of(resource)))

    def describe_rdf(self, name: str, fmt: str = "turtle", history: bool = False) -> str:
        """What `describe` shows, as RDF in one of the graph formats: the resource's facts and
        their provenance (today's, or with history=True every period's)."""
        from mkgraph.store.export import load_context, serialize
        from mkgraph.views import describe

        resource = self.resolve_any(name)
        graph = self.graph if history else self.current
        context = load_context(self.resources.jsonld_context) if fmt == "jsonld" else None
        return serialize(describe.subgraph(graph, resource), fmt, context)

    def coverage(self):
        """Which fields are known and sourced for each listed project, today
        (a mkgraph.views.coverage report: as_table, as_json)."""
        from mkgraph.views.coverage import coverage

        return coverage(self.current)

    def project_list(self, fmt: str = "markdown") -> str:
        """The list of listed projects with its comparison table, as it stands today, in Markdown
        or HTML."""
        from mkgraph.views import listing

        if fmt not in ("markdown", "html"):
            raise ParameterError(f"unknown list format {fmt!r} (choose from markdown, html)")
        return listing.to_html(self.current) if fmt == "html" else listing.to_markdown(self.current)

    def _history_of(self, resource) -> set:
        from mkgraph.store import periods

        return {
            fact
            for fact in periods.not_holding(self.graph, periods=self.periods)
            if resource in (fact[0], fact[2])
        }


def _is_text(value: str) -> bool:
    """Whether a str is Unicode text (no lone surrogates, which stand for undecodable bytes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _oxigraph_installed() -> bool:
    """pyoxigraph is a dependency; without it (a broken install) the rdflib engine still works."""
    # the import system's own finders, as importlib.util.find_spec asks them, without importing
    # importlib.util (a few ms of a cold query)
    import sys

    if "pyoxigraph" in sys.modules:
        return True
    return any(
        finder.find_spec("pyoxigraph", None) is not None
        for finder in sys.meta_path
        if hasattr(finder, "find_spec")
    )
