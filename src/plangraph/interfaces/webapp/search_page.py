"""The search page: a question, filters, cited result cards."""

from __future__ import annotations

from copy import copy
from typing import Any

import streamlit as st

from plangraph.errors import PlanGraphError
from plangraph.graph.browse import ENTITY_KINDS, concepts
from plangraph.interfaces import present_files, present_markdown, present_search
from plangraph.interfaces.webapp.common import chip_clicked, concept_label, english, plan_sections, show_error, t
from plangraph.interfaces.webapp.pickers import is_large, pick_plan_or_place
from plangraph.workspace import Workspace

FILTERS: dict[str, Any] = {"search_kinds": [], "search_themes": [], "search_groups": [], "per_plan": 0,
                           "scoped": True, "search_place": None, "search_doc_kind": None}
"""The filters' widget keys and their values before a reader sets them, in the order the search reads them."""


def _filters(ws: Workspace) -> None:
    """The filters' widgets (their values are in the session state under :data:`FILTERS`' keys)."""
    c1, c2, c3, c4, c5 = st.columns([3, 3, 3, 2, 2])
    c1.multiselect(t("kinds"), ENTITY_KINDS, key="search_kinds", format_func=t, placeholder=t("choose_many"))
    c2.multiselect(t("themes"), [c.key for c in concepts() if c.scheme != "target-groups"],
                   key="search_themes", format_func=concept_label, placeholder=t("choose_many"))
    c3.multiselect(t("groups"), [c.key for c in concepts() if c.scheme == "target-groups"],
                   key="search_groups", format_func=concept_label, placeholder=t("choose_many"))
    c4.number_input(t("per_plan"), min_value=0, max_value=10, key="per_plan")
    c5.toggle(t("scoped"), key="scoped", help=t("scoped_help"))
    c6, c7 = st.columns([3, 2])
    places = present_search.place_choices(ws.plans())
    c6.selectbox(t("place"), [None, *places], key="search_place", format_func=lambda c: places.get(
        c, t("all_places")))
    c7.selectbox(t("doc_kind"), [None, *present_search.DOCUMENT_KIND_LABELS], key="search_doc_kind",
                 format_func=lambda k: (present_search.DOCUMENT_KIND_LABELS[k][int(english())]
                                        if k else t("all_doc_kinds")))


def page_search(ws: Workspace) -> None:
    query = st.text_input(t("question"), key="q", placeholder="学前教育 毛入园率")
    large = is_large(ws)
    # a large index's picker has its place boxes above it: one plan, or every plan of a place
    col_plan, col_section, col_k = st.columns([3, 2, 1] if large else [2, 3, 1])
    with col_plan:
        picked = pick_plan_or_place(ws, "search_plan")
    plan = picked if isinstance(picked, str) else None
    with col_section:
        sections = present_search.section_choices(plan_sections(ws, plan)) if plan else {}
        section = st.selectbox(t("section"), [None, *sections], key=f"search_section_{plan}", placeholder=t("choose"),
                               format_func=lambda s: t("all_sections") if s is None else sections[s],
                               disabled=not plan)
    with col_k:
        top_k = st.number_input(t("top_k"), min_value=1, max_value=50, value=10, key="top_k")
    for key, default in FILTERS.items():  # kept while a large index's panel is closed (not drawn)
        st.session_state[key] = st.session_state.get(key, copy(default))
    # On a large index the panel is drawn only while open: its list of places needs the
    # gazetteer (0.6 s of the first page's 1.3 s at 500 plans, load 8).
    panel = (st.expander(t("filters"), key="search_filters", on_change="rerun") if large
             else st.expander(t("filters"), expanded=False))
    if panel.open is not False:
        with panel:
            _filters(ws)
    kinds, themes, groups, per_plan, scoped, place, kind = (st.session_state[k] for k in FILTERS)
    if not query.strip():
        return
    try:
        with st.spinner(t("loading")):
            predicate = ws.passage_filter(kinds=kinds, themes=themes, groups=groups)
            hits, scope = ws.search_with_scope(query, int(top_k), plan=picked, section=section,
                                               predicate=predicate, per_plan=int(per_plan) or None,
                                               scoped=scoped, place=place, kind=kind)
    except PlanGraphError as exc:
        show_error(exc)
        return
    if not hits:
        st.info(t("no_hits"))
        return
    en = english()
    if scope is not None and not plan:
        st.caption(f"{scope.describe() if en else scope.describe_zh()} · "
                   f"{t('scope_weight')} ×{ws.scope_weight(scope):g}")
    strengths = ws.strengths(query, hits)
    if strengths[0].level == "weak":
        st.warning(t("weak_plan").format(plan=plan) if plan else t("weak_all"))
    terms = present_search.query_terms(query)
    for h, strength in zip(hits, strengths):
        with st.container(border=True):
            review = f" · :violet-badge[{t('looks_back')}]" if present_search.looks_back(h.section) else ""
            st.markdown(f"**{h.rank}. {present_markdown.escape_markdown(h.plan)}** · "
                        f"{present_markdown.escape_markdown(present_search.section_label(h.section, en))}{review}")
            weighted = f" ({t('out_of_scope')} ×{h.scope_weight:g})" if h.scope_weight < 1 else ""
            colour = {"strong": "green", "medium": "orange", "weak": "gray"}[strength.level]
            st.markdown(f":{colour}-badge[{t('strength')} · {present_search.strength_label(strength.level, en)}]"
                        f"{weighted}", help=t("strength_help"))
            if best := h.best_sentence:
                st.markdown(f"{t('best_sentence')}: {present_markdown.highlight(best, terms)}")
            before, after = ws.passage_context(h.passage_id)
            st.markdown(present_markdown.quote_in_context(h.quote, before, after, present_search.matched_terms(terms, h.text)))
            if h.entities:
                chips = {e.iri: present_search.chip_label(e, english=en) for e in h.entities}
                st.pills(t("stated"), list(chips), key=f"chips_{h.rank}", format_func=chips.__getitem__,
                         on_change=chip_clicked, args=(f"chips_{h.rank}",), label_visibility="collapsed")
            page = f" · {t('pdf_page')} {h.page}" if h.page else ""  # quotes from a PDF name their page
            cosines = " · ".join(f"{name.split('/')[0]} {c:.3f}" for name, c in strength.cosines.items())
            st.caption(f"{t('details')}: {t('fused_score')} {h.score:.4f} · {t('cosines')} {cosines} · "
                       f"{t('chars')} {h.start}–{h.end}{page} · {h.passage_iri}")
    st.download_button(t("download_csv"), present_files.dict_rows_csv(present_search.hit_rows(hits, strengths)),
                       file_name="search.csv", mime=present_files.MIME_TYPES["csv"], on_click="ignore")
