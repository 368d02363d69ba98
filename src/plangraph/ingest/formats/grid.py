"""Merged table cells expanded into a rectangular grid.

Policy: a merged cell's text is **repeated** in every grid position it covers
(rowspan down, colspan across). Reasons:

* every row line is then self-contained: an indicator row carries its category
  (``学前教育``) even when the page merged that column over six rows, so a row
  passage or a quote of one row needs nothing from the rows above it;
* every row has as many cells as the header, so column ``k`` means the same thing on
  every line; plangraph's tab-separated reader drops empty cells, and leaving spanned
  positions empty would shift the later cells of the row one column to the left.

The cost is duplicated text: a repeated cell has several spans in the canonical text,
each one a true occurrence on its own row line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plangraph.ingest.limits import MAX_TABLE_COLUMNS

MAX_SPAN = 1000
"""Spans larger than this are clamped (a page that says colspan=65535 is broken)."""


@dataclass(frozen=True)
class SpanCell:
    """A source cell: its text and how many rows / columns it covers.

    ``rowspan == 0`` means "to the end of the table" (HTML's rule for row groups).
    """

    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Grid:
    """Expanded table: ``rows[r][c]`` is the text at grid position (r, c)."""

    rows: tuple[tuple[str, ...], ...]
    merged: int
    """How many source cells covered more than one position."""


def expand(rows: Sequence[Sequence[SpanCell]]) -> Grid:
    """Lay source rows out on a grid, repeating merged cells' text (see module doc).

    The grid is at most :data:`~plangraph.ingest.limits.MAX_TABLE_COLUMNS` wide (one
    column more, so that the text builder sees and reports a wider table) and as long
    as ``rows``: a reader cuts the rows first, a merged cell never adds rows."""
    placed: dict[tuple[int, int], str] = {}
    merged = 0
    n_rows = len(rows)
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in placed:
                c += 1
            rowspan = n_rows - r if cell.rowspan == 0 else max(1, min(cell.rowspan, MAX_SPAN))
            rowspan = min(rowspan, n_rows - r)
            colspan = max(1, min(cell.colspan, MAX_SPAN))
            if rowspan > 1 or colspan > 1:
                merged += 1
            colspan = max(1, min(colspan, MAX_TABLE_COLUMNS + 1 - c))
            for dr in range(rowspan):
                for dc in range(colspan):
                    placed.setdefault((r + dr, c + dc), cell.text)
            c += colspan
            width = max(width, c)
            if c > MAX_TABLE_COLUMNS:
                break
    grid = tuple(tuple(placed.get((r, c), "") for c in range(width)) for r in range(n_rows))
    return Grid(grid, merged)
