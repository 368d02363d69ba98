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
