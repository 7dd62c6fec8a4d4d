"""`mkgraph serve`: a read-only SPARQL 1.1 endpoint over the graph, with the stored queries as plain
URLs, the lineage pictures, a service description and a landing page to type queries into.

Built on Starlette (routing, CORS) and uvicorn (the HTTP server): small, well kept, and standard
ASGI. Queries are answered by worker processes (mkgraph.querypool) so a time limit really stops a
query. Everything that could reach outside the graph (updates, LOAD, SERVICE, FROM, other graphs)
is refused with a 400 and the reason.
"""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources as importlib_resources
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mkgraph import oxengine
from mkgraph.errors import MkgraphError, UnknownNameError
from mkgraph.prefixes import GRAPH_IRI
from mkgraph.querypool import GRAPH_FORMATS, RESULT_FORMATS, QueryPool

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

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


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
    ):
        import pyoxigraph as ox

        self.kg, self.timeout = kg, timeout
        self.max_request_bytes = max_request_bytes
        self.folder = Path(tempfile.mkdtemp(prefix="mkgraph-serve-"))
        store = ox.Store(str(self.folder / "store"))
        store.bulk_load(kg.ntriples(inferred), format=ox.RdfFormat.N_TRIPLES)
        self.triples = len(store)
        store.flush()
        del store  # closed, so the workers can open it read-only
        self.pool = QueryPool(str(self.folder / "store"), workers, timeout, max_result_bytes)
        self._pictures: dict[str, bytes] = {}

    def close(self) -> None:
        self.pool.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------ requests
    async def read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_request_bytes:
            raise Refusal(
                413,
                f"the request is larger than this server's limit of {self.max_request_bytes} bytes",
            )
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_request_bytes:
                raise Refusal(
                    413,
                    f"the request is larger than this server's limit of "
                    f"{self.max_request_bytes} bytes",
                )
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
        try:
            oxengine.check(text, source)
        except MkgraphError as error:  # the command line's hint does not apply here
            raise Refusal(
                400, str(error).replace(" unless you name it with --allow-service", "")
            ) from None
        override = request.query_params.get("format")
        accept = (
            SHORT_FORMATS.get(override, override) if override else request.headers.get("accept", "")
        )
        results_type = negotiate(accept, RESULT_FORMATS, "application/sparql-results+json")
        graph_type = negotiate(accept, GRAPH_FORMATS, "text/turtle")
        if results_type is None and graph_type is None:
            raise Refusal(
                406,
                "no acceptable format: results come as "
                + ", ".join(RESULT_FORMATS)
                + "; graphs as "
                + ", ".join(GRAPH_FORMATS),
            )
        answer = await run_in_threadpool(
            self.pool.run,
            oxengine.PROLOGUE + text,
            results_type or "application/sparql-results+json",
            graph_type or "text/turtle",
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
            return self.service_description(request)
        return await self.answer(request, params["query"][0], "query")

    async def stored(self, request: Request) -> Response:
        name = request.path_params["name"]
        try:
            stored = self.kg.stored_query(name)
        except MkgraphError as error:
            raise Refusal(404, str(error)) from None
        given = {key: value for key, value in request.query_params.items() if key != "format"}
        known = {p.name for p in stored.parameters}
        for key in given:
            if key not in known:
                raise Refusal(
                    400,
                    f"query {stored.name!r} has no parameter {key!r} "
                    f"(it has: {', '.join(sorted(known)) or 'none'})",
                )
        try:
            bindings = await run_in_threadpool(self.kg._store_bindings, stored, given)
        except UnknownNameError as error:
            raise Refusal(404, str(error)) from None
        except MkgraphError as error:
            raise Refusal(400, str(error)) from None
        text = oxengine.with_terms(stored.text, bindings) or oxengine.with_values(
            stored.text, bindings
        )
        return await self.answer(request, text, f"queries/{stored.name}")

    def _runnable(self, stored) -> str:
        """The stored query with its parameters' defaults written in, ready to run as it stands
        (the text as stored when a parameter has no default)."""
        try:
            bindings = self.kg._store_bindings(stored, {})
        except MkgraphError:
            return stored.text
        return oxengine.with_terms(stored.text, bindings) or oxengine.with_values(
            stored.text, bindings
        )

    async def stored_list(self, request: Request) -> Response:
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
        return JSONResponse(listing)

    async def lineage(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self._pictures:
            self._pictures[name] = await run_in_threadpool(self._draw, name)
        return Response(self._pictures[name], media_type="image/svg+xml")

    def _draw(self, name: str) -> bytes:
        from mkgraph import drawing

        try:
            view = self.kg.lineage_view([name] if name != "all" else [])
        except UnknownNameError as error:
            raise Refusal(404, str(error)) from None
        except MkgraphError as error:  # an ambiguous name: the request must say which
            raise Refusal(400, str(error)) from None
        title = (
            f"Lineage of {view.nodes[self.kg.resolve(name)].name}"
            if name != "all"
            else "mkgraph lineage"
        )
        try:
            return drawing.render(drawing.to_dot(view, title=title), "svg")
        except MkgraphError as error:
            raise Refusal(503, str(error)) from None

    async def systems(self, request: Request) -> Response:
        from mkgraph import lookup

        found = await run_in_threadpool(lookup.store_candidates, self.kg.store, "system")
        names = sorted((names[0] for names in found.values() if names), key=str.casefold)
        return JSONResponse(names)

    async def landing(self, request: Request) -> Response:
        page = importlib_resources.files("mkgraph").joinpath("page.html").read_text("utf-8")
        return HTMLResponse(page)

    def service_description(self, request: Request) -> Response:
        media = negotiate(
            request.headers.get("accept", ""),
            {k: v for k, v in GRAPH_FORMATS.items() if k != "application/rdf+xml"},
            "text/turtle",
        )
        if media is None:
            raise Refusal(406, "the service description comes as Turtle, JSON-LD or N-Triples")
        return Response(
            service_description(str(request.url_for("sparql")), self.triples, media),
            media_type=media,
        )


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
    return PlainTextResponse(exc.reason + "\n", status_code=exc.status)


def create_app(endpoint: Endpoint) -> Starlette:
    routes = [
        Route("/", endpoint.landing),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"], name="sparql"),
        Route("/queries", endpoint.stored_list),
        Route("/queries/{name}", endpoint.stored),
        Route("/systems", endpoint.systems),
        Route("/lineage/{name:path}.svg", endpoint.lineage),  # names may hold a / (UX/RT)
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


def serve(kg, host: str, port: int, **limits) -> None:
    """Run the endpoint until interrupted."""
    import uvicorn

    _check_address(host, port)
    endpoint = Endpoint(kg, **limits)
    try:
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
            limit_concurrency=64,
            timeout_keep_alive=5,
            h11_max_incomplete_event_size=max(16 << 10, endpoint.max_request_bytes),
        )
    finally:
        endpoint.close()
