"""What keeps ``plangraph endpoint`` answering when clients misbehave.

Every resource a client can hold is bounded before it is spent:

- **connections**: at most :attr:`ServiceLimits.max_connections` at once, below the
  process's limit on open files; a new client at the cap takes the place of the
  connection that has waited longest without sending a complete request (idle
  keep-alive connections first), and is refused with ``503`` only when every
  connection is running a query;
- **time**: a connection with no request in progress is closed after
  ``idle_timeout_s``; a request's line, headers and body must all arrive within
  ``request_timeout_s`` of its first byte (a client sending a byte at a time is cut
  off, however steadily it sends), and a reply must be taken within ``send_timeout_s``;
- **queries**: ``workers`` run at once, at most ``max_queue`` wait, each for at most
  ``queue_wait_s``; past that the answer is ``503`` with ``Retry-After``. One client
  (an IP address) may have ``per_client`` queries running or waiting; more get
  ``429``, so that one client cannot take every worker.

- **bytes**: a request's line and headers together at most :data:`MAX_HEAD_BYTES`
  (``431``); its body at most ``MAX_BODY``, counted as read whatever the length header
  says (:meth:`plangraph.interfaces.endpoint.SparqlHandler.do_POST`), and at most
  ``body_bytes`` of bodies held by all connections together (``503``).
"""

from __future__ import annotations

import io
import math
import resource
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus

from plangraph.errors import UsageError

MAX_HEAD_BYTES = 128 * 1024
"""The request line and headers together (the standard library alone allows 100 lines of
64 KiB each: 6.5 MB a connection)."""
_FILES_KEPT = 128
"""Descriptors left for everything but client connections (worker pipes, the listening
socket, polls, logs) when the cap is derived from the limit on open files."""


def default_max_connections() -> int:
    """At most 512 connections, and always ``_FILES_KEPT`` fewer than the soft limit on
    open files (``ulimit -n``), so that accepting a client never fails for want of one."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 512
    return max(8, min(512, soft - _FILES_KEPT))


def connection_cap(requested: int | None) -> int:
    """The cap on connections: ``requested``, or the default.

    Raises:
        UsageError: ``requested`` leaves fewer than ``_FILES_KEPT`` descriptors free.
    """
    if requested is None:
        return default_max_connections()
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and requested > soft - _FILES_KEPT:
        raise UsageError(f"{requested} connections need more open files than this process may have "
                         f"(ulimit -n is {soft}, and {_FILES_KEPT} are kept for the rest)",
                         hint=f"raise ulimit -n, or allow at most {max(1, soft - _FILES_KEPT)} connections")
    return requested


@dataclass(frozen=True)
class ServiceLimits:
    """The endpoint's limits; ``None`` means "derived": see the module's docstring.

    Attributes:
        idle_timeout_s: how long a connection may wait without a request in progress.
        request_timeout_s: how long a request (line, headers, body) may take to arrive,
            from its first byte.
        send_timeout_s: how long writing one reply may take.
        max_connections: connections open at once (default: :func:`default_max_connections`).
        max_queue: queries waiting for a worker.
        queue_wait_s: the longest wait for a worker (default: the query time limit).
        per_client: queries running or waiting per client address (default: one fewer
            than the workers, at least 1).
        body_bytes: request bodies held at once, all connections together.
    """

    idle_timeout_s: float = 30.0
    request_timeout_s: float = 10.0
    send_timeout_s: float = 60.0
    max_connections: int | None = None
    max_queue: int = 16
    queue_wait_s: float | None = None
    per_client: int | None = None
    body_bytes: int = 64 << 20

    def __post_init__(self) -> None:
        for name in ("idle_timeout_s", "request_timeout_s", "send_timeout_s", "queue_wait_s"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise UsageError(f"{name} must be a finite number of seconds above 0, not {value}")
        for name, least in (("max_connections", 1), ("max_queue", 0), ("per_client", 1), ("body_bytes", 1)):
            value = getattr(self, name)
            if value is not None and value < least:
                raise UsageError(f"{name} must be at least {least}, not {value}")


class Overloaded(Exception):
    """A query refused for want of capacity: the status (429 or 503), the reason, and
    the seconds after which a retry may succeed."""

    def __init__(self, status: HTTPStatus, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after_s = status, message, retry_after_s


class Admission:
    """Who may run a query now: ``workers`` at once, ``max_queue`` waiting, ``per_client``
    per client address."""

    def __init__(self, workers: int, *, max_queue: int, per_client: int, wait_s: float) -> None:
        self.workers, self.max_queue, self.per_client, self.wait_s = workers, max_queue, per_client, wait_s
        self._free = threading.Semaphore(workers)
        self._lock = threading.Lock()
        self._waiting = 0
        self._by_client: Counter[str] = Counter()

    @property
    def retry_after_s(self) -> int:
        return max(1, math.ceil(self.wait_s))

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold a worker for the block, waiting in the queue if need be.

        Raises:
            Overloaded: 429 past the client's share, 503 when the queue is full or no
                worker came free in time.
        """
        with self._lock:
            if self._by_client[client] >= self.per_client:
                raise Overloaded(HTTPStatus.TOO_MANY_REQUESTS,
                                 f"this client already has {self._by_client[client]} quer"
                                 f"{'y' if self._by_client[client] == 1 else 'ies'} running or waiting "
                                 f"(at most {self.per_client}); wait for the answer first", self.retry_after_s)
            self._by_client[client] += 1
        try:
            if not self._free.acquire(blocking=False):
                self._wait_in_queue()
            try:
                yield
            finally:
                self._free.release()
        finally:
            with self._lock:
                self._by_client[client] -= 1
                if not self._by_client[client]:
                    del self._by_client[client]

    def _wait_in_queue(self) -> None:
        with self._lock:
            if self._waiting >= self.max_queue:
                raise Overloaded(HTTPStatus.SERVICE_UNAVAILABLE,
                                 f"the endpoint is busy: {self.workers} running, {self._waiting} waiting (the queue "
                                 f"holds {self.max_queue}); try again later", self.retry_after_s)
            self._waiting += 1
        try:
            got = self._free.acquire(timeout=self.wait_s)
        finally:
            with self._lock:
                self._waiting -= 1
        if not got:
            raise Overloaded(HTTPStatus.SERVICE_UNAVAILABLE,
                             f"the endpoint is busy: no query worker came free within {self.wait_s:g} s; "
                             "try again later", self.retry_after_s)


