"""The one table writer: rows as CSV, XLSX, JSON or an aligned text table, and entity
exports as files. The CLI, the app's downloads and ``plangraph export`` all write here.

CSV files are UTF-8 with a BOM (Excel then reads Chinese correctly); text cells that a
spreadsheet would run as a formula are prefixed with ``'``.
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

TABLE_FORMATS: tuple[str, ...] = ("csv", "xlsx", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell value that spreadsheets will not run as a formula."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
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


def table_bytes(rows: Sequence[Mapping[str, Any]], fmt: str) -> bytes:
    """Rows as a csv, xlsx or json file, as bytes."""
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"unknown table format {fmt!r}; choose one of: {', '.join(TABLE_FORMATS)}")
    if fmt == "json":
        return json.dumps([dict(r) for r in rows], ensure_ascii=False, indent=1, default=str).encode("utf-8")
    cols = columns_of(rows)
    if fmt == "csv":
        return csv_bytes(cols, ([r.get(c) for c in cols] for r in rows))
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(cols)
    for row in rows:
        ws.append([neutralise(row.get(c)) for c in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_table(rows: Sequence[Mapping[str, Any]], fmt: str, path: str | Path) -> Path:
    """Write rows as csv, xlsx or json to ``path``."""
    if fmt in ("jsonld", "ttl"):
        raise UsageError(f"format {fmt!r} is RDF: use write_export() with the graph")
    path = Path(path)
    path.write_bytes(table_bytes(rows, fmt))
    return path


def graph_bytes(graph: Any, fmt: str) -> bytes:
    """An rdflib graph as Turtle (``ttl``) or JSON-LD (``jsonld``) with the plan prefixes."""
    from plangraph.graph.vocab import PREFIXES

    if fmt == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")  # type: ignore[no-any-return]
    if fmt == "jsonld":
        return graph.serialize(format="json-ld", context=dict(PREFIXES), encoding="utf-8")  # type: ignore[no-any-return]
    raise UsageError(f"format {fmt!r} is not RDF; choose one of: ttl, jsonld")


def export_bytes(ws: Any, kind: str, fmt: str, plan: str | Sequence[str] | None = None) -> bytes:
    """The entities of ``kind`` from a :class:`~plangraph.workspace.Workspace` as a file
    in any of :data:`~plangraph.graph.export.FORMATS`, as bytes."""
    from plangraph.graph.export import check_format

    check_format(fmt)
    if fmt in ("jsonld", "ttl"):
        return graph_bytes(ws.export_graph(kind, plan), fmt)
    return table_bytes(ws.export_rows(kind, plan), fmt)


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

    def w(t: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in t)

    widths = [max([w(c)] + [w(r[i]) for r in body]) for i, c in enumerate(columns)]

    def pad(t: str, n: int) -> str:
        return t + " " * (n - w(t))

    lines = ["  ".join(pad(c, widths[i]) for i, c in enumerate(columns)),
             "  ".join("-" * n for n in widths)]
    lines += ["  ".join(pad(c, widths[i]) for i, c in enumerate(r)) for r in body]
    return "\n".join(lines)


__all__ = ["TABLE_FORMATS", "columns_of", "csv_bytes", "csv_text", "export_bytes", "graph_bytes",
           "neutralise", "table_bytes", "text_table", "write_export", "write_table"]
