"""How the index grows: build, add one plan, open, and named queries at N plans.

For each N, synthetic plans (``benchmarks/synth.py``) are built with the fake encoder
in a child process (so its peak RSS is the build's own; the plans are built on worker
processes, one per core, and the largest worker's peak RSS is shown beside it), one more plan is added to the
N-plan index in another child, and then, in this process, the index is opened and
every named query runs several times on the store, with the parameters staff
typically give it (``bench_named_queries.typical_params``), and apart from that with
none (every plan, the first page). At N=4 the same queries also run on
rdflib over the graph exported as TriG (what the index read before the store), for the
side-by-side ratio. In process the queries go through ``Workspace.sparql`` as the CLI
and the app call it (those across plans are answered from per-plan rows,
:mod:`plangraph.graph.views`; their SPARQL text's time is printed apart); the
*endpoint* columns ask ``plangraph endpoint`` over HTTP both ways: every query's SPARQL
text sent to ``/query`` (as a SPARQL client would), and the query by name to
``/named/NAME`` (answered from the stored rows); each query's p50 both ways is printed apart.

Besides: the index folder's bytes on disk (distinct files: snapshots share the store's
table files by hard link) after the build (which compacts the store at its end from 50
plans on) and after one plan was added, replaced (its text changed) and removed, each in
a child process; searches (the dev questions of ``../shared/eval``, through
``Workspace.search`` with the index's encoder: the fake one, so the figure is the
index's own part; the real encoders' time per query is measured by
``bench_search.py --scale``); and how each figure grows from one N to the next against
the growth of the corpus.

``--mixed`` builds the corpus of ``synth.py --mixed`` (sizes from a page to the whole
plan, national documents, text, HTML and Word files) instead of whole district plans.

Usage::

    python benchmarks/bench_scale.py 4 50 [500] [--work DIR] [--runs 7] [--reuse] [--mixed]
    python benchmarks/bench_scale.py --endpoint-on DIR [--runs 7]

``--endpoint-on DIR`` times only the named queries over the endpoint, both ways, on an
index already built (per query, then p50/p95 of all).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import generate, write_corpus  # noqa: E402

CHILD = """
import json, resource, sys, time
from plangraph.workspace import add, build
t0 = time.perf_counter()
from plangraph.workspace import remove
if sys.argv[1] == "build":
    s = build([sys.argv[3]], sys.argv[2], encoders=("fake",), progress=False)
elif sys.argv[1] == "remove":
    s = remove([sys.argv[3]], sys.argv[2], progress=False)
else:
    s = add([sys.argv[3]], sys.argv[2], progress=False)
