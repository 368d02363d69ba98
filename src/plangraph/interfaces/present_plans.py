"""What the plans and entities pages show of a plan: its facts, its section tree, its
entities and their properties in the reader's language, and its audit findings."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from plangraph.graph.browse import EntityDetail, EntityRow, property_labels
from plangraph.graph.planview import SectionNode
from plangraph.interfaces import labels
from plangraph.interfaces.present_markdown import escape_markdown

_PLAN_FACTS = ("title", "kind", "kind_cue", "region", "level", "division", "division_code", "division_cue",
               "issuer", "issued", "period_start", "period_end", "source_file", "source_url")


def plan_facts(plan: Mapping[str, Any]) -> dict[str, str]:
    """The metadata of one entry of :meth:`Workspace.plans` worth showing, as text."""
    meta = plan.get("meta", {})
    return {k: str(meta[k]) for k in _PLAN_FACTS if meta.get(k) not in (None, "")}


def section_rows(nodes: Sequence[SectionNode]) -> list[dict[str, Any]]:
    """The section tree as table rows, titles indented by depth."""
    return [{"section": "　" * n.depth + " ".join(x for x in (n.number, n.title) if x),
             "passages": n.passages, "entities": n.entities} for n in nodes]


def entity_records(rows: Sequence[EntityRow]) -> list[dict[str, Any]]:
    """Entity rows as records for a table, the IRI last."""
    return [{**r.columns, "iri": r.iri} for r in rows]


_YEAR_ROLE = re.compile(r"^(\d{4}) (\w+)$")


def property_label(name: str, english: bool = False) -> str:
    """A property of an entity page in the reader's language: the ontology's label
    (``pg:binding`` → 指标属性), a value's year and role (``2025 target`` → 2025 目标)."""
    if name in property_labels():
        return property_labels()[name][1 if english else 0]
    if m := _YEAR_ROLE.match(name):
        return f"{m.group(1)} {labels.value(m.group(2), english)}"
    return labels.field(name, english)


def property_rows(detail: EntityDetail, english: bool = False) -> list[dict[str, str]]:
    return [{"property": property_label(k, english), "value": v} for k, v in detail.properties]


STATUS_COLOURS: dict[str, str] = {"mismatch": "red", "needs review": "orange", "consistent": "green"}
"""Audit status → the colour of its badge and chip; also the order findings are listed in."""


def status_badges(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """Markdown badges, one per audit status in :data:`STATUS_COLOURS` order, with its count."""
    return " ".join(f":{colour}-badge[{escape_markdown(labels.get(s, s))} · {counts.get(s, 0)}]"
                    for s, colour in STATUS_COLOURS.items())


def audit_records(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit findings for a table: mismatches first, then those needing review, then
    the consistent ones (each group in text order). The status is a one-item list, so
    that a multiselect column shows it as a coloured chip."""
    order = list(STATUS_COLOURS)
    ranked = sorted(rows, key=lambda r: (order.index(r["status"]), r.get("start") or 0))
    return [{"status": [r["status"]], **{k: v for k, v in r.items() if k not in ("plan", "status")}}
            for r in ranked]
