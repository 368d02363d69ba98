"""The app's frame: page choice, links (?entity=, ?plan=, ?page=), the no-index page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from plangraph.errors import IndexStoreError, PlanGraphError
from plangraph.interfaces.webapp.across_page import page_across
from plangraph.interfaces.webapp.commitments_page import page_commitments
from plangraph.interfaces.webapp.common import (
    index_key,
    open_entity,
    open_workspace,
    preload_in_background,
    show_error,
    t,
)
from plangraph.interfaces.webapp.compare_page import page_compare
from plangraph.interfaces.webapp.entities_page import page_entities
from plangraph.interfaces.webapp.export_page import page_export
from plangraph.interfaces.webapp.pickers import index_caption
from plangraph.interfaces.webapp.plans_page import page_plans
from plangraph.interfaces.webapp.search_page import page_search
from plangraph.interfaces.webapp.sparql_page import page_sparql
from plangraph.workspace import build, default_index


def no_index(exc: IndexStoreError, path: Path, corpus: Path | None) -> None:
    show_error(exc)
    st.markdown(t("no_index"))
    st.code("plangraph build corpus", language="bash")
    st.markdown(t("or"))
    st.code("bash scripts/start.sh", language="bash")
    if corpus is not None and corpus.is_dir() and st.button(t("build_now"), key="build_now", type="primary"):
        try:
            with st.status(t("building"), expanded=True):
                summary = build([corpus], path, progress=False)
                st.write(", ".join(summary.plans))
        except PlanGraphError as err:
            show_error(err)
            return
        st.rerun()


PAGES = {"search": page_search, "entities": page_entities, "plans": page_plans, "across": page_across,
         "compare": page_compare, "commitments_page": page_commitments, "sparql": page_sparql, "export": page_export}


def main(corpus: Path | None = None) -> None:
    """Draw the app; ``corpus`` is the folder the no-index page offers to build from."""
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
    key = index_key(path)
    try:
        ws = open_workspace(key, str(path))
    except IndexStoreError as exc:
        no_index(exc, path, corpus)
        st.stop()
    if st.session_state.get("plan_param") in ws.plan_ids:
        st.session_state["plan_pick"] = st.session_state.pop("plan_param")
    page = st.sidebar.radio(t("page"), list(PAGES), key="page", format_func=t)
    # A count by level, not the ids: an index of 500 plans printed them as one block of text.
    st.sidebar.caption(f"{t('index')}: {ws.path} · {index_caption(ws)}")
    if ws.unfinished:  # a writer is at work or stopped: the answers are the last published index's
        st.sidebar.warning(ws.unfinished)
    with ws.foreground.running():  # the stored rows read in the background wait while the page is drawn
        PAGES[page](ws)
    # Load the search index and encoders in the background once the first page is laid
    # out (started earlier, the loading competes with drawing it), so that the first
    # question does not wait for them; a failure there shows on the first search.
    ws.warm_in_background(delay_s=1.5)
    preload_in_background(key, ws)
