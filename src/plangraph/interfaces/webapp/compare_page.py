"""比较 Compare: two plans' commitments aligned, their indicators side by side and
the documents they cite (``plangraph compare A B`` in the browser)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from plangraph.analysis.compare import DEFAULT_METHOD, METHODS, THRESHOLDS
from plangraph.errors import PlanGraphError
from plangraph.interfaces import labels, present_compare, present_files, writers
from plangraph.interfaces.webapp.common import english, show_error, t, table
from plangraph.interfaces.webapp.pickers import is_large, pick_plan, pick_plans
from plangraph.workspace import Workspace


def _downloads(rows: list[dict[str, Any]], stem: str, key: str) -> None:
    """CSV and XLSX of one table, the files ``plangraph compare … --out`` writes."""
    left, right, _ = st.columns([2, 2, 3])  # wide enough for the whole label
    left.download_button(t("download_csv"), writers.table_bytes(rows, "csv"), file_name=f"{stem}.csv",
                         mime=present_files.MIME_TYPES["csv"], key=f"{key}_csv", on_click="ignore")
    right.download_button(t("download_xlsx"), writers.table_bytes(rows, "xlsx", sheet=key.split("_")[-1]),
                          file_name=f"{stem}.xlsx",
                          mime=present_files.MIME_TYPES["xlsx"], key=f"{key}_xlsx", on_click="ignore")


def page_compare(ws: Workspace) -> None:
    if len(ws.plan_ids) < 2:
        st.info(t("need_two"))
        return
    # A small index compares its first two plans at once; a large one waits for two
    # plans picked by name (a first load compared whichever came first).
    large = is_large(ws)
    if large:  # each plan picker with its place boxes takes half the width, the method below
        (c1, c2), (c3, c4, _) = st.columns(2), st.columns([1, 2, 3])
    else:
        c1, c2, c3, c4 = st.columns([3, 3, 1, 2])  # wide enough for a plan's title and place
    with c1:
        plan_a = pick_plan(ws, "compare_a", label=t("plan_a"), index=None if large else 0)
    with c2:
        plan_b = pick_plan(ws, "compare_b", label=t("plan_b"), index=None if large else 1)
    methods = [DEFAULT_METHOD, *(m for m in METHODS if m != DEFAULT_METHOD)]
    method = c3.selectbox(t("method"), methods, key="compare_method", placeholder=t("choose"))
    # Keyed by method, so that choosing another one starts at that method's threshold.
    threshold = c4.slider(t("threshold"), 0.0, 1.0, THRESHOLDS[method], 0.01, key=f"compare_threshold_{method}")
    if plan_a is None or plan_b is None:
        st.info(t("pick_two"))
        ws.prepare_comparisons()  # what any comparison needs, read while two plans are picked
        return
    if plan_a == plan_b:
        st.info(t("same_plan"))
        return
    more = [p for p in pick_plans(ws, "compare_more", label=t("more_plans"), max_selections=3)
            if p not in (plan_a, plan_b)] if len(ws.plan_ids) > 2 else []
    if more:
        _uptake(ws, plan_a, [plan_b, *more], threshold if method == DEFAULT_METHOD else None)
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
        rows = present_compare.on_side(tables["commitments"], side)
        en = english()
        in_cells = ({"shared": "shared", "only in A": f"only in {plan_a}", "only in B": f"only in {plan_b}"} if en
                    else {"shared": "共有", "only in A": f"仅见于 {plan_a}", "only in B": f"仅见于 {plan_b}"})
        shown = [{**r, "side": in_cells[r["side"]]} for r in rows]
        table(shown, column_order=present_compare.COMMITMENT_COLUMNS,
              config={"quote": st.column_config.TextColumn(labels.field("quote", en), width="large"),
                      "other_quote": st.column_config.TextColumn(labels.field("other_quote", en), width="large")})
        suffix = "" if side is None else "-" + side.replace(" ", "-")
        _downloads(rows, f"{stem}-commitments{suffix}", "compare_commitments")
    with indicators:
        if tables["indicators"]:
            table(tables["indicators"], keep=("key",))
        else:
            st.info(t("none_here"))
        _downloads(tables["indicators"], f"{stem}-indicators", "compare_indicators")
    with cited:
        table(present_compare.citation_records(tables["citations"]), keep=("open",),
              config={"open": st.column_config.LinkColumn(t("open"), display_text=r"\?plan=(.*)")})
        _downloads(tables["citations"], f"{stem}-citations", "compare_citations")


def _uptake(ws: Workspace, plan: str, superiors: list[str], threshold: float | None) -> None:
    """Plan A against two to four others (``plangraph compare A B C…``): each superior
    commitment taken up or not found, with A's closest quote, and A's local commitments."""
    try:
        with st.spinner(t("comparing")):
            up = ws.uptake(plan, superiors, threshold=threshold)
    except PlanGraphError as exc:
        show_error(exc)
        return
    en = english()
    st.subheader(t("uptake_of").format(plan=plan))
    counts = up.counts()
    for col, sup in zip(st.columns(len(superiors) + 1), [*superiors, plan]):
        if sup == plan:
            col.metric(t("local"), counts[plan]["local"])
        else:
            c = counts[sup]
            col.metric(sup, f"{c['taken up']} / {c['taken up'] + c['not found']}", help=t("taken_up"))
    st.caption(f"{t('method')}: atomic · {t('threshold')} {up.threshold:.2f}")
    names = {None: t("all_sides"), "taken up": t("taken_up"), "not found": t("not_found"), "local": t("local")}
    status = st.radio(t("side"), list(names), key="uptake_status", horizontal=True, format_func=names.__getitem__)
    rows = up.rows(status)
    table(rows, column_order=["status", "superior", "score", "superior_quote", "local_quote", "why"],
          config={"superior_quote": st.column_config.TextColumn(labels.field("superior_quote", en), width="large"),
                  "local_quote": st.column_config.TextColumn(labels.field("local_quote", en), width="large")})
    suffix = "" if status is None else "-" + status.replace(" ", "-")
    _downloads(rows, f"uptake-{plan}-{'-'.join(superiors)}{suffix}", "compare_uptake")
