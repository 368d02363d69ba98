"""Which plans a question is about, so that their passages rank first.

A corpus usually mixes the plans that staff work with (a district's 十四五 plan) with
the higher-level documents those plans implement and cite (the national outline,
《中国教育现代化2035》). Asked 怎样给中小学生减轻学习压力, every retriever ranks the
national outline's general chapter on 减负 above the Lin'an plan's own commitment: it
says more about the subject. What a district's staff want first is what their plans
commit to, with the national text after it.

So search weighs passages by scope. The plans in scope for a question are, narrowing
step by step and skipping a step that would leave none:

1. the plans of a place the question names: a division of the gazetteer, full or
   short (临沂市, 临沂, 兰陵县, 山东), whose plans are those of the division itself if
   there are any, else of the divisions under it, and of those the plans proper before
   their explainers and reports (unless the question asks for one: 解读, 评估, 进展 …);
   else the plans of a region the
   question names (临安, 临平区; 国家层面, national level and the like for national
   documents), or a plan by its id or title,
2. of those, the plans whose period covers a year the question names (2020年, by 2035,
   十四五),
3. of those, the plans of the most local level (district and county first, then
   municipal, provincial, national), unless a place narrowed them: 临沂市's question
   is about the city's plan before its counties'.

When every plan is in scope nothing changes. Otherwise search checks that the plans
in scope address the question at all: two retrievers must rank one of their passages
in their top ten (:meth:`plangraph.search.read.searcher.Searcher.search_with_scope`). A subject that
only the national documents cover (学分银行, 来华留学) keeps its national answers first.
If they do, the fused score of each passage outside the scope is multiplied by a
weight below one (:attr:`plangraph.search.read.searcher.FusionConfig.out_of_scope`): a soft
preference, so that a national passage that matches much better than any local one
still ranks above them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plangraph.ingest.gazetteer import Division, Gazetteer, gazetteer
from plangraph.model import PlanMeta
from plangraph.text import fold

# most local first; district and county plans are one tier (区县级)
TIERS: Mapping[str, int] = {"district": 0, "county": 0, "municipal": 1, "provincial": 2, "national": 3}
TIER_NAMES = {0: "district and county", 1: "municipal", 2: "provincial", 3: "national"}
TIER_NAMES_ZH = {0: "区县级", 1: "市级", 2: "省级", 3: "国家级"}
# Only phrases that ask about the national level: 全国 and 国家级 alone name titles
# that districts strive for (创成全国学前教育普及普惠区, 国家级示范校).
NATIONAL_CUES = ("国家层面", "全国层面", "国家规划", "国家政策", "国家文件", "国家对", "国家要求", "国家提出",
                 "中央文件", "党中央", "国务院",
                 "national level", "national plan", "national policy", "national policies", "nationwide",
                 "national government", "central government", "state council")
# words of a question about an explainer or a report rather than the plan itself
OTHER_KIND_CUES = ("解读", "说明", "评估", "进展", "实施情况", "完成情况", "成效", "总结", "报告")
_TITLE_NOTE = re.compile(r"[（(][^）)]*[）)]")  # （节选）, （2010－2020年）
_SUFFIXES = "自治区|自治州|特别行政区|省|市|区|县|盟|旗"
_REGION_PART = re.compile(rf".{{2,}}?(?:{_SUFFIXES})")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_ZH_YEAR_CONTEXT = re.compile(r"^\s*(?:年|[-–—~至到]\s*(?:19|20)\d{2})")  # 2020年, 2021-2025
_ZH_FYP = re.compile(r"十([一二三四五六七八九])五")  # 十一五 … 十九五
_EN_FYP = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+five[- ]year\s+plan", re.I)
_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class PlanProfile:
    """What scoping needs to know of one plan (from its metadata)."""

    plan_id: str
    title: str | None = None
    level: str | None = None
    region: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    division_code: str | None = None
    kind: str | None = None

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any] | PlanMeta) -> PlanProfile:
        """From a plan's :class:`~plangraph.model.PlanMeta` or its ``meta`` record in
        ``plans.json``."""
        if isinstance(meta, PlanMeta):
            meta = dataclasses.asdict(meta)
        return cls(
            plan_id=str(meta["plan_id"]),
            title=meta.get("title"),
            level=meta.get("level"),
            region=meta.get("region"),
            period_start=meta.get("period_start"),
            period_end=meta.get("period_end"),
            division_code=meta.get("division_code"),
            kind=meta.get("kind"),
        )

    @property
    def tier(self) -> int | None:
        return TIERS.get(self.level or "")

    def covers(self, year: int) -> bool:
        """Whether the plan's period includes ``year``. A plan known only by its end
        year (《中国教育现代化2035》) covers that year alone."""
        if self.period_end is None:
            return False
        start = self.period_end if self.period_start is None else self.period_start
        return start <= year <= self.period_end

    def names(self) -> tuple[str, ...]:
        """Ways a question may name the plan: its title (without 《》 and notes in
        brackets), and its region: 杭州市临安区 → 临安区, 临安."""
        title = _TITLE_NOTE.sub("", self.title or "").strip("《》 ")
        titles = (title,) if len(title) >= 4 else ()
        if self.tier == TIERS["national"]:
            return titles + NATIONAL_CUES
        if not self.region:
            return titles
        parts = _REGION_PART.findall(self.region) or [self.region]
        last = parts[-1]
        stem = re.sub(rf"(?:{_SUFFIXES})$", "", last)
        return titles + tuple(dict.fromkeys(n for n in (last, stem) if len(n) >= 2))


@dataclass(frozen=True)
class Scope:
    """The plans a question is taken to be about, and why.

    Attributes:
        plans: ids of the plans in scope.
        tier: their level tier (0 district/county … 3 national), when all share one.
        regions: the plan names or regions the question named, if that narrowed the scope.
        years: the years the question named, if that narrowed the scope.
        places: the divisions the question named (full names), if that narrowed the scope.
    """

    plans: frozenset[str]
    tier: int | None = None
    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    places: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for a terminal: ``scope: district and county plans (linan, linping)``."""
        why = []
        if self.regions:
            why.append("named " + ", ".join(self.regions))
        if self.years:
            why.append("period covers " + ", ".join(map(str, self.years)))
        level = f"{TIER_NAMES[self.tier]} plans" if self.tier is not None else "plans"
        if self.places:
            level = f"plans of {'、'.join(self.places)}"
        return f"{level} first ({', '.join(sorted(self.plans))})" + (f"; {'; '.join(why)}" if why else "")

    def describe_zh(self) -> str:
        """The same in Chinese, for the app."""
        why = []
        if self.regions:
            why.append("问题提到" + "、".join(self.regions))
        if self.years:
            why.append("规划期含" + "、".join(f"{y}年" for y in self.years))
        level = f"{TIER_NAMES_ZH[self.tier]}规划" if self.tier is not None else "规划"
        if self.places:
            level = f"{'、'.join(self.places)}的规划"
        return f"优先显示{level}（{'、'.join(sorted(self.plans))}）" + (f"：{'；'.join(why)}" if why else "")


