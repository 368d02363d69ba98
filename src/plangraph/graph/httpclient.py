"""The one HTTP client of plangraph: every request to a remote SPARQL or Graph Store
endpoint goes through :func:`exchange`, which bounds what a server can make it spend.

* **Reply bytes**: the body is read in chunks and the exchange stops past
  ``max_bytes`` (a reply of any length, announced or not, costs at most that much).
* **Total time**: one deadline covers connecting, sending, the status line, the
  headers and every chunk of the body. A watchdog shuts the socket at the deadline,
  so a server that sends one byte every few seconds is stopped, which a per-read
  socket timeout alone would never do.
* **Redirects**: followed only to the same origin (scheme, host and port) and only
  over http or https, at most :data:`MAX_REDIRECTS` times; anything else (another
  host, ``ftp://``, ``file://``) is refused with the URL it pointed to.

Errors are :class:`~plangraph.errors.QueryError` naming the URL and the limit; an
error *status* is not an error here: the caller reads :attr:`Reply.status`.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from plangraph.errors import QueryError

MAX_REPLY_BYTES = 128 * 2**20
"""Bytes of one reply body a client reads at most (a SPARQL result, a push record).

The whole body is held, then joined (up to twice this at the peak), and a SPARQL
result becomes Python rows several times its size: a bigger answer should be paged
(LIMIT / OFFSET)."""
DEADLINE_S = 300.0
"""Seconds one exchange (redirects included) may take unless the caller says otherwise."""
MAX_REDIRECTS = 5
CHUNK_BYTES = 1 << 16
_REDIRECTS = {301, 302, 303, 307, 308}
_SCHEMES = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Reply:
    """A server's answer: status, reason, headers (names lower-cased) and the whole body."""

    url: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), or None."""
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def detail(self, limit: int = 500) -> str:
        """The start of the body as text, for an error message."""
        return self.body[:limit].decode("utf-8", "replace").strip()


def exchange(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
             deadline_s: float = DEADLINE_S, max_bytes: int = MAX_REPLY_BYTES) -> Reply:
    """Send one request (following same-origin redirects) and read the whole reply.

    Args:
        method: GET, POST, PUT, DELETE…
        url: an http or https URL.
        body: the request body, if any.
        headers: request headers.
        deadline_s: seconds for the whole exchange, redirects included.
        max_bytes: reply body bytes read at most.

    Raises:
        QueryError: the URL is not http(s), the server cannot be reached, the reply
            is longer than ``max_bytes``, the exchange ran past ``deadline_s``, or a
            redirect leads elsewhere than the same origin over http(s).
    """
    origin = _origin(url, url)
    end = time.monotonic() + deadline_s
    for _ in range(MAX_REDIRECTS + 1):
        reply = _one(method, url, body, headers or {}, end, deadline_s, max_bytes)
        location = reply.header("location")
        if reply.status not in _REDIRECTS or location is None:
            return reply
        target = urljoin(url, location.strip())
        if _origin(target, url, redirect=True) != origin:
            raise QueryError(f"{url} redirected to {target}: only redirects to the same origin "
                             f"({_show(origin)}) over http or https are followed",
                             hint="give the final URL of the endpoint")
        if reply.status == 303 or (reply.status in (301, 302) and method == "POST"):
            method, body = ("GET" if method != "HEAD" else method), None  # as browsers and urllib do
            headers = {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}
        url = target
    raise QueryError(f"{url}: more than {MAX_REDIRECTS} redirects", hint="give the final URL of the endpoint")


def _origin(url: str, asked: str, *, redirect: bool = False) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
        scheme = ""  # an unreadable port: refused below
    if scheme not in _SCHEMES or not parts.hostname:
        if redirect:
            raise QueryError(f"{asked} redirected to {url}: only redirects to the same origin over http or "
                             "https are followed", hint="give the final URL of the endpoint")
        raise QueryError(f"{url} is not an http or https URL", hint="give a URL such as http://host:7878/query")
    return scheme, parts.hostname.lower(), port or _SCHEMES[scheme]


def _show(origin: tuple[str, str, int]) -> str:
    return f"{origin[0]}://{origin[1]}:{origin[2]}"


class _Watchdog:
    """Shuts a connection's socket at the deadline, waking any read that waits on it."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.connection = connection
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _one(method: str, url: str, body: bytes | None, headers: dict[str, str], end: float,
         deadline_s: float, max_bytes: int) -> Reply:
    parts = urlsplit(url)
    left = end - time.monotonic()
    if left <= 0:
        raise _late(url, deadline_s)
    kind = http.client.HTTPSConnection if parts.scheme.lower() == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=left)
    watchdog = _Watchdog(connection, left)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    response: http.client.HTTPResponse | None = None
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        chunks: list[bytes] = []
        got = 0
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise _late(url, deadline_s)
            if connection.sock is not None:
                connection.sock.settimeout(left)
            chunk = response.read(min(CHUNK_BYTES, max_bytes + 1 - got))
            if not chunk:
                if response.length:  # http.client ends a short read quietly: a cut reply is no reply
                    raise http.client.IncompleteRead(b"", response.length)
                break
            got += len(chunk)
            if got > max_bytes:
                raise QueryError(f"the reply from {url} is longer than {max_bytes:,} bytes, the limit for "
                                 "one reply; it was not read further",
                                 hint="ask for fewer rows (LIMIT) or a narrower result")
            chunks.append(chunk)
        return Reply(url, response.status, response.reason,
                     tuple((k.lower(), v) for k, v in response.getheaders()), b"".join(chunks))
    except QueryError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired or time.monotonic() >= end:
            raise _late(url, deadline_s) from None
        reason = getattr(exc, "reason", None) or exc or type(exc).__name__
        if isinstance(exc, OSError) and response is None:
            raise QueryError(f"cannot reach {url}: {reason}") from None
        if isinstance(exc, OSError | http.client.IncompleteRead):
            raise QueryError(f"{url} broke off its reply: {reason}") from None
        raise QueryError(f"{url} answered with a reply that is not valid HTTP: {reason}") from None
    finally:
        watchdog.cancel()
        connection.close()


def _late(url: str, deadline_s: float) -> QueryError:
    return QueryError(f"{url} did not answer within {deadline_s:g} s, the limit on the whole exchange",
                      hint="check that the server is up and not overloaded, or raise the time limit")
