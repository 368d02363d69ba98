"""Mentions in tables: indicators, task-table programmes and construction projects.

Reads the tables that ingestion rebuilt (:class:`plangraph.model.Table`); every
mention points at its row passage and at the exact cells it came from.
"""

from __future__ import annotations

import re
from decimal import Decimal

from plangraph.extract.mentions import (
    BINDINGS,
    Evidence,
    Indicator,
    IndicatorValue,
    Programme,
    Project,
    ValueRole,
)
from plangraph.model import Cell, PlanDoc, Table, TableRow
from plangraph.extract.quantities import find_quantities, parse_cell_values, to_decimal

_UNIT_IN_NAME = re.compile(r"\s*[(（]\s*([^()（）]{1,8}?)\s*[)）]?\s*$")
_SEQ_NAME = re.compile(r"^\s*(\d+)\s*[.、．]\s*(.+?)\s*$", re.S)
_SCALE = re.compile(r"^\s*(\d+)\s*班\s*(.*)$")
_YEARS = re.compile(r"((?:19|20)\d{2})\s*[-－—~至]\s*((?:19|20)\d{2})")
_PLACE_SUFFIXES = ("科技城", "新城", "街道", "镇")


def _column(table: Table, *names: str) -> int | None:
    """Index of the first column whose header starts with one of ``names``."""
    for i, col in enumerate(table.columns):
        if any(col.replace(" ", "").startswith(n) for n in names):
            return i
    return None


def _cell(row: TableRow, index: int | None) -> Cell | None:
    return None if index is None else row.cells[index]


def _text(cell: Cell | None) -> str:
    return "" if cell is None else " ".join(cell.value.split())


def _row_passage(doc: PlanDoc, table: Table, row: TableRow) -> str | None:
    for p in doc.passages:
        if p.kind == "table_row" and p.table_id == table.table_id and p.row_index == row.index:
            return p.passage_id
    return None


def _row_evidence(doc: PlanDoc, table: Table, row: TableRow) -> Evidence:
    return Evidence(_row_passage(doc, table, row), row.start, row.end, doc.original[row.start:row.end])


def split_unit(name: str) -> tuple[str, str | None]:
    """``普惠性幼儿园覆盖面(%`` → (``普惠性幼儿园覆盖面``, ``%``)."""
    m = _UNIT_IN_NAME.search(name)
    if not m:
        return name.strip(), None
    return name[: m.start()].strip(), m.group(1).strip()


def _year_columns(table: Table) -> list[tuple[int, int]]:
    """(column index, year) for the year columns of an indicator table."""
    out = []
    for year in table.years:
        for i, col in enumerate(table.columns):
            if str(year) in col:
                out.append((i, year))
                break
    return out


def indicators(doc: PlanDoc, table: Table) -> list[Indicator]:
    """One indicator per row of an indicator table, with its values per year column."""
    name_col = _column(table, "指标名称", "指标")
    unit_col = _column(table, "单位")
    binding_col = _column(table, "指标属性", "属性")
    cat_col = _column(table, "类型", "类别")
    year_cols = _year_columns(table)
    out = []
    for row in table.rows:
        name_cell = _cell(row, name_col)
        raw_name = _text(name_cell)
        if not raw_name:
            continue
        name, unit = split_unit(raw_name)
        unit = _text(_cell(row, unit_col)) or unit or table.unit
        category = _text(row.group) or _text(_cell(row, cat_col)) or None
        binding = _text(_cell(row, binding_col)) or None
        if binding not in BINDINGS:
            binding = None
        values = []
        for i, year in year_cols:
            cell = row.cells[i]
            if cell is None or not cell.value.strip():
                continue
            role: ValueRole = (
                "baseline" if len(year_cols) > 1 and year == year_cols[0][1] else "target"
            )
            cursor = 0
            for comparator, number, text, note in parse_cell_values(cell.value):
                at = cell.text.find(text, cursor)
                if at >= 0:
                    s, e = cell.start + at, cell.start + at + len(text)
                    cursor = at + len(text)
                else:
                    s, e = cell.start, cell.end
                ev = Evidence(None, s, e, doc.original[s:e])
                values.append(IndicatorValue(year, role, comparator, number, text, ev, note))
        out.append(
            Indicator(
                plan_id=doc.plan_id,
                table_id=table.table_id,
                table_title=table.title,
                row_index=row.index,
                category=category,
                name=name,
                sublabel=_text(row.sublabel) or None,
                unit=unit or None,
                binding=binding,
                values=tuple(values),
                evidence=_row_evidence(doc, table, row),
            )
        )
    return out


