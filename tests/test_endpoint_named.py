"""``plangraph endpoint`` answering the library's queries by name (``/named/NAME``): the
same rows as ``Workspace.sparql(name=…)`` and as the query's text over ``/query``, in
every results format, and hostile or mistaken requests refused with a reason."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plangraph.graph.bindings import bind_params
from plangraph.graph.engines import plain_literal
from plangraph.graph.sparql import named_queries
from plangraph.graph.views import view_specs
from plangraph.interfaces.endpoint import SparqlServer, start_endpoint
from plangraph.interfaces.endpoint_named import RESERVED
from plangraph.workspace import Workspace

ASKED = {  # a parameter each query is typically given on the district plans
    "concept-across-plans": {"concept": "education-satisfaction"},
    "indicator-across-plans": {"name": "教育"},
    "indicators-by-category": {"plan": "linan"},
    "indicators-side-by-side": {"plans": "linan,linping"},
    "commitment-themes": {"theme": "compulsory"},
    "projects-by-place": {"plan": "linan"},
    "cited-documents": {"plan": "linping"},
}


@pytest.fixture(scope="module")
def ws(district_index: Path) -> Workspace:
    return Workspace(district_index)


@pytest.fixture(scope="module")
def server(ws: Workspace) -> Iterator[str]:
    srv: SparqlServer = start_endpoint("store", ws.graph_location, port=0, timeout_s=30, workspace=ws)
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.close()


def _http(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def _named(server: str, name: str, params: dict[str, str], accept: str = "application/sparql-results+json",
           ) -> tuple[int, dict[str, str], bytes]:
    return _http(f"{server}/named/{name}?{urllib.parse.urlencode(params)}", {"Accept": accept})


def _rows(body: bytes) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Columns and rows of a SPARQL JSON result, cells as plain values (numbers typed)."""
    doc = json.loads(body)
    columns = doc["head"]["vars"]
    return columns, [tuple(plain_literal(b[c]["value"], b[c].get("datatype")) if c in b else None for c in columns)
                     for b in doc["results"]["bindings"]]


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_by_name_gives_the_rows_of_the_workspace_and_of_the_text(server: str, ws: Workspace, name: str) -> None:
    params = ASKED.get(name, {})
    status, headers, body = _named(server, name, {**params, "limit": "0"})
    assert status == 200, body
    columns, rows = _rows(body)
    mine = ws.sparql(name=name, params=params, limit=0)
    assert tuple(columns) == mine.columns
    assert rows == [tuple(r) for r in mine.rows] and rows, name
    assert headers["x-total-rows"] == str(len(rows))
    # the query's text, bound and sent to /query as a SPARQL client would, answers the same
    text = bind_params(named_queries()[name].text, params)
    status, _, body = _http(f"{server}/query", {"Accept": "application/sparql-results+json",
                                                "Content-Type": "application/sparql-query"}, text.encode())
    assert status == 200, body
    assert _rows(body) == (columns, rows)


def test_stored_rows_answer_the_queries_that_have_them(ws: Workspace) -> None:
    """Those with per-plan rows are answered without the store (what makes /named fast)."""
    for name in view_specs():
        assert ws.stored_answer(name, ASKED.get(name)) is not None, name
    assert ws.stored_answer("projects-by-place", {"plan": "linan"}) is None  # no per-plan rows: its text runs


