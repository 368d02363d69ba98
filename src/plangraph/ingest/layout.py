"""Lines of a plan and what each line looks like: heading patterns of Chinese plans.

Works on the normalised text (full-width brackets are already ``(``/``)``), and keeps
each line's offsets into the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_NUM = "一二三四五六七八九十百零〇两"

# Order matters: the first pattern that matches a line decides its kind.
_HEADINGS: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("part", 0, re.compile(rf"^第([{CN_NUM}]+)部分\s*(.*)$")),
    ("chapter", 1, re.compile(rf"^第([{CN_NUM}\d]+)章\s*(.*)$")),
    ("jie", 2, re.compile(rf"^第([{CN_NUM}\d]+)节\s*(.*)$")),
    ("cn", 1, re.compile(rf"^([{CN_NUM}]+)、\s*(.+)$")),
    ("paren", 2, re.compile(rf"^\(([{CN_NUM}]+)\)\s*(.+)$")),
    ("arabic", 3, re.compile(r"^(\d{1,2})[.、](?!\d{1,2}(?:\D|$))\s*(.+)$")),
)
_COLUMN = re.compile(r"^专栏\s*(\d*)\s*[:：]?\s*(.*)$")
_NUMERIC = re.compile(r"^[\d.~%<>≥≤=:\- ]+$")
_SENTENCE_END = "。！？"

MAX_HEADING_CHARS = 40
"""A heading line is short; a longer numbered line is a paragraph with its heading inline."""

MAX_INLINE_TITLE_CHARS = 40


@dataclass(frozen=True)
class Line:
    """A non-blank line: offsets of its stripped text in the original, and that text
    normalised."""

    start: int
    end: int
    text: str
    index: int


@dataclass(frozen=True)
class HeadingMatch:
    """How a line opens a section."""

    rank: int
    style: str
    number: str
    title: str
    inline: bool
    title_len: int
    """Characters of the line (from its start) that make up number and title."""


def split_lines(norm: str) -> list[Line]:
    """Non-blank lines of the normalised text, with offsets into it (and the original)."""
    lines: list[Line] = []
    pos = 0
    for raw in norm.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            lines.append(Line(start, start + len(stripped), stripped, len(lines)))
        pos += len(raw) + 1
    return lines


def first_sentence(text: str) -> str | None:
    """The text up to and including the first sentence end, if there is one."""
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END:
            return text[: i + 1]
    return None


def is_numeric(text: str) -> bool:
    return bool(_NUMERIC.match(text))


NAMED_HEADINGS = frozenset({"序言", "前言", "引言", "总则", "实施", "结束语", "结语", "附则", "附件"})
NAMED_RANK = -1
"""Rank placeholder for unnumbered headings; the segmenter puts them at the top rank
that the plan's numbered headings use."""


def match_heading(text: str) -> HeadingMatch | None:
    """Classify ``text`` as a heading line, an inline-headed paragraph, or neither."""
    if is_numeric(text):
        return None
    if text.replace(" ", "") in NAMED_HEADINGS:
        return HeadingMatch(NAMED_RANK, "named", "", text.replace(" ", ""), False, len(text))
    for style, rank, pattern in _HEADINGS:
        m = pattern.match(text)
        if not m:
            continue
        number, rest = m.group(1), m.group(2).strip()
        body_start = m.start(2)
        if len(text) <= MAX_HEADING_CHARS and not any(ch in rest[:-1] for ch in _SENTENCE_END):
            title = rest.rstrip("。").strip()
            if style in ("part", "chapter", "jie") and not title:
                title = text
            if not title:
                return None
            return HeadingMatch(rank, style, number, title, False, len(text))
        lead = first_sentence(rest)
        if lead and len(lead) <= MAX_INLINE_TITLE_CHARS:
            return HeadingMatch(rank, style, number, lead.rstrip("。！？"), True, body_start + len(lead))
        return None
    return None


def match_column(text: str) -> tuple[str, str] | None:
    """``专栏1：教育事业发展主目标`` → ("1", "教育事业发展主目标")."""
    m = _COLUMN.match(text)
    if m and len(text) <= MAX_HEADING_CHARS:
        return m.group(1), m.group(2).strip() or text
    return None


def topic_sentence(text: str, limit: int = 20) -> str | None:
    """The short opening sentence that names a paragraph's topic (``优化学前教育布局。``)."""
    lead = first_sentence(text)
    if lead and 4 <= len(lead) <= limit and len(lead) < len(text) and "," not in lead:
        return lead.rstrip("。！？")
    return None
