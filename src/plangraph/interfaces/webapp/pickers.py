"""Plans picked by name and place, never from a list of ids.

An index of hundreds of plans is unusable as a flat list of ids: every picker of the
app shows a plan as its title and place (the division the plan's facts name, else its
region) with the id after them, filters as one types (Streamlit's select boxes match the
typed text anywhere in that label: ``宁波``, ``象山``, ``十四五``, ``synth-0012``), and,
when the index holds plans of several levels (national, province, city, district), is
narrowed by a level first. The choices are read once per index from the plans' facts.

Pages that compute per plan (entities, export, compare) compute at once only for an
index of at most :data:`SMALL_INDEX` plans; above it they wait for the reader's choice
(``docs/app.md``, "The app at scale").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import streamlit as st

from plangraph.interfaces import labels
from plangraph.interfaces.webapp.common import english, index_key, t
from plangraph.workspace import Workspace

SMALL_INDEX = 12
"""Up to this many plans a page may compute over every plan on load (what it did
before the app met hundreds of plans); above it a page computes for the plans picked."""

LEVELS = ("national", "province", "city", "district")
"""The order of plan levels in pickers and in the sidebar (others after them)."""


@dataclass(frozen=True)
class PlanChoice:
    """What a picker shows of one plan."""

    plan: str
    title: str
    place: str
    level: str
    kind: str


def _text(value: Any) -> str:
    """A fact as text: a division given as a mapping or a list joins its parts."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "".join(str(v) for v in value.values() if v)
    if isinstance(value, (list, tuple)):
        return "".join(str(v) for v in value if v)
    return str(value)


@st.cache_resource(show_spinner=False, max_entries=8)
def _choices(key: str, path: str, _ws: Workspace) -> dict[str, PlanChoice]:
    out = {}
    for plan in _ws.plans():
        meta = plan.get("meta", {})
        pid = str(plan["plan"])
        out[pid] = PlanChoice(pid, _text(meta.get("title")) or pid,
                              _text(meta.get("division")) or _text(meta.get("region")),
                              _text(meta.get("level")), _text(meta.get("kind")))
    return {pid: out[pid] for pid in _ws.plan_ids if pid in out}


def choices(ws: Workspace) -> dict[str, PlanChoice]:
    """Every plan of the index as a picker shows it, in index order (cached per index)."""
    return _choices(index_key(ws.path), str(ws.path), ws)


def level_name(level: str) -> str:
    return str(labels.value(level, english())) if level else "—"


def plan_label(c: PlanChoice) -> str:
    """``象山县教育事业发展“十四五”规划 · 宁波市象山县 (synth-0001)``."""
    place = f" · {c.place}" if c.place and c.place not in c.title else ""
    return f"{c.title}{place} ({c.plan})"


def levels(ws: Workspace) -> list[str]:
    """The levels the index's plans have, national first."""
    have = {c.level for c in choices(ws).values()}
    return [lv for lv in LEVELS if lv in have] + sorted(have - set(LEVELS))


def is_large(ws: Workspace) -> bool:
    """Whether the index has more than :data:`SMALL_INDEX` plans."""
    return len(ws.plan_ids) > SMALL_INDEX


def at_once(plans: int) -> bool:
    """Whether a page may compute over this many plans as it loads."""
    return plans <= SMALL_INDEX


def index_caption(ws: Workspace) -> str:
    """The sidebar's count: ``200 个规划：国家级 3 · 区县级 197``."""
    count = Counter(c.level for c in choices(ws).values())
    parts = [f"{level_name(lv)} {count[lv]:,}" for lv in levels(ws)]
    kinds = Counter(c.kind for c in choices(ws).values() if c.kind)
    parts += [f"{labels.value(k, english())} {n:,}" for k, n in kinds.most_common()]
    head = t("plan_count").format(n=len(ws.plan_ids))
    return f"{head}: {' · '.join(parts)}" if parts else head


def _level_filter(ws: Workspace, key: str) -> str | None:
    """A level chooser above a picker, when the index has plans of several levels."""
    have = levels(ws)
    if len(have) < 2:
        return None
    return st.selectbox(t("level"), [None, *have], key=f"{key}_level", placeholder=t("choose"),
                        format_func=lambda lv: t("all_levels") if lv is None else level_name(lv))


def pick_plan(ws: Workspace, key: str, *, label: str | None = None, allow_all: bool = False,
              index: int | None = 0) -> str | None:
    """One plan by name (None: every plan when ``allow_all``, or nothing picked yet when
    ``index`` is None). The widget's key is ``key`` when no level narrows it."""
    by_id = choices(ws)
    level = _level_filter(ws, key)
    ids = [p for p, c in by_id.items() if level is None or c.level == level]
    options: list[str | None] = [None, *ids] if allow_all else list(ids)
    if not allow_all and index is not None and index >= len(options):
        index = len(options) - 1 if options else None
    widget = key if level is None else f"{key}_{level}"
    return st.selectbox(label or t("plan"), options, index=index, key=widget, placeholder=t("type_to_find"),
                        format_func=lambda p: t("all_plans") if p is None else plan_label(by_id[p]))


def pick_plans(ws: Workspace, key: str, *, label: str | None = None, default: list[str] | None = None,
               max_selections: int | None = None) -> list[str]:
    """Several plans by name, in index order."""
    by_id = choices(ws)
    level = _level_filter(ws, key)
    ids = [p for p, c in by_id.items() if level is None or c.level == level]
    widget = key if level is None else f"{key}_{level}"
    chosen = st.multiselect(label or t("plans_pick"), ids, default=[p for p in default or [] if p in ids],
                            key=widget, placeholder=t("type_to_find"), max_selections=max_selections,
                            format_func=lambda p: plan_label(by_id[p]))
    picked = set(chosen)
    return [p for p in ws.plan_ids if p in picked]
