"""The words the app shows for the data's own keys and codes, in Chinese and English.

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


def value(v: Any, english: bool = False) -> Any:
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


__all__ = ["FIELDS", "VALUES", "column_labels", "display_rows", "field", "labelled_rows", "value"]
