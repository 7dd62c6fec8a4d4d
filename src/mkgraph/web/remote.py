"""Other triplestores, through the W3C protocols only: publishing the graph with the SPARQL 1.1
Graph Store HTTP Protocol (PUT replaces the graph, so publishing twice leaves one copy), and running
queries with the SPARQL 1.1 Protocol. HTTP is httpx's; results and graphs are read by Oxigraph's
parsers. Every failure becomes one line naming the endpoint.

Bounds that a store cannot walk around:
- a total deadline for the whole exchange (connect, upload, headers, body): every socket operation
  is given only the time that remains (a store that drips a byte a second is stopped at the limit);
- a size limit on the answer, counted as it arrives (after decompression), so an endless answer
  stops there instead of filling memory;
- credentials written into the URL (http://user:pass@host/) are taken out before anything is sent
  or shown: httpx never sees them in the URL, and no message or success line contains them;
- the password is sent only in answer to the scheme the store asks for: Digest where it is offered
  (the password never crosses the wire), Basic only where it is the one scheme offered.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pyoxigraph as ox

from mkgraph.core.errors import MkgraphError
from mkgraph.core.limits import DEFAULT_TIMEOUT
from mkgraph.core.prefixes import GRAPH_IRI  # where mkgraph's triples go unless told otherwise
from mkgraph.core.urlcheck import shown, unsafe_character
from mkgraph.store.oxengine import OxResult

DEFAULT_GRAPH = "default"  # --graph default: the store's default graph
PASSWORD_ENV = "MKGRAPH_PASSWORD"
MAX_ANSWER_BYTES = 256 * 1024 * 1024  # the largest answer read from a store (after decompression)
_WRITE_PIECE = 64 * 1024  # uploads are sent in pieces, each bounded by the time that remains

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class RemoteError(MkgraphError):
    """An endpoint could not be reached or refused the request."""


class RemoteTimeout(RemoteError):
    """The store did not finish answering within the deadline."""


@dataclass(frozen=True)
class Endpoint:
    """An endpoint URL split into what is sent as the address and what is sent as credentials.
    `url` never contains user info, so it is safe to show."""

    url: str
    user: str | None = None
    password: str | None = None


def _printable(text: str, limit: int = 200) -> str:
    """Text from a store or a user, fit for one line on a terminal: control characters (escape
    sequences included) become spaces."""
    cleaned = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(cleaned.split())[:limit]


def parse_endpoint(url: str) -> Endpoint:
    """Check an endpoint URL and take any user info out of it. Raises a one-line RemoteError
    that never repeats the user info."""
    bad = unsafe_character(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise RemoteError(f"endpoint '{shown(url)}' is not a valid URL ({exc})") from None
    if bad is not None:
        raise RemoteError(f"endpoint '{shown(url)}' {bad}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(f"endpoint '{shown(url)}' is not an http(s) URL")
    host = parts.netloc.rpartition("@")[2]
    safe = urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return Endpoint(safe, user, password)


def _graph_url(endpoint: str, graph: str) -> str:
    joiner = "&" if urlsplit(endpoint).query else "?"
    if graph == DEFAULT_GRAPH:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}graph={quote(graph, safe='')}"


# ---------------------------------------------------------------------------- bounded HTTP
def _deadline_transport(deadline: float, https: bool):
    """An httpx transport whose sockets give every read and write only the time left before
    `deadline`: a total limit that no pace of dripping can stretch."""
    import httpcore
    import httpx

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner):
            self._inner = inner

        def _left(self, timeout, error):
            left = deadline - time.monotonic()
            if left <= 0:
                raise error("deadline reached")
            return left if timeout is None else min(timeout, left)

        def read(self, max_bytes, timeout=None):
            return self._inner.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

        def write(self, buffer, timeout=None):
            for start in range(0, len(buffer), _WRITE_PIECE):
                piece = buffer[start : start + _WRITE_PIECE]
                self._inner.write(piece, self._left(timeout, httpcore.WriteTimeout))

        def close(self):
            self._inner.close()

        def start_tls(self, ssl_context, server_hostname=None, timeout=None):
            left = self._left(timeout, httpcore.ConnectTimeout)
            return Stream(self._inner.start_tls(ssl_context, server_hostname, left))

        def get_extra_info(self, info):
            return self._inner.get_extra_info(info)

    class Backend(httpcore.SyncBackend):
        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            left = deadline - time.monotonic()
            if left <= 0:
                raise httpcore.ConnectTimeout("deadline reached")
            limit = left if timeout is None else min(timeout, left)
            return Stream(super().connect_tcp(host, port, limit, local_address, socket_options))

    # Certificates are loaded (a tenth of a second) only for https, once per process.
    ssl_context = _ssl_context() if https else None
    transport = httpx.HTTPTransport(verify=ssl_context or False)
    # httpx does not expose the network backend; its pool is rebuilt with ours (httpx < 1).
    transport._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=Backend())
    return transport


@functools.cache
def _ssl_context():
    import httpx

    return httpx.create_ssl_context()


def _challenge_auth(user: str, password: str):
    """Send no credentials until the store says which scheme it wants, then answer that scheme:
    Digest wherever it is offered (the password itself is never sent), else Basic."""
    import httpx

    class ChallengeAuth(httpx.Auth):
        requires_request_body = True  # the request is sent again with the answer

        def auth_flow(self, request):
            response = yield request
            if response.status_code != 401:
                return
            offered = {
                header.split(None, 1)[0].lower()
                for header in response.headers.get_list("www-authenticate")
                if header.strip()
            }
            if "digest" in offered:
                flow = httpx.DigestAuth(user, password).auth_flow(request)
                next(flow)  # its first, unauthenticated request is the one just answered
                try:
                    final = yield flow.send(response)
                    flow.send(final)
                except StopIteration:
                    return
            elif "basic" in offered:
                yield from httpx.BasicAuth(user, password).auth_flow(request)

    return ChallengeAuth()


@dataclass
class _Answer:
    status_code: int
    reason_phrase: str
    media: str
    content: bytes


def _request(
    method: str,
    endpoint: Endpoint,
    url: str,
    timeout: float,
    user: str | None,
    password: str | None,
    max_bytes: int | None,
    **kwargs,
) -> _Answer:
    """One exchange, bounded in time and size; returns the whole answer or raises RemoteError."""
    import httpx

    max_bytes = max_bytes or MAX_ANSWER_BYTES
    user = user or endpoint.user
    if password is None and user == endpoint.user:
        password = endpoint.password
    if user and any(not c.isprintable() for c in user):
        raise RemoteError(
            f"{endpoint.url}: the user name contains a control character, which no HTTP "
            "header may carry"
        )
    auth = _challenge_auth(user, password or "") if user else None
    deadline = time.monotonic() + timeout
    try:
        with (
            httpx.Client(
                transport=_deadline_transport(deadline, url.startswith("https:")),
                timeout=timeout,
                follow_redirects=False,
                # no .netrc credentials: they go only where the user named them. (httpx mounts
                # no environment proxy beside a given transport; one would not keep the deadline.)
                trust_env=False,
            ) as client,
            client.stream(method, url, auth=auth, **kwargs) as response,
        ):
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(endpoint, max_bytes)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise _too_large(endpoint, max_bytes)
            media = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return _Answer(response.status_code, response.reason_phrase, media, bytes(body))
    except httpx.LocalProtocolError:
        # never echoed: its text can hold a header, and headers carry credentials
        raise RemoteError(f"{endpoint.url}: the request could not be formed") from None
    except httpx.HTTPError as exc:
        if isinstance(exc, httpx.TimeoutException) or time.monotonic() >= deadline:
            raise RemoteTimeout(
                f"{endpoint.url}: no complete answer within {timeout:g} s "
                "(the limit covers the whole exchange; raise it with --timeout)"
            ) from None
        raise RemoteError(
            f"{endpoint.url}: cannot reach the endpoint ({_printable(str(exc))})"
        ) from None


def _too_large(endpoint: Endpoint, max_bytes: int) -> RemoteError:
    return RemoteError(
        f"{endpoint.url}: the answer is larger than {max_bytes / 1024 / 1024:g} MB and was "
        "not read further"
    )


def _explain(answer: _Answer, user: str | None) -> str:
    text = answer.content[:4096].decode("utf-8", "replace")
    page = answer.media in ("text/html", "application/xhtml+xml")
    if page:  # a page: the words of its body, not its tags or its title (the status again)
        text = re.sub(r"<(script|style|head)\b.*?</\1>|<[^>]*>", "\n", text, flags=re.I | re.S)
    # the lines that say more than the status line does: a page's body is read whole (Virtuoso
    # puts its error code and its reason on two lines), a text's first line only (the rest
    # may repeat the query)
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and str(answer.status_code) not in line
    ]
    first = " ".join(lines) if page else next(iter(lines), "")
    reason = f"{answer.status_code} {_printable(answer.reason_phrase, 80)}"
    if answer.status_code == 401:
        reason += (
            f" (the store did not accept the credentials of {user!r})"
            if user
            else (" (the store wants a user: give --user, the password in $MKGRAPH_PASSWORD)")
        )
    return reason + (f": {_printable(first)}" if first else "")


# ---------------------------------------------------------------------------- the protocols
def publish(
    ntriples: bytes,
    endpoint: str,
    graph: str = GRAPH_IRI,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
    max_bytes: int | None = None,
) -> str:
    """Replace `graph` at a Graph Store Protocol endpoint with these triples; returns the graph's
    URL there (without any user info)."""
    target = parse_endpoint(endpoint)
    url = _graph_url(target.url, graph)
    answer = _request(
        "PUT",
        target,
        url,
        timeout,
        user,
        password,
        max_bytes,
        content=ntriples,
        headers={"Content-Type": "application/n-triples"},
    )
    if answer.status_code not in (200, 201, 204):
        if graph == DEFAULT_GRAPH and answer.status_code != 401:
            # Virtuoso 7.2's endpoint has no default graph to replace (its queries read the union
            # of all graphs there): say what was refused and what works instead
            raise RemoteError(
                f"{target.url}: the store refused to replace its default graph (--graph "
                f"default): {_explain(answer, user or target.user)}; publish to a named graph "
                f"instead (without --graph: {GRAPH_IRI})"
            )
        raise RemoteError(
            f"{target.url}: the store refused the graph: {_explain(answer, user or target.user)}"
        )
    return url


def query(
    text: str,
    endpoint: str,
    graph: str = GRAPH_IRI,
    timeout: float = DEFAULT_TIMEOUT,
    user: str | None = None,
    password: str | None = None,
    max_bytes: int | None = None,
) -> OxResult:
    """Run a query at a SPARQL Protocol endpoint (POST, form-encoded) and read its answer into
    RDF terms, as a local query returns them."""
    target = parse_endpoint(endpoint)
    kind = _form(text)
    form = {"query": text}
    if graph != DEFAULT_GRAPH:
        form["default-graph-uri"] = graph
    answer = _request(
        "POST",
        target,
        target.url,
        timeout,
        user,
        password,
        max_bytes,
        data=form,
        # ask for what the form returns: a store may write a graph as an s/p/o table (Virtuoso)
        headers={"Accept": _ACCEPT.get(kind, _ACCEPT[None])},
    )
    if answer.status_code != 200:
        raise RemoteError(
            f"{target.url}: the query was refused: {_explain(answer, user or target.user)}"
        )
    media = answer.media
    try:
        if media in ("application/sparql-results+json", "application/json"):
            parsed = ox.parse_query_results(answer.content, format=ox.QueryResultsFormat.JSON)
            if isinstance(parsed, ox.QueryBoolean):
                return OxResult("ASK", boolean=bool(parsed))
            variables = [v.value for v in parsed.variables]
            rows = [tuple(canonical(solution[v]) for v in variables) for solution in parsed]
            if kind == "ASK" and len(variables) == 1 and len(rows) <= 1:
                # Virtuoso answers ASK with a one-cell table (1 or 0): read it as the boolean
                cell = rows[0][0] if rows else None
                return OxResult("ASK", boolean=cell is not None and cell.value in ("1", "true"))
            return OxResult("SELECT", variables, rows)
        if media in ("application/n-triples", "text/turtle", "text/plain"):
            fmt = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
            triples = [q.triple for q in ox.parse(answer.content, format=fmt)]
            return OxResult("CONSTRUCT", triples=triples)
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(
            f"{target.url}: the answer is not valid {media}: {_printable(str(exc))}"
        ) from None
    raise RemoteError(
        f"{target.url}: the answer came as {_printable(media, 80) or 'an unnamed type'}, "
        "which is not a SPARQL result or graph format"
    )


_ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples, text/turtle;q=0.9",
    None: "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8",
}


def _form(text: str) -> str | None:
    """SELECT, ASK or CONSTRUCT (DESCRIBE too) as Oxigraph's parser reads the query, or None.
    Run on an empty in-memory store, which has nothing to evaluate, and only after mkgraph's
    checks (no SERVICE, LOAD or FROM reaches even that store)."""
    from mkgraph.store import oxengine

    try:
        oxengine.check(text, "query")
        answer = ox.Store().query(text)
    except (MkgraphError, SyntaxError, ValueError, OSError):
        return None
    if isinstance(answer, ox.QueryBoolean):
        return "ASK"
    return "SELECT" if isinstance(answer, ox.QuerySolutions) else "CONSTRUCT"


def canonical(term):
    """A term as the graph states it: where a store writes a value in another lexical form of the
    same datatype (Virtuoso writes xsd:boolean true as "1"), the canonical form. Decided on the
    parsed literal's datatype and value, never on the text of the answer."""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_BOOLEAN:
        value = term.value.strip()
        if value in ("1", "0"):
            return ox.Literal("true" if value == "1" else "false", datatype=term.datatype)
    return term
