"""The commands that write an index: ``build``, ``add``, ``remove`` and ``repair`` (each
calls the function of the same name in :mod:`plangraph.workspace`), and ``push-search``,
which copies the search index to Milvus (:mod:`plangraph.workspace.searchbackend`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.errors import InputError
from plangraph.interfaces.argtypes import seconds, text, whole_number
from plangraph.search.lexical import TOKENIZATIONS
from plangraph.search.write.build import SENTENCE_LEVELS
from plangraph.workspace import add, build, remove, repair
from plangraph.workspace.planpool import PLAN_TIME_LIMIT_S
from plangraph.workspace.repair import describe
from plangraph.workspace.searchbackend import backend_uri, push_search

if TYPE_CHECKING:
    from plangraph.workspace import BuildSummary

DEFAULT_CORPUS = "corpus"


SHOWN_IDS = 5
"""How many plan ids a summary names before it counts the rest."""


def _ids(plans: tuple[str, ...]) -> str:
    """The first few ids (in order) and how many more: an index of 3,000 plans is not one
    line of ids."""
    head = ", ".join(sorted(plans)[:SHOWN_IDS])
    return head + (f" … and {len(plans) - SHOWN_IDS:,} more" if len(plans) > SHOWN_IDS else "")


def _print_summary(s: BuildSummary, verb: str) -> None:
    print(f"{verb} {s.index}: {len(s.plans):,} plan(s)")
    for k in ("added", "replaced", "removed", "unchanged"):
        if v := getattr(s, k):
            print(f"  {k} {len(v):,}: {_ids(v)}")
    if s.views_refreshed:  # a named query's text changed: unchanged plans' stored rows made again
        print(f"  named-query rows refreshed for {len(s.views_refreshed):,} plan(s): {_ids(s.views_refreshed)}")
    changed = (*s.added, *s.replaced)
    if len(changed) <= SHOWN_IDS:
        for plan in changed:
            print(f"  {plan}: " + ", ".join(f"{v} {k}" for k, v in s.counts[plan].items()))
    else:
        totals: dict[str, int] = {}
        for plan in changed:
            for k, v in s.counts[plan].items():
                totals[k] = totals.get(k, 0) + v
        print(f"  {len(changed):,} plans: " + ", ".join(f"{v:,} {k}" for k, v in totals.items()))
    passages = {k: v for k, v in s.embedded.items() if k not in s.sentences_embedded}
    if passages:
        print("  embedded " + ", ".join(f"{k}: {v} new, {s.reused[k]} cached" for k, v in passages.items()))
    if s.sentences_embedded:  # these encoders' passage rows are the means of their sentences'
        print("  sentences embedded " + ", ".join(f"{k}: {v} new" for k, v in s.sentences_embedded.items()))
    print("  SHACL: " + ("conforms" if s.shacl_conforms else f"{len(s.shacl_violations)}+ violations"))
    for v in s.shacl_violations:
        print(f"    {v}")
    if s.seconds:
        print("  time: " + ", ".join(f"{k} {v:.1f}s" for k, v in s.seconds.items()))
    for path, message in s.failures:
        print(f"Error: {message} (skipped)", file=sys.stderr)


def backend_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--search-backend", metavar="BACKEND", type=text,
                   help="local (the index's own search files), or milvus:URI: a milvus-lite file (x.db) or a "
                        "Milvus server (http://HOST:19530) that push-search filled "
                        "(default: $PLANGRAPH_SEARCH_BACKEND, else local)")


def _push(args: argparse.Namespace, *, required: bool = False) -> None:
    """After a change: copy what changed to the Milvus backend, when one is chosen."""
    if required or backend_uri(args.search_backend) is not None:
        report = push_search(args.index, args.search_backend, lexical=getattr(args, "lexical", None),
                             recreate=getattr(args, "recreate", False))
        print(f"  milvus {report.uri}: {report.describe()}")


def cmd_push_search(args: argparse.Namespace) -> int:
    _push(args, required=True)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    # A path that is not there (a shell pattern that matched nothing, say) is a mistake
    # in the command, not a broken plan to skip: stop before any work.
    missing = [f for f in args.files if not Path(f).exists()]
    if missing:
        raise InputError(f"no such file or folder: {', '.join(missing)}",
                         hint="give plan files (.txt, .html, .docx, .pdf) or folders holding them; default: corpus/")
    summary = build(args.files or [DEFAULT_CORPUS], args.index, encoders=args.encoder or ("e5", "use"),
                    sentence_level=args.sentence_level, progress=not args.quiet, workers=args.workers,
                    scheduler=args.scheduler, device=args.device, plan_time_limit=args.plan_time_limit)
    _print_summary(summary, "built")
    _push(args)
    return 1 if summary.failures and args.strict else 0


def cmd_add(args: argparse.Namespace) -> int:
    summary = add(args.files, args.index, encoders=args.encoder, progress=not args.quiet, workers=args.workers,
                  plan_time_limit=args.plan_time_limit)
    _print_summary(summary, "updated")
    _push(args)
    return 1 if summary.failures and args.strict else 0


def cmd_remove(args: argparse.Namespace) -> int:
    _print_summary(remove(args.plans, args.index, progress=not args.quiet), "updated")
    _push(args)
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    for line in describe(repair(args.index)):
        print(line)
    return 0


def add_index_commands(sub: Any, index_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register ``build``, ``add`` and ``remove`` on the CLI's subparsers."""
    p = sub.add_parser("build", help="ingest, extract, build the graph and the search index",
                       description="Make an index folder hold exactly these plan files (graph store, "
                                   "search index, manifest), doing only what changed: new and changed plans "
                                   "are built, plans no longer among the inputs are removed. Broken plans are "
                                   "reported and skipped; readers see the index as before until the change "
                                   "is complete.")
    p.add_argument("files", nargs="*", metavar="FILE", help=f"plan files or folders (default: {DEFAULT_CORPUS}/)")
    index_arg(p)
    p.add_argument("--encoder", action="append", metavar="NAME", type=text,
                   help="embedding encoder, repeatable: e5, use, fake, st:<model folder> (default: e5 and use)")
    p.add_argument("--sentence-level", choices=SENTENCE_LEVELS, default="auto",
                   help="encoders that also embed each sentence, so a passage scores as its best sentence: "
                        "auto (e5, where it was measured to help; default), all, none (faster build)")
    p.add_argument("--workers", type=whole_number(1, 64), metavar="N",
                   help="processes that build plans and embed texts side by side (default: cores, at most 4)")
    p.add_argument("--plan-time-limit", type=seconds, metavar="SECONDS",
                   help="stop and report a plan that takes longer on a worker (default: "
                        f"{PLAN_TIME_LIMIT_S:g}; plans are built on workers when more than two change)")
    p.add_argument("--scheduler", metavar="ADDRESS", type=text,
                   help="embed on Dask: tcp://HOST:PORT, or 'local' for a local cluster (plangraph[distributed])")
    p.add_argument("--device", type=text, help="torch device for st:<model> encoders, e.g. cuda (default: cpu)")
    p.add_argument("--strict", action="store_true", help="exit 1 if any plan was skipped")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    backend_arg(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("add", help="add plans to an index, or replace those whose file changed",
                       description="Add or replace plans in an index; the other plans stay. Costs the "
                                   "work of the plans given. Encoders default to the index's own.")
    p.add_argument("files", nargs="+", metavar="FILE", help="plan files or folders")
    index_arg(p)
    p.add_argument("--encoder", action="append", metavar="NAME", type=text, help="embedding encoder, repeatable")
    p.add_argument("--workers", type=whole_number(1, 64), metavar="N",
                   help="processes that build plans and embed texts side by side (default: cores, at most 4)")
    p.add_argument("--plan-time-limit", type=seconds, metavar="SECONDS",
                   help="stop and report a plan that takes longer on a worker (default: "
                        f"{PLAN_TIME_LIMIT_S:g}; plans are built on workers when more than two change)")
    p.add_argument("--strict", action="store_true", help="exit 1 if any plan was skipped")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    backend_arg(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="remove plans from an index",
                       description="Remove plans (by plan id) from an index.")
    p.add_argument("plans", nargs="+", metavar="PLAN", type=text, help="plan ids")
    index_arg(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    backend_arg(p)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("repair", help="finish an interrupted change, or rebuild a damaged graph store from the shards",
                       description="Finish the change a stopped writer left (a kill, a full disk), or rebuild "
                                   "an index's missing or damaged graph store from its plans' shards (their "
                                   "graphs; nothing is extracted or embedded again), and publish a snapshot "
                                   "readers can open. An index that is whole is left as it is.")
    index_arg(p)
    p.set_defaults(func=cmd_repair)

    p = sub.add_parser("push-search", help="copy the search index to Milvus, only the plans that changed",
                       description="Copy the index's passages, vectors and lexical terms to Milvus, plan by "
                                   "plan: plans added, replaced or removed since the last push are written or "
                                   "deleted, the rest cost nothing. build, add and remove do the same when a "
                                   "Milvus backend is chosen.")
    index_arg(p)
    backend_arg(p)
    p.add_argument("--lexical", choices=TOKENIZATIONS,
                   help="lexical terms (default: the collection's; for a new one bigram, the index's own)")
    p.add_argument("--recreate", action="store_true",
                   help="drop the Milvus collections first (after rebuilding with other encoders)")
    p.set_defaults(func=cmd_push_search)
