"""Push an index's graphs to a remote SPARQL 1.1 store (``plangraph push``).

One named graph per plan (and the ontology graph) goes over the Graph Store HTTP
Protocol: ``PUT <graph-store>?graph=<IRI>`` with the graph as N-Triples replaces it
on the server, ``DELETE`` removes a plan the index no longer has.

Only changed graphs are sent. What the server holds is recorded **on the server**, in
a graph of its own (:data:`PUSH_STATE_GRAPH`: ``<graph> owl:versionInfo
"sha256:…"``), read back through the SPARQL endpoint before each push. Kept there
rather than in a local file, the record cannot drift from the server: a store that
was wiped or restored, or that another machine pushed to, is seen as it is, and a
push from anywhere sends exactly what differs. The record is written after the graphs:
a push cut short leaves an old record, so the next push sends those graphs again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from plangraph.errors import IndexStoreError, QueryError
from plangraph.graph.engines import REGISTRY_GRAPH
from plangraph.graph.httpclient import exchange
from plangraph.graph.vocab import GRAPH

PUSH_STATE_GRAPH = str(GRAPH["push-state"])
_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
STATE_QUERY = f"SELECT ?g ?v WHERE {{ GRAPH <{PUSH_STATE_GRAPH}> {{ ?g <{_VERSION}> ?v }} }}"
HTTP_TIMEOUT_S = 300.0
"""Seconds one request to the graph store may take in all (connect, send, reply)."""
REPLY_BYTES = 1 << 20
"""A graph store answers a PUT or DELETE with a status and a short note: more is not read."""


@dataclass
class PushReport:
    """What a push did, by graph IRI."""

    sent: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    bytes_sent: int = 0


def local_graphs(location: str | os.PathLike[str]) -> dict[str, bytes]:
    """Each named graph of a store folder or TriG/N-Quads file as sorted N-Triples."""
    path = Path(location)
    try:
        if path.is_dir():
            store = ox.Store.read_only(str(path))
        else:
            store = ox.Store()
            store.load(path=str(path), format=ox.RdfFormat.N_QUADS if path.suffix == ".nq" else ox.RdfFormat.TRIG)
    except (OSError, SyntaxError) as exc:
        raise IndexStoreError(f"cannot read the graph at {path}: {exc}") from None
    out: dict[str, bytes] = {}
    for graph in store.named_graphs():
        if not isinstance(graph, ox.NamedNode) or graph.value == REGISTRY_GRAPH:
            continue
        lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n"
                        for q in store.quads_for_pattern(None, None, None, graph)})
        out[graph.value] = "".join(lines).encode("utf-8")
    return out


def version_of(ntriples: bytes) -> str:
    """The content version recorded for a graph: the SHA-256 of its sorted N-Triples."""
    return "sha256:" + hashlib.sha256(ntriples).hexdigest()


def remote_versions(sparql_endpoint: str, timeout_s: float) -> dict[str, str]:
    """What the server's push record says it holds: graph IRI → version."""
    from plangraph.graph.sparql import run_query

    result = run_query(sparql_endpoint, STATE_QUERY, timeout_s=timeout_s)
    return {str(g): str(v) for g, v in result.rows}


def push_graphs(location: str | os.PathLike[str], *, sparql_endpoint: str, graph_store: str,
                timeout_s: float = HTTP_TIMEOUT_S) -> PushReport:
    """Make the remote store hold the index's graphs, sending only those that changed.

    Args:
        location: the index's graph (store folder or ``graph.trig``).
        sparql_endpoint: the server's SPARQL query URL (reads the push record).
        graph_store: the server's Graph Store Protocol URL (``…/store`` on Oxigraph).

    Raises:
        QueryError: the server refused a request or cannot be reached.
    """
    graphs = local_graphs(location)
    remote = remote_versions(sparql_endpoint, timeout_s)
    report = PushReport()
    versions = {iri: version_of(data) for iri, data in graphs.items()}
    for iri, data in graphs.items():
        if remote.get(iri) == versions[iri]:
            report.unchanged.append(iri)
            continue
        _request("PUT", graph_store, iri, data, timeout_s)
        report.sent.append(iri)
        report.bytes_sent += len(data)
    for iri in sorted(set(remote) - set(graphs)):
        _request("DELETE", graph_store, iri, None, timeout_s)
        report.removed.append(iri)
    if report.sent or report.removed or set(remote) != set(graphs):
        record = "".join(f"<{iri}> <{_VERSION}> \"{v}\" .\n" for iri, v in sorted(versions.items()))
        _request("PUT", graph_store, PUSH_STATE_GRAPH, record.encode("utf-8"), timeout_s)
    return report


def _request(method: str, graph_store: str, graph: str, body: bytes | None, timeout_s: float) -> None:
    url = f"{graph_store}{'&' if '?' in graph_store else '?'}graph={quote(graph, safe='')}"
    headers = {"Content-Type": "application/n-triples"} if body is not None else {}
    reply = exchange(method, url, body=body, headers=headers, deadline_s=timeout_s, max_bytes=REPLY_BYTES)
    if method == "DELETE" and reply.status == 404:  # already gone
        return
    if reply.status >= 300:
        raise QueryError(f"{method} {url} answered {reply.status} {reply.reason}: {reply.detail()}")
