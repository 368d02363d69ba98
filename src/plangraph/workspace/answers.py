"""How well hits answer a question, whatever else the index holds: each hit's cosine
with the question under each encoder (read by :mod:`plangraph.analysis.strength`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plangraph.model import Hit


def cosines(searcher: Any, query: str, hits: Sequence[Hit]) -> list[dict[str, float]]:
    """Each hit's cosine similarity with ``query`` under each encoder of ``searcher``'s
    index: with its best sentence for encoders that score sentences, else with the
    passage. The query is encoded once per encoder."""
    index = searcher.index
    rows = {p.passage_id: i for i, p in enumerate(index.passages)}
    out: list[dict[str, float]] = [{} for _ in hits]
    if not hits:
        return out
    for name, encoder in searcher.encoders.items():
        qvec = encoder.encode_queries([searcher.dense_query(query)])[0]
        best = index.sentence_scores(name, qvec) if name in index.sentence_vectors else None
        for cos, h in zip(out, hits):
            row = rows[h.passage_id]
            cos[name] = float(best[row] if best is not None else index.dense[name].row(row) @ qvec)
    return out
