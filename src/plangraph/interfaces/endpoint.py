"""A read-only SPARQL 1.1 Protocol endpoint over an index's graph (``plangraph endpoint``).

The engine is Oxigraph (pyoxigraph); only the HTTP layer is here, in the standard
library, because ``oxigraph serve-read-only`` 0.5.13 cannot give the guarantees
plangraph makes: it follows SERVICE to any host (no flag turns that off), and its
``--timeout-s`` answers ``200`` with a cut-off body ending in "The SPARQL operation
has been cancelled" (invalid JSON), and stopped a COUNT over a cross product only
after 22.8 s for a 2 s limit. So queries go through
:class:`plangraph.graph.runner.QueryRunner`: the same guard as the CLI and the app, a
worker killed at the deadline, results serialized by pyoxigraph.

``GET``/``POST /query`` (``query=`` or an ``application/sparql-query`` body), results
as JSON, XML, CSV or TSV by ``Accept`` (or ``format=``); CONSTRUCT/DESCRIBE as
Turtle, N-Triples or RDF/XML. All plan graphs form the default graph. CORS is open;
``/`` is a small query form. Updates and Graph Store writes get 403, a refused or
malformed query 400 with the reason, a query past the limit 503. ``GET``/``POST
/named/NAME?PARAM=VALUE`` answers a query of the library by name, from the plans' stored
rows where it can (:mod:`plangraph.interfaces.endpoint_named`); ``/named`` lists them.

Limits on connections, time, queued queries and request bodies keep it answering under
load or abuse (:mod:`plangraph.interfaces.servicelimits`, ``docs/security-endpoint.md``):
an overloaded endpoint answers ``503`` with ``Retry-After`` at once rather than late.
"""

from __future__ import annotations

import html
import io
import os
import re
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from plangraph.errors import PlanGraphError, QueryError, QueryTimeoutError, UsageError
from plangraph.graph.guard import MAX_QUERY_CHARS
from plangraph.graph.runner import DEFAULT_TIMEOUT_S, QueryRunner
from plangraph.interfaces import endpoint_named as named
from plangraph.interfaces.servicelimits import (
    BUSY,
    Admission,
    ByteBudget,
    ConnectionTable,
    DeadlineReader,
    Overloaded,
    ServiceLimits,
    connection_cap,
)

if TYPE_CHECKING:
    from plangraph.workspace import Workspace

