"""Entity exports in the shape a bureau's staff hand on: plain cells, Chinese headers.

:meth:`~plangraph.workspace.Workspace.export_rows` gives rows for programs (lists of
values, ``=`` comparators, quotes with the line breaks of the source). Spreadsheets
need one value per cell, so :func:`staff_table` turns those rows into:

- one column per year and role of an indicator (``2020 基期``, ``2025 目标``), the
  comparator written into the value as staff write it (``≥65``, ``>95``, ``约12``,
  a plain number when the target is exact); two values glued in one cell (``>95>30``)
  become two columns, each with its own comparator;
- the unit in its own column, lists joined with ``、``, quantities as ``≥90%``;
- quotes on one line (the cells of a table row joined by a space);
- Chinese headers, each explained (中文 and English) by :func:`column_notes`.

JSON, JSON-LD and Turtle keep the program shape; this is for CSV and XLSX.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plangraph.interfaces import labels

ROLE_ZH: dict[str, str] = {role: labels.VALUES[role][0] for role in ("baseline", "target", "actual")}
NO_SECTION = labels.NO_SECTION[0]
"""The section of text before a plan's first heading."""
# How a comparator is written beside a number in the plans' own tables.
_PREFIX: dict[str, str] = {"=": "", "≥": "≥", ">": ">", "≤": "≤", "<": "<", "≈": "约"}


@dataclass(frozen=True)
class Column:
    """One column of a staff export: its key in the rows, its header and what it means."""

    key: str
    zh: str
    en: str
    means_zh: str
    means_en: str


def _col(key: str, means_zh: str, means_en: str, kind: str = "") -> Column:
    """A column headed as the label table heads ``key`` in an export of ``kind``."""
    return Column(key, *labels.export_header(kind, key), means_zh, means_en)


_COMMON_TAIL = (
    _col("quote", "规划原文（表格一行的各格以空格相连）",
         "the plan's own words (the cells of a table row joined by a space)"),
    _col("start", "原文在规划文件中的起始字符位置（从0计）",
         "character offset where the quote starts in the plan file (from 0)"),
    _col("end", "原文在规划文件中的结束字符位置", "character offset where the quote ends"),
    _col("iri", "该条目在知识图谱中的标识（IRI）", "the entry's identifier (IRI) in the graph"),
)
_PLAN = _col("plan", "规划代号", "plan id")
_NAME = _col("name", "名称", "name")
_TABLE = _col("table", "条目所在的表格", "the table the entry comes from")
_SEQ = _col("seq", "表格中的序号", "number in the table")
_QUANTITIES = _col("quantities", "文中的数量（比较符写在数前）", "quantities stated (comparator before the number)")

COLUMNS: dict[str, tuple[Column, ...]] = {
    "indicators": (
        _PLAN,
        _col("category", "指标所属类别（学段）", "the indicator's category (stage)"),
        _col("name", "指标名称", "indicator name", "indicators"),
        _col("unit", "计量单位", "unit of measure"),
        _col("binding", "约束性或预期性", "binding (约束性) or expected (预期性)"),
        _col("target_year", "目标所在年份", "year of the target"),
    ),
    "programmes": (
        _PLAN, _TABLE, _SEQ, _NAME,
        _col("content", "任务内容", "what the programme does"),
        _QUANTITIES,
    ),
    "projects": (
        _PLAN, _TABLE, _SEQ, _NAME,
        _col("scale", "建设规模", "scale as written"),
        _col("classes", "班级数", "number of classes"),
        _col("school_type", "学校类型", "type of school"),
        _col("location", "建设地点", "where it is built"),
        _col("start_year", "开工年份", "year work starts"),
        _col("end_year", "完工年份", "year work ends"),
        _col("investment_wan", "投资估算，单位万元", "estimated investment in 万元 (10,000 yuan)", "projects"),
    ),
    "commitments": (
        _PLAN,
        _col("section", "所在章节", "the section it is stated in"),
        _col("statement", "承诺内容", "what is committed to"),
        _col("themes", "主题与学段", "themes and stages"),
        _col("target_groups", "面向的群体", "who it is for"),
        _QUANTITIES,
        _col("deadlines", "文中的完成年份", "years it is due by"),
        _col("bodies", "文中提到的机构", "bodies named", "commitments"),
        _col("places", "文中提到的地点", "places named"),
    ),
    "organizations": (
        _col("plan", "提到该机构的规划", "plans that name the body", "organizations"),
        _col("name", "机构名称", "name of the body", "organizations"),
        _col("aliases", "文中的其他叫法", "other names in the text"),
        _col("region", "所在地区", "region"),
        _col("mentions", "在规划中出现的次数", "times mentioned"),
        _col("responsible_for", "涉及该机构的承诺数", "commitments that involve the body", "organizations"),
    ),
}


