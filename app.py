"""plangraph in the browser: search the plans, read their metadata, ask SPARQL, export.

Widgets and layout only; everything goes through :class:`plangraph.workspace.Workspace`.
Run with ``streamlit run app.py`` (the index comes from ``PLANGRAPH_INDEX``, default
``indexes/default``).
"""

from __future__ import annotations

import streamlit as st

from plangraph import present
from plangraph.errors import IndexStoreError, PlanGraphError
from plangraph.export import FORMATS, KINDS
from plangraph.sparql import named_queries
from plangraph.workspace import Workspace, default_index

# (中文, English) for every label on the page.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("教育规划知识图谱", "Education plan graph"),
    "english": ("English", "English"),
    "page": ("页面", "Page"),
    "search": ("检索", "Search"),
    "plans": ("规划", "Plans"),
    "sparql": ("SPARQL", "SPARQL"),
    "export": ("导出", "Export"),
    "question": ("问题或关键词", "Question or keywords"),
    "plan": ("规划", "Plan"),
    "all_plans": ("全部规划", "All plans"),
    "top_k": ("结果数", "Results"),
    "no_hits": ("没有匹配的段落", "No passages match"),
    "score": ("得分", "score"),
    "chars": ("字符", "chars"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "counts": ("统计", "Counts"),
    "entities": ("实体", "Entities"),
    "findings": ("导入发现", "Ingestion findings"),
    "no_findings": ("无", "None"),
    "named_query": ("预置查询", "Named query"),
    "custom": ("（自定义）", "(custom)"),
    "query": ("查询", "Query"),
    "run": ("运行", "Run"),
    "rows": ("行", "rows"),
    "kind": ("类型", "Kind"),
    "format": ("格式", "Format"),
    "download": ("下载", "Download"),
    "preview": ("预览", "Preview"),
    "no_index": ("还没有索引。请先构建：", "There is no index yet. Build one first:"),
    "or": ("或者（安装、构建并启动）：", "or (install, build and start):"),
    "loading": ("正在加载索引……", "Loading the index…"),
    "index": ("索引", "Index"),
}


def t(key: str) -> str:
    """The label for ``key``: Chinese first with the English after it, or English only."""
    zh, en = LABELS[key]
    if st.session_state.get("english"):
        return en
    return zh if zh == en else f"{zh} {en}"


@st.cache_resource(show_spinner=False)
def open_workspace(key: str, path: str) -> Workspace:
    """One Workspace per built index (``key`` changes when it is rebuilt)."""
    return Workspace(path)


@st.cache_data(show_spinner=False, max_entries=32)
def export_data(key: str, path: str, kind: str, fmt: str, plan: str | None) -> bytes:
    return present.export_bytes(open_workspace(key, path), kind, fmt, plan)


def show_error(exc: PlanGraphError) -> None:
    st.error(exc.message)
    if exc.hint:
        st.caption(exc.hint)


def plan_select(ws: Workspace, key: str) -> str | None:
    options: list[str | None] = [None, *ws.plan_ids]
    return st.selectbox(t("plan"), options, key=key,
                        format_func=lambda p: t("all_plans") if p is None else p)


def page_search(ws: Workspace) -> None:
    query = st.text_input(t("question"), key="q", placeholder="学前教育 毛入园率")
    col_plan, col_k = st.columns([3, 1])
    with col_plan:
        plan = plan_select(ws, "search_plan")
    with col_k:
        top_k = st.number_input(t("top_k"), min_value=1, max_value=50, value=10, key="top_k")
    if not query.strip():
        return
    try:
        with st.spinner(t("loading")):
            hits = ws.search(query, int(top_k), plan=plan)
    except PlanGraphError as exc:
        show_error(exc)
        return
    if not hits:
        st.info(t("no_hits"))
        return
    for h in hits:
        with st.container(border=True):
            st.markdown(f"**{h.rank}. {present.escape_markdown(h.plan)}** · "
                        f"{present.escape_markdown(h.section or '—')}")
            st.caption(f"{t('score')} {h.score:.4f} · {t('chars')} {h.start}–{h.end} · {h.passage_iri}")
            st.markdown(present.blockquote(h.quote))
            if h.entities:
                st.markdown(present.entity_chips(h.entities))
    st.download_button(t("download_csv"), present.dict_rows_csv(present.hit_rows(hits)),
                       file_name="search.csv", mime=present.MIME_TYPES["csv"], on_click="ignore")


