"""The ``exact`` retriever of a local index: the passages that hold the whole query
verbatim after Unicode folding (:mod:`plangraph.search.read.searcher` fuses it).

The lexical index lists the passages holding every character pair of the phrase, best
BM25 first (:meth:`~plangraph.search.lexical_index.LexicalIndex.phrase_candidates`); their
text says which hold the phrase itself. Those candidates come from many plans (at 500
plans, ``乡村教师培训`` had 161 candidates in 142 plans), so only the candidates' own lines
of each shard are read (:meth:`~plangraph.search.index.PassageIndex.contents`), a batch at a
time until enough hold the phrase: reading every one of those shards' passages made a
second question take 3-4 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from plangraph.text import fold_compact

if TYPE_CHECKING:
    import numpy as np

    from plangraph.search.index import PassageIndex

EDGE_PUNCT = " \t\r\n?？!！.。,，;；:：\"'“”‘’()（）"
"""Stripped from both ends of the folded query."""
BATCH = 256
"""Candidates whose text is read at a time."""


def query_phrase(query: str) -> str:
    """What the exact retriever looks for: the folded query without edge punctuation."""
    return fold_compact(query).strip(EDGE_PUNCT)


class PhraseRows:
    """The exact retriever over one opened index; the folded texts it reads are kept."""

    def __init__(self, index: PassageIndex) -> None:
        self.index = index
        self._folded: dict[int, str] = {}

    def rows(self, query: str, allowed: np.ndarray | None, depth: int) -> list[int]:
        """The first ``depth`` passage rows holding ``query`` (folded), best BM25 first;
        ``allowed`` (one bool per row) keeps only some. Empty for a phrase under three
        characters: two characters are one BM25 bigram already, so the list would only
        repeat BM25."""
        phrase = query_phrase(query)
        if len(phrase) < 3:
            return []
        candidates = self.index.lexical.phrase_candidates(phrase, query, len(self.index), self.index.shard_rows)
        return self.holding(phrase, [r for r, _ in candidates if allowed is None or allowed[r]], depth)

    def holding(self, phrase: str, rows: Sequence[int], depth: int) -> list[int]:
        """The first ``depth`` of ``rows`` whose folded text holds ``phrase``."""
        found: list[int] = []
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            missing = [r for r in batch if r not in self._folded]
            for row, text in self.index.contents(missing).items():
                self._folded[row] = fold_compact(text)
            found.extend(r for r in batch if phrase in self._folded[r])
            if len(found) >= depth:
                break
        return found[:depth]
