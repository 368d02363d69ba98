"""Tables rebuilt into rows and columns.

Two source forms: the *flattened* form of scraped pages (a title line, then one cell
per line: :mod:`plangraph.ingest.flat`) and *tab-separated* rows (national plans, and
the canonical text of HTML, Word and PDF files, where merged cells are repeated in
every position they cover). Columns are recognised by what their headers mean
(:mod:`plangraph.ingest.columns`), so a table's kind and its readers do not depend on
the layout of any one plan. Cells keep their exact original text and offsets;
suspicious cells are flagged, never silently repaired.

Where a heading announces a table (主要指标, 建设项目, 重点任务…) and none is rebuilt
after it, a ``missed-table`` finding says where.
"""

from __future__ import annotations

import dataclasses
import re

from plangraph.ingest.cells import TableContext, make_row, table_id
from plangraph.ingest.columns import (
    SECTION_ROW,
    Role,
    column_roles,
    find_role,
    header_role,
    table_kind,
    table_years,
)
from plangraph.ingest.flat import try_flat
from plangraph.ingest.layout import Line, match_column, match_heading
from plangraph.ingest.limits import MAX_TABLE_CELLS, MAX_TABLE_ROWS
from plangraph.model import Cell, Finding, Table, TableRow

_ANNOUNCES = re.compile(r"(主要指标|发展指标|指标体系|目标指标|指标表|建设项目|项目表|重点项目|重点任务|任务表"
                        r"|重点工程|工程表|项目清单)")
ANNOUNCE_REACH = 3
"""A table counts as the announced one when it starts this many lines after the heading."""


def find_tables(lines: list[Line], plan_id: str, original: str) -> tuple[list[tuple[int, int, Table]], list[Finding]]:
    """Every table in ``lines``: (first line index, end index, table) triples."""
    ctx = TableContext(plan_id, original)
    found: list[tuple[int, int, Table]] = []
    i = 0
    while i < len(lines):
        parsed = _try_tsv(lines, i, ctx) or try_flat(lines, i, ctx) or _try_spaced(lines, i, ctx)
        if parsed is None:
            i += 1
            continue
        start, end, table = parsed
        found.append((start, end, _bounded(table, ctx)))
        i = end
    return found, ctx.findings + _missed(lines, found)


def _bounded(table: Table, ctx: TableContext) -> Table:
    """The table cut at :data:`~plangraph.ingest.limits.MAX_TABLE_ROWS` rows (fewer where
    rows × columns pass :data:`~plangraph.ingest.limits.MAX_TABLE_CELLS`), with a finding;
    the lines of the rows cut stay inside the table, so they become no passages either."""
    keep = min(MAX_TABLE_ROWS, MAX_TABLE_CELLS // max(len(table.columns), 1))
    if len(table.rows) <= keep:
        return table
    limit = ("MAX_TABLE_ROWS", MAX_TABLE_ROWS, "rows") if keep == MAX_TABLE_ROWS else \
        ("MAX_TABLE_CELLS", MAX_TABLE_CELLS, "cells")
    first_cut = table.rows[keep]
    ctx.findings.append(Finding(
        "warning", "table-limit",
        f"table {table.title!r} is over the limit of {limit[1]:,} {limit[2]} per table ({limit[0]}): "
        f"its first {keep:,} of {len(table.rows):,} rows are read; the rest is left out",
        first_cut.start, table.end))
    return dataclasses.replace(table, rows=table.rows[:keep], flags=tuple(dict.fromkeys(table.flags + ("cut",))))


def _missed(lines: list[Line], found: list[tuple[int, int, Table]]) -> list[Finding]:
    """Short title-like lines that announce a table with no table rebuilt after them."""
    starts = sorted(s for s, _, _ in found)
    inside = [(s, e) for s, e, _ in found]
    out = []
    for n, line in enumerate(lines):
        text = line.text
        if len(text) > 24 or "。" in text or "," in text or "\t" in text or not _ANNOUNCES.search(text):
            continue
        if any(s <= n < e for s, e in inside) or any(n <= s <= n + ANNOUNCE_REACH for s in starts):
            continue
        nxt = lines[n + 1].text if n + 1 < len(lines) else ""
        if header_role(nxt) is None and "\t" not in nxt and not text.endswith(("表", "指标")):
            continue  # a section heading about projects with prose below, not a table title
        out.append(Finding("warning", "missed-table",
                           f"{text!r} announces a table, but no table could be rebuilt after it; "
                           "its rows are read as paragraphs", line.start, line.end))
    return out


# --- cells separated by spaces -----------------------------------------------------

_TOKEN = re.compile(r"\S+")


def _try_spaced(lines: list[Line], i: int, ctx: TableContext) -> tuple[int, int, Table] | None:
    """A table whose cells are separated by runs of spaces (an unruled PDF table, a
    table typed with spaces): a header line whose every word is a column header."""
    header = lines[i]
    if _is_row(header, ctx) or "。" in header.text:
        return None
    heads = list(_TOKEN.finditer(header.text))
    columns = tuple(m.group() for m in heads)
    roles = column_roles(columns)
    if len(columns) < 3 or None in roles or table_kind(roles) == "generic":
        return None
    name_col = find_role(roles, "name")
    start, title, unit = _title_above(lines, i)
    tid = table_id(ctx.plan_id, title or header.text)
    rows: list[TableRow] = []
    group: Cell | None = None
    k = i + 1
    while k < len(lines):
        line = lines[k]
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(line.text)]
        if "。" in line.text or _is_row(line, ctx) or len(tokens) < 2:
            if len(tokens) == 1 and SECTION_ROW.match(line.text) and k + 1 < len(lines) \
                    and len(_TOKEN.findall(lines[k + 1].text)) >= len(columns):
                group = ctx.cell(line)
                k += 1
                continue
            break
        extra = len(tokens) - len(columns)
        if extra < 0:
            ctx.unread(title or header.text, line, f"has {len(tokens)} cells for {len(columns)} columns")
            k += 1
            continue
        if extra and name_col is not None:  # a name with spaces in it: its words are one cell
            tokens[name_col:name_col + extra + 1] = [(tokens[name_col][0], tokens[name_col + extra][1])]
        elif extra:
            break
        cells = [ctx.sub_cell(line, a, b) for a, b in tokens]
        rows.append(_tsv_row(cells, columns, roles, line, tid, len(rows), group, title or header.text, ctx))
        k += 1
    if not rows:
        return None
    table = Table(tid, ctx.plan_id, table_kind(roles), title or header.text, columns, tuple(rows), None,
                  lines[start].start, lines[k - 1].end, years=table_years(columns), unit=unit)
    return start, k, table


