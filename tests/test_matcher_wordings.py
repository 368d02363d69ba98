"""Wordings other plans use for the scheme's concepts (#24): how a table words a target, the long
and short names of schools and staff, per-student and per-resident figures, ratios and shares
said in words, progression said by where pupils go, traditional characters and English names.
Each case is a wording written for this purpose (none is a row of a labelled set or a probe of
tests/data/indicator_probes.tsv); the matcher before these rules left the ties unmapped or tied
the refused ones (checked on 830907e). Near misses guard what must stay apart."""

from __future__ import annotations

import pytest

from plangraph.extract.facets import normalise
from plangraph.graph.matcher import match


def _tie(name: str, category: str | None = None, unit: str | None = None, parent: str | None = None) -> str | None:
    return match(name, category=category, unit=unit, parent=parent).concept


@pytest.mark.parametrize(("name", "category", "concept"), [
    ("九年义务教育巩固率不低于", "义务教育", "compulsory-retention"),
    ("学前教育毛入园率力争达到", "学前教育", "preschool-gross-enrolment"),
    ("公办园在园幼儿占比不少于", "学前教育", "public-kindergarten-coverage"),
    ("义务教育大班额比例控制在", "义务教育", "compulsory-large-class-share"),
])
def test_a_target_s_verb_at_the_end_of_a_name_is_no_part_of_what_it_measures(name, category, concept):
    assert _tie(name, category, "%") == concept


def test_a_verb_inside_a_name_stays_a_word_of_it():
    # the salary parity concept is worded 不低于 inside its name; a name is cut only at its end
    assert normalise("义务教育教师平均工资收入不低于当地公务员") == "义务教育教师平均工资收入不低于当地公务员"
    assert _tie("义务教育教师平均工资收入不低于当地公务员平均工资收入") == "teacher-salary-parity"


@pytest.mark.parametrize(("name", "category", "unit", "concept"), [
    ("学前两年入学率", "学前教育", "%", "preschool-two-year-enrolment"),  # 入园, however said
    ("幼儿毛入学率", "学前教育", "%", "preschool-gross-enrolment"),
    ("高等职业学院数", "高等教育", "所", "higher-vocational-school-count"),  # 职业技术 / 职业 colleges
    ("职业技术学院数", "高等教育", "所", "higher-vocational-school-count"),
    ("中等职业技术学校在校生数", "职业教育", "人", "secondary-vocational-enrolment-count"),
    ("在岗教职工总数", "教师队伍", "人", "staff-count"),  # 在职 / 在岗: all of them
    ("在职专任教师总数", "教师队伍", "人", "full-time-teacher-count"),
    ("幼师专科及以上学历比例", "学前教育", "%", "preschool-teacher-associate-degree"),  # 幼师
    ("每千常住人口拥有托位数", "托育服务", "个", "infant-care-places"),  # per 1,000 residents
    ("每千人托位数", "托育服务", "个", "infant-care-places"),
    ("中职升高校比例", "职业教育", "%", "secondary-vocational-progression"),  # where pupils go on to
    ("初中毕业生升入普通高中比例", "义务教育", "%", "junior-to-senior-progression"),
    ("劳动年龄人口中受过高等教育人口比例", "人力资源", "%", "working-age-higher-education-share"),
    ("小学在校学生与专任教师之比", "义务教育", ":1", "primary-student-teacher-ratio"),  # 生师比 in words
    ("普通高中学生数与教师数之比", "普通高中", ":1", "general-senior-student-teacher-ratio"),
    ("初中学生人均公用经费", "义务教育", "元", "junior-per-student-public-funding"),  # 学生人均: per student
    ("初中生均公用经费财政拨款标准", "义务教育", "元", "junior-per-student-public-funding"),
])
def test_other_words_for_the_same_thing_tie_to_the_concept(name, category, unit, concept):
    assert _tie(name, category, unit) == concept


