"""比较 Compare: two plans' commitments aligned, their indicators side by side and
the documents they cite (``plangraph compare A B`` in the browser)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from plangraph.interfaces import present, writers
from plangraph.analysis.compare import DEFAULT_METHOD, METHODS, THRESHOLDS
from plangraph.errors import PlanGraphError
from plangraph.workspace import Workspace

from plangraph.interfaces.webapp.common import show_error, t


def _downloads(rows: list[dict[str, Any]], stem: str, key: str) -> None:
    """CSV and XLSX of one table, the files ``plangraph compare … --out`` writes."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("download_csv"), writers.table_bytes(rows, "csv"), file_name=f"{stem}.csv",
                         mime=present.MIME_TYPES["csv"], key=f"{key}_csv", on_click="ignore")
    right.download_button(t("download_xlsx"), writers.table_bytes(rows, "xlsx"), file_name=f"{stem}.xlsx",
                          mime=present.MIME_TYPES["xlsx"], key=f"{key}_xlsx", on_click="ignore")


def page_compare(ws: Workspace) -> None:
    plans = list(ws.plan_ids)
    if len(plans) < 2:
        st.info(t("need_two"))
        return
    c1, c2, c3, c4 = st.columns([2, 2, 1, 2])
    plan_a = c1.selectbox(t("plan_a"), plans, index=0, key="compare_a")
    plan_b = c2.selectbox(t("plan_b"), plans, index=1, key="compare_b")
    methods = [DEFAULT_METHOD, *(m for m in METHODS if m != DEFAULT_METHOD)]
    method = c3.selectbox(t("method"), methods, key="compare_method")
    # Keyed by method, so that choosing another one starts at that method's threshold.
    threshold = c4.slider(t("threshold"), 0.0, 1.0, THRESHOLDS[method], 0.01, key=f"compare_threshold_{method}")
    if plan_a == plan_b:
        st.info(t("same_plan"))
        return
    try:
        with st.spinner(t("comparing")):
            cmp = ws.compare(plan_a, plan_b, method=method, threshold=threshold)
    except PlanGraphError as exc:
        show_error(exc)
        return
    counts = cmp.commitments.counts()
    sides = {"shared": t("shared"), "only in A": f"{t('only_in')} {plan_a}",
             "only in B": f"{t('only_in')} {plan_b}"}
    for col, (name, label) in zip(st.columns(3), sides.items()):
        col.metric(label, counts[name])
    st.caption(f"{t('method')}: {cmp.commitments.method} · {t('threshold')} {cmp.commitments.threshold:.2f}")
    tables = cmp.tables()
    stem = f"compare-{plan_a}-{plan_b}"
    commitments, indicators, cited = st.tabs([t("commitments"), t("indicators"), t("cited")])
    with commitments:
        side = st.radio(t("side"), [None, *sides], key="compare_side", horizontal=True,
                        format_func=lambda s: t("all_sides") if s is None else sides[s])
        rows = present.on_side(tables["commitments"], side)
        st.dataframe(rows, hide_index=True, column_order=present.COMMITMENT_COLUMNS,
                     column_config={"quote": st.column_config.TextColumn(width="large"),
                                    "other_quote": st.column_config.TextColumn(width="large")})
        suffix = "" if side is None else "-" + side.replace(" ", "-")
        _downloads(rows, f"{stem}-commitments{suffix}", "compare_commitments")
    with indicators:
        if tables["indicators"]:
            st.dataframe(tables["indicators"], hide_index=True)
        else:
            st.info(t("none_here"))
        _downloads(tables["indicators"], f"{stem}-indicators", "compare_indicators")
    with cited:
        st.dataframe(present.citation_records(tables["citations"]), hide_index=True,
                     column_config={"open": st.column_config.LinkColumn(t("open"), display_text=r"\?plan=(.*)")})
        _downloads(tables["citations"], f"{stem}-citations", "compare_citations")
