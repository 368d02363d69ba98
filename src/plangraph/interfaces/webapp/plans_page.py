"""规划 Plans: one plan rebuilt from the graph (overview, sections, indicators,
projects) and its audit (``plangraph audit PLAN``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from plangraph.analysis.audit import summary
from plangraph.errors import PlanGraphError
from plangraph.graph import planview
from plangraph.interfaces import labels, present_files, present_plans, writers
from plangraph.interfaces.webapp.common import audit_report, english, index_key, plan_sections, show_error, t, table
from plangraph.interfaces.webapp.pickers import is_large, pick_plan
from plangraph.workspace import Workspace

if TYPE_CHECKING:
    from plangraph.workspace.folder import PlanRecord


def _audit_tab(ws: Workspace, pid: str) -> None:
    try:
        with st.spinner(t("auditing")):
            report = audit_report(index_key(ws.path), str(ws.path), pid)
    except PlanGraphError as exc:
        show_error(exc)
        return
    st.markdown(present_plans.status_badges(summary(report), {s: t(s) for s in present_plans.STATUS_COLOURS}))
    if not report.findings:
        st.info(t("no_audit"))
        return
    status = st.column_config.MultiselectColumn(t("status"), options=list(present_plans.STATUS_COLOURS),
                                                color=list(present_plans.STATUS_COLOURS.values()), format_func=t)
    en = english()
    table(present_plans.audit_records(report.rows()), keep=("status",),
          config={"status": status, "quote": st.column_config.TextColumn(labels.field("quote", en), width="large"),
                  "note": st.column_config.TextColumn(labels.field("note", en), width="medium")})
    st.download_button(t("download_csv"), writers.table_bytes(report.rows(), "csv"), file_name=f"audit-{pid}.csv",
                       mime=present_files.MIME_TYPES["csv"], key="audit_csv", on_click="ignore")


def page_plans(ws: Workspace) -> None:
    wanted = st.session_state.pop("plan_param", None)
    if wanted and wanted not in ws.plan_ids:
        others = ", ".join(ws.plan_ids[:5]) + (" …" if len(ws.plan_ids) > 5 else "")
        st.warning(f"{t('no_plan')}: {wanted} · {others}")
    if "plan_tab" in st.session_state:  # the open tab, kept while no plan is drawn
        st.session_state["plan_tab"] = st.session_state["plan_tab"]
    pid = pick_plan(ws, "plan_pick")
    if pid is None:  # a place of several plans, none picked yet
        st.info(t("pick_one"))
        return
    plan = next(p for p in ws.plans() if p["plan"] == pid)
    facts = present_plans.plan_facts(plan)
    st.subheader(f"{facts.get('title', pid)} ({pid})")
    names = [t("overview"), t("sections"), t("indicators"), t("projects"), t("audit")]
    # A large index draws only the open tab (a rerun when another is opened): the audit
    # tab alone read the national plans' targets on every pick of a plan (1-5 s at 500 plans).
    tabs = st.tabs(names, key="plan_tab", on_change="rerun") if is_large(ws) else st.tabs(names)
    overview, sections, indicators, projects, audit = tabs
    shown = [tab.open is not False for tab in tabs]  # None: not lazy, every tab is drawn
    if shown[0]:
        with overview:
            _overview(ws, pid, plan, facts)
    if shown[1]:
        with sections:
            table(present_plans.section_rows(plan_sections(ws, pid)))
    if shown[2]:
        with indicators:
            rows = planview.indicator_table(ws.export_rows("indicators", pid))
            if rows:
                table(rows)
            else:
                st.info(t("none_here"))
    if shown[3]:
        with projects:
            _projects(ws, pid)
    if shown[4]:
        with audit:
            _audit_tab(ws, pid)


def _overview(ws: Workspace, pid: str, plan: PlanRecord, facts: dict[str, Any]) -> None:
    en = english()
    st.table([{t("field"): labels.field(k, en), t("value"): labels.value(v, en)} for k, v in facts.items()])
    st.markdown(f"**{t('counts')}**")
    counts = {**plan.get("counts", {}), **ws.manifest.get("counts", {}).get(pid, {})}
    cols = st.columns(min(len(counts), 6) or 1)
    for i, (name, value) in enumerate(counts.items()):
        cols[i % len(cols)].metric(labels.field(name, en), value)
    st.markdown(f"**{t('findings')}**")
    if plan.get("findings"):
        table(plan["findings"])
    else:
        st.caption(t("no_findings"))


def _projects(ws: Workspace, pid: str) -> None:
    rows = ws.export_rows("projects", pid)
    if not rows:
        st.info(t("none_here"))
        return
    table(planview.project_list(rows), keep=("iri",))
    left, right = st.columns(2)
    left.markdown(f"**{t('by_place')}**")
    # The chart's data keyed by the labels, so that axes and tooltips speak the
    # page's language (not place / investment_wan).
    en = english()
    place, year, money = (labels.field(k, en) for k in ("place", "year", "investment_wan"))
    left.bar_chart(labels.labelled_rows(planview.investment_by_place(rows), en), x=place, y=money,
                   sort=f"-{money}")
    right.markdown(f"**{t('by_year')}**")
    right.bar_chart(labels.labelled_rows(planview.investment_by_year(rows), en), x=year, y=money)
