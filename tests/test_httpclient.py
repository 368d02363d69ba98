"""Every HTTP client is bounded (#22): reply bytes, total time, redirects only to the same
origin over http(s). Servers are scripted on 127.0.0.1 and stop by themselves."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plangraph.errors import QueryError
from plangraph.graph.engines import RemoteEngine
from plangraph.graph.httpclient import exchange
from plangraph.graph.push import push_graphs
from plangraph.graph.sparql import run_query

from .hostile import Listener

Piece = tuple[bytes, float]
"""Bytes to send, then seconds to wait."""
Script = Callable[[str, bytes], Iterator[Piece]]
"""What the server sends for a request: (path, body) → pieces."""
MiB = 2**20


class ScriptedServer:
    """A TCP server on 127.0.0.1 that answers each request as its script says and
    records, per connection, the request line and how many bytes it sent before the
    client went away. It stops after ``lifetime_s`` and on close."""

    def __init__(self, script: Script, lifetime_s: float = 60.0) -> None:
        self.script = script
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[str] = []
        self.bodies: list[bytes] = []
        self.sent: list[int] = []
        self.client_left: list[bool] = []
        self._end = time.monotonic() + lifetime_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._end:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()
        self.sock.close()

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += conn.recv(65536)
            request_line = head.split(b"\r\n")[0].decode()
            self.requests.append(request_line)
            self.bodies.append(body)
            sent, left = 0, False
            for piece, wait in self.script(request_line.split()[1], body):
                if self._stop.is_set() or time.monotonic() > self._end:
                    break
                try:
                    conn.sendall(piece)
                except OSError:
                    left = True
                    break
                sent += len(piece)
                if wait:
                    time.sleep(wait)
            self.sent.append(sent)
            self.client_left.append(left)
        except OSError:
            pass
        finally:
            conn.close()

    def finished(self, timeout_s: float = 30.0) -> None:
        """Wait until every request's answer ended (sent in full or cut by the client)."""
        end = time.monotonic() + timeout_s
        while len(self.sent) < len(self.requests) and time.monotonic() < end:
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def reply(body: bytes, status: str = "200 OK", headers: str = "") -> Iterator[Piece]:
    yield (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n{headers}\r\n".encode()
           + body, 0)


def endless(_path: str, _body: bytes) -> Iterator[Piece]:
    """A reply that never ends (no length, 1 MiB chunks until the client hangs up, 64 MiB at most)."""
    yield b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n", 0
    for _ in range(64):
        yield b"x" * MiB, 0


def drip(_path: str, _body: bytes) -> Iterator[Piece]:
    """Headers at once, then one byte of body every 0.3 s, for 60 s."""
    yield b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n", 0
    for _ in range(200):
        yield b"x", 0.3


def drip_headers(_path: str, _body: bytes) -> Iterator[Piece]:
    """The status line and headers one byte every 0.3 s, never finished."""
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 200:
        yield bytes([byte]), 0.3


def test_a_reply_is_read_up_to_its_limit_and_no_further() -> None:
    with ScriptedServer(endless) as server:
        with pytest.raises(QueryError) as exc:
            exchange("GET", server.url + "/x", max_bytes=2 * MiB)
        assert exc.value.message == (f"the reply from {server.url}/x is longer than 2,097,152 bytes, the limit for "
                                     "one reply; it was not read further")
        server.finished()
        assert server.client_left == [True] and server.sent[0] < 64 * MiB


def test_a_lying_content_length_does_not_lift_the_limit() -> None:
    def lying(_path: str, _body: bytes) -> Iterator[Piece]:
        yield b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + b"x" * (3 * MiB), 0

    def negative(_path: str, _body: bytes) -> Iterator[Piece]:
        yield b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\nConnection: close\r\n\r\n", 0
        for _ in range(8):
            yield b"x" * MiB, 0

    with ScriptedServer(lying) as server:
        assert exchange("GET", server.url).body == b"x" * 10  # the announced length, not what was sent
    with ScriptedServer(negative) as server:
        with pytest.raises(QueryError, match="is longer than 1,048,576 bytes"):
            exchange("GET", server.url, max_bytes=MiB)


