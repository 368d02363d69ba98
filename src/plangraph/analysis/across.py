"""One indicator concept across plans: each plan's baseline and targets, the plans
that set none, and the national targets to hold them against.

The rows come from the named query ``concept-across-plans`` (one row per target an
indicator tied to the concept states); this module types them and answers the two
questions every view of them asks:

* **Which national target is the bar for a target of year Y?** The national plans'
  target for the same concept of the latest year not after Y (a county's 2025 target
  is held against the national 2020 target, not the 2035 one, which is a later
  horizon); between national plans stating the same year, the most recent plan
  (issued, then period end). National targets are values of the national documents'
  indicators in the graph, never written here.
* **Is a target weaker than that bar?** Direction-aware: where higher is better a
  lower value is weaker, where lower is better a higher one. Not comparable (None)
  when either has no number, the units differ, or the concept has no direction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

DIRECTIONS: dict[str, str] = {
    "https://w3id.org/plangraph/ontology#HigherIsBetter": "higher",
    "https://w3id.org/plangraph/ontology#LowerIsBetter": "lower",
    "https://w3id.org/plangraph/ontology#NoDirection": "none",
}
"""``pg:direction`` values of the indicator scheme → the word this module uses."""

NATIONAL = "national"


@dataclass(frozen=True)
class ConceptInfo:
    """One concept of the indicator scheme (``pgc:indicator-concepts``) as the graph states it."""

    key: str
    label_zh: str
    label_en: str = ""
    unit: str | None = None
    direction: str | None = None
    """``higher``, ``lower``, ``none``, or None when the scheme does not say."""
    definition_zh: str = ""
    definition_en: str = ""
    stage: str = ""
    """The key of the stage the concept belongs to (``skos:broader``), empty when none."""
    stage_zh: str = ""
    stage_en: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("a concept needs a key")
        if self.direction not in (None, "higher", "lower", "none"):
            raise ValueError(f"concept {self.key}: direction {self.direction!r}; choose one of: higher, lower, none")

    def label(self, english: bool = False) -> str:
        return (self.label_en or self.label_zh) if english else self.label_zh


@dataclass(frozen=True)
class PlanRef:
    """A plan as the view lists it."""

    plan: str
    level: str | None = None
    title: str = ""


@dataclass(frozen=True)
class ConceptTarget:
    """One target a plan states for a concept, with the indicator's baseline."""

    key: str
    concept: str
    plan: str
    level: str | None
    title: str
    indicator: str
    """The indicator as the plan writes it."""
    iri: str
    comparator: str
    target: Decimal | None
    text: str
    """The target as written (``≥96.6``, ``通过``)."""
    year: int | None
    unit: str | None = None
    binding: str | None = None
    baseline: Decimal | None = None
    baseline_text: str | None = None
    baseline_year: int | None = None
    direction: str | None = None
    tie_status: str | None = None
    tie_score: float | None = None
    quote: str = ""
    """The indicator's table row as the plan states it (filled where a check quotes it)."""
    start: int | None = None
    end: int | None = None

    @property
    def shown(self) -> str:
        """The target with its unit (``≥ 90%``, ``12.5年``)."""
        return f"{self.text}{self.unit or ''}"


@dataclass(frozen=True)
class ConceptAcross:
    """What :meth:`plangraph.workspace.Workspace.concept_across_plans` answers."""

    concept: ConceptInfo
    rows: tuple[ConceptTarget, ...]
    """The targets for the concept of every plan of the levels asked for, by plan."""
    without_target: tuple[PlanRef, ...]
    """The plans (of the levels asked for) that set no target for the concept."""
    national: tuple[ConceptTarget, ...] = ()
    """The national plans' targets, whatever levels were asked for: the bars the others
    are held against."""
    plan_order: tuple[str, ...] = field(default=())
    """Plan ids from the most recent to the oldest, to choose between national plans."""

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({r.year for r in self.rows if r.year is not None}))

    def usual_year(self) -> int | None:
        """The target year most plans (national plans aside) set a number for; the latest of equals."""
        counts: dict[int, int] = {}
        for r in self.rows:
            if r.level != NATIONAL and r.year is not None and r.target is not None:
                counts[r.year] = counts.get(r.year, 0) + 1
        return max(counts, key=lambda y: (counts[y], y)) if counts else None

    def reference(self, year: int | None) -> ConceptTarget | None:
        """The national target a target of ``year`` is held against (see the module)."""
        return national_reference(self.national, year, self.plan_order)

    def records(self) -> list[dict[str, Any]]:
        """The rows as a table (the page's and the downloads'): one dict a target, with
        the national target it is held against and whether it is weaker."""
        out = []
        for r in self.rows:
            ref = None if r.level == NATIONAL else self.reference(r.year)
            verdict = weaker(r, ref, self.concept.direction) if ref is not None else None
            out.append({
                "plan": r.plan, "level": r.level, "title": r.title, "indicator": r.indicator,
                "baseline": r.baseline_text, "baseline_year": r.baseline_year,
                "comparator": r.comparator, "target": r.target, "target_text": r.text, "target_year": r.year,
                "unit": r.unit, "binding": r.binding,
                "national target": f"{ref.shown} ({ref.year})" if ref is not None else None,
                "below national": None if verdict is None else ("weaker" if verdict else "not weaker"),
                "tie_status": r.tie_status, "tie_score": r.tie_score, "iri": r.iri,
            })
        return out


