"""指标横向对比 One indicator across plans: pick a concept of the indicator scheme and
see each plan's baseline and target, a chart with the national target as a line, the
plans that set no target, and download the table (``plangraph sparql --name
concept-across-plans --param concept=KEY`` in the browser)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from plangraph.analysis.across import ConceptAcross, ConceptInfo, chart_data
from plangraph.errors import PlanGraphError
from plangraph.interfaces import labels, present_files, writers
from plangraph.interfaces.webapp.common import english, index_key, show_error, t, table
from plangraph.workspace import Workspace

STAGE_ORDER = ("preschool", "compulsory", "senior-secondary", "vocational", "special", "higher", "lifelong",
               "all-stages")
"""Stages in the order the picker groups concepts by (``skos:broader``); others last."""
COLUMNS = ("plan", "level", "indicator", "baseline", "baseline_year", "target_text", "target_year", "unit",
           "binding", "national target", "below national", "tie_status", "tie_score")


@st.cache_data(show_spinner=False, max_entries=4)
def _concepts(key: str, path: str) -> tuple[ConceptInfo, ...]:
    from plangraph.interfaces.webapp.common import open_workspace

    return open_workspace(key, path).indicator_concepts()


def _stage_rank(c: ConceptInfo) -> int:
    return STAGE_ORDER.index(c.stage) if c.stage in STAGE_ORDER else len(STAGE_ORDER)


def _stage_name(c: ConceptInfo, en: bool) -> str:
    name = (c.stage_en or c.stage_zh) if en else c.stage_zh
    return name or t("other_stage")


def _pick(concepts: Sequence[ConceptInfo]) -> ConceptInfo | None:
    """The stage filter and the concept picker (type to filter), concepts grouped by stage."""
    en = english()
    wanted = st.query_params.get("concept")
    if "across_concept" not in st.session_state and wanted in {c.key for c in concepts}:
        st.session_state["across_concept"] = wanted  # a link: ?page=across&concept=KEY
    ordered = sorted(concepts, key=lambda c: (_stage_rank(c), c.label(en)))
    by_key = {c.key: c for c in ordered}
    # the words are made here, while the page is drawn (the language is the session's)
    stage_names: dict[str | None, str] = {None: t("all_stages")}
    stage_names.update({c.stage: _stage_name(c, en) for c in ordered})
    names = {c.key: f"{stage_names[c.stage]} · {c.label(en)}" for c in ordered}
    left, right = st.columns([1, 3])
    stage = left.selectbox(t("stage"), list(stage_names), key="across_stage", format_func=stage_names.__getitem__)
    shown = [c.key for c in ordered if stage is None or c.stage == stage]
    current = st.session_state.get("across_concept")
    if current is not None and current not in shown:
        shown.insert(0, current)  # the concept picked stays pickable when the stage changes
    key = right.selectbox(t("concept"), shown, index=None, key="across_concept", placeholder=t("pick_concept"),
                          format_func=names.__getitem__)
    return by_key.get(key) if key else None


def _about(c: ConceptInfo) -> None:
    en = english()
    st.subheader(c.label(en))
    facts = [c.label_zh if en else c.label_en, f"{t('unit')}: {c.unit}" if c.unit else "",
             f"{t('direction')}: {t(c.direction)}" if c.direction else "", f"`{c.key}`"]
    st.caption(" · ".join(f for f in facts if f))
    definition = (c.definition_en or c.definition_zh) if en else c.definition_zh
    if definition:
        st.markdown(definition)


def _chart(across: ConceptAcross) -> None:
    import altair as alt

    years = [y for y in across.years if any(r.year == y and r.level != "national" for r in across.rows)]
    if not years:
        return
    usual = across.usual_year()
    year = st.selectbox(t("chart_year"), years, index=years.index(usual) if usual in years else len(years) - 1,
                        key="across_year")
    data = chart_data(across, year)
    if not data.points:
        st.info(t("no_numbers"))
        return
    en = english()
    title = t("chart_target") + (f" ({across.concept.unit})" if across.concept.unit else "")
    values = [{**p, "level": labels.value(p["level"], en)} for p in data.points]  # words, not codes
    points = alt.Chart(alt.Data(values=values)).mark_circle(size=120).encode(
        x=alt.X("plan:N", title=labels.field("plan", en), sort="-y"),
        y=alt.Y("target:Q", title=title, scale=alt.Scale(zero=False)),
        color=alt.Color("level:N", title=labels.field("level", en)),
        tooltip=[alt.Tooltip("plan:N", title=labels.field("plan", en)),
                 alt.Tooltip("indicator:N", title=labels.field("indicator", en)),
                 alt.Tooltip("shown:N", title=labels.field("target", en))])
    layers: list[Any] = [points]
    if data.lines:
        lines = alt.Data(values=list(data.lines))
        rule = alt.Chart(lines).mark_rule(color="#d62728").encode(
            y="target:Q", strokeDash=alt.StrokeDash("kind:N", legend=None),
            tooltip=[alt.Tooltip("label:N", title=labels.field("national target", en))])
        text = alt.Chart(lines).mark_text(align="left", dx=4, dy=-6, color="#d62728").encode(
            y="target:Q", text="label:N", x=alt.value(0))
        layers += [rule, text]
    st.altair_chart(alt.layer(*layers), width="stretch")


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the table shows it: years and scores as text, so that a column of
    numbers with empty cells stays one type (empty cells empty)."""
    out = {k: row[k] for k in COLUMNS}
    for k in ("baseline_year", "target_year"):
        out[k] = "" if out[k] is None else str(out[k])
    out["tie_score"] = "" if out["tie_score"] is None else f"{out['tie_score']:.2f}"
    return out


