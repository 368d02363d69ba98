"""Tables rebuilt into rows and columns.

Two source forms: the *flattened* form of scraped pages (a title line, then one cell
per line: header cells, then row cells) and *tab-separated* rows (national plans).
Cells keep their exact original text and offsets; suspicious cells are flagged,
never silently repaired.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from plangraph.ingest.layout import Line, match_column, match_heading
from plangraph.model import Cell, Finding, Table, TableKind, TableRow
from plangraph.text import collapse

HEADER_WORDS = frozenset({
    "类型", "类别", "指标", "指标属性", "属性", "项目名称", "项目内容", "序号", "建设规模",
    "建设地点", "起止年限", "总投资(万元)", "总投资", "单位", "备注", "责任单位", "牵头单位",
    "目标值", "现状值", "基期值",
})
_YEAR_COL = re.compile(r"^(\d{4})\s*年?$")
_TITLE_END = re.compile(r"(表|指标|目标|一览)$")
_VALUE = re.compile(r"^(通过|达标|创成|[<>≥≤=]?\s*\d[\d.,]*\s*%?(\s*[<>≥≤~\-]\s*\d[\d.,]*\s*%?)*)$")
_BINDING = re.compile(r"^(约束性|预期性)$")
_UNIT_CONT = re.compile(r"^\([^()]{1,10}\)?$")
_TASK_NAME = re.compile(r"^(\d{1,2})[.、]\s*\S.{0,38}$")
_GLUED = re.compile(r"\d\.\d{3,}~\d")
_RATIO = re.compile(r"(生师比|师生比|班师比)[^,。;]{0,6}?(达到|为|控制在)?\s*(\d{2,4}(?:\.\d+)?)(?![:：\d])")
_MULTI = re.compile(r"[<>≥≤]\s*\d[\d.]*\s*[<>≥≤]\s*\d")
_Parsed = tuple[list[TableRow], int]
"""Rows found, and the index of the first line after the table."""
CATEGORY_MAX = 4
SUBLABEL_MAX = 5


@dataclass
class _Ctx:
    plan_id: str
    original: str
    findings: list[Finding] = field(default_factory=list)

    def cell(self, first: Line, last: Line | None = None, flags: tuple[str, ...] = ()) -> Cell:
        last = last or first
        text = self.original[first.start:last.end]
        return Cell(text, collapse(text), first.start, last.end, flags + _cell_flags(collapse(text)))

    def sub_cell(self, line: Line, a: int, b: int) -> Cell:
        raw = self.original[line.start + a: line.start + b]
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw.rstrip())
        s, e = line.start + a + lead, line.start + a + trail
        text = self.original[s:e]
        return Cell(text, collapse(text), s, e, _cell_flags(collapse(text)))


def _cell_flags(value: str) -> tuple[str, ...]:
    flags = []
    if _GLUED.search(value):
        flags.append("glued")
    if _MULTI.search(value):
        flags.append("multi-value")
    if _RATIO.search(value):
        flags.append("suspect-ratio")
    return tuple(flags)


def _table_id(plan_id: str, title: str, start: int) -> str:
    digest = hashlib.sha1(f"{plan_id}\x1f{title}".encode()).hexdigest()[:10]
    return f"{plan_id}-t-{digest}"


def _row_id(table_id: str, index: int) -> str:
    return f"{table_id}-r{index + 1}"


def _is_header_cell(text: str) -> bool:
    return text in HEADER_WORDS or bool(_YEAR_COL.match(text))


def _stops_table(text: str) -> bool:
    """A line that cannot be a cell: a heading or running prose."""
    h = match_heading(text)
    if h is not None and h.style != "arabic":
        return True
    return match_column(text) is not None


def find_tables(lines: list[Line], plan_id: str, original: str) -> tuple[list[tuple[int, int, Table]], list[Finding]]:
    """Every table in ``lines``: (first line index, end index, table) triples."""
    ctx = _Ctx(plan_id, original)
    found: list[tuple[int, int, Table]] = []
    i = 0
    while i < len(lines):
        parsed = _try_tsv(lines, i, ctx) or _try_flat(lines, i, ctx)
        if parsed is None:
            i += 1
            continue
        start, end, table = parsed
        found.append((start, end, table))
        i = end
    return found, ctx.findings


# --- tab-separated ---------------------------------------------------------------

def _split_tabs(line: Line, ctx: _Ctx) -> list[Cell]:
    cells, pos = [], 0
    text = ctx.original[line.start:line.end]
    for part in text.split("\t"):
        if part.strip():
            cells.append(ctx.sub_cell(line, pos, pos + len(part)))
        pos += len(part) + 1
    return cells


def _try_tsv(lines: list[Line], i: int, ctx: _Ctx) -> tuple[int, int, Table] | None:
    if "\t" not in lines[i].text or (i > 0 and "\t" in lines[i - 1].text):
        return None
    header = lines[i]
    columns = tuple(c.value for c in _split_tabs(header, ctx))
    if len(columns) < 2:
        return None
    # title and unit lines just above the header
    start, title, unit = i, "", None
    j = i - 1
    while j >= 0 and i - j <= 2 and len(lines[j].text) <= 40 and "。" not in lines[j].text:
        m = re.match(r"^单位\s*[:：]\s*(.+)$", lines[j].text)
        if m and unit is None:
            unit = m.group(1)
        else:
            col = match_column(lines[j].text)
            title = lines[j].text
            start = j
            if col:
                break
        start = min(start, j)
        j -= 1
    rows: list[TableRow] = []
    table_id = _table_id(ctx.plan_id, title or header.text, header.start)
    group: Cell | None = None
    k = i + 1
    notes: list[str] = []
    while k < len(lines):
        line = lines[k]
        if "\t" in line.text:
            cells: list[Cell | None] = list(_split_tabs(line, ctx))
            flags: tuple[str, ...] = ()
            if len(cells) != len(columns):
                flags = ("short-row",) if len(cells) < len(columns) else ("long-row",)
                ctx.findings.append(Finding(
                    "warning", "ragged-row",
                    f"table {title or header.text!r}: row {line.text!r} has {len(cells)} cells "
                    f"for {len(columns)} columns", line.start, line.end))
                cells = (cells + [None] * len(columns))[: len(columns)]
            rows.append(TableRow(_row_id(table_id, len(rows)), len(rows), tuple(cells),
                                 line.start, line.end, group=group, flags=flags))
            k += 1
            continue
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if len(line.text) <= 20 and "。" not in line.text and nxt is not None and "\t" in nxt.text:
            group = ctx.cell(line)
            k += 1
            continue
        if line.text.startswith(("注:", "说明:")):
            notes.append(line.text)  # recorded on the table, and left as a paragraph too
        break
    if not rows:
        return None
    years = tuple(int(m.group(1)) for c in columns if (m := _YEAR_COL.match(c.replace(" ", ""))))
    kind: TableKind = "indicator" if years else "generic"
    table = Table(table_id, ctx.plan_id, kind, title or header.text, columns, tuple(rows), None,
                  lines[start].start, lines[k - 1].end, years=years, unit=unit, notes=tuple(notes))
    return start, k, table


# --- flattened: one cell per line ----------------------------------------------------

def _try_flat(lines: list[Line], i: int, ctx: _Ctx) -> tuple[int, int, Table] | None:
    title = lines[i]
    if len(title.text) > 30 or not _TITLE_END.search(title.text) or "," in title.text:
        return None
    k = i + 1
    while k < len(lines) and _is_header_cell(lines[k].text):
        k += 1
    columns = tuple(lines[m].text for m in range(i + 1, k))
    if len(columns) < 2:
        return None
    if "项目内容" in columns:
        kind, parse = "task", _parse_task
    elif "序号" in columns:
        kind, parse = "project", _parse_project
    elif "指标属性" in columns or any(_YEAR_COL.match(c) for c in columns):
        kind, parse = "indicator", _parse_indicator
    else:
        kind, parse = "generic", _parse_generic
    table_id = _table_id(ctx.plan_id, title.text, title.start)
    rows, end = parse(lines, k, columns, table_id, ctx)
    if not rows:
        ctx.findings.append(Finding("warning", "empty-table",
                                    f"table {title.text!r} has a header but no rows", title.start, lines[k - 1].end))
    years = tuple(int(m.group(1)) for c in columns if (m := _YEAR_COL.match(c)))
    last = lines[end - 1] if end > i else title
    table = Table(table_id, ctx.plan_id, kind, title.text, columns, tuple(rows), None,  # type: ignore[arg-type]
                  title.start, last.end, years=years)
    return i, end, table


def _truncated(ctx: _Ctx, table_id: str, what: str, line: Line) -> None:
    ctx.findings.append(Finding("warning", "truncated-table",
                                f"table {table_id}: {what} ends before its row is complete", line.start, line.end))


def _parse_task(lines: list[Line], k: int, columns: tuple[str, ...], table_id: str, ctx: _Ctx) -> _Parsed:
    rows: list[TableRow] = []
    expected = 1
    while k < len(lines):
        m = _TASK_NAME.match(lines[k].text)
        if not m or int(m.group(1)) != expected or "。" in lines[k].text:
            break
        name = lines[k]
        if k + 1 >= len(lines) or _stops_table(lines[k + 1].text):
            _truncated(ctx, table_id, f"row {expected} ({name.text})", name)
            rows.append(TableRow(_row_id(table_id, len(rows)), len(rows), (ctx.cell(name), None),
                                 name.start, name.end, flags=("truncated",)))
            k += 1
            break
        content = lines[k + 1]
        cells = (ctx.cell(name), ctx.cell(content))
        rows.append(TableRow(_row_id(table_id, len(rows)), len(rows), cells, name.start, content.end))
        expected += 1
        k += 2
    return rows, k


def _parse_project(lines: list[Line], k: int, columns: tuple[str, ...], table_id: str, ctx: _Ctx) -> _Parsed:
    rows: list[TableRow] = []
    width = len(columns)
    expected = 1
    while k < len(lines) and lines[k].text == str(expected):
        cells: list[Cell | None] = [ctx.cell(lines[k])]
        m = k + 1
        while len(cells) < width and m < len(lines) and not _stops_table(lines[m].text):
            cells.append(ctx.cell(lines[m]))
            m += 1
        flags: tuple[str, ...] = ()
        if len(cells) < width:
            _truncated(ctx, table_id, f"row {expected}", lines[m - 1])
            flags = ("truncated",)
            cells += [None] * (width - len(cells))
        rows.append(TableRow(_row_id(table_id, len(rows)), len(rows), tuple(cells),
                             lines[k].start, lines[m - 1].end, flags=flags))
        expected += 1
        k = m
    return rows, k


def _parse_generic(lines: list[Line], k: int, columns: tuple[str, ...], table_id: str, ctx: _Ctx) -> _Parsed:
    rows: list[TableRow] = []
    width = len(columns)
    while k + width <= len(lines) and not any(_stops_table(lines[m].text) or "。" in lines[m].text
                                               for m in range(k, k + width)):
        cells = tuple(ctx.cell(lines[m]) for m in range(k, k + width))
        rows.append(TableRow(_row_id(table_id, len(rows)), len(rows), cells, lines[k].start, lines[k + width - 1].end))
        k += width
    return rows, k


def _parse_indicator(lines: list[Line], k: int, columns: tuple[str, ...], table_id: str, ctx: _Ctx) -> _Parsed:
    """Indicator table: category cells spanning rows, parent indicators with sub-rows.

    Cells are classed as values (``90``, ``≥65``, ``通过``), binding types, unit
    continuations (``(元/生)``) or labels. A run of labels before a value is read as
    [category] [parent indicator] [sub-row label], by position and length.
    """
    rows: list[TableRow] = []
    value_col = next((n for n, c in enumerate(columns) if _YEAR_COL.match(c)), 2)
    bind_col = columns.index("指标属性") if "指标属性" in columns else None
    cat_col = 0 if columns[0] in ("类型", "类别") else None
    name_col = columns.index("指标") if "指标" in columns else 1
    category: Cell | None = None
    parent: Cell | None = None
    labels: list[list[Line]] = []
    while k < len(lines):
        line = lines[k]
        text = line.text
        if _stops_table(text) or "。" in text or len(text) > 40:
            break
        if _BINDING.match(text):
            if rows and rows[-1].cells[bind_col or 0] is None and bind_col is not None and not labels:
                last = rows[-1]
                cells = list(last.cells)
                cells[bind_col] = ctx.cell(line)
                rows[-1] = TableRow(last.row_id, last.index, tuple(cells), last.start, line.end,
                                    group=last.group, sublabel=last.sublabel, flags=last.flags)
            k += 1
            continue
        if _VALUE.match(text):
            groups = [ctx.cell(g[0], g[-1], ("continued",) if len(g) > 1 else ()) for g in labels]
            sub: Cell | None = None
            if len(groups) >= 3:
                category, parent, sub = groups[-3], groups[-2], groups[-1]
            elif len(groups) == 2:
                a, b = groups
                if len(a.value) <= CATEGORY_MAX and "(" not in a.value and len(b.value) > SUBLABEL_MAX:
                    category, parent = a, None
                    name = b
                else:
                    parent, sub = a, b
            elif len(groups) == 1:
                if parent is not None and len(groups[0].value) <= SUBLABEL_MAX:
                    sub = groups[0]
                else:
                    parent, name = None, groups[0]
            else:
                _truncated(ctx, table_id, f"value {text!r} with no indicator label", line)
                k += 1
                continue
            if sub is not None:
                name = parent  # type: ignore[assignment]
            row_cells: list[Cell | None] = [None] * len(columns)
            if cat_col is not None:
                row_cells[cat_col] = category
            row_cells[name_col] = name
            row_cells[value_col] = ctx.cell(line)
            first = labels[0][0] if labels else line
            rows.append(TableRow(_row_id(table_id, len(rows)), len(rows), tuple(row_cells), first.start, line.end,
                                 group=category, sublabel=sub))
            labels = []
            k += 1
            continue
        if _UNIT_CONT.match(text) and labels:
            labels[-1].append(line)
        else:
            labels.append([line])
        k += 1
    if labels:
        _truncated(ctx, table_id, f"label {labels[-1][0].text!r} with no value", labels[-1][-1])
    return rows, k
