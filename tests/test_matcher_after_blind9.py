"""Classes of wording and layout blind9 showed (#24, after blind9). Each case is another wording of
the class, none a row of a labelled set: OCR slips of 入 as 人, a change said of a level (增加, 提高,
比2012年提高, 个百分点), synonyms of the measure word, and the bare stages of a yearbook's block of
school totals."""

from __future__ import annotations

import pytest

from plangraph.extract.facets import normalise
from plangraph.graph.matcher import match


def _tie(name: str, **kw: str) -> str | None:
    return match(name, **kw).concept


# 1. OCR slips: a scanned table reads 入 as 人 where 人 makes no word.

@pytest.mark.parametrize(("name", "category", "concept"), [
    ("学前三年毛人园率", "", "preschool-gross-enrolment"),
    ("高等教育毛人学率", "", "higher-gross-enrolment"),
    ("初中阶段毛人学率", "", "junior-gross-enrolment"),
    ("小学学龄儿童净人学率", "", "primary-net-enrolment"),
])
def test_an_ocr_slip_of_entry_is_read_as_entry(name, category, concept):
    assert _tie(name, category=category, unit="%") == concept


@pytest.mark.parametrize(("written", "read"), [
    ("老年人学习参与率", "老年人学习参与率"),   # 人 of 老年人, before 学习
    ("成人学历教育在校生", "成人学历教育在校生"),
    ("招收人数", "招收人数"),
    ("专任教师人数", "专任教师人数"),
    ("人均受教育年限", "人均受教育年限"),
    ("教育投人", "教育投入"),
])
def test_a_person_is_left_where_the_word_needs_one(written, read):
    assert normalise(written) == read


# 2. A change, not a level: what a figure rose or fell by is no concept's level.

@pytest.mark.parametrize(("name", "parent", "unit"), [
    ("增加", "学前三年毛入园率", "个百分点"),          # a bare change under the rate
    ("提高", "义务教育巩固率", ""),
    ("较2015年提高", "高等教育毛入学率", "个百分点"),
    ("九年义务教育巩固率比上年提高", "", "个百分点"),
    ("高于全国平均水平", "高中阶段毛入学率", "个百分点"),  # a difference in points
    ("增长", "普通高中在校生", "%"),                   # a growth rate of a count
    ("比上年增加", "幼儿园数", "所"),
])
def test_a_change_of_a_level_is_no_tie_to_the_level(name, parent, unit):
    assert _tie(name, parent=parent, unit=unit) is None


def test_a_flow_of_new_things_and_a_concept_of_a_change_still_tie():
    assert _tie("新增幼儿园学位", category="学前教育", unit="个") == "preschool-new-places"
    assert _tie("增加学前教育学位", unit="个") == "preschool-new-places"
    assert _tie("儿童青少年近视率每年降低1个百分点", category="健康") == "myopia-annual-decline"


def test_a_rate_and_its_change_are_not_the_same_indicator():
    assert _tie("学前三年毛入园率", unit="%") == "preschool-gross-enrolment"
    assert _tie("学前三年毛入园率比2015年提高", unit="个百分点") is None