def page_plans(ws: Workspace) -> None:
    entity_counts: dict[str, dict[str, int]] = ws.manifest.get("counts", {})
    for plan in ws.plans():
        pid = plan["plan"]
        facts = present.plan_facts(plan)
        st.subheader(f"{facts.get('title', pid)} ({pid})")
        st.table([{"field": k, "value": v} for k, v in facts.items()])
        st.markdown(f"**{t('counts')}**")
        counts = {**plan.get("counts", {}), **entity_counts.get(pid, {})}
        cols = st.columns(min(len(counts), 6) or 1)
        for i, (name, value) in enumerate(counts.items()):
            cols[i % len(cols)].metric(name, value)
        st.markdown(f"**{t('findings')}**")
        if plan.get("findings"):
            st.dataframe(plan["findings"], hide_index=True)
        else:
            st.caption(t("no_findings"))
        st.divider()


def page_sparql(ws: Workspace) -> None:
    queries = named_queries()
    # "" stands for a query of one's own.
    name = st.selectbox(t("named_query"), ["", *queries], index=1 if queries else 0, key="sparql_name",
                        format_func=lambda n: n or t("custom"))
    nq = queries.get(name)
    if nq is not None:
        st.caption(nq.description)
    # Keyed by the query's name, so choosing another one refills the text area.
    text = st.text_area(t("query"), value=nq.text if nq else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
                        height=260, key=f"sparql_text_{name or 'custom'}")
    params: dict[str, str] = {}
    for pname, pdesc in nq.params if nq else ():
        value = st.text_input(pname, help=pdesc, key=f"sparql_param_{name}_{pname}")
        if value.strip():
            params[pname] = value.strip()
    # The last answer is kept (per query name) so that it survives later reruns.
    if st.button(t("run"), type="primary", key="sparql_run"):
        try:
            st.session_state["sparql_answer"] = (name, ws.sparql(text, params=params or None))
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
        st.download_button(t("download_csv"), present.csv_bytes(result.columns, result.rows),
                           file_name="sparql.csv", mime=present.MIME_TYPES["csv"], on_click="ignore")


def page_export(ws: Workspace) -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        kind = st.selectbox(t("kind"), KINDS, key="export_kind")
    with c2:
        plan = plan_select(ws, "export_plan")
    with c3:
        fmt = st.selectbox(t("format"), FORMATS, key="export_format")
    try:
        data = export_data(present.index_key(ws.path), str(ws.path), kind, fmt, plan)
        rows = ws.export_rows(kind, plan)
    except PlanGraphError as exc:
        show_error(exc)
        return
    st.download_button(f"{t('download')} {present.export_file_name(kind, fmt, plan)}", data,
                       file_name=present.export_file_name(kind, fmt, plan),
                       mime=present.MIME_TYPES.get(fmt), type="primary", on_click="ignore")
    st.markdown(f"**{t('preview')}** · {len(rows)} {t('rows')}")
    st.dataframe(rows[:200], hide_index=True)


def main() -> None:
    st.set_page_config(page_title="plangraph", layout="wide")
    st.sidebar.toggle(t("english"), key="english")
    st.title(t("title"))
    path = default_index()
    key = present.index_key(path)
    try:
        ws = open_workspace(key, str(path))
    except IndexStoreError as exc:
        show_error(exc)
        st.markdown(t("no_index"))
        st.code("plangraph build corpus", language="bash")
        st.markdown(t("or"))
        st.code("bash scripts/start.sh", language="bash")
        st.stop()
    pages = {"search": page_search, "plans": page_plans, "sparql": page_sparql, "export": page_export}
    page = st.sidebar.radio(t("page"), list(pages), key="page", format_func=t)
    st.sidebar.caption(f"{t('index')}: {ws.path} · {', '.join(ws.plan_ids)}")
    pages[page](ws)


main()
