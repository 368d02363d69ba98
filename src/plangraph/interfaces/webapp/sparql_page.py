"""The SPARQL page: named queries as starting points, results as a table and CSV."""

from __future__ import annotations

import os

import streamlit as st

from plangraph.errors import PlanGraphError
from plangraph.graph.sparql import named_queries
from plangraph.interfaces import present, writers
from plangraph.interfaces.webapp.common import english, show_error, t
from plangraph.workspace import Workspace


def timeout_s() -> float:
    """The page's time limit per query: ``PLANGRAPH_SPARQL_TIMEOUT`` seconds, else 10."""
    try:
        value = float(os.environ.get("PLANGRAPH_SPARQL_TIMEOUT", "10"))
    except ValueError:
        return 10.0
    return value if value > 0 else 10.0


def page_sparql(ws: Workspace) -> None:
    queries = named_queries()
    # "" stands for a query of one's own.
    name = st.selectbox(t("named_query"), ["", *queries], index=1 if queries else 0, key="sparql_name",
                        placeholder=t("choose"),
                        format_func=lambda n: n or t("custom"))
    nq = queries.get(name)
    en = english()
    if nq is not None:
        st.caption(nq.description if en or not nq.description_zh else nq.description_zh)
    # Keyed by the query's name, so choosing another one refills the text area.
    text = st.text_area(t("query"), value=nq.text if nq else present.STARTER_QUERY,
                        height=260, key=f"sparql_text_{name or 'custom'}")
    params: dict[str, str] = {}
    zh = dict(nq.params_zh) if nq else {}
    for pname, pdesc in nq.params if nq else ():
        help_text = pdesc if en or pname not in zh else zh[pname]
        value = st.text_input(pname, help=help_text, key=f"sparql_param_{name}_{pname}",
                              placeholder=help_text if len(help_text) < 60 else help_text[:59] + "…")
        if value.strip():
            params[pname] = value.strip()
    # The operator names the remote endpoint, not the page's users: a URL typed into the
    # page would let anyone make the server send requests wherever they like.
    remote = os.environ.get("PLANGRAPH_SPARQL_ENDPOINT", "").strip()
    endpoint = remote if remote and st.toggle(t("sparql_remote").format(url=remote), key="sparql_remote") else None
    # The last answer is kept (per query name) so that it survives later reruns.
    if st.button(t("run"), type="primary", key="sparql_run"):
        try:
            answer = ws.sparql(text, params=params or None, endpoint=endpoint, timeout_s=timeout_s())
            st.session_state["sparql_answer"] = (name, answer)
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
        st.download_button(t("download_csv"), writers.csv_bytes(result.columns, result.rows),
                           file_name="sparql.csv", mime=present.MIME_TYPES["csv"], on_click="ignore")
