"""Hostile and runaway SPARQL, measured: what reached the network, and how long a query
that would run for hours took to be stopped.

    .venv/bin/python benchmarks/bench_sparql_limits.py [--index DIR] [--limit 2]

Prints, for each place a query enters (Workspace = CLI and app, the endpoint over HTTP,
the remote-endpoint client, an on-disk store), how many hostile queries of
``tests/data/hostile_queries.txt`` were tried and refused and how many connections a
listener on 127.0.0.1 saw; then the wall time of each runaway query against its limit.
Without ``--index`` the two district plans in ``corpus/`` are built with the fake encoder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import REFUSAL, Listener, hostile_queries, post_query  # noqa: E402

from plangraph.errors import QueryError  # noqa: E402
from plangraph.graph.bindings import bind_params  # noqa: E402
from plangraph.graph.sparql import get_named_query, run_query  # noqa: E402
from plangraph.interfaces.endpoint import start_endpoint  # noqa: E402
from plangraph.workspace import Workspace, build  # noqa: E402

RUNAWAY = {
    "COUNT over a 3-way cross product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "REGEX (a+)+$ on every literal": 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?x ?y ?z '
                                     'FILTER REGEX(CONCAT(STR(?o), "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), "^(a+)+$") }',
    "100 KB query (6000-branch UNION)": "SELECT * WHERE { " + " UNION ".join(
        f'{{ ?s ?p "{i}" }}' for i in range(6000)) + " }",
}



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--limit", type=float, default=2.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sparql-"))
    index = args.index
    if index is None:
        index = tmp / "index"
        build([ROOT / "corpus"], index, encoders=("fake",), progress=False)
    ws = Workspace(index)
    import pyoxigraph as ox

    trig = ws.write_graph(tmp / "graph.trig", "trig")  # the index's graph is a store folder now
    store = ox.Store(str(tmp / "store"))
    store.load(path=str(trig), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    server = start_endpoint("memory", trig, port=0, timeout_s=args.limit)
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/query"

    print("| where | hostile queries | refused with a clear message | connections to the listener |")
    print("|---|---|---|---|")
    with Listener() as lis:
        queries = hostile_queries(lis.port)

        def refused(run: object) -> int:
            n = 0
            for q in queries:
                try:
                    run(q)  # type: ignore[operator]
                except QueryError as exc:
                    n += bool(REFUSAL.search(exc.message))
            return n

        def via_http(q: str) -> None:
            status, body = post_query(endpoint, q, timeout_s=600)
            if status != 200:
                raise QueryError(body.strip())

        places = {"Workspace (CLI, app)": ws.sparql,
                  "on-disk pyoxigraph store": lambda q: run_query(tmp / "store", q),
                  "endpoint over HTTP": via_http,
                  "remote-endpoint client (pointed at the listener)": lambda q: run_query(lis.url, q)}
        total = 0
        for name, run in places.items():
            before = len(lis.connections)
            ok = refused(run)
            total += len(queries)
            print(f"| {name} | {len(queries)} | {ok} | {len(lis.connections) - before} |")
        print(f"\n{total} hostile queries tried, {len(lis.connections)} connections seen\n")

    print("| runaway query | where | limit s | wall s | answer |")
    print("|---|---|---|---|---|")
    longest = 0.0
    for name, q in RUNAWAY.items():
        for where, run in (("Workspace", lambda q: ws.sparql(q, timeout_s=args.limit)),
                           ("store (pyoxigraph)", lambda q: run_query(tmp / "store", q, timeout_s=args.limit)),
                           ("endpoint", via_http)):
            run("ASK { ?s ?p ?o }")  # a warm worker: time the query, not the graph's opening
            t0 = time.monotonic()
            try:
                run(q)
                answer = "answered"
            except QueryError as exc:
                answer = exc.message
            wall = time.monotonic() - t0
            longest = max(longest, wall)
            print(f"| {name} | {where} | {args.limit:g} | {wall:.2f} | {answer} |")
    print(f"\nlongest wall time {longest:.2f} s against a {args.limit:g} s limit\n")

    # What the worker process costs an ordinary query: a warm round trip, in process and over HTTP.
    named = ("projects-by-place", {"plan": ws.plan_ids[0]})
    text = get_named_query(named[0]).text
    print("| query | where | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    for label, q, params in (("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }", None),
                             (f"{named[0]} plan={ws.plan_ids[0]}", text, named[1])):
        for where, run in (("Workspace", lambda: ws.sparql(q, params=params)),
                           ("store (pyoxigraph)", lambda: run_query(tmp / "store", q, params=params)),
                           ("endpoint", lambda: via_http(bind_params(q, params)))):
            times = []
            for _ in range(30):
                t0 = time.perf_counter()
                run()
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            print(f"| {label} | {where} | {times[14]:.1f} | {times[28]:.1f} |")
    server.close()


if __name__ == "__main__":
    main()
