"""Place scoping: questions that name a province, city or county, with and without it.

Usage (from the repository root)::

    PLANGRAPH_SHARED=../shared .venv/bin/python benchmarks/bench_places.py            # fake encoder
    PLANGRAPH_SHARED=../shared .venv/bin/python benchmarks/bench_places.py --encoders e5,use

The index holds the two district plans of ``corpus/``, the two national plans of
``../shared/plans`` and the fragments of real plans of other places in
``tests/data/plans/`` (see its SOURCES.md). The questions are
``tests/data/place_questions.json``: each names a place and gives the plan and the
passage (evidence strings) that should come first. A hit counts when it is of that
plan and holds an evidence string. Printed: R@1, R@10 and MRR@10 with the place scope
(the default search) and without any scope (``--no-scope``), by the level of the place
named, and the questions whose rank changed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PLANGRAPH_SHARED", ROOT.parent / "shared"))
QUESTIONS = ROOT / "tests" / "data" / "place_questions.json"
INPUTS = [ROOT / "corpus", ROOT / "tests" / "data" / "plans",
          SHARED / "plans" / "national-education-reform-outline-2010-2020.txt",
          SHARED / "plans" / "national-china-education-modernization-2035.txt"]


def first_rank(hits: list, plan: str, evidence: list[str]) -> int | None:
    from plangraph.analysis.evaluate import is_relevant

    return next((h.rank for h in hits if h.plan == plan and is_relevant(h, evidence)), None)


def metrics(ranks: list[int | None]) -> str:
    n = len(ranks)
    r1 = sum(1 for r in ranks if r == 1) / n
    r10 = sum(1 for r in ranks if r and r <= 10) / n
    mrr = sum(1 / r for r in ranks if r and r <= 10) / n
    return f"n={n:<3} R@1={r1:.3f} R@10={r10:.3f} MRR@10={mrr:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoders", default="fake", help="comma-separated encoder names (default: fake)")
    ap.add_argument("--keep", type=Path, help="build the index here and keep it")
    ap.add_argument("--out-of-place", type=float, help="FusionConfig.out_of_place to try (default: the searcher's)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from plangraph.workspace import Workspace, build

    questions = json.loads(QUESTIONS.read_text("utf-8"))["questions"]
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "ix"
        t0 = time.perf_counter()
        build(INPUTS, out, encoders=tuple(args.encoders.split(",")), progress=False)
        print(f"index of {len(Workspace(out).plan_ids)} plans built in {time.perf_counter() - t0:.1f} s "
              f"(encoders: {args.encoders})")
        ws = Workspace(out)
        if args.out_of_place is not None:
            import dataclasses

            ws.searcher.fusion = dataclasses.replace(ws.searcher.fusion, out_of_place=args.out_of_place)
        print(f"out_of_place = {ws.searcher.fusion.out_of_place:g}")
        rows = []
        for q in questions:
            scoped, scope = ws.search_with_scope(q["q"], 10)
            alike = ws.search(q["q"], 10, scoped=False)
            rows.append((q, first_rank(alike, q["plan"], q["evidence"]),
                         first_rank(scoped, q["plan"], q["evidence"]), scope))
    for label, pick in (("no scope   ", 1), ("place scope", 2)):
        print(f"{label} all     {metrics([r[pick] for r in rows])}")
        for level in ("province", "city", "county"):
            sub = [r[pick] for r in rows if r[0]["level"] == level]
            if sub:
                print(f"{label} {level:<8}{metrics(sub)}")
    print()
    for q, before, after, scope in rows:
        mark = "" if before == after else "  <-"
        line = scope.describe() if scope else "no scope"
        print(f"{str(before or '-'):>3} -> {str(after or '-'):<3} {q['q']}  ({line}){mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
