"""Page blocks of a PDF (text lines and tables, in reading order) → canonical text:
lines joined back into paragraphs, headings ranked by type size, running headers and
footers dropped, a table's header repeated after a page break removed. The rules are
those :mod:`.pdf` describes; the blocks come from its text layer or from OCR."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from plangraph.ingest.formats.canonical import Canonical, TextBuilder

MARGIN_BAND = 0.08
"""Fraction of the page height at top and bottom where running headers/footers live."""


@dataclass(frozen=True)
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    gapped: bool = False
    """Words set apart by wide gaps: a row of an unruled table, never part of a paragraph."""


@dataclass(frozen=True)
class Tab:
    page: int
    top: float
    rows: tuple[tuple[str, ...], ...]
    merged: int


def _mask(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def drop_running_chrome(pages: list[list[Line | Tab]], heights: Sequence[float]) -> int:
    """Remove margin-band lines whose digit-masked text recurs on most pages (≥ 2)."""
    def in_band(b: Line | Tab, h: float) -> bool:
        return isinstance(b, Line) and (b.bottom < h * MARGIN_BAND or b.top > h * (1 - MARGIN_BAND))

    counts: Counter[str] = Counter()
    for blocks, h in zip(pages, heights):
        counts.update({_mask(b.text) for b in blocks if in_band(b, h) and isinstance(b, Line)})
    with_text = sum(1 for b in pages if b)
    need = max(2, (with_text + 1) // 2)
    running = {k for k, v in counts.items() if v >= need}
    dropped = 0
    for i, (blocks, h) in enumerate(zip(pages, heights)):
        keep = [b for b in blocks if not (in_band(b, h) and isinstance(b, Line) and _mask(b.text) in running)]
        dropped += len(blocks) - len(keep)
        pages[i] = keep
    return dropped


def assemble(pages: list[list[Line | Tab]], findings: list[str]) -> Canonical:
    lines = [b for bs in pages for b in bs if isinstance(b, Line)]
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[ln.size] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    body_lines = [ln for ln in lines if abs(ln.size - body) < 0.6] or lines
    right = _percentile([ln.x1 for ln in body_lines], 0.95)
    left = _percentile([ln.x0 for ln in body_lines], 0.05)
    heading_sizes = sorted({ln.size for ln in lines if ln.size >= body * 1.1}, reverse=True)
    level = {s: i + 1 for i, s in enumerate(heading_sizes)}

    out = TextBuilder()
    prev: Line | Tab | None = None
    repeated_headers = 0
    for blocks in pages:
        out.page()
        for b in blocks:
            if isinstance(b, Tab):
                rows = b.rows
                if (isinstance(prev, Tab) and prev.page == b.page - 1 and rows and prev.rows
                        and len(rows[0]) == len(prev.rows[0]) and rows[0] == _header_of(prev)):
                    rows = rows[1:]
                    repeated_headers += 1
                out.table(rows, b.merged)
                prev = Tab(b.page, b.top, _with_header(prev, b), b.merged)
                continue
            heading = level.get(b.size)
            if isinstance(prev, Line) and heading is None and _continues(prev, b, body, left, right, level):
                out.append_to_last(b.text)
            else:
                out.line(b.text, heading)
            prev = b
    if repeated_headers:
        findings.append(f"{repeated_headers} table header row(s) repeated after a page break removed")
    return out.build("pdf", findings)


def _header_of(tab: Tab) -> tuple[str, ...]:
    return tab.rows[0]


def _with_header(prev: Line | Tab | None, cur: Tab) -> tuple[tuple[str, ...], ...]:
    """Remember the first header of a table that runs over pages."""
    if isinstance(prev, Tab) and prev.page == cur.page - 1 and prev.rows and cur.rows \
            and cur.rows[0] == prev.rows[0]:
        return prev.rows[:1] + cur.rows[1:]
    return cur.rows


def _continues(prev: Line, cur: Line, body: float, left: float, right: float, level: dict[float, int]) -> bool:
    if prev.size in level or abs(prev.size - cur.size) > 0.6 or prev.gapped or cur.gapped:
        return False
    if prev.x1 < right - 2 * cur.size:  # previous line stops short: paragraph end
        return False
    if cur.x0 > left + 0.5 * cur.size:  # first-line indent or centred: a new block
        return False
    if cur.page == prev.page:
        return 0 <= cur.top - prev.bottom <= 0.9 * cur.size
    return cur.page == prev.page + 1


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]
