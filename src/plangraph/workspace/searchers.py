"""Which searcher a workspace opens: the index's own search files, or Milvus.

``--search-backend milvus:URI`` (or ``PLANGRAPH_SEARCH_BACKEND=milvus:URI`` in the
environment, which the app reads too) sends searches to the Milvus collections that
:func:`plangraph.workspace.searchbackend.push_search` filled from the index's per-plan
shards; ``local`` (the default) searches the index folder itself. Either way the graph,
the plans and the entities come from the index folder, and the hits cite the same
passages. Both backends are listed in :data:`plangraph.extensions.SEARCH_BACKENDS` and
satisfy :class:`plangraph.search.read.backend.SearchBackend`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.errors import IndexStoreError
from plangraph.extensions import SEARCH_BACKENDS
from plangraph.graph.iris import passage_iri
from plangraph.search.milvus import SCHEME, MilvusStore, parse_backend
from plangraph.search.read.scope import PlanProfile

if TYPE_CHECKING:
    from plangraph.search.encoders import Encoder
    from plangraph.search.index import PassageIndex
    from plangraph.search.read.backend import SearchBackend
    from plangraph.search.read.milvus_search import MilvusSearcher
    from plangraph.search.read.searcher import Searcher
    from plangraph.workspace.core import Workspace

SEARCH_BACKEND_ENV = "PLANGRAPH_SEARCH_BACKEND"


def backend_uri(spec: str | None) -> str | None:
    """The Milvus URI that ``spec`` (else ``$PLANGRAPH_SEARCH_BACKEND``) names; None
    for the index's own search.

    Raises:
        UsageError: a value that is neither ``local`` nor ``milvus:URI``.
    """
    return parse_backend(spec if spec is not None else os.environ.get(SEARCH_BACKEND_ENV))


def search_index(path: Path, manifest: dict[str, Any], encoders: list[Encoder] | None = None) -> PassageIndex:
    """The search index of the index folder ``path`` (its manifest's ``search`` folder)."""
    from plangraph.search.index import open_index  # looked up at call time: tests count the opens

    return open_index(path / manifest["search"], encoders)


def open_searcher(ws: Workspace) -> SearchBackend:
    """The searcher of ``ws``: a :class:`~plangraph.search.read.searcher.Searcher` over the
    index folder, or a :class:`~plangraph.search.read.milvus_search.MilvusSearcher` when
    the workspace's search backend is Milvus.

    Raises:
        IndexStoreError: Milvus unreachable, built with other encoders, or holding
            other plans than the index (it was not pushed since the last change).
    """
    from plangraph.search.encoders import get_encoder  # looked up at call time: tests count the loads

    encoders = [get_encoder(e) for e in ws.manifest["encoders"]]
    options: dict[str, Any] = {"entities_for": ws.entities_for,
                               "passage_iri": lambda p: str(passage_iri(p.plan_id, p.passage_id)),
                               "plans": [PlanProfile.from_meta(p["meta"]) for p in ws.plans()]}
    uri = backend_uri(ws.search_backend)
    if uri is None:
        local: type[Searcher] = SEARCH_BACKENDS["local"].load()
        return local(search_index(ws.path, ws.manifest, encoders), encoders, **options)
    remote: type[MilvusSearcher] = SEARCH_BACKENDS[SCHEME].load()
    shards = {data.plan: name for name, data in search_index(ws.path, ws.manifest).shards}
    store = MilvusStore(uri)
    searcher = remote(store, encoders, shards, **options)
    held = store.synced()
    if held != shards:
        differ = sorted(p for p in set(held) | set(shards) if held.get(p) != shards.get(p))
        raise IndexStoreError(
            f"Milvus at {uri} does not hold the index {ws.path} as it is now "
            f"(plans that differ: {', '.join(differ)})",
            hint=f"copy it there: plangraph push-search --index {ws.path} --search-backend {SCHEME}{uri}")
    return searcher