def test_pages_formats_and_post(server: str, ws: Workspace) -> None:
    whole = ws.sparql(name="indicators-by-category", params={"plan": "linan"}, limit=0)
    assert whole.total_rows > 5
    status, headers, body = _named(server, "indicators-by-category", {"plan": "linan", "limit": "3", "offset": "2"})
    assert status == 200 and headers["x-total-rows"] == str(whole.total_rows)
    assert _rows(body)[1] == [tuple(r) for r in whole.rows[2:5]]
    # CSV and TSV by Accept, XML by format=, all written by pyoxigraph from the same rows
    status, headers, body = _named(server, "indicators-by-category", {"plan": "linan", "limit": "3"}, "text/csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    lines = body.decode().splitlines()
    assert lines[0] == ",".join(whole.columns) and len(lines) == 4 and lines[1].startswith("linan,")
    status, headers, body = _named(server, "indicators-by-category", {"plan": "linan", "limit": "1"},
                                   "text/tab-separated-values")
    assert body.decode().splitlines()[1].startswith('"linan"\t')
    status, headers, body = _named(server, "indicators-by-category", {"plan": "linan", "limit": "1", "format": "xml"})
    assert headers["content-type"].startswith("application/sparql-results+xml")
    assert b"<literal>linan</literal>" in body
    # a form POST asks the same
    form = urllib.parse.urlencode({"plan": "linan", "limit": "3", "offset": "2"}).encode()
    status, _, body = _http(f"{server}/named/indicators-by-category",
                            {"Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 200 and _rows(body)[1] == [tuple(r) for r in whole.rows[2:5]]
    # the index's own IRIs stay IRIs
    _, _, body = _named(server, "concept-across-plans", ASKED["concept-across-plans"])
    cell = json.loads(body)["results"]["bindings"][0]["iri"]
    assert cell["type"] == "uri" and cell["value"].startswith("https://w3id.org/plangraph/id/")


def test_the_list_of_named_queries(server: str) -> None:
    status, headers, body = _http(f"{server}/named")
    assert status == 200 and headers["content-type"].startswith("application/json")
    listed = json.loads(body)["queries"]
    assert [q["name"] for q in listed] == sorted(named_queries())
    concept = next(q for q in listed if q["name"] == "concept-across-plans")
    assert concept["stored_rows"] is True and [p["name"] for p in concept["params"]] == ["concept", "level"]
    # no query of the library may take a parameter the route keeps for itself
    assert not {p for nq in named_queries().values() for p, _ in nq.params} & set(RESERVED)


@pytest.mark.parametrize(("path", "status", "reason"), [
    ("/named/no-such-query", 404, "no named query 'no-such-query'; choose one of: bodies-responsibilities"),
    ("/named/../query", 404, "no named query '../query'"),
    ("/named/%2E%2E%2Fetc%2Fpasswd", 404, "no named query '../etc/passwd'"),
    ("/named/indicator-across-plans?nmae=x", 400, "query 'indicator-across-plans' takes no parameter 'nmae'; "
                                                  "choose one of: name"),
    ("/named/indicator-across-plans?name=a&name=b", 400, "give 'name' once, not 2 times"),
    ("/named/indicator-across-plans?name=%00", 400, "parameter 'name': the value holds the character U+0000"),
    ("/named/indicator-across-plans?name=%5Cu0022%7D", 400, "parameter 'name': the value holds"),
    ("/named/indicator-across-plans?name=" + "x" * 1001, 400, "parameter 'name' is 1,001 characters long; at most 1,000"),
    ("/named/indicator-across-plans?limit=-1", 400, "limit must be a whole number of rows (0 or more), not '-1'"),
    ("/named/indicator-across-plans?offset=1e9", 400, "offset must be a whole number of rows"),
    ("/named/indicator-across-plans?" + "&".join(f"a{i}=1" for i in range(70)), 400, "more than 64 parameters"),
])
def test_hostile_or_mistaken_requests_are_refused_with_the_reason(server: str, path: str, status: int,
                                                                  reason: str) -> None:
    got, _, body = _http(server + path)
    assert got == status and body.decode().startswith(reason), body


def test_a_query_text_in_a_parameter_is_only_a_value(server: str) -> None:
    """A value is matched as text (stored rows) or bound as one literal (query text): never SPARQL."""
    hostile = '"} } SERVICE <http://example.org/> { ?s ?p ?o } #'
    for name, param in (("indicator-across-plans", "name"), ("projects-by-place", "plan")):
        status, headers, body = _named(server, name, {param: hostile})
        assert status == 200 and headers["x-total-rows"] == "0", body


def test_post_needs_a_form(server: str) -> None:
    status, _, body = _http(f"{server}/named/indicator-across-plans",
                            {"Content-Type": "application/sparql-query"}, b"SELECT * WHERE { ?s ?p ?o }")
    assert status == 415 and b"application/x-www-form-urlencoded" in body


def test_without_the_index_the_text_answers(district_index: Path, ws: Workspace) -> None:
    """An endpoint over a graph alone (no index folder) answers by name from the query's text."""
    srv = start_endpoint("store", ws.graph_location, port=0, timeout_s=30)
    try:
        base = f"http://127.0.0.1:{srv.server_address[1]}"
        status, headers, body = _named(base, "concept-across-plans", {**ASKED["concept-across-plans"], "limit": "0"})
        assert status == 200
        mine = ws.sparql(name="concept-across-plans", params=ASKED["concept-across-plans"], limit=0)
        assert _rows(body)[1] == [tuple(r) for r in mine.rows]
    finally:
        srv.close()
