"""Nothing leaves the machine: every SERVICE, LOAD, Update and FROM is refused on the query's tokens
in any disguise, through the command line, the library and the server; and the engines, should
the check ever miss one, cannot open a socket. A loopback listener named as the target of every
disguise must receive nothing.

The disguises are generated (keyword spellings x separators x nestings) and each is first shown
to be real: Oxigraph itself, run raw, parses it and (for SERVICE and LOAD) calls the listener."""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import subprocess
import sys
import threading

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sampling import covering
from servers import free_port, http_client, mkgraph_command, request, running, warm_environment

from mkgraph.api import KnowledgeGraph
from mkgraph.checks import shacl
from mkgraph.core.errors import MkgraphError, QueryError
from mkgraph.store import engine, offline, querycheck

# One worker runs this whole module (pytest-xdist's --dist loadfile): the server starts once.


class Listener:
    """A plain socket on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.socket.close()


# ------------------------------------------------------------------ the disguises
SEPARATORS = [" ", "", "# a comment\n", "# a comment\r", " \t\r\n ", "#}\n"]
SERVICE_SPELLINGS = ["SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "\\u0073ervice"]
NESTINGS = {  # where the pattern goes: {P}
    "top": "SELECT * WHERE {{ {P} }}",
    "subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ {P} }} }} }}",
    "exists": "SELECT * WHERE {{ BIND(1 AS ?x) FILTER EXISTS {{ {P} }} }}",
    "not-exists": "SELECT * WHERE {{ BIND(1 AS ?x) FILTER NOT EXISTS {{ {P} }} }}",
    "optional": "SELECT * WHERE {{ OPTIONAL {{ {P} }} }}",
    "minus": "SELECT * WHERE {{ BIND(1 AS ?x) MINUS {{ {P} }} }}",
    "graph": "SELECT * WHERE {{ GRAPH ?g {{ {P} }} }}",
    "union": "SELECT * WHERE {{ {{ }} UNION {{ {P} }} }}",
    "bind-exists": "SELECT * WHERE {{ BIND(EXISTS {{ {P} }} AS ?x) }}",
    "order-by": "SELECT * WHERE {{ BIND(1 AS ?x) }} ORDER BY (EXISTS {{ {P} }})",
    "ask": "ASK {{ {P} }}",
    "construct": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {P} }}",
}
# Tricks on Oxigraph's grammar that a text pattern misses: a keyword glued to the term before it,
# a prefixed name that is cut where Oxigraph cuts it, a "<" that is a less-than sign.
TRICKS = [
    "SELECT * WHERE {{ ?s ?p trueSERVICE<{E}>{{ }} }}",
    "SELECT * WHERE {{ ?s ?p 1SERVICE<{E}>{{ }} }}",
    "PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ?p ex:a.b.SERVICE<{E}>{{ }} }}",
    "PREFIX ex: <http://h> PREFIX : <{B}> SELECT * WHERE {{ ?s ?p ex:SERVICE:sparql {{ }} }}",
    "PREFIX e: <{B}> SELECT * WHERE {{ SERVICE e:sparql {{ }} }}",
    'SELECT * WHERE {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)#>"""\nSERVICE <{E}> {{ }}\n'
    '#"""\n}}',
    "SELECT * WHERE {{ BIND(1 AS ?x) FILTERNOTEXISTS{{SERVICE<{E}>{{}}}} }}",
    "SELECT * WHERE {{ SERVICE <http\\u003A//127.0.0.1:{PORT}/sparql> {{ }} }}",
    "SELECT * WHERE {{ BIND(1 AS ?x) LATERAL {{ SERVICE <{E}> {{ }} }} }}",
]
VARIABLE_ENDPOINTS = [  # Oxigraph cannot call these, but they are refused all the same
    "SELECT * WHERE {{ BIND(<{E}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{E}> }} SERVICE SILENT $e {{ ?s ?p ?o }} }}",
]


