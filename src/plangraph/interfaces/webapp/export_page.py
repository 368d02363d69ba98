"""导出 Export: several entity kinds of several plans, each file the CLI's own."""

from __future__ import annotations

import streamlit as st

from plangraph.interfaces import present, staff
from plangraph.errors import PlanGraphError
from plangraph.graph.export import FORMATS, KINDS
from plangraph.workspace import Workspace

from plangraph.interfaces.webapp.common import english, export_data, show_error, t


def page_export(ws: Workspace) -> None:
    c1, c2, c3 = st.columns([3, 3, 1])
    kinds = c1.multiselect(t("kinds_pick"), KINDS, default=[KINDS[0]], key="export_kinds", format_func=t,
                           placeholder=t("choose_many"))
    chosen = c2.multiselect(t("plans_pick"), ws.plan_ids, default=list(ws.plan_ids), key="export_plans",
                            placeholder=t("choose_many"))
    fmt = c3.selectbox(t("format"), FORMATS, key="export_format", placeholder=t("choose"))
    if not kinds or not chosen:
        st.info(t("pick_some"))
        return
    plans = present.plan_selection(chosen, ws.plan_ids)
    key = present.index_key(ws.path)
    try:
        files = {present.export_file_name(k, fmt, plans): export_data(key, str(ws.path), k, fmt, plans)
                 for k in kinds}
        previews = {k: ws.export_rows(k, plans) for k in kinds}
    except PlanGraphError as exc:
        show_error(exc)
        return
    if len(files) > 1:
        name = present.export_file_name("plangraph", "zip", plans)
        st.download_button(f"{t('download_zip')} {name}", present.zip_bytes(files), file_name=name,
                           mime="application/zip", type="primary", key="export_zip", on_click="ignore")
    # One button a line: side by side, long file names were cut off.
    for name, data in files.items():
        st.download_button(f"{t('download')} {name}", data, file_name=name, mime=present.MIME_TYPES.get(fmt),
                           type="primary" if len(files) == 1 else "secondary", key=f"export_{name}",
                           on_click="ignore")
    en = english()
    for tab, (kind, rows) in zip(st.tabs([t(k) for k in kinds]), previews.items()):
        with tab:
            # the spreadsheet's own columns (what the CSV and XLSX files hold)
            columns, body = staff.staff_table(kind, rows[:200])
            st.markdown(f"**{t('preview')}** · {len(rows)} {t('rows')}")
            st.dataframe([{(c.en if en else c.zh): ("" if v is None else v) for c, v in zip(columns, r)}
                          for r in body], hide_index=True)
