"""The endpoint's application in-process: lineage pictures are kept per system (not per spelling)
and their number is bounded; a homepage that is not http(s) never becomes a link in them."""

from __future__ import annotations

import asyncio
import shutil

import httpx
import pytest
from commands import invoke_on

from mkgraph.api import KnowledgeGraph
from mkgraph.web import server

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
SEL4 = "https://w3id.org/mkgraph/system/sel4"


class Client:
    """Requests to the application, in-process."""

    def __init__(self, app):
        self.app = app

    def get(self, path: str) -> httpx.Response:
        async def fetch():
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                return await http.get(path)

        return asyncio.run(fetch())


@pytest.fixture
def app_of():
    endpoints = []

    def make(kg, **limits):
        endpoint = server.Endpoint(kg, workers=1, **limits)
        endpoints.append(endpoint)
        return endpoint, Client(server.create_app(endpoint))

    yield make
    for endpoint in endpoints:
        endpoint.close()
        assert not endpoint.folder.exists()


@needs_dot
def test_lineage_pictures_are_kept_per_system_and_bounded(fixture_kg, app_of, monkeypatch):
    monkeypatch.setattr(server, "LINEAGE_PICTURES", 3)
    endpoint, client = app_of(fixture_kg)
    pictures = [client.get(f"/lineage/{spelling}.svg") for spelling in ("seL4", "sel4", "SEL4 ")]
    assert [p.status_code for p in pictures] == [200] * 3
    assert pictures[0].content == pictures[2].content and b"Ares" in pictures[0].content
    assert list(endpoint._pictures) == [SEL4]
    for name in ("NOVA", "L4Ka::Pistachio", "Tock", "all", "seL4"):
        assert client.get(f"/lineage/{name}.svg").status_code == 200
    assert len(endpoint._pictures) == 3
    assert list(endpoint._pictures)[-1] == SEL4  # most recently used last
    missing = client.get("/lineage/NoSuchOS.svg")
    assert missing.status_code == 404 and "no system named 'NoSuchOS'" in missing.text
    assert len(endpoint._pictures) == 3


@needs_dot
def test_a_javascript_homepage_is_never_a_link(fixture_root, app_of, tmp_path):
    sel4 = fixture_root / "data" / "projects" / "sel4.trig"
    text = sel4.read_text(encoding="utf-8")
    assert text.count("doap:homepage <https://sel4.systems>") == 1
    sel4.write_text(
        text.replace("doap:homepage <https://sel4.systems>", "doap:homepage <javascript:alert(1)>"),
        encoding="utf-8",
    )
    kg = KnowledgeGraph(root=fixture_root)
    _, client = app_of(kg)
    svg = client.get("/lineage/seL4.svg")
    assert svg.status_code == 200 and b"seL4" in svg.content
    assert b"javascript" not in svg.content.lower()
    assert b"https://" in svg.content  # the other systems keep their links
    for fmt in ("svg", "html", "mermaid", "dot"):  # the command, on the graph loaded above
        out = tmp_path / f"lineage.{fmt}"
        result = invoke_on(kg, "lineage", "seL4", "-f", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        drawn = out.read_text(encoding="utf-8")
        assert "javascript" not in drawn.lower(), fmt
        assert "https://" in drawn, fmt


def test_admission_is_first_come_first_served_and_sheds_past_its_queue():
    async def scenario():
        admission = server.Admission(slots=1, max_queue=3)
        order: list[int] = []
        release = asyncio.Event()

        async def request(number: int):
            async with admission.slot():
                order.append(number)
                await release.wait()

        first = asyncio.create_task(request(0))
        await asyncio.sleep(0)
        waiting = [asyncio.create_task(request(n)) for n in (1, 2, 3)]
        await asyncio.sleep(0)
        with pytest.raises(server.Refusal) as shed:
            async with admission.slot():
                pass
        waiting[1].cancel()  # a client that gives up passes its place on
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(first, waiting[0], waiting[2])
        return order, shed.value, admission

    order, shed, admission = asyncio.run(scenario())
    assert order == [0, 1, 3]
    assert shed.status == 503 and shed.reason.startswith("the server is busy: 3 queries")
    assert int(shed.headers["Retry-After"]) >= 1
    assert admission._running == 0 and not admission._waiting


def test_a_stored_query_edited_while_serving_is_answered_as_edited(fixture_root, app_of):
    # The server keeps stored queries parsed and bound, keyed by their text: the next request
    # after an edit runs the edited query, and asking again gets the same.
    path = fixture_root / "queries" / "by-language.rq"
    _, client = app_of(KnowledgeGraph(root=fixture_root))
    url = "/queries/by-language?language=Rust&format=csv"
    before = client.get(url)
    assert before.status_code == 200
    assert before.text.splitlines()[0] == "name,listed,system"
    text = path.read_text(encoding="utf-8")
    assert text.count("SELECT ?name ?listed ?system") == 1
    path.write_text(text.replace("SELECT ?name ?listed ?system", "SELECT ?system ?name"), "utf-8")
    for _ in range(2):
        after = client.get(url)
        assert after.status_code == 200
        assert after.text.splitlines()[0] == "system,name"
        assert len(after.text.splitlines()) == len(before.text.splitlines())


def test_a_server_running_past_midnight_binds_today_anew(fixture_kg, app_of, monkeypatch):
    """A stored query's `as_of` left out means today, written into the query as the day it is
    bound on; the bound texts the server keeps are keyed by that day too, so after midnight the
    same request is answered as of the new day (here the calendar is turned from 2019 to 2021,
    across seL4's change of owner in 2020), not as of the day the server first saw it."""
    import datetime

    from mkgraph.store import periods

    endpoint, client = app_of(fixture_kg)
    path = "/queries/by-organisation?format=csv"
    monkeypatch.setattr(periods, "today", lambda: datetime.date(2019, 6, 1))
    before = client.get(path)
    monkeypatch.setattr(periods, "today", lambda: datetime.date(2021, 6, 1))
    after = client.get(path)
    assert before.status_code == after.status_code == 200
    assert "General Dynamics C4 Systems,owns,seL4" in before.text
    assert "General Dynamics C4 Systems" not in after.text
    assert "seL4 Foundation,owns,seL4" in after.text
    assert len(endpoint._bound_texts) == 2
