"""What the Streamlit app shows, as plain data: hits as table rows and markdown,
query results and exports as downloadable bytes.

Kept out of ``app.py`` so that the page holds widgets and layout only, and so that
these conversions can be tested without a browser.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .export import neutralise
from .model import EntityRef, Hit
from .workspace import MANIFEST, Workspace

MIME_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle",
}

# Streamlit badge colours by entity class; anything else is grey.
_CHIP_COLOURS = {
    "Project": "orange",
    "Indicator": "blue",
    "Programme": "violet",
    "Commitment": "green",
    "Organization": "red",
    "Place": "gray",
    "CitedDocument": "gray",
}
# Characters Streamlit markdown would read as formatting (``$`` starts LaTeX).
_MARKDOWN_SPECIAL = "\\`*_{}[]<>()#+-.!|~$:"
_PLAN_FACTS = ("title", "region", "level", "issuer", "issued", "period_start", "period_end",
               "source_file", "source_url")


def index_key(path: Path) -> str:
    """A cache key that changes when the index at ``path`` is rebuilt."""
    try:
        return f"{path.resolve()}@{(path / MANIFEST).stat().st_mtime_ns}"
    except OSError:
        return str(path)


def escape_markdown(text: str) -> str:
    """``text`` with every markdown control character backslash-escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def blockquote(text: str) -> str:
    """A markdown blockquote keeping each non-empty line of ``text`` as a paragraph."""
    lines = [escape_markdown(line.strip()) for line in text.splitlines() if line.strip()]
    return "\n>\n".join(f"> {line}" for line in lines) or "> …"


def entity_chips(entities: Iterable[EntityRef], limit: int = 12) -> str:
    """Entities as inline Streamlit badges (``:blue-badge[Indicator · 毛入园率]``)."""
    refs = list(entities)
    chips = []
    for e in refs[:limit]:
        label = e.label if len(e.label) <= 40 else e.label[:40] + "…"
        text = escape_markdown(f"{e.kind} · {label}")
        chips.append(f":{_CHIP_COLOURS.get(e.kind, 'gray')}-badge[{text}]")
    if len(refs) > limit:
        chips.append(f":gray-badge[+{len(refs) - limit}]")
    return " ".join(chips)


def hit_rows(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """Search results as flat rows (one per hit) for a table or a CSV file."""
    return [
        {
            "rank": h.rank,
            "score": round(h.score, 6),
            "plan": h.plan,
            "section": h.section,
            "start": h.start,
            "end": h.end,
            "quote": h.quote,
            "entities": "; ".join(f"{e.kind}: {e.label}" for e in h.entities),
            "passage_iri": h.passage_iri,
        }
        for h in hits
    ]


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file written the way :mod:`plangraph.export` writes one: UTF-8 with a
    BOM (so Excel reads Chinese) and formula-like cells neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    w.writerows([neutralise(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")


def dict_rows_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """:func:`csv_bytes` for rows given as dicts (columns in first-seen order)."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    return csv_bytes(columns, ([r.get(c) for c in columns] for r in rows))


def export_bytes(ws: Workspace, kind: str, fmt: str, plan: str | None = None) -> bytes:
    """The file :meth:`Workspace.export` writes (the CLI's ``export -o``), as bytes."""
    with tempfile.TemporaryDirectory(prefix="plangraph-export-") as tmp:
        return ws.export(kind, fmt, Path(tmp) / f"{kind}.{fmt}", plan).read_bytes()


def export_file_name(kind: str, fmt: str, plan: str | None = None) -> str:
    return f"{kind}-{plan or 'all'}.{fmt}"


def plan_facts(plan: dict[str, Any]) -> dict[str, str]:
    """The metadata of one entry of :meth:`Workspace.plans` worth showing, as text."""
    meta = plan.get("meta", {})
    return {k: str(meta[k]) for k in _PLAN_FACTS if meta.get(k) not in (None, "")}
