"""The ``plangraph`` command line: one subcommand per façade method.

Errors derived from :class:`~plangraph.errors.PlanGraphError` print as
``Error: <message>`` (and a hint) on stderr with exit status 1; nothing else is
caught, so a real bug still shows its traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import PlanGraphError, UsageError

DEFAULT_CORPUS = "corpus"


def _print_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _report_failures(failures: Sequence[object]) -> None:
    for failure in failures:
        error = failure.error  # type: ignore[attr-defined]
        print(f"Error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"  hint: {error.hint}", file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    from .docjson import plan_to_json
    from .ingest import ingest_files

    docs, failures = ingest_files(args.files)
    if args.json:
        _print_json([plan_to_json(d, with_text=args.with_text) for d in docs])
    else:
        for doc in docs:
            m = doc.meta
            period = f"{m.period_start or '?'}–{m.period_end or '?'}"
            print(f"{m.plan_id}: {m.title} ({m.region or '?'}, {period}) [{m.encoding}]")
            kinds: dict[str, int] = {}
            for t in doc.tables:
                kinds[t.kind] = kinds.get(t.kind, 0) + len(t.rows)
            tops = sum(1 for s in doc.sections if s.level == 1)
            print(f"  {len(doc.sections)} sections ({tops} top-level), {len(doc.tables)} tables "
                  f"({', '.join(f'{k}: {v} rows' for k, v in sorted(kinds.items())) or 'none'}), "
                  f"{len(doc.passages)} passages")
            for f in doc.findings:
                print(f"  {f.severity}: {f.message}")
    _report_failures(failures)
    if not docs and not failures:
        raise UsageError("no plan files found in " + ", ".join(args.files),
                         hint="plan files end in .txt")
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plangraph",
        description="Knowledge graph and cited search over Chinese education plans.",
    )
    parser.add_argument("--version", action="version", version=f"plangraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read plan files and show what ingestion finds",
                       description="Read plan files (or folders of .txt files) and report "
                                   "metadata, sections, tables, passages and findings.")
    p.add_argument("files", nargs="+", metavar="FILE", help="plan text files or folders")
    p.add_argument("--json", action="store_true", help="dump the full document model as JSON")
    p.add_argument("--with-text", action="store_true", help="with --json: include the full texts")
    p.set_defaults(func=cmd_ingest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return func(args)
    except PlanGraphError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
