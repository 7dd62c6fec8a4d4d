"""Talking to other stores over HTTP, tried against small loopback servers that misbehave on
purpose: a total deadline that dripping cannot stretch, an answer size limit, credentials that
never appear in any output, the password sent only in answer to the scheme the server asks for
(Digest where it is offered), and endpoint URLs (--endpoint, --allow-service) with a control
character, a space or an invisible character refused in every place, before anything is sent."""

from __future__ import annotations

import base64
import concurrent.futures
import re
import subprocess
import sys
import unicodedata

import pytest
from servers import environment, raw_server, read_request, recording_server

from mkgraph.web import remote

GRAPH_PATH = "/store?graph=https%3A%2F%2Fw3id.org%2Fmkgraph%2Fgraph"
JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"


# ---------------------------------------------------------------------------- misbehaving stores
def drip_body(conn, stop):
    """Headers at once, then a valid-looking JSON body one byte at a time, forever."""
    read_request(conn)
    conn.sendall(JSON_HEAD + b"Content-Length: 100000000\r\n\r\n{")
    while not stop.wait(0.2):
        conn.sendall(b" ")


def drip_headers(conn, stop):
    """The status line, then a header that never ends, one byte at a time."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not stop.wait(0.2):
        conn.sendall(b"a")


def silent(conn, stop):
    """Reads the request and never answers."""
    read_request(conn)
    stop.wait(60)


def endless(conn, stop):
    """A chunked answer that never ends, as fast as the client reads it."""
    read_request(conn)
    conn.sendall(JSON_HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 65536
    piece = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    conn.sendall(b"1\r\n{\r\n")
    while not stop.is_set():
        conn.sendall(piece)


def huge_declared(conn, stop):
    """Declares an answer far over the limit."""
    read_request(conn)
    conn.sendall(JSON_HEAD + b"Content-Length: 99999999999\r\n\r\n{")
    stop.wait(60)


def run_cli(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """mkgraph in a process of its own: if a deadline did not hold, `timeout` ends the test
    (subprocess.TimeoutExpired) instead of the process running on."""
    return subprocess.run(
        [sys.executable, "-m", "mkgraph", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment(**env),
    )


STALLS = {"drip-body": drip_body, "drip-headers": drip_headers, "silent": silent}


@pytest.mark.parametrize("command", ["publish", "query", "sparql"])
def test_a_store_that_drips_meets_a_total_deadline(command):
    """Each way of stalling (STALLS), its own store and program, all at once: each program
    waits out its 1.5 s deadline, so they wait side by side instead of one after another."""

    def stalled(stall: str):
        with raw_server(STALLS[stall]) as base:
            args = {
                "publish": ["publish", "--endpoint", f"{base}/store"],
                "query": ["query", "projects", "--endpoint", f"{base}/sparql"],
                "sparql": ["sparql", "ASK {}", "--endpoint", f"{base}/sparql"],
            }[command]
            # each byte comes well within any per-read limit: only a total deadline stops this
            return base, run_cli(*args, "--timeout", "1.5", timeout=45)

    with concurrent.futures.ThreadPoolExecutor(len(STALLS)) as pool:
        results = dict(zip(STALLS, pool.map(stalled, STALLS), strict=True))
    for stall, (base, result) in results.items():
        assert result.returncode == 2, (stall, result.stderr)
        assert result.stdout == "", stall
        assert result.stderr == (
            f"mkgraph: error: {base}/{'store' if command == 'publish' else 'sparql'}: "
            "no complete answer within 1.5 s (the limit covers the whole exchange; "
            "raise it with --timeout)\n"
        ), stall


def test_an_endless_answer_meets_the_size_limit(monkeypatch, invoke):
    monkeypatch.setattr(remote, "MAX_ANSWER_BYTES", 4 * 1024 * 1024)
    with raw_server(endless) as base:
        result = invoke("query", "projects", "--endpoint", f"{base}/sparql", "--timeout", "60")
    assert result.exit_code == 2
    assert result.stderr == (
        f"mkgraph: error: {base}/sparql: the answer is larger than 4 MB and was not read further\n"
    )


def test_an_endless_answer_with_the_default_limit_ends_in_a_process():
    """The real default, in a process of its own: the memory it may take is bounded."""
    with raw_server(endless) as base:
        result = run_cli("query", "projects", "--endpoint", f"{base}/sparql", timeout=120)
    assert result.returncode == 2
    limit = remote.MAX_ANSWER_BYTES / 1024 / 1024
    assert result.stderr == (
        f"mkgraph: error: {base}/sparql: the answer is larger than {limit:g} MB and was not "
        "read further\n"
    )


def test_a_declared_size_over_the_limit_is_refused_before_reading(invoke):
    with raw_server(huge_declared) as base:
        result = invoke("publish", "--endpoint", f"{base}/store")
    assert result.exit_code == 2
    assert "the answer is larger than" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_proxy_settings_in_the_environment_do_not_bypass_the_deadline():
    """A proxy named in the environment (here one that drips too) is not used: every request
    goes through the transport that keeps the deadline."""
    proxies = {}
    with raw_server(drip_body) as proxy, raw_server(drip_body) as base:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            proxies[name] = proxy
        result = run_cli(
            "sparql", "ASK {}", "--endpoint", f"{base}/sparql", "--timeout", "1",
            timeout=30, NO_PROXY="", no_proxy="", **proxies,
        )  # fmt: skip
    assert result.returncode == 2
    assert "no complete answer within 1 s" in result.stderr


def test_library_api_has_the_same_bounds():
    from mkgraph.api import KnowledgeGraph

    kg = KnowledgeGraph()
    with (
        raw_server(drip_body) as base,
        pytest.raises(remote.RemoteTimeout, match="no complete answer within 1 s"),
    ):
        kg.query_remote(f"{base}/sparql", "projects", timeout=1)
    with (
        raw_server(endless) as base,
        pytest.raises(remote.RemoteError, match="larger than 1 MB"),
    ):
        remote.query("ASK {}", f"{base}/sparql", max_bytes=1024 * 1024)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["publish", "--endpoint", "ftp://example.org/store"],
            "endpoint 'ftp://example.org/store' is not an http(s) URL",
        ),
        (
            ["publish", "--endpoint", "http://127.0.0.1:9/store"],
            "http://127.0.0.1:9/store: cannot reach the endpoint (",
        ),
        (
            ["query", "descendants", "--endpoint", "http://127.0.0.1:9/query"],
            "http://127.0.0.1:9/query: cannot reach the endpoint (",
        ),
        (
            ["sparql", "ASK {}", "--endpoint", "http://127.0.0.1:9/query"],
            "http://127.0.0.1:9/query: cannot reach the endpoint (",
        ),
        (
            ["publish", "--endpoint", "http://127.0.0.1:9/store", "--user", "alice"],
            "--user 'alice' needs a password: set $MKGRAPH_PASSWORD (no terminal to prompt on)",
        ),
    ],
    ids=[
        "not-http",
        "publish-unreachable",
        "query-unreachable",
        "sparql-unreachable",
        "no-password",
    ],
)
def test_bad_endpoints_fail_cleanly(args, message, invoke, monkeypatch):
    monkeypatch.delenv("MKGRAPH_PASSWORD", raising=False)
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mkgraph: error: {message}")
    assert len(result.stderr.splitlines()) == 1


# ---------------------------------------------------------------------------- credentials
SECRET = "pa55-w0rd-SECRET"


@pytest.mark.parametrize(
    "args",
    [
        ["publish", "--endpoint", "http://alice:{secret}@127.0.0.1:9/store"],
        ["query", "projects", "--endpoint", "http://alice:{secret}@127.0.0.1:9/sparql"],
        ["sparql", "ASK {}", "--endpoint", "http://alice:{secret}@127.0.0.1:9/sparql"],
        ["publish", "--endpoint", "ftp://alice:{secret}@127.0.0.1/store"],
        ["publish", "--endpoint", "http://alice:{secret}@127.0.0.1:9/st\r\nore"],
        ["publish", "--endpoint", "http://alice:{secret}@127.0.0.1:port/store"],
    ],
    ids=["publish-unreachable", "query-unreachable", "sparql", "not-http", "crlf", "bad-port"],
)
def test_user_info_never_appears_in_errors(args, invoke):
    result = invoke(*(a.replace("{secret}", SECRET) for a in args))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert SECRET not in result.output
    assert "alice" not in result.output


def test_user_info_is_sent_as_credentials_and_never_shown(invoke):
    with recording_server(challenge="basic", account=("alice", SECRET)) as (base, seen):
        url = base.replace("http://", f"http://alice:{SECRET}@")
        result = invoke("publish", "--endpoint", f"{url}/store")
    assert result.exit_code == 0, result.output
    assert result.output == f"published {result.output.split()[1]} triples to {base}{GRAPH_PATH}\n"
    assert SECRET not in result.output
    assert [s[2] for s in seen] == [
        None,
        "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode(),
    ]


def test_the_environment_password_wins_over_the_url(invoke):
    with recording_server(challenge="basic", account=("alice", "from-env")) as (base, seen):
        url = base.replace("http://", f"http://alice:{SECRET}@")
        result = invoke(
            "publish", "--endpoint", f"{url}/store", env={"MKGRAPH_PASSWORD": "from-env"}
        )
    assert result.exit_code == 0, result.output
    assert seen[-1][2] == "Basic " + base64.b64encode(b"alice:from-env").decode()


def test_wrong_credentials_are_one_line_without_the_password(invoke):
    with recording_server(challenge="basic+digest") as (base, seen):
        result = invoke(
            "publish", "--endpoint", f"{base}/store", "--user", "alice",
            env={"MKGRAPH_PASSWORD": SECRET + "-wrong"},
        )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        f"mkgraph: error: {base}/store: the store refused the graph: 401 Unauthorized "
        "(the store did not accept the credentials of 'alice')\n"
    )
    assert len(seen) == 2  # one try, one answer to the challenge: no guessing loop


@pytest.mark.parametrize("offered", ["digest", "basic"])
def test_a_user_name_with_control_characters_is_refused_before_sending(offered, invoke):
    with recording_server(challenge=offered) as (base, seen):
        result = invoke(
            "publish", "--endpoint", f"{base}/store", "--user", "al\r\nice",
            env={"MKGRAPH_PASSWORD": SECRET},
        )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        f"mkgraph: error: {base}/store: the user name contains a control character, which no "
        "HTTP header may carry\n"
    )
    assert seen == []


@pytest.mark.parametrize(
    "url, shown",
    [
        ("http://127.0.0.1:9/st\r\nore", "U+000D at position 22"),
        ("http://127.0.0.1:9/store\n", "U+000A at position 25"),
        ("http://127.0.0.1:9/st\tore", "U+0009 at position 22"),
        ("http://127.0.0.1:9/st\x00ore", "U+0000 at position 22"),
        ("http://127.0.0.1:9/st\x1b[31more", "U+001B at position 22"),
        ("http://127.0.0.1:9/st\x7fore", "U+007F at position 22"),
        ("http://127.0.\r0.1:9/store", "U+000D at position 14"),
    ],
)
def test_control_characters_in_an_endpoint_are_refused(url, shown, invoke):
    with recording_server() as (base, seen):
        for args in (
            ["publish", "--endpoint", url],
            ["query", "projects", "--endpoint", url],
            ["sparql", "ASK {}", "--endpoint", url],
        ):
            result = invoke(*args)
            assert result.exit_code == 2
            assert result.stderr.startswith("mkgraph: error: endpoint ")
            assert f"contains a control character ({shown})" in result.stderr
            assert len(result.stderr.splitlines()) == 1
            assert "\x1b" not in result.stderr and "\r" not in result.stderr
        assert seen == []


# ---------------------------------------------------------------------------- auth schemes
def test_basic_is_sent_only_when_asked_for(invoke):
    with recording_server(challenge="basic") as (base, seen):
        result = invoke(
            "publish", "--endpoint", f"{base}/store", "--user", "alice",
            env={"MKGRAPH_PASSWORD": "s3cret"},
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert seen == [
        ("PUT", GRAPH_PATH, None),
        ("PUT", GRAPH_PATH, "Basic " + base64.b64encode(b"alice:s3cret").decode()),
    ]


@pytest.mark.parametrize("offered", ["digest", "basic+digest"])
@pytest.mark.parametrize("command", ["publish", "query"])
def test_digest_is_answered_and_the_password_never_sent(offered, command, invoke):
    with recording_server(status=200, challenge=offered) as (base, seen):
        args = (
            ["publish", "--endpoint", f"{base}/store"]
            if command == "publish"
            else ["sparql", "ASK {}", "--endpoint", f"{base}/sparql"]
        )
        result = invoke(*args, "--user", "alice", env={"MKGRAPH_PASSWORD": "s3cret"})
    if command == "publish":
        assert result.exit_code == 0, result.output
    else:  # the recording server answers 200 with no body: accepted, then not a result
        assert "the answer came as an unnamed type" in result.stderr
    assert [h is None for _, _, h in seen] == [True, False]
    answer = seen[1][2]
    assert answer.startswith('Digest username="alice", realm="mkgraph-test"')
    assert "s3cret" not in answer
    assert base64.b64encode(b"alice:s3cret").decode() not in answer


def test_no_credentials_are_sent_without_a_user(invoke):
    with recording_server(challenge="basic") as (base, seen):
        result = invoke("publish", "--endpoint", f"{base}/store")
    assert result.exit_code == 2
    assert "401 Unauthorized (the store wants a user: give --user" in result.stderr
    assert seen == [("PUT", GRAPH_PATH, None)]


# ---------------------------------------------------------------------------- URLs sent as they are
def _unsafe_characters() -> list[str]:
    """Every character no URL may hold as it is, by Unicode category, from Python's Unicode
    database: C0 and C1 controls and DEL, every kind of space and line break, every invisible
    formatting character; and a lone surrogate (what a non-UTF-8 argument becomes)."""
    categories = ("Cc", "Zs", "Zl", "Zp", "Cf")
    found = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in categories]
    return [*found, "\udcff"]


UNSAFE = _unsafe_characters()
# where in the URL the character hides: first, in the scheme, the host, before the port, the
# path, the query, last
PLACES = [
    "{c}http://127.0.0.1:{port}/sparql",
    "ht{c}tp://127.0.0.1:{port}/sparql",
    "http://127.0.{c}0.1:{port}/sparql",
    "http://127.0.0.1{c}:{port}/sparql",
    "http://127.0.0.1:{port}/spa{c}rql",
    "http://127.0.0.1:{port}/sparql?q={c}",
    "http://127.0.0.1:{port}/sparql{c}",
]


def disguises(port: int | str, every: int = 1) -> list[str]:
    """URLs with one unsafe character each: every `every`-th character, each in the next place."""
    return [
        PLACES[n % len(PLACES)].format(c=c, port=port) for n, c in enumerate(UNSAFE[::every])
    ] + [f"http://127.0.0.1:{port}/sparql\r\nX-Injected: 1", f"http://127.0.0.1:{port}/ sparql"]


def _escaped(url: str) -> str:
    """The URL as a SPARQL IRI: every character outside printable ASCII as a \\u escape."""
    return "".join(
        c
        if 0x20 < ord(c) < 0x7F and c not in '<>"{}|^`\\'
        else (f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}")
        for c in url
    )


def _position(url: str) -> str:
    index = next(i for i, c in enumerate(url) if c in UNSAFE_SET)
    return f"U+{ord(url[index]):04X} at position {index + 1}"


UNSAFE_SET = set(UNSAFE)


def test_the_unsafe_characters_are_many():
    assert len(UNSAFE) > 200
    assert {"\r", "\n", "\t", "\x00", "\x7f", "\x85", " ", "\u00a0", "\u2028", "\u200b"} <= set(
        UNSAFE
    )


def test_every_unsafe_character_anywhere_in_an_allowed_endpoint_is_refused():
    """The one check every query passes, with every unsafe character in turn, each place."""
    from mkgraph.core.errors import QueryError
    from mkgraph.store import querycheck

    urls = [place.format(c=c, port=9) for c in UNSAFE for place in PLACES]
    for url in urls:
        with pytest.raises(QueryError) as refused:
            querycheck.check("ASK {}", "query", (url,))
        message = str(refused.value)
        assert message.startswith("--allow-service '"), message
        assert f"({_position(url)})" in message
        assert message.isprintable() and message == " ".join(message.split())
    querycheck.check("ASK {}", "query", ("http://127.0.0.1:9/sparql?q=%20",))  # encoded: allowed


def test_an_allowed_endpoint_in_disguise_is_refused_everywhere_and_nothing_is_sent(
    invoke, tmp_path
):
    """The CLI (`sparql`, `query --file`) and the library, with a query whose SERVICE names the
    very URL (written with \\u escapes, as SPARQL allows): refused before any engine runs, and
    the loopback store named receives nothing."""
    from mkgraph.api import KnowledgeGraph
    from mkgraph.core.errors import QueryError

    kg = KnowledgeGraph()
    connections = []

    def record(conn, stop):
        connections.append(read_request(conn))

    with raw_server(record) as base:
        port = base.rsplit(":", 1)[1]
        for url in disguises(port, every=9):
            query = f"SELECT * WHERE {{ SERVICE <{_escaped(url)}> {{ ?s ?p ?o }} }}"
            shown = f"({_position(url)})"
            file = tmp_path / "service.rq"
            file.write_text(query, encoding="utf-8")
            for args in (["sparql", query], ["query", "--file", str(file)]):
                result = invoke(*args, "--allow-service", url)
                assert result.exit_code == 2, (url, result.output)
                assert result.stdout == ""
                assert result.stderr.startswith("mkgraph: error: --allow-service '")
                assert shown in result.stderr
                assert len(result.stderr.splitlines()) == 1
                assert result.stderr[:-1].isprintable()
            with pytest.raises(QueryError, match=re.escape(shown)):
                kg.sparql(query, allow_service=(url,))
    assert connections == []


def test_an_endpoint_in_disguise_is_refused_before_sending(invoke):
    """--endpoint: the same characters, the same places, for publish, query and sparql; and the
    library's parse for every one of them."""
    for c in UNSAFE:
        url = f"http://127.0.0.1:9/spa{c}rql"
        with pytest.raises(remote.RemoteError, match=re.escape(f"({_position(url)})")):
            remote.parse_endpoint(url)
    with recording_server() as (base, seen):
        port = base.rsplit(":", 1)[1]
        for n, url in enumerate(disguises(port, every=7)):
            args = [
                ["publish", "--endpoint", url],
                ["query", "projects", "--endpoint", url],
                ["sparql", "ASK {}", "--endpoint", url],
            ][n % 3]
            result = invoke(*args)
            assert result.exit_code == 2
            assert result.stderr.startswith("mkgraph: error: endpoint '")
            assert f"({_position(url)})" in result.stderr
            assert len(result.stderr.splitlines()) == 1
            assert result.stderr[:-1].isprintable()
        assert seen == []


