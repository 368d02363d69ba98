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
from plangraph.extract.quantities import find_quantities, read_cell_values, to_decimal
from plangraph.ingest.columns import (
    EMPTY_CELL,
    ROW_NUMBER,
    VALUE_ROLES,
    Role,
    column_roles,
    header_year,
)
from plangraph.model import Cell, PlanDoc, Table, TableRow

_UNIT_IN_NAME = re.compile(r"\s*[(（]\s*([^()（）]{1,8}?)\s*[)）]?\s*$")
_SEQ_NAME = re.compile(r"^\s*(\d+)\s*[.、．]\s*(.+?)\s*$", re.S)
_SCALE = re.compile(r"^\s*(\d+)\s*班\s*(.*)$")
_YEARS = re.compile(r"((?:19|20)\d{2})\s*年?(?:[.．/]?\s*\d{1,2}\s*月?)?\s*(?:[-－—–~～至到]+\s*((?:19|20)\d{2}))?")
_SECTION_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*、|[(（]\s*[一二三四五六七八九十]+\s*[)）])\s*")
_TOTAL = re.compile(r"^(合\s*计|总\s*计|小\s*计|共\s*计)")
_MONEY_UNIT = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}
_PLACE_SUFFIXES = ("科技城", "新城", "街道", "镇")


def _column(table: Table, *roles: Role) -> int | None:
    """Index of the first column whose header means one of ``roles``
    (:func:`plangraph.ingest.columns.column_roles`)."""
    found = column_roles(table.columns)
    for role in roles:
        if role in found:
            return found.index(role)
    return None


def _cell(row: TableRow, index: int | None) -> Cell | None:
    return None if index is None else row.cells[index]


def _text(cell: Cell | None) -> str:
    return "" if cell is None else " ".join(cell.value.split())


def _row_passage(doc: PlanDoc, table: Table, row: TableRow) -> str | None:
    return doc.row_passage_ids.get((table.table_id, row.index))


def _row_evidence(doc: PlanDoc, table: Table, row: TableRow) -> Evidence:
    return Evidence(_row_passage(doc, table, row), row.start, row.end, doc.original[row.start:row.end])


def split_unit(name: str) -> tuple[str, str | None]:
    """``普惠性幼儿园覆盖面(%`` → (``普惠性幼儿园覆盖面``, ``%``)."""
    m = _UNIT_IN_NAME.search(name)
    if not m:
        return name.strip(), None
    return name[: m.start()].strip(), m.group(1).strip()


def _value_columns(doc: PlanDoc, table: Table) -> list[tuple[int, int, ValueRole]]:
    """(column index, year, role) for each value column of an indicator table.

    A header names its year (``2025年``) or its role (``基期值``, ``目标值``) or both;
    a column without a year takes the plan's period (baseline: the year before it
    starts, target: its last year). Of several bare year columns the first is the
    baseline, as plans put the current state first.

    In a progress or evaluation report (``doc.meta.kind == "report"``) a year column
    that is not named as a baseline or a target holds what was reached that year: its
    values are ``actual``, so that the plan's target and the report's progress can be
    read side by side; of three or more year columns the last, when its year is the
    latest, is the plan's target the report measures against.
    """
    roles = column_roles(table.columns)
    cols = [(i, c, r) for i, (c, r) in enumerate(zip(table.columns, roles)) if r in VALUE_ROLES]
    out: list[tuple[int, int, ValueRole]] = []
    report = doc.meta.kind == "report"
    years = [header_year(c) or 0 for _, c, _ in cols]
    for n, (i, col, r) in enumerate(cols):
        role: ValueRole = "baseline" if r == "baseline" or (r == "year" and n == 0 and len(cols) > 1) else "target"
        last_target = len(cols) >= 3 and n == len(cols) - 1 and years[n] == max(years)
        if report and r == "year" and role == "target" and not last_target:
            role = "actual"
        year = header_year(col)
        if year is None:
            start, end = doc.meta.period_start, doc.meta.period_end
            year = (start - 1 if start else None) if role == "baseline" else end
        if year is not None:
            out.append((i, year, role))
    return out


