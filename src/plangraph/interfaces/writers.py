"""The one table writer: rows as CSV, XLSX, JSON or an aligned text table, and entity
exports as files. The CLI, the app's downloads and ``plangraph export`` all write here.

CSV files are UTF-8 with a BOM (Excel then reads Chinese correctly), on stdout as in a
file; text cells that a spreadsheet would run as a formula (``=SUM(A1)``, ``+1``, ``-x``,
``@x``) are prefixed with ``'``, and nothing else is (a lone ``=`` is text to Excel).
Entity exports as CSV or XLSX are in the staff shape of :mod:`plangraph.interfaces.staff`;
an XLSX file has a sheet per plan (``指标 linan``) with the header frozen and columns
sized, and a sheet ``说明 columns`` that says what each column means.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from plangraph.errors import UsageError
from plangraph.graph.export import check_format
from plangraph.graph.vocab import PREFIXES
from plangraph.interfaces.staff import KIND_ZH, Column, column_notes, one_line, staff_table

TABLE_FORMATS: tuple[str, ...] = ("csv", "xlsx", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
_MAX_WIDTH = 60


def neutralise(value: object) -> object:
    """A cell value that spreadsheets will not run as a formula.

    Only text that Excel, WPS or LibreOffice would evaluate is prefixed with ``'``: a
    formula start followed by something (``=SUM(A1)``, ``+1``, ``-x``, ``@x``). A lone
    ``=`` (a comparator) is shown as text by all three and stays as it is."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str) and value.startswith(_FORMULA_START) and len(value.rstrip()) > 1:
        return "'" + value
    return value


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The keys of ``rows`` in first-seen order."""
    cols: dict[str, None] = {}
    for row in rows:
        cols.update(dict.fromkeys(row))
    return list(cols)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (no BOM), formula-like cells neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    w.writerows([neutralise(v) for v in row] for row in rows)
    return buf.getvalue()


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file: UTF-8 with a BOM (so Excel reads Chinese), formula-like cells neutralised."""
    return csv_text(columns, rows).encode("utf-8-sig")


def _display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_name(title: str, taken: Sequence[str] = ()) -> str:
    """``title`` as an XLSX sheet name: no ``[]:*?/\\``, at most 31 characters, unlike
    the names ``taken``."""
    base = " ".join(title.translate(_SHEET_FORBIDDEN).split())[:31] or "Sheet"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base[:31 - len(str(n)) - 1]}~{n}"
    return name


