"""承诺 Commitments: the plan × theme matrix as a heat map, which plans commit to a theme,
and which plans commit to a phrase (``plangraph commitments --matrix / --theme / "X"``
in the browser)."""

from __future__ import annotations

import streamlit as st

from plangraph.errors import PlanGraphError
from plangraph.interfaces import labels, present_files, writers
from plangraph.interfaces.webapp.common import english, index_key, open_workspace, show_error, t, table
from plangraph.interfaces.webapp.pickers import choices, pick_plans, plan_label
from plangraph.workspace import Workspace
from plangraph.workspace.themes import SCHEMES, ThemeMatrix

HEAT_MAP_PLANS = 40
"""Rows of the heat map when no plan is picked: the plans with most commitments in the scheme."""


@st.cache_resource(show_spinner=False, max_entries=8)
def _matrix(key: str, path: str) -> ThemeMatrix:
    """Every plan × every theme, once per index (the stored rows of every plan, read once)."""
    return open_workspace(key, path).theme_matrix()


def _theme_name(matrix: ThemeMatrix, key: str) -> str:
    th = matrix.theme(key)
    return th.en if english() else th.zh


def _heat_map(matrix: ThemeMatrix, plans: list[str], scheme: str, names: dict[str, str]) -> None:
    """Plans down, the scheme's themes across, each cell coloured by its count."""
    import altair as alt

    en = english()
    themes = [th for th in matrix.themes if th.scheme == scheme]
    values = [{"plan": names.get(p, p), "theme": th.en if en else th.zh, "count": matrix.count(p, th.key),
               "quote": matrix.cell(p, th.key).quote[:80]} for p in plans for th in themes]
    chart = alt.Chart(alt.Data(values=values)).mark_rect().encode(
        x=alt.X("theme:N", title=labels.field("theme", en), sort=[th.en if en else th.zh for th in themes]),
        y=alt.Y("plan:N", title=labels.field("plan", en), sort=[names.get(p, p) for p in plans],
                axis=alt.Axis(labelLimit=320)),
        color=alt.Color("count:Q", title=labels.field("count", en), scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("plan:N", title=labels.field("plan", en)),
                 alt.Tooltip("theme:N", title=labels.field("theme", en)),
                 alt.Tooltip("count:Q", title=labels.field("count", en)),
                 alt.Tooltip("quote:N", title=labels.field("quote", en))])
    st.altair_chart(chart.properties(height=max(200, 26 * len(plans))), width="stretch")


def _downloads(matrix: ThemeMatrix, plans: list[str]) -> None:
    wide = [r for r in matrix.wide("key") if r["plan"] in set(plans)]
    cells = [r for r in matrix.rows() if r["plan"] in set(plans)]
    left, right, _ = st.columns([2, 2, 3])
    left.download_button(t("download_csv"), writers.table_bytes(wide, "csv"), file_name="commitment-themes.csv",
                         mime=present_files.MIME_TYPES["csv"], key="themes_csv", on_click="ignore")
    right.download_button(t("download_xlsx"), writers.tables_xlsx({"matrix": wide, "cells": cells}),
                          file_name="commitment-themes.xlsx", mime=present_files.MIME_TYPES["xlsx"], key="themes_xlsx",
                          on_click="ignore")


def _by_theme(matrix: ThemeMatrix, plans: list[str]) -> None:
    keys = [th.key for th in matrix.themes]
    key = st.selectbox(t("theme_pick"), keys, index=None, key="themes_theme", placeholder=t("type_to_find"),
                       format_func=lambda k: _theme_name(matrix, k))
    if key is None:
        return
    cells = [c for c in matrix.committing(key) if c.plan in set(plans)]
    committed = sum(1 for c in cells if c.count)
    st.metric(t("plans_committing"), f"{committed} / {len(cells)}")
    table([c.row() for c in cells], column_order=["plan", "count", "quote", "quantified", "dated", "start", "end"],
          config={"quote": st.column_config.TextColumn(labels.field("quote", english()), width="large")})


def _by_phrase(ws: Workspace, plans: list[str]) -> None:
    ws.prepare_comparisons()  # the encoder, the tokenizer and every plan's clause rows, read while a phrase is typed
    phrase = st.text_input(t("phrase"), key="themes_phrase", placeholder="县管校聘")
    if not phrase.strip():
        return
    try:
        with st.spinner(t("searching")):
            found = ws.commitments(phrase, plans=plans if len(plans) < len(ws.plan_ids) else ())
    except PlanGraphError as exc:
        show_error(exc)
        return
    committed = sum(1 for r in found if r.strength != "weak")
    st.metric(t("plans_committing"), f"{committed} / {len(found)}")
    table([r.row() for r in found], column_order=["plan", "strength", "score", "quote", "why", "section"],
          config={"quote": st.column_config.TextColumn(labels.field("quote", english()), width="large")})


def page_commitments(ws: Workspace) -> None:
    key = index_key(ws.path)
    try:
        with st.spinner(t("counting")):
            matrix = _matrix(key, str(ws.path))
    except PlanGraphError as exc:
        show_error(exc)
        return
    picked = pick_plans(ws, "themes_plans", label=t("plans_narrow"))
    plans = picked or list(matrix.plans)
    heat, theme, phrase = st.tabs([t("theme_matrix"), t("by_theme"), t("by_phrase")])
    with heat:
        scheme = st.radio(t("scheme"), SCHEMES, key="themes_scheme", horizontal=True,
                          format_func=lambda s: str(labels.value(s, english())))
        shown = plans
        if not picked and len(plans) > HEAT_MAP_PLANS:  # 500 rows of a heat map are no map: the busiest first
            keys = [th.key for th in matrix.themes if th.scheme == scheme]
            shown = sorted(plans, key=lambda p: -sum(matrix.count(p, k) for k in keys))[:HEAT_MAP_PLANS]
            st.caption(t("heat_map_top").format(n=HEAT_MAP_PLANS, total=len(plans)))
        _heat_map(matrix, shown, scheme, {p: plan_label(c) for p, c in choices(ws).items()})
        _downloads(matrix, plans)
    with theme:
        _by_theme(matrix, plans)
    with phrase:
        _by_phrase(ws, plans)
