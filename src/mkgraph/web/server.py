"""`mkgraph serve`: a read-only SPARQL 1.1 endpoint over the graph, with the stored queries as plain
URLs, the lineage pictures, a service description and a landing page to type queries into.

Built on Starlette (routing, CORS) and uvicorn (the HTTP server): small, well kept, and standard
ASGI. Everything that could reach outside the graph (updates, LOAD, SERVICE, FROM, other graphs)
is refused with a 400 and the reason.

Bounded by construction, so that no client can lock others out or freeze the server:
- connections (mkgraph.web.connections): each request must arrive whole within --request-timeout, and
  idle connections are closed first when too many are open, so idle sockets never cause a 503;
- requests: those that need a query worker wait their turn in one first-come-first-served queue
  (Admission); only past --max-queue waiting is a request shed, with 503 and Retry-After;
- the event loop does no CPU-heavy work: the refusal check, parsing, evaluation and serialisation
  run in the query workers (mkgraph.web.querypool), drawing in a thread that waits for Graphviz;
- each query has a time limit and a memory limit (--max-memory, enforced by the kernel); a worker
  that passes either, or crashes, is replaced and the client gets one line;
- the temporary store is removed on exit, SIGTERM and Ctrl-C included, and a store left behind by a
  server that was killed is removed when the next one starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import math
import os
import shutil
import signal
import tempfile
import time
from collections import OrderedDict, deque
from importlib import resources as importlib_resources
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mkgraph.core.errors import MkgraphError, QueryError, UnknownNameError
from mkgraph.core.prefixes import GRAPH_IRI
from mkgraph.store import periods, querycheck
from mkgraph.store.queries import StoredQuery
from mkgraph.web import connections
from mkgraph.web.querypool import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, QueryPool

TEMP_PREFIX = "mkgraph-serve-"
LOCK_FILE = "lock"  # held (flock) by the server that owns the folder, released by the kernel
LINEAGE_PICTURES = 64  # drawings kept, most recently used first
DRAWINGS_AT_ONCE = 2  # Graphviz processes at a time
BOUND_TEXTS = 128  # stored queries with their values written in, most recently used first
MAX_CONNECTIONS = 512
# Up to this size each query worker answers from a copy of the graph in its own memory (tens of MB
# at most), faster than from the shared on-disk store; larger graphs are read from disk.
IN_MEMORY_TRIPLES = 50_000

SHORT_FORMATS = {  # ?format=... for links typed by hand
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}


class Refusal(Exception):
    """A request the endpoint will not answer: its status and a one-line reason."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers


def prepare(text: str, source: str) -> str:
    """The query as a worker runs it, once the refusal check has passed; a refusal raises
    QueryError with the reason. Runs inside a query worker, under its time and memory limits,
    so a check that is slow on some hostile text never holds the event loop."""
    try:
        querycheck.check(text, source)
    except MkgraphError as error:  # the command line's hint does not apply here
        raise QueryError(
            str(error).replace(" unless you name it with --allow-service", "")
        ) from None
    return (
        text  # the worker passes mkgraph's prefixes beside it, so error positions are the client's
    )


class Admission:
    """Requests that need a query worker wait here, first come first served, `slots` at a time.
    Past `max_queue` waiting, a request is shed at once with 503 and a Retry-After estimated from
    the recent service times."""

    def __init__(self, slots: int, max_queue: int):
        self.slots, self.max_queue = slots, max_queue
        self._running = 0
        self._waiting: deque[asyncio.Future] = deque()
        self._seconds = 0.05  # a moving average of the time a request holds its slot

    def retry_after(self) -> int:
        return max(1, math.ceil(len(self._waiting) / self.slots * self._seconds))

    @contextlib.asynccontextmanager
    async def slot(self):
        waited = self._running >= self.slots or bool(self._waiting)
        if waited:
            if len(self._waiting) >= self.max_queue:
                raise Refusal(
                    503,
                    f"the server is busy: {len(self._waiting)} queries are waiting, its limit; "
                    "try again shortly",
                    {"Retry-After": str(self.retry_after())},
                )
            turn = asyncio.get_running_loop().create_future()
            self._waiting.append(turn)
            try:
                await turn  # granted by _release, which counts the slot for us
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._release()  # granted just as we were cancelled: pass it on
                else:
                    self._waiting.remove(turn)
                raise
        else:
            self._running += 1
        started = time.monotonic()
        try:
            yield waited
        finally:
            self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)
            self._release()

    def _release(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot passes straight to the next in line
                return
        self._running -= 1


RESOURCE_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "ntriples",
}