@pytest.mark.parametrize(("name", "category", "unit", "concept"), [
    ("學前教育毛入園率", "學前教育", "%", "preschool-gross-enrolment"),
    ("公辦園在園幼兒佔比", "學前教育", "%", "public-kindergarten-coverage"),
    ("初中專任教師本科及以上學歷比例", "義務教育", "%", "junior-teacher-bachelor"),
    ("義務教育輟學率", "義務教育", "%", "compulsory-dropout"),
])
def test_traditional_characters_read_as_simplified(name, category, unit, concept):
    assert _tie(name, category, unit) == concept


def test_a_row_in_english_ties_by_the_scheme_s_english_label():
    m = match("Gross enrolment rate in pre-school education", unit="%")
    assert m.concept == "preschool-gross-enrolment" and m.score == 1.0
    assert _tie("Enrolment rate", unit="%") is None  # no label of the scheme: no guess


@pytest.mark.parametrize(("name", "category", "unit", "concept"), [
    ("学前一年入学率", "学前教育", "%", "preschool-one-year-enrolment"),  # the span still tells apart
    ("小学教师专科以上学历比例", "义务教育", "%", "primary-teacher-associate-degree"),  # not 本科
    ("初中毕业生就业率", "义务教育", "%", None),  # 就业 is no progression
    ("每百名学生拥有计算机台数", "义务教育", "台", None),
    ("人均教育经费", None, "元", None),  # per resident is no total of money
    ("人均教育经费支出", "教育投入", "元", None),
    ("人均受教育年限", "人力资源", "年", None),  # a dead heat of the working-age concepts, not forced
])
def test_near_wordings_stay_apart(name, category, unit, concept):
    assert _tie(name, category, unit) == concept


def test_a_figure_per_resident_is_refused_by_a_total_but_stays_a_suggestion():
    m = match("人均财政性教育经费", unit="元")
    assert m.concept is None
    assert _tie("财政性教育经费", unit="亿元") == "public-education-expenditure"


@pytest.mark.parametrize(("name", "parent", "category", "unit", "concept"), [
    # the row above's word is what it measures (毛入园率, 巩固率): a span or stage under it goes in front
    ("学前一年", "毛入园率", "主要指标", "%", "preschool-one-year-enrolment"),
    ("学前三年", "毛入园率", "主要指标", "%", "preschool-gross-enrolment"),
    # a teacher's certificate (资格证持证) is no disabled child's (持证儿童)
    ("专任教师资格证持证率", None, "教师队伍", "%", "teacher-certification-rate"),
    # a kindergarten share written long or short (公办幼儿园占比 / 公办园占比)
    ("公办幼儿园占比", None, "学前教育", "%", "public-kindergarten-coverage"),
    # 中职 is a part of 职业教育, and a wording of the concept names it
    ("中职学校学生双证书获取率", None, "职业教育", "%", "vocational-certificate-rate"),
])
def test_a_row_s_own_words_read_as_what_they_say(name, parent, category, unit, concept):
    assert _tie(name, category, unit, parent) == concept


@pytest.mark.parametrize(("name", "category", "concept"), [
    # 标准化 is a word of its own, no frame word 标准: a digital campus is no 标准化学校
    ("中小学标准化建设达标率", "义务教育", "compulsory-school-standard-share"),
    ("义务教育学校标准化学校建设比例", "义务教育", "compulsory-school-standard-share"),
    ("小学五年完成率", "义务教育", None),  # a completion rate is no retention rate
    ("初中三年完成率", "义务教育", None),
])
def test_words_made_of_a_frame_word_stay_words(name, category, concept):
    assert _tie(name, category, "%") == concept


@pytest.mark.parametrize(("name", "unit", "refused"), [
    ("10万人口以上县特殊教育学校覆盖率", "%", "special-school-county-coverage"),  # another threshold
    ("应届毕业生就业率", "%", "secondary-vocational-employment"),  # all graduates, no one stage's
    ("随迁子女就读比例", "%", "migrant-children-public-school"),  # every wording of it says 公办
    ("人均财政性教育经费", "元", "public-education-expenditure"),  # per resident, no total
])
def test_a_concept_the_general_checks_refuse_is_still_offered_to_a_reviewer(name, unit, refused):
    m = match(name, unit=unit)
    assert m.concept is None
    offered = {c.key: c.score for c in m.candidates}
    assert refused in offered and 0 < offered[refused] <= 0.4  # a suggestion, below any tie


