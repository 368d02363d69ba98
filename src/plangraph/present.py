"""What the Streamlit app shows, as plain data: hits as table rows and markdown,
query results and exports as downloadable bytes.

Kept out of ``app.py`` so that the page holds widgets and layout only, and so that
these conversions can be tested without a browser.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .browse import EntityDetail, EntityRow
from .export import neutralise
from .model import EntityRef, Hit
from .planview import SectionNode
from .workspace import MANIFEST, Workspace

MIME_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle",
}

# What the SPARQL editor holds when no named query is chosen.
STARTER_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
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


def chip_label(e: EntityRef, limit: int = 24) -> str:
    """The text of an entity chip: its class and a short label (``Project · 马溪幼儿园``)."""
    label = e.label if len(e.label) <= limit else e.label[:limit] + "…"
    return f"{e.kind} · {label}"


def query_terms(query: str) -> list[str]:
    """The parts of a query worth marking in a quote: words of two or more characters,
    longest first (so that a long term is marked before the short one inside it)."""
    parts = {w for w in re.split(r"[\s,，;；、?？!！。.]+", query) if len(w) >= 2}
    return sorted(parts, key=lambda w: (-len(w), w))


def highlight(text: str, terms: Sequence[str]) -> str:
    """``text`` as escaped markdown, with every occurrence of ``terms`` in colour."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        for m in re.finditer(re.escape(term), text):
            if not any(m.start() < e and s < m.end() for s, e in spans):
                spans.append((m.start(), m.end()))
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(escape_markdown(text[pos:start]))
        out.append(f":orange[{escape_markdown(text[start:end])}]")
        pos = end
    out.append(escape_markdown(text[pos:]))
    return "".join(out)


def quote_in_context(quote: str, before: str = "", after: str = "", terms: Sequence[str] = ()) -> str:
    """A markdown blockquote of ``quote`` in bold with query terms marked, between the
    text before and after it in grey."""
    flat = [line.strip() for line in quote.splitlines() if line.strip()]
    parts = []
    if before.strip():
        parts.append(f":gray[{escape_markdown(' '.join(before.split()))}]")
    parts.extend(f"**{highlight(line, terms)}**" for line in flat)
    if after.strip():
        parts.append(f":gray[{escape_markdown(' '.join(after.split()))}]")
    return "\n>\n".join(f"> {p}" for p in parts) or "> …"


def section_choices(nodes: Sequence[SectionNode]) -> dict[str, str]:
    """Section path (what :meth:`Workspace.search` takes as ``section``) → an indented
    label, in document order."""
    out: dict[str, str] = {}
    stack: list[str] = []
    for n in nodes:
        del stack[n.depth:]
        stack.append(n.title)
        out[" > ".join(stack)] = "　" * n.depth + " ".join(x for x in (n.number, n.title) if x)
    return out


def section_rows(nodes: Sequence[SectionNode]) -> list[dict[str, Any]]:
    """The section tree as table rows, titles indented by depth."""
    return [{"section": "　" * n.depth + " ".join(x for x in (n.number, n.title) if x),
             "passages": n.passages, "entities": n.entities} for n in nodes]


def entity_records(rows: Sequence[EntityRow]) -> list[dict[str, Any]]:
    """Entity rows as records for a table, the IRI last."""
    return [{**r.columns, "iri": r.iri} for r in rows]


def property_rows(detail: EntityDetail) -> list[dict[str, str]]:
    return [{"property": k, "value": v} for k, v in detail.properties]


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
