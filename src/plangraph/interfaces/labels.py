"""The one label table: every word the app, the exports and the CLI's staff sheets show
in Chinese and English, for the data's own keys and codes and for the app's pages.

Rows come from the façade with program keys (``period_start``, ``table_rows``) and
codes (``flagged-cell``, ``only in A``); a page shows them through :func:`field` and
:func:`display_rows`, so that a reader of the Chinese page meets no raw key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# key → (中文, English): columns, plan facts, counts.
FIELDS: dict[str, tuple[str, str]] = {
    # entities and exports
    "plan": ("规划", "plan"), "category": ("类别", "category"), "name": ("名称", "name"),
    "indicator": ("指标", "indicator"), "unit": ("单位", "unit"), "comparator": ("比较", "comparator"),
    "target_year": ("目标年份", "target year"), "binding": ("属性", "binding"), "table": ("所在表格", "table"),
    "seq": ("序号", "no."), "content": ("内容", "content"), "scale": ("建设规模", "scale"),
    "location": ("地点", "location"), "start_year": ("开工年份", "start year"), "end_year": ("完工年份", "end year"),
    "investment_wan": ("投资（万元）", "investment (万元)"), "section": ("章节", "section"),
    "statement": ("承诺", "commitment"), "themes": ("主题", "themes"), "target_groups": ("对象群体", "target groups"),
    "deadlines": ("期限", "deadlines"), "bodies": ("机构", "bodies"), "places": ("地点", "places"),
    "aliases": ("别称", "aliases"), "region": ("地区", "region"), "mentions": ("提及次数", "mentions"),
    "responsible_for": ("负责承诺数", "commitments involved"), "place_type": ("地点类型", "place type"),
    "projects": ("建设项目", "projects"), "iri": ("标识", "IRI"), "classes": ("班级数", "classes"),
    "school_type": ("学校类型", "school type"), "quote": ("原文", "quote"), "start": ("起始字符", "start"),
    "end": ("结束字符", "end"), "values": ("数值", "values"), "quantities": ("数量", "quantities"),
    "property": ("属性", "property"), "value": ("值", "value"), "field": ("项目", "field"),
    # plan facts and counts
    "title": ("标题", "title"), "level": ("层级", "level"), "issuer": ("发布机关", "issuer"),
    "issued": ("发布日期", "issued"), "period_start": ("规划期起", "period start"),
    "period_end": ("规划期止", "period end"), "source_file": ("来源文件", "source file"),
    "source_url": ("来源网址", "source URL"), "sections": ("章节", "sections"),
    "division": ("行政区划", "division"), "division_code": ("区划代码", "division code"),
    "division_level": ("区划层级", "division level"), "division_cue": ("区划依据", "division found in"),
    "kind": ("文件类型", "document kind"), "kind_cue": ("类型依据", "kind found by"),
    "top_level_sections": ("一级章节", "top-level sections"), "tables": ("表格", "tables"),
    "table_rows": ("表格行", "table rows"), "passages": ("段落", "passages"), "characters": ("字数", "characters"),
    "indicators": ("指标", "indicators"), "programmes": ("任务", "programmes"), "commitments": ("承诺", "commitments"),
    "organizations": ("机构", "bodies"), "documents": ("引用文件", "cited documents"),
    "entities": ("实体", "entities"),
    # findings, audit, comparison
    "severity": ("级别", "severity"), "code": ("类型", "code"), "message": ("说明", "message"),
    "check": ("核查项", "check"), "subject": ("对象", "subject"), "stated": ("文中所述", "stated"),
    "computed": ("计算结果", "computed"), "status": ("状态", "status"), "note": ("备注", "note"),
    "side": ("范围", "side"), "score": ("相似度", "score"), "other_plan": ("另一规划", "other plan"),
    "other_quote": ("另一规划最接近的原文", "closest quote of the other plan"),
    "other_start": ("另一原文起始", "other start"), "other_end": ("另一原文结束", "other end"),
    "why": ("匹配依据", "what made the match"), "context": ("所在句子", "sentence"),
    "other_context": ("另一规划所在句子", "sentence of the other plan"),
    "concept": ("统一指标", "concept"), "key": ("指标代码", "key"), "national target": ("国家目标", "national target"),
    "mentions_count": ("提及次数", "mentions"), "corpus_plan": ("索引中的规划", "plan in the index"),
    "open": ("打开", "open"),
    "place": ("地点", "place"), "year": ("年份", "year"),
    "baseline": ("基期值", "baseline"), "baseline_year": ("基期年份", "baseline year"), "target": ("目标值", "target"),
    # standard vocabularies' properties on an entity page (the ontology labels its own)
    "rdfs:label": ("名称", "label"), "skos:prefLabel": ("名称", "preferred label"),
    "skos:altLabel": ("别称", "other label"), "dcterms:subject": ("主题", "subject"),
    "dcterms:title": ("标题", "title"), "dcterms:identifier": ("代号", "identifier"),
    # one indicator across plans
    "target_text": ("目标（原文）", "target as written"),
    "below national": ("低于国家目标", "below the national target"),
    "tie_status": ("关联状态", "tie status"), "tie_score": ("关联得分", "tie score"),
    # commitments: themes, which plans commit, a plan against its superior plans
    "theme": ("主题", "theme"), "count": ("承诺数", "commitments"), "quantified": ("写明数量", "states a quantity"),
    "dated": ("写明年份", "states a year"), "strength": ("强度", "strength"), "scheme": ("类别", "scheme"),
    "theme_zh": ("主题", "theme"), "theme_en": ("主题（英文）", "theme (English)"),
    "superior": ("上级规划", "superior plan"), "superior_quote": ("上级规划原文", "superior plan's quote"),
    "superior_start": ("上级原文起始", "superior start"), "local_quote": ("本规划最接近的原文", "closest local quote"),
    "local_start": ("本规划原文起始", "local start"), "local_end": ("本规划原文结束", "local end"),
}
# Per-plan columns of the indicators side by side: "linan target" and the like.
_PLAN_FIELDS: dict[str, tuple[str, str]] = {"indicator": ("指标", "indicator"), "target": ("目标", "target"),
                                             "year": ("年份", "year"), "binding": ("属性", "binding")}

# Codes that appear as cell values → (中文, English).
VALUES: dict[str, tuple[str, str]] = {
    "shared": ("共有", "shared"), "only in A": ("仅见于 A", "only in A"), "only in B": ("仅见于 B", "only in B"),
    "total-count": ("项目总数", "total count"), "total-investment": ("投资总额", "total investment"),
    "category-count": ("分类数目", "category count"), "target-restated": ("目标重述", "target restated"),
    "flagged-cell": ("待核单元格", "flagged cell"), "glued-cell": ("单元格粘连", "glued cell"),
    "suspect-ratio-cell": ("疑似比例", "suspect ratio"), "multi-value-cell": ("一格多值", "several values in a cell"),
    "truncated-table": ("表格不完整", "truncated table"), "empty-table": ("空表格", "empty table"),
    "duplicate-copy": ("重复全文", "duplicate copy"), "metadata-mismatch": ("元数据不一致", "metadata mismatch"),
    "no-headings": ("无标题", "no headings"), "info": ("提示", "info"), "warning": ("警告", "warning"),
    "error": ("错误", "error"), "consistent": ("一致", "consistent"), "mismatch": ("不一致", "mismatch"),
    "needs review": ("待人工核对", "needs review"), "district": ("区县级", "district"),
    "county": ("县级", "county"), "municipal": ("市级", "municipal"), "provincial": ("省级", "provincial"),
    "national": ("国家级", "national"),
    "baseline": ("基期", "baseline"), "target": ("目标", "target"), "actual": ("实际", "actual"),
    # document kinds (plangraph.ingest.kinds)
    "plan": ("规划", "plan"), "explainer": ("解读、起草说明", "explainer"),
    "report": ("进展、评估报告", "progress or evaluation report"),
    "fragment": ("目录或页面片段", "contents or page fragment"), "other": ("其他", "other"),
    "below-superior": ("低于上级目标", "target below the superior plan's"),
    "weaker": ("低于", "below"), "not weaker": ("不低于", "not below"),
    "auto": ("自动关联", "auto"), "confirmed": ("已确认", "confirmed"), "rejected": ("已否决", "rejected"),
    "manual": ("人工关联", "tied by hand"), "unmapped": ("未关联", "unmapped"),
    "strong": ("强", "strong"), "commits": ("承诺", "commits"), "weak": ("弱（仅最接近）", "weak (nearest only)"),
    "taken up": ("已承接", "taken up"), "not found": ("未见", "not found"), "local": ("本规划特有", "local"),
    "stages": ("学段", "stages"), "themes": ("主题", "themes"), "target-groups": ("对象群体", "target groups"),
}
# Entity classes (``EntityRef.kind``) as a chip or an entity page names them.
ENTITY_KINDS: dict[str, tuple[str, str]] = {
    "Indicator": ("指标", "Indicator"), "Programme": ("任务", "Programme"), "Project": ("建设项目", "Project"),
    "Commitment": ("承诺", "Commitment"), "Organization": ("机构", "Body"), "Place": ("地点", "Place"),
    "CitedDocument": ("引用文件", "Cited document"),
}
NO_SECTION: tuple[str, str] = ("首个标题之前", "before the first heading")
"""Where text before a plan's first heading stands (a preamble, or an excerpt that starts
mid-chapter)."""
# Headers of the staff exports (CSV, XLSX) where a kind names a column otherwise than
# :data:`FIELDS` does: (kind, key) → (中文, English).
EXPORT_HEADERS: dict[tuple[str, str], tuple[str, str]] = {
    ("indicators", "name"): ("指标", "indicator"),
    ("projects", "investment_wan"): ("投资（万元）", "investment (10k yuan)"),
    ("commitments", "bodies"): ("责任机构", "bodies"),
    ("organizations", "plan"): ("规划", "plans"), ("organizations", "name"): ("机构", "body"),
    ("organizations", "responsible_for"): ("负责承诺数", "commitments"),
}
# English phrases inside computed values and notes (audit) → Chinese.
_PHRASES_ZH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(\d+) rows say (\S+)"), r"\1行写明\2"),
    (re.compile(r" over (\d+) rows"), r"（\1行合计）"),
    (re.compile(r"(\d+) rows give no investment"), r"\1行未填投资"),
    (re.compile(r"^(\d+) rows$"), r"\1行"),
    (re.compile(r"^table: "), "表中："),
    (re.compile(r"(约|近) allows "), r"\1：允许 "),
    (re.compile(r"超 means more than "), "超：多于"),
    (re.compile(r"several values run together; "), "多个数值连在一起；"),
    (re.compile(r"\bin prose$"), "见正文"),
    (re.compile(r"^in (.+)$"), r"见\1"),
    (re.compile(r"the other rows do not say which kind they are"), "其余各行未写明类别"),
    (re.compile(r"nearest only: below the threshold (\S+)"), r"仅为最接近的一条：低于阈值 \1"),
    (re.compile(r"^not comparable: the concept has no direction"), "无法比较：该指标未规定方向"),
    (re.compile(r"^not comparable: other units or no number"), "无法比较：单位不同或无数值"),
    (re.compile(r"^higher is better"), "越高越好"),
    (re.compile(r"^lower is better"), "越低越好"),
    (re.compile(r"; superior quote: "), "；上级规划原文："),
    # ingestion findings (what the audit shows for a flagged cell, too)
    (re.compile(r"the text appears twice \((\d+) lines repeated\); the second copy is kept out"),
     r"全文出现两次（重复\1行），第二份未收录"),
    (re.compile(r", row (\d+): cell "), r"，第\1行：单元格 "),
    (re.compile(r" looks glued; recorded as found$"), "疑似粘连，按原样记录"),
    (re.compile(r" looks suspect ratio; recorded as found$"), "疑似比例（如17:1写成171），按原样记录"),
    (re.compile(r" looks multi value; recorded as found$"), "一格多值，按原样记录"),
)


def field(key: str, english: bool = False) -> str:
    """The column or fact label of ``key`` (the key itself when unknown)."""
    if key in FIELDS:
        return FIELDS[key][1 if english else 0]
    plan, _, part = key.rpartition(" ")
    if plan and part in _PLAN_FIELDS:
        return f"{plan} {_PLAN_FIELDS[part][1 if english else 0]}"
    return key


def export_header(kind: str, key: str) -> tuple[str, str]:
    """The (中文, English) header of column ``key`` in a staff export of ``kind``."""
    return EXPORT_HEADERS.get((kind, key)) or FIELDS[key]


def kind_label(kind: str, english: bool = False) -> str:
    """An entity class (``Indicator``) in words (``指标``); the class itself when unknown."""
    return ENTITY_KINDS.get(kind, (kind, kind))[1 if english else 0]


def value(v: object, english: bool = False) -> object:
    """A cell value as shown: codes in words, English phrases of the audit in Chinese,
    None as an empty cell."""
    if v is None:
        return ""
    if isinstance(v, str):
        if v in VALUES:
            return VALUES[v][1 if english else 0]
        if not english:
            for pattern, repl in _PHRASES_ZH:
                v = pattern.sub(repl, v)
    if isinstance(v, list):
        return [value(x, english) for x in v]
    return v


def display_rows(rows: Sequence[Mapping[str, Any]], english: bool = False,
                 keep: Sequence[str] = ()) -> list[dict[str, Any]]:
    """``rows`` with their values as shown (:func:`value`), keys unchanged (label them
    with :func:`column_labels`); the columns in ``keep`` are left as they are."""
    return [{k: v if k in keep else value(v, english) for k, v in r.items()} for r in rows]


def column_labels(rows: Sequence[Mapping[str, Any]], english: bool = False) -> dict[str, str]:
    """Each key of ``rows`` → its label, for a table's ``column_config``."""
    keys = dict.fromkeys(k for r in rows for k in r)
    return {k: field(k, english) for k in keys}