def test_plangraph_concepts_lists_a_refused_concept_among_an_unmapped_row_s_suggestions():
    # what `plangraph concepts --unmapped` and the review file show: a plan's ties, from plan_ties
    from plangraph.graph.ties import IndicatorRow, plan_ties

    rows = [IndicatorRow("urn:x:1", "t1", "随迁子女就读比例", "随迁子女就读比例", None, "教育公平", "%"),
            IndicatorRow("urn:x:2", "t1", "应届毕业生就业率", "应届毕业生就业率", None, "就业", "%")]
    first, second = plan_ties("x", rows)
    assert first.status == second.status == "unmapped"
    assert "migrant-children-public-school" in dict(first.suggestions)
    assert "secondary-vocational-employment" in dict(second.suggestions)


def test_a_bracket_naming_a_part_of_the_row_s_own_stage_is_a_note():
    # 中职 is a part of 高中阶段: the rate with its note is the rate (a stage beside it stays a sum)
    assert _tie("高中阶段毛入学率（含中等职业教育）", "高中教育", "%") == "senior-secondary-gross-enrolment"
    assert _tie("义务教育在校生（含小学、初中）", "义务教育", "人") == "compulsory-enrolment-count"
    assert _tie("小学在校生（含学前教育）", "义务教育", "人") is None


@pytest.mark.parametrize(("name", "concept"), [
    ("初中招收新生数", "junior-intake-count"),  # new pupils taken in are the intake
    ("初一新生人数", "junior-intake-count"),
    ("高一年级新生", "general-senior-intake-count"),
])
def test_new_pupils_are_the_intake(name, concept):
    category = "普通高中" if name.startswith("高") else "义务教育"
    assert _tie(name, category, "人") == concept


def test_a_sub_row_naming_a_part_of_whom_the_row_above_counts_is_that_part():
    from plangraph.extract.reading import read_indicator

    r = read_indicator("其中：残疾学生", parent="初中在校生", category="基本情况", unit="人")
    assert "disabled" in r.facets["population"]  # it replaced 在校生 before, and read as 初中学生
    assert _tie("其中：残疾学生", "基本情况", "人", parent="初中在校生") is None
    assert _tie("其中：随迁子女", "基本情况", "人", parent="小学在校生") is None
    assert _tie("小学", "基本情况", "人", parent="在校生") == "primary-enrolment-count"  # a stage still ties


@pytest.mark.parametrize(("name", "category", "unit", "concept"), [
    ("3-6周岁幼儿毛入园率", "学前教育", "%", "preschool-gross-enrolment"),  # 周岁 is 岁
    ("高中阶段教育普及程度（毛入学率）", "高中教育", "%", "senior-secondary-gross-enrolment"),  # the figure
    ("每十万人口在校大学生数", "高等教育", "人", "higher-students-per-100k"),  # 在校大学生
    ("每万人口高校在校生数", "高等教育", "人", None),  # another scale per residents
    ("中职毕业生初次就业率", "职业教育", "%", "secondary-vocational-employment"),  # first-time employment
])
def test_how_a_rate_s_population_scale_and_figure_are_said(name, category, unit, concept):
    assert _tie(name, category, unit) == concept


def test_full_time_teachers_are_teachers_and_a_share_satisfied_is_satisfaction():
    from plangraph.extract.reading import read_indicator

    r = read_indicator("中小学心理健康专职教师配备率")
    assert r.facets["population"] == {"teachers"} and "vocational" not in r.facets.get("stage", ())  # no 职教
    assert _tie("中小学心理健康专职教师配备率", "学生发展", "%") == "mental-health-teacher-staffing"
    assert _tie("社会公众教育满意率", "综合", "%") == "education-satisfaction"
    assert _tie("进城务工人员随迁子女入读公办学校比例", "义务教育", "%") == "migrant-children-public-school"  # 入读
