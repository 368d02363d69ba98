"""Hostile queries through every place a query enters (CLI and Workspace, app, endpoint,
remote-endpoint client), with a listener on loopback that must see nothing;
and runaway queries that must stop at their limit with a clear message."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from plangraph.errors import QueryTimeoutError
from plangraph.interfaces.cli import main
from plangraph.interfaces.endpoint import SparqlServer, start_endpoint
from plangraph.workspace import Workspace

from .conftest import ROOT
from .hostile import REFUSAL, Listener, hostile_queries, post_query

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIMIT_S = 2.0
STOPPED = f"query ran longer than {LIMIT_S:g} s and was stopped"
MARGIN_S = 8.0  # the runaway would take hours: stopping at all, near the limit, is the point


@pytest.fixture()
def listener() -> Iterator[Listener]:
    with Listener() as lis:
        yield lis


@pytest.fixture(scope="module")
def endpoint(district_index: Path, district_trig: Path) -> Iterator[str]:
    server: SparqlServer = start_endpoint("memory", district_trig, port=0, timeout_s=LIMIT_S)
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.close()



def test_cli_and_remote_client_refuse_every_hostile_query(
        district_index: Path, listener: Listener, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI asks the index through Workspace.sparql, as the app does."""
    for q in hostile_queries(listener.port):
        assert main(["sparql", q, "--index", str(district_index)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("Error: ") and REFUSAL.search(err[7:]), (q, err)
        # the remote client is pointed at the listener itself: anything sent would show
        assert main(["sparql", q, "--endpoint", listener.url]) == 1
        err = capsys.readouterr().err
        assert REFUSAL.search(err[7:]), (q, err)
    assert listener.connections == []


def test_the_endpoint_refuses_every_hostile_query(endpoint: str, listener: Listener) -> None:
    for q in hostile_queries(listener.port):
        status, body = post_query(endpoint, q)
        assert status in (400, 403) and REFUSAL.search(body), (q, status, body)
        if "is not allowed: queries are read-only" in body:
            assert status == 403
    assert listener.connections == []


def test_the_corpus_has_teeth_without_the_guard(listener: Listener) -> None:
    """pyoxigraph on its own follows SERVICE and LOAD: the corpus would reach the listener."""
    import pyoxigraph as ox

    mem = ox.Store()
    for q in hostile_queries(listener.port):
        for run in (mem.query, mem.update):
            try:
                result = run(q)
                if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
                    list(result)
            except (SyntaxError, OSError, RuntimeError, ValueError):
                pass
    assert len(listener.connections) > 20
    assert all(c.startswith((b"POST", b"GET")) for c in listener.connections)


@pytest.fixture()
def app(district_index: Path, listener: Listener, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The SPARQL page on a custom query; the operator's remote endpoint is the listener."""
    monkeypatch.setenv("PLANGRAPH_INDEX", str(district_index))
    monkeypatch.setenv("PLANGRAPH_SPARQL_TIMEOUT", str(LIMIT_S))
    monkeypatch.setenv("PLANGRAPH_SPARQL_ENDPOINT", listener.url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.sidebar.radio(key="page").set_value("sparql").run()
    at.selectbox(key="sparql_name").set_value("").run()
    assert not at.exception
    return at


def app_error(at: AppTest, query: str, remote: bool = False) -> str:
    at.toggle(key="sparql_remote").set_value(remote)
    at.text_area(key="sparql_text_custom").set_value(query)
    at.button(key="sparql_run").click().run()
    assert not at.exception and not at.dataframe
    return str(at.error[0].value)


def test_the_app_refuses_every_hostile_query(app: AppTest, listener: Listener) -> None:
    for i, q in enumerate(hostile_queries(listener.port)):
        # every other query goes to the remote endpoint, which is the listener itself
        message = app_error(app, q, remote=bool(i % 2))
        assert REFUSAL.search(message), (q, message)
    assert listener.connections == []


def test_a_runaway_query_stops_at_its_limit_everywhere(district_index: Path, endpoint: str, app: AppTest,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    Workspace(district_index).sparql("ASK { ?s ?p ?o }")  # the graph is open: time only the query
    t0 = time.monotonic()
    assert main(["sparql", RUNAWAY, "--index", str(district_index), "--timeout", str(LIMIT_S)]) == 1
    assert time.monotonic() - t0 < LIMIT_S + MARGIN_S
    assert capsys.readouterr().err.startswith(f"Error: {STOPPED}\n  hint: add LIMIT")

    t0 = time.monotonic()
    assert post_query(endpoint, RUNAWAY) == (503, STOPPED + "\n")
    assert time.monotonic() - t0 < LIMIT_S + MARGIN_S
    assert post_query(endpoint, "ASK { ?s ?p ?o }")[0] == 200  # a fresh worker answers the next one

    t0 = time.monotonic()
    assert app_error(app, RUNAWAY) == STOPPED
    assert time.monotonic() - t0 < LIMIT_S + MARGIN_S + 5  # plus the app's own reruns


def test_a_100_kb_query_is_bounded_by_the_limit_too(district_index: Path) -> None:
    big = "SELECT * WHERE { " + " UNION ".join(f'{{ ?s ?p "{i}" }}' for i in range(6000)) + " }"
    assert len(big) > 100_000
    Workspace(district_index).sparql("ASK { ?s ?p ?o }")
    t0 = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=f"^{STOPPED}$"):
        Workspace(district_index).sparql(big, timeout_s=LIMIT_S)
    assert time.monotonic() - t0 < LIMIT_S + MARGIN_S


def test_a_worker_has_no_network_and_does_not_outlive_its_parent(district_index: Path,
                                                                  district_trig: Path) -> None:
    """A runaway query must not keep running after the program that asked it is killed."""
    import os
    import signal
    import subprocess
    import sys

    from plangraph.graph.runner import network_sandbox_available

    code = ("import sys\nfrom plangraph.graph.runner import QueryRunner\n"
            f"r = QueryRunner('memory', {str(district_trig)!r})\n"
            "r.start()\nprint(r._slots.queue[0].proc.pid, flush=True)\n"
            f"r.run({RUNAWAY!r}, timeout_s=600)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    if network_sandbox_available():
        assert os.readlink(f"/proc/{worker}/ns/net") != os.readlink("/proc/self/ns/net")
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(100):  # dead (a zombie until init reaps it) or gone
        try:
            state = Path(f"/proc/{worker}/stat").read_text().split()[2]
        except FileNotFoundError:
            break
        if state in ("Z", "X"):
            break
        time.sleep(0.05)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")


def test_a_parameter_value_stays_a_literal(district_index: Path, listener: Listener,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Parameters are written into the text after the guard: a value shaped like SPARQL
    must stay a string that matches nothing."""
    for value in (f'linan" }} SERVICE <{listener.url}> {{ ?s ?p ?o }} #',
                  f'linan\\" . SERVICE <{listener.url}> {{}}',
                  f"linan'''\n}} LOAD <{listener.url}> #"):
        assert main(["sparql", "--name", "indicators-by-category", "--param", f"plan={value}", "--index",
                     str(district_index), "--format", "csv"]) == 0
        assert capsys.readouterr().out.splitlines() == [
            "plan,cat,indicator,unit,binding,year,role,comparator,value,text"]
    assert listener.connections == []
