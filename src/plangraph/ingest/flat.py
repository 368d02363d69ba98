"""Tables flattened one cell per line (as pages scraped to text have them).

A title line (``…指标``, ``…项目表``, ``表1 …``), then the header cells one per line,
then the rows' cells one per line. Merged cells appear once, so rows are rebuilt from
what each line looks like (a value, a binding type, a unit, a label) and from the
column roles the header names (:mod:`plangraph.ingest.columns`), not from positions.
Section rows (``一、发展水平``) group the rows below them.
"""

from __future__ import annotations

import re

from plangraph.ingest.cells import TableContext, make_row, stops_table, table_id
from plangraph.ingest.columns import (
    SECTION_ROW,
    UNIT_CELL,
    VALUE_ROLES,
    Role,
    column_roles,
    find_role,
    header_role,
    is_value,
    table_kind,
    table_years,
)
from plangraph.ingest.layout import Line, match_heading
from plangraph.ingest.stacked import SUBLABEL_MAX, bind_stack, stack_rows, stacked_rows
from plangraph.model import Cell, Finding, Table, TableRow

_TITLE_END = re.compile(r"(表|指标|目标|一览|清单|指标体系)$")
_TITLE_START = re.compile(r"^(附?表\s*\d+|专栏)")
_BINDING = re.compile(r"^(约束性|预期性)$")
_UNIT_CONT = re.compile(r"^\([^()]{1,10}\)?$")
_TASK_NAME = re.compile(r"^(\d{1,2})[.、]\s*\S.{0,38}$")
Parsed = tuple[list[TableRow], int]
"""Rows found, and the index of the first line after the table."""
_NAME_END = re.compile(r"(率|数|比|比例|年限|系数|面|经费|水平|时长|人次|\)|\(%)$")
"""How indicator names end: a rate, a count, a ratio, a unit in brackets."""
CATEGORY_MAX = 4
LOOKAHEAD = 4


def _header_run(lines: list[Line], k: int) -> int:
    """Index after the run of header cells that starts at ``k``."""
    while k < len(lines) and header_role(lines[k].text) is not None:
        k += 1
    return k


def _is_title(text: str) -> bool:
    return len(text) <= 30 and "," not in text and "。" not in text and (
        bool(_TITLE_END.search(text)) or bool(_TITLE_START.match(text)))


def is_section_row(lines: list[Line], k: int) -> bool:
    """``一、发展水平`` inside a table: short, and rows with values follow before any prose."""
    if not SECTION_ROW.match(lines[k].text):
        return False
    for j in range(k + 1, min(k + 1 + LOOKAHEAD, len(lines))):
        text = lines[j].text
        if "。" in text or (stops_table(text) and not SECTION_ROW.match(text)):
            return False
        if is_value(text) or text.isdigit():
            return True
    return False


def try_flat(lines: list[Line], i: int, ctx: TableContext) -> tuple[int, int, Table] | None:
    """A flattened table whose title is line ``i``, or None."""
    title = lines[i]
    if not _is_title(title.text):
        return None
    k = _header_run(lines, i + 1)
    columns = tuple(lines[m].text for m in range(i + 1, k))
    roles = column_roles(columns)
    if len(columns) < 2 or not {"name", "seq"} & set(roles):
        return None
    kind = table_kind(roles)
    tid = table_id(ctx.plan_id, title.text)
    if kind == "task":
        rows, end = (_parse_numbered if "seq" in roles else _parse_task)(lines, k, columns, roles, tid, ctx)
    elif kind == "project" and "seq" in roles:
        rows, end = _parse_numbered(lines, k, columns, roles, tid, ctx)
    elif kind == "indicator":
        rows, end = _parse_indicator(lines, k, columns, roles, tid, ctx)
    else:
        rows, end = _parse_width(lines, k, columns, tid, ctx)
    if not rows:
        ctx.findings.append(Finding("warning", "empty-table", f"table {title.text!r} has a header but no rows",
                                    title.start, lines[k - 1].end))
    last = lines[end - 1] if end > i else title
    # a numbered heading that titles a table stays a heading: the table starts below it
    start = i + 1 if match_heading(title.text) is not None else i
    table = Table(tid, ctx.plan_id, kind, title.text, columns, tuple(rows), None,
                  lines[start].start, last.end, years=table_years(columns))
    return start, end, table