def _service_cases(listener: Listener) -> list[tuple[str, dict]]:
    """(disguise, what it is made of), for the covering sample (see `wired_disguises`)."""
    found = []
    for spelling, separator, silent, (where, nesting) in itertools.product(
        SERVICE_SPELLINGS, SEPARATORS, ["", "SILENT"], NESTINGS.items()
    ):
        pattern = f"{spelling}{separator}{silent}{separator}<{listener.url}>{separator}{{ }}"
        if silent == "" and separator == "" and spelling.startswith("\\"):
            continue  # "\u0053ERVICE<...>" is covered with the other separators
        traits = {"spelling": spelling, "separator": separator, "silent": silent, "nesting": where}
        found.append((nesting.format(P=pattern), traits))
    base = f"http://127.0.0.1:{listener.port}/"
    for index, trick in enumerate(TRICKS + VARIABLE_ENDPOINTS):
        found.append((trick.format(E=listener.url, B=base, PORT=listener.port), {"trick": index}))
    return found


def service_disguises(listener: Listener) -> list[str]:
    return [text for text, _ in _service_cases(listener)]


FROM_SPELLINGS = ["FROM", "from", "FrOm", "\\u0046ROM"]
FROM_FORMS = [
    "SELECT *{s}{kw}{s}<{G}>{s}WHERE {{ ?s ?p ?o }}",
    "SELECT *{s}{kw}{s}NAMED{s}<{G}>{s}WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "ASK{s}{kw}<{G}>{{ }}",
    "CONSTRUCT {{ ?s ?p ?o }}{s}{kw}{s}<{G}> WHERE {{ ?s ?p ?o }}",
    "DESCRIBE <urn:x>{s}{kw}{s}<{G}>",
    "PREFIX g: <{G}> SELECT * {kw} g: {{ }}",
    "SELECT * {kw}NAMED<{G}> {{ }}",
]


def _from_cases(listener: Listener) -> list[tuple[str, dict]]:
    return [
        (
            form.format(s=separator, kw=kw, G=listener.url),
            {"from-spelling": kw, "separator": separator, "from-form": form},
        )
        for kw, separator, form in itertools.product(FROM_SPELLINGS, SEPARATORS, FROM_FORMS)
    ]


def from_disguises(listener: Listener) -> list[str]:
    return [text for text, _ in _from_cases(listener)]


UPDATE_FORMS = [
    "LOAD <{E}>",
    "load{s}<{E}>",
    "LoAd{s}SILENT{s}<{E}>{s}INTO GRAPH <urn:g>",
    "\\u004cOAD <{E}>",
    "PREFIX x: <urn:x>{s}LOAD <{E}>",
    "INSERT DATA {{ <urn:a> <urn:b> <urn:c> }}",
    "insert{s}data{{<urn:a> <urn:b> <urn:c>}}",
    "DELETE WHERE {{ ?s ?p ?o }}",
    "WITH <urn:g> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "CLEAR ALL",
    "DROP{s}ALL",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>",
    "COPY DEFAULT TO <urn:g>",
    "CLEAR ALL ;{s}LOAD <{E}>",
]


def _update_cases(listener: Listener) -> list[tuple[str, dict]]:
    cases: dict[str, dict] = {}
    for separator, form in itertools.product(SEPARATORS, UPDATE_FORMS):
        text = form.format(s=separator or " ", E=listener.url)
        cases.setdefault(text, {"update-form": form, "separator": separator or " "})
    return sorted(cases.items())


def update_disguises(listener: Listener) -> list[str]:
    return [text for text, _ in _update_cases(listener)]


