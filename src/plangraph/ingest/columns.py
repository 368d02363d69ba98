"""What a table's columns mean, read from their headers, and what its cells look like.

Counties lay their tables out differently: ``指  标 / 2020年 / 2025年 / 属性`` in one
plan, ``类别 / 指标名称 / 单位 / 基期值 / 目标值 / 指标属性`` in the next, ``序号 /
项目名称 / 建设地点 / 建设年限 / 投资估算(亿元) / 责任单位`` in a third. Each header is
matched against the words plans use for a *role* (name, unit, baseline, target,
binding, place, period, investment…), so the readers downstream find a column by what
it means, in any order and any subset, and a table's kind follows from its roles.
"""

from __future__ import annotations

import re
from typing import Literal

from plangraph.model import TableKind

Role = Literal[
    "seq", "category", "name", "sublabel", "unit", "year", "baseline", "target", "binding",
    "place", "scale", "period", "investment", "body", "content", "note",
]
VALUE_ROLES = ("year", "baseline", "target")

# Checked in order, each against the whole header with spaces and a trailing
# parenthesis ((万元), (%)) removed; the first that matches gives the role.
_ROLE_PATTERNS: tuple[tuple[Role, str], ...] = (
    ("seq", r"序号|编号|序|No\.?"),
    ("binding", r"(?:指标)?(?:属性|性质)|约束性/预期性|指标类型"),
    ("category", r"类型|类别|分类|领域|维度|一级指标|指标类别|项目类别|类"),
    ("unit", r"(?:计量)?单位"),
    ("body", r"(?:责任|牵头|实施|主责|承办|配合|主管|建设)(?:单位|部门|主体)|责任(?:单位|部门)及.*|实施主体"),
    ("place", r"(?:建设|项目|所在)?(?:地点|地址|位置)|所在(?:地|镇街|乡镇|街道)|选址|所在区域|镇街"),
    ("scale", r"(?:建设)?规模|(?:主要)?建设(?:内容)?及规模|建设规模及内容|办学规模|班额"),
    ("period", r"(?:建设|起止|实施|计划)?(?:年限|期限|周期)|起止(?:年份|时间|年度)|建设(?:时间|年度|起止)"
               r"|实施(?:时间|年度)|完成时间"),
    ("investment", r"(?:计划|预计|估算)?总?投资(?:估算|额|总额|金额|规模)?|投资估算|估算投资|总投资额"),
    ("baseline", r"基期(?:值|数)?|现状(?:值|水平)?|基数|基准(?:值|年)?|现值"),
    ("target", r"目标(?:值)?|规划目标|预期目标|发展目标|目标任务值|期末(?:值|目标)"),
    ("content", r"(?:项目|建设|主要|工作|任务|具体|实施)?内容|主要任务|主要举措|具体措施|工作举措|任务要求|建设目标"),
    ("name", r"(?:主要)?指标(?:名称)?|(?:具体)?指标项|项目(?:名称)?|名称|工程(?:名称)?|(?:重点)?任务(?:名称)?|"
             r"重点(?:工程|项目)|学校(?:名称)?|项目学校"),
    ("note", r"备注|说明|附注"),
)
_ROLE_WORDS = tuple((role, re.compile(rf"^(?:{words})$")) for role, words in _ROLE_PATTERNS)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_TRAILING_PAREN = re.compile(r"[(（][^()（）]*[)）]?$")
_BASE_WORDS = re.compile(r"基期|现状|基数|基准|实际|现值")
_TARGET_WORDS = re.compile(r"目标|预期|规划|期末|预计")


def _key(header: str) -> str:
    key = "".join(header.split())
    stripped = _TRAILING_PAREN.sub("", key)
    return stripped or key


def header_year(header: str) -> int | None:
    """The year a header names (``2025年``, ``2020 年(基期)``, ``2025年目标值``), or None."""
    m = _YEAR.search("".join(header.split()))
    if m is None:
        return None
    rest = _YEAR.sub("", "".join(header.split()), count=1)
    # a year column says little besides its year: 2025年, 2025年目标, 2020年(基期值)
    return int(m.group(1)) if len(_key(rest)) <= 5 else None


