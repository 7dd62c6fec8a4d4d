"""Other triplestores, through the W3C protocols only: publishing the graph with the SPARQL 1.1
Graph Store HTTP Protocol (PUT replaces the graph, so publishing twice leaves one copy), and running
queries with the SPARQL 1.1 Protocol. HTTP is httpx's; results and graphs are read by Oxigraph's
parsers. Every failure becomes one line naming the endpoint.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pyoxigraph as ox

from mkgraph.errors import MkgraphError
from mkgraph.oxengine import OxResult
from mkgraph.prefixes import GRAPH_IRI  # where mkgraph's triples go unless told otherwise

DEFAULT_GRAPH = "default"  # --graph default: the store's default graph
PASSWORD_ENV = "MKGRAPH_PASSWORD"


class RemoteError(MkgraphError):
    """An endpoint could not be reached or refused the request."""


def check_endpoint(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"endpoint {url[:200]!r} is not an http(s) URL")
    return url


def _graph_url(endpoint: str, graph: str) -> str:
    joiner = "&" if urlsplit(endpoint).query else "?"
    if graph == DEFAULT_GRAPH:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}graph={quote(graph, safe='')}"


def _explain(response) -> str:
    first = next((line.strip() for line in response.text.splitlines() if line.strip()), "")
    return f"{response.status_code} {response.reason_phrase}" + (
        f": {first[:200]}" if first else ""
    )


def _request(method: str, url: str, timeout: float, **kwargs):
    import httpx

    try:
        return httpx.request(method, url, timeout=timeout, follow_redirects=False, **kwargs)
    except httpx.TimeoutException:
        raise RemoteError(f"{url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise RemoteError(
            f"{url}: cannot reach the endpoint ({' '.join(str(exc).split())[:200]})"
        ) from None


def publish(
    ntriples: bytes,
    endpoint: str,
    graph: str = GRAPH_IRI,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
) -> str:
    """Replace `graph` at a Graph Store Protocol endpoint with these triples; returns the URL."""
    url = _graph_url(check_endpoint(endpoint), graph)
    auth = (user, password or "") if user else None
    response = _request(
        "PUT",
        url,
        timeout,
        content=ntriples,
        auth=auth,
        headers={"Content-Type": "application/n-triples"},
    )
    if response.status_code not in (200, 201, 204):
        raise RemoteError(f"{endpoint}: the store refused the graph: {_explain(response)}")
    return url


def query(
    text: str,
    endpoint: str,
    graph: str = GRAPH_IRI,
    timeout: float = 30.0,
    user: str | None = None,
    password: str | None = None,
) -> OxResult:
    """Run a query at a SPARQL Protocol endpoint (POST, form-encoded) and read its answer."""
    check_endpoint(endpoint)
    form = {"query": text}
    if graph != DEFAULT_GRAPH:
        form["default-graph-uri"] = graph
    auth = (user, password or "") if user else None
    response = _request(
        "POST",
        endpoint,
        timeout,
        data=form,
        auth=auth,
        headers={
            "Accept": "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
        },
    )
    if response.status_code != 200:
        raise RemoteError(f"{endpoint}: the query was refused: {_explain(response)}")
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media in ("application/sparql-results+json", "application/json"):
            answer = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
            if isinstance(answer, ox.QueryBoolean):
                return OxResult("ASK", boolean=bool(answer))
            variables = [v.value for v in answer.variables]
            return OxResult(
                "SELECT", variables, [tuple(solution[v] for v in variables) for solution in answer]
            )
        if media in ("application/n-triples", "text/turtle", "text/plain"):
            fmt = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
            return OxResult(
                "CONSTRUCT", triples=[q.triple for q in ox.parse(response.content, format=fmt)]
            )
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(
            f"{endpoint}: the answer is not valid {media}: {' '.join(str(exc).split())[:200]}"
        ) from None
    raise RemoteError(
        f"{endpoint}: the answer came as {media or 'an unnamed type'}, "
        "which is not a SPARQL result or graph format"
    )
