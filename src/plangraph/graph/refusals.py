"""Ties the matcher refuses on what a row's name states beyond its facets (#24, after blind7).

* A population threshold (``20万人口以上的县``) the concept states otherwise (30万人口以上县特殊
  教育学校覆盖率): another share of counties; and another scale per residents (每万人口 is no
  每十万人口).
* All graduates (``毕业生就业率``, no stage named by the row, its category or its table) are no
  one stage's graduates: a concept of one stage is not the row's.
* Higher education counted whole (``高等教育`` under ``毕业生总数``: the statistics' postgraduates,
  regular and adult undergraduates together) is no count of the regular institutions, which
  every wording of such a concept names (普通本专科招生, 普通高校招生数, 高等学校招生数).
* A figure per resident (``人均教育经费``) is no total: a concept of money, a count or an area
  that no wording of it says per head of is not the row's (人均受教育年限 still is years).
* And what a count concept takes (:func:`count_fits`): the counts by stage, institutions or
  people, a stock or a flow.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plangraph.extract.facets import IndicatorReading
from plangraph.graph.scheme import IndicatorConcept

if TYPE_CHECKING:
    from plangraph.graph.matcher import ConceptEntry

_THRESHOLD = re.compile(r"(\d+(?:\.\d+)?)万人口")
# Per how many residents (每千人口, 每万人口, 每十万人口): another scale is another figure.
_PER = re.compile(r"每(十万|万|千|百)人口?")
# Stages of a whole level or less: a row of no stage is none of them.
_ONE_STAGE = frozenset({"preschool", "primary", "junior", "senior", "general-senior", "secondary-vocational",
                        "higher-vocational", "vocational", "higher", "special"})

_WHOLE_HIGHER = re.compile(r"(?<!普通)(?<!成人)高等教育")
_REGULAR = ("普通", "本专科", "高校", "高等学校")


def _whole_higher(reading: IndicatorReading, concept: IndicatorConcept) -> bool:
    return (bool(_WHOLE_HIGHER.search(reading.full_name)) and "count" in reading.facets.get("measure", frozenset())
            and "degree" not in reading.facets and "count" in concept.facet("measure")
            and all(any(word in label for word in _REGULAR) for label in concept.labels))


_TOTALS = frozenset({"money", "count", "area"})


def _per_head_of_a_total(reading: IndicatorReading, concept: IndicatorConcept) -> bool:
    return ("per-capita" in reading.facets.get("measure", frozenset()) and bool(concept.facet("measure") & _TOTALS)
            and not any("人均" in label for label in concept.labels))


def _special_part(reading: IndicatorReading, concept: IndicatorConcept) -> bool:
    """Special education within one stage (小学阶段特殊教育在校生) is no figure of the stage's whole:
    a concept of one stage that is not special education's is not the row's."""
    stages = reading.facets.get("stage", frozenset())
    own = concept.facet("stage")
    return ("special" in stages and "stage" not in reading.inferred and len(stages) > 1
            and bool(own) and "special" not in own and "all" not in own)


def refused(reading: IndicatorReading, concept: IndicatorConcept) -> bool:
    """Whether ``concept`` is not the row's, on a threshold, all graduates, all of higher education,
    a figure per resident against a total or special education within one stage."""
    if (_whole_higher(reading, concept) or _per_head_of_a_total(reading, concept)
            or _special_part(reading, concept)):
        return True
    per = set(_PER.findall(reading.full_name))
    if per and (own_per := set(_PER.findall("|".join(concept.labels)))) and not per & own_per:
        return True  # 每万人口高等学校在校生数 is no count per 100,000 residents
    said = set(_THRESHOLD.findall(reading.full_name))
    if said:
        own = set(_THRESHOLD.findall("|".join(concept.labels) + concept.definition))
        if own and not said <= own:
            return True
    return ("stage" not in reading.facets and "graduates" in reading.facets.get("population", frozenset())
            and bool(concept.facet("stage") & _ONE_STAGE))


# The stages of one level: a row that names stages of two (新增中小学幼儿园学位) counts across them.
_LEVEL = {"primary": "compulsory", "junior": "compulsory", "general-senior": "senior",
          "secondary-vocational": "senior", "higher-vocational": "higher"}


def _one_stage(stages: frozenset[str]) -> bool:
    """Whether a row's stages are those of one level (a count of all stages is not its)."""
    named = stages - {"all"}
    if len(named) > 1:
        named -= {"special"}  # 残疾儿童义务教育在校生: special education within one stage
    return len({_LEVEL.get(s, s) for s in named}) == 1


def all_stages_refuse(entry: ConceptEntry, stages: frozenset[str]) -> bool:
    """Whether a concept of all stages refuses a row of these: it does a row of one stage, unless
    one of its wordings names that stage alone (中小学劳动教育实践基地 is 中小学劳动实践基地数)."""
    return ("all" in entry.facets.get("stage", frozenset()) and _one_stage(stages)
            and stages not in entry.label_stages)


def count_fits(reading: IndicatorReading, entry: ConceptEntry) -> bool:
    """Whether a row can be a count concept's (#24, the counts by stage): a count of all
    stages takes no row of one stage, even from its category (在校生 under 高中阶段教育 is
    高中阶段教育在校生, not 各级各类学历教育在校生); a stock takes no flow (新建高职专科学校 is no
    高职院校数); 教职工 are no 专任教师; a unit in 所 counts institutions, not people (成人高等学校
    in 所 is no 成人本专科在校生), and one in 万人 people, not institutions."""
    if "measure" not in reading.facets and "population" not in reading.facets:
        return False  # 小学学校达标情况 says no count, by word, unit or whom it counts
    if "stage" not in reading.facets and not entry.facets.get("stage", frozenset()) & {"all"}:
        return False  # 学校规模 (of any school) is no count of one stage
    if all_stages_refuse(entry, reading.facets.get("stage", frozenset())):
        return False
    if ("change" in reading.facets and "institutions" in entry.facets.get("aspect", frozenset())
            and not any("change" in label.stated for label in entry.labels)):
        return False
    people = reading.facets.get("population", frozenset())
    if people and "population" not in reading.inferred and entry.facets.get("population"):
        if {"teachers", "staff"} & people and not people & entry.facets["population"]:
            return False
    if (kind := reading.facets.get("kind")) and not kind & entry.allows("kind"):
        return False  # 初级中学 is one kind of 初中 school, 职业中学 one of 中职
    counted = reading.facets.get("counted", frozenset())
    if "institutions" in counted and entry.facets.get("population"):
        return False
    return not ("people" in counted and "institutions" in entry.facets.get("aspect", frozenset()))