def value_text(comparator: str | None, value: object, text: str | None) -> object:
    """A value as staff write it: the number itself when exact, else the number with its
    comparator (``≥65``, ``>95``, ``约12``); words (``通过``) as written."""
    if value is None:
        return text
    if comparator in (None, "="):
        return value
    return f"{_PREFIX.get(comparator, comparator)}{value}"


def one_line(text: object) -> object:
    """``text`` with its line breaks and blank lines folded into single spaces."""
    return " ".join(text.split()) if isinstance(text, str) else text


def _quantity(q: Mapping[str, Any]) -> str:
    value = value_text(q.get("comparator"), q.get("value"), q.get("quote"))
    upper = f"~{q['upper']}" if q.get("upper") is not None else ""
    return f"{q.get('qualifier') or ''}{value}{upper}{q.get('unit') or ''}"


def _cell(value: object) -> object:
    """A list as one text cell (quantities written out, the rest joined by ``、``)."""
    if isinstance(value, list):
        if not value:
            return None
        if all(isinstance(v, Mapping) for v in value):
            return "；".join(_quantity(v) for v in value)
        return "、".join(str(v) for v in value)
    return one_line(value)


def _value_columns(rows: Sequence[Mapping[str, Any]]) -> list[Column]:
    """The ``YEAR ROLE`` columns of indicator rows, by year then role, with a second
    column (``2025 目标 2``) where one cell held two values."""
    widest: dict[tuple[int, str], int] = {}
    for row in rows:
        seen: dict[tuple[int, str], int] = {}
        for v in row.get("values") or []:
            k = (v.get("year") or 0, v.get("role") or "target")
            seen[k] = seen.get(k, 0) + 1
        for k, n in seen.items():
            widest[k] = max(widest.get(k, 0), n)
    cols = []
    for (year, role), n in sorted(widest.items(), key=lambda kv: (kv[0][0], kv[0][1] != "baseline")):
        zh, en = ROLE_ZH.get(role, role), role
        for i in range(1, n + 1):
            extra = f" {i}" if i > 1 else ""
            cols.append(Column(f"{year} {zh}{extra}", f"{year} {zh}{extra}", f"{year} {en}{extra}",
                               f"{year}年的{zh}值{'（同一格的第' + str(i) + '个值）' if i > 1 else ''}；"
                               "比较符写在数前，恰为该数时只写数",
                               f"the {en} value for {year}{f' (value {i} of the same cell)' if i > 1 else ''}; "
                               "comparator before the number, the number alone when exact"))
    return cols


def columns_for(kind: str, rows: Sequence[Mapping[str, Any]]) -> list[Column]:
    """The columns of a staff export of ``kind`` (indicators: with their year columns)."""
    head = list(COLUMNS[kind])
    if kind == "indicators":
        at = next(i for i, c in enumerate(head) if c.key == "unit")
        head[at:at] = _value_columns(rows)
    return head + list(_COMMON_TAIL)


def _indicator_values(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for v in row.get("values") or []:
        base = f"{v.get('year') or 0} {ROLE_ZH.get(v.get('role') or 'target', v.get('role'))}"
        key, n = base, 1
        while key in out:
            n += 1
            key = f"{base} {n}"
        out[key] = value_text(v.get("comparator"), v.get("value"), v.get("text"))
    return out


def staff_table(kind: str, rows: Sequence[Mapping[str, Any]]) -> tuple[list[Column], list[list[Any]]]:
    """Export rows of ``kind`` as (columns, cell rows): plain cells, one value each."""
    columns = columns_for(kind, rows)
    out = []
    for row in rows:
        flat = {**row, **(_indicator_values(row) if kind == "indicators" else {})}
        if kind == "commitments" and not flat.get("section"):
            flat["section"] = NO_SECTION  # a preamble, or an excerpt that starts mid-chapter
        out.append([_cell(flat.get(c.key)) for c in columns])
    return columns, out


def column_notes(columns: Sequence[Column]) -> list[list[str]]:
    """Rows of the sheet that explains the columns: the header, its English, 含义, meaning."""
    return [["列 column", "English", "含义", "meaning"]] + [
        [c.zh, c.en, c.means_zh, c.means_en] for c in columns]


KIND_ZH: dict[str, str] = {kind: labels.FIELDS[kind][0] for kind in COLUMNS}
"""Each export kind's Chinese name (an XLSX sheet's)."""

__all__ = ["COLUMNS", "Column", "KIND_ZH", "ROLE_ZH", "column_notes", "columns_for", "one_line",
           "staff_table", "value_text"]
