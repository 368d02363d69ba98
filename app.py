"""plangraph in the browser: search the plans, browse their entities, read and audit
each plan, compare two, ask SPARQL, export.

Widgets and layout only; everything goes through :class:`plangraph.workspace.Workspace`.
The larger pages live in :mod:`plangraph.app_pages`.
Run with ``streamlit run app.py`` (the index comes from ``PLANGRAPH_INDEX``, default
``indexes/default``).
"""

from __future__ import annotations

import streamlit as st

from pathlib import Path

from plangraph import present
from plangraph.app_pages.common import open_workspace, show_error, t
from plangraph.app_pages.compare_page import page_compare
from plangraph.app_pages.export_page import page_export
from plangraph.app_pages.plans_page import page_plans
from plangraph.browse import ENTITY_KINDS, FACETS, concepts, facet_values, filter_rows, neighbourhood_dot
from plangraph.errors import IndexStoreError, PlanGraphError
from plangraph.sparql import named_queries
from plangraph.workspace import Workspace, build, default_index

CORPUS = Path(__file__).resolve().parent / "corpus"

def concept_label(key: str) -> str:
    c = next((c for c in concepts() if c.key == key), None)
    return key if c is None else (c.en if st.session_state.get("english") else c.zh)


def plan_select(ws: Workspace, key: str) -> str | None:
    options: list[str | None] = [None, *ws.plan_ids]
    return st.selectbox(t("plan"), options, key=key,
                        format_func=lambda p: t("all_plans") if p is None else p)


def open_entity(iri: str | None) -> None:
    """Show the entity page for ``iri`` (a callback: runs before the page is drawn)."""
    if iri:
        st.session_state["entity"] = iri
        st.session_state["page"] = "entities"


def chip_clicked(key: str) -> None:
    open_entity(st.session_state.get(key))
    st.session_state[key] = None


def page_search(ws: Workspace) -> None:
    query = st.text_input(t("question"), key="q", placeholder="学前教育 毛入园率")
    col_plan, col_section, col_k = st.columns([2, 3, 1])
    with col_plan:
        plan = plan_select(ws, "search_plan")
    with col_section:
        sections = present.section_choices(ws.sections(plan)) if plan else {}
        section = st.selectbox(t("section"), [None, *sections], key=f"search_section_{plan}",
                               format_func=lambda s: t("all_sections") if s is None else sections[s],
                               disabled=not plan)
    with col_k:
        top_k = st.number_input(t("top_k"), min_value=1, max_value=50, value=10, key="top_k")
    with st.expander(t("filters"), expanded=False):
        c1, c2, c3, c4, c5 = st.columns([3, 3, 3, 2, 2])
        kinds = c1.multiselect(t("kinds"), ENTITY_KINDS, key="search_kinds", format_func=t)
        themes = c2.multiselect(t("themes"), [c.key for c in concepts() if c.scheme != "target-groups"],
                                key="search_themes", format_func=concept_label)
        groups = c3.multiselect(t("groups"), [c.key for c in concepts() if c.scheme == "target-groups"],
                                key="search_groups", format_func=concept_label)
        per_plan = c4.number_input(t("per_plan"), min_value=0, max_value=10, value=0, key="per_plan")
        scoped = c5.toggle(t("scoped"), value=True, key="scoped", help=t("scoped_help"))
    if not query.strip():
        return
    try:
        with st.spinner(t("loading")):
            predicate = ws.passage_filter(kinds=kinds, themes=themes, groups=groups)
            hits, scope = ws.search_with_scope(query, int(top_k), plan=plan, section=section,
                                               predicate=predicate, per_plan=int(per_plan) or None,
                                               scoped=scoped)
    except PlanGraphError as exc:
        show_error(exc)
        return
    if not hits:
        st.info(t("no_hits"))
        return
    if scope is not None and not plan:
        english = st.session_state.get("english")
        st.caption(f"{scope.describe() if english else scope.describe_zh()} · "
                   f"{t('scope_weight')} ×{ws.searcher.fusion.out_of_scope:g}")
    terms = present.query_terms(query)
    for h in hits:
        with st.container(border=True):
            st.markdown(f"**{h.rank}. {present.escape_markdown(h.plan)}** · "
                        f"{present.escape_markdown(h.section or '—')}")
            weighted = f" ({t('out_of_scope')} ×{h.scope_weight:g})" if h.scope_weight < 1 else ""
            st.caption(f"{t('score')} {h.score:.4f}{weighted} · {t('chars')} {h.start}–{h.end} · {h.passage_iri}")
            if best := h.best_sentence:
                st.markdown(f"{t('best_sentence')}: {present.highlight(best, terms)}")
            before, after = ws.passage_context(h.passage_id)
            st.markdown(present.quote_in_context(h.quote, before, after, terms))
            if h.entities:
                labels = {e.iri: present.chip_label(e) for e in h.entities}
                st.pills(t("stated"), list(labels), key=f"chips_{h.rank}", format_func=labels.__getitem__,
                         on_change=chip_clicked, args=(f"chips_{h.rank}",), label_visibility="collapsed")
    st.download_button(t("download_csv"), present.dict_rows_csv(present.hit_rows(hits)),
                       file_name="search.csv", mime=present.MIME_TYPES["csv"], on_click="ignore")


