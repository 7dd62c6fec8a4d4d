"""`--allow-service` with `--endpoint`: the SPARQL check in front of another store honours the
endpoints the user allowed, as it does locally; a SERVICE not allowed is refused before anything
is sent."""

from __future__ import annotations

import pytest
from servers import recording_server

from mkgraph.core.errors import MkgraphError

ALLOWED = "http://127.0.0.1:9/sparql"
SERVICE_QUERY = f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}"


def test_an_allowed_service_is_sent_to_the_endpoint(invoke):
    with recording_server(status=500) as (base, seen):
        refused = invoke("sparql", SERVICE_QUERY, "--endpoint", f"{base}/sparql")
        sent = invoke(
            "sparql", SERVICE_QUERY, "--endpoint", f"{base}/sparql", "--allow-service", ALLOWED
        )
    assert refused.exit_code == 2
    assert f"SERVICE <{ALLOWED}> is refused" in refused.stderr
    assert sent.exit_code == 2  # the recording store answers 500
    assert "is refused" not in sent.stderr
    assert len(sent.stderr.splitlines()) == 1
    assert [method for method, _path, _auth in seen] == ["POST"]  # only the allowed one went


def test_the_library_honours_allow_service_at_an_endpoint(kg):
    with recording_server(status=500) as (base, seen):
        with pytest.raises(MkgraphError, match="is refused"):
            kg.query_remote(f"{base}/sparql", text=SERVICE_QUERY)
        with pytest.raises(MkgraphError) as sent:
            kg.query_remote(f"{base}/sparql", text=SERVICE_QUERY, allow_service=(ALLOWED,))
    assert "is refused" not in str(sent.value)
    assert len(seen) == 1


def test_another_service_stays_refused_with_an_endpoint(invoke):
    with recording_server() as (base, seen):
        result = invoke(
            "sparql", SERVICE_QUERY.replace("127.0.0.1:9", "127.0.0.1:10"),
            "--endpoint", f"{base}/sparql", "--allow-service", ALLOWED,
        )  # fmt: skip
    assert result.exit_code == 2
    assert "SERVICE <http://127.0.0.1:10/sparql> is refused" in result.stderr
    assert seen == []
