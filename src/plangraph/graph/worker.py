"""The query worker process of :mod:`plangraph.graph.runner`.

``python -m plangraph.graph.worker KIND LOCATION`` opens one graph (KIND is
``store``, ``memory``, ``rdflib`` or ``remote``; see :func:`open_engine`), answers
``("ready", None)``, then reads length-prefixed pickled requests on stdin and answers
each on stdout. Only the parent that started it writes to its stdin, so unpickling is
as safe as the parent. A request is ``("rows", query, params[, (offset, limit)])`` (answered with
columns, the rows of that page and the number of rows in all) or
``("serialize", query, media_type)``; the answer ``("ok", payload)`` or
``("error", message)``.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

from plangraph.errors import PlanGraphError, UsageError
from plangraph.extensions import SPARQL_ENGINES
from plangraph.graph.engines import SparqlEngine

HEADER = struct.Struct("!Q")
KINDS = tuple(SPARQL_ENGINES)


def open_engine(kind: str, location: str) -> SparqlEngine:
    """The engine for a graph (:data:`plangraph.extensions.SPARQL_ENGINES`): ``store`` an
    on-disk pyoxigraph store folder (read-only), ``memory`` a TriG/N-Quads file loaded into
    pyoxigraph, ``rdflib`` the same file parsed by rdflib, ``remote`` a SPARQL endpoint URL."""
    if kind not in SPARQL_ENGINES:
        raise UsageError(f"unknown graph kind {kind!r}; choose one of: {', '.join(KINDS)}")
    ext = SPARQL_ENGINES[kind]
    engine: SparqlEngine = ext.load()(location if kind == "remote" else Path(location), **ext.options)
    return engine


def handle(engine: SparqlEngine, request: tuple[Any, ...]) -> Any:
    what, query, extra, *page = request
    if what == "rows":
        return engine.rows(query, extra, *page)
    if not hasattr(engine, "serialize"):
        raise UsageError("this graph cannot serialize results; open it as a store")
    return engine.serialize(query, extra)


def write_frame(out: BinaryIO, message: object) -> None:
    data = pickle.dumps(message)
    out.write(HEADER.pack(len(data)) + data)
    out.flush()


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when its parent dies, so a query cannot outlive
    the program that asked it (pyoxigraph holds the GIL while it evaluates: no thread
    of this process could watch for that)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: a worker then ends when its next request meets a closed pipe
    expected = os.environ.get("PLANGRAPH_WORKER_PARENT")
    if expected and str(os.getppid()) != expected:  # the parent died before prctl
        os._exit(1)


def main(kind: str, location: str, stdin: BinaryIO, stdout: BinaryIO) -> None:
    import logging

    # rdflib logs a warning for each odd IRI it parses; a refused query's IRIs are the user's answer
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    try:
        engine = open_engine(kind, location)
    except PlanGraphError as exc:
        write_frame(stdout, ("error", (exc.message, exc.hint)))  # how to mend the store goes with it
        return
    write_frame(stdout, ("ready", None))
    while header := stdin.read(HEADER.size):
        request = pickle.loads(stdin.read(HEADER.unpack(header)[0]))
        try:
            reply: tuple[str, Any] = ("ok", handle(engine, request))
        except PlanGraphError as exc:
            reply = ("error", exc.message)
        except RecursionError:
            reply = ("error", "the query, or an answer to it, nests too deeply for the engine to read "
                              "(Python's limit on nested calls was reached)")
        except Exception as exc:  # noqa: BLE001 - an engine failure: report it and keep serving
            reply = ("error", f"query failed: {type(exc).__name__}: {exc}")
        write_frame(stdout, reply)


if __name__ == "__main__":
    # The answers go to a private copy of stdout; anything a library prints goes to stderr.
    die_with_parent()
    frames = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    main(sys.argv[1], sys.argv[2], sys.stdin.buffer, frames)