def entity_page(ws: Workspace, iri: str) -> None:
    try:
        d = ws.entity(iri)
    except PlanGraphError:
        st.warning(f"{t('no_entity')}: {iri}")
        return
    with st.container(border=True):
        st.subheader(f"{d.kind} · {d.label[:80]}")
        st.caption(" · ".join(x for x in (d.plan, d.section, d.iri) if x))
        if d.quote:
            st.markdown(f"**{t('source')}** · {t('chars')} {d.start}–{d.end}")
            st.markdown(present.quote_in_context(d.quote, d.before, d.after))
        left, right = st.columns([2, 3])
        with left:
            st.markdown(f"**{t('properties')}**")
            st.dataframe(present.property_rows(d), hide_index=True)
        with right:
            st.markdown(f"**{t('neighbourhood')}**")
            st.graphviz_chart(neighbourhood_dot(d))
        st.button(t("close"), key="entity_close", on_click=lambda: st.session_state.pop("entity", None))


def page_entities(ws: Workspace) -> None:
    if st.session_state.get("entity"):
        entity_page(ws, st.session_state["entity"])
    kind = st.selectbox(t("kind"), ENTITY_KINDS, key="entity_kind", format_func=t)
    try:
        rows = ws.entities(kind)
    except PlanGraphError as exc:
        show_error(exc)
        return
    values = facet_values(rows)
    chosen: dict[str, list[str]] = {}
    cols = st.columns(max(len(values), 1))
    for col, facet in zip(cols, [f for f in FACETS if f in values]):
        chosen[facet] = col.multiselect(t(facet), values[facet], key=f"facet_{kind}_{facet}")
    shown = filter_rows(rows, chosen)
    st.caption(f"{len(shown)} / {len(rows)} {t('rows')}")
    st.dataframe(present.entity_records(shown), hide_index=True)
    labels = {r.iri: r.label[:60] for r in shown}
    st.selectbox(t("open_entity"), [None, *labels], key=f"entity_pick_{kind}",
                 format_func=lambda i: "—" if i is None else labels[i],
                 on_change=lambda: open_entity(st.session_state.get(f"entity_pick_{kind}")))


def page_sparql(ws: Workspace) -> None:
    queries = named_queries()
    # "" stands for a query of one's own.
    name = st.selectbox(t("named_query"), ["", *queries], index=1 if queries else 0, key="sparql_name",
                        format_func=lambda n: n or t("custom"))
    nq = queries.get(name)
    if nq is not None:
        st.caption(nq.description)
    # Keyed by the query's name, so choosing another one refills the text area.
    text = st.text_area(t("query"), value=nq.text if nq else present.STARTER_QUERY,
                        height=260, key=f"sparql_text_{name or 'custom'}")
    params: dict[str, str] = {}
    for pname, pdesc in nq.params if nq else ():
        value = st.text_input(pname, help=pdesc, key=f"sparql_param_{name}_{pname}")
        if value.strip():
            params[pname] = value.strip()
    # The last answer is kept (per query name) so that it survives later reruns.
    if st.button(t("run"), type="primary", key="sparql_run"):
        try:
            st.session_state["sparql_answer"] = (name, ws.sparql(text, params=params or None))
        except PlanGraphError as exc:
            st.session_state["sparql_answer"] = (name, exc)
    answered, result = st.session_state.get("sparql_answer", (None, None))
    if answered != name or result is None:
        return
    if isinstance(result, PlanGraphError):
        show_error(result)
    else:
        st.caption(f"{len(result.rows)} {t('rows')} · {result.seconds:.2f} s")
        st.dataframe(result.as_dicts(), hide_index=True)
        st.download_button(t("download_csv"), present.csv_bytes(result.columns, result.rows),
                           file_name="sparql.csv", mime=present.MIME_TYPES["csv"], on_click="ignore")


def no_index(exc: IndexStoreError, path: Path) -> None:
    show_error(exc)
    st.markdown(t("no_index"))
    st.code("plangraph build corpus", language="bash")
    st.markdown(t("or"))
    st.code("bash scripts/start.sh", language="bash")
    if CORPUS.is_dir() and st.button(t("build_now"), key="build_now", type="primary"):
        try:
            with st.status(t("building"), expanded=True):
                summary = build([CORPUS], path, progress=False)
                st.write(", ".join(summary.plans))
        except PlanGraphError as err:
            show_error(err)
            return
        st.rerun()


PAGES = {"search": page_search, "entities": page_entities, "plans": page_plans,
         "compare": page_compare, "sparql": page_sparql, "export": page_export}


def main() -> None:
    st.set_page_config(page_title="plangraph", layout="wide")
    if "page" not in st.session_state:  # links: ?entity=IRI, ?plan=ID, ?page=NAME
        params = st.query_params
        st.session_state["page"] = params.get("page") if params.get("page") in PAGES else "search"
        if params.get("plan"):
            st.session_state["page"], st.session_state["plan_param"] = "plans", params["plan"]
        open_entity(params.get("entity"))
    st.sidebar.toggle(t("english"), key="english")
    st.title(t("title"))
    path = default_index()
    key = present.index_key(path)
    try:
        ws = open_workspace(key, str(path))
    except IndexStoreError as exc:
        no_index(exc, path)
        st.stop()
    if st.session_state.get("plan_param") in ws.plan_ids:
        st.session_state["plan_pick"] = st.session_state.pop("plan_param")
    page = st.sidebar.radio(t("page"), list(PAGES), key="page", format_func=t)
    st.sidebar.caption(f"{t('index')}: {ws.path} · {', '.join(ws.plan_ids)}")
    PAGES[page](ws)
    # Load the search index and encoders in the background once the first page is laid
    # out (started earlier, the loading competes with drawing it), so that the first
    # question does not wait for them; a failure there shows on the first search.
    ws.warm_in_background(delay_s=1.5)


main()
