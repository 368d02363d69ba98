"""The ``plangraph commitments "X"`` command: which plans commit to X.

Split from :mod:`plangraph.interfaces.cli`; the parser is added by :func:`add_parsers`.
The command calls :meth:`plangraph.workspace.Workspace.commitments` and prints its rows.
"""

from __future__ import annotations

import argparse

from plangraph.errors import UsageError
from plangraph.interfaces.argtypes import output_file, text
from plangraph.interfaces.cliutil import emit_rows, index_arg, open_workspace, shorten, write_report

COLUMNS = ["plan", "strength", "score", "quote", "section", "why", "start", "end", "context"]
_TABLE_COLUMNS = ["plan", "strength", "score", "quote", "why"]


def cmd_commitments(args: argparse.Namespace) -> int:
    if args.matrix or args.theme:
        return _themes(args)
    if args.format == "xlsx" or args.out:
        raise UsageError("--out and format 'xlsx' are for --matrix and --theme",
                         hint='plangraph commitments --matrix --format xlsx --out matrix.xlsx')
    if not args.phrase:
        raise UsageError("commitments needs a phrase, --matrix or --theme",
                         hint='plangraph commitments "县管校聘"; plangraph commitments --theme 乡村教师')
    found = open_workspace(args).commitments(args.phrase, plans=tuple(args.plan or ()))
    rows = [r.row() for r in found]
    if args.format == "table":
        emit_rows(_TABLE_COLUMNS, [[shorten(r[c], 50) for c in _TABLE_COLUMNS] for r in rows], "table")
    else:
        emit_rows(COLUMNS, [[r[c] for c in COLUMNS] for r in rows], args.format)
    return 0


_THEME_COLUMNS = ["plan", "theme", "count", "quote", "start", "end", "quantified", "dated"]


def _themes(args: argparse.Namespace) -> int:
    """``--matrix``: plans × themes, the counts (table, csv, xlsx: one row per plan; json:
    every non-empty cell with its strongest quote); ``--theme X``: which plans commit to X."""

    if args.phrase:
        raise UsageError(f"give a phrase or --matrix/--theme, not both (got {args.phrase!r})")
    ws = open_workspace(args)
    plans = tuple(args.plan or ())
    if args.theme:
        cells = ws.committing_to(args.theme, plans=plans)
        rows: list[dict[str, object]] = [c.row() for c in cells]
        if args.format == "table" and not args.out:
            committed = sum(1 for c in cells if c.count)
            print(f"{args.theme}: {committed} of {len(cells)} plans commit")
            emit_rows(_THEME_COLUMNS[:4], [[shorten(r[c], 50) for c in _THEME_COLUMNS[:4]] for r in rows], "table")
            return 0
        write_report({"plans": rows}, args.format, args.out)
        return 0
    matrix = ws.theme_matrix(plans=plans, schemes=tuple(args.scheme or ()))
    if args.format == "json" and not args.out:
        write_report({"themes": [t.__dict__ for t in matrix.themes], "cells": matrix.rows()}, "json", None)
        return 0
    wide = matrix.wide("key" if args.format != "table" else "zh")
    if args.format == "table" and not args.out:
        emit_rows(list(wide[0]) if wide else ["plan"], [list(r.values()) for r in wide], "table")
        return 0
    if args.format == "xlsx":
        from pathlib import Path

        from plangraph.interfaces.writers import tables_xlsx

        if not args.out:
            raise UsageError("format 'xlsx' needs --out FILE")
        Path(args.out).write_bytes(tables_xlsx({"matrix": wide, "cells": matrix.rows()}))
        print(f"wrote {args.out}")
        return 0
    write_report({"matrix": wide}, args.format, args.out)
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
    p.add_argument("phrase", type=text, nargs="?", help="a commitment or a reform's name, in Chinese")
    index_arg(p)
    p.add_argument("--plan", action="append", metavar="ID", type=text, help="only this plan (repeatable)")
    p.add_argument("--matrix", action="store_true",
                   help="the plan × theme matrix: how many commitments each plan makes per stage, theme and "
                        "target group")
    p.add_argument("--theme", type=text, metavar="THEME",
                   help="which plans commit to a theme (key or Chinese label: 教师队伍, rural-teachers), "
                        "with each plan's count and strongest commitment")
    p.add_argument("--scheme", action="append", choices=("stages", "themes", "target-groups"),
                   help="with --matrix: only this concept scheme (repeatable)")
    p.add_argument("--format", choices=("table", "csv", "json", "xlsx"), default="table")
    p.add_argument("--out", metavar="FILE", type=output_file,
                   help="with --matrix or --theme: write csv, xlsx or json to FILE")
    p.set_defaults(func=cmd_commitments)
