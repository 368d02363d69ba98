"""What the app hands out as files: download types and names, CSV and ZIP bytes, the
plans an export covers; and the SPARQL editor's starting text."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

from plangraph.interfaces.writers import columns_of, csv_bytes

MIME_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle",
}


# What the SPARQL editor holds when no named query is chosen.
STARTER_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 10"


def dict_rows_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """:func:`~plangraph.interfaces.writers.csv_bytes` for rows given as dicts (columns in
    first-seen order)."""
    columns = columns_of(rows)
    return csv_bytes(columns, ([r.get(c) for c in columns] for r in rows))


def plan_selection(chosen: Sequence[str], every: Sequence[str]) -> tuple[str, ...] | None:
    """The plans chosen, in index order, or None when they are all of them (the
    CLI's export without ``--plan``)."""
    picked = tuple(p for p in every if p in chosen)
    return None if set(picked) == set(every) else picked


def export_file_name(kind: str, fmt: str, plan: str | Sequence[str] | None = None) -> str:
    """``indicators-all.csv``, ``projects-linan.xlsx``, ``commitments-linan+linping.ttl``."""
    plans = [plan] if isinstance(plan, str) else list(plan or [])
    return f"{kind}-{'+'.join(plans) or 'all'}.{fmt}"


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A ZIP of ``files`` (name → bytes), the same bytes for the same files (fixed
    timestamps), so that it can be cached and compared."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()
