"""``plangraph endpoint`` stays up under hostile clients (#22): request bodies bounded by
the bytes read whatever the length header says, a bounded query queue that answers 503
with Retry-After, a share per client, idle and request deadlines, a connection cap that
keeps room for new clients. All on 127.0.0.1 (other source addresses of 127/8 stand for
other clients); every wait is bounded, and servers stop themselves.

The concurrency tests answer queries with a stand-in runner that holds a "slow" query
until the test lets it go: the HTTP layer under test is the real one, and no CPU burns.
"""

from __future__ import annotations

import http.client
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from plangraph.errors import UsageError
from plangraph.graph.runner import QueryRunner
from plangraph.interfaces.endpoint import MAX_BODY, SparqlServer
from plangraph.interfaces.servicelimits import ServiceLimits, default_max_connections

SLOW = "SELECT * WHERE { ?s ?p ?o } # slow"
CHEAP = "ASK {}"
ANSWER = b'{"head":{},"boolean":true}'
WAIT_S = 10.0  # the most any step waits for the server before the test fails
SRC = str(Path(__file__).resolve().parents[1] / "src")


class StandInRunner:
    """Answers at once, except a query containing "slow", held until :meth:`finish`."""

    timeout_s = 5.0

    def __init__(self) -> None:
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.running = 0

    def run_serialized(self, sparql: str, *, media_type: str, timeout_s: float | None = None) -> tuple[bytes, str]:
        if "slow" in sparql:
            with self.lock:
                self.running += 1
            try:
                self.released.wait(WAIT_S)
            finally:
                with self.lock:
                    self.running -= 1
        return ANSWER, "application/sparql-results+json"

    def finish(self) -> None:
        self.released.set()

    def close(self) -> None:
        self.finish()


class Served:
    def __init__(self, server: SparqlServer, runner: StandInRunner) -> None:
        self.server, self.runner = server, runner
        self.port = int(server.server_address[1])


@pytest.fixture()
def serve() -> Iterator[Any]:
    started: list[Served] = []

    def start(workers: int = 2, **limits: Any) -> Served:
        runner = StandInRunner()
        server = SparqlServer(("127.0.0.1", 0), cast(QueryRunner, runner), workers, ServiceLimits(**limits))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(Served(server, runner))
        return started[-1]

    yield start
    for served in started:
        served.runner.finish()
        served.server.close()


def _until(condition: Any, what: str) -> None:
    end = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"waited {WAIT_S:g} s for {what}")
        time.sleep(0.01)


def _get(port: int, query: str, client: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT_S, source_address=(client, 0))
    try:
        conn.request("GET", "/query?" + urllib.parse.urlencode({"query": query}))
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _in_background(port: int, query: str, client: str) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(_get(port, query, client)), daemon=True)
    thread.start()
    return thread, out


