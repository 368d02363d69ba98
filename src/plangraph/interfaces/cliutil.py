"""What every ``plangraph`` command module shares: the ``--index`` argument, opening the
workspace, and printing rows and tables (:mod:`plangraph.interfaces.cli` and the command
modules split from it, ``cli_sparql``, ``cli_concepts``, ``cli_commitments``, all import
these; none imports another command module's helpers)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from plangraph.errors import UsageError
from plangraph.interfaces.writers import csv_text, text_table, write_table
from plangraph.workspace import Workspace


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def index_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", metavar="DIR", default=None,
                   help="index folder (default: $PLANGRAPH_INDEX or indexes/default)")


def open_workspace(args: argparse.Namespace) -> Workspace:
    """The workspace of ``--index`` (and ``--search-backend``, where the command has it)."""
    return Workspace(args.index, search_backend=getattr(args, "search_backend", None))


def shorten(value: object, width: int) -> object:
    """A text cut to ``width`` characters (and an ellipsis) for a table; other values as they are."""
    return value if not isinstance(value, str) or len(value) <= width else value[:width] + "…"


def emit_rows(columns: list[str], rows: list[list[object]], fmt: str) -> None:
    """Rows as JSON objects, CSV, or a text table with its row count."""
    if fmt == "json":
        print_json([dict(zip(columns, r)) for r in rows])
    elif fmt == "csv":
        sys.stdout.write(csv_text(columns, rows))
    else:
        print(text_table(columns, rows))
        print(f"({len(rows)} rows)")


def write_report(tables: dict[str, list[dict[str, object]]], fmt: str, out: str | None) -> None:
    """Print tables (table, csv, json) or write them to --out (csv, xlsx, json; several
    tables go to one file each, named after the table)."""
    if out:
        for name, rows in tables.items():
            dest = Path(out) if len(tables) == 1 else Path(out).with_name(f"{Path(out).stem}-{name}{Path(out).suffix}")
            print(f"wrote {write_table([dict(r) for r in rows], fmt, dest, sheet=name)}")
        return
    if fmt == "xlsx":
        raise UsageError("format 'xlsx' needs --out FILE")
    if fmt == "json":
        print_json(tables)
        return
    for name, rows in tables.items():
        if len(tables) > 1:
            print(f"\n== {name} ==")
        cols = list(dict.fromkeys(k for r in rows for k in r))
        emit_rows(cols, [[r.get(c) for c in cols] for r in rows], fmt)
