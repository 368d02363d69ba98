"""``plangraph concepts``: the indicator ties of an index, and their review by staff.

Lists each indicator's concept (or that it has none, with the matcher's suggestions),
writes the ties to a review file (``--write``, keeping the decisions it holds) and
applies a reviewed file (``--apply``, rebuilding only the plans it has decisions on).
Split from :mod:`plangraph.interfaces.cli`; the parser is added by :func:`add_parsers`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from plangraph.errors import UsageError
from plangraph.interfaces.argtypes import output_file, text
from plangraph.interfaces.cliutil import index_arg, open_workspace, write_report
from plangraph.workspace.ties import apply_review_file, write_review_file

COLUMNS = ("plan", "indicator", "category", "concept", "status", "score", "why", "suggestions")


def _row(t: Any) -> dict[str, object]:
    return {"plan": t.plan, "indicator": t.indicator, "category": t.category, "concept": t.concept,
            "status": t.status, "score": round(t.score, 2), "why": t.why,
            "suggestions": "; ".join(f"{k} {s:.2f}" for k, s in t.suggestions)}


def cmd_concepts(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    if args.write and args.apply:
        raise UsageError("give --write FILE or --apply FILE, not both")
    if args.apply:
        decisions, summary = apply_review_file(ws, args.apply)
        plans = sorted({d.plan for d in decisions.values()})
        unknown = [p for p in plans if p not in ws.plan_ids]
        print(f"applied {len(decisions)} decisions on {len(plans) - len(unknown)} plans of the index"
              + (f" ({len(unknown)} other plans: {', '.join(unknown)})" if unknown else ""))
        if summary is not None:
            print(f"rebuilt: {', '.join(summary.replaced or summary.added) or 'nothing changed'}")
        return 0
    if args.write:
        print(f"wrote {write_review_file(ws, args.write, args.plan)}")
        return 0
    ties = ws.concept_ties(args.plan)
    shown = [t for t in ties if t.measures is None] if args.unmapped else ties  # unmapped or rejected
    rows = [_row(t) for t in shown]
    if args.format == "table" and not args.unmapped:
        for r in rows:
            r.pop("suggestions")
    if not ties:
        print("no indicator ties: no plan here has an indicator table, or the index was built by an "
              "older plangraph (plangraph build rebuilds it)", file=sys.stderr)
    if args.format == "table":
        tied = sum(1 for t in ties if t.measures)
        print(f"{tied} of {len(ties)} indicators tied to a concept; {len(ties) - tied} not"
              + (" (listed with the best suggestions)" if args.unmapped else ""))
    write_report({"concepts": rows}, args.format, None)
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("concepts", help="indicator ties to the indicator scheme; review them",
                       description="Each indicator's concept, score and why; --unmapped lists those "
                                   "without one and the matcher's suggestions. --write FILE writes the "
                                   "ties to a review file (decisions in it are kept); after editing "
                                   "status (confirmed, rejected, manual) and concept, --apply FILE "
                                   "rebuilds the plans it decides on. The build reads indicator-ties.tsv "
                                   "beside the plan files.")
    index_arg(p)
    p.add_argument("--plan", type=text, help="only this plan id")
    p.add_argument("--unmapped", action="store_true",
                   help="only indicators tied to no concept (unmapped or rejected), with suggestions")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--write", metavar="FILE", type=output_file, help="write or update a review file (keeps its decisions)")
    p.add_argument("--apply", metavar="FILE", help="apply a reviewed file and rebuild the plans it touches")
    p.set_defaults(func=cmd_concepts)
