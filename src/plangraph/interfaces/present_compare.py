"""What the compare page shows of two plans: the commitment rows of one side, in their
column order, and the cited documents linked to the plans of the index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

COMMITMENT_COLUMNS = ("side", "score", "note", "quote", "other_quote", "why", "section", "plan", "start", "end",
                      "other_plan", "other_start", "other_end", "context", "other_context")


def on_side(rows: Sequence[dict[str, Any]], side: str | None) -> list[dict[str, Any]]:
    """The commitment rows of one side (``shared``, ``only in A``, ``only in B``); all for None."""
    return [r for r in rows if side is None or r["side"] == side]


def citation_records(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cited documents with a link (``?plan=ID``) to those that are plans of the index."""
    return [{**r, "open": f"?plan={r['corpus_plan']}" if r.get("corpus_plan") else None} for r in rows]
