"""Sentences of a passage, the units that sentence-level dense retrieval scores.

A paragraph of a plan often packs several commitments into one passage
(``…深化中考制度改革,完善初中学业水平考试;…``). Its single vector is an average of
all of them, so a question about one commitment matches it weakly. Scoring each
sentence and giving the passage its best sentence's score (MaxP) keeps the passage
as the unit of citation while matching at the level people ask at.

A sentence ends after ``。`` ``;`` ``!`` ``?`` (full- or half-width). Table rows,
whose cells are joined with ``; ``, split into cells, the first keeping the table
title. Pieces shorter than :data:`MIN_CHARS` (list numbers, stray punctuation) are
not units of their own.
"""

from __future__ import annotations

import re

MIN_CHARS = 4
LEVELS = ("auto", "all", "none")
"""Which encoders embed sentences: those that measured better for it, all, none."""
_END_RE = re.compile(r"[。;；!?！？]+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences of ``text``, white space trimmed.

    Every span indexes ``text``; a text with no piece of :data:`MIN_CHARS`
    characters is one span of its own trimmed length.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END_RE.finditer(text):
        _add(spans, text, start, m.end())
        start = m.end()
    _add(spans, text, start, len(text))
    if not spans:
        stripped = text.strip()
        begin = text.find(stripped) if stripped else 0
        return [(begin, begin + len(stripped))] if stripped else [(0, len(text))]
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    s, e = start + lead, end - trail
    if e - s >= MIN_CHARS:
        spans.append((s, e))


def sentences(text: str) -> list[str]:
    """The sentence texts of ``text`` (see :func:`sentence_spans`)."""
    return [text[s:e] for s, e in sentence_spans(text)]