class ByteBudget:
    """Bytes that all connections together may hold at once (request bodies)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._used = 0
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, size: int) -> Iterator[bool]:
        """Whether ``size`` bytes fit now; if so they are held for the block."""
        with self._lock:
            fits = self._used + size <= self.total
            if fits:
                self._used += size
        try:
            yield fits
        finally:
            if fits:
                with self._lock:
                    self._used -= size


IDLE, READING, BUSY = "idle", "reading", "busy"
"""A connection waits for a request, receives one, or answers one."""


class _Connection:
    __slots__ = ("sock", "state", "since")

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.state, self.since = sock, IDLE, time.monotonic()


class ConnectionTable:
    """The open connections, so that a new client can take the place of a waiting one."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._lock = threading.Lock()
        self._open: dict[socket.socket, _Connection] = {}

    def __len__(self) -> int:
        return len(self._open)

    def admit(self, sock: socket.socket) -> bool:
        """Add a connection; at the cap, first close the one waiting longest without a
        complete request (idle ones before those still sending). False when every
        connection is answering a query."""
        with self._lock:
            if len(self._open) >= self.cap:
                waiting = [c for c in self._open.values() if c.state != BUSY]
                if not waiting:
                    return False
                victim = min(waiting, key=lambda c: (c.state != IDLE, c.since))
                del self._open[victim.sock]
                try:  # shutdown, not close: its thread is blocked reading and closes it itself
                    victim.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._open[sock] = _Connection(sock)
            return True

    def mark(self, sock: socket.socket, state: str) -> None:
        with self._lock:
            conn = self._open.get(sock)
            if conn is not None and conn.state != state:
                conn.state, conn.since = state, time.monotonic()

    def remove(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.pop(sock, None)


class RequestTooLarge(TimeoutError):
    """The request line and headers passed :data:`MAX_HEAD_BYTES`. A TimeoutError, so
    that the standard library's handler drops the connection as it drops a late request."""


class DeadlineReader(io.RawIOBase):
    """A client socket read with two clocks, ``idle_s`` between requests and a deadline
    ``request_s`` after a request's first byte, however the bytes trickle in; and with a
    budget of bytes per request: :data:`MAX_HEAD_BYTES`, plus the body :meth:`allow` s."""

    def __init__(self, sock: socket.socket, table: ConnectionTable, *, idle_s: float, request_s: float) -> None:
        super().__init__()
        self.sock, self.table, self.idle_s, self.request_s = sock, table, idle_s, request_s
        self.deadline: float | None = None
        self.expired = self.too_large = False
        self.budget = MAX_HEAD_BYTES

    def readable(self) -> bool:
        return True

    def next_request(self) -> None:
        """Between requests: wait up to ``idle_s`` for the next one to start."""
        self.deadline = None
        self.budget = MAX_HEAD_BYTES
        self.table.mark(self.sock, IDLE)

    def allow(self, size: int) -> None:
        """Let ``size`` more bytes be read for this request (its body)."""
        self.budget += size

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        wait = self.idle_s if self.deadline is None else self.deadline - time.monotonic()
        if wait <= 0:
            self.expired = True
            raise TimeoutError("the request took too long to arrive")
        if self.budget <= 0:
            self.too_large = True
            raise RequestTooLarge(f"the request line and headers passed {MAX_HEAD_BYTES:,} bytes")
        self.sock.settimeout(wait)
        try:
            got = self.sock.recv_into(memoryview(buffer)[: self.budget])
        except TimeoutError:
            self.expired = self.deadline is not None
            raise
        if got and self.deadline is None:
            self.deadline = time.monotonic() + self.request_s
            self.table.mark(self.sock, READING)
        self.budget -= got
        return got
