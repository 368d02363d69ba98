"""Sections and passages from the body lines of a plan.

Headings nest by rank (``第一部分`` > ``第一章``/``一、`` > ``(一)`` > ``1.``), numbered
paragraphs that carry their heading inline open a section of their own, and every
piece of running text becomes a :class:`~plangraph.model.Passage`: a paragraph, a
sentence window of a very long paragraph, a ``——`` lead paragraph, or a table row.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from plangraph.ingest.layout import (
    MAX_HEADING_CHARS,
    NAMED_RANK,
    HeadingMatch,
    Line,
    match_column,
    match_heading,
    topic_sentence,
)
from plangraph.model import Passage, Section, Table
from plangraph.text import sentence_spans

MAX_PARAGRAPH_CHARS = 300
"""Paragraphs longer than this are cut into sentence windows."""
WINDOW_CHARS = 200
MAX_SENTENCE_CHARS = 600
"""A "sentence" longer than this (a line with no sentence ends: a pasted table, a file
with its line breaks lost) is wrapped into pieces of :data:`WINDOW_CHARS`, cut after a
comma or space where there is one, so that no passage grows with the file."""
_SOFT_BREAKS = ",，、;:： "
WINDOW_ENDS = "。"
"""Windows of a long paragraph are cut at full stops (the pattern this replaced also listed
``！？；``, which normalisation has already made ``!?;``, so it cut at ``。`` alone)."""
WINDOW_CLOSERS = "”’」』)"
"""A closing quote or bracket right after a full stop stays with its sentence."""
_LEAD = re.compile(r"^——\s*([^。]{2,40})。")
COLUMN_RANK = 9


@dataclass(frozen=True)
class Segmented:
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    passages: tuple[Passage, ...]


def _digest(*parts: str, n: int = 12) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


class _Ids:
    """Content-derived ids, with an occurrence counter for repeated content."""

    def __init__(self, plan_id: str) -> None:
        self.plan_id = plan_id
        self.seen: Counter[tuple[str, str]] = Counter()

    def make(self, tag: str, content: str) -> str:
        key = (tag, content)
        n = self.seen[key]
        self.seen[key] += 1
        return f"{self.plan_id}-{tag}-{_digest(self.plan_id, content, str(n))}"


def plan_of_id(item_id: str) -> str:
    """The plan id within a passage or section id (``<plan>-<tag>-<digest>``, see :class:`_Ids`)."""
    head, _, _ = item_id.rpartition("-")
    return head.rpartition("-")[0] if head else ""


def _wrap(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut into pieces of at most :data:`WINDOW_CHARS`, white space trimmed."""
    out: list[tuple[int, int]] = []
    s = start
    while s < end:
        while s < end and norm[s].isspace():
            s += 1
        if s >= end:
            break
        e = min(s + WINDOW_CHARS, end)
        if e < end:
            # cut after the last soft break of the second half, if there is one
            cut = max(norm.rfind(ch, s + WINDOW_CHARS // 2, e) for ch in _SOFT_BREAKS)
            if cut > s:
                e = cut + 1
        piece_end = e
        while piece_end > s and norm[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > s:
            out.append((s, piece_end))
        s = e
    return out


def _windows(line: Line, norm: str) -> list[tuple[int, int]]:
    if len(line.text) <= MAX_PARAGRAPH_CHARS:
        return [(line.start, line.end)]
    spans: list[tuple[int, int]] = []
    for s, e in sentence_spans(norm, line.start, line.end, ends=WINDOW_ENDS, closers=WINDOW_CLOSERS,
                               min_chars=1, whole=False):
        spans.extend(_wrap(norm, s, e) if e - s > MAX_SENTENCE_CHARS else [(s, e)])
    out: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for s, e in spans:
        if cur is None:
            cur = (s, e)
        elif e - cur[0] <= WINDOW_CHARS:
            cur = (cur[0], e)
        else:
            out.append(cur)
            cur = (s, e)
    if cur is not None:
        out.append(cur)
    return out


ROW_TITLE_SEP = " | "


def row_cells(content: str) -> str:
    """A table row's indexed text without the table title in front: its cells only."""
    return content.split(ROW_TITLE_SEP, 1)[-1]


def _row_content(table: Table, index: int) -> str:
    """A table row as searchable text: title, then each cell labelled by its column."""
    row = table.rows[index]
    name_col = table.columns.index("指标") if "指标" in table.columns else 0
    parts = []
    if row.group is not None and not any(c is row.group for c in row.cells):
        parts.append(row.group.value)
    for n, (col, cell) in enumerate(zip(table.columns, row.cells)):
        if cell is None:
            continue
        value = cell.value
        if n == name_col and row.sublabel is not None:
            value = f"{value} {row.sublabel.value}"
        parts.append(f"{col}: {value}")
    return table.title + ROW_TITLE_SEP + "; ".join(parts)


def segment(plan_id: str, original: str, norm: str, lines: list[Line],
            tables: list[tuple[int, int, Table]], title_line: int | None,
            marked: dict[int, int] | None = None) -> Segmented:
    """Build sections and passages from body ``lines`` and the tables found in them.

    ``marked`` maps the start offset of a line to the heading level its source marks it
    with (an HTML ``<h2>``, a Word heading style, larger PDF type): such a line is a
    heading even without a number (``发展目标``).
    """
    ids = _Ids(plan_id)
    matches: dict[int, HeadingMatch] = {}
    for n, line in enumerate(lines):
        if n == title_line:
            continue
        h = match_heading(line.text)
        if h is not None:
            matches[n] = h
    if marked:
        matches.update(_marked_headings(lines, matches, marked, title_line))
    ranks = [h.rank for h in matches.values() if h.rank != NAMED_RANK]
    named_rank = min(ranks) if ranks else 1
    table_at = {start: (end, table) for start, end, table in tables}

    sections: list[Section] = []
    stack: list[tuple[int, Section]] = []
    passages: list[Passage] = []
    out_tables: list[Table] = []

    def current() -> Section | None:
        return stack[-1][1] if stack else None

    def open_section(rank: int, kind: str, number: str, title: str, start: int, end: int) -> Section:
        while stack and stack[-1][0] >= rank:
            stack.pop()
        parent = current()
        path = (parent.path if parent else ()) + (title,)
        sec = Section(ids.make("s", "/".join(path)), plan_id, len(path), kind, number,  # type: ignore[arg-type]
                      title, path, parent.section_id if parent else None, start, end)
        sections.append(sec)
        stack.append((rank, sec))
        return sec

    def add_passage(kind: str, start: int, end: int, content: str, topic: str | None = None,
                    table_id: str | None = None, row_index: int | None = None) -> None:
        sec = current()
        passages.append(Passage(
            ids.make("p", content), plan_id, kind, len(passages), start, end,  # type: ignore[arg-type]
            original[start:end], content, sec.section_id if sec else None,
            sec.path if sec else (), table_id, row_index, topic))

    n = 0
    while n < len(lines):
        line = lines[n]
        if n == title_line:
            n += 1
            continue
        if n in table_at:
            end, table = table_at[n]
            sec = current()
            table = replace(table, section_id=sec.section_id if sec else None)
            out_tables.append(table)
            for r, row in enumerate(table.rows):
                add_passage("table_row", row.start, row.end, _row_content(table, r),
                            table_id=table.table_id, row_index=r)
            n = end
            continue
        h = matches.get(n)
        if h is not None:
            rank = named_rank if h.rank == NAMED_RANK else h.rank
            kind = {"part": "part", "chapter": "chapter"}.get(h.style, "inline" if h.inline else "heading")
            if h.inline:
                title_end = line.start + h.title_len
                open_section(rank, kind, h.number, h.title, line.start, title_end)
                _add_paragraph(add_passage, line, norm, topic=h.title)
            else:
                open_section(rank, kind, h.number, h.title, line.start, line.end)
            n += 1
            continue
        col = match_column(line.text)
        if col is not None:
            open_section(COLUMN_RANK, "column", col[0], col[1], line.start, line.end)
            n += 1
            continue
        lead = _LEAD.match(line.text)
        if lead:
            _add_paragraph(add_passage, line, norm, topic=lead.group(1), kind="lead")
        else:
            _add_paragraph(add_passage, line, norm, topic=topic_sentence(line.text))
        n += 1
    return Segmented(tuple(sections), tuple(out_tables), tuple(passages))


def _marked_headings(lines: list[Line], matches: dict[int, HeadingMatch], marked: dict[int, int],
                     title_line: int | None) -> dict[int, HeadingMatch]:
    """Headings the markup marks that carry no number: ranked like the numbered headings
    the markup puts at the same level (else one below the level above them)."""
    rank_of: dict[int, int] = {}
    for n, h in matches.items():
        level = marked.get(lines[n].start)
        if level is not None and not h.inline and h.rank != NAMED_RANK:
            rank_of.setdefault(level, h.rank)
    top = min((lvl for n, line in enumerate(lines) if n != title_line
               and (lvl := marked.get(line.start)) is not None), default=1)
    out = {}
    for n, line in enumerate(lines):
        level = marked.get(line.start)
        if level is None or n in matches or n == title_line or len(line.text) > MAX_HEADING_CHARS \
                or any(ch in line.text for ch in "。；;！？") or "\t" in line.text:
            continue
        out[n] = HeadingMatch(rank_of.get(level, level - top + 1), "marked", "", line.text, False, len(line.text))
    return out


def _add_paragraph(add_passage: Callable[..., None], line: Line, norm: str, topic: str | None,
                   kind: str = "paragraph") -> None:
    windows = _windows(line, norm)
    if len(windows) == 1:
        add_passage(kind, line.start, line.end, line.text, topic)
        return
    for s, e in windows:
        add_passage("window", s, e, norm[s:e], topic)
