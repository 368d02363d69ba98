"""Plans picked by name and place, never from a list of ids.

An index of hundreds of plans is unusable as a flat list of ids: every picker of the app
shows a plan as its title and place (the division the plan's facts name, else its region)
with the id after them, and filters as one types (Streamlit's select boxes match the typed
characters in order anywhere in that label, best match first: ``宁波``, ``宁波象山``, ``十四五``,
``synth-0012``). On an index above :data:`SMALL_INDEX` plans three boxes above it narrow
the plans by place first, province → city → county (:func:`narrow_by_place`), each listing
the places the index's plans are of with their counts, the national documents (全国) and
plans whose place is not known (地点不详) beside the provinces, and a province's or a city's
own documents beside its cities or counties. The places are the plans' divisions as the
build found them (``division``: ``浙江省 宁波市 象山县``, :mod:`plangraph.ingest.division`), read
once per index from the plans' facts; the gazetteer is not loaded.

Pages that compute per plan (entities, export, compare) compute at once only for an
index of at most :data:`SMALL_INDEX` plans; above it they wait for the reader's choice
(``docs/app.md``, "The app at scale").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

import streamlit as st

from plangraph.interfaces import labels
from plangraph.interfaces.webapp.common import english, index_key, t
from plangraph.workspace import Workspace

SMALL_INDEX = 12
"""Up to this many plans a page may compute over every plan on load (what it did
before the app met hundreds of plans) and a picker is one box; above it a page computes
for the plans picked, and pickers narrow by place first."""

LEVELS = ("national", "provincial", "municipal", "county", "district")
"""The order of plan levels (``PlanMeta.level``) in the sidebar (others after them)."""

PLACE_BOXES = ("province", "city", "county")
"""The narrowing boxes, one per depth of a division's path (a municipality's districts
and a county-level city a province runs directly are in the second box)."""

NATIONAL, UNKNOWN, OWN = "@national", "@unknown", "@own"
"""Narrowing choices that are not places: the national documents, the plans whose place
is not known (first box), a province's or city's own documents (the boxes under it)."""


@dataclass(frozen=True)
class PlanChoice:
    """What a picker shows of one plan; ``where`` is its place as the narrowing sees it:
    its division's names, province first, ``(NATIONAL,)`` or ``(UNKNOWN,)``; ``code`` its
    division's code (the places' order), "" without one."""

    plan: str
    title: str
    place: str
    level: str
    kind: str
    where: tuple[str, ...] = (UNKNOWN,)
    code: str = ""


def _text(value: Any) -> str:
    """A fact as text: a division given as a mapping or a list joins its parts."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "".join(str(v) for v in value.values() if v)
    if isinstance(value, (list, tuple)):
        return "".join(str(v) for v in value if v)
    return str(value)


def _where(meta: dict[str, Any]) -> tuple[str, ...]:
    division = meta.get("division")
    if isinstance(division, str) and division.split():
        return tuple(division.split())
    return (NATIONAL,) if meta.get("level") == "national" else (UNKNOWN,)


@st.cache_resource(show_spinner=False, max_entries=8)
def _choices(key: str, path: str, _ws: Workspace) -> dict[str, PlanChoice]:
    out = {}
    for plan in _ws.plans():
        meta = plan.get("meta", {})
        pid = str(plan["plan"])
        out[pid] = PlanChoice(pid, _text(meta.get("title")) or pid,
                              _text(meta.get("division")) or _text(meta.get("region")),
                              _text(meta.get("level")), _text(meta.get("kind")), _where(meta),
                              _text(meta.get("division_code")))
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


@dataclass(frozen=True)
class PlaceOptions:
    """One narrowing box's choices under ``parent`` (the places chosen above it): each
    choice's count of plans, in the box's order (national first, the places by division
    code, not known last; a place's own documents first)."""

    parent: tuple[str, ...]
    counts: dict[str, int]


def place_options(plans: dict[str, PlanChoice], parent: tuple[str, ...]) -> PlaceOptions:
    """The choices of the box under ``parent`` (``()``: the provinces) and their counts."""
    depth = len(parent)
    count: Counter[str] = Counter()
    first_code: dict[str, str] = {}
    for c in plans.values():
        if c.where[:depth] != parent:
            continue
        name = c.where[depth] if len(c.where) > depth else OWN
        count[name] += 1
        first_code[name] = min(first_code.get(name, c.code or "~"), c.code or "~")
    rank = {NATIONAL: "", OWN: "", UNKNOWN: "~~"}
    order = sorted(count, key=lambda n: (rank.get(n, first_code[n]), n))
    return PlaceOptions(parent, {n: count[n] for n in order})