print(json.dumps({"seconds": time.perf_counter() - t0, "plans": len(s.plans), "failures": len(s.failures),
                  "parts": s.seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _disk_mb(folder: Path) -> float:
    """MB of the distinct files under ``folder`` (hard links counted once)."""
    seen: dict[int, int] = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                st = os.stat(os.path.join(root, name))
            except FileNotFoundError:
                continue
            seen[st.st_ino] = st.st_size
    return sum(seen.values()) / 2**20


def _write_extra(extra: Path) -> Path:
    """One more district plan (id ``synth-extra``) to add, replace and remove."""
    extra.mkdir(parents=True, exist_ok=True)
    plan = dataclasses.replace(next(generate(1, seed=99)), plan_id="synth-extra")
    path = extra / "synth-extra.txt"
    path.write_text(plan.text, "utf-8")
    path.with_suffix(".meta.toml").write_text(plan.meta_toml(), "utf-8")
    return path


def _search_times(ws: object, runs: int) -> list[float]:
    """Seconds per search of each dev question (warmed once), through ``Workspace.search``."""
    from plangraph.analysis.evaluate import load_questions

    shared = Path(os.environ.get("PLANGRAPH_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    questions = [q.q for q in load_questions(shared / "eval" / "dev_questions.json")][:20]
    search = ws.search  # type: ignore[attr-defined]
    for q in questions:
        search(q)
    return [t for q in questions for t in _time(lambda: search(q), max(1, runs // 3))]


def _queries(first_plan: str) -> list[tuple[str, dict[str, str]]]:
    """Each named query with the parameters staff typically give it (bench_named_queries.py)."""
    from bench_named_queries import typical_params

    from plangraph.graph.sparql import named_queries

    typical = typical_params(first_plan)
    return [(name, typical.get(name, {})) for name in sorted(named_queries())]


def _time(fn: object, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return times


def _time_within(fn: object, runs: int) -> list[float]:
    """:func:`_time`, or ``[inf]`` for a query stopped at its time limit (printed ``inf``)."""
    from plangraph.errors import QueryTimeoutError

    try:
        return _time(fn, runs)
    except QueryTimeoutError:
        return [float("inf")]


def _pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _endpoint_times(ws: object, queries: list[tuple[str, dict[str, str]]],
                    runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each typical named query asked of ``plangraph endpoint`` over HTTP (JSON results):
    as its SPARQL text (POST to ``/query``, as a SPARQL client would) and by name (GET
    ``/named/NAME?PARAM=…``): seconds per request of each query, each way."""
    import urllib.parse
    import urllib.request

    from plangraph.graph.bindings import bind_params
    from plangraph.graph.sparql import named_queries
    from plangraph.interfaces.endpoint import start_endpoint

    server = start_endpoint("store", ws.graph_location, port=0, timeout_s=120, workspace=ws)  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{server.server_address[1]}"
    accept = {"Accept": "application/sparql-results+json"}
    try:
        def ask(text: str) -> None:
            body = urllib.parse.urlencode({"query": text}).encode()
            req = urllib.request.Request(base + "/query", data=body, headers=accept)
            with urllib.request.urlopen(req, timeout=180) as resp:
                resp.read()

        def ask_name(name: str, params: dict[str, str]) -> None:
            url = f"{base}/named/{name}?{urllib.parse.urlencode(params)}"
            with urllib.request.urlopen(urllib.request.Request(url, headers=accept), timeout=180) as resp:
                resp.read()

        texts = {name: bind_params(named_queries()[name].text, params) for name, params in queries}
        for name, params in queries:  # warm: the worker's guard keeps each text's verdict
            ask(texts[name])
            ask_name(name, params)
        by_text = {name: _time(lambda: ask(texts[name]), runs) for name, _ in queries}
        by_name = {name: _time(lambda: ask_name(name, params), runs) for name, params in queries}
        return by_text, by_name
    finally:
        server.close()


def measure(n: int, work: Path, runs: int, reuse: bool = False, mixed: bool = False) -> dict[str, object]:
    from plangraph.graph.export import export_rows
    from plangraph.graph.planview import section_tree
    from plangraph.workspace import Workspace

    inputs, extra, ix = work / f"n{n}" / "in", work / f"n{n}" / "extra", work / f"n{n}" / "ix"
    saved = work / f"n{n}" / "build.json"
    if reuse and saved.exists():  # time the reads again on the index built last time
        built, added, changes = json.loads(saved.read_text("utf-8"))
    else:
        shutil.rmtree(ix, ignore_errors=True)
        stamp = work / f"n{n}" / ("mixed" if mixed else "whole")
        if len([f for f in inputs.glob("*") if not f.name.endswith(".toml")]) != n or not stamp.exists():
            shutil.rmtree(work / f"n{n}", ignore_errors=True)
            write_corpus(inputs, n, mixed=mixed)
            stamp.touch()
        path = _write_extra(extra)
        built = _child("build", str(ix), str(inputs))
        changes = {"disk_build_mb": _disk_mb(ix)}
        added = _child("add", str(ix), str(extra))
        changes["disk_add_mb"] = _disk_mb(ix)
        path.write_text(path.read_text("utf-8") + "\n新增一段：全面推进教育数字化转型，建设智慧校园示范校10所。\n", "utf-8")
        changes["replace_s"] = _child("add", str(ix), str(extra))["seconds"]
        changes["disk_replace_mb"] = _disk_mb(ix)
        changes["remove_s"] = _child("remove", str(ix), "synth-extra")["seconds"]
        changes["disk_remove_mb"] = _disk_mb(ix)
        path.write_text(path.read_text("utf-8").rsplit("\n新增一段", 1)[0], "utf-8")
        _child("add", str(ix), str(extra))  # the reads below see the N + 1 plans, as before
        saved.write_text(json.dumps([built, added, changes]), "utf-8")
    t0 = time.perf_counter()
    ws = Workspace(ix)
    ws.plan_ids  # noqa: B018
    ws.dataset  # noqa: B018 - opens the store snapshot
    open_s = time.perf_counter() - t0
    queries = _queries(ws.plan_ids[0])
    per_query = {name: _time(lambda: ws.sparql(name=name, params=params), runs) for name, params in queries}
    # the same queries with no parameter: over every plan, the first page (reported apart)
    whole = {name: _time(lambda: ws.sparql(name=name), max(1, runs // 3)) for name, _ in queries}
    flat = [t for ts in per_query.values() for t in ts]
    # the queries answered from per-plan rows, run as their SPARQL text on the store instead
    from plangraph.graph.views import view_specs

    # (each text reads every plan's graph: commitment-themes took 29 s at 500 plans, past the
    # 10 s default limit, so the limit here is 120 s and the runs fewer; one stopped there is inf)
    as_text = {name: _time_within(lambda: ws.sparql(name=name, params=params, from_views=False, timeout_s=120),
                           max(1, runs // 3))
               for name, params in queries if name in view_specs()}
    by_text, by_name = _endpoint_times(ws, queries, runs)
    endpoint = [t for ts in by_text.values() for t in ts]
    endpoint_named = [t for ts in by_name.values() for t in ts]
    searches = _search_times(ws, runs)
    row: dict[str, object] = {
        **changes, "search_p50_ms": _pct(searches, 0.5), "search_p95_ms": _pct(searches, 0.95),
        "N": n, "build_s": built["seconds"], "s_per_plan": built["seconds"] / n, "rss_mb": built["rss_mb"],
        "worker_rss_mb": built.get("worker_rss_mb", 0.0),
        "add_one_s": added["seconds"], "add_parts": added["parts"], "build_parts": built["parts"], "open_s": open_s,
        "query_p50_ms": _pct(flat, 0.5), "query_p95_ms": _pct(flat, 0.95),
        "worst_query": max(per_query, key=lambda k: statistics.median(per_query[k])),
        "worst_p50_ms": max(statistics.median(v) for v in per_query.values()) * 1000,
        "whole_p50_ms": {k: statistics.median(v) * 1000 for k, v in whole.items()},
        "as_text_p50_ms": {k: statistics.median(v) * 1000 for k, v in as_text.items()},
        "endpoint_p50_ms": _pct(endpoint, 0.5), "endpoint_p95_ms": _pct(endpoint, 0.95),
        "endpoint_named_p50_ms": _pct(endpoint_named, 0.5), "endpoint_named_p95_ms": _pct(endpoint_named, 0.95),
        "endpoint_each_ms": {k: (statistics.median(by_text[k]) * 1000, statistics.median(by_name[k]) * 1000)
                             for k in by_text},
    }
    plan = ws.plan_ids[0]
    readers = {  # rdflib-style pattern calls through graph/storeview.py
        "export_rows(indicators, plan)": lambda g: export_rows(g, "indicators", plan),
        "export_rows(commitments, plan)": lambda g: export_rows(g, "commitments", plan),
        "section_tree(plan)": lambda g: section_tree(g, plan),
    }
    row["readers_ms"] = {k: statistics.median(_time(lambda: f(ws.dataset), 3)) * 1000 for k, f in readers.items()}
    # the same indicator rows as one SPARQL query, for the pattern-calls-or-SPARQL choice
    row["sparql_indicators_ms"] = statistics.median(
        _time(lambda: ws.sparql(name="indicators-by-category", params={"plan": plan}, from_views=False), 3)) * 1000
    if n == 4:
        from rdflib import Dataset

        from plangraph.graph.sparql import run_named

        trig = work / "n4" / "graph.trig"
        ws.write_graph(trig, "trig")
        t0 = time.perf_counter()
        ds = Dataset(default_union=True)
        ds.parse(str(trig), format="trig")
        row["rdflib_parse_s"] = time.perf_counter() - t0
        run_named(trig, "cited-documents", timeout_s=120)  # the worker parses the TriG once
        rd = [t for name, params in queries
              for t in _time(lambda: run_named(trig, name, params, timeout_s=60), max(3, runs // 2))]
        row["rdflib_p50_ms"] = _pct(rd, 0.5)
        row["ratio_p50"] = row["rdflib_p50_ms"] / row["query_p50_ms"]  # type: ignore[operator]
        row["rdflib_readers_ms"] = {k: statistics.median(_time(lambda: f(ds), 3)) * 1000 for k, f in readers.items()}
    return row


GROWTH = (("build s", "build_s"), ("peak RSS", "rss_mb"), ("disk", "disk_build_mb"), ("add 1", "add_one_s"),
          ("query p50", "query_p50_ms"), ("endpoint p95", "endpoint_p95_ms"),
          ("endpoint by name p95", "endpoint_named_p95_ms"), ("search p50", "search_p50_ms"))


def _growth(rows: list[dict[str, object]]) -> None:
    """How each figure grew from one N to the next, beside how the corpus grew."""
    if len(rows) < 2:
        return
    print("\n| from → to | plans × | " + " | ".join(f"{label} ×" for label, _ in GROWTH) + " |")
    print("|---|---|" + "---|" * len(GROWTH))
    for a, b in zip(rows, rows[1:]):
        cells = [f"{float(b[k]) / float(a[k]):.1f}" if float(a[k]) else "–" for _, k in GROWTH]  # type: ignore[arg-type]
        print(f"| {a['N']} → {b['N']} | {int(b['N']) / int(a['N']):.0f} | " + " | ".join(cells) + " |")  # type: ignore[call-overload]


def endpoint_only(index: Path, runs: int) -> None:
    """The named queries over ``plangraph endpoint`` on a built index, by text and by name."""
    from plangraph.workspace import Workspace

    ws = Workspace(index)
    by_text, by_name = _endpoint_times(ws, _queries(ws.plan_ids[0]), runs)
    print(f"{len(ws.plan_ids)} plans; {runs} runs of each query")
    print("| query | by text p50 / p95 ms | by name p50 / p95 ms |\n|---|---|---|")
    for name in by_text:
        print(f"| {name} | {_pct(by_text[name], 0.5):.1f} / {_pct(by_text[name], 0.95):.1f} | "
              f"{_pct(by_name[name], 0.5):.1f} / {_pct(by_name[name], 0.95):.1f} |")
    every_text = [t for ts in by_text.values() for t in ts]
    every_name = [t for ts in by_name.values() for t in ts]
    print(f"| all | {_pct(every_text, 0.5):.1f} / {_pct(every_text, 0.95):.1f} | "
          f"{_pct(every_name, 0.5):.1f} / {_pct(every_name, 0.95):.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", type=int, nargs="*", help="numbers of plans, e.g. 4 50 500")
    parser.add_argument("--endpoint-on", type=Path, metavar="DIR",
                        help="only time the named queries over the endpoint on this built index")
    parser.add_argument("--work", type=Path, default=Path("/tmp/plangraph-bench-scale"))
    parser.add_argument("--runs", type=int, default=7, help="runs of each named query")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the index and build figures of the last run; time the reads again")
    parser.add_argument("--mixed", action="store_true", help="the corpus of synth.py --mixed")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    if args.endpoint_on:
        endpoint_only(args.endpoint_on, args.runs)
        return 0
    if not args.sizes:
        parser.error("give numbers of plans, or --endpoint-on DIR")
    print("| N | build s | s/plan | peak RSS MB (main / largest worker) | disk MB (built / +1 / replaced / -1) | "
          "add / replace / remove 1 plan s | open s | query p50 ms | p95 ms | slowest query (p50 ms) | "
          "endpoint by text p50 / p95 ms | endpoint by name p50 / p95 ms | search p50 / p95 ms | "
          "rdflib p50 ms (ratio) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows: list[dict[str, object]] = []
    for n in args.sizes:
        r = measure(n, args.work, args.runs, args.reuse, args.mixed)
        rows.append(r)
        rd = f"{r['rdflib_p50_ms']:.1f} ({r['ratio_p50']:.0f}×), parse {r['rdflib_parse_s']:.1f} s" if "ratio_p50" in r else "–"
        print(f"| {n} | {r['build_s']:.1f} | {r['s_per_plan']:.2f} | {r['rss_mb']:.0f} / {r['worker_rss_mb']:.0f} | "
              f"{r['disk_build_mb']:.0f} / {r['disk_add_mb']:.0f} / {r['disk_replace_mb']:.0f} / "
              f"{r['disk_remove_mb']:.0f} | {r['add_one_s']:.1f} / {r['replace_s']:.1f} / {r['remove_s']:.1f} | "
              f"{r['open_s']:.3f} | {r['query_p50_ms']:.1f} | {r['query_p95_ms']:.1f} | "
              f"{r['worst_query']} ({r['worst_p50_ms']:.1f}) | "
              f"{r['endpoint_p50_ms']:.1f} / {r['endpoint_p95_ms']:.1f} | "
              f"{r['endpoint_named_p50_ms']:.1f} / {r['endpoint_named_p95_ms']:.1f} | "
              f"{r['search_p50_ms']:.1f} / {r['search_p95_ms']:.1f} | {rd} |", flush=True)
        texts = ", ".join(f"{k} {v:.0f}" for k, v in r["as_text_p50_ms"].items())  # type: ignore[attr-defined]
        print(f"    N={n} queries answered from per-plan rows, run as SPARQL text instead, p50 ms: {texts}",
              file=sys.stderr, flush=True)
        print(f"    N={n} build parts: {json.dumps(r['build_parts'])}; add parts: {json.dumps(r['add_parts'])}",
              file=sys.stderr, flush=True)
        each = ", ".join(f"{k} {a:.0f} / {b:.0f}" for k, (a, b) in r["endpoint_each_ms"].items())  # type: ignore[attr-defined]
        print(f"    N={n} over the endpoint, p50 ms by text / by name: {each}", file=sys.stderr, flush=True)
        wholes = ", ".join(f"{k} {v:.0f}" for k, v in r["whole_p50_ms"].items())  # type: ignore[attr-defined]
        print(f"    N={n} named queries with no parameter (every plan, first page), p50 ms: {wholes}",
              file=sys.stderr, flush=True)
        readers = ", ".join(f"{k} {v:.0f} ms" for k, v in r["readers_ms"].items())  # type: ignore[attr-defined]
        print(f"    N={n} readers on the store: {readers}; indicators-by-category SPARQL "
              f"{r['sparql_indicators_ms']:.0f} ms", file=sys.stderr, flush=True)
        if "rdflib_readers_ms" in r:
            rd = ", ".join(f"{k} {v:.0f} ms" for k, v in r["rdflib_readers_ms"].items())  # type: ignore[attr-defined]
            print(f"    N={n} readers on rdflib: {rd}", file=sys.stderr, flush=True)
    _growth(rows)
    print(f"(peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
