"""Plain JSON views of ingested plans (for ``plangraph ingest --json``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from plangraph.model import PlanDoc


def plan_to_json(doc: PlanDoc, *, with_text: bool = False) -> dict[str, Any]:
    """A JSON-ready dict of everything ingestion found in ``doc``.

    The full original and normalised texts are left out unless ``with_text``: every
    span carries its own exact text already.
    """
    data = dataclasses.asdict(doc)
    meta = data.pop("meta")
    meta["header"] = dict(meta["header"])
    meta["provenance"] = dict(meta["provenance"])
    original = data.pop("original")
    norm = data.pop("norm")
    out: dict[str, Any] = {"plan": meta["plan_id"], "meta": meta}
    out["counts"] = {
        "sections": len(doc.sections),
        "top_level_sections": sum(1 for s in doc.sections if s.level == 1),
        "tables": len(doc.tables),
        "table_rows": sum(len(t.rows) for t in doc.tables),
        "passages": len(doc.passages),
        "characters": len(original),
    }
    for table in data["tables"]:
        table["rows"] = [
            {
                "index": row["index"],
                "start": row["start"],
                "end": row["end"],
                "group": row["group"]["value"] if row["group"] else None,
                "sublabel": row["sublabel"]["value"] if row["sublabel"] else None,
                "cells": dict(zip(table["columns"], row["cells"])),
                "flags": row["flags"],
            }
            for row in table["rows"]
        ]
    for excluded in data["excluded"]:
        excluded["text"] = original[excluded["start"]:excluded["end"]][:200]
    out.update(data)
    if with_text:
        out["original"] = original
        out["norm"] = norm
    return out
