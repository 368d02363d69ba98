"""The SPARQL 1.1 Protocol endpoint with a real client (SPARQLWrapper) and plain HTTP,
and ``plangraph push`` to an Oxigraph server on loopback (Graph Store Protocol)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, POST, TSV, XML, SPARQLWrapper

from plangraph.graph.push import PUSH_STATE_GRAPH, push_graphs
from plangraph.graph.sparql import run_query
from plangraph.interfaces.cli import main
from plangraph.interfaces.endpoint import SparqlServer, start_endpoint

COUNT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Project }"
LINAN = "https://w3id.org/plangraph/graph/plan/linan"
LINPING = "https://w3id.org/plangraph/graph/plan/linping"


@pytest.fixture(scope="module")
def projects(district_index: Path, district_trig: Path) -> int:
    """How many projects the district plans have (what COUNT must say)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(district_trig), format=ox.RdfFormat.TRIG)
    project = ox.NamedNode("https://w3id.org/plangraph/ontology#Project")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return len({q.subject for q in store.quads_for_pattern(None, rdf_type, project)})


@pytest.fixture(scope="module")
def server(district_index: Path, district_trig: Path) -> Iterator[str]:
    srv: SparqlServer = start_endpoint("memory", district_trig, port=0, timeout_s=5)
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.close()