def _clean_name(name: str) -> str:
    """``1.学前教育毛入园率`` → ``学前教育毛入园率``; ``一、发展水平`` → ``发展水平``."""
    return _SECTION_NUMBER.sub("", ROW_NUMBER.sub("", name)).strip()


def indicators(doc: PlanDoc, table: Table) -> list[Indicator]:
    """One indicator per row of an indicator table, with its values per year column."""
    name_col = _column(table, "name")
    name_col = 0 if name_col is None else name_col
    unit_col = _column(table, "unit")
    binding_col = _column(table, "binding")
    cat_col = _column(table, "category")
    year_cols = _value_columns(doc, table)
    out = []
    for row in table.rows:
        name_cell = _cell(row, name_col)
        raw_name = _clean_name(_text(name_cell))
        if not raw_name:
            continue
        name, unit = split_unit(raw_name)
        if not name:
            continue  # a cell that is only a unit or a number: no indicator to name
        category = _clean_name(_text(row.group) or _text(_cell(row, cat_col))) or None
        binding = _text(_cell(row, binding_col)) or None
        if binding not in BINDINGS:
            binding = None
        values = []
        value_units = set()
        for i, year, role in year_cols:
            cell = row.cells[i]
            if cell is None or not cell.value.strip() or "".join(cell.value.split()) in EMPTY_CELL:
                continue
            cursor = 0
            for v in read_cell_values(cell.value):
                at = cell.text.find(v.text, cursor)
                if at >= 0:
                    s, e = cell.start + at, cell.start + at + len(v.text)
                    cursor = at + len(v.text)
                else:
                    s, e = cell.start, cell.end
                ev = Evidence(None, s, e, doc.original[s:e])
                values.append(IndicatorValue(year, role, v.comparator, v.number, v.text, ev, v.note))
                value_units.add(v.unit)
        # the unit column, else a unit in the name (%), else the table's, else one the values share
        shared = value_units.pop() if len(value_units) == 1 else None
        unit = _text(_cell(row, unit_col)) or unit or table.unit or shared
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
    name_col = _column(table, "name")
    content_col = _column(table, "content")
    seq_col = _column(table, "seq")
    out = []
    for row in table.rows:
        seq, name = _seq_name(_text(_cell(row, name_col)))
        if not name:
            continue
        seq_text = _text(_cell(row, seq_col))
        if seq is None and seq_text.isdigit():
            seq = int(seq_text)
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
        "seq": _column(table, "seq"),
        "name": _column(table, "name"),
        "scale": _column(table, "scale", "content"),  # 建设内容 says what is built
        "place": _column(table, "place"),
        "years": _column(table, "period"),
        "money": _column(table, "investment"),
    }
    money_col = cols["money"]
    header = "".join(table.columns[money_col].split()) if money_col is not None else ""
    per_unit = next((f for u, f in _MONEY_UNIT.items() if u in header), Decimal(1))
    out = []
    places: dict[str, list[Evidence]] = {}
    for row in table.rows:
        seq_from_name, name = _seq_name(_text(_cell(row, cols["name"])))
        if not name or _TOTAL.match(name):
            continue  # 合计/小计 rows sum the projects above them; they are no project
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
        amount = to_decimal(money) if money else None
        out.append(
            Project(
                plan_id=doc.plan_id,
                table_id=table.table_id,
                table_title=table.title,
                seq=int(seq_text) if seq_text.isdigit() else seq_from_name,
                name=name,
                scale=scale,
                classes=classes,
                school_type=school_type,
                location=location,
                start_year=int(years.group(1)) if years else None,
                end_year=int(years.group(2) or years.group(1)) if years else None,
                investment_wan=None if amount is None else amount * per_unit,
                evidence=ev,
            )
        )
    return out, places


def investment_total(items: list[Project]) -> Decimal:
    """Sum of the stated investments (万元)."""
    return sum((p.investment_wan or Decimal(0) for p in items), Decimal(0))