def _parse_task(lines: list[Line], k: int, columns: tuple[str, ...], roles: tuple[Role | None, ...],
                tid: str, ctx: TableContext) -> Parsed:
    """Rows led by a numbered name (``1.学前教育提质工程``), then the other cells."""
    rows: list[TableRow] = []
    expected = 1
    width = len(columns)
    while k < len(lines):
        m = _TASK_NAME.match(lines[k].text)
        if not m or int(m.group(1)) != expected or "。" in lines[k].text:
            break
        name = lines[k]
        cells: list[Cell | None] = [ctx.cell(name)]
        j = k + 1
        while len(cells) < width and j < len(lines) and not stops_table(lines[j].text) \
                and not _TASK_NAME.match(lines[j].text):
            cells.append(ctx.cell(lines[j]))
            j += 1
        flags: tuple[str, ...] = ()
        if len(cells) < width:
            ctx.truncated(tid, f"row {expected} ({name.text})", lines[j - 1])
            flags = ("truncated",)
            cells += [None] * (width - len(cells))
        rows.append(make_row(tid, len(rows), tuple(cells), name.start, lines[j - 1].end, flags=flags))
        expected += 1
        k = j
        if flags:
            break
    return rows, k


def _parse_numbered(lines: list[Line], k: int, columns: tuple[str, ...], roles: tuple[Role | None, ...],
                    tid: str, ctx: TableContext) -> Parsed:
    """Rows led by their number in the 序号 column; section rows may restart the count."""
    rows: list[TableRow] = []
    width = len(columns)
    expected = 1
    group: Cell | None = None
    while k < len(lines):
        text = lines[k].text
        if SECTION_ROW.match(text) and k + 1 < len(lines) and lines[k + 1].text in (str(expected), "1"):
            group = ctx.cell(lines[k])
            expected = int(lines[k + 1].text)
            k += 1
            continue
        if text != str(expected):
            break
        cells: list[Cell | None] = [ctx.cell(lines[k])]
        m = k + 1
        while len(cells) < width and m < len(lines) and not stops_table(lines[m].text):
            cells.append(ctx.cell(lines[m]))
            m += 1
        flags: tuple[str, ...] = ()
        if len(cells) < width:
            ctx.truncated(tid, f"row {expected}", lines[m - 1])
            flags = ("truncated",)
            cells += [None] * (width - len(cells))
        rows.append(make_row(tid, len(rows), tuple(cells), lines[k].start, lines[m - 1].end,
                             group=group, flags=flags))
        expected += 1
        k = m
    return rows, k


def _parse_width(lines: list[Line], k: int, columns: tuple[str, ...], tid: str, ctx: TableContext) -> Parsed:
    """Rows of exactly as many lines as there are columns, with section rows between."""
    rows: list[TableRow] = []
    width = len(columns)
    group: Cell | None = None
    while k < len(lines):
        if SECTION_ROW.match(lines[k].text) and k + width < len(lines) \
                and not any(stops_table(lines[m].text) for m in range(k + 1, k + 1 + width)):
            group = ctx.cell(lines[k])
            k += 1
            continue
        if k + width > len(lines) or any(stops_table(lines[m].text) or "。" in lines[m].text
                                         for m in range(k, k + width)):
            break
        cells = tuple(ctx.cell(lines[m]) for m in range(k, k + width))
        rows.append(make_row(tid, len(rows), cells, lines[k].start, lines[k + width - 1].end, group=group))
        k += width
    return rows, k