def _http(url: str, headers: dict[str, str] | None = None, data: bytes | None = None,
          method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_sparqlwrapper_reads_json_xml_csv_and_tsv(server: str, projects: int) -> None:
    assert projects >= 39
    w = SPARQLWrapper(server + "/query")
    w.setQuery("PREFIX pg: <https://w3id.org/plangraph/ontology#>\n" + COUNT)
    for method in ("GET", POST):
        w.setMethod(method)
        w.setReturnFormat(JSON)
        assert w.query().convert()["results"]["bindings"][0]["n"]["value"] == str(projects)
    w.setReturnFormat(XML)
    xml = w.query().convert()
    assert xml.getElementsByTagName("literal")[0].firstChild.data == str(projects)
    w.setReturnFormat(CSV)
    assert w.query().convert() == f"n\r\n{projects}\r\n".encode()
    w.setReturnFormat(TSV)
    assert w.query().convert().decode().splitlines() == ["?n", str(projects)]


@pytest.mark.parametrize(("accept", "ctype", "start"), [
    ("application/sparql-results+json", "application/sparql-results+json", b'{"head"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", b"<?xml"),
    ("text/csv", "text/csv", b"n\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", b"?n\n"),
    ("text/html, */*;q=0.8", "application/sparql-results+json", b'{"head"'),
])
def test_content_negotiation(server: str, accept: str, ctype: str, start: bytes) -> None:
    status, headers, body = _http(server + "/query?" + urllib.parse.urlencode({"query": COUNT}), {"Accept": accept})
    assert status == 200 and headers["content-type"].startswith(ctype) and body.startswith(start)


def test_construct_as_turtle_and_the_chinese_survives(server: str) -> None:
    q = "CONSTRUCT WHERE { ?p a pg:Project ; rdfs:label ?name } LIMIT 5"
    status, headers, body = _http(server + "/query", {"Accept": "text/turtle",
                                                       "Content-Type": "application/sparql-query"}, q.encode())
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert "幼儿园" in body.decode() or "学校" in body.decode()
    # what Protégé's Open from URL asks for: a GET with the format in the URL
    url = server + "/query?" + urllib.parse.urlencode({"format": "text/turtle", "query": q})
    status, headers, again = _http(url, {"Accept": "application/rdf+xml, text/turtle;q=0.9, */*;q=0.1"})
    assert status == 200 and headers["content-type"].startswith("text/turtle") and again == body


def test_cors_and_the_query_form(server: str) -> None:
    status, headers, _ = _http(server + "/query", {"Origin": "http://yasgui.example",
                                                    "Access-Control-Request-Method": "POST"}, method="OPTIONS")
    assert status == 204 and headers["access-control-allow-origin"] == "*"
    status, headers, body = _http(server + "/")
    assert status == 200 and headers["content-type"].startswith("text/html") and b'action="/query"' in body


def test_read_only_and_clear_errors(server: str) -> None:
    for path, ctype, body in [("/update", "application/sparql-update", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
                              ("/store?graph=urn:x", "application/n-triples", b"<urn:a> <urn:b> <urn:c> ."),
                              ("/query", "application/x-www-form-urlencoded", b"update=CLEAR+ALL"),
                              ("/query", "application/sparql-query", b"CLEAR ALL")]:
        status, _, text = _http(server + path, {"Content-Type": ctype}, body)
        assert status == 403 and b"read-only" in text, (path, text)
    status, _, text = _http(server + "/query?" + urllib.parse.urlencode({"query": "SELECT ?x {"}))
    assert status == 400 and text.startswith(b"malformed SPARQL at line 1")
    status, _, text = _http(server + "/query")
    assert status == 400 and text == b"give exactly one 'query' parameter\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """``oxigraph serve`` (the PyPI package's binary) on loopback, with an empty store."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        if os.environ.get("CI"):
            pytest.fail("the oxigraph server binary is missing: pip install -e .[dev]")
        pytest.skip("oxigraph server binary not installed")
    port = _free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp_path / "remote"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.kill()
        proc.wait()


def _variant(source: Path, out: Path, *, add_to: str | None = None, drop: str | None = None) -> Path:
    """The graph file with one triple added to a plan's graph, or a plan's graph left out."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(source), format=ox.RdfFormat.TRIG)
    if add_to:
        store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:note"), ox.Literal("修订"), ox.NamedNode(add_to)))
    if drop:
        store.remove_graph(ox.NamedNode(drop))
    store.dump(str(out), format=ox.RdfFormat.TRIG)
    return out


def _remote_counts(url: str) -> dict[str, int]:
    rows = run_query(url + "/query", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows
    return {str(g): int(n) for g, n in rows}


def test_push_sends_only_the_plans_that_changed(district_index: Path, district_trig: Path, oxigraph_server: str,
                                                tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    urls = {"sparql_endpoint": oxigraph_server + "/query", "graph_store": oxigraph_server + "/store"}
    argv = ["push", "--index", str(district_index), "--sparql-endpoint", urls["sparql_endpoint"],
            "--graph-store", urls["graph_store"]]
    assert main(argv) == 0
    first = capsys.readouterr().out
    # the ontology, the two plans, and graph:shared (what several plans state, once)
    assert first.startswith("pushed 4 graph(s)") and f"  sent {LINAN}\n" in first
    counts = _remote_counts(oxigraph_server)
    assert counts[LINAN] > 1000 and counts[LINPING] > 1000 and counts[PUSH_STATE_GRAPH] == 4

    assert main(argv) == 0
    assert capsys.readouterr().out == "pushed 0 graph(s) (0.0 MB), 4 unchanged, 0 removed\n"

    changed = _variant(district_trig, tmp_path / "changed.trig", add_to=LINPING)
    report = push_graphs(changed, **urls)
    assert report.sent == [LINPING] and len(report.unchanged) == 3 and not report.removed
    after = _remote_counts(oxigraph_server)
    assert after[LINPING] == counts[LINPING] + 1 and after[LINAN] == counts[LINAN]

    without = _variant(changed, tmp_path / "without.trig", drop=LINAN)
    report = push_graphs(without, **urls)
    assert report.removed == [LINAN] and not report.sent
    assert LINAN not in _remote_counts(oxigraph_server)


def test_sparql_reads_a_remote_endpoint(server: str, projects: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sparql", COUNT, "--endpoint", server + "/query", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", str(projects)]
    assert main(["sparql", "--name", "projects-by-place", "--param", "plan=linan",
                 "--endpoint", server + "/query", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("plan,place,placeType,projects") and all(r.startswith("linan,") for r in rows[1:])
    with pytest.raises(SystemExit) as bad:  # a bad argument: exit 2
        main(["sparql", COUNT, "--endpoint", "ftp://x"])
    assert bad.value.code == 2
    assert capsys.readouterr().err.endswith("error: argument --endpoint: 'ftp://x' is not an http(s) URL\n")


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_the_endpoint_command_serves_until_interrupted(district_index: Path, projects: int, stop: str) -> None:
    import signal

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "plangraph", "endpoint", "--index", str(district_index),
                             "--port", str(port), "--timeout", "3"], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")})
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert banner.startswith(f"SPARQL endpoint for {district_index} at http://127.0.0.1:{port}/query "
                                 "(read-only, 3 s limit)")
        url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": COUNT, "format": "csv"})
        assert _http(url)[2] == f"n\r\n{projects}\r\n".encode()
        proc.send_signal(getattr(signal, stop))
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
