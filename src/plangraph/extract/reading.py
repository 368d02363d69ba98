"""How one indicator row is read (#24): :func:`read_indicator` gives its full name and the facets it
states (:mod:`plangraph.extract.facets`), with what a sub-row takes from the rows above it: a
table names a part of the row above by a place, a stage or a kind of school alone.

* A place (``东部地区`` under ``学前三年入园率``) is the row above's measure for a part of the place:
  the row is read as the row above. A part the scheme tells apart (农村, 城区) is a population
  term and stays the row's own.
* A stage or a kind of school under a row that names a school and no measure (``初中`` under
  ``普通中学``, ``研究生培养机构`` under ``高等教育``) takes what is counted from the group above
  (``招生数``): the yearbooks' layout of 学校数 / 在校学生数 / 毕业生数 / 招生数, each by kind
  of school. Under ``普通中学`` a ``高中`` is the 普通高中; a degree under a stage is of the stage.
* A stage alone under a group that says what is counted (``小学`` under ``在校学生数``) is that count
  of the stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from plangraph.extract.facet_terms import PLACE, TERMS
from plangraph.extract.facets import (
    DEGREE_WORD,
    IndicatorReading,
    degree_scope,
    full_name,
    is_sub_row,
    normalise,
    scan,
    unit_counts,
    unit_measure,
)

_PLACE = re.compile(PLACE)
_TERM_SET = frozenset(term for term, _, _ in TERMS)
_WHAT_IS_COUNTED = frozenset({"measure", "population", "intake"})


def _counts(category: str | None, unit: str | None) -> bool:
    """Whether a group heading says what is counted (在校学生数, 招生数, or whom alone in a count
    unit: a yearbook's block 专任教师 in 人) and the unit a count."""
    said = scan(normalise(category or ""))[0]
    if said.get("measure") == {"count"}:
        return unit_measure(unit) <= {"count"}
    return bool(said.keys() & {"population", "intake"}) and "measure" not in said and unit_measure(unit) == {"count"}


def _whom(category: str | None) -> bool:
    """Whether a group heading names whom it counts or an intake (专任教师, 招生数), not only schools."""
    return bool(set(scan(normalise(category or ""))[0]) & (_WHAT_IS_COUNTED - {"measure"}))


# A school word after a stage (特殊教育学校, 中等职业学校, 普通高等学校): the stage's schools.
_SCHOOL_WORD = re.compile(r"(?:学校|院校|学院)$")


def school_stage(name: str) -> str | None:
    """The stage or kind of school a name is alone, with ``普通`` before it and a school word after
    it left out (``普通高等学校`` → 高等学校, ``特殊教育学校`` → 特殊教育, ``高 中`` → 高中), or None
    where it says more (what is counted, a measure)."""
    own = normalise(name)
    if own and is_sub_row(own):
        return own  # 普通中学, 普通高中: a kind or stage of its own
    own = own.removeprefix("普通")
    if own and is_sub_row(own):
        return own
    bare = _SCHOOL_WORD.sub("", own)
    return bare if bare != own and bare and is_sub_row(bare) else None


def _regular(own: str, parent: str | None) -> str:
    """``高中`` under ``普通中学`` (or any 普通 group) is the 普通高中: the regular kind of the stage."""
    if parent and normalise(parent).startswith("普通") and not own.startswith("普通"):
        for term in sorted((t for t in _TERM_SET if own.startswith(t)), key=len, reverse=True)[:1]:
            if "普通" + term in _TERM_SET:
                return "普通" + own
    return own


def from_rows_above(name: str, parent: str | None, category: str | None, unit: str | None,
                    sublabel: str | None) -> tuple[str, str | None]:
    """The ``(name, parent)`` a row is read with."""
    own = normalise(name)
    if parent and _PLACE.fullmatch(own) and not scan(own)[0]:
        return parent, None  # 东部地区 under 学前三年入园率: the same rate, for a part of the place
    if parent is None and category and not sublabel and (stage := school_stage(name)) is not None:
        if set(scan(stage)[0]) <= {"stage", "kind", "ownership"} and _counts(category, unit):
            if _whom(category) and not is_sub_row(name):
                # 特殊教育学校, 普通高等学校 in a block 专任教师 / 招生数: the stage's teachers, intake
                return stage + normalise(category), None
            return name, category  # 小学 under a group 在校学生数 (a yearbook's layout)
    if parent is None and not sublabel and (stage := school_stage(name)) is not None:
        if (unit_counts(unit) == "people" and not _whom(category)
                and set(scan(stage)[0]) & {"stage", "degree"} and set(scan(stage)[0]) <= {"stage", "kind", "degree"}):
            return stage + "在校生", None  # 研究生, 小学 in 万人 in a bulletin: the students of the stage
        return name, parent
    own = _regular(own, parent)
    if not (parent and category and _counts(category, unit)) or set(scan(normalise(parent))[0]) & _WHAT_IS_COUNTED:
        return (own if own != normalise(name) else name), parent
    said = scan(own)[0]
    if not (said.keys() & {"stage", "degree"}) or not is_sub_row(own.removeprefix("普通")):
        return name, parent
    up, (above, up_core) = normalise(parent), scan(normalise(parent))
    if not _whom(category):
        if set(above) <= {"stage", "kind"} and (own != normalise(name) or not above):
            # 高中 under 普通中学 in a block 学校数: the 普通高中 schools; 职业中学 under 普通中等学校 (a
            # group the scheme has no word for): the row's own kind
            return own, category
        return name, parent  # the group counts schools (学校数): the row above's kind is the row's
    if "stage" not in said and "stage" in above and not up_core:
        own = up + own  # 研究生 under 高等教育: the postgraduates of higher education
    return own, category


def _points(name: str) -> bool:
    """Whether a sub-row counts teaching points themselves (教学点), not the people in them."""
    said = scan(normalise(name))[0]
    return "teaching-point" in said.get("kind", ()) and "population" not in said


# A name whose last word is a state or an event (学校达标情况, 家长满意度调查, 督导评估验收)
# reports that thing, not a quantity of the scheme's, whatever its unit says.
_STATUS_HEAD = re.compile(r"(情况|调查|验收|计划|行动|名单|评估认定)$")
_TITLE_HEAD = re.compile(r"(县|县市区|市|区|校|园)$")


# A change of a level, not the level (#24, blind9): a name ending in what a figure rose or fell by
# (毛入园率比2012年提高, 增加 or 增长 under a rate or a count, 增幅, 近视率年均下降1个百分点), one that
# begins with the year it is compared with (比2010年提高), or a unit of points (个百分点: 高于全省平均
# 水平). 新增, 新建 before what is added are a flow of new things (新增学位), not this.
_CHANGE_OF = re.compile(r"(?:增加|提高|提升|增长|下降|降低|减少|上升|增幅|增速|降幅)了?(?:幅度|[\d.]+个?百分点(?:以上)?)?$"
                        r"|^(?:比|较)\d{2,4}年")
_POINTS = re.compile(r"^个?百分点$")


# 建设 or 建成 before what is built (建设公办幼儿园, 建成特殊教育学校) is a flow of new institutions;
# elsewhere (智慧校园建设, 建成智慧校园的学校比例) it is not.
_BUILD = re.compile(r"^(新)?建[设成](?=\S*(幼儿园|学校|园|校|学位)$)")


def read_indicator(name: str, *, parent: str | None = None, sublabel: str | None = None,
                   category: str | None = None, unit: str | None = None,
                   table: str | None = None, parts: Sequence[str] = ()) -> IndicatorReading:
    """Read one indicator row: ``name`` as written, ``parent`` the row above when the row
    is a sub-row (``其中:…``), ``sublabel`` a sub-row label in its own cell (``小学`` under
    ``校际优质均衡系数``), ``category`` the table's category column or group heading,
    ``table`` the table's title (``学前教育发展主要指标``: the stage, when nothing closer says),
    ``parts`` the names of the sub-rows below it (a count broken down into 小学, 教学点, 初中 counts
    the teaching points in: a sum, as ``小学（含教学点）`` is)."""
    name, parent = from_rows_above(name, parent, category, unit, sublabel)  # a place or a kind of school above
    whole = _BUILD.sub("新建", full_name(name, parent))
    if sublabel:
        whole = normalise(sublabel) + whole
    if "在校生" in whole and "在园" not in whole and scan(whole)[0].get("stage") == {"preschool"}:
        whole = whole.replace("在校生", "在园幼儿")  # 幼儿 under 在校生: what the statistics call 在园幼儿
    facets, core = scan(whole)
    inferred: set[str] = set()
    if "degree" in facets:
        own = normalise(name)
        scope = (degree_scope(own, sub_row=bool(parent or sublabel)) if DEGREE_WORD.search(own)
                 else degree_scope(whole, sub_row=False))
        if scope is not None:
            facets["scope"] = frozenset({scope})
    if parent and not scan(normalise(name))[0] and len(normalise(name)) > 2 and _SCHOOL_WORD.search(normalise(name)):
        # 中等技术学校 under 普通中等专业学校: a kind of school the scheme has no word for, a part of the
        # row above's
        facets["kind"] = frozenset({"unnamed"})
    if parent:
        above = scan(normalise(parent))[0]
        for key, values in above.items():
            if key not in facets and key != "measure" and not (key == "kind" and "stage" in facets):
                facets[key] = values  # (初中 under 普通中学 is of its stage, not of the kind above)
        if "special" in above.get("stage", ()) and facets.get("stage", frozenset()) - {"special"}:
            # 其中义务教育阶段在校生 under 特殊教育在校生: the special-education pupils of one stage
            facets["stage"] = facets["stage"] | {"special"}
    if (facets.get("scope") == {"only"} and facets.get("degree") == {"associate"}
            and facets.get("stage") == {"higher"} and not facets.get("population", frozenset()) & {"teachers", "staff"}):
        facets["stage"] = frozenset({"higher-vocational"})  # 专科 students of 普通高校: 高职（专科）
    if (facets.get("stage", frozenset()) - {"all"} and "population" not in facets
            and "teaching-point" not in facets.get("kind", ())
            and unit_counts(unit) != "people" and any(_points(part) for part in parts)):
        # 义务教育阶段学校 broken down into 小学, 教学点, 初中 (all schools, 各级各类学校, may count them)
        facets["sum"] = frozenset({"yes"})
    measured = unit_measure(unit)
    if _STATUS_HEAD.search(normalise(name)) or (not measured and "measure" not in facets
                                                 and _TITLE_HEAD.search(normalise(name))):
        # 学校达标情况, 新改扩建项目, 基本均衡评估认定; 全国义务教育发展基本均衡县 with no unit (a title
        # the county holds): no quantity the name measures
        facets["head"] = frozenset({"status"})
    if _CHANGE_OF.search(normalise(name)) or _POINTS.match(normalise(unit or "")):
        facets["head"] = facets.get("head", frozenset()) | {"delta"}  # no concept's level, only a change's
    if counted := unit_counts(unit):
        facets["counted"] = frozenset({counted})
    if measured == {"count"} and facets.get("measure") == {"level"}:
        facets["measure"] = measured  # 通过督导评估的县（市、区）, 个: counts what reached the level
        inferred.add("measure")
    elif measured and "measure" not in facets:
        facets["measure"] = measured
        inferred.add("measure")
    elif measured and facets["measure"] & {"per-student"}:
        facets["measure"] = facets["measure"] | measured
    for context in (category, table):
        for key, values in scan(normalise(context or ""))[0].items():
            if key not in facets and key in ("stage", "population"):
                facets[key] = values
                inferred.add(key)
    return IndicatorReading(normalise(name), whole, core, dict(facets), frozenset(inferred))