@pytest.mark.parametrize("script", [drip, drip_headers])
def test_a_slow_drip_is_stopped_at_the_deadline_of_the_whole_exchange(script: Script) -> None:
    with ScriptedServer(script) as server:
        with pytest.raises(QueryError) as exc:
            exchange("GET", server.url + "/slow", deadline_s=1.5)
        assert exc.value.message == f"{server.url}/slow did not answer within 1.5 s, the limit on the whole exchange"
        server.finished()
        # the drip had 200 bytes to send over 60 s: the client left long before
        assert server.client_left == [True] and server.sent[0] < 100


def test_redirects_stay_on_the_same_origin_and_on_http() -> None:
    with Listener(lifetime_s=60) as other:
        targets = {"/host": f"http://127.0.0.1:{other.port}/x", "/name": "http://localhost/x",
                   "/ftp": f"ftp://127.0.0.1:{other.port}/x", "/file": "file:///etc/passwd",
                   "/https": "https://127.0.0.1/x"}

        def redirect(path: str, body: bytes) -> Iterator[Piece]:
            if path == "/loop":
                return reply(b"", "302 Found", "Location: /loop\r\n")
            if path == "/final":
                return reply(b"final:" + body)
            if path == "/same":
                return reply(b"", "307 Temporary Redirect", "Location: /final\r\n")
            if path == "/see-other":
                return reply(b"", "303 See Other", f"Location: http://127.0.0.1:{server.port}/final\r\n")
            return reply(b"", "302 Found", f"Location: {targets[path]}\r\n")

        with ScriptedServer(redirect) as server:
            for path, target in targets.items():
                with pytest.raises(QueryError) as exc:
                    exchange("POST", server.url + path, body=b"q")
                assert exc.value.message.startswith(f"{server.url}{path} redirected to {target}: only redirects "
                                                     "to the same origin"), exc.value.message
            # a 307 keeps the method and body, a 303 asks for the target with GET
            assert exchange("POST", server.url + "/same", body=b"q").body == b"final:q"
            assert exchange("POST", server.url + "/see-other", body=b"q").body == b"final:"
            assert server.requests[-1] == "GET /final HTTP/1.1"
            with pytest.raises(QueryError, match="more than 5 redirects"):
                exchange("GET", server.url + "/loop")
        assert other.connections == []


def test_a_reply_that_is_not_http_or_is_cut_short_says_so() -> None:
    def garbage(_path: str, _body: bytes) -> Iterator[Piece]:
        yield b"HELLO THERE\r\n\r\n", 0

    def cut(_path: str, _body: bytes) -> Iterator[Piece]:
        yield b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this", 0

    with ScriptedServer(garbage) as server:
        with pytest.raises(QueryError, match=f"^{server.url}/ answered with a reply that is not valid HTTP: "):
            exchange("GET", server.url + "/")
    with ScriptedServer(cut) as server:
        with pytest.raises(QueryError, match=f"^{server.url}/ broke off its reply: "):
            exchange("GET", server.url + "/")
    with pytest.raises(QueryError, match=f"^cannot reach {server.url}/: "):
        exchange("GET", server.url + "/")  # closed now


def test_only_http_urls_are_asked() -> None:
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd", "http:///nohost", "http://127.0.0.1:99999/x"):
        with pytest.raises(QueryError, match="is not an http or https URL"):
            exchange("GET", url)