def _raw(port: int, request: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
    sock.sendall(request)
    return sock


def _one_reply(sock: socket.socket) -> bytes:
    """One whole reply (head and body) read from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    head = data.split(b"\r\n\r\n")[0].decode()
    length = int(next(line.split(":")[1] for line in head.split("\r\n") if line.lower().startswith("content-length")))
    while len(data) < len(head) + 4 + length:
        data += sock.recv(65536)
    return data


def _reply_then_eof(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _post(headers: str) -> bytes:
    return f"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n{headers}\r\n".encode()


@pytest.mark.parametrize(("headers", "status", "message"), [
    ("Content-Length: -1\r\n", 400, "Content-Length '-1' is not a number of bytes"),
    ("Content-Length: 12abc\r\n", 400, "Content-Length '12abc' is not a number of bytes"),
    ("Content-Length: +6\r\n", 400, "Content-Length '+6' is not a number of bytes"),
    ("Content-Length: 6\r\nContent-Length: 6\r\n", 400, "more than one Content-Length header"),
    ("Content-Length: 99999999999999999999999\r\n", 400,
     "Content-Length '99999999999999999999999' is not a number of bytes"),
    (f"Content-Length: {MAX_BODY + 1}\r\n", 413, f"request body over {MAX_BODY:,} bytes"),
    ("Transfer-Encoding: chunked\r\n", 411,
     "send the body with a Content-Length header (Transfer-Encoding is not accepted)"),
    ("", 411, "a POST needs a Content-Length header"),
])
def test_a_body_is_refused_before_it_is_read(serve: Any, headers: str, status: int, message: str) -> None:
    served = serve()
    with _raw(served.port, _post(headers)) as sock:
        reply = _reply_then_eof(sock)  # answered and closed without waiting for any body
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()) and b"\r\nConnection: close" in head
    assert body.decode() == message + "\n"


def test_a_body_too_big_is_refused_before_the_client_is_asked_to_send_it(serve: Any) -> None:
    served = serve()
    expect = f"Content-Length: {MAX_BODY + 1}\r\nExpect: 100-continue\r\n"
    with _raw(served.port, _post(expect)) as sock:
        reply = _reply_then_eof(sock)
    assert reply.startswith(b"HTTP/1.1 413 ") and b"100 Continue" not in reply
    with _raw(served.port, _post("Content-Length: 6\r\nExpect: 100-continue\r\n")) as sock:
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(CHEAP.encode())
        assert _one_reply(sock).endswith(ANSWER)


def test_headers_past_their_budget_get_431(serve: Any) -> None:
    """100 header lines of 64 KiB each pass the standard library's own checks: 6.5 MB a
    connection. The request line and headers together stop at 128 KiB."""
    served = serve()
    line = "X-Pad: " + "a" * 8000 + "\r\n"
    with _raw(served.port, b"GET / HTTP/1.1\r\nHost: x\r\n") as sock:
        try:
            for _ in range(40):  # 320 KB in all
                sock.sendall(line.encode())
        except OSError:  # the server stopped reading and hung up
            pass
        reply = _reply_then_eof(sock)
    assert reply.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")


def test_bodies_held_at_once_are_bounded(serve: Any) -> None:
    served = serve(body_bytes=10)
    body = b"ASK { ?s ?p ?o }"
    with _raw(served.port, _post(f"Content-Length: {len(body)}\r\n") + body) as sock:
        reply = _reply_then_eof(sock)
    assert reply.startswith(b"HTTP/1.1 503 ") and b"\r\nRetry-After: 1\r\n" in reply
    assert reply.endswith(b"the endpoint is busy reading other requests; try again later\n")
    small = b"ASK {}"
    with _raw(served.port, _post(f"Content-Length: {len(small)}\r\n") + small) as sock:
        assert _one_reply(sock).endswith(ANSWER)


def test_a_form_of_a_million_fields_is_refused(serve: Any) -> None:
    served = serve()
    form = b"a=&" * 1_000_000  # 3 MB, under the body limit
    request = _post(f"Content-Length: {len(form)}\r\n").replace(b"application/sparql-query",
                                                                 b"application/x-www-form-urlencoded")
    url = "/query?query=ASK%7B%7D&" + "&".join(f"x{i}=" for i in range(64))
    for raw in (request + form, f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode()):
        with _raw(served.port, raw) as sock:
            reply = _one_reply(sock)
        assert reply.startswith(b"HTTP/1.1 400 ") and reply.endswith(b"more than 64 parameters\n")


def test_a_body_sent_without_end_is_cut_off(serve: Any) -> None:
    """Content-Length -1 and then bytes without end: the server answers and hangs up
    rather than reading them (it read until the client stopped: 500 MiB cost 1.68 GB)."""
    served = serve()
    with _raw(served.port, _post("Content-Length: -1\r\n")) as sock:
        assert sock.recv(65536).startswith(b"HTTP/1.1 400 ")
        sent = 0
        with pytest.raises(OSError):  # reset, or the pipe broken: nobody reads any more
            while sent < 256 << 20:
                sock.sendall(b"x" * (1 << 20))
                sent += 1 << 20
    assert sent < 256 << 20


def test_a_body_of_the_length_stated_is_answered_and_the_connection_kept(serve: Any) -> None:
    served = serve()
    body = CHEAP.encode()
    with _raw(served.port, _post(f"Content-Length: {len(body)}\r\n") + body) as sock:
        first = _one_reply(sock)
        sock.sendall(_post(f"Content-Length: {len(body)}\r\n") + body)  # the same connection, again
        second = _one_reply(sock)
    for reply in (first, second):
        assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(ANSWER)


def test_one_client_cannot_take_every_worker(serve: Any) -> None:
    served = serve(workers=2)  # one query per client address: one fewer than the workers
    slow, slow_out = _in_background(served.port, SLOW, "127.0.0.2")
    _until(lambda: served.runner.running == 1, "the slow query to start")
    for _ in range(3):  # more from the same client: refused at once, not queued behind it
        status, headers, body = _get(served.port, SLOW, "127.0.0.2")
        assert (status, headers["retry-after"]) == (429, "5")
        assert body.startswith(b"this client already has 1 query running or waiting (at most 1)")
    assert _get(served.port, CHEAP, "127.0.0.3")[::2] == (200, ANSWER)  # another client, while it runs
    assert served.runner.running == 1 and not slow_out
    served.runner.finish()
    slow.join(WAIT_S)
    assert slow_out[0][0] == 200


def test_a_full_queue_answers_503_with_retry_after(serve: Any) -> None:
    served = serve(workers=1, max_queue=1, per_client=1)
    first, first_out = _in_background(served.port, SLOW, "127.0.0.2")
    _until(lambda: served.runner.running == 1, "the first query to run")
    second, second_out = _in_background(served.port, SLOW, "127.0.0.3")
    _until(lambda: served.server.admission._waiting == 1, "the second query to wait")
    status, headers, body = _get(served.port, CHEAP, "127.0.0.4")
    assert (status, headers["retry-after"]) == (503, "5")
    assert body == b"the endpoint is busy: 1 running, 1 waiting (the queue holds 1); try again later\n"
    assert not first_out and not second_out  # refused while the others were still held
    served.runner.finish()
    for thread in (first, second):
        thread.join(WAIT_S)
    assert [o[0][0] for o in (first_out, second_out)] == [200, 200]


def test_a_query_waits_for_a_worker_only_so_long(serve: Any) -> None:
    served = serve(workers=1, max_queue=4, per_client=1, queue_wait_s=0.2)
    first, _ = _in_background(served.port, SLOW, "127.0.0.2")
    _until(lambda: served.runner.running == 1, "the first query to run")
    status, headers, body = _get(served.port, CHEAP, "127.0.0.3")
    assert (status, headers["retry-after"]) == (503, "1")
    assert body == b"the endpoint is busy: no query worker came free within 0.2 s; try again later\n"
    served.runner.finish()
    first.join(WAIT_S)


def test_an_idle_connection_is_closed(serve: Any) -> None:
    served = serve(idle_timeout_s=0.3)
    with _raw(served.port, b"") as silent:
        assert silent.recv(100) == b""  # closed by the server, not by the client's timeout
    with _raw(served.port, f"GET /query?query={urllib.parse.quote(CHEAP)} HTTP/1.1\r\nHost: x\r\n\r\n".encode()) \
            as kept_alive:
        reply = _reply_then_eof(kept_alive)  # answered, then closed once idle
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(ANSWER)


def test_headers_sent_a_byte_at_a_time_are_cut_off(serve: Any) -> None:
    """A client that keeps sending, slowly, never trips the idle timeout: the request
    deadline drops it (and says so with 408)."""
    served = serve(idle_timeout_s=5, request_timeout_s=0.5)
    with _raw(served.port, b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n") as sock:
        sock.settimeout(0.05)
        sent, reply = 0, b""
        while not reply and sent < 200:  # 200 bytes at a pace of 20 a second: 10 s unless cut off
            try:
                sock.sendall(b"X-Slow: a\r\n"[sent % 11:sent % 11 + 1])
            except OSError:
                break
            sent += 1
            try:
                reply = sock.recv(100)
            except TimeoutError:
                continue
            except OSError:
                break
    assert sent < 200 and (reply == b"" or reply.startswith(b"HTTP/1.1 408 "))


def test_at_the_cap_a_new_client_takes_the_place_of_an_idle_one(serve: Any) -> None:
    served = serve(max_connections=4, idle_timeout_s=30)
    idle = []
    for _ in range(4):  # four keep-alive connections, each after a query, idle now
        sock = _raw(served.port, f"GET /query?query={urllib.parse.quote(CHEAP)} HTTP/1.1\r\nHost: x\r\n\r\n"
                    .encode())
        assert _one_reply(sock).startswith(b"HTTP/1.1 200 ")
        idle.append(sock)
    try:
        assert _get(served.port, CHEAP)[::2] == (200, ANSWER)
        assert idle[0].recv(100) == b""  # the one idle longest made room
        assert len(served.server.connections) <= 4
    finally:
        for sock in idle:
            sock.close()


def test_at_the_cap_with_every_connection_busy_a_new_one_gets_503(serve: Any) -> None:
    served = serve(workers=2, max_queue=2, per_client=4, max_connections=4)
    busy = [_in_background(served.port, SLOW, "127.0.0.2") for _ in range(4)]
    _until(lambda: served.runner.running == 2 and served.server.admission._waiting == 2, "four busy connections")
    with _raw(served.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") as sock:
        reply = _reply_then_eof(sock)
    assert reply.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 5\r\n" in reply
    assert reply.endswith(b"too many connections\r\n")
    served.runner.finish()
    for thread, out in busy:
        thread.join(WAIT_S)
        assert out[0][0] == 200


@pytest.mark.parametrize(("field", "value"), [("idle_timeout_s", float("inf")), ("request_timeout_s", 0.0),
                                              ("queue_wait_s", float("nan")), ("max_queue", -1), ("per_client", 0)])
def test_limits_that_cannot_work_are_refused(field: str, value: float) -> None:
    with pytest.raises(UsageError, match=f"^{field} must be "):
        ServiceLimits(**{field: value})


def test_the_connection_cap_stays_below_the_limit_on_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        assert default_max_connections() == 128
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
        assert default_max_connections() == 512
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_more_idle_connections_than_files_do_not_shut_out_a_client(tmp_path: Path) -> None:
    """The reproduction: ``ulimit -n`` 256 and 400 silent connections, then a query."""
    graph = tmp_path / "graph.trig"
    graph.write_text('<https://example.org/a> <https://example.org/b> "临安" .\n', encoding="utf-8")
    code = ("import sys, time\nfrom plangraph.interfaces.endpoint import start_endpoint\n"
            f"s = start_endpoint('memory', {str(graph)!r}, port=0, timeout_s=5, workers=1)\n"
            "print(s.server_address[1], flush=True)\nsys.stdin.read()\ns.close()\n")

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, preexec_fn=low_limit, env={**os.environ, "PYTHONPATH": SRC})
    silent: list[socket.socket] = []
    try:
        assert proc.stdout is not None and proc.stdin is not None
        port = int(proc.stdout.readline())
        for _ in range(400):
            silent.append(socket.create_connection(("127.0.0.1", port), timeout=WAIT_S))
        status, _, body = _get(port, "SELECT ?o WHERE { ?s ?p ?o }")
        assert status == 200 and "临安" in body.decode()
        proc.stdin.close()
        assert proc.wait(timeout=WAIT_S * 2) == 0
    finally:
        for sock in silent:
            sock.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
