"""Copy an index's search to Milvus, and name the backend a workspace searches.

``--search-backend milvus:URI`` (or ``PLANGRAPH_SEARCH_BACKEND=milvus:URI``) sends a
workspace's searches to Milvus collections (:mod:`plangraph.workspace.searchers` opens
them); :func:`push_search` fills those collections from the index's per-plan shards.
"""

from __future__ import annotations

from pathlib import Path

from plangraph.errors import UsageError
from plangraph.search.write.milvus_sync import SyncReport, sync_index
from plangraph.workspace.core import Workspace
from plangraph.workspace.searchers import SEARCH_BACKEND_ENV, backend_uri, search_index

__all__ = ["SEARCH_BACKEND_ENV", "backend_uri", "push_search"]


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
    uri = backend_uri(spec)
    if uri is None:
        raise UsageError("push-search needs a Milvus backend: --search-backend milvus:URI",
                         hint=f"or set {SEARCH_BACKEND_ENV}=milvus:URI (a .db file or http://HOST:19530)")
    ws = Workspace(index)
    return sync_index(search_index(ws.path, ws.manifest), uri, lexical=lexical, recreate=recreate)
