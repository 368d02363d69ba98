"""What :meth:`Workspace.indicator_concepts` and :meth:`Workspace.concept_across_plans`
read from an opened index: the indicator scheme as the graph states it, and one
concept's rows of the named query ``concept-across-plans`` (answered from the plans'
stored rows)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plangraph.analysis.across import (
    DIRECTIONS,
    NATIONAL,
    ConceptAcross,
    ConceptInfo,
    PlanRef,
    plan_order,
    targets_from_rows,
)
from plangraph.errors import UsageError

if TYPE_CHECKING:
    from plangraph.workspace.core import Workspace

_CONCEPTS = """
    SELECT ?key ?zh ?en ?unit ?direction ?defZh ?defEn ?stage ?stageZh ?stageEn WHERE {
      ?c skos:inScheme <https://w3id.org/plangraph/concept/indicator-concepts> ;
         skos:notation ?key ; skos:prefLabel ?zh .
      FILTER (lang(?zh) = "zh")
      OPTIONAL { ?c skos:prefLabel ?en FILTER (lang(?en) = "en") }
      OPTIONAL { ?c pg:unit ?unit }
      OPTIONAL { ?c pg:direction ?direction }
      OPTIONAL { ?c skos:definition ?defZh FILTER (lang(?defZh) = "zh") }
      OPTIONAL { ?c skos:definition ?defEn FILTER (lang(?defEn) = "en") }
      OPTIONAL { ?c skos:broader ?s . ?s skos:notation ?stage ; skos:prefLabel ?stageZh
                 FILTER (lang(?stageZh) = "zh")
                 OPTIONAL { ?s skos:prefLabel ?stageEn FILTER (lang(?stageEn) = "en") } }
    } ORDER BY ?key"""

_cache: weakref.WeakKeyDictionary[Workspace, tuple[ConceptInfo, ...]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()

LEVELS = ("national", "provincial", "municipal", "county", "district")


def indicator_concepts(ws: Workspace) -> tuple[ConceptInfo, ...]:
    """Every concept of the indicator scheme in the index's graph, by key (read once per workspace)."""
    with _lock:
        if ws not in _cache:
            rows = ws.sparql(_CONCEPTS, timeout_s=30).as_dicts()
            seen: dict[str, ConceptInfo] = {}
            for r in rows:  # a concept with two stages or units is listed once, with the first
                if r["key"] in seen:
                    continue
                seen[r["key"]] = ConceptInfo(
                    key=str(r["key"]), label_zh=str(r["zh"]), label_en=str(r.get("en") or ""),
                    unit=r.get("unit"), direction=DIRECTIONS.get(str(r.get("direction") or "")),
                    definition_zh=str(r.get("defZh") or ""), definition_en=str(r.get("defEn") or ""),
                    stage=str(r.get("stage") or ""), stage_zh=str(r.get("stageZh") or ""),
                    stage_en=str(r.get("stageEn") or ""))
            _cache[ws] = tuple(seen.values())
        return _cache[ws]


def find_concept(ws: Workspace, concept: str) -> ConceptInfo:
    """The concept whose key or Chinese or English label is ``concept``.

    Raises:
        UsageError: no concept of the scheme is called so (with the nearest names).
    """
    concepts = indicator_concepts(ws)
    for c in concepts:
        if concept in (c.key, c.label_zh, c.label_en):
            return c
    near = [c.key for c in concepts if concept and (concept in c.label_zh or concept in c.key)][:8]
    raise UsageError(f"unknown indicator concept {concept!r}",
                     hint=f"did you mean: {', '.join(near)}" if near else
                     "give a key or Chinese label of ontology/indicator-scheme.ttl (preschool-gross-enrolment, "
                     "学前教育毛入园率)")


def concept_across(ws: Workspace, concept: str, levels: Sequence[str] | None = None) -> ConceptAcross:
    """:meth:`Workspace.concept_across_plans`."""
    for asked in levels or ():
        if asked not in LEVELS:
            raise UsageError(f"unknown plan level {asked!r}; choose one of: {', '.join(LEVELS)}")
    info = find_concept(ws, concept)
    rows = ws.sparql(name="concept-across-plans", params={"concept": info.key}, limit=0).as_dicts()
    plans = ws.plans()
    meta = {p["plan"]: p.get("meta") or {} for p in plans}

    def level(plan: str) -> str | None:
        return meta.get(plan, {}).get("level")

    def kept(plan: str) -> bool:
        return not levels or level(plan) in levels

    targets = targets_from_rows(rows, {info.key: info})
    with_rows = {t.plan for t in targets}
    without = tuple(PlanRef(p, level(p), str(meta[p].get("title") or ""))
                    for p in ws.plan_ids if p not in with_rows and kept(p))
    return ConceptAcross(info, tuple(t for t in targets if kept(t.plan)), without,
                         tuple(t for t in targets if level(t.plan) == NATIONAL), plan_order(plans))