@dataclass(frozen=True)
class ChartData:
    """What the chart of one target year draws: a point per plan target of that year
    (national plans aside), and the national targets as lines (the bar, then the next
    national target after the year, when there is one)."""

    year: int
    points: tuple[dict[str, Any], ...]
    lines: tuple[dict[str, Any], ...]


def chart_data(across: ConceptAcross, year: int) -> ChartData:
    """The targets of ``year`` (numbers only) and the national lines they meet."""
    points = tuple({"plan": r.plan, "level": r.level or "", "target": float(r.target), "shown": r.shown,
                    "indicator": r.indicator}
                   for r in across.rows if r.level != NATIONAL and r.year == year and r.target is not None)
    lines = []
    bar = across.reference(year)
    if bar is not None and bar.target is not None:
        lines.append({"target": float(bar.target), "label": f"{bar.plan} {bar.year}: {bar.shown}", "kind": "bar"})
    later = sorted((n for n in across.national if n.year is not None and n.year > year and n.target is not None),
                   key=lambda n: (n.year, across.plan_order.index(n.plan) if n.plan in across.plan_order else 0))
    if later:
        n = later[0]
        lines.append({"target": float(n.target or 0), "label": f"{n.plan} {n.year}: {n.shown}", "kind": "later"})
    return ChartData(year, points, tuple(lines))


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(str(value)[:4])


def targets_from_rows(rows: Iterable[Mapping[str, Any]], concepts: Mapping[str, ConceptInfo]) -> list[ConceptTarget]:
    """Rows of ``concept-across-plans`` (as dicts) as :class:`ConceptTarget`, each with
    its concept's direction (from ``concepts``, by key)."""
    out = []
    for r in rows:
        info = concepts.get(str(r["key"]))
        status, score = r.get("tieStatus"), r.get("tieScore")
        out.append(ConceptTarget(
            key=str(r["key"]), concept=str(r["conceptLabel"]), plan=str(r["plan"]), level=r.get("planLevel"),
            title=str(r.get("title") or ""), indicator=str(r["indicator"]), iri=str(r["iri"]),
            comparator=str(r["comparator"]), target=_dec(r.get("target")), text=str(r["text"]),
            year=_int(r.get("year")), unit=r.get("unit"), binding=r.get("binding"),
            baseline=_dec(r.get("baseline")), baseline_text=r.get("baselineText"),
            baseline_year=_int(r.get("baselineYear")), direction=info.direction if info else None,
            tie_status=status, tie_score=None if score is None else float(score)))
    return out


def national_reference(national: Sequence[ConceptTarget], year: int | None,
                       plan_order: Sequence[str] = ()) -> ConceptTarget | None:
    """The national target of the latest year not after ``year`` (numbers only); of two
    plans stating that year, the one earlier in ``plan_order`` (the most recent)."""
    if year is None:
        return None
    rank = {p: i for i, p in enumerate(plan_order)}
    candidates = [t for t in national if t.year is not None and t.year <= year and t.target is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda t: (-(t.year or 0), rank.get(t.plan, len(rank)), t.plan, t.iri))


def _unit(u: str | None) -> str:
    return (u or "").replace("％", "%").strip()


def weaker(target: ConceptTarget, bar: ConceptTarget, direction: str | None) -> bool | None:
    """Whether ``target`` asks for less than ``bar`` (direction-aware); None when the two
    cannot be compared (no number, other units, no direction)."""
    if target.target is None or bar.target is None or direction not in ("higher", "lower"):
        return None
    if _unit(target.unit) and _unit(bar.unit) and _unit(target.unit) != _unit(bar.unit):
        return None
    return target.target < bar.target if direction == "higher" else target.target > bar.target


def plan_order(plans: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Plan ids from the most recent (issued, then period end) to the oldest, from the
    plans' metadata (``Workspace.plans()``)."""
    def recency(p: Mapping[str, Any]) -> tuple[str, int]:
        meta = p.get("meta") or {}
        return (str(meta.get("issued") or ""), int(meta.get("period_end") or 0))

    return tuple(p["plan"] for p in sorted(plans, key=recency, reverse=True))


__all__ = ["ChartData", "ConceptAcross", "chart_data", "ConceptInfo", "ConceptTarget", "DIRECTIONS", "PlanRef",
           "national_reference",
           "plan_order", "targets_from_rows", "weaker"]