def _place_label(choice: str | None, options: PlaceOptions) -> str:
    if choice is None:
        return f"{t('all_places')} ({sum(options.counts.values()):,})" if options.counts else t("all_places")
    name = {NATIONAL: t("place_national"), UNKNOWN: t("place_unknown"),
            OWN: t("place_own")}.get(choice, choice)
    return f"{name} ({options.counts[choice]:,})"


def _clear(keys: list[str]) -> None:
    for k in keys:
        st.session_state[k] = None


def narrow_by_place(ws: Workspace, key: str) -> list[str]:
    """Three boxes, province → city → county (keys ``{key}_province`` …), each drawn in
    its column and offering the places under the one chosen above it; the plans of the
    place chosen, in index order (every plan while none is)."""
    by_id = choices(ws)
    keys = [f"{key}_{box}" for box in PLACE_BOXES]
    parent: tuple[str, ...] = ()
    own = False
    for depth, (column, box) in enumerate(zip(st.columns(len(PLACE_BOXES)), PLACE_BOXES)):
        # a box offers the places under the one chosen just above it (a province's or
        # city's own documents with them), and nothing after a box left at "all places"
        options = place_options(by_id, parent) if len(parent) == depth and not own else PlaceOptions(parent, {})
        live = depth == 0 or (bool(options.counts) and parent[-1] not in (NATIONAL, UNKNOWN)
                              and any(n != OWN for n in options.counts))
        offered: list[str | None] = [None, *options.counts]
        chosen = column.selectbox(t(f"place_{box}"), offered, key=keys[depth], disabled=not live, placeholder=t("all_places"),
                                  format_func=partial(_place_label, options=options),
                                  on_change=_clear, args=(keys[depth + 1:],))
        if chosen == OWN:
            own = True
        elif chosen is not None:
            parent = (*parent, chosen)
    return [p for p, c in by_id.items() if (c.where == parent if own else c.where[:len(parent)] == parent)]


def _narrowed(ws: Workspace, key: str) -> list[str]:
    """The plans a picker offers: narrowed by place on a large index, else every plan."""
    return narrow_by_place(ws, key) if is_large(ws) else list(choices(ws))


def pick_plan(ws: Workspace, key: str, *, label: str | None = None, allow_all: bool = False,
              index: int | None = 0) -> str | None:
    """One plan by name (None: every plan when ``allow_all``, or nothing picked yet when
    ``index`` is None), among the plans of the place narrowed to; the widget's key is ``key``.
    A place of several plans picks none of them until the reader does (a page drew the first
    plan of each place passed through on the way to a county), one of a single plan picks it."""
    ids = _narrowed(ws, key)
    if not allow_all and index is not None and len(ids) < len(ws.plan_ids):
        index = 0 if len(ids) == 1 else None
        if len(ids) == 1 and st.session_state.get(key) != ids[0]:
            st.session_state[key] = ids[0]  # the widget keeps an empty choice over its index
    return _pick_one(ws, key, ids, label, allow_all, index)


def pick_plan_or_place(ws: Workspace, key: str, *, label: str | None = None) -> str | list[str] | None:
    """One plan by name, else the plans of the place narrowed to (a list), else None (every plan)."""
    ids = _narrowed(ws, key)
    plan = _pick_one(ws, key, ids, label, True, 0)
    return plan if plan is not None or len(ids) == len(ws.plan_ids) else ids


def _pick_one(ws: Workspace, key: str, ids: list[str], label: str | None, allow_all: bool,
              index: int | None) -> str | None:
    by_id = choices(ws)
    options: list[str | None] = [None, *ids] if allow_all else list(ids)
    if not allow_all and index is not None and index >= len(options):
        index = len(options) - 1 if options else None
    return st.selectbox(label or t("plan"), options, index=index, key=key, placeholder=t("type_to_find"),
                        format_func=lambda p: t("all_plans") if p is None else plan_label(by_id[p]))


def pick_plans(ws: Workspace, key: str, *, label: str | None = None, default: list[str] | None = None,
               max_selections: int | None = None) -> list[str]:
    """Several plans by name, in index order; narrowing by place changes the plans offered
    and keeps those already picked."""
    by_id = choices(ws)
    ids = _narrowed(ws, key)
    kept = [p for p in st.session_state.get(key) or [] if p in by_id and p not in ids]
    options = [*kept, *ids]
    chosen = st.multiselect(label or t("plans_pick"), options, default=[p for p in default or [] if p in options],
                            key=key, placeholder=t("type_to_find"), max_selections=max_selections,
                            format_func=lambda p: plan_label(by_id[p]))
    picked = set(chosen)
    return [p for p in ws.plan_ids if p in picked]
