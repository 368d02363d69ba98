"""Indicators of several plans side by side, aligned by concept.

Plans name the same indicator differently (普惠性幼儿园覆盖面 / 覆盖率; 学前三年毛入园率 /
学前教育毛入园率). The concepts are those of ``ontology/indicator-scheme.ttl``
(:mod:`plangraph.graph.scheme`); a row carries the concept key the graph ties it to
(``concept``, from ``pg:measures``; None for none), else the matcher
(:mod:`plangraph.graph.matcher`) ties it.

Rows come in as the plain dicts of ``Workspace.export_rows("indicators")``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plangraph.graph.matcher import match
from plangraph.graph.scheme import IndicatorConcept, concept, concepts


@dataclass(frozen=True)
class PlanTarget:
    """One plan's latest target for a concept, as its indicator table states it."""

    plan: str
    indicator: str
    comparator: str | None
    value: Any
    text: str | None
    unit: str | None
    year: int | None
    binding: str | None
    start: int | None
    end: int | None


@dataclass(frozen=True)
class SideBySide:
    """Concepts set by at least one of the compared plans, with every plan's target."""

    plans: tuple[str, ...]
    national: tuple[str, ...]
    lines: tuple[tuple[IndicatorConcept, tuple[PlanTarget, ...]], ...]

    def rows(self) -> list[dict[str, Any]]:
        """One row per concept: per plan ``<plan> target``/``unit``/``year``/``binding``,
        and ``national target`` (which national plan, which year) where one exists."""
        out = []
        for ic, targets in self.lines:
            row: dict[str, Any] = {"concept": ic.label, "key": ic.key}
            by_plan = {t.plan: t for t in targets}
            for p in self.plans:
                t = by_plan.get(p)
                row[f"{p} indicator"] = t.indicator if t else None
                row[f"{p} target"] = _show(t) if t else None
                row[f"{p} year"] = t.year if t else None
                row[f"{p} binding"] = t.binding if t else None
            nat = [by_plan[p] for p in self.national if p in by_plan]
            row["national target"] = "; ".join(f"{_show(t)} ({t.year}, {t.plan})" for t in nat) or None
            out.append(row)
        return out


def _show(t: PlanTarget) -> str:
    cmp = "" if t.comparator in (None, "=") else str(t.comparator)
    value = t.text if t.value is None else t.value
    return f"{cmp}{value}{t.unit or ''}"


def concept_of(label: str, category: str | None, unit: str | None = None) -> IndicatorConcept | None:
    """The concept an indicator (label, category, unit) measures, if the matcher ties it."""
    key = match(label, category=(category or "").rstrip("*") or None, unit=unit).concept
    return concept(key) if key else None


def _target(plan: str, row: Mapping[str, Any]) -> PlanTarget | None:
    values = [v for v in row.get("values") or () if v.get("role") == "target"]
    if not values:
        return None
    last = max(values, key=lambda v: v.get("year") or 0)
    return PlanTarget(plan, row["name"], last.get("comparator"), last.get("value"), last.get("text"),
                      row.get("unit"), last.get("year"), row.get("binding"), row.get("start"), row.get("end"))


def side_by_side(rows_by_plan: Mapping[str, Iterable[Mapping[str, Any]]], plans: Sequence[str],
                 national: Sequence[str] = ()) -> SideBySide:
    """Align the indicators of ``plans`` (and of the ``national`` plans, shown as the
    national target) by concept; concepts none of ``plans`` sets are left out."""
    found: dict[str, dict[str, PlanTarget]] = {}
    for plan, rows in rows_by_plan.items():
        for row in rows:
            if "concept" in row:  # tied in the graph (reviewers' decisions included)
                c = concept(row["concept"]) if row["concept"] else None
            else:
                c = concept_of(row["name"], row.get("category"), row.get("unit"))
            t = _target(plan, row) if c else None
            if c and t and plan not in found.setdefault(c.key, {}):
                found[c.key][plan] = t
    lines = []
    for c in concepts():
        targets = found.get(c.key, {})
        if any(p in targets for p in plans):
            order = [*plans, *[n for n in national if n not in plans]]
            lines.append((c, tuple(targets[p] for p in order if p in targets)))
    return SideBySide(tuple(plans), tuple(n for n in national if n not in plans), tuple(lines))
