"""Stacked sub-rows of an indicator table written one cell per line.

A parent indicator, then its sub-rows' labels one per line, then their values column
by column::

    4.义务教育标准班额比例(%)
    其中:小学
    初中
    85.3        <- 2020, 小学
    80.6        <- 2020, 初中
    100         <- 2025, 小学
    100         <- 2025, 初中
    约束性

Each sub-row becomes a row named by the parent with the sub-row as its sublabel
(``义务教育标准班额比例`` / ``小学``), its values taken from each column's run in turn.
Used by :mod:`plangraph.ingest.flat`.
"""

from __future__ import annotations

import re

from plangraph.ingest.cells import TableContext, make_row
from plangraph.ingest.columns import is_value
from plangraph.ingest.layout import Line
from plangraph.model import Cell, TableRow

SUBLABEL_MAX = 5
"""The longest sub-row label, in characters (小学, 初中, 城区, 农村, 公办园)."""


_SUB_MARK = re.compile(r"^其中\s*[:：]?\s*")
"""``其中:小学``: the first of a parent indicator's stacked sub-rows."""


def stacked_rows(lines: list[Line], k: int, labels: list[list[Line]], n_cols: int,
             ctx: TableContext) -> tuple[int, list[Cell], int] | None:
    """Stacked sub-rows: a parent indicator, its sub-row labels one per line
    (``其中:小学`` / ``初中``), then the values column by column (both 2020 values, then
    both 2025 values). Returns (index of the parent among the label groups, the sub-row
    label cells, values per sub-row), or None for any other run of labels.

    The first sub-row label starts with 其中, or there are two or more short labels and
    the values that follow are exactly a whole number of columns for each of them."""
    marked = next((j for j, g in enumerate(labels) if _SUB_MARK.match(g[0].text)), None)
    if marked is not None:
        first = marked
    elif len(labels) >= 3 and all(len(g[0].text) <= SUBLABEL_MAX and len(g) == 1 for g in labels[-2:]):
        first = len(labels) - 2
        while first > 1 and len(labels[first - 1][0].text) <= SUBLABEL_MAX and len(labels[first - 1]) == 1:
            first -= 1
    else:
        return None
    subs = labels[first:]
    if first < 1 or any(len(g) > 1 or len(_SUB_MARK.sub("", g[0].text)) > SUBLABEL_MAX for g in subs):
        return None
    run = 0
    while k + run < len(lines) and is_value(lines[k + run].text):
        run += 1
    per, extra = divmod(run, len(subs))
    if extra or not 1 <= per <= n_cols or (marked is None and (len(subs) < 2 or per < 2)):
        return None
    cells = []
    for g in subs:
        line = g[0]
        m = _SUB_MARK.match(line.text)
        cell = ctx.sub_cell(line, m.end() if m else 0, len(line.text))
        if cell is None:
            return None
        cells.append(cell)
    return first - 1, cells, per


def stack_rows(labels: list[list[Line]], stack: tuple[int, list[Cell], int], lines: list[Line], k: int, columns: tuple[str, ...],
                value_cols: list[int], cols: tuple[int | None, int, int | None], category: Cell | None,
                unit: Line | None, rows: list[TableRow], tid: str,
                ctx: TableContext) -> tuple[Cell | None, int, list[int]]:
    """One row per stacked sub-row (see :func:`stacked_rows`), named by the parent with the
    sub-row as its sublabel; the value at column ``c`` of sub-row ``s`` is the value line
    ``k + c * len(subs) + s``. Returns the category, the line after the values and the
    indices of the rows made."""
    at, subs, per = stack
    cat_col, name_col, unit_col = cols
    groups = [ctx.cell(g[0], g[-1], ("continued",) if len(g) > 1 else ()) for g in labels[:at + 1]]
    parent = groups[at]
    if at >= 1:
        category = groups[at - 1]
    made = []
    for s, sub in enumerate(subs):
        row_cells: list[Cell | None] = [None] * len(columns)
        if cat_col is not None:
            row_cells[cat_col] = category
        row_cells[name_col] = parent
        if unit_col is not None and unit is not None:
            row_cells[unit_col] = ctx.cell(unit)
        end = labels[-1][-1].end
        for c in range(per):
            value = lines[k + c * len(subs) + s]
            row_cells[value_cols[c]] = ctx.cell(value)
            end = value.end
        rows.append(make_row(tid, len(rows), tuple(row_cells), labels[0][0].start, end, group=category, sublabel=sub))
        made.append(len(rows) - 1)
    return category, k + per * len(subs), made


def bind_stack(rows: list[TableRow], stacked: list[int], col: int, cell: Cell, line: Line, tid: str, *,
                alone: bool) -> None:
    """A binding type after stacked sub-rows: for the first of them without one, and
    for all of them when it is the only binding line (a cell merged down the stack)."""
    todo = [i for i in stacked if rows[i].cells[col] is None]
    for i in (todo if alone else todo[:1]):
        row = rows[i]
        cells = list(row.cells)
        cells[col] = cell
        rows[i] = make_row(tid, row.index, tuple(cells), row.start, max(row.end, line.end),
                           group=row.group, sublabel=row.sublabel, flags=row.flags)