def _seq_name(text: str) -> tuple[int | None, str]:
    m = _SEQ_NAME.match(text)
    return (int(m.group(1)), m.group(2)) if m else (None, text)


def programmes(doc: PlanDoc, table: Table) -> list[Programme]:
    """One programme per row of a task table, with the quantities in its content."""
    name_col = _column(table, "项目名称", "名称")
    content_col = _column(table, "项目内容", "内容")
    out = []
    for row in table.rows:
        seq, name = _seq_name(_text(_cell(row, name_col)))
        if not name:
            continue
        content_cell = _cell(row, content_col)
        ev = _row_evidence(doc, table, row)
        quantities = (
            find_quantities(doc.norm, doc.original, content_cell.start, content_cell.end, ev.passage_id)
            if content_cell
            else ()
        )
        out.append(
            Programme(doc.plan_id, table.table_id, table.title, seq, name,
                      _text(content_cell), quantities, ev)
        )
    return out


def projects(doc: PlanDoc, table: Table) -> tuple[list[Project], dict[str, list[Evidence]]]:
    """Projects of a construction table, and the places its 建设地点 cells name."""
    cols = {
        "seq": _column(table, "序号"),
        "name": _column(table, "项目名称", "名称"),
        "scale": _column(table, "建设规模", "规模"),
        "place": _column(table, "建设地点", "地点"),
        "years": _column(table, "起止年限", "建设年限", "年限"),
        "money": _column(table, "总投资", "投资"),
    }
    out = []
    places: dict[str, list[Evidence]] = {}
    for row in table.rows:
        name = _text(_cell(row, cols["name"]))
        if not name:
            continue
        seq_text = _text(_cell(row, cols["seq"]))
        scale = _text(_cell(row, cols["scale"])) or None
        classes, school_type = None, None
        if scale and (m := _SCALE.match(scale)):
            classes = int(m.group(1))
            school_type = re.split(r"[+＋、,，]", m.group(2))[0].strip() or None
        years = _YEARS.search(_text(_cell(row, cols["years"])))
        place_cell = _cell(row, cols["place"])
        location = _text(place_cell) or None
        ev = _row_evidence(doc, table, row)
        if place_cell and location and location.endswith(_PLACE_SUFFIXES):
            places.setdefault(location, []).append(
                Evidence(ev.passage_id, place_cell.start, place_cell.end,
                         doc.original[place_cell.start:place_cell.end])
            )
        money = _text(_cell(row, cols["money"])).replace(",", "")
        out.append(
            Project(
                plan_id=doc.plan_id,
                table_id=table.table_id,
                table_title=table.title,
                seq=int(seq_text) if seq_text.isdigit() else None,
                name=name,
                scale=scale,
                classes=classes,
                school_type=school_type,
                location=location,
                start_year=int(years.group(1)) if years else None,
                end_year=int(years.group(2)) if years else None,
                investment_wan=to_decimal(money) if money else None,
                evidence=ev,
            )
        )
    return out, places


def investment_total(items: list[Project]) -> Decimal:
    """Sum of the stated investments (万元)."""
    return sum((p.investment_wan or Decimal(0) for p in items), Decimal(0))
