"""How well hits answer a question, whatever else the index holds: each hit's cosine
with the question under each encoder (read by :mod:`plangraph.analysis.strength`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from plangraph.model import Hit

if TYPE_CHECKING:
    from plangraph.search.read.backend import SearchBackend
    from plangraph.search.read.searcher import Searcher


def cosines(backend: SearchBackend, query: str, hits: Sequence[Hit]) -> list[dict[str, float]]:
    """Each hit's cosine similarity with ``query`` under each encoder of ``searcher``'s
    index: with its best sentence for encoders that score sentences, else with the
    passage. The query vectors are those the search computed (the searcher keeps them),
    and only the hits' own rows (and shards) are read."""
    own: Callable[[str, Sequence[Hit]], list[dict[str, float]]] | None = getattr(backend, "cosines", None)
    if own is not None:  # a Milvus searcher reads the hits' vectors itself
        return list(own(query, hits))
    searcher = cast("Searcher", backend)  # the local searcher: its index holds the vectors
    index = searcher.index
    out: list[dict[str, float]] = [{} for _ in hits]
    if not hits:
        return out
    rows = [index.row_in_plan(h.plan, h.passage_id) for h in hits]  # the hits' shards only
    for name in searcher.encoders:
        qvec = searcher.query_vector(name, searcher.dense_query(query))
        for cos, row in zip(out, rows):
            cos[name] = (index.best_sentence_score(name, row, qvec) if name in index.sentence_vectors
                         else float(index.dense[name].row(row) @ qvec))
    return out
