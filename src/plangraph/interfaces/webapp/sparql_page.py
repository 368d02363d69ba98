"""The SPARQL page: named queries as starting points, results as a table and CSV."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from plangraph.errors import PlanGraphError
from plangraph.graph.sparql import DEFAULT_PAGE, named_queries
from plangraph.interfaces import present_files, writers
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
    text = st.text_area(t("query"), value=nq.text if nq else present_files.STARTER_QUERY,
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
    # A result of every indicator value of every plan has tens of thousands of rows: the
    # page shows one page of them and says so; the download holds them all.
    first = int(st.number_input(t("from_row"), min_value=1, value=1, step=DEFAULT_PAGE, key="sparql_from_row"))
    # The last answer is kept (per query name) so that it survives later reruns.
    if st.button(t("run"), type="primary", key="sparql_run"):
        asked: dict[str, Any] = {"params": params or None, "endpoint": endpoint, "timeout_s": timeout_s()}
        # A named query left as it is asks by name, so that it is answered from the rows
        # each plan stored for it; an edited text runs as written.
        if nq is not None and text == nq.text:
            asked["name"] = name
        else:
            asked["query"] = text
        try:
            answer = ws.sparql(limit=DEFAULT_PAGE, offset=first - 1, **asked)
            st.session_state["sparql_answer"] = (name, answer, text, asked)
        except PlanGraphError as exc:
            st.session_state["sparql_answer"] = (name, exc, text, asked)
    answered, result, _, asked = st.session_state.get("sparql_answer", (None, None, "", {}))
    if answered != name or result is None:
        return
    if isinstance(result, PlanGraphError):
        show_error(result)
        return
    st.caption(f"{result.total_rows:,} {t('rows')} · {result.seconds:.2f} s")
    if result.is_partial:
        st.info(t("page_note").format(first=result.offset + 1, last=result.offset + len(result.rows),
                                      total=result.total_rows))
    st.dataframe(result.as_dicts(), hide_index=True)
    if result.is_partial:
        def every_row() -> bytes:  # run again for every row, only when the button is clicked
            whole = ws.sparql(limit=0, **asked)
            return writers.csv_bytes(whole.columns, whole.rows)

        st.download_button(t("download_all_csv").format(total=result.total_rows), every_row,
                           file_name="sparql.csv", mime=present_files.MIME_TYPES["csv"], on_click="ignore")
    else:
        st.download_button(t("download_csv"), writers.csv_bytes(result.columns, result.rows),
                           file_name="sparql.csv", mime=present_files.MIME_TYPES["csv"], on_click="ignore")