MAX_BODY = MAX_QUERY_CHARS * 4  # bytes of UTF-8 for the longest query the guard reads
_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_FIELDS = 64
JSON = "application/sparql-results+json"
_MEDIA = {  # what a client may ask for -> what pyoxigraph serializes (results, then graphs)
    JSON: JSON, "application/json": JSON, "json": JSON,
    "application/sparql-results+xml": "application/sparql-results+xml",
    "application/xml": "application/sparql-results+xml", "xml": "application/sparql-results+xml",
    "text/csv": "text/csv", "csv": "text/csv",
    "text/tab-separated-values": "text/tab-separated-values", "tsv": "text/tab-separated-values",
    "text/turtle": "text/turtle", "application/n-triples": "application/n-triples",
    "application/rdf+xml": "application/rdf+xml",
}
_READ_ONLY = "this endpoint is read-only: no updates, no graph store writes"
_UI = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>plangraph SPARQL</title></head>
<body><h1>plangraph SPARQL endpoint</h1>
<p>Read-only. All plan graphs form the default graph; <code>GRAPH ?g</code> names them.
<code>pg:</code>, <code>dcterms:</code>, <code>skos:</code> … are declared. Queries stop after {limit:g} s.</p>
<form method="get" action="/query"><textarea name="query" rows="14" cols="100">SELECT ?indicator ?plan WHERE {{
  ?i a pg:Indicator ; rdfs:label ?indicator ; pg:plan/dcterms:identifier ?plan .
}} LIMIT 20</textarea><br>
<select name="format">{options}</select> <button>Run</button></form>
<p>The queries of the library by name, answered from the rows each plan stored for them:
<a href="/named">/named</a> lists them; <code>/named/NAME?PARAM=VALUE</code> runs one.</p></body></html>"""


def negotiate(accept: str | None, explicit: str | None = None) -> str:
    """The media type to answer with: ``format=`` first, then ``Accept``, else JSON."""
    for item in ([explicit] if explicit else []) + (accept or "").split(","):
        media = item.split(";")[0].strip().lower()
        if media in _MEDIA:
            return _MEDIA[media]
    return JSON


class SparqlHandler(BaseHTTPRequestHandler):
    """``GET``/``POST /query`` per the SPARQL 1.1 Protocol; everything else is refused."""

    server: SparqlServer
    protocol_version = "HTTP/1.1"
    reader: DeadlineReader

    def setup(self) -> None:
        super().setup()
        limits = self.server.limits
        self.rfile.close()  # replaced by a reader that keeps the idle and request deadlines
        self.reader = DeadlineReader(self.connection, self.server.connections, idle_s=limits.idle_timeout_s,
                                     request_s=limits.request_timeout_s)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        self.reader.next_request()
        super().handle_one_request()
        status = (b"431 Request Header Fields Too Large" if self.reader.too_large
                  else b"408 Request Timeout" if self.reader.expired else None)
        if status is not None:  # cut off mid-request: say why, without waiting on the client
            self.close_connection = True
            try:
                self.connection.settimeout(0.5)
                self.connection.sendall(b"HTTP/1.1 " + status + b"\r\nConnection: close\r\n"
                                        b"Content-Length: 0\r\n\r\n")
            except OSError:
                pass

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.connections.remove(self.connection)

    def do_OPTIONS(self) -> None:  # CORS preflight
        self._ignore_body()
        self._reply(HTTPStatus.NO_CONTENT, b"", "text/plain")

    def do_GET(self) -> None:
        self._ignore_body()
        url = urlsplit(self.path)
        if url.path == "/":
            options = "".join(f"<option>{html.escape(m)}</option>" for m in dict.fromkeys(_MEDIA.values()))
            page = _UI.format(limit=self.server.runner.timeout_s, options=options)
            return self._reply(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
        if url.path == "/named":
            return self._reply(HTTPStatus.OK, named.catalogue(), "application/json; charset=utf-8")
        if url.path.startswith(named.PREFIX):
            return self._named(url.path, self._params(url.query))
        if url.path != "/query":
            return self._error(HTTPStatus.NOT_FOUND, f"no resource {url.path[:200]}; queries go to /query, "
                               "named queries to /named/NAME")
        self._answer(self._params(url.query))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/query" and not url.path.startswith(named.PREFIX):
            self.close_connection = True  # its body is never read
            return self._error(HTTPStatus.FORBIDDEN, _READ_ONLY)
        refusal = self._body_refusal()
        if refusal is not None:
            self.close_connection = True
            return self._error(*refusal)
        length = int(self.headers["Content-Length"])
        with self.server.bodies.hold(length) as room:
            if not room:
                self.close_connection = True
                return self._error(HTTPStatus.SERVICE_UNAVAILABLE, "the endpoint is busy reading other "
                                   "requests; try again later", {"Retry-After": "1"})
            self.reader.allow(length)
            raw = self.rfile.read(length)
            if len(raw) != length:  # the client stopped sending
                self.close_connection = True
                return None
            self._post(url.path, url.query, raw.decode("utf-8", "replace"))

    def _post(self, path: str, url_query: str, body: str) -> None:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if path.startswith(named.PREFIX):
            if ctype != "application/x-www-form-urlencoded":
                return self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                                   "POST a named query's parameters as application/x-www-form-urlencoded")
            return self._named(path, self._params(body))
        if ctype == "application/sparql-query":
            params = self._params(url_query)
            self._answer(params if params is None else {**params, "query": [body]})
        elif ctype == "application/x-www-form-urlencoded":
            self._answer(self._params(body))
        elif ctype == "application/sparql-update":
            self._error(HTTPStatus.FORBIDDEN, _READ_ONLY)
        else:
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                        "POST a query as application/sparql-query or application/x-www-form-urlencoded")

    do_PUT = do_DELETE = do_PATCH = do_POST

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue``: a body that would be refused is refused before the
        client is invited to send it."""
        refusal = self._body_refusal() if self.command == "POST" else None
        if refusal is not None:
            self.close_connection = True
            self._error(*refusal)
            return False
        return super().handle_expect_100()

    def _ignore_body(self) -> None:
        """A body where none is read: the connection ends after the reply, so that its
        bytes are never taken for the next request."""
        if self.headers.get_all("Transfer-Encoding") or (self.headers.get("Content-Length") or "0").strip() != "0":
            self.close_connection = True

    def _body_refusal(self) -> tuple[HTTPStatus, str] | None:
        """Why a POST's body is not read (400, 411 or 413), if it is not: any length
        header but one plain number up to :data:`MAX_BODY`. The connection then closes,
        for the body's bytes are no request."""
        if self.headers.get_all("Transfer-Encoding"):
            return (HTTPStatus.LENGTH_REQUIRED,
                    "send the body with a Content-Length header (Transfer-Encoding is not accepted)")
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length header"
        if len(lengths) > 1:
            return HTTPStatus.BAD_REQUEST, "more than one Content-Length header"
        text = lengths[0].strip()
        if not _DIGITS.fullmatch(text):
            return HTTPStatus.BAD_REQUEST, f"Content-Length {text[:40]!r} is not a number of bytes"
        if int(text) > MAX_BODY:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_BODY:,} bytes"
        return None

    def _params(self, text: str) -> dict[str, list[str]] | None:
        """The form or URL parameters; None after answering 400 for more than
        :data:`MAX_FIELDS` (a 4 MB body of ``a=&`` parses to 1,000,000 values: 138 MB)."""
        try:
            return parse_qs(text, max_num_fields=MAX_FIELDS)
        except ValueError:
            self._error(HTTPStatus.BAD_REQUEST, f"more than {MAX_FIELDS} parameters")
            return None

    def _answer(self, params: dict[str, list[str]] | None) -> None:
        if params is None:  # refused already
            return
        if "update" in params:
            return self._error(HTTPStatus.FORBIDDEN, _READ_ONLY)
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return self._error(HTTPStatus.BAD_REQUEST,
                               "default-graph-uri and named-graph-uri are not supported; use GRAPH <…> { … }")
        queries = params.get("query", [])
        if len(queries) != 1:
            return self._error(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter")
        media = negotiate(self.headers.get("Accept"), (params.get("format") or [""])[0])
        self.server.connections.mark(self.connection, BUSY)
        try:
            with self.server.admission.slot(self.client_address[0]):
                body, ctype = self.server.runner.run_serialized(queries[0], media_type=media)
        except Overloaded as exc:
            return self._error(exc.status, exc.message, {"Retry-After": str(exc.retry_after_s)})
        except QueryTimeoutError as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, exc.message)
        except QueryError as exc:
            status = HTTPStatus.FORBIDDEN if "read-only" in exc.message else HTTPStatus.BAD_REQUEST
            return self._error(status, exc.message)
        self._reply(HTTPStatus.OK, body, ctype if "charset" in ctype or ctype.endswith("+xml")
                    else f"{ctype}; charset=utf-8")

    def _named(self, path: str, fields: dict[str, list[str]] | None) -> None:
        """``/named/NAME``: a query of the library by name (:mod:`~plangraph.interfaces.endpoint_named`)."""
        if fields is None:  # refused already
            return
        name = unquote(path[len(named.PREFIX):])
        nq = named.find(name)
        if nq is None:
            return self._error(HTTPStatus.NOT_FOUND, named.unknown(name))
        try:
            params, limit, offset = named.request_fields(nq, fields)
        except PlanGraphError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, exc.message)
        media = negotiate(self.headers.get("Accept"), (fields.get("format") or [""])[0])
        media = media if media in named.RESULT_FORMATS else named.JSON  # a SELECT result
        self.server.connections.mark(self.connection, BUSY)
        try:
            with self.server.admission.slot(self.client_address[0]):
                result = named.answer_by_name(nq, params, limit, offset, workspace=self.server.workspace,
                                              runner=self.server.runner)
                body, ctype = named.serialize(result, media)
        except Overloaded as exc:
            return self._error(exc.status, exc.message, {"Retry-After": str(exc.retry_after_s)})
        except QueryTimeoutError as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, exc.message)
        except (QueryError, UsageError) as exc:  # a value the engine refused
            return self._error(HTTPStatus.BAD_REQUEST, exc.message)
        except PlanGraphError as exc:  # a damaged shard: the index's fault, not the request's
            return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, exc.message)
        self._reply(HTTPStatus.OK, body, ctype if ctype.endswith("+xml") else f"{ctype}; charset=utf-8",
                    {"X-Total-Rows": str(result.total_rows)})

    def _error(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> None:
        self._reply(status, (message + "\n").encode(), "text/plain; charset=utf-8", headers)

    def _reply(self, status: HTTPStatus, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.connection.settimeout(self.server.limits.send_timeout_s)  # the whole reply, however slow the reader
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Expose-Headers", "X-Total-Rows")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        if os.environ.get("PLANGRAPH_ENDPOINT_LOG"):
            super().log_message(format, *args)


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server; ``runner`` answers the queries, within ``limits``."""

    daemon_threads = True
    request_queue_size = 128  # the listen backlog: a burst of clients waits for accept(), not for a SYN retry

    def __init__(self, address: tuple[str, int], runner: QueryRunner, workers: int,
                 limits: ServiceLimits | None = None, workspace: Workspace | None = None) -> None:
        self.limits = limits = limits or ServiceLimits()
        self.runner = runner
        self.workspace = workspace
        self.connections = ConnectionTable(connection_cap(limits.max_connections))
        self.bodies = ByteBudget(limits.body_bytes)
        self.admission = Admission(workers, max_queue=limits.max_queue,
                                   per_client=limits.per_client or max(1, workers - 1),
                                   wait_s=limits.queue_wait_s or runner.timeout_s)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SparqlHandler)

    def process_request(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        assert isinstance(request, socket.socket)  # a stream server
        if self.connections.admit(request):
            return super().process_request(request, client_address)
        try:  # every connection is answering a query: refuse at once, without a thread
            request.settimeout(0)
            request.send(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: %d\r\nConnection: close\r\n"
                         b"Content-Type: text/plain\r\nContent-Length: 22\r\n\r\ntoo many connections\r\n"
                         % self.admission.retry_after_s)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """A client that went away is no error worth a traceback; anything else is."""
        if isinstance(sys.exc_info()[1], OSError):
            if os.environ.get("PLANGRAPH_ENDPOINT_LOG"):
                print(f"{client_address}: {sys.exc_info()[1]}", file=sys.stderr)
            return
        super().handle_error(request, client_address)

    def close(self) -> None:
        """Stop serving and stop the query workers."""
        self.shutdown()
        self.server_close()
        self.runner.close()


def start_endpoint(kind: str, location: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = 7878,
                   timeout_s: float = DEFAULT_TIMEOUT_S, workers: int = 2,
                   limits: ServiceLimits | None = None, workspace: Workspace | None = None) -> SparqlServer:
    """Open the graph and serve it from a background thread; ``close()`` stops it.

    Args:
        kind: ``store`` (a pyoxigraph store folder) or ``memory`` (a TriG/N-Quads file
            loaded into pyoxigraph); see :class:`~plangraph.graph.runner.QueryRunner`.
        location: the folder or file.
        port: 0 picks a free port (``server.server_address`` says which).
        workers: queries answered at once.
        limits: connections, timeouts and the query queue (defaults: :class:`ServiceLimits`).
        workspace: the index whose graph ``location`` is: ``/named/NAME`` then answers from
            the rows its plans stored (read before the first request); without it, from the
            query's text.
    """
    runner = QueryRunner(kind, location, timeout_s=timeout_s, workers=workers)
    try:
        server = SparqlServer((host, port), runner, workers, limits, workspace)
    except (OSError, OverflowError) as exc:  # in use, not an address of this machine, unknown name
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot listen on {host}:{port}: {reason}",
                         hint="another program may be listening there: choose another --port (0 picks a "
                              "free one), or a --host address of this machine") from None
    try:
        runner.start()  # the graph opens before the first request, not during it
        if workspace is not None:
            workspace.stored_views()  # so are the plans' rows of the named queries
    except BaseException:
        server.server_close()
        raise
    threading.Thread(target=server.serve_forever, name="plangraph-endpoint", daemon=True).start()
    return server
