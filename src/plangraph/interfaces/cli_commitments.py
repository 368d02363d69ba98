"""The ``plangraph commitments "X"`` command: which plans commit to X.

Split from :mod:`plangraph.interfaces.cli`; the parser is added by :func:`add_parsers`.
The command calls :meth:`plangraph.workspace.Workspace.commitments` and prints its rows.
"""

from __future__ import annotations

import argparse

from plangraph.interfaces.argtypes import text
from plangraph.interfaces.cliutil import emit_rows, index_arg, open_workspace, shorten, write_report

COLUMNS = ["plan", "strength", "score", "quote", "section", "why", "start", "end", "context"]
_TABLE_COLUMNS = ["plan", "strength", "score", "quote", "why"]


def cmd_commitments(args: argparse.Namespace) -> int:
    found = open_workspace(args).commitments(args.phrase, plans=tuple(args.plan or ()))
    rows = [r.row() for r in found]
    if args.format == "table":
        emit_rows(_TABLE_COLUMNS, [[shorten(r[c], 50) for c in _TABLE_COLUMNS] for r in rows], "table")
    else:
        emit_rows(COLUMNS, [[r[c] for c in COLUMNS] for r in rows], args.format)
    return 0


_UPTAKE_TABLE = ["status", "superior", "score", "superior_quote", "local_quote"]
_SIDES = {"shared": "taken up", "only-b": "not found", "only-a": "local"}


def cmd_uptake(args: argparse.Namespace) -> int:
    """``plangraph compare A B C…``: A against each of B, C… (see :mod:`plangraph.analysis.uptake`)."""
    up = open_workspace(args).uptake(args.plan_a, args.plan_b, threshold=args.threshold)
    rows = up.rows(_SIDES[args.side] if args.side else None)
    if args.format == "table" and not args.out:
        counts = up.counts()
        print(f"{up.plan} against {', '.join(up.superiors)} (atomic, threshold {up.threshold:.2f}): "
              + "; ".join(f"{s}: {c['taken up']} taken up, {c['not found']} not found" for s, c in counts.items()
                          if s != up.plan)
              + f"; {counts[up.plan]['local']} local")
        rows = [{c: shorten(r[c], 40) for c in _UPTAKE_TABLE} for r in rows]
    write_report({"uptake": rows}, args.format, args.out)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("commitments", help="which plans commit to X: each plan's closest commitment clause",
                       description="From a phrase (县管校聘, 教室护眼灯光改造), the closest commitment clause of "
                                   "each plan, plans ranked by it, with a strength (strong / commits / weak "
                                   "against the atomic comparison threshold) and what made the match.")
    p.add_argument("phrase", type=text, help="a commitment or a reform's name, in Chinese")
    index_arg(p)
    p.add_argument("--plan", action="append", metavar="ID", type=text, help="only this plan (repeatable)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_commitments)