# --- tab-separated ---------------------------------------------------------------

def _split_tabs(line: Line, ctx: TableContext) -> list[Cell | None]:
    """The cells of a tab-separated row by position; an empty cell is None."""
    cells: list[Cell | None] = []
    pos = 0
    text = ctx.original[line.start:line.end]
    # leading empty cells: their tabs lie just before the line's stripped start
    begin = line.start
    while begin > 0 and ctx.original[begin - 1] == "\t":
        cells.append(None)
        begin -= 1
    for part in text.split("\t"):
        cells.append(ctx.sub_cell(line, pos, pos + len(part)))
        pos += len(part) + 1
    # trailing empty cells: their tabs lie just past the line's stripped end
    end = line.end
    while end < len(ctx.original) and ctx.original[end] == "\t":
        cells.append(None)
        end += 1
    return cells


def _is_row(line: Line, ctx: TableContext) -> bool:
    """Whether a line is a tab-separated row, counting tabs stripped from its edges."""
    o = ctx.original
    return "\t" in line.text or (line.start > 0 and o[line.start - 1] == "\t") or \
        (line.end < len(o) and o[line.end] == "\t")


def _values(cells: list[Cell | None]) -> list[str]:
    return [c.value if c else "" for c in cells]


def _header_rows(lines: list[Line], i: int, ctx: TableContext) -> tuple[tuple[str, ...], int]:
    """Column names and the index of the first data line. A second header row (year
    columns under a merged 发展目标, repeated by the reader) names the columns it splits."""
    columns = _values(_split_tabs(lines[i], ctx))
    k = i + 1
    if k < len(lines) and _is_row(lines[k], ctx):
        lower = _values(_split_tabs(lines[k], ctx))
        if len(lower) == len(columns) and lower != columns and all(
                not low or low == up or header_role(low) is not None for up, low in zip(columns, lower)):
            columns = [low if low and low != up else up for up, low in zip(columns, lower)]
            k += 1
    return tuple(columns), k


def _title_above(lines: list[Line], i: int) -> tuple[int, str, str | None]:
    """(first line, title, unit) from the title and ``单位：`` lines just above a header."""
    start, title, unit = i, "", None
    j = i - 1
    while j >= 0 and i - j <= 2 and len(lines[j].text) <= 40 and "。" not in lines[j].text \
            and "\t" not in lines[j].text:
        m = re.match(r"^单位\s*[:：]\s*(.+)$", lines[j].text)
        if m is None and match_heading(lines[j].text) is not None and not match_column(lines[j].text):
            break  # a section heading above the table stays a heading
        if m and unit is None:
            unit = m.group(1)
        else:
            title = lines[j].text
            start = j
            break  # a title is one line; only a 单位 line may sit between it and the header
        start = min(start, j)
        j -= 1
    return start, title, unit


