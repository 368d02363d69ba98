"""The SPARQL commands of the ``plangraph`` CLI: ``sparql``, ``endpoint`` and ``push``.

Split from :mod:`plangraph.interfaces.cli` to keep both modules small; the parsers are
added by :func:`add_parsers`, in the order ``plangraph --help`` lists them.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from plangraph.errors import InputError, UsageError
from plangraph.graph.guard import MAX_QUERY_CHARS
from plangraph.graph.push import push_graphs
from plangraph.graph.sparql import DEFAULT_PAGE
from plangraph.interfaces.argtypes import MAX_SECONDS, host, http_url, name_value, port, seconds, text, whole_number
from plangraph.interfaces.cliutil import emit_rows, index_arg, open_workspace
from plangraph.interfaces.endpoint import start_endpoint
from plangraph.interfaces.servicelimits import ServiceLimits

if TYPE_CHECKING:
    from plangraph.workspace import Workspace


def _graph(args: argparse.Namespace) -> tuple[str, Path, Workspace]:
    """The index's graph for the endpoint and push: (runner kind, location, its workspace)."""
    ws = open_workspace(args)
    location = ws.graph_location
    return ("store" if location.is_dir() else "memory"), location, ws


def _is_file(value: str) -> bool:
    try:
        return Path(value).is_file()
    except (OSError, ValueError):  # a query text too long to be a file name
        return False


def _query_arg(value: str) -> str:
    """The query argument: a file name as it is, else query text (valid UTF-8)."""
    return value if _is_file(value) else text(value)


def _query_text(value: str) -> str:
    if not _is_file(value):
        return value
    most = MAX_QUERY_CHARS * 4  # bytes of UTF-8 for the longest query the guard reads
    with open(value, "rb") as f:
        data = f.read(most + 1)
    if len(data) > most:
        raise InputError(f"{value}: over {most:,} bytes, too long for a query",
                         hint=f"the guard reads queries of up to {MAX_QUERY_CHARS:,} characters")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{value}: not UTF-8 text (byte {exc.start})", hint="save the query as UTF-8") from None


def cmd_sparql(args: argparse.Namespace) -> int:
    # looked up at call time, so that a test can stand in for the query runner
    from plangraph.graph.sparql import named_queries, run_named, run_query

    if args.list:
        for name, q in named_queries().items():
            names = ", ".join(p for p, _ in q.params)
            print(f"{name}{f' ({names})' if names else ''}: {q.description}")
        return 0
    params = dict(p.split("=", 1) for p in args.param or [])
    query = _query_text(args.query) if args.query else None
    if query is None and args.name is None:
        raise UsageError("give a query (text or file) or --name NAME", hint="plangraph sparql --list shows the named queries")
    if args.endpoint:  # no index needed
        if args.name is not None:
            result = run_named(args.endpoint, args.name, params or None, timeout_s=args.timeout,
                               limit=args.limit, offset=args.offset)
        else:
            result = run_query(args.endpoint, query or "", args.timeout, params or None,
                               limit=args.limit, offset=args.offset)
    else:
        result = open_workspace(args).sparql(query, name=args.name, params=params or None, timeout_s=args.timeout,
                                    limit=args.limit, offset=args.offset)
    emit_rows(list(result.columns), [list(r) for r in result.rows], args.format)
    if result.is_partial:  # never cut silently; on stderr so that CSV and JSON stay clean
        following = result.offset + len(result.rows)
        more = f"--offset {following} for the next rows, " if following < result.total_rows else ""
        print(f"({result.page_note()}; {more}--limit 0 for all)", file=sys.stderr)
    return 0


