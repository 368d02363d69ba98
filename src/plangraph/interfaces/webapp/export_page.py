"""导出 Export: several entity kinds of several plans, each file the CLI's own."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from plangraph.errors import PlanGraphError
from plangraph.graph.export import FORMATS, KINDS
from plangraph.interfaces import present_files, staff
from plangraph.interfaces.webapp.common import english, export_data, index_key, show_error, t
from plangraph.interfaces.webapp.pickers import at_once, is_large, pick_plans
from plangraph.workspace import Workspace


def page_export(ws: Workspace) -> None:
    large = is_large(ws)
    c1, c2, c3 = st.columns([2, 4, 1] if large else [3, 3, 1])  # room for the place boxes above the plans
    kinds = c1.multiselect(t("kinds_pick"), KINDS, default=[KINDS[0]], key="export_kinds", format_func=t,
                           placeholder=t("choose_many"))
    with c2:  # an index of hundreds of plans starts with none picked: "every plan"
        chosen = pick_plans(ws, "export_plans", default=[] if large else list(ws.plan_ids))
    fmt = c3.selectbox(t("format"), FORMATS, key="export_format", placeholder=t("choose"))
    if not kinds or not chosen and not large:
        st.info(t("pick_some"))
        return
    plans = present_files.plan_selection(chosen, ws.plan_ids) if chosen else None
    if not chosen:
        st.caption(t("all_plans_note").format(n=len(ws.plan_ids)))
    # Up to SMALL_INDEX plans the files are made with the page (a second or two); more
    # plans are made only when a button is clicked: every indicator of 500 plans took 34 s.
    eager = at_once(len(ws.plan_ids) if plans is None else len(plans))
    key, path = index_key(ws.path), str(ws.path)

    def made(kind: str) -> Callable[[], bytes]:
        return lambda: export_data(key, path, kind, fmt, plans)

    names = {k: present_files.export_file_name(k, fmt, plans) for k in kinds}
    previewed = plans if eager else tuple((plans or ws.plan_ids)[:1])
    try:
        files: dict[str, bytes | Callable[[], bytes]] = {
            names[k]: export_data(key, path, k, fmt, plans) if eager else made(k) for k in kinds}
        previews = {k: ws.export_rows(k, previewed) for k in kinds}
    except PlanGraphError as exc:
        show_error(exc)
        return
    if len(files) > 1:
        name = present_files.export_file_name("plangraph", "zip", plans)

        def zipped() -> bytes:
            return present_files.zip_bytes({n: f if isinstance(f, bytes) else f() for n, f in files.items()})

        st.download_button(f"{t('download_zip')} {name}", zipped() if eager else zipped, file_name=name,
                           mime="application/zip", type="primary", key="export_zip", on_click="ignore")
    # One button a line: side by side, long file names were cut off.
    for name, data in files.items():
        st.download_button(f"{t('download')} {name}", data, file_name=name, mime=present_files.MIME_TYPES.get(fmt),
                           type="primary" if len(files) == 1 else "secondary", key=f"export_{name}",
                           on_click="ignore")
    en = english()
    for tab, (kind, rows) in zip(st.tabs([t(k) for k in kinds]), previews.items()):
        with tab:
            # the spreadsheet's own columns (what the CSV and XLSX files hold)
            columns, body = staff.staff_table(kind, rows[:200])
            what = t("preview") if eager else t("preview_of").format(plan=", ".join(previewed or ()))
            st.markdown(f"**{what}** · {len(rows)} {t('rows')}")
            st.dataframe([{(c.en if en else c.zh): ("" if v is None else v) for c, v in zip(columns, r)}
                          for r in body], hide_index=True)
