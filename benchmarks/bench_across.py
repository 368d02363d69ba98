"""One indicator across plans at scale: what the page 指标横向对比 waits for.

On a built index (``benchmarks/synth.py`` plans plus the national plans, fake
encoder), for each concept given (default: every concept some plan sets a target for,
the five with most rows):

* **views**: ``Workspace.sparql(name="concept-across-plans", params={"concept": KEY})``,
  answered from the plans' stored rows (:mod:`plangraph.graph.views`), every row;
* **SPARQL text**: the same with ``from_views=False`` (what the endpoint and a remote
  store run), through the warm query worker;
* **façade**: ``Workspace.concept_across_plans(KEY)``: the query, the typed rows, the
  plans without a target (what the page calls);
* **whole**: the query with no parameter (every concept of every plan), from views;
* **× K**: with ``--replicate K``, the stored rows of every plan repeated K times (plan ids
  made unique) and answered by the same filter (:func:`plangraph.graph.views.answer`):
  the views path at K times the corpus without building it (the filter's cost is in the
  number of rows; the SPARQL text's is not measured this way).

Usage::

    python benchmarks/bench_across.py --index DIR [--runs 7] [--concept KEY ...] [--replicate K]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path


def _times(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm: the worker's guard, the store's blocks, the stored rows read once
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _ms(times: list[float]) -> str:
    ordered = sorted(times)
    return f"{statistics.median(times) * 1000:.1f} / {ordered[min(len(ordered) - 1, int(.95 * len(ordered)))] * 1000:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a built index folder")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--concept", action="append", help="a concept key (repeatable; default: the five with most rows)")
    parser.add_argument("--replicate", type=int, default=0, help="also answer from the stored rows repeated K times")
    args = parser.parse_args(argv)

    from plangraph.workspace import Workspace

    ws = Workspace(args.index)
    t0 = time.perf_counter()
    whole = ws.sparql(name="concept-across-plans", limit=0)
    first = time.perf_counter() - t0
    counts = Counter(r[0] for r in whole.rows)
    concepts = args.concept or [k for k, _ in counts.most_common(5)]
    print(f"{len(ws.plan_ids)} plans in {args.index}; {whole.total_rows} rows of concept-across-plans over "
          f"{len(counts)} concepts (first call, stored rows read: {first * 1000:.0f} ms); runs {args.runs}")
    print("| concept | rows | views p50 / p95 ms | SPARQL text p50 / p95 ms | façade p50 / p95 ms |")
    print("|---|---|---|---|---|")
    for key in concepts:
        params = {"concept": key}
        rows = ws.sparql(name="concept-across-plans", params=params, limit=0).total_rows
        views = _times(lambda: ws.sparql(name="concept-across-plans", params=params, limit=0), args.runs)
        text = _times(lambda: ws.sparql(name="concept-across-plans", params=params, limit=0, from_views=False,
                                        timeout_s=60), args.runs)
        facade = _times(lambda: ws.concept_across_plans(key), args.runs)
        print(f"| {key} | {rows} | {_ms(views)} | {_ms(text)} | {_ms(facade)} |", flush=True)
    every = _times(lambda: ws.sparql(name="concept-across-plans", limit=0), args.runs)
    print(f"| (no parameter: every concept) | {whole.total_rows} | {_ms(every)} | – | – |")
    if args.replicate:
        from plangraph.graph.views import answer, ordered, view_specs

        spec = view_specs()["concept-across-plans"]
        stored = ws._plan_files.view_rows(spec) or []
        at = spec.stored.index("plan")
        many = ordered(spec, [row[:at] + (f"{row[at]}~{i}",) + row[at + 1:]
                              for i in range(args.replicate) for row in stored])
        plans = len(ws.plan_ids) * args.replicate
        print(f"\nstored rows × {args.replicate} ({plans} plans' worth): {len(many)} rows")
        print("| concept | rows | views p50 / p95 ms |")
        print("|---|---|---|")
        for key in concepts:
            params = {"concept": key}
            rows = answer(spec, many, params)[2]
            print(f"| {key} | {rows} | {_ms(_times(lambda: answer(spec, many, params), args.runs))} |", flush=True)
    print(f"(load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