def _parse_indicator(lines: list[Line], k: int, columns: tuple[str, ...], roles: tuple[Role | None, ...],
                     tid: str, ctx: TableContext) -> Parsed:
    """Indicator table: category cells spanning rows, parent indicators with sub-rows.

    Lines are classed as values (``90``, ``≥65``, ``99%以上``, ``通过``, ``—``), binding
    types, units (in a table with a 单位 column), row numbers (in a table with 序号),
    section rows (``一、发展水平``, a category) or labels. A run of labels before the
    first value is read as [category] [parent indicator] [sub-row label], by position
    and length; later values fill the next value columns (2020年, 2025年 …).
    """
    rows: list[TableRow] = []
    value_cols = [n for n, r in enumerate(roles) if r in VALUE_ROLES] or [min(2, len(columns) - 1)]
    bind_col = find_role(roles, "binding")
    cat_col = find_role(roles, "category")
    name_col = find_role(roles, "name")
    name_col = name_col if name_col is not None else 1
    unit_col, seq_col = find_role(roles, "unit"), find_role(roles, "seq")
    category: Cell | None = None
    parent: Cell | None = None
    labels: list[list[Line]] = []
    unit: Line | None = None
    seq: Line | None = None
    filled = len(value_cols)
    stacked: list[int] = []  # rows of the last stack of sub-rows, for the binding after it
    while k < len(lines):
        line = lines[k]
        text = line.text
        if is_section_row(lines, k):
            if labels:
                ctx.unread(tid, labels[-1][0], "has no value")
                labels = []
            category, parent = ctx.cell(line), None
            k += 1
            continue
        if stops_table(text) or "。" in text or len(text) > 40:
            break
        if _BINDING.match(text):
            last = rows[-1] if rows else None
            if stacked and bind_col is not None and not labels:
                bind_stack(rows, stacked, bind_col, ctx.cell(line), line, tid,
                            alone=not (k + 1 < len(lines) and _BINDING.match(lines[k + 1].text)))
            elif last is not None and bind_col is not None and last.cells[bind_col] is None and not labels:
                cells = list(last.cells)
                cells[bind_col] = ctx.cell(line)
                rows[-1] = make_row(tid, last.index, tuple(cells), last.start, line.end,
                                    group=last.group, sublabel=last.sublabel, flags=last.flags)
            k += 1
            continue
        if unit_col is not None and labels and unit is None and UNIT_CELL.match(text):
            unit = line
            k += 1
            continue
        if seq_col is not None and not labels and text.isdigit() and filled >= len(value_cols):
            seq = line
            k += 1
            continue
        if is_value(text) and labels and (stack := stacked_rows(lines, k, labels, len(value_cols), ctx)):
            category, end, made = stack_rows(labels, stack, lines, k, columns, value_cols, (cat_col, name_col, unit_col),
                                              category, unit, rows, tid, ctx)
            stacked = made
            labels, unit, seq, filled = [], None, None, len(value_cols)
            k = end
            continue
        if is_value(text):
            stacked = []
            if not labels:
                if rows and filled < len(value_cols):
                    _put(rows, tid, value_cols[filled], ctx.cell(line), line)
                    filled += 1
                else:
                    ctx.truncated(tid, f"value {text!r} with no indicator label", line)
                k += 1
                continue
            groups = [ctx.cell(g[0], g[-1], ("continued",) if len(g) > 1 else ()) for g in labels]
            sub: Cell | None = None
            if len(groups) >= 3:
                category, parent, sub = groups[-3], groups[-2], groups[-1]
            elif len(groups) == 2:
                a, b = groups
                if len(a.value) <= CATEGORY_MAX and "(" not in a.value and len(b.value) > SUBLABEL_MAX:
                    category, parent = a, None
                    name = b
                elif _wraps(a.value, b.value):
                    parent, name = None, ctx.cell(labels[-2][0], labels[-1][-1], ("continued",))
                else:
                    parent, sub = a, b
            elif parent is not None and len(groups[0].value) <= SUBLABEL_MAX:
                sub = groups[0]
            else:
                parent, name = None, groups[0]
            if sub is not None:
                name = parent  # type: ignore[assignment]
            row_cells: list[Cell | None] = [None] * len(columns)
            if cat_col is not None:
                row_cells[cat_col] = category
            row_cells[name_col] = name
            row_cells[value_cols[0]] = ctx.cell(line)
            if unit_col is not None and unit is not None:
                row_cells[unit_col] = ctx.cell(unit)
            if seq_col is not None and seq is not None:
                row_cells[seq_col] = ctx.cell(seq)
            first = seq or labels[0][0]
            rows.append(make_row(tid, len(rows), tuple(row_cells), first.start, line.end,
                                 group=category, sublabel=sub))
            labels, unit, seq, filled = [], None, None, 1
            k += 1
            continue
        if _UNIT_CONT.match(text) and labels:
            labels[-1].append(line)
        else:
            labels.append([line])
        k += 1
    if labels:
        ctx.truncated(tid, f"label {labels[-1][0].text!r} with no value", labels[-1][-1])
    return rows, k


def _wraps(first: str, second: str) -> bool:
    """Whether ``second`` continues the name ``first`` on the next line
    (``（2）九年义务教育`` / ``巩固率``) rather than naming a sub-row of it
    (``校际优质均衡系数`` / ``小学``): the name ends only on the second line."""
    return len(first) > CATEGORY_MAX and not _NAME_END.search(first) and bool(_NAME_END.search(second))


def _put(rows: list[TableRow], tid: str, col: int, cell: Cell, line: Line) -> None:
    """Set cell ``col`` of the last row, which then ends at ``line``."""
    last = rows[-1]
    cells = list(last.cells)
    cells[col] = cell
    rows[-1] = make_row(tid, last.index, tuple(cells), last.start, line.end,
                        group=last.group, sublabel=last.sublabel, flags=last.flags)