def expected_message(query: str) -> str:
    unescaped = query.encode().decode("unicode_escape").upper()
    if any(word in unescaped for word in ("LOAD", "INSERT", "DELETE", "CLEAR", "DROP", " TO ")):
        return "SPARQL Update"
    if not any(form in unescaped for form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        return "SPARQL Update"
    if "SERVICE" in unescaped:
        return "SERVICE <"
    return "FROM / FROM NAMED is refused"


def all_disguises(listener):
    return service_disguises(listener) + from_disguises(listener) + update_disguises(listener)


TRAITS = ("spelling", "separator", "silent", "nesting", "trick")
TRAITS += ("from-spelling", "from-form", "update-form")


def wired_disguises(listener) -> list[str]:
    """The disguises that test the wiring (the command line, the library on both engines, the
    server): every spelling, separator, SILENT or not, nesting and trick of SERVICE, every
    spelling and form of FROM, every Update form, each at least once (the SERVICE ones with
    every separator, the FROM ones too), some 70 of the 750. The check itself, which each of
    them calls first, is given every disguise (`test_every_disguise_is_refused_by_the_check`),
    and so are they with MKGRAPH_TEST_FULL=1."""
    kinds = (_service_cases(listener), _from_cases(listener), _update_cases(listener))
    traits = [lambda case, name=name: case[1].get(name) for name in TRAITS]
    return [text for cases in kinds for text, _ in covering(cases, *traits)]


# ------------------------------------------------------------------ the disguises are real
def _raw(call) -> str:
    """Run `call` in a plain thread (no check, no confinement) with a bound on its time."""
    outcome = {}

    def go():
        try:
            outcome["value"] = call()
        except SyntaxError as exc:
            outcome["syntax"] = str(exc)
        except Exception as exc:
            outcome["error"] = str(exc)

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(10)
    return "syntax" if "syntax" in outcome else "ran"


def _drain(answer):
    return answer if isinstance(answer, ox.QueryBoolean) else list(answer)


def test_the_service_disguises_reach_the_network_when_nothing_stops_them(listener):
    """Raw Oxigraph calls the listener for every SERVICE disguise but those spelt with \\u escapes
    (which SPARQL decodes before parsing, and Oxigraph 0.5 only inside strings and IRIs) and those
    whose endpoint is a variable."""
    real = [
        q
        for q in service_disguises(listener)
        if "\\u0053" not in q and "\\u0073" not in q and "?e" not in q and "$e" not in q
    ]
    assert len(real) > 300
    for query in real:
        before = listener.connections
        assert _raw(lambda q=query: _drain(ox.Store().query(q))) == "ran", query
        assert listener.connections > before, query


def test_the_from_and_update_disguises_parse_in_oxigraph(listener):
    for query in from_disguises(listener):
        if "\\u" not in query:
            assert _raw(lambda q=query: _drain(ox.Store().query(q))) == "ran", query
    before = listener.connections
    for query in update_disguises(listener):
        if "\\u" not in query:
            assert _raw(lambda q=query: ox.Store().update(q)) == "ran", query
    assert listener.connections > before  # LOAD fetches


# ------------------------------------------------------------------ refused everywhere
def test_every_disguise_is_refused_by_the_check(listener):
    queries = all_disguises(listener)
    assert len(queries) > 700
    for query in queries:
        with pytest.raises(QueryError) as refused:
            querycheck.check(query, "query")
        message = str(refused.value)
        assert expected_message(query) in message, (query, message)
        assert "\n" not in message


@pytest.fixture(scope="module")
def rdflib_kg(fixture_kg):
    """The fixture root on rdflib's engine, loaded once for the module: what is refused is
    refused before any engine reads the graph, and a quarter of the bundled graph parses in a
    quarter of the time."""
    return KnowledgeGraph(fixture_kg.resources.root, engine="rdflib")


def test_every_disguise_is_refused_by_the_library_on_both_engines(listener, kg, rdflib_kg):
    before = listener.connections
    for query in wired_disguises(listener):
        for graph in (kg, rdflib_kg):
            with pytest.raises(QueryError, match="is refused"):
                graph.sparql(query)
    assert listener.connections == before


def test_every_disguise_is_refused_by_the_command_line(listener, invoke, tmp_path):
    before = listener.connections
    query_file = tmp_path / "disguise.rq"
    for index, query in enumerate(wired_disguises(listener)):
        if index % 2:
            result = invoke("sparql", query)
        else:
            query_file.write_text(query, encoding="utf-8")
            result = invoke("query", "--file", str(query_file))
        assert result.exit_code == 2, (query, result.output)
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert expected_message(query) in result.stderr, (query, result.stderr)
    assert listener.connections == before


@pytest.fixture(scope="module")
def endpoint(fixture_kg):
    """A server of the fixture root: what it refuses never reaches the data."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    root = str(fixture_kg.resources.root)
    command = mkgraph_command(
        "--root", root, "serve", "--port", str(port), "--timeout", "5", "--workers", "1"
    )
    with running(command, f"{base}/queries", warm_environment(fixture_kg)):
        yield base


def test_every_disguise_is_refused_by_the_server(listener, endpoint):
    before = listener.connections
    with http_client(timeout=30) as client:
        for query in wired_disguises(listener):
            answer = client.post(f"{endpoint}/sparql", data={"query": query})
            assert answer.status_code == 400, (query, answer.text)
            assert expected_message(query) in answer.text, (query, answer.text)
            assert "--allow-service" not in answer.text
    assert listener.connections == before


def test_look_alikes_are_not_refused(kg):
    """Keywords inside strings, IRIs, comments, variables and prefixed names are not keywords."""
    for query in [
        'SELECT ?service ?from WHERE { BIND("SERVICE <http://x/> { }" AS ?service) '
        "BIND('''FROM <http://x/>''' AS ?from) }",
        "SELECT * WHERE { ?s mk:derivedFrom ?o } # SERVICE <http://x/> {}",
        "SELECT * WHERE { ?s <http://example.org/service#from> ?o }",
        "SELECT * WHERE { ?s mk:derivedFrom ?o FILTER(?s < <http://x/#load>) }",
        "PREFIX ex: <http://example.org/load/> SELECT * WHERE { ?s ex:service ?o . "
        "?s ex:fromDate ?d . ?s ex:load ?l }",
        "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    ]:
        querycheck.check(query, "query")
        kg.sparql(query)


def test_a_prefix_named_after_a_keyword_is_refused(listener):
    """`service:x {}` is SERVICE <x> to Oxigraph when the empty prefix is declared."""
    query = (
        f"PREFIX service: <urn:s:> PREFIX : <http://127.0.0.1:{listener.port}/> "
        "SELECT * WHERE { ?s ?p ?o . service:sparql { } }"
    )
    before = listener.connections
    assert _raw(lambda: _drain(ox.Store().query(query))) == "ran"
    assert listener.connections == before + 1
    with pytest.raises(QueryError, match="SERVICE"):
        querycheck.check(query)


def test_an_allowed_endpoint_still_gets_its_query_and_no_other(listener, kg):
    allowed = (listener.url,)
    before = listener.connections
    with pytest.raises(QueryError, match="the query failed"):  # the listener hangs up
        kg.sparql(
            f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", allow_service=allowed
        )
    assert listener.connections == before + 1
    other = f"http://127.0.0.1:{listener.port}/other"
    with pytest.raises(QueryError, match=f"SERVICE <{other}> is refused"):
        kg.sparql(
            f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ }} SERVICE <{other}> {{ }} }}",
            allow_service=allowed,
        )
    with pytest.raises(QueryError, match=r"SERVICE <\?> is refused"):
        kg.sparql(
            f"SELECT * WHERE {{ BIND(<{listener.url}> AS ?e) SERVICE ?e {{ }} }}",
            allow_service=allowed,
        )
    assert listener.connections == before + 1


# ------------------------------------------------------------------ defence in depth
def test_a_confined_thread_cannot_open_a_socket_and_others_still_can():
    if not offline.available():
        pytest.skip("no seccomp here")

    def connect():
        socket.socket()

    with pytest.raises(PermissionError):
        offline.run(connect)
    socket.socket().close()  # this thread is not confined


def test_if_the_check_missed_a_service_oxigraph_could_not_call_it(listener, kg, monkeypatch):
    if not offline.available():
        pytest.skip("no seccomp here")
    monkeypatch.setattr(querycheck, "check", lambda *args, **kwargs: None)
    before = listener.connections
    for query in service_disguises(listener)[::10]:
        try:
            kg.sparql(query)
        except QueryError as error:
            assert "\n" not in str(error)
    assert listener.connections == before


def test_if_the_check_missed_a_service_rdflib_would_not_call_it(listener, monkeypatch, rdflib_kg):
    monkeypatch.setattr(querycheck, "check", lambda *args, **kwargs: None)
    graph = rdflib_kg
    before = listener.connections
    with pytest.raises(QueryError, match="is refused"):
        graph.sparql(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
    # Over a plain Graph (all mkgraph ever hands rdflib) FROM is ignored, never fetched.
    graph.sparql(f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }} LIMIT 1")
    assert listener.connections == before


def test_the_rdflib_hook_leaves_other_rdflib_users_alone(listener):
    """Only mkgraph's own evaluations are refused SERVICE: a notebook's rdflib query is its own."""
    from rdflib import Graph

    before = listener.connections
    with contextlib.suppress(Exception):  # the listener hangs up
        list(Graph().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    assert listener.connections == before + 1


def test_a_server_worker_cannot_open_a_socket(listener, tmp_path):
    """The worker processes of `mkgraph serve` confine themselves whole: a SERVICE that got past
    the check (sent to the pool directly here) reaches no one."""
    if not offline.available():
        pytest.skip("no seccomp here")
    from mkgraph.web.querypool import QueryPool

    store = ox.Store(str(tmp_path / "store"))
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")))
    store.flush()
    del store
    pool = QueryPool(str(tmp_path / "store"), 1, 10.0, 1 << 20)
    try:
        before = listener.connections
        answer = pool.run(
            f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
            "application/sparql-results+json",
            "text/turtle",
        )
        assert answer.status == 400, answer
        assert b"ermission denied" in answer.body
        assert listener.connections == before
        ok = pool.run(
            "SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json", "text/turtle"
        )
        assert ok.status == 200 and b"urn:a" in ok.body
    finally:
        pool.close()


# ------------------------------------------------------------------ shapes
def _shapes_with(root, listener, how: str) -> None:
    query = f"SELECT $this WHERE {{ SERVICE <{listener.url}> {{ $this ?p ?o }} }}"
    if how == "constraint":
        shape = f'''
mksh:RemoteShape a sh:NodeShape ;
    sh:targetClass mk:System ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:message "remote" ; sh:select """{query}""" ] .
'''
    else:
        shape = f'''
mksh:RemoteTargetShape a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select """{query}""" ] ;
    sh:property [ sh:path mk:basedOn ; sh:maxCount 5 ] .
'''
    with (root / "shapes" / "mkgraph-shapes.ttl").open("a", encoding="utf-8") as shapes:
        shapes.write(shape)


@pytest.mark.parametrize("validator", ["rudof", "pyshacl"])
@pytest.mark.parametrize("how", ["constraint", "target"])
def test_shapes_with_service_are_refused_before_any_engine(
    validator, how, listener, fixture_root, invoke
):
    _shapes_with(fixture_root, listener, how)
    before = listener.connections
    result = invoke("--root", str(fixture_root), "validate", "--validator", validator)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1
    assert "the shapes (sh:select of " in result.stderr
    assert (
        f"SERVICE <{listener.url}> is refused: mkgraph sends queries to no other endpoint\n"
        in result.stderr
    )
    assert listener.connections == before


def test_rudof_would_call_a_service_in_a_shape_but_runs_confined(
    listener, fixture_root, monkeypatch
):
    if not offline.available():
        pytest.skip("no seccomp here")
    _shapes_with(fixture_root, listener, "constraint")
    monkeypatch.setattr(shacl, "check_shape_queries", lambda triples: None)
    before = listener.connections
    try:
        KnowledgeGraph(fixture_root).validate(timeout=120)  # a hang fails, never blocks the run
    except MkgraphError as error:
        assert "\n" not in str(error)
    assert listener.connections == before  # confined
    unconfined = offline.run
    monkeypatch.setattr(
        offline, "run", lambda work, timeout=None, confined=True: unconfined(work, timeout, False)
    )
    with contextlib.suppress(MkgraphError):
        KnowledgeGraph(fixture_root).validate(timeout=120)  # a hang fails, never blocks the run
    assert listener.connections > before  # so the confinement is what stopped it


def test_violation_queries_of_a_root_copy_are_checked(listener, fixture_root, invoke):
    (fixture_root / "queries" / "remote-violation.rq").write_text(
        "#+ title: Remote\n#+ description: Calls out.\n"
        f"SELECT ?s WHERE {{ ?s ?p ?o # x\rSERVICE <{listener.url}> {{ ?s ?p ?o }} }}\n",
        encoding="utf-8",
    )
    before = listener.connections
    for command in (["validate"], ["query", "remote-violation"]):
        result = invoke("--root", str(fixture_root), *command)
        assert result.exit_code == 2, result.output
        assert f"remote-violation.rq: SERVICE <{listener.url}> is refused" in result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert listener.connections == before


# ------------------------------------------------------------------ nesting, long errors, positions
DEEP = [
    "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "ASK { ?s ?p " + "[ ?p " * 5000 + "1" + " ]" * 5000 + " }",
]


def test_deep_nesting_is_refused_before_parsing(invoke, kg):
    for query in DEEP:
        with pytest.raises(QueryError, match="nested too deeply"):
            kg.sparql(query)
        result = invoke("sparql", query)
        assert result.exit_code == 2
        assert result.stderr == (
            "mkgraph: error: query: the query is nested too deeply "
            f"(more than {querycheck.MAX_NESTING} brackets inside each other)\n"
        )
    reasonable = "SELECT * WHERE " + "{" * 60 + "}" * 60
    assert kg.sparql(reasonable).rows == [()]


def test_deep_nesting_in_a_real_process_is_a_one_line_error(tmp_path):
    """In-process tests cannot see a crash; here the command runs as users run it (it used to
    end with SIGSEGV, exit 139)."""
    query = tmp_path / "deep.rq"
    query.write_text(DEEP[0], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkgraph", "query", "--file", str(query)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "nested too deeply" in done.stderr


def test_deep_nesting_on_the_server(endpoint):
    answer = request("POST", f"{endpoint}/sparql", data={"query": DEEP[1]}, timeout=30)
    assert answer.status_code == 400
    assert "nested too deeply" in answer.text
    assert (
        request("POST", f"{endpoint}/sparql", data={"query": "ASK {}"}, timeout=30).status_code
        == 200
    )


def test_a_long_query_with_a_syntax_error_is_not_parsed_again(kg, monkeypatch):
    """Only Oxigraph (inside the time limit) parses a long text; the second parser that explains
    short errors better is never asked (a 1 MB text took it minutes)."""
    body = " ".join(f"?s{i} <http://example.org/p> ?o{i} ." for i in range(20_000))
    query = "SELECT * WHERE { " + body + " FILTER( }"
    assert len(query) > 700_000

    def forbidden(*args, **kwargs):
        raise AssertionError("rdflib's parser was called")

    monkeypatch.setattr(engine, "prepare", forbidden)
    with pytest.raises(QueryError, match=r"^query: SPARQL syntax error at line 1, column \d+"):
        kg.sparql(query, timeout=60)


def test_server_error_positions_are_the_clients_own(endpoint):
    query = "SELECT ?name WHERE {\n  ?s rdfs:label ?name\n  FILTER(\n}\n"
    answer = request("POST", f"{endpoint}/sparql", data={"query": query}, timeout=30)
    assert answer.status_code == 400
    assert "the query is not valid SPARQL: SPARQL syntax error at line 5, column 1" in answer.text
    unknown = request(
        "POST", f"{endpoint}/sparql", data={"query": "SELECT * {\n ?s nope:x ?o }"}, timeout=30
    )
    assert "line 2, column 5: unknown prefix 'nope:'" in unknown.text
    assert unknown.text.count("\n") == 1


# ------------------------------------------------------------------ the JSON-LD context
@pytest.mark.parametrize(
    "context",
    [
        "http://127.0.0.1:{port}/context.jsonld",
        ["http://127.0.0.1:{port}/context.jsonld", {"mk": "https://w3id.org/mkgraph/ontology#"}],
        {
            "@import": "http://127.0.0.1:{port}/context.jsonld",
            "mk": "https://w3id.org/mkgraph/ontology#",
        },
        {
            "mk": {
                "@id": "https://w3id.org/mkgraph/ontology#",
                "@context": "http://127.0.0.1:{port}/c",
            }
        },
    ],
    ids=["address", "list", "import", "scoped"],
)
def test_a_remote_json_ld_context_is_refused(context, listener, fixture_root, invoke, tmp_path):
    text = json.dumps({"@context": context}).replace("{port}", str(listener.port))
    (fixture_root / "ontology" / "context.jsonld").write_text(text, encoding="utf-8")
    out = tmp_path / "graph.jsonld"
    before = listener.connections
    result = invoke("--root", str(fixture_root), "export", "--format", "jsonld", "-o", str(out))
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1
    assert "context.jsonld: remote JSON-LD context" in result.stderr
    assert f"127.0.0.1:{listener.port}" in result.stderr
    assert not out.exists()
    assert listener.connections == before


# ------------------------------------------------------------------ the check against Oxigraph
def _fragments(listener: Listener) -> list[str]:
    """Pieces of SPARQL, whole patterns and loose tokens, that a hostile text is made of."""
    endpoint = f"<{listener.url}>"
    return [
        f"SERVICE {endpoint} {{ }}",
        f"SERVICE{endpoint}{{}}",
        "SERVICE",
        "service",
        "SILENT",
        endpoint,
        "{ }",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "?s ?p ?o .",
        "?s",
        "?o",
        "FILTER(?s<?o)",
        "FILTER(",
        "BIND(1 AS ?a)",
        "EXISTS",
        "NOT",
        "OPTIONAL",
        "UNION",
        "MINUS",
        "GRAPH ?g",
        "true",
        "1",
        "<",
        ">",
        "#",
        "#>",
        "\n",
        "\r",
        '"',
        "'",
        '"""',
        "'''",
        ".",
        ";",
        "ex:",
        "ex:a.b.",
        "ex:SERVICE",
        ":sparql",
        "a",
        "<http://x#y>",
        "<?o)",
        "VALUES ?e {",
        "\\u0053",
        "&&",
        "|",
        "^",
        "@en",
        "_:b",
        " ",
        "",
    ]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_whatever_passes_the_check_never_reaches_the_network(data, listener):
    """A bounded fuzz of the check against Oxigraph itself: random texts made of SPARQL pieces;
    whenever the check lets one through, raw Oxigraph (no confinement) must not call out."""
    pieces = data.draw(st.lists(st.sampled_from(_fragments(listener)), max_size=14))
    query = (
        f"PREFIX ex: <http://h> PREFIX : <http://127.0.0.1:{listener.port}/> "
        "SELECT * WHERE { " + " ".join(pieces) + " }"
    )
    try:
        querycheck.check(query)
    except QueryError:
        return
    before = listener.connections
    _raw(lambda: _drain(ox.Store().query(query)))
    assert listener.connections == before, query


PROBE = """
import atexit, socket, sys
def probe():
    try:
        socket.socket().close()
        print("SOCKET-OK")
    except OSError:
        print("SOCKET-DENIED")
atexit.register(probe)
sys.argv = ["mkgraph", *sys.argv[1:]]
from mkgraph.cli import run
run()
"""


@pytest.mark.parametrize(
    ("args", "confined"),
    [
        (["queries"], True),
        (["sparql", "ASK {}"], True),
        (["query", "descendants", "-p", "of=seL4"], True),
        (["sparql", "ASK {}", "--allow-service", "http://127.0.0.1:9/sparql"], False),
        (["publish", "--help"], False),
    ],
    ids=["queries", "sparql", "query", "allow-service", "publish"],
)
def test_the_program_forbids_itself_sockets_unless_it_needs_them(args, confined):
    """`mkgraph` run as a program: a command that needs no network can open no socket at all
    (the probe runs as the process exits). The session's warm cache: a cold load in each
    process cost seconds and confines nothing more."""
    if not offline.available():
        pytest.skip("no seccomp here")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=warm_environment(),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("SOCKET-DENIED" if confined else "SOCKET-OK"), done.stdout
