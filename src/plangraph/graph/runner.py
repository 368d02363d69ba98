"""Run SPARQL under a hard wall-clock limit, in warm worker processes killed at the deadline.

pyoxigraph cannot cancel a query, and rdflib's parser can spend seconds on a big
query, both inside code no Python signal or trace function reaches. So the guard's
parse and the evaluation run in a child process (:mod:`plangraph.graph.worker`); the
caller waits on its pipe with a :mod:`selectors` poll (fine in any thread, e.g. Streamlit's
script threads, and with any number of files open, where ``select()`` refuses descriptors
past 1,023) and SIGKILLs it at the deadline. A worker stays alive between queries with
its graph open, so an ordinary query costs one pipe round trip; opening the graph is
not counted against a query's limit.

Where unprivileged user namespaces work (``unshare -rn``), a worker on a local graph
runs without any network: even a query the guard misread could not reach another host.
"""

from __future__ import annotations

import os
import pickle
import queue
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from plangraph.errors import IndexStoreError, QueryError, QueryTimeoutError, UsageError
from plangraph.graph.worker import HEADER, KINDS

DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 7 * 24 * 3600.0
"""The longest limit accepted (a week): the poll timer overflows at 24.8 days."""
OPEN_TIMEOUT_S = 600.0
"""How long a worker may take to open its graph (parsing a big graph.trig with rdflib)."""
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_POLL: type[selectors.BaseSelector] = getattr(selectors, "PollSelector", selectors.DefaultSelector)


