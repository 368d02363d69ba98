"""When is the best answer weak? Precision and recall of the "weak" flag at each cut-off.

Questions with an answer: the development questions (whole corpus, and each in its own
plan); a top hit is an answer when it holds an evidence string. Questions without one:
``benchmarks/data/no_answer_questions.json`` (each searched in the plans it names).
For each encoder of the index the top hit's cosine with the question is read
(:meth:`plangraph.workspace.Workspace.cosines`); the script prints, for each cut-off,
how many flagged top hits were indeed no answer (precision) and how many non-answers
were flagged (recall), then the same for the combined strength with the cut-offs in
:data:`plangraph.analysis.strength.CUTOFFS`.

    .venv/bin/python benchmarks/bench_strength.py --index indexes/default
    (an index of corpus/ and the national plans, built with the default encoders)
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
from pathlib import Path

import numpy as np

from plangraph.analysis.evaluate import is_relevant, load_questions
from plangraph.analysis.strength import CUTOFFS, strength
from plangraph.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PLANGRAPH_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "eval" / "dev_questions.json"
NO_ANSWER = ROOT / "benchmarks" / "data" / "no_answer_questions.json"
PLAN_OF = {"national-2010": "national-education-reform-outline-2010-2020",
           "national-2035": "national-china-education-modernization-2035"}


def cases(ws: Workspace) -> list[tuple[str, str, tuple[str, ...] | None, bool]]:
    """(label, question, plans searched or None, has an answer) for every case."""
    out = []
    for q in load_questions(DEV):
        out.append((q.q, q.q, None, True))
        plan = PLAN_OF.get(q.plan or "", q.plan)
        if plan in ws.plan_ids:
            out.append((f"{q.q} [{plan}]", q.q, (plan,), True))
    for item in json.loads(NO_ANSWER.read_text(encoding="utf-8"))["questions"]:
        plans = tuple(item.get("plans") or ()) or None
        out.append((f"{item['q']} [{','.join(plans or ('all',))}]", item["q"], plans, False))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", default=os.environ.get("PLANGRAPH_INDEX", "indexes/default"))
    parser.add_argument("--per-case", action="store_true", help="print each case's cosines and label")
    args = parser.parse_args()
    ws = Workspace(args.index)
    questions = {q.q: q.evidence for q in load_questions(DEV)}
    rows = []
    for label, q, plans, answerable in cases(ws):
        if plans is None or len(plans) == 1:
            hits = ws.search(q, 1, plan=plans[0] if plans else None)
        else:  # the best hit of any of the plans named
            hits = [h for h in ws.search(q, 50) if h.plan in plans][:1]
        if not hits:
            continue
        top = hits[0]
        # an answerable question whose top hit is not an answer counts as weak too
        answered = answerable and is_relevant(top, questions[q])
        cos = ws.cosines(q, [top])[0]
        rows.append((label, answered, cos, strength(cos)))
    truth_weak = np.array([not a for _, a, _, _ in rows])
    print(f"{len(rows)} cases: {int((~truth_weak).sum())} top hits are answers, {int(truth_weak.sum())} are not "
          "(questions without an answer in the plans searched, and wrong top hits)")
    encoders = sorted({name for _, _, cos, _ in rows for name in cos})
    for name in encoders:
        values = np.array([cos[name] for _, _, cos, _ in rows])
        print(f"\n{name}: cosine of the top hit; answers {np.median(values[~truth_weak]):.3f} (median), "
              f"non-answers {np.median(values[truth_weak]):.3f}")
        print("cut-off  flagged  precision  recall  answers flagged")
        for cut in np.unique(np.round(np.quantile(values, np.linspace(0.05, 0.95, 19)), 3)):
            flagged = values < cut
            tp = int((flagged & truth_weak).sum())
            prec = tp / flagged.sum() if flagged.sum() else float("nan")
            print(f"{cut:7.3f}  {int(flagged.sum()):7d}  {prec:9.2f}  {tp / truth_weak.sum():6.2f}  "
                  f"{int((flagged & ~truth_weak).sum()):15d}")
    if len(encoders) > 1:
        # the alternative rule: average the encoders' cosines on their cut-off scales
        values = {name: np.array([cos[name] for _, _, cos, _ in rows]) for name in encoders}
        best = (-1.0, 0.0, 0.0, 0, ())
        grids = [[(float(w), float(w + d)) for w in np.quantile(values[n], np.linspace(0.1, 0.6, 11))
                  for d in np.ptp(values[n]) * np.array([0.05, 0.1, 0.2])] for n in encoders]
        for combo in itertools.product(*grids):
            scaled = np.mean([(values[n] - w) / (s - w) for n, (w, s) in zip(encoders, combo)], axis=0)
            flagged = scaled < 0
            tp = int((flagged & truth_weak).sum())
            if flagged.sum() and tp:
                p, r = tp / flagged.sum(), tp / truth_weak.sum()
                if 2 * p * r / (p + r) > best[0]:
                    best = (2 * p * r / (p + r), p, r, int(flagged.sum()), combo)
        print(f"\nthe encoders averaged on their cut-off scales, best cut-offs of a grid: "
              f"{best[3]} flagged, precision {best[1]:.2f}, recall {best[2]:.2f} "
              f"({', '.join(f'{n}: {w:.3f}/{s:.3f}' for n, (w, s) in zip(encoders, best[4]))})")
    levels = np.array([s.level for _, _, _, s in rows])
    weak = levels == "weak"
    tp = int((weak & truth_weak).sum())
    print(f"\ncombined strength with CUTOFFS ({', '.join(f'{k}: {v.weak}/{v.strong}' for k, v in CUTOFFS.items())}):")
    print(f"  weak: {int(weak.sum())} flagged, precision {tp / max(weak.sum(), 1):.2f}, "
          f"recall {tp / max(truth_weak.sum(), 1):.2f}")
    for level in ("strong", "medium", "weak"):
        chosen = levels == level
        print(f"  {level}: {int(chosen.sum())} top hits, {int((chosen & ~truth_weak).sum())} of them answers")
    if args.per_case:
        for label, answered, cos, s in rows:
            print(f"{'answer ' if answered else 'NO     '} {s.level:6s} "
                  f"{' '.join(f'{v:.3f}' for v in cos.values())}  {label}")


if __name__ == "__main__":
    main()