def negotiate(accept: str, offered: dict[str, str], default: str) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured): the default for
    */* or no header, None when it accepts nothing offered."""
    if not accept.strip():
        return default
    choices = []
    for position, item in enumerate(accept.split(",")):
        media, *params = [part.strip().lower() for part in item.split(";")]
        quality = next((_float(p[2:]) for p in params if p.startswith("q=")), 1.0)
        if quality > 0:
            choices.append((-quality, position, media))
    for _quality, _position, media in sorted(choices):
        if media == "application/json":  # what most clients ask for
            media = "application/sparql-results+json"
        if media in offered:
            return media
        if media == "*/*":
            return default
        if media.endswith("/*"):
            family = media[:-1]
            for candidate in [default, *offered]:
                if candidate.startswith(family):
                    return candidate
    return None


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


class Endpoint:
    """The application's state: the graph, its on-disk copy for the workers, and the limits."""

    def __init__(
        self,
        kg,
        timeout: float = 10.0,
        max_result_bytes: int = 16 << 20,
        max_request_bytes: int = 64 << 10,
        workers: int = 2,
        inferred: bool = False,
        max_memory: int = 1 << 30,
        max_queue: int = 256,
        request_timeout: float = 10.0,
    ):
        import pyoxigraph as ox

        self.kg, self.timeout = kg, timeout
        self.max_request_bytes, self.request_timeout = max_request_bytes, request_timeout
        self.pool: QueryPool | None = None
        self.folder, self._lock = None, -1
        prune_stale_folders()  # the cache's own leftovers are pruned when the graph is loaded
        try:
            with _signals_held():  # a stop between creating the folder and noting it: none
                self.folder, self._lock = own_folder()
            store = ox.Store(str(self.folder / "store"))
            store.bulk_load(kg.ntriples(inferred), format=ox.RdfFormat.N_TRIPLES)
            self.triples = len(store)
            store.flush()
            del store  # closed, so the workers can open it read-only
            self.pool = QueryPool(
                str(self.folder / "store"),
                workers,
                timeout,
                max_result_bytes,
                max_memory,
                prepare,
                in_memory=self.triples <= IN_MEMORY_TRIPLES,
            )
        except BaseException:  # SIGTERM while starting included: leave nothing behind
            self.close()
            raise
        self.admission = Admission(workers, max_queue)
        self._pictures: OrderedDict[str, bytes] = OrderedDict()
        self._drawing = asyncio.Semaphore(DRAWINGS_AT_ONCE)
        self._listing: bytes | None = None
        self._descriptions: dict[tuple[str, str], bytes] = {}
        self._pages: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._bound_texts: OrderedDict[tuple, str] = OrderedDict()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self.folder is not None and self._lock >= 0:
            shutil.rmtree(self.folder, ignore_errors=True)
            os.close(self._lock)  # only now: a pruning server never sees an unlocked live folder
            self._lock = -1

    # ------------------------------------------------------------------ requests
    async def read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_request_bytes:
            raise Refusal(
                413,
                f"the request is larger than this server's limit of {self.max_request_bytes} bytes",
            )
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > self.max_request_bytes:
                    raise Refusal(
                        413,
                        f"the request is larger than this server's limit of "
                        f"{self.max_request_bytes} bytes",
                    )
        except ClientDisconnect:  # gone, or cut off by the request deadline: nobody to answer
            raise Refusal(408, "the request did not arrive whole") from None
        return bytes(body)

    async def protocol_parameters(self, request: Request) -> dict[str, list[str]]:
        """The SPARQL Protocol's parameters from the URL, a form, or a direct POST body."""
        if len(str(request.url)) > self.max_request_bytes:
            raise Refusal(414, "the URL is too long: POST the query instead")
        params = parse_qs(request.url.query, keep_blank_values=True)
        if request.method == "POST":
            body = await self.read_body(request)
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            text = _decode(body)
            if kind == "application/x-www-form-urlencoded":
                for key, values in parse_qs(text, keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            elif kind == "application/sparql-query":
                params.setdefault("query", []).append(text)
            elif kind == "application/sparql-update":
                raise Refusal(400, "SPARQL Update is refused: this endpoint is read-only")
            else:
                raise Refusal(
                    415,
                    "POST a query as application/x-www-form-urlencoded or application/sparql-query",
                )
        if "update" in params:
            raise Refusal(400, "SPARQL Update is refused: this endpoint is read-only")
        for key in ("default-graph-uri", "named-graph-uri"):
            other = [iri for iri in params.get(key, []) if iri != GRAPH_IRI]
            if other:
                raise Refusal(
                    400,
                    f"{key} <{other[0][:200]}> is refused: this endpoint holds "
                    f"one graph, <{GRAPH_IRI}>",
                )
        if len(params.get("query", [])) > 1:
            raise Refusal(400, "give exactly one query parameter")
        return params

    async def answer(self, request: Request, text: str, source: str) -> Response:
        """Run a query in a worker (the refusal check too: see `prepare`) once its turn comes."""
        override = request.query_params.get("format")
        accept = (
            SHORT_FORMATS.get(override, override) if override else request.headers.get("accept", "")
        )
        results_type = negotiate(accept, RESULT_MEDIA_TYPES, "application/sparql-results+json")
        graph_type = negotiate(accept, GRAPH_MEDIA_TYPES, "text/turtle")
        if results_type is None and graph_type is None:
            raise Refusal(
                406,
                "no acceptable format: results come as "
                + ", ".join(RESULT_MEDIA_TYPES)
                + "; graphs as "
                + ", ".join(GRAPH_MEDIA_TYPES),
            )
        assert self.pool is not None
        async with self.admission.slot() as waited:
            # Asked only after a wait: the question costs more than a query's trip to a worker.
            if waited and await request.is_disconnected():  # gave up: spare the worker
                raise Refusal(408, "the client left before its turn")
            answer = await self.pool.run_async(
                text,
                results_type or "application/sparql-results+json",
                graph_type or "text/turtle",
                source,
            )
        if answer.status == 200 and answer.content_type not in (results_type, graph_type):
            raise Refusal(406, f"this query's result cannot be written as {accept}")
        if answer.status != 200:
            raise Refusal(answer.status, answer.body.decode("utf-8", "replace"))
        return Response(answer.body, media_type=answer.content_type)  # text/* gets its charset

    # ------------------------------------------------------------------ routes
    async def sparql(self, request: Request) -> Response:
        params = await self.protocol_parameters(request)
        if "query" not in params:
            return await self.service_description(request)
        return await self.answer(request, params["query"][0], "query")

    async def stored(self, request: Request) -> Response:
        stored = self._stored_query(request.path_params["name"])
        given = {key: value for key, value in request.query_params.items() if key != "format"}
        known = {p.name for p in stored.parameters}
        for key in given:
            if key not in known:
                raise Refusal(
                    400,
                    f"query {stored.name!r} has no parameter {key!r} "
                    f"(it has: {', '.join(sorted(known)) or 'none'})",
                )
        # Keyed by the query's text, the values as given and the day: the names they resolve to
        # come from the graph, which is fixed for the server's life, and a date parameter left out
        # or given as "today" is written in as the day it is bound on, so a server that runs past
        # midnight binds it anew (an entry can never be stale).
        cache_key = (stored.text, periods.today(), tuple(sorted(given.items())))
        text = self._bound_texts.get(cache_key)
        if text is None:
            try:  # names looked up and values written in (regular expressions): off the loop
                text = await run_in_threadpool(self._bound, stored, given)
            except UnknownNameError as error:
                raise Refusal(404, str(error)) from None
            except MkgraphError as error:
                raise Refusal(400, str(error)) from None
            self._bound_texts[cache_key] = text
            while len(self._bound_texts) > BOUND_TEXTS:
                self._bound_texts.popitem(last=False)
        self._bound_texts.move_to_end(cache_key)
        return await self.answer(request, text, f"queries/{stored.name}")

    def _stored_query(self, name: str) -> StoredQuery:
        """The stored query `name` (its file read at every request, so an edit is seen at once;
        parsed once per content by mkgraph.store.queries)."""
        try:
            return self.kg.stored_query(name)
        except MkgraphError as error:
            raise Refusal(404, str(error)) from None

    def _bound(self, stored, given: dict[str, str]) -> str:
        return self.kg.bound_text(stored, given)

    def _runnable(self, stored) -> str:
        """The stored query with its parameters' defaults written in, ready to run as it stands
        (the text as stored when a parameter has no default)."""
        try:
            return self.kg.bound_text(stored, {})
        except MkgraphError:
            return stored.text

    async def stored_list(self, request: Request) -> Response:
        if self._listing is None:  # the same for the server's life: built once, off the loop
            self._listing = await run_in_threadpool(self._stored_listing)
        return Response(self._listing, media_type="application/json")

    def _stored_listing(self) -> bytes:
        listing = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "text": q.text,
                "runnable": self._runnable(q),
                "parameters": [
                    {
                        "name": p.name,
                        "kind": p.kind,
                        "default": p.default,
                        "description": p.description,
                    }
                    for p in q.parameters
                ],
                "url": f"/queries/{q.name}",
            }
            for q in self.kg.stored_queries()
        ]
        return bytes(JSONResponse(listing).body)

    async def lineage(self, request: Request) -> Response:
        name = request.path_params["name"]
        # Keyed by the system the name resolves to, not by its spelling, and bounded in count.
        key = "all" if name == "all" else str(await run_in_threadpool(self._resolve, name))
        picture = self._pictures.get(key)
        if picture is None:
            async with self._drawing:  # drawn once even when asked for twice at once
                drawn = self._pictures.get(key)
                picture = drawn if drawn is not None else await run_in_threadpool(self._draw, key)
            self._pictures[key] = picture
            while len(self._pictures) > LINEAGE_PICTURES:
                self._pictures.popitem(last=False)
        self._pictures.move_to_end(key)
        return Response(picture, media_type="image/svg+xml")

    def _resolve(self, name: str):
        try:
            return self.kg.resolve(name)
        except UnknownNameError as error:
            raise Refusal(404, str(error)) from None
        except MkgraphError as error:
            raise Refusal(400, str(error)) from None

    def _draw(self, key: str) -> bytes:
        """The lineage of the system with IRI `key` ("all": every system) as SVG."""
        from mkgraph.views import drawing

        try:
            view = self.kg.lineage_view([key] if key != "all" else [])
        except UnknownNameError as error:
            raise Refusal(404, str(error)) from None
        except MkgraphError as error:  # an ambiguous name: the request must say which
            raise Refusal(400, str(error)) from None
        title = "mkgraph lineage"
        if key != "all":
            title = f"Lineage of {next(n.name for s, n in view.nodes.items() if str(s) == key)}"
        try:
            return drawing.render(drawing.to_dot(view, title=title), "svg")
        except MkgraphError as error:
            raise Refusal(503, str(error)) from None

    async def resource_page(self, request: Request) -> Response:
        """A graph IRI dereferenced: /system/sel4 (or the IRI's own path, /mkgraph/system/sel4)
        is an HTML page for browsers and the resource's triples as Turtle, JSON-LD or N-Triples
        by content negotiation; the page is the static site's (mkgraph.views.pages)."""
        from rdflib import URIRef

        from mkgraph.views import pages

        kind, slug = request.path_params["kind"], request.path_params["slug"]
        resource = URIRef(f"{pages.BASE}{kind}/{slug}")
        if kind not in pages.PAGE_KINDS or (
            (resource, None, None) not in self.kg.graph
            and (None, None, resource) not in self.kg.graph
        ):
            raise Refusal(404, f"no {kind} {slug!r} in the graph")
        offered = {"text/html": "html", **{m: f for m, f in RESOURCE_FORMATS.items()}}
        media = negotiate(request.headers.get("accept", ""), offered, "text/html")
        if media is None:
            raise Refusal(406, "a resource comes as HTML, Turtle, JSON-LD or N-Triples")
        root = request.url.path[: -len(f"{kind}/{slug}")]
        key = (str(resource), media, root)
        body = self._pages.get(key)
        if body is None:
            body = await run_in_threadpool(self._resource_body, resource, media, root)
            self._pages[key] = body
            while len(self._pages) > LINEAGE_PICTURES:
                self._pages.popitem(last=False)
        self._pages.move_to_end(key)
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    def _resource_body(self, resource, media: str, root: str) -> bytes:
        from mkgraph.store.export import load_context, serialize
        from mkgraph.views import describe, pages

        if media == "text/html":
            links = pages.PageLinks(root, "", "/", "/lineage/all.svg")
            svg = (
                pages.lineage_svg(self.kg, resource, links) if "/system/" in str(resource) else None
            )
            return pages.page(self.kg, resource, links, svg).encode("utf-8")
        fmt = RESOURCE_FORMATS[media]
        context = load_context(self.kg.resources.jsonld_context) if fmt == "jsonld" else None
        return serialize(describe.subgraph(self.kg.graph, resource), fmt, context).encode("utf-8")

    async def names(self, request: Request) -> Response:
        """The names of every resource of a kind (system, language, ...): what a stored query's
        parameter of that kind accepts, for the query page to offer."""
        from mkgraph.store import lookup

        kind = request.path_params["kind"]
        if kind not in lookup.KIND_CLASSES:
            raise Refusal(404, f"no kind of resource named {kind!r}")
        found = await run_in_threadpool(lookup.store_candidates, self.kg.store, kind)
        names = sorted({name for names in found.values() for name in names}, key=str.casefold)
        return JSONResponse(names)

    async def systems(self, request: Request) -> Response:
        from mkgraph.store import lookup

        found = await run_in_threadpool(lookup.store_candidates, self.kg.store, "system")
        names = sorted((names[0] for names in found.values() if names), key=str.casefold)
        return JSONResponse(names)

    async def landing(self, request: Request) -> Response:
        page = importlib_resources.files("mkgraph.web").joinpath("page.html").read_text("utf-8")
        return HTMLResponse(page)

    async def service_description(self, request: Request) -> Response:
        media = negotiate(
            request.headers.get("accept", ""),
            {k: v for k, v in GRAPH_MEDIA_TYPES.items() if k != "application/rdf+xml"},
            "text/turtle",
        )
        if media is None:
            raise Refusal(406, "the service description comes as Turtle, JSON-LD or N-Triples")
        url = str(request.url_for("sparql"))
        description = self._descriptions.get((url, media))
        if description is None:  # rdflib's writer is slow: once per address, off the event loop
            description = await run_in_threadpool(service_description, url, self.triples, media)
            if len(self._descriptions) >= 16:  # the Host header varies: keep it bounded
                self._descriptions.clear()
            self._descriptions[url, media] = description
        return Response(description, media_type=media)