def xlsx_bytes(sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence[Any]]]],
               notes: Sequence[Column] = ()) -> bytes:
    """An XLSX workbook of ``sheets`` (name → (header, rows)): header bold and frozen,
    columns as wide as their content (up to 60 half-width characters), and a last sheet
    ``说明 columns`` explaining ``notes`` when given."""
    from openpyxl import Workbook  # openpyxl (4 MB) loads only to write a workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    every = dict(sheets)
    if notes:
        rows = column_notes(notes)
        every["说明 columns"] = (rows[0], rows[1:])
    for title, (header, body) in every.items():
        ws = wb.create_sheet(sheet_name(title, wb.sheetnames))
        ws.append(list(header))
        for row in body:
            ws.append([neutralise(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, name in enumerate(header, start=1):
            widest = max([_display_width(name)] + [_display_width(r[i - 1]) for r in body[:500]])
            ws.column_dimensions[get_column_letter(i)].width = min(widest, _MAX_WIDTH) + 2
            if widest > _MAX_WIDTH:
                for cell in ws[get_column_letter(i)][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_bytes(rows: Sequence[Mapping[str, Any]], fmt: str, sheet: str = "rows") -> bytes:
    """Rows as a csv, xlsx (one sheet named ``sheet``) or json file, as bytes."""
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"unknown table format {fmt!r}; choose one of: {', '.join(TABLE_FORMATS)}")
    if fmt == "json":
        return json.dumps([dict(r) for r in rows], ensure_ascii=False, indent=1, default=str).encode("utf-8")
    cols = columns_of(rows)
    # Quotes of table rows keep the blank lines between cells; a spreadsheet cell reads
    # better on one line (JSON keeps the exact text).
    body = [[one_line(r.get(c)) for c in cols] for r in rows]
    if fmt == "csv":
        return csv_bytes(cols, body)
    return xlsx_bytes({sheet: (cols, body)})


def tables_xlsx(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """Several tables of rows as one XLSX workbook, a sheet each (the plan × theme matrix
    and its cells)."""
    sheets = {}
    for name, rows in tables.items():
        cols = columns_of(rows)
        sheets[name] = (cols, [[one_line(r.get(c)) for c in cols] for r in rows])
    return xlsx_bytes(sheets)


def write_table(rows: Sequence[Mapping[str, Any]], fmt: str, path: str | Path, sheet: str = "rows") -> Path:
    """Write rows as csv, xlsx or json to ``path``."""
    if fmt in ("jsonld", "ttl"):
        raise UsageError(f"format {fmt!r} is RDF: use write_export() with the graph")
    path = Path(path)
    path.write_bytes(table_bytes(rows, fmt, sheet))
    return path


def staff_bytes(kind: str, rows: Sequence[Mapping[str, Any]], fmt: str) -> bytes:
    """Entity export rows of ``kind`` as a staff CSV or XLSX file (see
    :mod:`plangraph.interfaces.staff`); XLSX has one sheet per plan."""
    columns, body = staff_table(kind, rows)
    header = [c.zh for c in columns]
    if fmt == "csv":
        return csv_bytes(header, body)
    if kind == "organizations" or not body:
        return xlsx_bytes({KIND_ZH[kind]: (header, body)}, notes=columns)
    by_plan: dict[str, list[list[Any]]] = {}
    for row, cells in zip(rows, body):
        by_plan.setdefault(str(row.get("plan")), []).append(cells)
    return xlsx_bytes({f"{KIND_ZH[kind]} {plan}": (header, cells) for plan, cells in by_plan.items()},
                      notes=columns)


def graph_bytes(graph: Any, fmt: str) -> bytes:
    """An rdflib graph as Turtle (``ttl``) or JSON-LD (``jsonld``) with the plan prefixes."""
    if fmt == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")  # type: ignore[no-any-return]
    if fmt == "jsonld":
        return graph.serialize(format="json-ld", context=dict(PREFIXES), encoding="utf-8")  # type: ignore[no-any-return]
    raise UsageError(f"format {fmt!r} is not RDF; choose one of: ttl, jsonld")


def export_bytes(ws: Any, kind: str, fmt: str, plan: str | Sequence[str] | None = None) -> bytes:
    """The entities of ``kind`` from a :class:`~plangraph.workspace.Workspace` as a file
    in any of :data:`~plangraph.graph.export.FORMATS`, as bytes."""
    check_format(fmt)
    if fmt in ("jsonld", "ttl"):
        return graph_bytes(ws.export_graph(kind, plan), fmt)
    if fmt == "json":
        return table_bytes(ws.export_rows(kind, plan), fmt)
    return staff_bytes(kind, ws.export_rows(kind, plan), fmt)


def write_export(ws: Any, kind: str, fmt: str, path: str | Path, plan: str | Sequence[str] | None = None) -> Path:
    """:func:`export_bytes` written to ``path``."""
    path = Path(path)
    path.write_bytes(export_bytes(ws, kind, fmt, plan))
    return path


def text_table(columns: Sequence[str], rows: Sequence[Sequence[object]], width: int = 60) -> str:
    """An aligned plain-text table (CJK characters count two columns), cells cut at ``width``."""
    def cell(v: object) -> str:
        text = "" if v is None else str(v).replace("\n", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    body = [[cell(v) for v in row] for row in rows]
    w = _display_width

    widths = [max([w(c)] + [w(r[i]) for r in body]) for i, c in enumerate(columns)]

    def pad(t: str, n: int) -> str:
        return t + " " * (n - w(t))

    lines = ["  ".join(pad(c, widths[i]) for i, c in enumerate(columns)),
             "  ".join("-" * n for n in widths)]
    lines += ["  ".join(pad(c, widths[i]) for i, c in enumerate(r)) for r in body]
    return "\n".join(lines)


__all__ = ["TABLE_FORMATS", "columns_of", "csv_bytes", "csv_text", "export_bytes", "graph_bytes",
           "neutralise", "sheet_name", "staff_bytes", "table_bytes", "text_table", "write_export",
           "write_table", "xlsx_bytes"]