def years_named(query: str) -> tuple[int, ...]:
    """Years a question names: 2020年, 2021-2025, by 2035, 十四五 (2021–2025)."""
    english = re.search(r"[A-Za-z]{3}", query) is not None
    years: set[int] = set()
    for m in _YEAR.finditer(query):
        # in Chinese a bare number (培养2000名) is not a year; 2020年, 2021-2025, 到2035 are
        before, after = query[: m.start()].rstrip(), query[m.end():]
        if english or _ZH_YEAR_CONTEXT.match(after) or before.endswith(("到", "至", "-", "–", "—", "~")):
            years.add(int(m.group()))
    for m in _ZH_FYP.finditer(query):
        years.update(_fyp_years(10 + _ZH_DIGITS[m.group(1)]))
    for m in _EN_FYP.finditer(query):
        years.update(_fyp_years(int(m.group(1))))
    return tuple(sorted(years))


def _fyp_years(n: int) -> range:
    """The years of the n-th five-year plan (from the 3rd, 1966–1970, on)."""
    if n < 3:
        return range(0)
    start = 1966 + 5 * (n - 3)
    return range(start, start + 5)


_WORD = re.compile(r"[a-z0-9-]+")


class PlanNames:
    """Every name of some plans (:meth:`PlanProfile.names`, and the plan ids), folded once,
    for finding those a question names by looking up the question's own substrings: the
    cost of a question follows its length, not the number of plans (folding every name
    of every plan at each search was 74% of a warm search's time at 500 plans under the
    profiler, 89% at 3,000)."""

    def __init__(self, plans: Sequence[PlanProfile]) -> None:
        self.plans = plans
        self.plain: tuple[Scope | None] | None = None
        """The scope of a question that names no plan, place or year among :attr:`plans`
        (the same for every such question), once :func:`scope_of` has made it."""
        self.order: dict[str, int] = {}
        self.names: dict[str, tuple[str, ...]] = {}
        self.by_folded: dict[str, set[tuple[str, str]]] = {}  # a folded name -> (plan id, name)
        self.by_word: dict[str, set[tuple[str, str]]] = {}  # a Latin name or plan id -> (plan id, name)
        self.everywhere: set[tuple[str, str]] = set()  # names that fold to nothing: in every question
        self.by_id: dict[str, set[str]] = {}  # a plan id, case-folded -> the plans of that id
        for p in plans:
            self.by_id.setdefault(p.plan_id.casefold(), set()).add(p.plan_id)
            self.order.setdefault(p.plan_id, len(self.order))
            self.names[p.plan_id] = p.names()
            for n in self.names[p.plan_id]:
                if _WORD.fullmatch(n):
                    self.by_word.setdefault(n, set()).add((p.plan_id, n))
                elif folded := _fold(n):
                    self.by_folded.setdefault(folded, set()).add((p.plan_id, n))
                else:
                    self.everywhere.add((p.plan_id, n))
        self.longest = max(map(len, self.by_folded), default=0)

    def named(self, query: str, plans: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
        """plan id → what of its names occurs in ``query`` (of ``plans``, if given), in the
        plans' order; the plan's id last when the question names it."""
        folded = _fold(query)
        words = set(_WORD.findall(folded))
        hits = set(self.everywhere)
        for i in range(len(folded)):
            for j in range(i + 1, min(len(folded), i + self.longest) + 1):
                hits.update(self.by_folded.get(folded[i:j], ()))
        for word in words:
            hits.update(self.by_word.get(word, ()))
        wanted = None if plans is None else set(plans)
        matched: dict[str, set[str]] = {}
        for pid, n in hits:
            if wanted is None or pid in wanted:
                matched.setdefault(pid, set()).add(n)
        for word in words:  # a plan named by its id alone
            for pid in self.by_id.get(word, ()):
                if wanted is None or pid in wanted:
                    matched.setdefault(pid, set())
        out: dict[str, tuple[str, ...]] = {}
        for pid in sorted(matched, key=self.order.__getitem__):
            found = [n for n in self.names[pid] if n in matched[pid]]
            if pid.casefold() in words:
                found.append(pid)
            if found:
                out[pid] = tuple(found)
        return out


def regions_named(query: str, plans: Iterable[PlanProfile],
                  names: PlanNames | None = None) -> dict[str, tuple[str, ...]]:
    """plan id → what of its names (:meth:`PlanProfile.names`, or its id) occurs in the
    question; ``names`` is a :class:`PlanNames` made once for these plans or more."""
    plans = list(plans)
    if names is None:
        return PlanNames(plans).named(query)
    return names.named(query, (p.plan_id for p in plans))


def _fold(text: str) -> str:
    """:func:`plangraph.search.lexical.fold` without quotes: “十四五” = 十四五."""
    return re.sub(r"[\"'“”‘’]", "", fold(text))


def places_named(query: str, places: Gazetteer | None = None) -> tuple[Division, ...]:
    """The divisions ``query`` names (临沂, 临沂市, 兰陵县; traditional script too),
    every division a shared name may mean."""
    g = places or gazetteer()
    codes = dict.fromkeys(c for m in g.find(fold(query)) for c in m.codes)
    return tuple(g.divisions[c] for c in codes)


def without_places(query: str) -> str:
    """``query`` without the place names in it (临沂市教育规划以什么为主题 → 教育规划以什么为主题),
    for ranking the passages of that place's plans among themselves, where the name
    tells none of them apart; ``query`` itself if nothing else would be left."""
    folded = fold(query)
    mentions = gazetteer().find(folded)
    if not mentions or len(folded) != len(query):
        return query
    kept, at = [], 0
    for m in mentions:
        kept.append(query[at:m.start])
        at = m.end
    kept.append(query[at:])
    rest = "".join(kept).strip(" 的")
    return rest if len(rest) >= 2 else query


def plans_in_places(plans: Sequence[PlanProfile], divisions: Sequence[Division],
                    places: Gazetteer | None = None) -> list[PlanProfile]:
    """The plans whose division is one of ``divisions`` or lies under one."""
    g = places or gazetteer()
    return [p for p in plans if p.division_code
            and any(g.within(p.division_code, d.code) for d in divisions)]


def _place_scope(query: str, plans: Sequence[PlanProfile]) -> tuple[list[PlanProfile], tuple[str, ...]]:
    """The plans of the places ``query`` names (those of a named division itself
    first), and the names of the divisions that have plans here."""
    if not any(p.division_code for p in plans):
        return [], ()
    named = places_named(query)
    inside = plans_in_places(plans, named)
    if not inside:
        return [], ()
    codes = {d.code for d in named}
    exact = [p for p in inside if p.division_code in codes] or inside
    # the place's plans before its explainers and reports, unless the question asks for one
    plans = [p for p in exact if (p.kind or "plan") == "plan"]
    if plans and not any(cue in query for cue in OTHER_KIND_CUES):
        exact = plans
    g = gazetteer()
    shown = [d for d in named if any(g.within(p.division_code or "", d.code) for p in inside)]
    # 重庆市开州区: the district, not also the city it is in
    shown = [d for d in shown if not any(o.code != d.code and g.within(o.code, d.code) for o in shown)]
    return exact, tuple(dict.fromkeys(d.name for d in shown))


def scope_of(query: str, plans: Sequence[PlanProfile], names: PlanNames | None = None) -> Scope | None:
    """The plans ``query`` is about, or None when that is all of them (``names``: a
    :class:`PlanNames` of these plans or more, made once by a caller that asks often)."""
    if len(plans) < 2:
        return None
    candidates = list(plans)
    regions: tuple[str, ...] = ()
    in_place, places = _place_scope(query, candidates)
    named = {} if in_place else regions_named(query, candidates, names)
    years = years_named(query)
    plain = not in_place and not named and not any(p.covers(y) for y in years for p in plans)
    if plain and names is not None and names.plans is plans:
        if names.plain is None:  # what follows reads every plan: once per searcher, not per question
            names.plain = (scope_of("", plans),)
        return names.plain[0]
    if in_place:
        candidates, regions = in_place, places
    elif named:
        candidates = [p for p in candidates if p.plan_id in named]
        found = list(dict.fromkeys(n for of_plan in named.values() for n in of_plan))
        regions = tuple(n for n in found if not any(n != m and n in m for m in found))  # 临平区, not also 临平
    covering = [p for p in candidates if any(p.covers(y) for y in years)] if years else []
    if covering:
        candidates = covering
    else:
        years = ()
    tiers = [p.tier for p in candidates if p.tier is not None]
    tier = min(tiers) if tiers and not places else None
    if tier is not None:
        # a plan of unknown level is not held against
        candidates = [p for p in candidates if p.tier is None or p.tier == tier]
    scope = frozenset(p.plan_id for p in candidates)
    if scope == {p.plan_id for p in plans}:
        return None
    return Scope(plans=scope, tier=tier, regions=regions, years=years, places=places)