def _try_tsv(lines: list[Line], i: int, ctx: TableContext) -> tuple[int, int, Table] | None:
    if not _is_row(lines[i], ctx) or (i > 0 and _is_row(lines[i - 1], ctx)):
        return None
    first = i
    inside_title, inside_unit = "", None
    # a title or unit row merged across the table's width: the reader repeated it in every cell
    while i + 1 < len(lines) and _is_row(lines[i + 1], ctx):
        spread = {v for v in _values(_split_tabs(lines[i], ctx)) if v}
        if len(spread) != 1:
            break
        text = spread.pop()
        if m := re.match(r"^单位\s*[:：]\s*(.+)$", text):
            inside_unit = m.group(1)
        else:
            inside_title = text
        i += 1
    header = lines[i]
    columns, k = _header_rows(lines, i, ctx)
    if sum(1 for c in columns if c) < 2:
        return None
    roles = column_roles(columns)
    start, title, unit = _title_above(lines, first)
    title, unit = inside_title or title, inside_unit or unit
    tid = table_id(ctx.plan_id, title or header.text)
    label = title or header.text
    rows: list[TableRow] = []
    group: Cell | None = None
    notes: list[str] = []
    while k < len(lines):
        line = lines[k]
        if _is_row(line, ctx):
            cells = _split_tabs(line, ctx)
            section = _section_cell(cells)
            if section is not None:
                group = section
            elif rows and _continues(cells, roles):
                rows[-1] = _join_row(rows[-1], cells, line, tid, ctx)
            else:
                rows.append(_tsv_row(cells, columns, roles, line, tid, len(rows), group, label, ctx))
            k += 1
            continue
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if len(line.text) <= 20 and "。" not in line.text and nxt is not None and _is_row(nxt, ctx):
            group = ctx.cell(line)
            k += 1
            continue
        if line.text.startswith(("注:", "说明:")):
            notes.append(line.text)  # recorded on the table, and left as a paragraph too
        break
    if not rows:
        return None
    table = Table(tid, ctx.plan_id, table_kind(roles), label, columns, tuple(rows), None,
                  lines[start].start, lines[k - 1].end, years=table_years(columns), unit=unit, notes=tuple(notes))
    return start, k, table


def _section_cell(cells: list[Cell | None]) -> Cell | None:
    """A row that only names a section (``一、学前教育``, alone or repeated across a
    merged row): the group of the rows below it."""
    present = [c for c in cells if c is not None]
    if not present or len({c.value for c in present}) != 1:
        return None
    if len(present) == 1 and len(cells) > 2 and not SECTION_ROW.match(present[0].value):
        return None  # one filled cell of a wide row: a continuation, not a section
    return present[0] if len(present) > 1 or SECTION_ROW.match(present[0].value) else None


def _continues(cells: list[Cell | None], roles: tuple[Role | None, ...]) -> bool:
    """A row whose number and name cells are empty continues the row above (a cell
    wrapped onto the next row of a page, or a row split by a page break)."""
    keys = [n for n, r in enumerate(roles) if r in ("seq", "name")] or [0]
    return all(n >= len(cells) or cells[n] is None for n in keys) and any(c is not None for c in cells)


def _join_row(row: TableRow, cells: list[Cell | None], line: Line, tid: str, ctx: TableContext) -> TableRow:
    joined = list(row.cells)
    for n, cell in enumerate(cells[: len(joined)]):
        if cell is not None:
            prev = joined[n]
            joined[n] = cell if prev is None else ctx.joined(prev, cell)
    return make_row(tid, row.index, tuple(joined), row.start, line.end, group=row.group,
                    sublabel=row.sublabel, flags=tuple(dict.fromkeys(row.flags + ("continued",))))


def _tsv_row(cells: list[Cell | None], columns: tuple[str, ...], roles: tuple[Role | None, ...], line: Line,
             tid: str, index: int, group: Cell | None, label: str, ctx: TableContext) -> TableRow:
    flags: tuple[str, ...] = ()
    if len(cells) != len(columns):
        flags = ("short-row",) if len(cells) < len(columns) else ("long-row",)
        ctx.findings.append(Finding(
            "warning", "ragged-row",
            f"table {label!r}: row {line.text!r} has {len(cells)} cells for {len(columns)} columns",
            line.start, line.end))
        cells = (cells + [None] * len(columns))[: len(columns)]
    sublabel: Cell | None = None
    name_col, sub_col = find_role(roles, "name"), find_role(roles, "sublabel")
    if name_col is not None and sub_col is not None:
        name, sub = cells[name_col], cells[sub_col]
        if sub is not None and (name is None or sub.value != name.value):
            sublabel = sub
        cells[sub_col] = None  # the name repeated over its merged columns, or kept as sublabel
    cat_col = find_role(roles, "category")
    if cat_col is not None and cells[cat_col] is not None:
        group = cells[cat_col]
    return make_row(tid, index, tuple(cells), line.start, line.end, group=group, sublabel=sublabel, flags=flags)