def cmd_endpoint(args: argparse.Namespace) -> int:
    kind, location, ws = _graph(args)
    index = ws.path
    limits = ServiceLimits(idle_timeout_s=args.idle_timeout, request_timeout_s=args.request_timeout,
                           max_connections=args.max_connections, max_queue=args.queue, per_client=args.per_client)
    server = start_endpoint(kind, location, host=args.host, port=args.port, timeout_s=args.timeout,
                            workers=args.workers, limits=limits, workspace=ws)
    host, port = str(server.server_address[0]), server.server_address[1]
    host = f"[{host}]" if ":" in host else host
    # SIGTERM (a service manager's stop) ends it as Ctrl-C does
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:  # from here on, an interrupt at any moment stops the server and its workers
        print(f"SPARQL endpoint for {index} at http://{host}:{port}/query "
              f"(read-only, {args.timeout:g} s limit), named queries at /named/NAME; Ctrl-C stops it", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    _, location, _ = _graph(args)
    report = push_graphs(location, sparql_endpoint=args.sparql_endpoint, graph_store=args.graph_store)
    print(f"pushed {len(report.sent)} graph(s) ({report.bytes_sent / 1e6:.1f} MB), "
          f"{len(report.unchanged)} unchanged, {len(report.removed)} removed")
    for iri in report.sent:
        print(f"  sent {iri}")
    for iri in report.removed:
        print(f"  removed {iri}")
    sys.stdout.flush()
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``sparql``, ``endpoint`` and ``push`` to the CLI's subcommands."""
    p = sub.add_parser("sparql", help="run a read-only SPARQL query (inline, file, or named)",
                       description="Queries are read-only, time-limited (parse and evaluation) and may not "
                                   "reach the network: updates, SERVICE, LOAD and FROM graphs outside the "
                                   "index are refused.")
    p.add_argument("query", nargs="?", type=_query_arg, help="query text or a .rq file")
    index_arg(p)
    p.add_argument("--endpoint", metavar="URL", type=http_url, help="query this SPARQL 1.1 endpoint instead of the index "
                                                     "(the same checks apply before anything is sent)")
    p.add_argument("--name", type=text, help="run a query of the named-query library")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", type=name_value,
                   help="value for a named query's parameter")
    p.add_argument("--list", action="store_true", help="list the named queries")
    p.add_argument("--timeout", type=seconds, default=10.0,
                   help=f"seconds before the query is stopped (default 10, at most {MAX_SECONDS:g})")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--limit", type=whole_number(0), default=None, metavar="N",
                   help=f"rows to show (default: {DEFAULT_PAGE} for --name, all for a query text; 0: all); "
                        "a shorter page says how many rows there are in all")
    p.add_argument("--offset", type=whole_number(0), default=0, metavar="N", help="rows to skip first (default 0)")
    p.set_defaults(func=cmd_sparql)

    p = sub.add_parser("endpoint", help="serve the index read-only as a SPARQL 1.1 endpoint",
                       description="GET/POST /query with JSON, XML, CSV or TSV results, CORS open, a query "
                                   "form at /. The same checks as plangraph sparql; a query past the limit "
                                   "gets 503. YASGUI or Protégé connect to http://HOST:PORT/query. The "
                                   "library's queries by name: /named/NAME?PARAM=VALUE, answered from the "
                                   "rows each plan stored; /named lists them.")
    index_arg(p)
    p.add_argument("--host", type=host, default="127.0.0.1",
                   help="address to listen on: an IP address or host name (default 127.0.0.1)")
    p.add_argument("--port", type=port, default=7878, help="port, 0 for any free one (default 7878)")
    p.add_argument("--timeout", type=seconds, default=10.0,
                   help=f"seconds before a query is stopped (default 10, at most {MAX_SECONDS:g})")
    p.add_argument("--workers", type=whole_number(1, 64), default=2,
                   help="queries answered at once, each by a process holding the graph (default 2, at most 64)")
    limits = ServiceLimits()
    p.add_argument("--queue", type=whole_number(0, 10_000), default=limits.max_queue, metavar="N",
                   help=f"queries that may wait for a worker; more get 503 with Retry-After (default "
                        f"{limits.max_queue})")
    p.add_argument("--per-client", type=whole_number(1, 10_000), default=None, metavar="N",
                   help="queries one client address may have running or waiting; more get 429 "
                        "(default: one fewer than --workers, at least 1)")
    p.add_argument("--max-connections", type=whole_number(1, 100_000), default=None, metavar="N",
                   help="connections open at once; at the cap a new client replaces the longest-waiting idle "
                        "one (default: 512, and 128 below the limit on open files)")
    p.add_argument("--idle-timeout", type=seconds, default=limits.idle_timeout_s, metavar="SECONDS",
                   help=f"close a connection with no request in progress after this (default "
                        f"{limits.idle_timeout_s:g})")
    p.add_argument("--request-timeout", type=seconds, default=limits.request_timeout_s, metavar="SECONDS",
                   help=f"a request's line, headers and body must arrive within this (default "
                        f"{limits.request_timeout_s:g})")
    p.set_defaults(func=cmd_endpoint)

    p = sub.add_parser("push", help="push the index's graphs to a SPARQL 1.1 store (Graph Store Protocol)",
                       description="One named graph per plan, replaced with PUT; only graphs whose content "
                                   "changed since the last push are sent, plans no longer in the index are "
                                   "deleted. The server keeps the record of what it holds.")
    index_arg(p)
    p.add_argument("--sparql-endpoint", required=True, metavar="URL", type=http_url, help="the server's SPARQL query URL")
    p.add_argument("--graph-store", required=True, metavar="URL", type=http_url,
                   help="the server's Graph Store Protocol URL (…/store on Oxigraph)")
    p.set_defaults(func=cmd_push)