def header_role(header: str) -> Role | None:
    """The role of one column header, or None when the header is not one plans use."""
    if header_year(header) is not None:
        if _BASE_WORDS.search(header):
            return "baseline"
        return "target" if _TARGET_WORDS.search(header) else "year"
    key = _key(header)
    for role, pattern in _ROLE_WORDS:
        if pattern.match(key):
            return role
    return None


def column_roles(columns: tuple[str, ...] | list[str]) -> tuple[Role | None, ...]:
    """The role of each column; a second name column (指标 over two columns, the name
    and its sub-rows 小学/初中) is the ``sublabel`` column."""
    roles: list[Role | None] = []
    for col in columns:
        role = header_role(col)
        if role == "name" and "name" in roles:
            role = "sublabel" if roles[-1] == "name" else None
        roles.append(role)
    return tuple(roles)


def find_role(roles: tuple[Role | None, ...], role: Role) -> int | None:
    """Index of the first column with ``role``, or None."""
    return roles.index(role) if role in roles else None


def table_kind(roles: tuple[Role | None, ...]) -> TableKind:
    """``project``, ``task``, ``indicator`` or ``generic``, from what the columns hold."""
    has = set(roles)
    named = bool(has & {"name", "seq"})
    if named and has & {"place", "investment", "period", "scale"}:
        return "project"
    if "content" in has and named:
        return "task"
    if "name" in has and has & {"year", "baseline", "target", "binding"}:
        return "indicator"
    return "generic"


def table_years(columns: tuple[str, ...]) -> tuple[int, ...]:
    """The years the value columns name, in column order."""
    return tuple(y for c in columns if (y := header_year(c)) is not None and header_role(c) in VALUE_ROLES)


# --- cells -----------------------------------------------------------------------------

CN_NUM = "一二三四五六七八九十"
SECTION_ROW = re.compile(rf"^(?:[{CN_NUM}]+、|\([{CN_NUM}]+\)|（[{CN_NUM}]+）)\s*([^:：,，。;；]{{1,16}})$")
"""A row that groups the rows below it: ``一、发展水平``, ``(二)义务教育``."""
ROW_NUMBER = re.compile(r"^\s*(?:\d{1,2}\s*[.、．]|[(（]\s*\d{1,2}\s*[)）])\s*(?=\S)")
"""The number in front of a numbered row: ``1.``, ``2、``, ``(3)``, ``（4）``."""
EMPTY_CELL = frozenset({"—", "-", "/", "／", "——", "－", "--", "…", "无", "——/——"})
"""What plans write in a cell that has no value."""

_NUM = r"\d[\d,]*(?:\.\d+)?"
_CMP = r"达到|力争达到|力争|保持|不低于|不少于|不小于|不高于|不超过|不大于|超过|高于|低于|大于|小于|至少|约|[<>≥≤=]"
_UNIT = (r"个百分点|万人次|万人|元/生|平方米|亿元|万元|%|‰|㎡|人|所|个|年|岁|班|名|项|次|元|天|小时|门|家|倍|分")
_SUFFIX = r"及以上|以上|左右|以内|以下"
_ONE = rf"(?:{_CMP})?\s*{_NUM}\s*(?:{_UNIT})?\s*(?:{_SUFFIX})?"
VALUE = re.compile(
    rf"^(?:{_ONE}(?:\s*[~\-－—至]\s*{_ONE})*(?:\s*[<>≥≤]\s*{_NUM}\s*%?)*(?:\s*[(（][^()（）]{{1,12}}[)）])?"
    r"|通过|达标|创成|实现|基本实现|全面实现|全覆盖|基本普及|全面普及|普及|完成|建成|持续提升|稳步提升|逐步提高|显著提升|"
    r"通过认定|通过验收|争创|创建|100%|—|-|/|／|——|－)$")
"""A cell that is a value of an indicator: ``90``, ``≥65``, ``99%以上``, ``12.3年以上``,
``不低于95``, ``95左右``, ``>95>30``, ``81(基本均衡)``, ``通过``, or an empty mark ``—``."""
UNIT_CELL = re.compile(rf"^(?:{_UNIT}|[(（][^()（）]{{1,6}}[)）]|人/班|生/师|元/人|万元/年|:1|比)$")
"""A cell that is only a unit (``%``, ``万人``), in a table with a 单位 column."""


def is_value(text: str) -> bool:
    return bool(VALUE.match("".join(text.split())))