def test_the_remote_sparql_engine_is_bounded(tmp_path: Path) -> None:
    with ScriptedServer(endless) as server:
        engine = RemoteEngine(server.url + "/query", max_reply_bytes=MiB)
        with pytest.raises(QueryError, match=f"^the reply from {server.url}/query is longer than 1,048,576 bytes"):
            engine.rows("SELECT * { ?s ?p ?o }", None)
    with ScriptedServer(drip) as server:
        engine = RemoteEngine(server.url + "/query", deadline_s=1.0)
        with pytest.raises(QueryError, match=f"^{server.url}/query did not answer within 1 s"):
            engine.rows("ASK {}", None)


def test_a_deeply_nested_reply_is_reported_as_such_not_as_malformed_sparql() -> None:
    nested = b'{"head": {"vars": []}, "boolean": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    def answer(_path: str, _body: bytes) -> Iterator[Piece]:
        return reply(nested, headers="Content-Type: application/sparql-results+json\r\n")

    with ScriptedServer(answer) as server:
        url = server.url + "/query"
        with pytest.raises(QueryError) as exc:
            run_query(url, "ASK { ?s ?p ?o }", timeout_s=30)  # through the query worker, as the CLI asks
        assert exc.value.message.startswith(f"the reply from {url} could not be read: its JSON is nested too deeply")
        with pytest.raises(QueryError, match=f"^the reply from {url} could not be read: its JSON is nested"):
            RemoteEngine(url).rows("ASK {}", None)


def test_push_stops_at_its_deadline_against_a_slow_store(tmp_path: Path) -> None:
    graph = tmp_path / "graph.trig"
    graph.write_text('<https://w3id.org/plangraph/graph/plan/a> { <urn:s> <urn:p> "o" . }\n', encoding="utf-8")
    empty = json.dumps({"head": {"vars": ["g", "v"]}, "results": {"bindings": []}}).encode()

    def store(path: str, _body: bytes) -> Iterator[Piece]:
        return reply(empty, headers="Content-Type: application/sparql-results+json\r\n") \
            if path.startswith("/query") else drip(path, _body)

    with ScriptedServer(store) as server:
        with pytest.raises(QueryError, match=r"^http://127\.0\.0\.1:\d+/store\?graph=.* did not answer within 2 s"):
            push_graphs(graph, sparql_endpoint=server.url + "/query", graph_store=server.url + "/store",
                        timeout_s=2)
        assert [r.split()[0] for r in server.requests] == ["POST", "PUT"]


def test_every_http_request_goes_through_the_one_client() -> None:
    """No other module of plangraph opens HTTP connections of its own."""
    src = Path(__file__).resolve().parents[1] / "src" / "plangraph"
    own = src / "graph" / "httpclient.py"
    clients = ("urlopen(", "http.client", "urllib.request", "import requests", "httpx", "aiohttp",
               "socket.create_connection")
    found = {str(p.relative_to(src)): word for p in src.rglob("*.py") if p != own
             for word in clients if word in "\n".join(line for line in p.read_text("utf-8").splitlines()
                                                     if not line.lstrip().startswith("#") and "``" not in line)}
    assert found == {}


def test_a_remote_endpoint_receives_the_text_the_guard_judged() -> None:
    """Its parser is neither rdflib's nor Oxigraph's: it gets no CR, tab or escape to read its own way."""
    answer = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": "中"}}]}}).encode()

    def sparql(_path: str, _body: bytes) -> Iterator[Piece]:
        return reply(answer, headers="Content-Type: application/sparql-results+json\r\n")

    with ScriptedServer(sparql) as server:
        engine = RemoteEngine(server.url + "/query")
        rows = engine.rows('SELECT ?x # a comment\r\nWHERE {\tBIND("\\u4E2D" AS ?x) FILTER(?x != ?plan) }',
                           {"plan": 'a"b'})
        assert rows[1] == [("中",)]
        sent = server.bodies[0].decode("utf-8")
        assert sent.endswith('SELECT ?x # a comment\nWHERE { BIND("中" AS ?x) FILTER(?x != "a\\"b") }')
        assert sent.startswith("PREFIX ")  # plangraph's prefixes, declared for the server