def labelled_rows(rows: Sequence[Mapping[str, Any]], english: bool = False) -> list[dict[str, Any]]:
    """``rows`` keyed by their labels instead of their keys, for a chart, whose axes and
    tooltips name the data's columns."""
    return [{field(k, english): v for k, v in r.items()} for r in rows]


# -- the app's own words ------------------------------------------------------------
# key → (中文, English) for every label of the app's pages (``t(key)`` in the webapp).
PAGE: dict[str, tuple[str, str]] = {
    "title": ("教育规划知识图谱", "Education plan graph"), "english": ("English", "English"),
    "page": ("页面", "Page"), "search": ("检索", "Search"),
    "entities": ("实体", "Entities"), "plans": ("规划", "Plans"),
    "sparql": ("SPARQL", "SPARQL"), "export": ("导出", "Export"),
    "question": ("问题或关键词", "Question or keywords"), "plan": ("规划", "Plan"),
    "all_plans": ("全部规划", "All plans"), "section": ("章节", "Section"),
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
    "tie_now": ("当前关联状态", "Status now"),
    "decision": ("决定", "Decision"),
    "confirm": ("确认", "Confirm"),
    "reject": ("否决", "Reject"),
    "retie": ("改为其他概念", "Tie to another concept"),
    "other_concept": ("改为", "Tie to"),
    "review_note": ("备注（可不填）", "Note (optional)"),
    "save_review": ("保存并重建该规划", "Save and rebuild the plan"),
    "saving": ("正在重建……", "Rebuilding…"),
    "saved": ("已保存", "Saved"),
    "place_province": ("省份", "Province"), "place_city": ("市", "City"), "place_county": ("区县", "County"),
    "place_national": ("全国", "National"), "place_unknown": ("地点不详", "Place not known"),
    "place_own": ("本级文件", "Its own documents"),
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
    "pick_one": ("此地有多个规划：请选择一个（输入名称查找）。", "Several plans here: pick one (type a name)."),
    "commitments_page": ("承诺与主题", "Commitments by theme"), "theme_matrix": ("规划 × 主题", "Plans × themes"),
    "by_theme": ("哪些规划承诺某一主题", "Which plans commit to a theme"),
    "by_phrase": ("哪些规划承诺某项措施", "Which plans commit to a measure"),
    "theme_pick": ("主题（可输入筛选）", "Theme (type to filter)"), "plans_committing": ("作出承诺的规划", "Plans that commit"),
    "plans_narrow": ("只看这些规划（不选则为全部）", "Only these plans (none: all)"),
    "phrase": ("措施或改革名称", "A measure or a reform's name"), "scheme": ("类别", "Scheme"),
    "searching": ("正在查找……", "Searching…"), "counting": ("正在统计……", "Counting…"),
    "heat_map_top": ("共 {total:,} 个规划，图中为该类承诺最多的 {n} 个；选择规划可只看它们，下载含全部规划。",
                     "{total:,} plans: the map shows the {n} with most commitments of this scheme; pick plans to see them, "
                     "the downloads hold every plan."),
    "more_plans": ("上级规划（可多选，最多 3 个；选后逐条核对承接情况）",
                   "Superior plans (up to 3; picked, each commitment is checked for uptake)"),
    "taken_up": ("已承接", "Taken up"), "not_found": ("未见", "Not found"),
    "local": ("本规划特有", "Local"), "uptake_of": ("{plan} 对照上级规划", "{plan} against its superior plans"),
}

__all__ = ["ENTITY_KINDS", "EXPORT_HEADERS", "FIELDS", "NO_SECTION", "PAGE", "VALUES", "column_labels", "display_rows",
           "export_header", "field", "kind_label", "labelled_rows", "value"]
