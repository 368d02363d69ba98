"""The entities page: faceted tables and one entity's page."""

from __future__ import annotations

import math
from collections.abc import Sequence

import streamlit as st

from plangraph.errors import PlanGraphError
from plangraph.graph.browse import ENTITY_KINDS, FACETS, EntityRow, facet_values, filter_rows, neighbourhood_dot
from plangraph.interfaces import labels, present_markdown, present_plans
from plangraph.interfaces.webapp.common import english, index_key, open_entity, show_error, t, table
from plangraph.interfaces.webapp.pickers import is_large, pick_plans
from plangraph.workspace import Workspace


def entity_page(ws: Workspace, iri: str) -> None:
    try:
        d = ws.entity(iri)
    except PlanGraphError:
        st.warning(f"{t('no_entity')}: {iri}")
        return
    with st.container(border=True):
        kind = labels.kind_label(d.kind, english())
        st.subheader(f"{kind} · {d.label[:80]}")
        st.caption(" · ".join(x for x in (d.plan, d.section, d.iri) if x))
        if d.quote:
            st.markdown(f"**{t('source')}** · {t('chars')} {d.start}–{d.end}")
            st.markdown(present_markdown.quote_in_context(d.quote, d.before, d.after))
        left, right = st.columns([2, 3])
        with left:
            st.markdown(f"**{t('properties')}**")
            table(present_plans.property_rows(d, english()))
        with right:
            st.markdown(f"**{t('neighbourhood')}**")
            st.graphviz_chart(neighbourhood_dot(d))
        st.button(t("close"), key="entity_close", on_click=lambda: st.session_state.pop("entity", None))


PAGE_ROWS = 200
"""Rows of an entity table sent to the browser at once; the others are a page away."""

MOST_PLANS = 20
"""Plans one entity table may show at once in an index of more than ``SMALL_INDEX`` plans
(every kind of every plan is what the export page and the named queries are for)."""


@st.cache_resource(show_spinner=False, max_entries=1024)
def _table(key: str, path: str, kind: str, plan: str | None, _ws: Workspace) -> tuple[EntityRow, ...]:
    """One plan's (or, with None, every plan's) table of one kind, kept per index."""
    return tuple(_ws.entities(kind, plan))


def entity_rows(ws: Workspace, kind: str, plans: Sequence[str] | None) -> list[EntityRow]:
    """The rows of ``plans`` (None: every plan), computed plan by plan and kept, so that
    picking one more plan reads that plan's nodes only."""
    key, path = index_key(ws.path), str(ws.path)
    if plans is None:
        return list(_table(key, path, kind, None, ws))
    if kind == "places":  # places are shared between plans: one table, narrowed
        wanted = set(plans)
        return [r for r in _table(key, path, kind, None, ws) if wanted.intersection(r.facets.get("plan", ()))]
    seen: set[str] = set()
    out = []
    for plan in plans:
        for row in _table(key, path, kind, plan, ws):
            if row.iri not in seen:
                seen.add(row.iri)
                out.append(row)
    return out


def page_entities(ws: Workspace) -> None:
    if st.session_state.get("entity"):
        entity_page(ws, st.session_state["entity"])
    large = is_large(ws)
    left, right = st.columns([1, 3])
    kind = left.selectbox(t("kind"), ENTITY_KINDS, key="entity_kind", format_func=t, placeholder=t("choose"))
    with right:
        plans = pick_plans(ws, "entity_plans", default=[] if large else list(ws.plan_ids),
                           max_selections=MOST_PLANS if large else None)
    if large and not plans:
        st.info(t("pick_plans_first").format(n=len(ws.plan_ids), most=MOST_PLANS))
        return
    try:
        rows = entity_rows(ws, kind, None if not plans or len(plans) == len(ws.plan_ids) else plans)
    except PlanGraphError as exc:
        show_error(exc)
        return
    values = facet_values(rows)
    chosen: dict[str, list[str]] = {}
    cols = st.columns(max(len(values), 1))
    for col, facet in zip(cols, [f for f in FACETS if f in values]):
        chosen[facet] = col.multiselect(t(facet), values[facet], key=f"facet_{kind}_{facet}",
                                        placeholder=t("choose_many"))
    shown = filter_rows(rows, chosen)
    st.caption(f"{len(shown)} / {len(rows)} {t('rows')}")
    pages = max(1, math.ceil(len(shown) / PAGE_ROWS))
    number = 1
    if pages > 1:  # one page of rows goes to the browser, not thousands
        c1, c2 = st.columns([1, 5])
        number = int(c1.number_input(t("table_page"), min_value=1, max_value=pages, value=1,
                                     key=f"entity_page_{kind}_{pages}"))
        last = min(number * PAGE_ROWS, len(shown))
        c2.caption(t("page_rows").format(first=(number - 1) * PAGE_ROWS + 1, last=last, total=len(shown)))
    part = shown[(number - 1) * PAGE_ROWS:number * PAGE_ROWS]
    table(present_plans.entity_records(part), keep=("iri",))
    labels = {r.iri: r.label[:60] for r in part}
    st.selectbox(t("open_entity"), [None, *labels], key=f"entity_pick_{kind}", placeholder=t("choose"),
                 format_func=lambda i: "—" if i is None else labels[i],
                 on_change=lambda: open_entity(st.session_state.get(f"entity_pick_{kind}")))
