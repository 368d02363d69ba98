"""Named queries at scale: each one as staff run it, before and after issue #15, side by side.

For every query of ``plangraph/data/*.rq`` two forms run on an index (e.g. the 500-plan
index ``benchmarks/bench_scale.py 500`` builds):

* **typical**: with the parameters staff give it: the plan for the per-plan queries,
  an indicator name for ``indicator-across-plans``, a group or a concept for theirs;
* **whole**: with no parameter, over every plan (the first page of it after).

*before* is the query text as it was (``benchmarks/data/named-queries-before/``), run as
``Workspace.sparql`` ran it then: every row converted and sent back. *after* is the
library's query as ``Workspace.sparql(name=...)`` answers it now: the first page
(1,000 rows) of a result, every row still counted; the queries across plans are
answered from per-plan rows (:mod:`plangraph.graph.views`). *SPARQL text* is the same
call with ``from_views=False``: the library's text through the same warm, killable
query worker (:mod:`plangraph.graph.runner`) as *before*, which is what the endpoint
and a remote store run. Runs alternate so that all see the same load. *engine* is the
library's text evaluated in this process on the store, every row read but none
converted: what is left of *SPARQL text* is conversion and transfer.

Usage::

    python benchmarks/bench_named_queries.py --index DIR [--runs 7] [--whole-runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

BEFORE = Path(__file__).resolve().parent / "data" / "named-queries-before"


def typical_params(plan: str) -> dict[str, dict[str, str]]:
    """The parameters a query is typically run with (values from each ``# param:`` line)."""
    return {
        "bodies-responsibilities": {"plan": plan},
        "cited-documents": {"plan": plan},
        "cited-plans": {"plan": plan},
        "commitment-themes": {"theme": "教师队伍"},
        "commitments-for-group": {"group": "适龄幼儿"},
        "concept-across-plans": {"concept": "working-age-years-of-schooling"},
        "indicator-across-plans": {"name": "受教育年限"},
        "indicators-by-category": {"plan": plan},
        "indicators-side-by-side": {"concept": "working-age-years-of-schooling"},
        "projects-by-place": {"plan": plan},
    }


def _pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _alternate(fns: list[Callable[[], object]], runs: int) -> list[list[float]]:
    times: list[list[float]] = [[] for _ in fns]
    for fn in fns:  # warm: the worker's guard keeps each text's verdict, the store its blocks
        fn()
    for _ in range(runs):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a built index folder")
    parser.add_argument("--runs", type=int, default=7, help="runs of each typical query (default 7)")
    parser.add_argument("--whole-runs", type=int, default=3, help="runs of each whole-corpus query (default 3)")
    parser.add_argument("--plan", help="the plan of the per-plan queries (default: the index's first)")
    parser.add_argument("--only", action="append", help="run only this query (repeatable)")
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    from plangraph.errors import QueryTimeoutError
    from plangraph.graph.bindings import bind_params
    from plangraph.graph.engines import _prefixes
    from plangraph.graph.sparql import named_queries, run_query
    from plangraph.workspace import Workspace

    ws = Workspace(args.index)
    plan = args.plan or ws.plan_ids[0]
    store = ox.Store.read_only(str(ws.graph_location))
    prefixes = _prefixes()
    typical = typical_params(plan)
    print(f"{len(ws.plan_ids)} plans in {args.index}; typical runs {args.runs}, whole-corpus runs {args.whole_runs}")
    print("| query | form | rows (page) | before p50 / p95 ms | after p50 / p95 ms | p50 ratio | "
          "SPARQL text p50 ms | engine p50 ms |")
    print("|---|---|---|---|---|---|---|---|")
    after_p50s: list[float] = []
    for name, nq in sorted(named_queries().items()):
        if args.only and name not in args.only:
            continue
        before = (BEFORE / f"{name}.rq").read_text("utf-8")
        for form, params, runs in (("typical", typical.get(name, {}), args.runs), ("whole", {}, args.whole_runs)):
            bound = bind_params(nq.text, params)

            def engine(bound: str = bound) -> int:
                result = store.query(bound, prefixes=prefixes, use_default_graph_as_union=True)
                return sum(1 for _ in result)  # type: ignore[union-attr]

            def run_before(params: dict[str, str] = params, before: str = before) -> object:
                return run_query(ws.graph_location, before, 60, params or None)

            def run_after(params: dict[str, str] = params, name: str = name) -> object:
                return ws.sparql(name=name, params=params or None, timeout_s=60)

            def run_text(params: dict[str, str] = params, name: str = name) -> object:
                return ws.sparql(name=name, params=params or None, timeout_s=60, from_views=False)

            result = ws.sparql(name=name, params=params or None, timeout_s=60)
            try:
                run_before()
            except QueryTimeoutError:  # a plain formulation that never finishes at this scale
                t_after, t_text, t_engine = _alternate([run_after, run_text, engine], runs)
                t_before = [60.0]
            else:
                t_before, t_after, t_text, t_engine = _alternate([run_before, run_after, run_text, engine], runs)
            after_p50s.append(statistics.median(t_after) * 1000)
            shown = f"{result.total_rows} ({len(result.rows)})" if result.is_partial else str(result.total_rows)
            label = ", ".join(f"{k}={v}" for k, v in params.items()) or "–"
            before_ms = (f"{_pct(t_before, .5):.1f} / {_pct(t_before, .95):.1f}" if t_before != [60.0]
                         else "> 60,000 (stopped)")
            print(f"| {name} | {form}: {label} | {shown} | {before_ms} | "
                  f"{_pct(t_after, .5):.1f} / {_pct(t_after, .95):.1f} | "
                  f"{'≥ ' if t_before == [60.0] else ''}"
                  f"{statistics.median(t_before) / statistics.median(t_after):.1f}× | "
                  f"{statistics.median(t_text) * 1000:.1f} | {statistics.median(t_engine) * 1000:.1f} |", flush=True)
    print(f"(load average while measuring: {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