def _downloads(rows: list[dict[str, Any]], stem: str) -> None:
    """CSV and XLSX of the table as shown (labels in the page's language)."""
    en = english()
    shown = [{labels.field(k, en): labels.value(r.get(k), en) for k in COLUMNS} for r in rows]
    left, right, _ = st.columns([2, 2, 3])
    left.download_button(t("download_csv"), writers.table_bytes(shown, "csv"), file_name=f"{stem}.csv",
                         mime=present_files.MIME_TYPES["csv"], key="across_csv", on_click="ignore")
    right.download_button(t("download_xlsx"), writers.table_bytes(shown, "xlsx", sheet=stem[:31]),
                          file_name=f"{stem}.xlsx", mime=present_files.MIME_TYPES["xlsx"], key="across_xlsx",
                          on_click="ignore")


DECISIONS = {"confirm": "confirmed", "reject": "rejected", "retie": "manual"}
"""The reviewer's choices → the review file's statuses (:mod:`plangraph.workspace.reviews`)."""


def _review(ws: Workspace, across: ConceptAcross, concepts: Sequence[ConceptInfo]) -> None:
    """Confirm, reject or re-tie one row's indicator (``Workspace.review_tie``)."""
    en = english()
    ties = {r.iri: r for r in across.rows}  # one choice per indicator, whatever its target years
    # The options name the row only: Streamlit keeps a selected option's text across a rerun, so a
    # status in it would stay stale after a save; the status is shown beside the picker instead.
    names = {iri: f"{r.plan} · {r.indicator}" for iri, r in ties.items()}
    others = {c.key: c.label(en) for c in concepts if c.key != across.concept.key}
    choices = {d: t(d) for d in DECISIONS}
    with st.expander(t("review")):
        st.caption(t("review_help"))
        iri = st.selectbox(t("review_row"), list(names), key="across_review_row", format_func=names.__getitem__)
        if iri and ties[iri].tie_status:
            st.caption(f"{t('tie_now')}: {labels.value(ties[iri].tie_status, en)}")
        decision = st.radio(t("decision"), list(choices), key="across_decision", horizontal=True,
                            format_func=choices.__getitem__)
        concept = across.concept.key
        if decision == "retie":
            concept = st.selectbox(t("other_concept"), list(others), index=None, key="across_retie",
                                   format_func=others.__getitem__, placeholder=t("pick_concept")) or ""
        note = st.text_input(t("review_note"), key="across_note")
        if not st.button(t("save_review"), key="across_save", type="primary", disabled=not (iri and concept)):
            return
        row = ties[iri]
        try:
            with st.spinner(t("saving")):
                category = next((tie.category for tie in ws.concept_ties(row.plan) if tie.iri == iri), "")
                ws.review_tie(row.plan, row.indicator, category, DECISIONS[decision], concept, note)
        except PlanGraphError as exc:
            show_error(exc)
            return
        st.session_state["across_saved"] = \
            f"{t('saved')}: {row.plan} · {row.indicator} → {labels.value(DECISIONS[decision], en)}"
        st.rerun()  # the rebuilt index opens afresh (its cache key changed)


def page_across(ws: Workspace) -> None:
    try:
        concepts = _concepts(index_key(ws.path), str(ws.path))
    except PlanGraphError as exc:
        show_error(exc)
        return
    concept = _pick(concepts)
    levels_here = [lv for lv in ("national", "provincial", "municipal", "county", "district")
                   if any((p.get("meta") or {}).get("level") == lv for p in ws.plans())]
    level_names = {lv: str(labels.value(lv, english())) for lv in levels_here}
    levels = st.multiselect(t("levels"), levels_here, default=levels_here, key="across_levels",
                            format_func=level_names.__getitem__, placeholder=t("choose_many"))
    if concept is None:
        st.info(t("pick_concept"))
        return
    try:
        across = ws.concept_across_plans(concept.key, levels=levels or None)
    except PlanGraphError as exc:
        show_error(exc)
        return
    _about(concept)
    if saved := st.session_state.pop("across_saved", None):
        st.success(saved)
    left, right = st.columns(2)
    left.metric(t("with_target"), len({r.plan for r in across.rows}))
    right.metric(t("without_target"), len(across.without_target))
    rows = across.records()
    if rows:
        table([_shown(r) for r in rows])
        _chart(across)
        _review(ws, across, concepts)
    else:
        st.info(t("no_rows"))
    st.markdown(f"**{t('without_target')}**")
    if across.without_target:
        table([{"plan": p.plan, "level": p.level, "title": p.title} for p in across.without_target])
    else:
        st.caption(t("all_set"))
    _downloads(rows, f"across-{concept.key}")
