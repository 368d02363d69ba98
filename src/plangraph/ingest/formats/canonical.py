"""The canonical extracted text every reader produces, and the builder readers share.

Conventions of the canonical text (what plangraph's text pipeline already reads):

* one block per line: a paragraph, a heading, or a table row; lines end with ``\\n``;
* a table row is its cells joined by ``\\t``; inside a cell, tabs and line breaks are
  spaces; prose lines never contain a tab (a tab would make them look like a row);
* no blank lines, no leading or trailing spaces on a line.

Citation offsets index this text, so it is stored with the index; ``pages`` maps
offsets to pages for paged formats.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from plangraph.ingest.limits import MAX_TABLE_CELLS, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS
from plangraph.model import OcrSpan

FORMATS = ("text", "html", "docx", "pdf")

_SPACES = re.compile(r"[ \t\r\n\f\v\xa0\u2000-\u200b\u202f\u205f]+")
_EDGE = " \u3000\ufeff"


@dataclass(frozen=True)
class Canonical:
    """A plan file as canonical text.

    Attributes:
        text: The canonical text (see module doc).
        format: Which reader made it: one of :data:`FORMATS`.
        pages: Offset in ``text`` where each page starts (page 1 first, so ``pages[0]
            == 0``); empty for formats without pages.
        findings: Things the reader noticed and the user may want to know
            (chrome removed, merged cells repeated, pages without text …).
        headings: ``(offset, level)`` of lines the source marked as headings (HTML
            ``<h1>``–``<h6>``, Word heading styles / outline levels, larger PDF type),
            level 1 the highest. The text pipeline may use it or ignore it.
        encoding: How the bytes were decoded, for text and HTML files; None for
            formats that carry Unicode themselves (DOCX, PDF).
        ocr: The lines of ``text`` read by OCR from scanned PDF pages, in text order
            (empty when no page was a scan).
    """

    text: str
    format: str
    pages: tuple[int, ...] = ()
    findings: tuple[str, ...] = ()
    headings: tuple[tuple[int, int], ...] = field(default=())
    encoding: str | None = None
    ocr: tuple[OcrSpan, ...] = ()

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}; choose one of: {', '.join(FORMATS)}")
        if self.pages:
            if self.pages[0] != 0:
                raise ValueError("pages[0] must be 0")
            if any(b < a for a, b in zip(self.pages, self.pages[1:])) or self.pages[-1] > len(self.text):
                raise ValueError("page offsets must be ascending and within the text")
        if any(not 0 <= off < len(self.text) for off, _ in self.headings):
            raise ValueError("heading offset outside the text")

    def page_of(self, offset: int) -> int | None:
        """1-based page holding ``offset``, or None when the format has no pages."""
        if not self.pages:
            return None
        return bisect.bisect_right(self.pages, offset)


def clean_line(text: str) -> str:
    """A prose line: whitespace runs (tabs, NBSP, newlines) become one space; edges stripped."""
    return _SPACES.sub(" ", text).strip(_EDGE)


def clean_cell(text: str) -> str:
    """A table cell: like :func:`clean_line`; its newlines and tabs become spaces."""
    return clean_line(text)


_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d\u2014\u2026"
                   r"\U00020000-\U0003ffff]")


def is_wide(ch: str) -> bool:
    """A CJK character or CJK/full-width punctuation (incl. “ ” ‘ ’ — … as Chinese text uses them)."""
    return bool(ch) and bool(_WIDE.match(ch))


def join_wrapped(parts: Sequence[str]) -> str:
    """Join pieces separated by a line wrap: nothing when a CJK character is on
    either side of the wrap (``17`` + ``所`` → ``17所``), one space otherwise."""
    out = ""
    for part in parts:
        part = part.strip(_EDGE)
        if not part:
            continue
        if out and not (is_wide(out[-1]) or is_wide(part[0])):
            out += " "
        out += part
    return out


class TextBuilder:
    """Accumulates canonical lines with heading marks and page starts."""

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._length = 0
        self._headings: list[tuple[int, int]] = []
        self._pages: list[int] = []
        self._page_pending = False
        self.tables = 0
        self.merged = 0
        self.cut: list[str] = []
        """A finding for each table cut at a table limit."""

    @property
    def length(self) -> int:
        return self._length

    def _emit(self, line: str) -> int:
        start = self._length
        self._settle_page(start)
        self._chunks.append(line + "\n")
        self._length += len(line) + 1
        return start

    def line(self, text: str, heading: int | None = None) -> None:
        """Add a prose or heading line (cleaned; skipped when empty)."""
        text = clean_line(text)
        if not text:
            return
        start = self._emit(text)
        if heading is not None:
            self._headings.append((start, heading))

    def append_to_last(self, text: str) -> None:
        """Continue the last line (a paragraph that runs on across a PDF page break).

        A page that starts here starts at the first character of ``text``.
        """
        text = clean_line(text)
        if not text:
            return
        if not self._chunks:
            self.line(text)
            return
        last = self._chunks.pop().rstrip("\n")
        self._length -= len(last) + 1
        joined = join_wrapped([last, text])
        self._settle_page(self._length + len(joined) - len(clean_line(text)))
        self._emit(joined)

    def table(self, rows: Sequence[Sequence[str]], merged: int = 0, *, unread_rows: int = 0) -> None:
        """Add table rows as tab-separated lines; all-empty rows are dropped.

        A table over :data:`~plangraph.ingest.limits.MAX_TABLE_ROWS`,
        :data:`~plangraph.ingest.limits.MAX_TABLE_COLUMNS` or
        :data:`~plangraph.ingest.limits.MAX_TABLE_CELLS` is cut at the limit, with a finding;
        ``unread_rows`` are rows the reader already left unread for that reason.
        """
        width = min(max((len(r) for r in rows), default=0), MAX_TABLE_COLUMNS)
        keep = min(len(rows), MAX_TABLE_ROWS, MAX_TABLE_CELLS // max(width, 1))
        total = len(rows) + unread_rows
        if keep < total or any(len(r) > MAX_TABLE_COLUMNS for r in rows[:keep]):
            self._cut(total, keep, max((len(r) for r in rows), default=0))
        wrote = False
        for row in rows[:keep]:
            cells = [clean_cell(c) for c in row[:MAX_TABLE_COLUMNS]]
            if any(cells):
                self._emit("\t".join(cells))
                wrote = True
        if wrote:
            self.tables += 1
            self.merged += merged

    def _cut(self, total: int, keep: int, width: int) -> None:
        if keep < total:
            limit = ("MAX_TABLE_ROWS", MAX_TABLE_ROWS, "rows") if keep == MAX_TABLE_ROWS or width <= 1 else \
                ("MAX_TABLE_CELLS", MAX_TABLE_CELLS, "cells")
            what = f"its first {keep:,} of {total:,} rows are read"
        else:
            limit, what = ("MAX_TABLE_COLUMNS", MAX_TABLE_COLUMNS, "columns"), "its rows are read"
        if width > MAX_TABLE_COLUMNS:
            what += f", each up to column {MAX_TABLE_COLUMNS} of {width:,}"
        self.cut.append(f"table {self.tables + 1} is over the limit of {limit[1]:,} {limit[2]} per table "
                        f"({limit[0]}): {what}; the rest is left out")

    def page(self) -> None:
        """Mark that the next text starts a new page (a page without text starts where
        the next page does)."""
        self._settle_page(self._length)
        self._page_pending = True

    def _settle_page(self, offset: int) -> None:
        if self._page_pending:
            self._pages.append(offset)
            self._page_pending = False

    def build(self, fmt: str, findings: Sequence[str] = (), *, encoding: str | None = None) -> Canonical:
        self._settle_page(self._length)
        text = "".join(self._chunks)
        pages = tuple(min(p, len(text)) for p in self._pages)
        notes = list(findings) + self.cut
        if self.tables:
            notes.append(f"{self.tables} table(s) written as tab-separated rows")
        if self.merged:
            notes.append(f"{self.merged} merged table cell(s) repeated in every position they cover")
        return Canonical(text, fmt, pages, tuple(notes), tuple(self._headings), encoding)