@lru_cache(maxsize=1)
def _spawner() -> ThreadPoolExecutor:
    """The one long-lived thread every worker is started from: a worker asks the kernel
    to kill it when the thread that started it ends (``PR_SET_PDEATHSIG``), and a
    Streamlit script thread ends after each rerun, while this one ends with the process."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="plangraph-query-spawner")


@lru_cache(maxsize=1)
def network_sandbox_available() -> bool:
    """Whether ``unshare -rn`` can start a child without network access here."""
    exe = shutil.which("unshare")
    if exe is None:
        return False
    try:
        return subprocess.run([exe, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, kind: str, location: str, sandbox: bool) -> None:
        cmd = [sys.executable, "-m", "plangraph.graph.worker", kind, location]
        if sandbox:
            cmd = ["unshare", "-rn", *cmd]
        # The child imports the same plangraph as this process, installed or not.
        path = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path, "PLANGRAPH_WORKER_PARENT": str(os.getpid())}
        self.proc = _spawner().submit(subprocess.Popen, cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    env=env).result()
        try:
            status, payload = self.receive(time.monotonic() + OPEN_TIMEOUT_S)
        except (TimeoutError, EOFError, OSError, pickle.UnpicklingError) as exc:
            self.kill()
            raise IndexStoreError(f"the query worker could not open {location}: {exc or 'it exited'}") from None
        if status != "ready":
            self.kill()
            message, hint = payload if isinstance(payload, tuple) else (payload, None)
            raise IndexStoreError(str(message), hint=hint)

    def send(self, request: tuple[Any, ...]) -> None:
        assert self.proc.stdin is not None
        data = pickle.dumps(request)
        self.proc.stdin.write(HEADER.pack(len(data)) + data)
        self.proc.stdin.flush()

    def receive(self, end: float) -> tuple[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        size = HEADER.unpack(_read_exactly(fd, HEADER.size, end))[0]
        status, payload = pickle.loads(_read_exactly(fd, size, end))
        return status, payload

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


class QueryRunner:
    """Warm query workers over one graph.

    Args:
        kind: ``store`` (pyoxigraph store folder), ``memory`` (a TriG/N-Quads file
            loaded into pyoxigraph), ``rdflib`` (the same file parsed by rdflib) or
            ``remote`` (a SPARQL endpoint URL).
        location: the folder, file or URL.
        timeout_s: default wall-clock limit per query (parse and evaluation).
        workers: how many queries may run at once (each worker holds the graph).
        sandbox: run local workers without network (``unshare -rn``); None means
            "if the system allows it". Remote workers need the network.
    """

    def __init__(self, kind: str, location: str | os.PathLike[str], *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 workers: int = 1, sandbox: bool | None = None) -> None:
        if kind not in KINDS:
            raise UsageError(f"unknown graph kind {kind!r}; choose one of: {', '.join(KINDS)}")
        _check_timeout(timeout_s)
        self.kind, self.location, self.timeout_s = kind, str(location), timeout_s
        self.sandboxed = kind != "remote" and (network_sandbox_available() if sandbox is None else sandbox)
        self._slots: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(max(1, workers)):
            self._slots.put(None)  # started on first use
        self._closed = False

    def run(self, sparql: str, *, timeout_s: float | None = None,
            params: Mapping[str, object] | None = None) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """Check and run a query: its columns and rows of plain values.

        Raises:
            QueryError: malformed or forbidden query, or an engine error.
            QueryTimeoutError: parse and evaluation took longer than the limit.
        """
        columns, rows, _ = self.run_page(sparql, timeout_s=timeout_s, params=params)
        return columns, rows

    def run_page(self, sparql: str, *, offset: int = 0, limit: int | None = None, timeout_s: float | None = None,
                 params: Mapping[str, object] | None = None) -> tuple[tuple[str, ...], list[tuple[Any, ...]], int]:
        """Check and run a query: its columns, the rows ``offset`` to ``offset + limit``
        (all from ``offset`` when ``limit`` is None) and how many rows the result has.

        The worker evaluates the whole query and counts every row, but converts and
        sends only the page.

        Raises:
            UsageError: a negative offset or limit.
            QueryError: malformed or forbidden query, or an engine error.
            QueryTimeoutError: parse and evaluation took longer than the limit.
        """
        if offset < 0 or (limit is not None and limit < 0):
            raise UsageError(f"offset and limit must be 0 or more, not offset={offset}, limit={limit}")
        columns, rows, total = self._call(("rows", sparql, dict(params or {}), (offset, limit)), timeout_s)
        return columns, rows, total

    def run_serialized(self, sparql: str, *, media_type: str, timeout_s: float | None = None) -> tuple[bytes, str]:
        """Check and run a query; the result as pyoxigraph serializes it: (body, content type)."""
        body, content_type = self._call(("serialize", sparql, media_type), timeout_s)
        return body, content_type

    def start(self) -> None:
        """Start one worker now rather than at the first query (the graph opens meanwhile)."""
        worker = self._slots.get()
        try:
            worker = worker if worker is not None and worker.alive() else self._spawn()
        finally:
            self._slots.put(worker)

    def close(self) -> None:
        """Stop the workers (idle ones now; busy ones as they finish)."""
        self._closed = True
        while True:
            try:
                worker = self._slots.get_nowait()
            except queue.Empty:
                return
            if worker is not None:
                worker.kill()

    def __enter__(self) -> QueryRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self) -> _Worker:
        return _Worker(self.kind, self.location, self.sandboxed)

    def _call(self, request: tuple[Any, ...], timeout_s: float | None) -> Any:
        limit = self.timeout_s if timeout_s is None else timeout_s
        _check_timeout(limit)
        if self._closed:
            raise QueryError("this query runner was closed")
        worker = self._slots.get()
        try:
            if worker is None or not worker.alive():
                worker = self._spawn()
            end = time.monotonic() + limit
            try:
                worker.send(request)
                status, payload = worker.receive(end)
            except TimeoutError:
                worker.kill()
                worker = None
                raise QueryTimeoutError(f"query ran longer than {limit:g} s and was stopped",
                                        hint="add LIMIT, narrow the patterns, or raise the time limit") from None
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                worker.kill()
                worker = None
                raise QueryError(f"the query worker failed: {exc or 'it exited'}") from None
            except BaseException:  # interrupted while waiting: its answer must not go to the next query
                worker.kill()
                worker = None
                raise
        finally:
            if self._closed and worker is not None:
                worker.kill()
            else:
                self._slots.put(worker)
        if status == "ok":
            return payload
        raise QueryError(str(payload))


def _check_timeout(limit: float) -> None:
    if not 0 < limit <= MAX_TIMEOUT_S:  # also refuses nan
        raise UsageError(f"the time limit must be more than 0 and at most {MAX_TIMEOUT_S:g} seconds, not {limit}")


def _read_exactly(fd: int, n: int, end: float) -> bytes:
    # poll, not select.select: the search index keeps a file open per plan, and select()
    # raises "filedescriptor out of range" for a pipe numbered 1,024 or more. poll rather
    # than epoll: it needs no descriptor of its own, which a process at its limit lacks.
    chunks, got = [], 0
    with _POLL() as waiting:
        waiting.register(fd, selectors.EVENT_READ)
        while got < n:
            left = end - time.monotonic()
            if left <= 0 or not waiting.select(left):
                raise TimeoutError
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
    return b"".join(chunks)