# ---------------------------------------------------------------------------- the default graph
VIRTUOSO_REFUSAL = (
    b"HTTP/1.1 500 Request Failed\r\nContent-Type: text/html; charset=UTF-8\r\n"
    b"Connection: close\r\n\r\n"
    b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html>\n  <head>\n'
    b"    <title>SPARQL Graph Protocol request failed</title>\n  </head>\n  <body>\n"
    b"    <h1>HTTP/1.1 500 Request Failed</h1>\n    <h3>Error 22023</h3>\n"
    b'<xmp>The request to SPARQL 1.1 Graph Store endpoint contains "default" param but the '
    b"endpoint is not configured to have default graph</xmp></body></html>"
)


def test_a_store_without_a_default_graph_is_one_line_naming_the_limit(invoke):
    """As Virtuoso 7.2 answers `PUT ?default` (its page, byte for byte): the store's reason, read
    from the page's body, and what to do instead."""
    seen = []

    def refuse(conn, stop):
        seen.append(read_request(conn).split(b"\r\n")[0])
        conn.sendall(VIRTUOSO_REFUSAL)

    with raw_server(refuse) as base:
        result = invoke("publish", "--endpoint", f"{base}/store", "--graph", "default")
    assert seen == [b"PUT /store?default HTTP/1.1"]
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"mkgraph: error: {base}/store: the store refused to replace its default graph "
        "(--graph default): 500 Request Failed: Error 22023 The request to SPARQL 1.1 Graph "
        'Store endpoint contains "default" param but the endpoint is not configured to have '
        "default graph; publish to a named graph instead (without --graph: "
        "https://w3id.org/mkgraph/graph)\n"
    )
