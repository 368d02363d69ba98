"""What every page of the app shares: its labels, its error display and the cached
workspace and computations (one per built index, kept across sessions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from plangraph.interfaces import labels, present, writers
from plangraph.errors import PlanGraphError
from plangraph.graph.browse import concepts
from plangraph.workspace import Workspace

if TYPE_CHECKING:
    from plangraph.analysis.audit import AuditReport

# (中文, English) for every label on the page.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("教育规划知识图谱", "Education plan graph"),
    "english": ("English", "English"),
    "page": ("页面", "Page"),
    "search": ("检索", "Search"),
    "entities": ("实体", "Entities"),
    "plans": ("规划", "Plans"),
    "sparql": ("SPARQL", "SPARQL"),
    "export": ("导出", "Export"),
    "question": ("问题或关键词", "Question or keywords"),
    "plan": ("规划", "Plan"),
    "all_plans": ("全部规划", "All plans"),
    "section": ("章节", "Section"),
    "all_sections": ("全部章节", "All sections"),
    "kinds": ("实体类型", "Entity kinds"),
    "themes": ("主题", "Themes"),
    "groups": ("对象群体", "Target groups"),
    "filters": ("筛选", "Filters"),
    "top_k": ("结果数", "Results"),
    "per_plan": ("每个规划最多 (0 = 不限)", "At most per plan (0 = no limit)"),
    "best_sentence": ("最相关的一句", "Best-matching sentence"),
    "scoped": ("相关规划优先", "Relevant plans first"),
    "scoped_help": ("先列出问题所指的规划：问题提到的地区或年份所属的规划，否则最基层的规划（区县级先于国家级文件）。"
                    "关闭后所有规划同等排序。",
                    "List the plans the question is about first: those of a region or year it names, else the "
                    "most local plans (district before national documents). Off ranks all plans alike."),
    "place": ("地区（含下级）", "Place (and below)"),
    "all_places": ("全部地区", "All places"),
    "doc_kind": ("文件类型", "Document kind"),
    "all_doc_kinds": ("全部类型", "All kinds"),
    "scope_weight": ("其他规划得分", "other plans' scores"),
    "out_of_scope": ("非优先规划", "outside the scope"),
    "no_hits": ("没有匹配的段落，请换个说法或放宽筛选条件。", "No passages match; rephrase or loosen the filters."),
    "score": ("得分", "score"),
    "chars": ("字符", "chars"),
    "pdf_page": ("页", "page"),
    "stated": ("段落中的实体（点击打开）", "Entities stated here (click to open)"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "counts": ("统计", "Counts"),
    "findings": ("导入发现", "Ingestion findings"),
    "no_findings": ("无", "None"),
    "named_query": ("预置查询", "Named query"),
    "custom": ("（自定义）", "(custom)"),
    "query": ("查询", "Query"),
    "run": ("运行", "Run"),
    "sparql_remote": ("查询远程端点 {url}", "Query the remote endpoint {url}"),
    "rows": ("行", "rows"),
    "from_row": ("起始行", "From row"),
    "page_note": ("显示第 {first:,}–{last:,} 行，共 {total:,} 行：改“起始行”后再运行可看其他行，或下载全部结果",
                  "showing rows {first:,}–{last:,} of {total:,}: change “From row” and run again for other rows, "
                  "or download every row"),
    "download_all_csv": ("下载全部 {total:,} 行（CSV）", "Download all {total:,} rows (CSV)"),
    "kind": ("类型", "Kind"),
    "format": ("格式", "Format"),
    "download": ("下载", "Download"),
    "preview": ("预览", "Preview"),
    "no_index": ("还没有索引。请先构建：", "There is no index yet. Build one first:"),
    "or": ("或者（安装、构建并启动）：", "or (install, build and start):"),
    "build_now": ("现在构建索引", "Build the index now"),
    "building": ("正在构建索引（约一分钟）……", "Building the index (about a minute)…"),
    "loading": ("正在加载索引……", "Loading the index…"),
    "index": ("索引", "Index"),
    "plan_count": ("{n:,} 个规划", "{n:,} plans"),
    "open_entity": ("打开实体", "Open an entity"),
    "close": ("关闭", "Close"),
    "properties": ("属性", "Properties"),
    "source": ("原文出处", "Source text"),
    "neighbourhood": ("图谱邻域", "Neighbourhood in the graph"),
    "no_entity": ("图谱中没有这个实体", "No such entity in the graph"),
    "no_plan": ("没有这个规划", "No such plan"),
    "overview": ("概况", "Overview"),
    "sections": ("章节结构", "Sections"),
    "indicators": ("指标", "Indicators"),
    "programmes": ("任务", "Programmes"),
    "projects": ("建设项目", "Projects"),
    "commitments": ("承诺", "Commitments"),
    "organizations": ("机构", "Bodies"),
    "places": ("地点", "Places"),
    "stage": ("学段", "Stage"),
    "binding": ("指标属性", "Binding type"),
    "place": ("地点", "Place"),
    "year": ("年份", "Year"),
    "none_here": ("本规划没有这类内容。", "This plan has none."),
    "by_place": ("按地点的投资（万元）", "Investment by place (万元)"),
    "by_year": ("按开工年份的投资（万元）", "Investment by start year (万元)"),
    "compare": ("比较", "Compare"),
    "plan_a": ("规划 A", "Plan A"),
    "plan_b": ("规划 B", "Plan B"),
    "method": ("相似度方法", "Similarity method"),
    "threshold": ("阈值", "Threshold"),
    "comparing": ("正在比较……", "Comparing…"),
    "need_two": ("索引中至少要有两个规划才能比较。", "Comparing needs at least two plans in the index."),
    "same_plan": ("请选择两个不同的规划。", "Pick two different plans."),
    "shared": ("共有", "Shared"),
    "only_in": ("仅见于", "Only in"),
    "all_sides": ("全部", "All"),
    "side": ("范围", "Side"),
    "cited": ("引用文件", "Cited documents"),
    "open": ("打开", "Open"),
    "download_xlsx": ("下载 XLSX", "Download XLSX"),
    "audit": ("核查", "Audit"),
    "auditing": ("正在核查……", "Auditing…"),
    "no_audit": ("没有可核查的内容。", "Nothing to check."),
    "status": ("状态", "Status"),
    "consistent": ("一致", "consistent"),
    "mismatch": ("不一致", "mismatch"),
    "needs review": ("待人工核对", "needs review"),
    "plans_pick": ("规划（可多选）", "Plans"),
    "kinds_pick": ("实体类型（可多选）", "Entity kinds"),
    "pick_some": ("请至少选择一种类型和一个规划。", "Pick at least one kind and one plan."),
    "download_zip": ("全部下载 ZIP", "Download all as ZIP"),
    "choose": ("请选择", "Choose an option"),
    "choose_many": ("请选择（可多选）", "Choose options"),
    "strength": ("相关程度", "strength"),
    "strength_help": ("由问题与段落的语义相似度判断：强＝很可能回答了问题，弱＝可能没有回答。",
                      "From the meaning-similarity of question and passage: strong = likely answers it, "
                      "weak = may not."),
    "weak_all": ("最佳结果的相关程度弱：所检索的规划可能没有涉及这个问题，以下只是最接近的段落。",
                 "The best answer is weak: the plans searched may say nothing on this question; below are "
                 "only the closest passages."),
    "weak_plan": ("最佳结果的相关程度弱：{plan} 可能没有涉及这个问题，以下只是最接近的段落。",
                  "The best answer is weak: {plan} may say nothing on this question; below are only the "
                  "closest passages."),
    "looks_back": ("回顾过去（非承诺）", "review of the past (not a commitment)"),
    "details": ("详情", "details"),
    "fused_score": ("融合得分", "fused score"),
    "cosines": ("语义相似度", "cosine similarity"),
    "field": ("项目", "Field"),
    "value": ("值", "Value"),
    # one indicator across plans
    "across": ("指标横向对比", "One indicator across plans"),
    "concept": ("统一指标（可输入筛选）", "Indicator concept (type to filter)"),
    "all_stages": ("全部学段", "All stages"),
    "other_stage": ("其他", "Other"),
    "levels": ("规划层级", "Plan levels"),
    "pick_concept": ("请选择一个指标。", "Pick an indicator."),
    "unit": ("单位", "Unit"),
    "direction": ("方向", "Direction"),
    "higher": ("越高越好", "higher is better"),
    "lower": ("越低越好", "lower is better"),
    "none": ("无方向", "no direction"),
    "with_target": ("设定目标的规划", "Plans with a target"),
    "without_target": ("未设定目标的规划", "Plans without a target"),
    "national_bar": ("对照的国家目标", "National target held against"),
    "no_rows": ("没有规划为这个指标设定目标。", "No plan sets a target for this indicator."),
    "all_set": ("所有规划都设定了目标。", "Every plan sets a target."),
    "chart_year": ("图中的目标年份", "Target year in the chart"),
    "no_numbers": ("这一年份没有可画出的数值目标。", "No numeric targets to chart for this year."),
    "chart_target": ("目标值", "Target"),
    "review": ("审核指标关联", "Review the ties"),
    "review_help": ("确认、否决或改为其他概念。决定写入规划旁的 indicator-ties.tsv，并重建该规划。",
                    "Confirm, reject or re-tie to another concept. The decision goes into indicator-ties.tsv "
                    "beside the plan, and that plan is rebuilt."),
    "review_row": ("指标", "Indicator"),
    "decision": ("决定", "Decision"),
    "confirm": ("确认", "Confirm"),
    "reject": ("否决", "Reject"),
    "retie": ("改为其他概念", "Tie to another concept"),
    "other_concept": ("改为", "Tie to"),
    "review_note": ("备注（可不填）", "Note (optional)"),
    "save_review": ("保存并重建该规划", "Save and rebuild the plan"),
    "saving": ("正在重建……", "Rebuilding…"),
    "saved": ("已保存", "Saved"),
    "level": ("层级", "Level"),
    "all_levels": ("全部层级", "All levels"),
    "type_to_find": ("输入名称或地名查找", "Type a name or place"),
    "pick_plans_first": ("索引有 {n:,} 个规划：请先选择要查看的规划（输入名称或地名查找，最多 {most} 个）。",
                         "The index holds {n:,} plans: pick the plans to show first (type a name or place; "
                         "at most {most})."),
    "table_page": ("页码", "Page"),
    "page_rows": ("第 {first:,}–{last:,} 行，共 {total:,} 行", "rows {first:,}–{last:,} of {total:,}"),
    "all_plans_note": ("未选规划时导出全部 {n:,} 个规划，点击下载时才生成文件。",
                       "With no plan picked, every one of the {n:,} plans is exported; the file is made "
                       "when the button is clicked."),
    "preview_of": ("预览（{plan}）", "Preview ({plan})"),
    "pick_two": ("请选择两个规划（输入名称或地名查找）。", "Pick two plans (type a name or place)."),
    "commitments_page": ("承诺与主题", "Commitments by theme"),
    "theme_matrix": ("规划 × 主题", "Plans × themes"),
    "by_theme": ("哪些规划承诺某一主题", "Which plans commit to a theme"),
    "by_phrase": ("哪些规划承诺某项措施", "Which plans commit to a measure"),
    "theme_pick": ("主题（可输入筛选）", "Theme (type to filter)"),
    "plans_committing": ("作出承诺的规划", "Plans that commit"),
    "plans_narrow": ("只看这些规划（不选则为全部）", "Only these plans (none: all)"),
    "phrase": ("措施或改革名称", "A measure or a reform's name"),
    "searching": ("正在查找……", "Searching…"),
    "counting": ("正在统计……", "Counting…"),
    "scheme": ("类别", "Scheme"),
    "heat_map_top": ("共 {total:,} 个规划，图中为该类承诺最多的 {n} 个；选择规划可只看它们，下载含全部规划。",
                     "{total:,} plans: the map shows the {n} with most commitments of this scheme; pick plans to "
                     "see them, the downloads hold every plan."),
    "more_plans": ("上级规划（可多选，最多 3 个；选后逐条核对承接情况）",
                   "Superior plans (up to 3; picked, each commitment is checked for uptake)"),
    "taken_up": ("已承接", "Taken up"),
    "not_found": ("未见", "Not found"),
    "local": ("本规划特有", "Local"),
    "uptake_of": ("{plan} 对照上级规划", "{plan} against its superior plans"),
}




def t(key: str) -> str:
    """The label for ``key``: Chinese first with the English after it, or English only."""
    zh, en = LABELS[key]
    if st.session_state.get("english"):
        return en
    return zh if zh == en else f"{zh} {en}"


def english() -> bool:
    """Whether the page is in English (the sidebar toggle)."""
    return bool(st.session_state.get("english"))


def table(rows: list[dict[str, Any]], *, keep: tuple[str, ...] = (), config: dict[str, Any] | None = None,
          **options: Any) -> None:
    """A data table with labelled columns (:mod:`plangraph.interfaces.labels`) and codes
    in words; ``config`` adds column configurations by key (their labels set here)."""
    en = english()
    columns: dict[str, Any] = dict(labels.column_labels(rows, en))
    columns.update(config or {})
    st.dataframe(labels.display_rows(rows, en, keep), hide_index=True, column_config=columns, **options)


def show_error(exc: PlanGraphError) -> None:
    st.error(exc.message)
    if exc.hint:
        st.caption(exc.hint)


@st.cache_resource(show_spinner=False)
def open_workspace(key: str, path: str) -> Workspace:
    """One Workspace per built index (``key`` changes when it is rebuilt)."""
    return Workspace(path)


@st.cache_data(show_spinner=False, max_entries=32)
def export_data(key: str, path: str, kind: str, fmt: str, plans: tuple[str, ...] | None) -> bytes:
    return writers.export_bytes(open_workspace(key, path), kind, fmt, plans)


@st.cache_resource(show_spinner=False, max_entries=32)
def audit_report(key: str, path: str, plan: str) -> AuditReport:
    """The plan's :class:`~plangraph.analysis.audit.AuditReport` (a few seconds; once per index and plan)."""
    return open_workspace(key, path).audit(plan)


def concept_label(key: str) -> str:
    c = next((c for c in concepts() if c.key == key), None)
    return key if c is None else (c.en if st.session_state.get("english") else c.zh)


def open_entity(iri: str | None) -> None:
    """Show the entity page for ``iri`` (a callback: runs before the page is drawn)."""
    if iri:
        st.session_state["entity"] = iri
        st.session_state["page"] = "entities"


def chip_clicked(key: str) -> None:
    open_entity(st.session_state.get(key))
    st.session_state[key] = None
