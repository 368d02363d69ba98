"""The entities page: faceted tables and one entity's page."""

from __future__ import annotations

import streamlit as st

from plangraph.errors import PlanGraphError
from plangraph.graph.browse import ENTITY_KINDS, FACETS, facet_values, filter_rows, neighbourhood_dot
from plangraph.interfaces import present
from plangraph.interfaces.webapp.common import english, open_entity, show_error, t, table
from plangraph.workspace import Workspace


def entity_page(ws: Workspace, iri: str) -> None:
    try:
        d = ws.entity(iri)
    except PlanGraphError:
        st.warning(f"{t('no_entity')}: {iri}")
        return
    with st.container(border=True):
        kind = present.KIND_LABELS.get(d.kind, (d.kind, d.kind))[1 if english() else 0]
        st.subheader(f"{kind} · {d.label[:80]}")
        st.caption(" · ".join(x for x in (d.plan, d.section, d.iri) if x))
        if d.quote:
            st.markdown(f"**{t('source')}** · {t('chars')} {d.start}–{d.end}")
            st.markdown(present.quote_in_context(d.quote, d.before, d.after))
        left, right = st.columns([2, 3])
        with left:
            st.markdown(f"**{t('properties')}**")
            table(present.property_rows(d, english()))
        with right:
            st.markdown(f"**{t('neighbourhood')}**")
            st.graphviz_chart(neighbourhood_dot(d))
        st.button(t("close"), key="entity_close", on_click=lambda: st.session_state.pop("entity", None))


def page_entities(ws: Workspace) -> None:
    if st.session_state.get("entity"):
        entity_page(ws, st.session_state["entity"])
    kind = st.selectbox(t("kind"), ENTITY_KINDS, key="entity_kind", format_func=t, placeholder=t("choose"))
    try:
        rows = ws.entities(kind)
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
    table(present.entity_records(shown), keep=("iri",))
    labels = {r.iri: r.label[:60] for r in shown}
    st.selectbox(t("open_entity"), [None, *labels], key=f"entity_pick_{kind}", placeholder=t("choose"),
                 format_func=lambda i: "—" if i is None else labels[i],
                 on_change=lambda: open_entity(st.session_state.get(f"entity_pick_{kind}")))
