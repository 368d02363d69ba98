"""Where a workspace's search runs: the index's own search files, or Milvus.

``--search-backend milvus:URI`` (or ``PLANGRAPH_SEARCH_BACKEND=milvus:URI`` in the
environment, which the app reads too) sends searches to the Milvus collections that
:func:`push_search` filled from the index's per-plan shards; ``local`` (the default)
searches the index folder itself. Either way the graph, the plans and the entities
come from the index folder, and the hits cite the same passages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.errors import IndexStoreError, UsageError
from plangraph.search.milvus import SCHEME, parse_backend

if TYPE_CHECKING:
    from plangraph.search.index import PassageIndex
    from plangraph.search.milvus_sync import SyncReport
    from plangraph.search.searcher import Searcher
    from plangraph.workspace.core import Workspace

SEARCH_BACKEND_ENV = "PLANGRAPH_SEARCH_BACKEND"


def backend_uri(spec: str | None) -> str | None:
    """The Milvus URI that ``spec`` (else ``$PLANGRAPH_SEARCH_BACKEND``) names; None
    for the index's own search.

    Raises:
        UsageError: a value that is neither ``local`` nor ``milvus:URI``.
    """
    return parse_backend(spec if spec is not None else os.environ.get(SEARCH_BACKEND_ENV))


def _search_index(ws: Workspace, encoders: Any = None) -> PassageIndex:
    from plangraph.search.build import open_index

    return open_index(ws.path / ws.manifest["search"], encoders)


def open_searcher(ws: Workspace) -> Searcher:
    """The searcher of ``ws``: a :class:`~plangraph.search.searcher.Searcher` over the
    index folder, or a :class:`~plangraph.search.milvus_search.MilvusSearcher` when
    the workspace's search backend is Milvus.

    Raises:
        IndexStoreError: Milvus unreachable, built with other encoders, or holding
            other plans than the index (it was not pushed since the last change).
    """
    from plangraph.graph.iris import passage_iri
    from plangraph.search.encoders import get_encoder
    from plangraph.search.scope import PlanProfile
    from plangraph.search.searcher import Searcher

    encoders = [get_encoder(e) for e in ws.manifest["encoders"]]
    options: dict[str, Any] = {"entities_for": ws.entities_for,
                               "passage_iri": lambda p: str(passage_iri(p.plan_id, p.passage_id)),
                               "plans": [PlanProfile.from_meta(p["meta"]) for p in ws.plans()]}
    uri = backend_uri(ws.search_backend)
    if uri is None:
        return Searcher(_search_index(ws, encoders), encoders, **options)
    from plangraph.search.milvus import MilvusStore
    from plangraph.search.milvus_search import MilvusSearcher

    shards = {data.plan: name for name, data in _search_index(ws).shards}
    store = MilvusStore(uri)
    searcher = MilvusSearcher(store, encoders, shards, **options)
    held = store.synced()
    if held != shards:
        differ = sorted(p for p in set(held) | set(shards) if held.get(p) != shards.get(p))
        raise IndexStoreError(
            f"Milvus at {uri} does not hold the index {ws.path} as it is now "
            f"(plans that differ: {', '.join(differ)})",
            hint=f"copy it there: plangraph push-search --index {ws.path} --search-backend {SCHEME}{uri}")
    return searcher


def push_search(index: str | Path | None, spec: str | None = None, *, lexical: str | None = None,
                recreate: bool = False) -> SyncReport:
    """Copy the search index of the index folder ``index`` to the Milvus that ``spec``
    (else ``$PLANGRAPH_SEARCH_BACKEND``) names, plan by plan: only plans added,
    replaced or removed since the last push are written or deleted.

    Args:
        index: the index folder (None: the default one).
        spec: ``milvus:URI``.
        lexical: the tokenisation (``bigram``, ``jieba``, ``bigram+jieba``); None keeps the
            collection's (``bigram`` for a new one).
        recreate: drop the collections first (after a change of encoders or tokenisation).

    Raises:
        UsageError: no Milvus backend named.
        IndexStoreError: Milvus unreachable, or its collection holds other encoders.
    """
    from plangraph.search.milvus_sync import sync_index
    from plangraph.workspace.core import Workspace

    uri = backend_uri(spec)
    if uri is None:
        raise UsageError("push-search needs a Milvus backend: --search-backend milvus:URI",
                         hint=f"or set {SEARCH_BACKEND_ENV}=milvus:URI (a .db file or http://HOST:19530)")
    ws = Workspace(index)
    return sync_index(_search_index(ws), uri, lexical=lexical, recreate=recreate)