def service_description(endpoint: str, triples: int, media: str) -> bytes:
    """A SPARQL 1.1 Service Description of this endpoint."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, XSD

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    void = Namespace("http://rdfs.org/ns/void#")
    graph = Graph()
    graph.bind("sd", sd)
    graph.bind("void", void)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, sd.Service))
    graph.add((service, sd.endpoint, service))
    graph.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "JSON-LD",
        "N-Triples",
        "RDF_XML",
    ):
        graph.add((service, sd.resultFormat, formats[name]))
    dataset, default = BNode(), BNode()
    graph.add((service, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    graph.add((default, void.triples, Literal(triples, datatype=XSD.integer)))
    rdflib_format = {
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/n-triples": "nt",
    }[media]
    return graph.serialize(format=rdflib_format).encode("utf-8")


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "the request body is not UTF-8") from None


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refusal)  # registered for Refusal only
    return PlainTextResponse(exc.reason + "\n", status_code=exc.status, headers=exc.headers)


def create_app(endpoint: Endpoint) -> Starlette:
    routes = [
        Route("/", endpoint.landing),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"], name="sparql"),
        Route("/queries", endpoint.stored_list),
        Route("/queries/{name}", endpoint.stored),
        Route("/systems", endpoint.systems),
        Route("/names/{kind}", endpoint.names),
        Route("/lineage/{name:path}.svg", endpoint.lineage),  # UX/RT: a name with "/"
        Route("/{kind}/{slug}", endpoint.resource_page),
        Route("/mkgraph/{kind}/{slug}", endpoint.resource_page),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type"],
        )
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={Refusal: _refused})


def _check_address(host: str, port: int) -> None:
    """Fail with one line, before any work, when the address cannot be listened on."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise MkgraphError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def own_folder() -> tuple[Path, int]:
    """A new temporary folder for this server's store, and the descriptor of the lock that marks
    it as in use (the kernel releases the lock when the process ends, however it ends)."""
    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    # Locked under another name, then renamed: a pruning server never finds the lock file unlocked.
    lock = os.open(folder / ".lock-new", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.rename(folder / ".lock-new", folder / LOCK_FILE)
    return folder, lock


def prune_stale_folders(parent: str | None = None) -> list[Path]:
    """Remove the temporary folders of servers that are gone (killed, so they could not clean up):
    those whose lock nobody holds, and empty ones over a minute old (killed before locking).
    A folder with no lock but with content is not ours to judge (an older mkgraph's) and stays.
    Returns what was removed."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(TEMP_PREFIX + "*"):
        try:
            if folder.is_symlink() or not folder.is_dir():
                continue
            locks = [folder / name for name in (LOCK_FILE, ".lock-new") if (folder / name).exists()]
            if locks:
                if any(_held(lock) for lock in locks):
                    continue
            elif any(folder.iterdir()) or time.time() - folder.stat().st_mtime < 60:
                continue
        except OSError:  # another user's, or gone meanwhile
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _held(path: Path) -> bool:
    """Whether a live process holds the lock on this file (the kernel drops a dead one's)."""
    descriptor = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


@contextlib.contextmanager
def _signals_held():
    """SIGTERM and SIGINT wait (are delivered on exit) while the block runs."""
    stops = {signal.SIGTERM, signal.SIGINT}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Stop(Exception):
    """SIGTERM: stop the way Ctrl-C does, cleaning up."""


def _stop(signum, frame) -> None:
    raise _Stop()


def serve(kg, host: str, port: int, **limits) -> None:
    """Run the endpoint until interrupted (Ctrl-C or SIGTERM); the temporary store is removed."""
    import uvicorn

    _check_address(host, port)
    request_timeout = limits.get("request_timeout", 10.0)
    # uvicorn stops gracefully on SIGTERM, then raises it again once its own handler is gone: ours
    # turns it into an exception, so the store is removed before the process ends.
    previous = signal.signal(signal.SIGTERM, _stop)
    endpoint = None
    try:
        endpoint = Endpoint(kg, **limits)
        print(
            f"mkgraph: serving {endpoint.triples} triples at http://{host}:{port}/ "
            f"(SPARQL endpoint http://{host}:{port}/sparql); Ctrl-C stops",
            flush=True,
        )
        uvicorn.run(
            create_app(endpoint),
            host=host,
            port=port,
            log_level="warning",
            http=connections.protocol(request_timeout, MAX_CONNECTIONS),
            limit_concurrency=None,  # idle connections must not turn requests away: see above
            timeout_keep_alive=5,
            timeout_graceful_shutdown=3,  # then requests still waiting or running are cancelled
            h11_max_incomplete_event_size=max(16 << 10, endpoint.max_request_bytes),
        )
    except (_Stop, KeyboardInterrupt):
        pass  # asked to stop: a clean exit
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut cleanup short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if endpoint is not None:
                endpoint.close()
        finally:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, signal.default_int_handler)
