"""Table cells with exact offsets, the flags that mark doubtful ones, and table ids.

Shared by the two table readers (:mod:`plangraph.ingest.tables` for tab-separated
rows, :mod:`plangraph.ingest.flat` for one cell per line). A cell keeps its exact
original text; suspicious cells are flagged, never silently repaired.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from plangraph.ingest.layout import Line, match_column, match_heading
from plangraph.model import Cell, Finding, TableRow
from plangraph.text import collapse

_GLUED = re.compile(r"\d\.\d{3,}~\d")
_RATIO = re.compile(r"(生师比|师生比|班师比)[^,。;]{0,6}?(达到|为|控制在)?\s*(\d{2,4}(?:\.\d+)?)(?![:：\d])")
_MULTI = re.compile(r"[<>≥≤]\s*\d[\d.]*\s*[<>≥≤]\s*\d")


@dataclass
class TableContext:
    """What the table readers share while reading one plan: its text and findings."""

    plan_id: str
    original: str
    findings: list[Finding] = field(default_factory=list)

    def cell(self, first: Line, last: Line | None = None, flags: tuple[str, ...] = ()) -> Cell:
        """The cell spanning lines ``first``..``last``."""
        last = last or first
        text = self.original[first.start:last.end]
        return Cell(text, collapse(text), first.start, last.end, flags + cell_flags(collapse(text)))

    def sub_cell(self, line: Line, a: int, b: int) -> Cell | None:
        """The cell at characters ``a``..``b`` of ``line`` (None when blank)."""
        raw = self.original[line.start + a: line.start + b]
        if not raw.strip():
            return None
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw.rstrip())
        s, e = line.start + a + lead, line.start + a + trail
        text = self.original[s:e]
        return Cell(text, collapse(text), s, e, cell_flags(collapse(text)))

    def joined(self, first: Cell, last: Cell) -> Cell:
        """One cell from a cell and its continuation on a later line."""
        text = self.original[first.start:last.end]
        value = collapse(f"{first.value}{last.value}")
        return Cell(text, value, first.start, last.end, tuple(dict.fromkeys(first.flags + ("continued",))))

    def truncated(self, table_id: str, what: str, line: Line) -> None:
        self.findings.append(Finding("warning", "truncated-table",
                                     f"table {table_id}: {what} ends before its row is complete",
                                     line.start, line.end))

    def unread(self, title: str, line: Line, why: str) -> None:
        self.findings.append(Finding("warning", "unread-row", f"table {title!r}: row {line.text[:40]!r} {why}",
                                     line.start, line.end))


def cell_flags(value: str) -> tuple[str, ...]:
    flags = []
    if _GLUED.search(value):
        flags.append("glued")
    if _MULTI.search(value):
        flags.append("multi-value")
    if _RATIO.search(value):
        flags.append("suspect-ratio")
    return tuple(flags)


def table_id(plan_id: str, title: str) -> str:
    digest = hashlib.sha1(f"{plan_id}\x1f{title}".encode()).hexdigest()[:10]
    return f"{plan_id}-t-{digest}"


def row_id(tid: str, index: int) -> str:
    return f"{tid}-r{index + 1}"


def make_row(tid: str, index: int, cells: tuple[Cell | None, ...], start: int, end: int, *,
             group: Cell | None = None, sublabel: Cell | None = None, flags: tuple[str, ...] = ()) -> TableRow:
    return TableRow(row_id(tid, index), index, cells, start, end, group=group, sublabel=sublabel, flags=flags)


def stops_table(text: str) -> bool:
    """A line that cannot be a cell: a heading or a 专栏 box."""
    h = match_heading(text)
    if h is not None and h.style != "arabic":
        return True
    return match_column(text) is not None
